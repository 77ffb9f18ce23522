/**
 * PaperExchange: the composition root of the paper exchange core. Holds the state, runs lazy
 * expiry before every call, resolves users/orders and delegates to the operation modules.
 * Pure and synchronous: no I/O, no timers; time comes only from the injected clock.
 */

import { isKnownStructure } from "../../kalshi/price-grid.js";
import type {
  AccountOptions,
  AmendRequest,
  BalanceView,
  CancelResult,
  CreateOrderRequest,
  DecreaseRequest,
  ExchangeError,
  ExchangeListener,
  ExchangeStatusView,
  FillFilter,
  FillView,
  MarketResult,
  MarketSpec,
  MarketStatus,
  MarketView,
  OrderbookView,
  OrderFilter,
  OrderGroupView,
  OrderView,
  PaperExchangeApi,
  PaperExchangeOptions,
  PauseWindow,
  PositionView,
  Result,
  SettlementView,
  TransferView,
} from "./api.js";
import { Book } from "./book.js";
import { addCash } from "./cash.js";
import { amendOrder, createOrder, fail, shrinkInPlace } from "./create.js";
import { DEFAULT_MAKER_RATE_PPM, DEFAULT_TAKER_RATE_PPM, multiplierToBp } from "./fees.js";
import {
  createGroup,
  deleteGroup,
  emitGroupUpdate,
  findGroup,
  groupView,
  resetGroup,
  triggerGroup,
} from "./groups.js";
import { cancelResting, expireDue } from "./ops.js";
import { applyPauseStarts, exchangeStatus } from "./pauses.js";
import { determine, setCloseTime, settle, statusChanged } from "./settlement.js";
import type { Account, ExchangeState, MarketState, OrderGroupRecord, OrderRecord } from "./state.js";
import { ID_TRANSFER, makeId } from "./state.js";
import { balanceView, marketView, positionList } from "./views.js";

const FEE_TYPES = new Set<string>(["quadratic", "quadratic_with_maker_fees"]);

/** Construction throws on a bad market config (a programming error); client input never throws. */
export class PaperExchange implements PaperExchangeApi {
  private readonly state: ExchangeState;

  constructor(options: PaperExchangeOptions) {
    const markets = new Map<string, MarketState>();
    let shardCount = Math.max(1, options.shardCount ?? 1);
    for (const spec of options.markets) {
      const market = marketStateOf(spec, options.shardCount);
      shardCount = Math.max(shardCount, market.exchangeIndex + 1);
      if (markets.has(spec.ticker)) throw new Error(`duplicate market ${spec.ticker}`);
      markets.set(spec.ticker, market);
    }
    this.state = {
      clock: options.clock,
      listener: options.listener,
      shardCount,
      transferSeq: 0,
      pauses: [...(options.pauses ?? [])],
      pausesBegun: new Set(),
      takerRatePpm: options.feeConfig?.takerRatePpm ?? DEFAULT_TAKER_RATE_PPM,
      makerRatePpm: options.feeConfig?.makerRatePpm ?? DEFAULT_MAKER_RATE_PPM,
      markets,
      accounts: new Map(),
      ordersById: new Map(),
      groupsById: new Map(),
      expiring: new Set(),
      nextExpiryTsMs: Number.POSITIVE_INFINITY,
      orderSeq: 0,
      fillSeq: 0,
      tradeSeq: 0,
      groupSeq: 0,
    };
  }

  setListener(listener: ExchangeListener | undefined): void {
    this.state.listener = listener;
  }

  /** Lists one more market (replays that meet markets as they go); throws like the constructor. */
  addMarket(spec: MarketSpec): void {
    if (this.state.markets.has(spec.ticker)) throw new Error(`duplicate market ${spec.ticker}`);
    const market = marketStateOf(spec, this.state.shardCount);
    this.state.markets.set(spec.ticker, market);
  }

  // --- accounts ---------------------------------------------------------------------------

  openAccount(userId: string, depositMicros: number, options?: AccountOptions): Result<BalanceView> {
    if (this.state.accounts.has(userId)) return fail(409, "account_already_exists", `user ${userId} exists`);
    if (!Number.isSafeInteger(depositMicros) || depositMicros < 0)
      return fail(400, "invalid_amount", "bad deposit");
    const shards = this.state.shardCount;
    const account: Account = {
      userId,
      balanceMicros: depositMicros,
      heldMicros: 0,
      // Deposits land on the default exchange instance (shard 0).
      shardBalanceMicros: Array.from({ length: shards }, (_, k) => (k === 0 ? depositMicros : 0)),
      shardHeldMicros: new Array<number>(shards).fill(0),
      depositsMicros: depositMicros,
      updatedTsMs: this.state.clock(),
      keepHistory: options?.keepHistory ?? true,
      refusedCategories: new Set(options?.refusedCategories ?? []),
      positions: new Map(),
      orders: [],
      ordersByClientId: new Map(),
      fills: [],
      settlements: [],
      groups: new Map(),
    };
    this.state.accounts.set(userId, account);
    return { ok: true, value: balanceView(this.state, account) };
  }

  deposit(userId: string, amountMicros: number, shard = 0): Result<BalanceView> {
    const account = this.state.accounts.get(userId);
    if (account === undefined) return fail(404, "user_not_found", `user ${userId} not found`);
    if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0)
      return fail(400, "invalid_amount", "bad deposit");
    if (!this.isShard(shard))
      return fail(400, "invalid_parameters", `exchange_index ${shard} does not exist`);
    addCash(account, shard, amountMicros);
    account.depositsMicros += amountMicros;
    account.updatedTsMs = this.state.clock();
    return { ok: true, value: balanceView(this.state, account) };
  }

  transfer(userId: string, fromShard: number, toShard: number, amountMicros: number): Result<TransferView> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    if (!this.isShard(fromShard) || !this.isShard(toShard) || fromShard === toShard) {
      return fail(400, "invalid_parameters", "source and destination must be two existing exchange shards");
    }
    if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0)
      return fail(400, "invalid_parameters", "amount must be positive");
    const account = acc.value;
    if (account.shardBalanceMicros[fromShard]! < amountMicros) {
      return fail(400, "insufficient_balance", `shard ${fromShard} has less available cash than the amount`);
    }
    addCash(account, fromShard, -amountMicros);
    addCash(account, toShard, amountMicros);
    const tsMs = this.state.clock();
    account.updatedTsMs = tsMs;
    const transferId = makeId(ID_TRANSFER, ++this.state.transferSeq);
    return { ok: true, value: { transferId, fromShard, toShard, amountMicros, tsMs } };
  }

  exchangeStatus(shard: number): ExchangeStatusView {
    if (this.state.pauses.length > 0) applyPauseStarts(this.state);
    return exchangeStatus(this.state, shard);
  }

  pauses(): readonly PauseWindow[] {
    return this.state.pauses;
  }

  /** Transfers between shards answered ok since start, over every account (tests' witness). */
  transferCount(): number {
    return this.state.transferSeq;
  }

  /** Number of exchange shards (markets live on 0..shardCount-1). */
  shardCount(): number {
    return this.state.shardCount;
  }

  private isShard(shard: number): boolean {
    return Number.isSafeInteger(shard) && shard >= 0 && shard < this.state.shardCount;
  }

  hasAccount(userId: string): boolean {
    return this.state.accounts.has(userId);
  }

  /** Lazy expiry on the clock, then the user's account. */
  private enter(userId: string): Result<Account> {
    if (this.state.expiring.size > 0) expireDue(this.state);
    if (this.state.pauses.length > 0) applyPauseStarts(this.state);
    const account = this.state.accounts.get(userId);
    if (account === undefined) return fail(404, "user_not_found", `user ${userId} not found`);
    return { ok: true, value: account };
  }

  /** `shard`: the one exchange instance serving the request; others' orders are unknown there. */
  private ownOrder(account: Account, orderId: string, shard?: number): Result<OrderRecord> {
    const order = this.state.ordersById.get(orderId);
    if (
      order === undefined ||
      order.account !== account ||
      (shard !== undefined && order.market.exchangeIndex !== shard)
    ) {
      return fail(404, "order_not_found", `order ${orderId} not found`);
    }
    return { ok: true, value: order };
  }

  // --- writes -----------------------------------------------------------------------------

  createOrder(userId: string, req: CreateOrderRequest): Result<OrderView> {
    const acc = this.enter(userId);
    return acc.ok ? createOrder(this.state, acc.value, req) : acc;
  }

  /** A known order that is no longer resting answers 200 with `reducedByHundredths: 0`. */
  cancelOrder(userId: string, orderId: string, shard = 0): Result<CancelResult> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const order = this.ownOrder(acc.value, orderId, shard);
    if (!order.ok) return order;
    const reducedByHundredths = cancelResting(this.state, order.value, "UserCanceled");
    return { ok: true, value: { order: order.value, reducedByHundredths } };
  }

  amendOrder(userId: string, orderId: string, req: AmendRequest, shard = 0): Result<OrderView> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const order = this.ownOrder(acc.value, orderId, shard);
    return order.ok ? amendOrder(this.state, acc.value, order.value, req) : order;
  }

  /** Keeps queue priority; reducing to 0 cancels (reason "Decreased"). */
  decreaseOrder(userId: string, orderId: string, req: DecreaseRequest, shard = 0): Result<OrderView> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const found = this.ownOrder(acc.value, orderId, shard);
    if (!found.ok) return found;
    const order = found.value;
    const by = req.reduceByHundredths;
    const to = req.reduceToHundredths;
    if ((by === undefined) === (to === undefined)) {
      return fail(400, "invalid_order", "exactly one of reduce_by and reduce_to is required");
    }
    if (order.status !== "resting" || !order.inBook)
      return fail(400, "order_not_resting", "order is not resting");
    const remaining = order.remainingHundredths;
    let target: number;
    if (by !== undefined) {
      if (!Number.isSafeInteger(by) || by <= 0)
        return fail(400, "invalid_count", "reduce_by must be positive");
      target = Math.max(0, remaining - by);
    } else {
      if (!Number.isSafeInteger(to) || to! < 0 || to! > remaining) {
        return fail(400, "invalid_count", "reduce_to must be between 0 and the remaining count");
      }
      target = to!;
    }
    if (!order.market.fractionalTradingEnabled && target % 100 !== 0) {
      return fail(400, "invalid_count", "whole contracts only on this market");
    }
    if (target === 0) {
      cancelResting(this.state, order, "Decreased");
    } else if (target < remaining) {
      shrinkInPlace(this.state, order, target);
      order.lastUpdateReason = "Decreased";
      order.lastUpdateTsMs = this.state.clock();
      this.state.listener?.orderUpdate?.(order.userId, order);
    }
    return { ok: true, value: order };
  }

  batchCreate(userId: string, reqs: readonly CreateOrderRequest[]): Result<OrderView>[] {
    return reqs.map((req) => this.createOrder(userId, req));
  }

  batchCancel(userId: string, items: readonly { orderId: string; shard?: number }[]): Result<CancelResult>[] {
    return items.map((it) => this.cancelOrder(userId, it.orderId, it.shard ?? 0));
  }

  // --- order groups -----------------------------------------------------------------------

  createOrderGroup(userId: string, contractsLimitHundredths: number, shard = 0): Result<OrderGroupView> {
    const acc = this.enter(userId);
    return acc.ok ? createGroup(this.state, acc.value, contractsLimitHundredths, shard) : acc;
  }

  private withGroup(
    userId: string,
    orderGroupId: string,
    action: (account: Account, group: OrderGroupRecord) => ExchangeError | undefined,
  ): Result<OrderGroupView> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const group = findGroup(acc.value, orderGroupId);
    if (!group.ok) return group;
    const error = action(acc.value, group.value);
    return error !== undefined
      ? { ok: false, error }
      : { ok: true, value: groupView(group.value, this.state.clock()) };
  }

  getOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView> {
    return this.withGroup(userId, orderGroupId, () => undefined);
  }

  listOrderGroups(userId: string): OrderGroupView[] {
    const acc = this.enter(userId);
    if (!acc.ok) return [];
    const now = this.state.clock();
    return [...acc.value.groups.values()].map((g) => groupView(g, now));
  }

  resetOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView> {
    return this.withGroup(userId, orderGroupId, (_a, g) => {
      resetGroup(this.state, g);
      return undefined;
    });
  }

  triggerOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView> {
    return this.withGroup(userId, orderGroupId, (_a, g) => {
      triggerGroup(this.state, g);
      return undefined;
    });
  }

  setOrderGroupLimit(
    userId: string,
    orderGroupId: string,
    contractsLimitHundredths: number,
  ): Result<OrderGroupView> {
    return this.withGroup(userId, orderGroupId, (_a, g) => {
      if (!Number.isSafeInteger(contractsLimitHundredths) || contractsLimitHundredths <= 0) {
        return {
          status: 400,
          code: "invalid_order_group",
          message: "contracts_limit must be a positive count",
        };
      }
      g.contractsLimitHundredths = contractsLimitHundredths;
      emitGroupUpdate(this.state, g, "limit_updated");
      if (!g.isTriggered && g.windowFilledHundredths >= contractsLimitHundredths) triggerGroup(this.state, g);
      return undefined;
    });
  }

  /** Cancels the group's resting orders; returns the group as it was just before deletion. */
  deleteOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const group = findGroup(acc.value, orderGroupId);
    if (!group.ok) return group;
    const view = groupView(group.value, this.state.clock());
    deleteGroup(this.state, acc.value, group.value);
    return { ok: true, value: view };
  }

  // --- reads ------------------------------------------------------------------------------

  getOrder(userId: string, orderId: string): Result<OrderView> {
    const acc = this.enter(userId);
    return acc.ok ? this.ownOrder(acc.value, orderId) : acc;
  }

  queuePosition(userId: string, orderId: string): Result<number> {
    const acc = this.enter(userId);
    if (!acc.ok) return acc;
    const found = this.ownOrder(acc.value, orderId);
    if (!found.ok) return found;
    const order = found.value;
    if (!order.inBook) return fail(400, "order_not_resting", "order is not resting");
    let ahead = 0;
    for (let o = order.prev; o !== null; o = o.prev) ahead += o.remainingHundredths;
    return { ok: true, value: ahead };
  }

  listOrders(userId: string, filter: OrderFilter = {}): OrderView[] {
    const acc = this.enter(userId);
    if (!acc.ok) return [];
    const out: OrderView[] = [];
    const orders = acc.value.orders;
    for (let i = orders.length - 1; i >= 0; i--) {
      const o = orders[i]!;
      if (filter.ticker !== undefined && o.ticker !== filter.ticker) continue;
      if (filter.eventTicker !== undefined && o.market.eventTicker !== filter.eventTicker) continue;
      if (filter.status !== undefined && o.status !== filter.status) continue;
      if (filter.minTsMs !== undefined && o.createdTsMs < filter.minTsMs) continue;
      if (filter.maxTsMs !== undefined && o.createdTsMs > filter.maxTsMs) continue;
      out.push(o);
    }
    return out;
  }

  listFills(userId: string, filter: FillFilter = {}): FillView[] {
    const acc = this.enter(userId);
    if (!acc.ok) return [];
    const out: FillView[] = [];
    const fills = acc.value.fills;
    for (let i = fills.length - 1; i >= 0; i--) {
      const f = fills[i]!;
      if (filter.ticker !== undefined && f.ticker !== filter.ticker) continue;
      if (filter.orderId !== undefined && f.orderId !== filter.orderId) continue;
      if (filter.minTsMs !== undefined && f.tsMs < filter.minTsMs) continue;
      if (filter.maxTsMs !== undefined && f.tsMs > filter.maxTsMs) continue;
      out.push(f);
    }
    return out;
  }

  positions(userId: string, ticker?: string): PositionView[] {
    const acc = this.enter(userId);
    return acc.ok ? positionList(acc.value, ticker) : [];
  }

  balance(userId: string): Result<BalanceView> {
    const acc = this.enter(userId);
    return acc.ok ? { ok: true, value: balanceView(this.state, acc.value) } : acc;
  }

  settlements(userId: string): SettlementView[] {
    const acc = this.enter(userId);
    return acc.ok ? [...acc.value.settlements].reverse() : [];
  }

  market(ticker: string): Result<MarketView> {
    if (this.state.expiring.size > 0) expireDue(this.state);
    const m = this.state.markets.get(ticker);
    return m === undefined
      ? fail(404, "market_not_found", `market ${ticker} not found`)
      : { ok: true, value: marketView(m) };
  }

  markets(): MarketView[] {
    if (this.state.expiring.size > 0) expireDue(this.state);
    return [...this.state.markets.values()].map(marketView);
  }

  orderbook(ticker: string, depth: number): Result<OrderbookView> {
    if (this.state.expiring.size > 0) expireDue(this.state);
    const m = this.state.markets.get(ticker);
    if (m === undefined) return fail(404, "market_not_found", `market ${ticker} not found`);
    const { yes, no } = m.book.levels(Number.isSafeInteger(depth) && depth > 0 ? depth : 0);
    return { ok: true, value: { ticker, yes, no } };
  }

  // --- lifecycle --------------------------------------------------------------------------

  setMarketStatus(ticker: string, status: MarketStatus): Result<MarketView> {
    if (this.state.expiring.size > 0) expireDue(this.state);
    const m = this.state.markets.get(ticker);
    if (m === undefined) return fail(404, "market_not_found", `market ${ticker} not found`);
    statusChanged(this.state, m, status);
    return { ok: true, value: marketView(m) };
  }

  setCloseTime(ticker: string, closeTsMs: number): Result<MarketView> {
    const m = this.lifecycleMarket(ticker);
    if (!m.ok) return m;
    if (!Number.isSafeInteger(closeTsMs)) return fail(400, "invalid_parameters", "bad close time");
    setCloseTime(this.state, m.value, closeTsMs);
    return { ok: true, value: marketView(m.value) };
  }

  determineMarket(ticker: string, result: MarketResult): Result<MarketView> {
    const m = this.lifecycleMarket(ticker);
    if (!m.ok) return m;
    if (result !== "yes" && result !== "no") return fail(400, "invalid_order", "result must be yes or no");
    determine(this.state, m.value, result);
    return { ok: true, value: marketView(m.value) };
  }

  private lifecycleMarket(ticker: string): Result<MarketState> {
    if (this.state.expiring.size > 0) expireDue(this.state);
    const m = this.state.markets.get(ticker);
    if (m === undefined) return fail(404, "market_not_found", `market ${ticker} not found`);
    if (m.status === "finalized") return fail(400, "market_closed", `market ${ticker} is already settled`);
    return { ok: true, value: m };
  }

  settleMarket(ticker: string, result?: MarketResult): Result<MarketView> {
    const found = this.lifecycleMarket(ticker);
    if (!found.ok) return found;
    const m = found.value;
    const r = result ?? m.result;
    if (r !== "yes" && r !== "no") return fail(400, "invalid_order", "result must be yes or no");
    settle(this.state, m, r);
    return { ok: true, value: marketView(m) };
  }

  expireDue(): number {
    return expireDue(this.state);
  }
}

/** A market's state from its spec; throws on a bad spec (a programming error, not client input). */
function marketStateOf(spec: MarketSpec, shardCountOption: number | undefined): MarketState {
  const exchangeIndex = spec.exchangeIndex ?? 0;
  if (!Number.isSafeInteger(exchangeIndex) || exchangeIndex < 0)
    throw new Error(`bad exchange_index for ${spec.ticker}`);
  if (shardCountOption !== undefined && exchangeIndex >= shardCountOption)
    throw new Error(`${spec.ticker} is on shard ${exchangeIndex} of ${shardCountOption}`);
  if (!isKnownStructure(spec.priceLevelStructure))
    throw new Error(`bad price_level_structure for ${spec.ticker}`);
  if (!FEE_TYPES.has(spec.feeType)) throw new Error(`unsupported fee_type for ${spec.ticker}`);
  const feeMultiplierBp = multiplierToBp(spec.feeMultiplier ?? 1);
  if (Number.isNaN(feeMultiplierBp)) throw new Error(`bad fee multiplier for ${spec.ticker}`);
  return {
    ticker: spec.ticker,
    eventTicker: spec.eventTicker,
    seriesTicker: spec.seriesTicker,
    exchangeIndex,
    mveCollectionTicker: spec.mveCollectionTicker,
    category: spec.category ?? "",
    priceLevelStructure: spec.priceLevelStructure,
    feeType: spec.feeType,
    feeMultiplierBp,
    fractionalTradingEnabled: spec.fractionalTradingEnabled ?? true,
    status: spec.status ?? "active",
    book: new Book(),
    lastPriceTicks: 0,
    volumeHundredths: 0,
    openInterestHundredths: 0,
    result: undefined,
    settledTsMs: undefined,
    closeTsMs: spec.closeTsMs,
    determinedTsMs: undefined,
    holders: new Set(),
  };
}

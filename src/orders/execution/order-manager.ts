/**
 * The order manager: the brain of the orders thread (docs/architecture.md "orders"). It alone owns
 * cash, positions, open orders and fills; it turns decisions into Kalshi V2 writes and publishes
 * the portfolio. Its loop, top to bottom, for one decision:
 *
 *   ready? → fresh (≤ budget from frame receive, rule 23) → not HOLD → shard not paused → breakers
 *   armed → market not busy → throttle → book top (not stale) → limit price (rule 16) → size
 *   (sells ≤ held, rule 9)
 *   → plan vs working orders (rule 14; wait on unknown outcomes, rule 15) → per write: risk
 *   (rule 18) → ledger reservation (rule 8) → journal fsync (rule 15) → REST → outcome.
 *
 * Fills (from the fill channel or REST reconciliation) go through `onFill`, applied once by id
 * (rule 13). A write whose outcome is unknown is resolved by asking the exchange about its
 * client_order_id (create) or order_id (amend/cancel) — never by resending (rule 15).
 * Nothing here sleeps (rule 24); time is injected.
 */
import { randomUUID } from "node:crypto";
import type { OrderGroupReport, SettlementReport } from "../../kalshi/adapter/reports.js";
import { bookSideOf, type LedgerFill, yesLegTicks } from "../accounts/ledger.js";
import { PortfolioPublisher } from "../accounts/portfolio-publisher.js";
import type { Correction } from "../reconcile/corrections.js";
import type { LedgerView, ReconcileTarget } from "../reconcile/reconcile-target.js";
import { type Applied, applyCorrections } from "./apply-corrections.js";
import type { OrderJournal } from "./journal.js";
import { type BookTop, limitPriceTicks } from "./limit-price.js";
import { OrderLifecycle } from "./order-lifecycle.js";
import { decideSize } from "./order-mapping.js";
import {
  DEFAULT_ORDER_MANAGER_CONFIG,
  type MarketCatalog,
  newOrderStats,
  type OrderDecision,
  type OrderEvent,
  type OrderManagerConfig,
  type OrderManagerDeps,
  type OrderStatKey,
  type OrdersRestApi,
} from "./order-types.js";
import { OrderWriter } from "./order-writer.js";
import {
  type OrderOp,
  planOrderOps,
  type ReadonlyWorkingOrders,
  type WorkingOrder,
} from "./working-orders.js";

export type {
  BookTopSource,
  MarketCatalog,
  OrderDecision,
  OrderEvent,
  OrderManagerConfig,
  OrderManagerDeps,
  OrdersRestApi,
} from "./order-types.js";
export { DEFAULT_ORDER_MANAGER_CONFIG } from "./order-types.js";

export class OrderManager implements ReconcileTarget {
  readonly stats = newOrderStats();
  readonly publisher: PortfolioPublisher;
  private readonly writer: OrderWriter;
  /** every order's reservation, working-set entry and journal records, moved together */
  readonly orders: OrderLifecycle;
  private ready = false;
  private readonly busy = new Set<number>();
  private readonly top: BookTop = { bestYesBidTicks: 0, bestNoBidTicks: 0 };
  private readonly now: () => number;
  private readonly emit: (e: OrderEvent) => void;

  constructor(
    readonly deps: OrderManagerDeps,
    private readonly config: Readonly<OrderManagerConfig> = DEFAULT_ORDER_MANAGER_CONFIG,
  ) {
    this.now = deps.now ?? Date.now;
    this.emit = deps.onEvent ?? (() => {});
    this.orders = new OrderLifecycle({
      ledger: deps.ledger,
      journal: deps.journal,
      emit: this.emit,
      now: this.now,
    });
    this.publisher = new PortfolioPublisher(deps.ledger, this.working, deps.portfolio);
    deps.breakers.onChange = (tripped, reason) => this.emit({ kind: "breaker", tripped, reason });
    this.writer = new OrderWriter(
      deps,
      config,
      this.orders,
      this.publisher,
      this.stats,
      this.emit,
      this.now,
      deps.newClientOrderId ?? randomUUID,
    );
  }

  /** The working orders (read-only for others: every change goes through the lifecycle). */
  get working(): ReadonlyWorkingOrders {
    return this.orders.working;
  }

  // ---- what reconciliation reads and asks (reconcile/reconciler.ts) -------------------------------

  get rest(): OrdersRestApi {
    return this.deps.rest;
  }
  get catalog(): MarketCatalog {
    return this.deps.catalog;
  }
  get journal(): OrderJournal {
    return this.deps.journal;
  }
  /** The ledger, to read: every change goes through this manager. */
  get accounts(): LedgerView {
    return this.deps.ledger;
  }
  get killSwitchEngaged(): boolean {
    return this.deps.risk.killSwitchEngaged;
  }
  /** The manager's clock. */
  timeNow(): number {
    return this.now();
  }
  /** Tells an event the way the manager's own are told. */
  tell(e: OrderEvent): void {
    this.emit(e);
  }
  /** Applies reconciliation's corrections: the one place they change the ledger and working orders. */
  applyCorrections(corrections: readonly Correction[]): Applied {
    return applyCorrections(corrections, this.deps.ledger, this.orders, (detail, market) =>
      this.emit({ kind: "reconcile", detail, ...(market === undefined ? {} : { market }) }),
    );
  }
  publishAll(): void {
    this.publisher.publishAll();
  }

  /** Trading starts only after the startup reconciliation (reconciler.ts) calls this. */
  markReady(): void {
    this.ready = true;
    this.publisher.publishAll();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /**
   * One decision from the DecisionRing. Resolves when its writes (if any) have answers. Every
   * decision that is not a HOLD is reported once (a `decision` event) before any write: with its
   * own-side limit price when it goes ahead, or with why it does not.
   */
  async onDecision(d: OrderDecision): Promise<void> {
    this.stats.decisions++;
    const now = this.now();
    if (!this.ready) return this.skip(d, "notReady", "not_ready");
    if (!this.deps.freshness.accept(d.frameRecvMs, now)) return this.skip(d, "stale", "stale_book");
    if (d.action === "HOLD" || d.sizeHundredths <= 0) return void this.stats.hold++;
    if (this.deps.risk.killSwitchEngaged) return this.skip(d, "killBlocked", "kill");
    const m = d.market;
    // A paused shard refuses creates and amends (cancels go out elsewhere and are not gated): the
    // exchange's pause is the reason, whatever the engine's own breakers say meanwhile.
    if (this.deps.exchangeStatus?.isPaused(this.deps.catalog.shardOf(m)))
      return this.skip(d, "exchangePaused", "exchange_paused");
    if (!this.deps.breakers.canTrade(now)) return this.skip(d, "breakerBlocked", "breaker");
    const group = this.deps.orderGroups?.of(this.deps.catalog.shardOf(m));
    if (group?.triggered && !(await group.rearm(now))) return this.skip(d, "breakerBlocked", "order_group");
    if (this.busy.has(m)) return this.skip(d, "busy", "busy");
    if (this.deps.catalog.tickerOf(m) === "") return this.skip(d, "unknownMarket", "unknown_market");
    if (this.deps.ledger.isSettled(m)) return this.skip(d, "marketSettled", "market_settled");
    if (this.writer.refusedMarkets.has(m)) return this.skip(d, "marketRefused", "market_refused");
    if (!this.deps.throttle.allow(m, now)) return this.skip(d, "throttled", "throttle");
    if (!this.deps.book.readTop(m, this.top)) return this.skip(d, "bookStale", "stale_book");
    const ownLimit = limitPriceTicks(this.config.strategy, d.action, this.top, this.deps.catalog.gridOf(m));
    if (ownLimit === 0) return this.skip(d, "noPrice", "no_price");
    const same = this.working.get(m, bookSideOf(d.action));
    const sameRemaining = same?.action === d.action ? same.countHundredths - same.filledHundredths : 0;
    const size = decideSize(this.deps.ledger, m, d.action, d.sizeHundredths, sameRemaining);
    if (!size.ok) return this.skip(d, "sizeRefused", "size", ownLimit);
    const ops = planOrderOps(this.working.get(m, "bid"), this.working.get(m, "ask"), {
      side: bookSideOf(d.action),
      action: d.action,
      yesPriceTicks: yesLegTicks(d.action, ownLimit),
      restingHundredths: size.countHundredths,
    });
    if (ops.length === 0) return this.report(d, ownLimit, "already_working");
    if (ops[0]!.op === "wait") {
      if (ops[0].reason === "outcome_unknown") this.stats.outcomeUnknownWaits++;
      return this.skip(d, "waits", ops[0].reason, ownLimit);
    }
    this.report(d, ownLimit, "");
    this.busy.add(m);
    try {
      for (const op of ops) if (!(await this.execute(m, op))) break;
    } finally {
      this.busy.delete(m);
      this.publisher.publishMarket(m);
    }
  }

  /** Counts a decision that goes no further and reports it with its reason. */
  private skip(d: OrderDecision, stat: OrderStatKey, reason: string, ownLimitTicks = 0): void {
    this.stats[stat]++;
    this.report(d, ownLimitTicks, reason);
  }

  private report(d: OrderDecision, ownLimitTicks: number, skipped: string): void {
    if (d.action === "HOLD") return;
    this.emit({
      kind: "decision",
      market: d.market,
      action: d.action,
      sizeHundredths: d.sizeHundredths,
      ownLimitTicks,
      bookSeq: d.bookSeq ?? 0,
      batchSize: d.batchSize ?? 0,
      appliedCount: d.appliedCount ?? 0,
      frameRecvMs: d.frameRecvMs,
      decidedMs: d.decidedMs ?? 0,
      skipped,
    });
  }

  private execute(m: number, op: OrderOp): Promise<boolean> {
    switch (op.op) {
      case "create":
        return this.writer.create(m, op.action, op.yesPriceTicks, op.countHundredths);
      case "amend": {
        const w = this.working.find(op.clientOrderId)?.order;
        return w
          ? this.writer.amend(m, w, op.yesPriceTicks, op.totalCountHundredths)
          : Promise.resolve(false);
      }
      case "cancel": {
        const w = this.working.find(op.clientOrderId)?.order;
        return w ? this.writer.cancel(m, w) : Promise.resolve(false);
      }
      default:
        return Promise.resolve(false);
    }
  }

  /**
   * A market settled (fill channel's lifecycle report or REST reconciliation, whichever comes
   * first): the ledger pays it out once and its working orders are gone (the exchange canceled
   * them); later decisions for it are dropped. False when it had already settled.
   */
  onSettlement(s: SettlementReport): boolean {
    const effect = this.deps.ledger.settle(s.market, s.yesPayoutMicros);
    if (effect === null) return false;
    for (const { market, order } of [...this.working.all()])
      if (market === s.market) this.orders.apply(order, { on: "settled" });
    this.emit({ kind: "settled", market: s.market, yesPayoutMicros: s.yesPayoutMicros, ...effect });
    this.publisher.publishMarket(s.market);
    return true;
  }

  /** An `order_group_updates` event: our group triggered (trading pauses) or was reset. */
  onOrderGroupUpdate(g: OrderGroupReport): void {
    this.deps.orderGroups?.byId(g.orderGroupId)?.onUpdate(g.event, this.now());
  }

  /** Applies one fill exactly once (rule 13) and keeps the working order in step. */
  onFill(fill: LedgerFill): boolean {
    const { ledger } = this.deps;
    const feesBefore = ledger.position(fill.market).feesPaidMicros;
    if (!ledger.applyFill(fill)) {
      this.stats.fillsDuplicate++;
      return false;
    }
    this.stats.fillsApplied++;
    const cid = ledger.orders.resolve(fill.clientOrderId, fill.exchangeOrderId);
    const lo = cid === undefined ? undefined : ledger.orders.get(cid);
    if (lo !== undefined) {
      const found = this.working.find(cid!) ?? this.working.find(lo.clientOrderId);
      if (found !== undefined) {
        found.order.filledHundredths = Math.max(found.order.filledHundredths, lo.filledHundredths);
        if (!lo.open) this.orders.apply(found.order, { on: "filled" });
      }
    }
    this.emit({
      kind: "fill_applied",
      market: fill.market,
      fillId: fill.fillId,
      clientOrderId: lo === undefined ? "" : cid!,
      exchangeOrderId: fill.exchangeOrderId ?? "",
      side: fill.side,
      sizeHundredths: fill.sizeHundredths,
      yesPriceTicks: fill.yesPriceTicks,
      feeMicros: ledger.position(fill.market).feesPaidMicros - feesBefore,
    });
    this.publisher.publishMarket(fill.market);
    return true;
  }

  /**
   * The exchange canceled one of our orders (expiry, post-only cross, STP, pause): keep reserving
   * only what filled and drop it from the working set.
   */
  onExchangeCancel(clientOrderId: string, exchangeOrderId: string, fillCountHundredths: number): void {
    const { ledger } = this.deps;
    const cid = ledger.orders.resolve(clientOrderId, exchangeOrderId);
    if (cid === undefined) return;
    const market = ledger.orders.get(cid)?.market;
    const input = { on: "exchange_canceled", keepHundredths: fillCountHundredths } as const;
    if (this.orders.applyByIds(cid, input) === "closed" && market !== undefined)
      this.publisher.publishMarket(market);
  }

  /** Updates a market's mark (rule 12) without publishing; call publish on your own cadence. */
  onBookTop(market: number, bestYesBidTicks: number, bestNoBidTicks: number): void {
    this.deps.ledger.mark(market, bestYesBidTicks, bestNoBidTicks);
  }

  /**
   * Kill switch (rule 18): blocks new orders and cancels every resting working order. Writes in
   * flight finish on their own: an order that comes to rest afterwards is canceled by its own
   * answer (order-writer.ts) or by the next reconciliation, while the switch stays engaged.
   */
  async engageKillSwitch(): Promise<number> {
    this.deps.risk.engageKillSwitch();
    const cancels = await this.cancelResting();
    this.emit({ kind: "kill_switch", engaged: true, cancels });
    return cancels;
  }

  /** Cancels every working order that rests (and has no write in flight); returns how many. */
  async cancelResting(): Promise<number> {
    const targets = [...this.working.all()].filter((x) => x.order.state === "resting");
    let cancels = 0;
    await Promise.all(
      targets.map(async ({ market, order }) => {
        if (await this.writer.cancel(market, order)) cancels++;
        this.publisher.publishMarket(market);
      }),
    );
    return cancels;
  }

  releaseKillSwitch(): void {
    this.deps.risk.releaseKillSwitch();
    this.emit({ kind: "kill_switch", engaged: false, cancels: 0 });
  }

  /** Resolves a create of unknown outcome by its client_order_id (reconciler retries). */
  resolveCreate(m: number, w: WorkingOrder): Promise<void> {
    return this.writer.resolveCreate(m, w);
  }

  /** Resolves an amend / cancel of unknown outcome by its order id. */
  resolveByOrderId(m: number, w: WorkingOrder): Promise<void> {
    return this.writer.resolveByOrderId(m, w);
  }

  /** Every working order whose outcome is still unknown (reconciler retries them). */
  unknownOrders(): Array<{ market: number; order: WorkingOrder }> {
    return [...this.working.all()].filter((x) => x.order.state === "unknown");
  }
}

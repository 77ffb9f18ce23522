/**
 * The cash ledger of the orders thread: free and reserved cash per shard, open-order reservations,
 * positions per market, fills applied exactly once. Only the orders thread owns one
 * (docs/architecture.md). The orders it reserves for are kept, found and retired by its order
 * registry (order-registry.ts): the ledger moves the money, the registry knows the orders.
 *
 * Option B of correctness-rules.md rule 8, exact integer micros:
 *   - a BUY reserves limit × count + the worst-case fee (fees.ts) from free cash at placement;
 *   - a fill releases limit × size of that reservation and pays the fill price × size, i.e. moves
 *     the cost from reserved to spent and refunds the price improvement; its fee comes out of the
 *     fee reservation (any excess from free cash, recorded as an event);
 *   - cancel / expiry / decrease returns the reservation of what is left; a reject returns all;
 *   - a SELL (closing held contracts) reserves only its fee and adds proceeds at fill.
 * Netting, NO pricing and flips are in position.ts. A sell of contracts not held is refused
 * (rule 9): `sellableHundredths` counts holdings minus those already committed to open sells.
 *
 * Cash is kept per exchange shard (shard-cash.ts): an order reserves from, and its fills, fees and
 * its market's settlement move, the cash of its market's shard; the totals are the sums. A place
 * that the market's shard cannot pay while the shards together could is refused as
 * `shard_cash_short`, so the caller can move funds first (transfers.ts).
 *
 * Balances are exact micros (the paper exchange does not floor sub-cent balances). When a fill
 * carries the exchange's `fee_cost`, that number is authoritative; a difference from our own
 * model is reported as an event, never thrown.
 */
import { MAX_TICK, MICROS_PER_TICK_HUNDREDTH, MIN_TICK } from "../../kalshi/units.js";
import {
  type FeeSchedule,
  OrderFeeAccumulator,
  ownLegTicks,
  STANDARD_FEE_SCHEDULE,
  worstCaseFeeMicros,
} from "./fees.js";
import {
  bookSideOf,
  isBuy,
  type LedgerEvent,
  type LedgerFill,
  type LedgerOptions,
  type LedgerOrder,
  type PlaceRequest,
  type PlaceResult,
} from "./ledger-types.js";
import { OrderRegistry } from "./order-registry.js";
import { MarketPosition } from "./position.js";
import { ShardCash } from "./shard-cash.js";

export type {
  EngineAction,
  LedgerEvent,
  LedgerFill,
  LedgerOptions,
  LedgerOrder,
  PlaceRequest,
  PlaceResult,
} from "./ledger-types.js";
export { bookSideOf, isBuy, yesLegTicks } from "./ledger-types.js";

export class Ledger {
  /** the orders this ledger reserved for: everyone reads them here, the ledger alone adds and retires */
  readonly orders: OrderRegistry;
  private readonly cash = new ShardCash();
  private readonly positions = new Map<number, MarketPosition>();
  /** insertion-ordered, so the first entry is the oldest (bounded memory over a long session) */
  private readonly seenFills = new Set<string>();
  /** markets that settled: each pays out once, whichever path (WS or REST) reports it first */
  private readonly settled = new Set<number>();
  private readonly maxSeenFills: number;
  private readonly feeScheduleOf: (market: number) => FeeSchedule;
  private readonly shardOfMarket: (market: number) => number;
  private readonly onEvent: (event: LedgerEvent) => void;

  constructor(initialFreeCashMicros: number, options: LedgerOptions = {}) {
    if (!Number.isSafeInteger(initialFreeCashMicros))
      throw new RangeError("ledger: cash must be integer micros");
    this.cash.addFree(0, initialFreeCashMicros);
    this.shardOfMarket = options.shardOf ?? (() => 0);
    this.feeScheduleOf = options.feeScheduleOf ?? (() => STANDARD_FEE_SCHEDULE);
    this.onEvent = options.onEvent ?? (() => {});
    this.maxSeenFills = options.maxSeenFills ?? 1_000_000;
    this.orders = new OrderRegistry(options.maxClosedOrders ?? 100_000);
  }

  private rememberFill(fillId: string): void {
    this.seenFills.add(fillId);
    if (this.seenFills.size > this.maxSeenFills) {
      this.seenFills.delete(this.seenFills.values().next().value as string);
    }
  }

  /** Free cash over every shard. */
  get freeCashMicros(): number {
    return this.cash.freeTotalMicros;
  }
  /** Reserved cash over every shard. */
  get reservedCashMicros(): number {
    return this.cash.reservedTotalMicros;
  }
  /** Shards with a cash record: 0 … shardCount−1. */
  get shardCount(): number {
    return this.cash.shardCount;
  }
  freeCashOn(shard: number): number {
    return this.cash.freeOn(shard);
  }
  reservedCashOn(shard: number): number {
    return this.cash.reservedOn(shard);
  }
  /** The exchange shard of a market (the catalog's `exchange_index`). */
  shardOf(market: number): number {
    return this.shardOfMarket(market);
  }
  /** The shard other than `except` with the most free cash (−1 when none). */
  richestShardExcept(except: number): number {
    return this.cash.richestExcept(except);
  }

  position(market: number): MarketPosition {
    let p = this.positions.get(market);
    if (p === undefined) {
      p = new MarketPosition();
      this.positions.set(market, p);
    }
    return p;
  }

  /** Markets with a position record (possibly flat now). */
  markets(): IterableIterator<number> {
    return this.positions.keys();
  }

  /** Held contracts on the action's side not yet committed to open sell orders (rule 9). */
  sellableHundredths(market: number, action: "SELL_YES" | "SELL_NO"): number {
    const h = this.positions.get(market)?.contractsHundredths ?? 0;
    let held = action === "SELL_YES" ? Math.max(0, h) : Math.max(0, -h);
    for (const o of this.orders.eachOpen()) {
      if (o.market === market && o.action === action) held -= o.countHundredths - o.filledHundredths;
    }
    return Math.max(0, held);
  }

  /** Cash a new order would reserve now (cost for buys, fee for all). */
  reservationMicros(req: PlaceRequest): number {
    const fee = worstCaseFeeMicros(this.feeScheduleOf(req.market), req.ownLimitTicks, req.countHundredths);
    const cost = isBuy(req.action) ? req.ownLimitTicks * req.countHundredths * MICROS_PER_TICK_HUNDREDTH : 0;
    return cost + fee;
  }

  /**
   * Reserves cash for a new order before it is sent (rule 8); refuses what cannot be paid or sold.
   * `resting`: an order the exchange already rests (startup) is reserved whatever free cash says —
   * the shard's free cash is set from the exchange's balance afterwards.
   */
  place(req: PlaceRequest, resting = false): PlaceResult {
    if (this.orders.has(req.clientOrderId)) return { ok: false, reason: "duplicate_client_order_id" };
    if (
      !Number.isInteger(req.ownLimitTicks) ||
      req.ownLimitTicks < MIN_TICK ||
      req.ownLimitTicks > MAX_TICK ||
      !Number.isSafeInteger(req.countHundredths) ||
      req.countHundredths <= 0
    ) {
      return { ok: false, reason: "bad_order" };
    }
    if (!isBuy(req.action)) {
      const sellable = this.sellableHundredths(req.market, req.action as "SELL_YES" | "SELL_NO");
      if (req.countHundredths > sellable) return { ok: false, reason: "nothing_to_sell" };
    }
    const schedule = this.feeScheduleOf(req.market);
    const fee = worstCaseFeeMicros(schedule, req.ownLimitTicks, req.countHundredths);
    const cost = isBuy(req.action) ? req.ownLimitTicks * req.countHundredths * MICROS_PER_TICK_HUNDREDTH : 0;
    const shard = this.shardOfMarket(req.market);
    if (!resting && cost + fee > this.cash.freeOn(shard)) {
      const short = cost + fee <= this.cash.freeTotalMicros;
      return { ok: false, reason: short ? "shard_cash_short" : "insufficient_cash" };
    }
    this.cash.reserve(shard, cost + fee);
    const order: LedgerOrder = {
      clientOrderId: req.clientOrderId,
      market: req.market,
      shard,
      action: req.action,
      side: bookSideOf(req.action),
      ownLimitTicks: req.ownLimitTicks,
      countHundredths: req.countHundredths,
      filledHundredths: 0,
      reservedCostMicros: cost,
      reservedFeeMicros: fee,
      feesPaidMicros: 0,
      exchangeOrderId: "",
      open: true,
      fees: new OrderFeeAccumulator(schedule),
    };
    this.orders.add(order);
    return { ok: true, reservedMicros: cost + fee };
  }

  /** Records a fill id as already reflected (startup: positions from REST already include it). */
  markFillSeen(fillId: string): void {
    this.rememberFill(fillId);
  }

  /**
   * Sets a market's position to the exchange's (reconciliation resolves toward the exchange).
   * Realised P&L and fees stay as recorded; the basis is whatever the caller trusts.
   */
  setPositionFromExchange(market: number, contractsHundredths: number, costBasisMicros: number): void {
    const p = this.position(market);
    p.contractsHundredths = contractsHundredths;
    p.costBasisMicros = contractsHundredths === 0 ? 0 : costBasisMicros;
  }

  /**
   * A market settled: its position pays out (position.ts `settle`), its open orders stop
   * reserving (the exchange canceled them). Once per market; null when already settled.
   */
  settle(market: number, yesPayoutMicros: number): ReturnType<MarketPosition["settle"]> | null {
    if (this.settled.has(market)) return null;
    this.settled.add(market);
    for (const o of this.orders.openOrders()) if (o.market === market) this.closeOrder(o);
    const effect = this.position(market).settle(yesPayoutMicros);
    this.cash.addFree(this.shardOfMarket(market), effect.proceedsMicros);
    return effect;
  }

  /** Marks a market settled without moving cash (startup: the exchange's balance already has it). */
  markSettled(market: number): void {
    this.settled.add(market);
  }

  isSettled(market: number): boolean {
    return this.settled.has(market);
  }

  hasFill(fillId: string): boolean {
    return this.seenFills.has(fillId);
  }

  /** Applies a fill once; returns false for a fill id already applied (rule 13). */
  applyFill(fill: LedgerFill): boolean {
    if (this.seenFills.has(fill.fillId)) return false;
    this.rememberFill(fill.fillId);
    const cid = this.orders.resolve(fill.clientOrderId, fill.exchangeOrderId);
    const order = cid === undefined ? undefined : this.orders.get(cid);
    const pos = this.position(fill.market);
    const effect = pos.applyFill(fill.side, fill.yesPriceTicks, fill.sizeHundredths);
    const shard = order?.shard ?? this.shardOfMarket(fill.market);
    this.cash.addFree(shard, effect.closeProceedsMicros - effect.openCostMicros);

    let feeMicros: number;
    if (order === undefined) {
      this.onEvent({ kind: "fill_unknown_order", fillId: fill.fillId, market: fill.market });
      feeMicros =
        fill.exchangeFeeMicros ??
        new OrderFeeAccumulator(this.feeScheduleOf(fill.market)).chargeFill(
          fill.isTaker,
          ownLegTicks(fill.side, fill.yesPriceTicks),
          fill.sizeHundredths,
        );
    } else {
      feeMicros = this.settleOrderFill(order, fill);
    }
    pos.feesPaidMicros += feeMicros;
    if (order === undefined) this.cash.addFree(shard, -feeMicros);
    const free = this.cash.freeOn(shard);
    if (free < 0) this.onEvent({ kind: "negative_free_cash", freeCashMicros: free, shard });
    return true;
  }

  /** Releases the order's reservation for this fill and charges its fee; returns the fee. */
  private settleOrderFill(order: LedgerOrder, fill: LedgerFill): number {
    const remaining = order.countHundredths - order.filledHundredths;
    if (fill.sizeHundredths > remaining) {
      this.onEvent({
        kind: "overfill",
        clientOrderId: order.clientOrderId,
        excessHundredths: fill.sizeHundredths - remaining,
      });
    }
    const covered = Math.min(fill.sizeHundredths, remaining);
    order.filledHundredths += fill.sizeHundredths;
    if (isBuy(order.action)) {
      const release = Math.min(
        order.reservedCostMicros,
        order.ownLimitTicks * covered * MICROS_PER_TICK_HUNDREDTH,
      );
      order.reservedCostMicros -= release;
      this.cash.reserve(order.shard, -release);
    }
    const modelFee = order.fees.chargeFill(
      fill.isTaker,
      ownLegTicks(fill.side, fill.yesPriceTicks),
      fill.sizeHundredths,
    );
    let fee = modelFee;
    if (fill.exchangeFeeMicros !== undefined) {
      if (fill.exchangeFeeMicros !== modelFee) {
        this.onEvent({
          kind: "fee_mismatch",
          fillId: fill.fillId,
          modelMicros: modelFee,
          exchangeMicros: fill.exchangeFeeMicros,
        });
      }
      fee = fill.exchangeFeeMicros;
    }
    const fromReserve = Math.min(fee, order.reservedFeeMicros);
    if (fee > fromReserve) {
      this.onEvent({
        kind: "fee_over_reservation",
        clientOrderId: order.clientOrderId,
        excessMicros: fee - fromReserve,
      });
    }
    order.reservedFeeMicros -= fromReserve;
    this.cash.spendReserved(order.shard, fromReserve);
    this.cash.addFree(order.shard, -(fee - fromReserve));
    order.feesPaidMicros += fee;
    if (order.filledHundredths >= order.countHundredths) this.closeOrder(order);
    return fee;
  }

  /** Cancel, expiry, IOC remainder: returns the reservation of what is left (rule 8). */
  cancelRemainder(clientOrderId: string): boolean {
    const o = this.orders.get(clientOrderId);
    if (o === undefined || !o.open) return false;
    this.closeOrder(o);
    return true;
  }

  /** A reject: the order never rested; every micro reserved comes back. */
  reject(clientOrderId: string): boolean {
    return this.cancelRemainder(clientOrderId);
  }

  /**
   * Re-reserves an order for a new limit and/or new total count (amend; decrease is
   * `newCountHundredths` < count). Refused when the extra reservation does not fit in free cash.
   */
  amend(clientOrderId: string, newOwnLimitTicks: number, newCountHundredths: number): boolean {
    const o = this.orders.get(clientOrderId);
    const r = o === undefined ? null : this.amendedReservation(o, newOwnLimitTicks, newCountHundredths);
    if (o === undefined || r === null) return false;
    const delta = r.costMicros + r.feeMicros - (o.reservedCostMicros + o.reservedFeeMicros);
    if (delta > this.cash.freeOn(o.shard)) return false;
    this.cash.reserve(o.shard, delta);
    o.reservedCostMicros = r.costMicros;
    o.reservedFeeMicros = r.feeMicros;
    o.ownLimitTicks = newOwnLimitTicks;
    o.countHundredths = newCountHundredths;
    if (newCountHundredths === o.filledHundredths) this.closeOrder(o);
    return true;
  }

  /**
   * Why `amend` would refuse these terms, like `place`: `shard_cash_short` when the order's shard
   * lacks the extra `needMicros` that the shards together have (move funds first, transfers.ts).
   */
  amendShortfall(
    clientOrderId: string,
    newOwnLimitTicks: number,
    newCountHundredths: number,
  ): { reason: "ok" | "bad_order" | "shard_cash_short" | "insufficient_cash"; needMicros: number } {
    const o = this.orders.get(clientOrderId);
    const r = o === undefined ? null : this.amendedReservation(o, newOwnLimitTicks, newCountHundredths);
    if (o === undefined || r === null) return { reason: "bad_order", needMicros: 0 };
    const need = r.costMicros + r.feeMicros - (o.reservedCostMicros + o.reservedFeeMicros);
    if (need <= this.cash.freeOn(o.shard)) return { reason: "ok", needMicros: need };
    return {
      reason: need <= this.cash.freeTotalMicros ? "shard_cash_short" : "insufficient_cash",
      needMicros: need,
    };
  }

  /** An open order's reservation under new terms; null when the terms are not valid for it. */
  private amendedReservation(
    o: LedgerOrder,
    newOwnLimitTicks: number,
    newCountHundredths: number,
  ): { costMicros: number; feeMicros: number } | null {
    if (!o.open || newCountHundredths < o.filledHundredths) return null;
    if (!Number.isSafeInteger(newCountHundredths) || !Number.isInteger(newOwnLimitTicks)) return null;
    if (newOwnLimitTicks < MIN_TICK || newOwnLimitTicks > MAX_TICK) return null;
    const left = newCountHundredths - o.filledHundredths;
    const cost = isBuy(o.action) ? newOwnLimitTicks * left * MICROS_PER_TICK_HUNDREDTH : 0;
    const worst = worstCaseFeeMicros(this.feeScheduleOf(o.market), newOwnLimitTicks, newCountHundredths);
    return { costMicros: cost, feeMicros: Math.max(0, worst - o.feesPaidMicros) };
  }

  /** Returns what the order still reserves and retires it from the registry. */
  private closeOrder(o: LedgerOrder): void {
    this.cash.reserve(o.shard, -(o.reservedCostMicros + o.reservedFeeMicros));
    o.reservedCostMicros = 0;
    o.reservedFeeMicros = 0;
    this.orders.retire(o);
  }

  /** Updates a market's mark from its top of book (0 = side empty; rule 12 keeps the last). */
  mark(market: number, bestYesBidTicks: number, bestNoBidTicks: number): void {
    this.position(market).mark(bestYesBidTicks, bestNoBidTicks);
  }

  /** Σ value of positions at their marks. */
  positionsValueMicros(): number {
    let v = 0;
    for (const p of this.positions.values()) v += p.markValueMicros();
    return v;
  }

  /** free + reserved + positions at marks. */
  equityMicros(): number {
    return this.freeCashMicros + this.reservedCashMicros + this.positionsValueMicros();
  }

  /**
   * Sets one shard's free cash to a reconciled value (reconciliation resolves toward the exchange;
   * the caller decides how the exchange balance maps to free cash). Returns the correction applied.
   */
  correctFreeCash(targetFreeCashMicros: number, shard = 0): number {
    return this.cash.setFree(shard, targetFreeCashMicros);
  }

  /** Σ worst-case fees still reserved by open orders on one shard (the exchange does not hold them). */
  reservedFeesOn(shard: number): number {
    let fees = 0;
    for (const o of this.orders.eachOpen()) if (o.shard === shard) fees += o.reservedFeeMicros;
    return fees;
  }

  /**
   * Takes `micros` out of a shard's free cash for a transfer about to be sent (transfers.ts): it
   * is spendable nowhere until the answer credits it (`transferIn`) or gives it back. False when
   * the shard does not have it.
   */
  transferOut(fromShard: number, micros: number): boolean {
    if (!Number.isSafeInteger(micros) || micros <= 0 || this.cash.freeOn(fromShard) < micros) return false;
    this.cash.addFree(fromShard, -micros);
    return true;
  }

  /** Credits a shard with transferred funds (or gives a refused transfer back to its source). */
  transferIn(toShard: number, micros: number): void {
    this.cash.addFree(toShard, micros);
  }
}

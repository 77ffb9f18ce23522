/**
 * The order manager: the brain of the orders thread (ARCHITECTURE.md "orders"). It alone owns
 * cash, positions, open orders and fills; it turns decisions into Kalshi V2 writes and publishes
 * the portfolio. Its loop, top to bottom, for one decision:
 *
 *   ready? → fresh (≤ budget from frame receive, rule 23) → not HOLD → breakers armed → market not
 *   busy → throttle → book top (not stale) → limit price (rule 16) → size (sells ≤ held, rule 9)
 *   → plan vs working orders (rule 14; wait on unknown outcomes, rule 15) → per write: risk
 *   (rule 18) → ledger reservation (rule 8) → journal fsync (rule 15) → REST → outcome.
 *
 * Fills (from the fill channel or REST reconciliation) go through `onFill`, applied once by id
 * (rule 13). A write whose outcome is unknown is resolved by asking the exchange about its
 * client_order_id (create) or order_id (amend/cancel) — never by resending (rule 15).
 * Nothing here sleeps (rule 24); time is injected.
 */
import { randomUUID } from "node:crypto";
import type { KalshiRestClient, WriteResult } from "../kalshi/rest-client.js";
import type { OrderAck, RestOrder } from "../kalshi/rest-types.js";
import { formatHundredths, formatTicks } from "../kalshi/units.js";
import type { CircuitBreakers } from "./breakers.js";
import type { IntentRecord, OrderJournal, OutcomeRecord } from "./journal.js";
import { bookSideOf, type EngineAction, type Ledger, type LedgerFill, yesLegTicks } from "./ledger.js";
import {
  type BookTop,
  limitPriceTicks,
  type PriceLevelStructure,
  type PriceStrategy,
} from "./limit-price.js";
import { type CreateOrderOptions, decideSize, toV2CreateBody } from "./order-mapping.js";
import { PortfolioPublisher, type PortfolioWriter } from "./portfolio-publisher.js";
import type { FreshnessGate, MarketThrottle, RiskGate } from "./risk.js";
import { type OrderOp, planOrderOps, type WorkingOrder, WorkingOrders } from "./working-orders.js";

/** The REST calls the order manager needs (KalshiRestClient has them all). */
export type OrdersRestApi = Pick<
  KalshiRestClient,
  | "createOrder"
  | "cancelOrder"
  | "amendOrder"
  | "getOrder"
  | "findOrderByClientId"
  | "getOrders"
  | "getFills"
  | "getPositions"
  | "getBalance"
  | "collectAll"
>;

/** Ticker ↔ dense market index (the io thread's MarketDirectory numbering) + tick grid. */
export interface MarketCatalog {
  tickerOf(market: number): string;
  indexOf(ticker: string): number;
  structureOf(market: number): PriceLevelStructure;
}

/** Top of book for a market; false when the book is stale or has no snapshot (rule 2). */
export interface BookTopSource {
  readTop(market: number, out: BookTop): boolean;
}

export interface OrderDecision {
  market: number;
  action: EngineAction | "HOLD";
  sizeHundredths: number;
  /** receive time of the frame that triggered the decision (the loop budget starts there) */
  frameRecvMs: number;
}

export type OrderEvent =
  | { kind: "order_refused"; market: number; reason: string }
  | { kind: "order_sent"; market: number; op: OrderOp["op"]; clientOrderId: string }
  | { kind: "order_outcome"; market: number; clientOrderId: string; result: string; code?: string }
  | { kind: "outcome_resolved"; market: number; clientOrderId: string; status: string }
  | { kind: "fill_applied"; market: number; fillId: string; sizeHundredths: number; yesPriceTicks: number }
  | { kind: "kill_switch"; engaged: boolean; cancels: number }
  | { kind: "reconcile"; detail: string; market?: number };

export interface OrderManagerDeps {
  rest: OrdersRestApi;
  journal: OrderJournal;
  ledger: Ledger;
  catalog: MarketCatalog;
  book: BookTopSource;
  risk: RiskGate;
  throttle: MarketThrottle;
  freshness: FreshnessGate;
  breakers: CircuitBreakers;
  portfolio?: PortfolioWriter;
  onEvent?: (e: OrderEvent) => void;
  now?: () => number;
  newClientOrderId?: () => string;
}

export interface OrderManagerConfig {
  strategy: PriceStrategy;
  order: CreateOrderOptions;
}

export const DEFAULT_ORDER_MANAGER_CONFIG: Readonly<OrderManagerConfig> = Object.freeze({
  strategy: "aggressive" as const,
  order: { timeInForce: "good_till_canceled" as const, selfTradePrevention: "taker_at_cross" as const },
});

export class OrderManager {
  readonly working = new WorkingOrders();
  readonly stats = {
    decisions: 0,
    notReady: 0,
    stale: 0,
    hold: 0,
    breakerBlocked: 0,
    busy: 0,
    throttled: 0,
    bookStale: 0,
    noPrice: 0,
    sizeRefused: 0,
    waits: 0,
    riskRefused: 0,
    ledgerRefused: 0,
    sent: 0,
    rejected: 0,
    unknown: 0,
    resolved: 0,
    fillsApplied: 0,
    fillsDuplicate: 0,
  };
  private ready = false;
  private readonly busy = new Set<number>();
  private readonly top: BookTop = { bestYesBidTicks: 0, bestNoBidTicks: 0 };
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly emit: (e: OrderEvent) => void;
  readonly publisher: PortfolioPublisher;

  constructor(
    readonly deps: OrderManagerDeps,
    private readonly config: Readonly<OrderManagerConfig> = DEFAULT_ORDER_MANAGER_CONFIG,
  ) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newClientOrderId ?? randomUUID;
    this.emit = deps.onEvent ?? (() => {});
    this.publisher = new PortfolioPublisher(deps.ledger, this.working, deps.portfolio);
  }

  /** Trading starts only after the startup reconciliation (reconciler.ts) calls this. */
  markReady(): void {
    this.ready = true;
    this.publisher.publishAll();
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** One decision from the DecisionRing. Resolves when its writes (if any) have answers. */
  async onDecision(d: OrderDecision): Promise<void> {
    this.stats.decisions++;
    const now = this.now();
    if (!this.ready) return void this.stats.notReady++;
    if (!this.deps.freshness.accept(d.frameRecvMs, now)) return void this.stats.stale++;
    if (d.action === "HOLD" || d.sizeHundredths <= 0) return void this.stats.hold++;
    if (!this.deps.breakers.canTrade(now) || this.deps.risk.killSwitchEngaged) {
      return void this.stats.breakerBlocked++;
    }
    const m = d.market;
    if (this.busy.has(m)) return void this.stats.busy++;
    if (!this.deps.throttle.allow(m, now)) return void this.stats.throttled++;
    if (!this.deps.book.readTop(m, this.top)) return void this.stats.bookStale++;
    const ownLimit = limitPriceTicks(
      this.config.strategy,
      d.action,
      this.top,
      this.deps.catalog.structureOf(m),
    );
    if (ownLimit === 0) return void this.stats.noPrice++;
    const size = decideSize(this.deps.ledger, m, d.action, d.sizeHundredths);
    if (!size.ok) return void this.stats.sizeRefused++;
    const ops = planOrderOps(this.working.get(m, "bid"), this.working.get(m, "ask"), {
      side: bookSideOf(d.action),
      action: d.action,
      yesPriceTicks: yesLegTicks(d.action, ownLimit),
      restingHundredths: size.countHundredths,
    });
    if (ops.length === 0) return;
    if (ops[0]!.op === "wait") return void this.stats.waits++;
    this.busy.add(m);
    try {
      for (const op of ops) if (!(await this.execute(m, op))) break;
    } finally {
      this.busy.delete(m);
      this.publisher.publishMarket(m);
    }
  }

  private execute(m: number, op: OrderOp): Promise<boolean> {
    switch (op.op) {
      case "create":
        return this.create(m, op.action, op.yesPriceTicks, op.countHundredths);
      case "amend": {
        const w = this.working.find(op.clientOrderId)?.order;
        return w ? this.amend(m, w, op.yesPriceTicks, op.totalCountHundredths) : Promise.resolve(false);
      }
      case "cancel": {
        const w = this.working.find(op.clientOrderId)?.order;
        return w ? this.cancel(m, w) : Promise.resolve(false);
      }
      default:
        return Promise.resolve(false);
    }
  }

  private refuse(m: number, reason: string): false {
    this.emit({ kind: "order_refused", market: m, reason });
    return false;
  }

  private async create(
    m: number,
    action: EngineAction,
    yesPriceTicks: number,
    count: number,
  ): Promise<boolean> {
    const { ledger, risk } = this.deps;
    const now = this.now();
    const cid = this.newId();
    const ownLimit = yesLegTicks(action, yesPriceTicks); // the mapping is its own inverse
    const req = { clientOrderId: cid, market: m, action, ownLimitTicks: ownLimit, countHundredths: count };
    const refusal = risk.check({ ...req, reservationMicros: ledger.reservationMicros(req) }, ledger, now);
    if (refusal !== null) {
      this.stats.riskRefused++;
      return this.refuse(m, refusal);
    }
    const placed = ledger.place(req);
    if (!placed.ok) {
      this.stats.ledgerRefused++;
      return this.refuse(m, placed.reason);
    }
    const side = bookSideOf(action);
    const w: WorkingOrder = {
      clientOrderId: cid,
      exchangeOrderId: "",
      side,
      action,
      yesPriceTicks,
      countHundredths: count,
      filledHundredths: 0,
      placedMs: now,
      state: "pending",
    };
    this.working.set(m, w);
    const ticker = this.deps.catalog.tickerOf(m);
    const intent: IntentRecord = {
      t: "intent",
      op: "create",
      cid,
      tsMs: now,
      ticker,
      action,
      side,
      yesPriceTicks,
      countHundredths: count,
    };
    if (!(await this.journalIntent(m, intent))) {
      ledger.reject(cid);
      this.working.remove(cid);
      return false;
    }
    this.sent(m, "create", cid, now);
    const r = await this.deps.rest.createOrder(
      toV2CreateBody(ticker, cid, action, ownLimit, count, this.config.order),
    );
    if (r.kind === "ok") {
      this.onAck(m, w, r.value);
      this.outcome(m, cid, "accepted", undefined, r.value.orderId);
      this.deps.breakers.recordAccepted();
      return true;
    }
    if (r.kind === "rejected" || r.kind === "rate_limited") {
      ledger.reject(cid);
      this.working.remove(cid);
      this.failed(m, cid, r);
      return false;
    }
    // unknown or 409 (the id exists): ask the exchange about this very id (rule 15)
    this.markUnknown(m, w, r.kind === "unknown" ? r.reason : "conflict");
    await this.resolveCreate(m, w);
    return false;
  }

  private async amend(m: number, w: WorkingOrder, yesPriceTicks: number, total: number): Promise<boolean> {
    const { ledger, risk } = this.deps;
    const now = this.now();
    const lo = ledger.order(w.clientOrderId);
    if (lo === undefined || w.exchangeOrderId === "") return false;
    const prevLimit = lo.ownLimitTicks;
    const prevCount = lo.countHundredths;
    const ownLimit = yesLegTicks(w.action, yesPriceTicks);
    const extra = Math.max(0, total - prevCount);
    const refusal = risk.check(
      { market: m, action: w.action, ownLimitTicks: ownLimit, countHundredths: extra, reservationMicros: 0 },
      ledger,
      now,
    );
    if (refusal !== null) {
      this.stats.riskRefused++;
      return this.refuse(m, refusal);
    }
    if (!ledger.amend(w.clientOrderId, ownLimit, total)) {
      this.stats.ledgerRefused++;
      return this.refuse(m, "insufficient_cash");
    }
    const cid = w.clientOrderId;
    const newCid = this.newId();
    const ticker = this.deps.catalog.tickerOf(m);
    const intent: IntentRecord = {
      t: "intent",
      op: "amend",
      cid,
      newCid,
      tsMs: now,
      ticker,
      side: w.side,
      yesPriceTicks,
      countHundredths: total,
      orderId: w.exchangeOrderId,
    };
    w.state = "changing";
    if (!(await this.journalIntent(m, intent))) {
      ledger.amend(cid, prevLimit, prevCount);
      w.state = "resting";
      return false;
    }
    this.sent(m, "amend", cid, now);
    const r = await this.deps.rest.amendOrder(w.exchangeOrderId, {
      ticker,
      side: w.side,
      price: formatTicks(yesPriceTicks),
      count: formatHundredths(total),
      client_order_id: cid,
      updated_client_order_id: newCid,
    });
    if (r.kind === "ok") {
      ledger.alias(newCid, cid);
      this.working.rename(cid, newCid);
      w.yesPriceTicks = yesPriceTicks;
      w.countHundredths = total;
      w.placedMs = now; // a price change or increase goes to the back of the queue (§3.3)
      this.onAck(m, w, r.value);
      this.outcome(m, cid, "accepted", undefined, r.value.orderId);
      this.deps.breakers.recordAccepted();
      return true;
    }
    if (r.kind === "rejected" || r.kind === "rate_limited") {
      ledger.amend(cid, prevLimit, prevCount);
      w.state = "resting";
      this.failed(m, cid, r);
      return false;
    }
    this.markUnknown(m, w, r.kind === "unknown" ? r.reason : "conflict");
    await this.resolveByOrderId(m, w);
    return false;
  }

  private async cancel(m: number, w: WorkingOrder): Promise<boolean> {
    const now = this.now();
    if (w.exchangeOrderId === "") return false;
    const cid = w.clientOrderId;
    w.state = "changing";
    const ticker = this.deps.catalog.tickerOf(m);
    const intent: IntentRecord = {
      t: "intent",
      op: "cancel",
      cid,
      tsMs: now,
      ticker,
      orderId: w.exchangeOrderId,
    };
    if (!(await this.journalIntent(m, intent))) {
      w.state = "resting";
      return false;
    }
    this.sent(m, "cancel", cid, now);
    const r = await this.deps.rest.cancelOrder(w.exchangeOrderId);
    if (r.kind === "ok") {
      const lo = this.deps.ledger.order(cid);
      if (lo !== undefined) {
        // what stays is what filled (fills may still be on their way)
        this.deps.ledger.amend(
          cid,
          lo.ownLimitTicks,
          Math.max(lo.filledHundredths, lo.countHundredths - r.value.reducedByHundredths),
        );
      }
      this.working.remove(cid);
      this.outcome(m, cid, "accepted");
      this.deps.breakers.recordAccepted();
      return true;
    }
    if (r.kind === "rate_limited") {
      w.state = "resting";
      this.failed(m, cid, r);
      return false;
    }
    // 404 (already gone), other refusals and unknowns: the exchange's view of the order decides
    if (r.kind === "rejected") this.failed(m, cid, r);
    this.markUnknown(m, w, r.kind === "unknown" ? r.reason : `cancel ${r.kind}`);
    await this.resolveByOrderId(m, w);
    return r.kind === "rejected";
  }

  /** Applies one fill exactly once (rule 13) and keeps the working order in step. */
  onFill(fill: LedgerFill): boolean {
    const { ledger } = this.deps;
    if (!ledger.applyFill(fill)) {
      this.stats.fillsDuplicate++;
      return false;
    }
    this.stats.fillsApplied++;
    const cid =
      (fill.clientOrderId !== undefined && ledger.order(fill.clientOrderId) !== undefined
        ? fill.clientOrderId
        : undefined) ?? (fill.exchangeOrderId ? ledger.clientOrderIdOf(fill.exchangeOrderId) : undefined);
    const lo = cid === undefined ? undefined : ledger.order(cid);
    if (lo !== undefined) {
      const found = this.working.find(cid!) ?? this.working.find(lo.clientOrderId);
      if (found !== undefined) {
        found.order.filledHundredths = Math.max(found.order.filledHundredths, lo.filledHundredths);
        if (!lo.open && found.order.state === "resting") this.working.remove(found.order.clientOrderId);
      }
    }
    this.emit({
      kind: "fill_applied",
      market: fill.market,
      fillId: fill.fillId,
      sizeHundredths: fill.sizeHundredths,
      yesPriceTicks: fill.yesPriceTicks,
    });
    this.publisher.publishMarket(fill.market);
    return true;
  }

  /** Updates a market's mark (rule 12) without publishing; call publish on your own cadence. */
  onBookTop(market: number, bestYesBidTicks: number, bestNoBidTicks: number): void {
    this.deps.ledger.mark(market, bestYesBidTicks, bestNoBidTicks);
  }

  /** Kill switch (rule 18): blocks new orders and cancels every working order. */
  async engageKillSwitch(): Promise<number> {
    this.deps.risk.engageKillSwitch();
    const targets = [...this.working.all()].filter((x) => x.order.state === "resting");
    let cancels = 0;
    await Promise.all(
      targets.map(async ({ market, order }) => {
        if (await this.cancel(market, order)) cancels++;
        this.publisher.publishMarket(market);
      }),
    );
    this.emit({ kind: "kill_switch", engaged: true, cancels });
    return cancels;
  }

  releaseKillSwitch(): void {
    this.deps.risk.releaseKillSwitch();
    this.emit({ kind: "kill_switch", engaged: false, cancels: 0 });
  }

  // ---- outcomes and resolution ------------------------------------------------------------------

  private onAck(m: number, w: WorkingOrder, ack: OrderAck): void {
    const { ledger } = this.deps;
    if (ack.orderId !== "") {
      w.exchangeOrderId = ack.orderId;
      ledger.setExchangeOrderId(w.clientOrderId, ack.orderId);
    }
    w.filledHundredths = Math.max(w.filledHundredths, ack.fillCountHundredths);
    if (!(ack.remainingCountHundredths > 0)) {
      // nothing rests (filled, or an IOC remainder canceled): keep reserving only what filled
      const lo = ledger.order(w.clientOrderId);
      if (lo?.open)
        ledger.amend(
          w.clientOrderId,
          lo.ownLimitTicks,
          Math.max(lo.filledHundredths, ack.fillCountHundredths),
        );
      this.working.remove(w.clientOrderId);
    } else {
      w.state = "resting";
    }
    this.publisher.publishMarket(m);
  }

  /** Adopts the exchange's view of one of our orders (after an unknown outcome). */
  adoptExchangeOrder(m: number, w: WorkingOrder, o: RestOrder): void {
    const { ledger } = this.deps;
    if (
      o.clientOrderId !== "" &&
      o.clientOrderId !== w.clientOrderId &&
      ledger.order(o.clientOrderId) === undefined
    ) {
      ledger.alias(o.clientOrderId, w.clientOrderId);
      this.working.rename(w.clientOrderId, o.clientOrderId);
    }
    w.exchangeOrderId = o.orderId;
    ledger.setExchangeOrderId(w.clientOrderId, o.orderId);
    const total = o.fillCountHundredths + (o.status === "resting" ? o.remainingCountHundredths : 0);
    const lo = ledger.order(w.clientOrderId);
    if (lo?.open)
      ledger.amend(
        w.clientOrderId,
        yesLegTicks(w.action, o.yesPriceTicks),
        Math.max(lo.filledHundredths, total),
      );
    w.filledHundredths = Math.max(w.filledHundredths, o.fillCountHundredths);
    if (o.status === "resting" && o.remainingCountHundredths > 0) {
      w.state = "resting";
      w.yesPriceTicks = o.yesPriceTicks;
      w.countHundredths = total;
    } else {
      this.working.remove(w.clientOrderId);
    }
    this.stats.resolved++;
    this.emit({ kind: "outcome_resolved", market: m, clientOrderId: w.clientOrderId, status: o.status });
    this.outcome(m, w.clientOrderId, "resolved", o.status, o.orderId);
    this.publisher.publishMarket(m);
  }

  /** Resolves a create of unknown outcome by its client_order_id; stays unknown on read errors. */
  async resolveCreate(m: number, w: WorkingOrder): Promise<void> {
    let o: RestOrder | null;
    try {
      o = await this.deps.rest.findOrderByClientId(this.deps.catalog.tickerOf(m), w.clientOrderId);
    } catch {
      return; // still unknown; the periodic reconciliation retries
    }
    if (o !== null) return this.adoptExchangeOrder(m, w, o);
    // the exchange never took it: release everything
    this.deps.ledger.reject(w.clientOrderId);
    this.working.remove(w.clientOrderId);
    this.stats.resolved++;
    this.emit({ kind: "outcome_resolved", market: m, clientOrderId: w.clientOrderId, status: "not_found" });
    this.outcome(m, w.clientOrderId, "resolved", "not_found");
    this.publisher.publishMarket(m);
  }

  /** Resolves an amend / cancel of unknown outcome by the order id. */
  async resolveByOrderId(m: number, w: WorkingOrder): Promise<void> {
    let o: RestOrder | null;
    try {
      o = await this.deps.rest.getOrder(w.exchangeOrderId);
    } catch {
      return;
    }
    if (o !== null) return this.adoptExchangeOrder(m, w, o);
    // unknown to the exchange now: nothing rests; fills still on their way pay from free cash
    this.deps.ledger.cancelRemainder(w.clientOrderId);
    this.working.remove(w.clientOrderId);
    this.stats.resolved++;
    this.outcome(m, w.clientOrderId, "resolved", "not_found");
    this.publisher.publishMarket(m);
  }

  /** Every working order whose outcome is still unknown (reconciler retries them). */
  unknownOrders(): Array<{ market: number; order: WorkingOrder }> {
    return [...this.working.all()].filter((x) => x.order.state === "unknown");
  }

  private markUnknown(m: number, w: WorkingOrder, reason: string): void {
    w.state = "unknown";
    this.stats.unknown++;
    this.deps.breakers.recordError(this.now());
    this.outcome(m, w.clientOrderId, "unknown", reason);
  }

  private failed(
    m: number,
    cid: string,
    r: Exclude<WriteResult<unknown>, { kind: "ok" } | { kind: "unknown" }>,
  ): void {
    this.stats.rejected++;
    if (r.kind === "rate_limited") this.deps.breakers.recordRateLimited(this.now());
    else this.deps.breakers.recordRejected(this.now());
    this.outcome(m, cid, "rejected", r.error.code || String(r.error.status));
  }

  private sent(m: number, op: OrderOp["op"], cid: string, now: number): void {
    this.stats.sent++;
    this.deps.throttle.record(m, now);
    this.deps.risk.recordSent(now);
    this.emit({ kind: "order_sent", market: m, op, clientOrderId: cid });
  }

  private async journalIntent(m: number, intent: IntentRecord): Promise<boolean> {
    try {
      await this.deps.journal.append(intent);
      return true;
    } catch {
      // not durable → not sent (rule 15)
      this.refuse(m, "journal_error");
      return false;
    }
  }

  private outcome(
    m: number,
    cid: string,
    result: OutcomeRecord["result"],
    code?: string,
    orderId?: string,
  ): void {
    const rec: OutcomeRecord = { t: "outcome", cid, tsMs: this.now(), result };
    if (code !== undefined) rec.code = code;
    if (orderId !== undefined) rec.orderId = orderId;
    this.deps.journal.append(rec).catch(() => this.refuse(m, "journal_error"));
    this.emit({ kind: "order_outcome", market: m, clientOrderId: cid, result, ...(code ? { code } : {}) });
  }
}

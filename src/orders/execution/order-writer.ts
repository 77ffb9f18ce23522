/**
 * The write half of the order manager (orders thread): create, amend and cancel as journaled V2
 * requests, their outcomes, and the resolution of outcomes that are unknown.
 *
 * Every write: risk (correctness-rules.md rule 18) → ledger reservation (rule 8) → intent appended and
 * fsync'd (rule 15) → REST → outcome appended. A timeout, reset, 5xx or 409 leaves the order
 * "unknown": it is resolved by asking the exchange about that very client_order_id (create) or
 * order_id (amend / cancel), never by resending under a new id; until then the market waits.
 */
import { categoryRefusalText, isCategoryRefusal } from "../../kalshi/adapter/refusals.js";
import type { WriteResult } from "../../kalshi/rest-client.js";
import type { OrderAck, RestOrder } from "../../kalshi/rest-types.js";
import { formatHundredths, formatTicks } from "../../kalshi/units.js";
import { bookSideOf, type EngineAction, yesLegTicks } from "../accounts/ledger.js";
import type { PortfolioPublisher } from "../accounts/portfolio-publisher.js";
import type { IntentRecord, OutcomeRecord } from "./journal.js";
import { isOrderGroupLimitCode } from "./order-group.js";
import { type CreateOrderOptions, toV2CreateBody } from "./order-mapping.js";
import type { OrderEvent, OrderManagerConfig, OrderManagerDeps, OrderStats } from "./order-types.js";
import type { OrderOp, WorkingOrder, WorkingOrders } from "./working-orders.js";

export class OrderWriter {
  private readonly orderOptions: CreateOrderOptions;
  /** the create options of each shard's markets (its order group joined), built once per shard */
  private readonly shardOptions = new Map<number, CreateOrderOptions>();
  /** markets the exchange refused this key for (category / location attestation), with why */
  readonly refusedMarkets = new Map<number, string>();

  constructor(
    readonly deps: OrderManagerDeps,
    config: Readonly<OrderManagerConfig>,
    private readonly working: WorkingOrders,
    private readonly publisher: PortfolioPublisher,
    private readonly stats: OrderStats,
    private readonly emit: (e: OrderEvent) => void,
    private readonly now: () => number,
    private readonly newId: () => string,
  ) {
    this.orderOptions = config.order;
  }

  /** Create options for market m: its shard's order group, when groups are used. */
  private optionsFor(m: number): CreateOrderOptions {
    const shard = this.deps.catalog.shardOf(m);
    let options = this.shardOptions.get(shard);
    if (options === undefined) {
      const group = this.deps.orderGroups?.of(shard);
      options = group ? { ...this.orderOptions, orderGroupId: group.orderGroupId } : this.orderOptions;
      this.shardOptions.set(shard, options);
    }
    return options;
  }

  private refuse(m: number, reason: string, action?: EngineAction, ownLimitTicks = 0, count = 0): false {
    this.emit({ kind: "order_refused", market: m, reason, action, ownLimitTicks, countHundredths: count });
    return false;
  }

  async create(m: number, action: EngineAction, yesPriceTicks: number, count: number): Promise<boolean> {
    const { ledger, risk } = this.deps;
    const now = this.now();
    const cid = this.newId();
    const ownLimit = yesLegTicks(action, yesPriceTicks); // the mapping is its own inverse
    const req = { clientOrderId: cid, market: m, action, ownLimitTicks: ownLimit, countHundredths: count };
    const refusal = risk.check({ ...req, reservationMicros: ledger.reservationMicros(req) }, ledger, now);
    if (refusal !== null) {
      this.stats.riskRefused++;
      return this.refuse(m, refusal, action, ownLimit, count);
    }
    let placed = ledger.place(req);
    if (!placed.ok && placed.reason === "shard_cash_short") {
      // the market's shard cannot pay it, the shards together can: move funds first (transfers.ts)
      const shard = this.deps.catalog.shardOf(m);
      const funded = this.deps.transfers
        ? await this.deps.transfers.fund(shard, ledger.reservationMicros(req))
        : "shard_cash";
      if (funded === "funded") placed = ledger.place(req);
      if (!placed.ok && placed.reason === "shard_cash_short") {
        const reason = funded === "transfer_failed" ? funded : "shard_cash";
        this.stats[reason === "shard_cash" ? "shardCashRefused" : "transferFailed"]++;
        return this.refuse(m, reason, action, ownLimit, count);
      }
    }
    if (!placed.ok) {
      this.stats.ledgerRefused++;
      return this.refuse(m, placed.reason, action, ownLimit, count);
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
      toV2CreateBody(ticker, cid, action, ownLimit, count, this.optionsFor(m)),
    );
    if (r.kind === "ok") {
      this.onAck(m, w, r.value);
      this.outcome(m, cid, "accepted", undefined, r.value.orderId);
      this.deps.breakers.recordAccepted();
      return this.cancelIfKilled(m, w);
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

  async amend(m: number, w: WorkingOrder, yesPriceTicks: number, total: number): Promise<boolean> {
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
      return this.refuse(m, refusal, w.action, ownLimit, total);
    }
    if (!ledger.amend(w.clientOrderId, ownLimit, total)) {
      this.stats.ledgerRefused++;
      return this.refuse(m, "insufficient_cash", w.action, ownLimit, total);
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
      return this.cancelIfKilled(m, w);
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

  async cancel(m: number, w: WorkingOrder): Promise<boolean> {
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
    const r = await this.deps.rest.cancelOrder(w.exchangeOrderId, this.deps.catalog.routeOf(m));
    if (r.kind === "ok" && !Number.isFinite(r.value.reducedByHundredths)) {
      // an answer without `reduced_by` says nothing about what is left: ask the exchange
      this.markUnknown(m, w, "cancel answer without reduced_by");
      await this.resolveByOrderId(m, w);
      return true;
    }
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

  /**
   * An order whose create or amend answer arrives after the kill switch engaged is canceled at
   * once; false then, so the rest of its decision's plan is not carried out.
   */
  private async cancelIfKilled(m: number, w: WorkingOrder): Promise<boolean> {
    if (!this.deps.risk.killSwitchEngaged || w.state !== "resting") return true;
    await this.cancel(m, w);
    return false;
  }

  // ---- outcomes and resolution ------------------------------------------------------------------

  private onAck(m: number, w: WorkingOrder, ack: OrderAck): void {
    const { ledger } = this.deps;
    if (ack.orderId !== "") {
      w.exchangeOrderId = ack.orderId;
      ledger.setExchangeOrderId(w.clientOrderId, ack.orderId);
    }
    w.filledHundredths = Math.max(w.filledHundredths, ack.fillCountHundredths);
    if (Number.isNaN(ack.remainingCountHundredths)) {
      // no `remaining_count`: assume it rests; reconciliation corrects it if it does not
      w.state = "resting";
    } else if (!(ack.remainingCountHundredths > 0)) {
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
    if (r.kind === "rejected" && isOrderGroupLimitCode(r.error.code))
      this.deps.orderGroups?.of(this.deps.catalog.shardOf(m))?.noteTriggered(this.now());
    else if (r.kind === "rejected" && isCategoryRefusal(r.error) && !this.refusedMarkets.has(m)) {
      // refused for the key's category: every later order would be too — disable, say it once
      const reason = categoryRefusalText(this.deps.catalog.tickerOf(m), r.error);
      this.refusedMarkets.set(m, reason);
      this.emit({ kind: "market_disabled", market: m, reason });
    }
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

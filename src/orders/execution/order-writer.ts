/**
 * The write half of the order manager (orders thread): create, amend and cancel as journaled V2
 * requests, their outcomes, and the resolution of outcomes that are unknown.
 *
 * Every write: risk (correctness-rules.md rule 18) → ledger reservation (rule 8; a shard short of
 * it is funded first, transfers.ts) → intent appended and fsync'd (rule 15) → REST → outcome
 * appended. Each step moves the order through order-lifecycle.ts, which keeps its reservation,
 * working-set entry and journal records together. A timeout, reset, 5xx or 409 leaves the order
 * "unknown": it is resolved by asking the exchange about that very client_order_id (create) or
 * order_id (amend / cancel), never by resending under a new id; until then the market waits.
 */
import { categoryRefusalText, isCategoryRefusal } from "../../kalshi/adapter/refusals.js";
import type { WriteResult } from "../../kalshi/rest-client.js";
import type { OrderAck, RestOrder } from "../../kalshi/rest-types.js";
import { formatHundredths, formatTicks } from "../../kalshi/units.js";
import { bookSideOf, type EngineAction, yesLegTicks } from "../accounts/ledger.js";
import type { PortfolioPublisher } from "../accounts/portfolio-publisher.js";
import type { IntentRecord } from "./journal.js";
import { isOrderGroupLimitCode } from "./order-group.js";
import type { OrderLifecycle } from "./order-lifecycle.js";
import { type CreateOrderOptions, toV2CreateBody } from "./order-mapping.js";
import type { OrderEvent, OrderManagerConfig, OrderManagerDeps, OrderStats } from "./order-types.js";
import type { OrderOp, WorkingOrder } from "./working-orders.js";

export class OrderWriter {
  private readonly orderOptions: CreateOrderOptions;
  /** the create options of each shard's markets (its order group joined), built once per shard */
  private readonly shardOptions = new Map<number, CreateOrderOptions>();
  /** markets the exchange refused this key for (category / location attestation), with why */
  readonly refusedMarkets = new Map<number, string>();

  constructor(
    readonly deps: OrderManagerDeps,
    config: Readonly<OrderManagerConfig>,
    private readonly orders: OrderLifecycle,
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
    let placed = this.orders.open(m, w, req);
    if (!placed.ok && placed.reason === "shard_cash_short") {
      const funded = await this.fundShard(m, ledger.reservationMicros(req));
      if (funded !== "funded") return this.refuse(m, funded, action, ownLimit, count);
      placed = this.orders.open(m, w, req);
      if (!placed.ok && placed.reason === "shard_cash_short")
        return this.refuseShardCash(m, action, ownLimit, count);
    }
    if (!placed.ok) {
      this.stats.ledgerRefused++;
      return this.refuse(m, placed.reason, action, ownLimit, count);
    }
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
    if (!(await this.orders.journalIntent(m, w, intent))) return false;
    this.sent(m, "create", cid, now);
    const r = await this.deps.rest.createOrder(
      toV2CreateBody(ticker, cid, action, ownLimit, count, this.optionsFor(m)),
    );
    return this.answered(m, w, cid, r, () => this.resolveCreate(m, w));
  }

  /**
   * A create's or amend's answer: accepted (`accepted` first brings the order to its new terms),
   * refused, or of unknown outcome — a timeout, reset, 5xx, or 409 (the id exists) — resolved by
   * asking the exchange about this very order (rule 15). False unless accepted (and not canceled
   * at once because the kill switch engaged meanwhile).
   */
  private async answered(
    m: number,
    w: WorkingOrder,
    cid: string,
    r: WriteResult<OrderAck>,
    resolve: () => Promise<void>,
    accepted?: () => void,
  ): Promise<boolean> {
    if (r.kind === "ok") {
      accepted?.();
      this.onAck(m, w, r.value);
      this.orders.record(m, cid, "accepted", undefined, r.value.orderId);
      this.deps.breakers.recordAccepted();
      return this.cancelIfKilled(m, w);
    }
    if (r.kind === "rejected" || r.kind === "rate_limited") {
      this.orders.apply(w, { on: "refused" });
      this.failed(m, cid, r);
      return false;
    }
    this.markUnknown(m, w, r.kind === "unknown" ? r.reason : "conflict");
    await resolve();
    return false;
  }

  /**
   * The market's shard cannot pay `needMicros` while the shards together can: move funds there
   * first (transfers.ts). What stops it is counted and becomes the refusal's reason.
   */
  private async fundShard(
    m: number,
    needMicros: number,
  ): Promise<"funded" | "shard_cash" | "transfer_failed"> {
    const shard = this.deps.catalog.shardOf(m);
    const funded = this.deps.transfers ? await this.deps.transfers.fund(shard, needMicros) : "shard_cash";
    if (funded === "shard_cash") this.stats.shardCashRefused++;
    else if (funded === "transfer_failed") this.stats.transferFailed++;
    return funded;
  }

  private refuseShardCash(m: number, action: EngineAction, ownLimit: number, count: number): false {
    this.stats.shardCashRefused++;
    return this.refuse(m, "shard_cash", action, ownLimit, count);
  }

  async amend(m: number, w: WorkingOrder, yesPriceTicks: number, total: number): Promise<boolean> {
    const { ledger, risk } = this.deps;
    const now = this.now();
    const lo = ledger.orders.get(w.clientOrderId);
    if (lo === undefined || w.exchangeOrderId === "") return false;
    const ownLimit = yesLegTicks(w.action, yesPriceTicks);
    const extra = Math.max(0, total - lo.countHundredths);
    const refusal = risk.check(
      { market: m, action: w.action, ownLimitTicks: ownLimit, countHundredths: extra, reservationMicros: 0 },
      ledger,
      now,
    );
    if (refusal !== null) {
      this.stats.riskRefused++;
      return this.refuse(m, refusal, w.action, ownLimit, total);
    }
    const reservation = { ownLimitTicks: ownLimit, countHundredths: total };
    if (!this.orders.beginChange(w, reservation)) {
      // like a create: a shard short of what the amend adds is funded first, or refused
      const short = ledger.amendShortfall(w.clientOrderId, ownLimit, total);
      if (short.reason === "shard_cash_short") {
        const funded = await this.fundShard(m, short.needMicros);
        if (funded !== "funded") return this.refuse(m, funded, w.action, ownLimit, total);
        if (w.state !== "resting") return false; // the market moved on while the transfer ran
        if (!this.orders.beginChange(w, reservation))
          return this.refuseShardCash(m, w.action, ownLimit, total);
      } else {
        this.stats.ledgerRefused++;
        return this.refuse(m, "insufficient_cash", w.action, ownLimit, total);
      }
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
    if (!(await this.orders.journalIntent(m, w, intent))) return false;
    this.sent(m, "amend", cid, now);
    const r = await this.deps.rest.amendOrder(w.exchangeOrderId, {
      ticker,
      side: w.side,
      price: formatTicks(yesPriceTicks),
      count: formatHundredths(total),
      client_order_id: cid,
      updated_client_order_id: newCid,
    });
    return this.answered(
      m,
      w,
      cid,
      r,
      () => this.resolveByOrderId(m, w),
      () => {
        this.orders.rename(w, newCid);
        w.yesPriceTicks = yesPriceTicks;
        w.countHundredths = total;
        w.placedMs = now; // a price change or increase goes to the back of the queue
      },
    );
  }

  async cancel(m: number, w: WorkingOrder): Promise<boolean> {
    const now = this.now();
    if (w.exchangeOrderId === "") return false;
    const cid = w.clientOrderId;
    this.orders.beginChange(w);
    const ticker = this.deps.catalog.tickerOf(m);
    const intent: IntentRecord = {
      t: "intent",
      op: "cancel",
      cid,
      tsMs: now,
      ticker,
      orderId: w.exchangeOrderId,
    };
    if (!(await this.orders.journalIntent(m, w, intent))) return false;
    this.sent(m, "cancel", cid, now);
    const r = await this.deps.rest.cancelOrder(w.exchangeOrderId, this.deps.catalog.routeOf(m));
    if (r.kind === "ok" && !Number.isFinite(r.value.reducedByHundredths)) {
      // an answer without `reduced_by` says nothing about what is left: ask the exchange
      this.markUnknown(m, w, "cancel answer without reduced_by");
      await this.resolveByOrderId(m, w);
      return true;
    }
    if (r.kind === "ok") {
      // what stays is what filled (fills may still be on their way)
      const lo = this.deps.ledger.orders.get(cid);
      const keep = lo === undefined ? 0 : lo.countHundredths - r.value.reducedByHundredths;
      this.orders.apply(w, { on: "canceled", keepHundredths: keep });
      this.orders.record(m, cid, "accepted");
      this.deps.breakers.recordAccepted();
      return true;
    }
    if (r.kind === "rate_limited") {
      this.orders.apply(w, { on: "refused" });
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
    this.orders.link(w, ack.orderId);
    w.filledHundredths = Math.max(w.filledHundredths, ack.fillCountHundredths);
    // no `remaining_count`: assume it rests; reconciliation corrects it if it does not. Nothing
    // rests (filled, or an IOC remainder canceled): keep reserving only what filled.
    if (Number.isNaN(ack.remainingCountHundredths) || ack.remainingCountHundredths > 0)
      this.orders.apply(w, { on: "rests" });
    else this.orders.apply(w, { on: "done", keepHundredths: ack.fillCountHundredths });
    this.publisher.publishMarket(m);
  }

  /** Adopts the exchange's view of one of our orders (after an unknown outcome). */
  adoptExchangeOrder(m: number, w: WorkingOrder, o: RestOrder): void {
    this.orders.apply(w, { on: "found", order: o });
    this.stats.resolved++;
    this.emit({ kind: "outcome_resolved", market: m, clientOrderId: w.clientOrderId, status: o.status });
    this.orders.record(m, w.clientOrderId, "resolved", o.status, o.orderId);
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
    this.orders.apply(w, { on: "not_found" });
    this.stats.resolved++;
    this.emit({ kind: "outcome_resolved", market: m, clientOrderId: w.clientOrderId, status: "not_found" });
    this.orders.record(m, w.clientOrderId, "resolved", "not_found");
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
    this.orders.apply(w, { on: "not_found" });
    this.stats.resolved++;
    this.orders.record(m, w.clientOrderId, "resolved", "not_found");
    this.publisher.publishMarket(m);
  }

  private markUnknown(m: number, w: WorkingOrder, reason: string): void {
    this.orders.apply(w, { on: "lost" });
    this.stats.unknown++;
    this.deps.breakers.recordError(this.now());
    this.orders.record(m, w.clientOrderId, "unknown", reason);
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
    this.orders.record(m, cid, "rejected", r.error.code || String(r.error.status));
  }

  private sent(m: number, op: OrderOp["op"], cid: string, now: number): void {
    this.stats.sent++;
    this.deps.throttle.record(m, now);
    this.deps.risk.recordSent(now);
    this.emit({ kind: "order_sent", market: m, op, clientOrderId: cid });
  }
}

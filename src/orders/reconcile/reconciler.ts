/**
 * Reconciliation of the orders thread against the exchange (correctness-rules.md rules 13, 15; kalshi-api-notes.md
 * ). Differences become events and resolve toward the exchange.
 *
 * Startup (trading starts only after it): balance, resting orders (paginated, status filter),
 * positions and recent fills from REST rebuild the ledger; journal intents without a final
 * outcome are looked up by client_order_id and closed in the journal. Periodic: fills since the
 * last seen are applied (idempotent by id), unknown outcomes are retried, resting orders are
 * compared with the working set (orphans are canceled), and positions / cash that differ on two
 * consecutive passes — REST lags the fill channel by ~1 s (kalshi-api-notes.md item 15) — are
 * set to the exchange's numbers.
 *
 * Cash mapping (checked against the paper exchange): the exchange's `balance` already excludes
 * the cost of resting buys, while our ledger reserves that cost AND each order's worst-case fee
 * out of free cash; so free = balance − Σ reserved fees, i.e. balance = free + Σ reserved fees.
 * This holds per exchange shard: `balance_breakdown` gives each shard's balance, compared with
 * that shard's free cash + its orders' reserved fees and corrected shard by shard (an answer
 * without a breakdown is all shard 0's). A transfer whose outcome was lost settles here too: its
 * source shard was debited when it was sent, and the breakdown says where the money is now.
 */
import {
  fillReportOfRest,
  ledgerFillOf,
  restFillKey,
  settlementReportOfRest,
} from "../../kalshi/adapter/reports.js";
import type { RestBalance, RestFill, RestOrder, RestSettlement } from "../../kalshi/rest-types.js";
import type { EngineAction, LedgerOrder } from "../accounts/ledger.js";
import { yesLegTicks } from "../accounts/ledger-types.js";
import type { JournalReplay } from "../execution/journal.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { WorkingOrder } from "../execution/working-orders.js";

export interface ReconcileOptions {
  /** how far back startup reads fills to mark them as already reflected (s) */
  startupFillLookbackSec?: number;
  maxPages?: number;
}

export interface ReconcileReport {
  fillsApplied: number;
  /** settlements of our markets applied from `GET /portfolio/settlements` (the WS lifecycle missed) */
  settlementsApplied: number;
  unknownResolved: number;
  /**
   * orphan exchange orders canceled + stale ledger orders released (the exchange no longer rests
   * them) + our resting orders canceled because the kill switch is engaged
   */
  orphansCanceled: number;
  positionCorrections: number;
  /** Σ of the signed corrections applied to shards' free cash */
  cashCorrectionMicros: number;
  /** shards whose free cash was corrected (corrections of opposite sign may sum to 0) */
  cashCorrections: number;
  /**
   * What this pass could not settle yet: writes in flight or of unknown outcome, open ledger
   * orders no resting working order stands for (their fills or cancel still to come), orphans
   * whose cancel failed, resting orders while the kill switch is engaged, and differences seen
   * once (corrected only when a second pass sees them too). Zero, with nothing corrected, means
   * the ledger is the exchange's state.
   */
  unsettled: number;
}

/** A pass that changed nothing and left nothing unsettled: the ledger is the exchange's state. */
export function isSettledPass(r: ReconcileReport): boolean {
  return (
    r.unsettled === 0 &&
    r.fillsApplied === 0 &&
    r.settlementsApplied === 0 &&
    r.unknownResolved === 0 &&
    r.orphansCanceled === 0 &&
    r.positionCorrections === 0 &&
    r.cashCorrectionMicros === 0 &&
    r.cashCorrections === 0
  );
}

/** The engine action a resting exchange order stands for, given the position (rule 9). */
export function actionOfRestingOrder(side: "bid" | "ask", positionHundredths: number): EngineAction {
  if (side === "bid") return positionHundredths < 0 ? "SELL_NO" : "BUY_YES";
  return positionHundredths > 0 ? "SELL_YES" : "BUY_NO";
}

export class Reconciler {
  private lastFillTsMs = 0;
  private lastSettlementTsMs = 0;
  private readonly suspectPositions = new Map<number, number>();
  /** per shard: the exchange's balance a pass saw differ from ours (corrected if a second pass agrees) */
  private readonly suspectCash = new Map<number, number>();
  /** orphan resting orders whose cancel failed in this pass */
  private orphansLeft = 0;
  private readonly maxPages: number;

  constructor(
    private readonly om: OrderManager,
    private readonly options: ReconcileOptions = {},
  ) {
    this.maxPages = options.maxPages ?? 50;
  }

  private get deps() {
    return this.om.deps;
  }

  private event(detail: string, market?: number): void {
    this.deps.onEvent?.({ kind: "reconcile", detail, ...(market === undefined ? {} : { market }) });
  }

  /** Rebuilds state from the exchange and the journal, then lets the order manager trade. */
  async startup(replay: JournalReplay): Promise<void> {
    const { rest, ledger, catalog, journal } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const balance = await rest.getBalance();
    const positions = await rest.collectAll(
      (cursor) => rest.getPositions({ cursor, limit: 200 }),
      this.maxPages,
    );
    const resting = await rest.collectAll(
      (cursor) => rest.getOrders({ status: "resting", cursor, limit: 200 }),
      this.maxPages,
    );
    const lookback = this.options.startupFillLookbackSec ?? 86_400;
    const fills = await rest.collectAll(
      (cursor) => rest.getFills({ minTs: Math.floor(now / 1000) - lookback, cursor, limit: 200 }),
      this.maxPages,
    );
    for (const f of fills) {
      ledger.markFillSeen(restFillKey(f));
      if (f.tsMs > this.lastFillTsMs) this.lastFillTsMs = f.tsMs;
    }
    // markets already settled: the balance read above has their payout, and they trade no more
    for (const st of await this.settlementsSince(Math.floor(now / 1000) - lookback)) {
      const m = catalog.indexOf(st.ticker);
      if (m >= 0) ledger.markSettled(m);
    }
    for (const p of positions) {
      const m = catalog.indexOf(p.ticker);
      if (m < 0) {
        this.event(`position in unknown market ${p.ticker}`);
        continue;
      }
      // REST has no entry cost; market exposure is the closest number it gives (§3.5)
      ledger.setPositionFromExchange(m, p.positionHundredths, p.marketExposureMicros);
    }
    // place resting orders into the ledger with ample cash, then set each shard's free cash from
    // its balance (an unresolved transfer of a previous run is in these numbers already)
    const shardBalances = shardBalancesOf(balance);
    let shards = Math.max(shardBalances.length, ledger.shardCount);
    for (let m = 0; m < (catalog.size ?? 0); m++) shards = Math.max(shards, catalog.shardOf(m) + 1);
    for (let k = 0; k < shards; k++) ledger.correctFreeCash(2 ** 50, k);
    for (const o of resting) this.adoptResting(o);
    for (let k = 0; k < shards; k++)
      ledger.correctFreeCash((shardBalances[k] ?? 0) - ledger.reservedFeesOn(k), k);
    for (const [cid, intent] of replay.unresolved) {
      if (intent.op === "transfer") {
        // never sent again: the balances read above already show whether it moved the money
        await journal.append({ t: "outcome", cid, tsMs: now, result: "resolved", code: "balance_breakdown" });
        this.event(`transfer ${cid} of unknown outcome settled from balance_breakdown`);
        continue;
      }
      if (intent.op !== "create" || ledger.order(cid) !== undefined) continue;
      let o: RestOrder | null = null;
      try {
        o = await rest.findOrderByClientId(intent.ticker, cid);
      } catch {
        this.event(`journal intent ${cid} could not be looked up`);
        continue;
      }
      await journal.append({
        t: "outcome",
        cid,
        tsMs: now,
        result: "resolved",
        code: o?.status ?? "not_found",
        ...(o ? { orderId: o.orderId } : {}),
      });
      this.event(`journal intent ${cid} resolved: ${o?.status ?? "not_found"}`);
    }
    this.om.markReady();
  }

  private adoptResting(o: RestOrder): void {
    const { ledger, catalog } = this.deps;
    const m = catalog.indexOf(o.ticker);
    if (m < 0) {
      this.event(`resting order in unknown market ${o.ticker}`);
      return;
    }
    const cid = o.clientOrderId || o.orderId;
    // one working order per market and side: a second one is reserved for, and canceled as orphan
    const second = this.om.working.get(m, o.side) !== undefined;
    const found = (action: EngineAction): WorkingOrder => ({
      clientOrderId: cid,
      exchangeOrderId: o.orderId,
      side: o.side,
      action,
      yesPriceTicks: o.yesPriceTicks,
      countHundredths: o.remainingCountHundredths,
      filledHundredths: 0,
      placedMs: Date.parse(o.createdTime) || 0,
      state: "resting",
    });
    const open = (action: EngineAction) => {
      const w = found(action);
      const placed = this.om.orders.open(m, second ? null : w, {
        clientOrderId: cid,
        market: m,
        action,
        ownLimitTicks: yesLegTicks(action, o.yesPriceTicks),
        countHundredths: o.remainingCountHundredths,
      });
      if (placed.ok) this.om.orders.link(w, o.orderId);
      return placed;
    };
    let placed = open(actionOfRestingOrder(o.side, ledger.position(m).contractsHundredths));
    // a resting ask/bid larger than the holding opens the other side: reserve it as a buy
    if (!placed.ok && placed.reason === "nothing_to_sell")
      placed = open(o.side === "bid" ? "BUY_YES" : "BUY_NO");
    if (!placed.ok) this.event(`resting order ${cid} not adoptable: ${placed.reason}`, m);
    else if (second)
      this.event(`second resting ${o.side} in market ${o.ticker}: ${cid} (will be canceled as orphan)`, m);
  }

  /** One periodic pass. Safe to run while decisions flow (all state changes are idempotent). */
  async periodic(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      fillsApplied: 0,
      settlementsApplied: 0,
      unknownResolved: 0,
      orphansCanceled: 0,
      positionCorrections: 0,
      cashCorrectionMicros: 0,
      cashCorrections: 0,
      unsettled: 0,
    };
    report.fillsApplied = await this.catchUpFills();
    for (const { market, order } of this.om.unknownOrders()) {
      if (order.exchangeOrderId === "") await this.om.resolveCreate(market, order);
      else await this.om.resolveByOrderId(market, order);
      if (order.state !== "unknown") report.unknownResolved++;
    }
    // an order that came to rest after the kill switch (its answer or resolution arrived later)
    if (this.deps.risk.killSwitchEngaged) report.orphansCanceled += await this.om.cancelResting();
    report.orphansCanceled += await this.compareResting();
    // a settlement the lifecycle channel did not bring is applied as one, never as a correction
    report.settlementsApplied = await this.catchUpSettlements();
    report.positionCorrections = await this.comparePositions();
    await this.compareCash(report);
    report.unsettled = this.unsettledCount();
    this.om.publisher.publishAll();
    return report;
  }

  /** See `ReconcileReport.unsettled`. */
  private unsettledCount(): number {
    let n = this.suspectPositions.size + this.suspectCash.size + this.orphansLeft;
    // with the kill switch engaged nothing may rest: a resting order is a cancel still to do
    const killed = this.deps.risk.killSwitchEngaged;
    for (const { order } of this.om.working.all()) if (killed || order.state !== "resting") n++;
    const tracked = this.trackedLedgerOrders();
    for (const lo of this.deps.ledger.openOrders()) if (!tracked.has(lo)) n++;
    return n;
  }

  /** Ledger orders a working order stands for (by any of their ids: an amend renames). */
  private trackedLedgerOrders(): Set<LedgerOrder> {
    const tracked = new Set<LedgerOrder>();
    for (const { order } of this.om.working.all()) {
      const lo = this.deps.ledger.order(order.clientOrderId);
      if (lo !== undefined) tracked.add(lo);
    }
    return tracked;
  }

  /** Fills since the last seen one (minus a margin), oldest first, each applied once. */
  private async catchUpFills(): Promise<number> {
    const { rest, catalog } = this.deps;
    const minTs = Math.max(0, Math.floor(this.lastFillTsMs / 1000) - 5);
    const fills = await rest.collectAll(
      (cursor) => rest.getFills({ minTs, cursor, limit: 200 }),
      this.maxPages,
    );
    fills.sort((a, b) => a.tsMs - b.tsMs);
    let applied = 0;
    for (const f of fills) {
      if (catalog.indexOf(f.ticker) < 0) continue;
      if (f.tsMs > this.lastFillTsMs) this.lastFillTsMs = f.tsMs;
      if (this.applyRestFill(f)) applied++;
    }
    if (applied > 0) this.event(`applied ${applied} fill(s) from REST`);
    return applied;
  }

  /** Settlements since `minTsSec` (seconds), remembering the newest seen. */
  private async settlementsSince(minTsSec: number): Promise<RestSettlement[]> {
    const { rest } = this.deps;
    const list = await rest.collectAll(
      (cursor) => rest.getSettlements({ minTs: Math.max(0, minTsSec), cursor, limit: 200 }),
      this.maxPages,
    );
    for (const st of list)
      if (st.settledTsMs > this.lastSettlementTsMs) this.lastSettlementTsMs = st.settledTsMs;
    return list;
  }

  /** Settlements of our markets not yet applied (each market pays out once, whichever path first). */
  private async catchUpSettlements(): Promise<number> {
    const { catalog } = this.deps;
    let applied = 0;
    const since = Math.floor(this.lastSettlementTsMs / 1000) - 5;
    for (const st of await this.settlementsSince(since)) {
      const report = settlementReportOfRest(st, (ticker) => catalog.indexOf(ticker));
      if (report !== null && this.om.onSettlement(report)) {
        this.event(`settlement of ${st.ticker} (${st.marketResult}) applied from REST`, report.market);
        applied++;
      }
    }
    return applied;
  }

  /** One REST fill into the order manager (applied once by id, rule 13); false if not applied. */
  private applyRestFill(f: RestFill): boolean {
    const report = fillReportOfRest(f, (ticker) => this.deps.catalog.indexOf(ticker));
    const fill = report === null ? null : ledgerFillOf(report);
    return fill !== null && this.om.onFill(fill);
  }

  /**
   * Ledger orders that no working order tracks any more and that the exchange no longer rests —
   * e.g. the kill switch dropped the working order while a fill or cancel answer was lost. Their
   * own fills are fetched (applied once by id, whatever time window the fill catch-up uses), then
   * what the ledger still reserves for them is released: the exchange holds nothing for them.
   */
  private async closeStaleLedgerOrders(onExchange: ReadonlySet<string>): Promise<number> {
    const { rest, ledger } = this.deps;
    let closed = 0;
    const tracked = this.trackedLedgerOrders();
    for (const lo of ledger.openOrders()) {
      if (lo.exchangeOrderId === "" || onExchange.has(lo.exchangeOrderId) || tracked.has(lo)) continue;
      const fills = await rest.collectAll(
        (cursor) => rest.getFills({ orderId: lo.exchangeOrderId, cursor, limit: 200 }),
        this.maxPages,
      );
      for (const f of fills) this.applyRestFill(f);
      if (ledger.order(lo.clientOrderId)?.open && ledger.cancelRemainder(lo.clientOrderId)) {
        this.event(`ledger order ${lo.clientOrderId} no longer rests on the exchange: released`, lo.market);
        closed++;
      }
    }
    return closed;
  }

  /** Resting orders the engine does not track are canceled; tracked ones gone are resolved. */
  private async compareResting(): Promise<number> {
    const { rest, ledger } = this.deps;
    const resting = await rest.collectAll(
      (cursor) => rest.getOrders({ status: "resting", cursor, limit: 200 }),
      this.maxPages,
    );
    const onExchange = new Set<string>();
    const tracked = this.trackedLedgerOrders();
    let canceled = 0;
    this.orphansLeft = 0;
    for (const o of resting) {
      onExchange.add(o.orderId);
      const cid = ledger.clientOrderIdOf(o.orderId) ?? o.clientOrderId;
      const lo = ledger.order(cid);
      if ((lo !== undefined && tracked.has(lo)) || this.om.working.find(cid) !== undefined) continue;
      this.event(`orphan resting order ${o.orderId} (${o.ticker}) canceled`);
      const r = await rest.cancelOrder(o.orderId, { marketTicker: o.ticker });
      if (r.kind === "ok") canceled++;
      else this.orphansLeft++;
    }
    for (const { market, order } of [...this.om.working.all()]) {
      if (order.state === "resting" && !onExchange.has(order.exchangeOrderId)) {
        this.event(`working order ${order.clientOrderId} no longer rests`, market);
        await this.om.resolveByOrderId(market, order);
      }
    }
    return canceled + (await this.closeStaleLedgerOrders(onExchange));
  }

  private async comparePositions(): Promise<number> {
    const { rest, ledger, catalog } = this.deps;
    const positions = await rest.collectAll(
      (cursor) => rest.getPositions({ cursor, limit: 200 }),
      this.maxPages,
    );
    const seen = new Set<number>();
    let corrections = 0;
    const check = (m: number, exchangeH: number, basis: number) => {
      seen.add(m);
      const ours = ledger.position(m).contractsHundredths;
      if (ours === exchangeH) return void this.suspectPositions.delete(m);
      if (this.suspectPositions.get(m) !== exchangeH) return void this.suspectPositions.set(m, exchangeH);
      this.event(`position ${catalog.tickerOf(m)}: ours ${ours}, exchange ${exchangeH} → exchange`, m);
      ledger.setPositionFromExchange(m, exchangeH, basis);
      this.suspectPositions.delete(m);
      corrections++;
    };
    for (const p of positions) {
      const m = catalog.indexOf(p.ticker);
      if (m >= 0) check(m, p.positionHundredths, p.marketExposureMicros);
    }
    for (const m of [...ledger.markets()]) if (!seen.has(m)) check(m, 0, 0);
    return corrections;
  }

  /** Each shard's balance against its free cash + reserved fees; a difference seen twice → exchange. */
  private async compareCash(report: ReconcileReport): Promise<void> {
    const { rest, ledger } = this.deps;
    const balances = shardBalancesOf(await rest.getBalance());
    const shards = Math.max(balances.length, ledger.shardCount);
    for (let k = 0; k < shards; k++) {
      const exchange = balances[k] ?? 0;
      const reservedFees = ledger.reservedFeesOn(k);
      if (ledger.freeCashOn(k) + reservedFees === exchange) {
        this.suspectCash.delete(k);
        continue;
      }
      if (this.suspectCash.get(k) !== exchange) {
        this.suspectCash.set(k, exchange);
        continue;
      }
      const correction = ledger.correctFreeCash(exchange - reservedFees, k);
      this.event(`cash of shard ${k} differs from the exchange by ${-correction} micros → exchange`);
      this.suspectCash.delete(k);
      report.cashCorrectionMicros += correction;
      report.cashCorrections++;
    }
  }
}

/** Each shard's balance from `balance_breakdown`; without one, the whole balance is shard 0's. */
export function shardBalancesOf(b: RestBalance): number[] {
  return b.shardBalanceMicros.length > 0 ? b.shardBalanceMicros : [b.balanceMicros];
}

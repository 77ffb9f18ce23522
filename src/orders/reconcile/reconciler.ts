/**
 * Reconciliation of the orders thread against the exchange (correctness-rules.md rules 13, 15;
 * kalshi-api-notes.md). Differences become events and resolve toward the exchange. This class
 * reads the exchange; what to correct is decided by the pure functions of corrections.ts, and
 * the order manager applies it (its one owner of orders and cash, through `ReconcileTarget`).
 *
 * Startup (trading starts only after it): balance, resting orders (paginated, status filter),
 * positions and recent fills from REST rebuild the ledger; journal intents without a final
 * outcome are looked up by client_order_id and closed in the journal. Periodic: fills since the
 * last seen are applied (idempotent by id), unknown outcomes are retried, resting orders are
 * compared with the working set (orphans are canceled), and positions / cash that differ on two
 * consecutive passes — REST lags the fill channel by ~1 s (kalshi-api-notes.md, "Positions") — are
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
import type { RestFill, RestOrder, RestSettlement } from "../../kalshi/rest-types.js";
import type { JournalReplay } from "../execution/journal.js";
import {
  type Correction,
  cashCorrections,
  goneOf,
  type OpenLedgerOrder,
  orphansOf,
  positionCorrections,
  shardBalancesOf,
  staleLedgerOrders,
  startupCash,
} from "./corrections.js";
import type { ReconcileOptions, ReconcileReport, ReconcileTarget } from "./reconcile-target.js";

export class Reconciler {
  private lastFillTsMs = 0;
  private lastSettlementTsMs = 0;
  /** per market: the exchange's position a pass saw differ from ours (corrected if a second pass agrees) */
  private suspectPositions: ReadonlyMap<number, number> = new Map();
  /** per shard: the exchange's balance a pass saw differ from ours (corrected if a second pass agrees) */
  private suspectCash: ReadonlyMap<number, number> = new Map();
  /** orphan resting orders whose cancel failed in this pass */
  private orphansLeft = 0;
  private readonly maxPages: number;

  constructor(
    private readonly om: ReconcileTarget,
    private readonly options: ReconcileOptions = {},
  ) {
    this.maxPages = options.maxPages ?? 50;
  }

  private event(detail: string, market?: number): void {
    this.om.tell({ kind: "reconcile", detail, ...(market === undefined ? {} : { market }) });
  }

  /** Rebuilds state from the exchange and the journal, then lets the order manager trade. */
  async startup(replay: JournalReplay): Promise<void> {
    const { rest, catalog, journal } = this.om;
    const now = this.om.timeNow();
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
    const corrections: Correction[] = [];
    for (const f of fills) {
      corrections.push({ kind: "fill_seen", fillId: restFillKey(f) });
      if (f.tsMs > this.lastFillTsMs) this.lastFillTsMs = f.tsMs;
    }
    // markets already settled: the balance read above has their payout, and they trade no more
    for (const st of await this.settlementsSince(Math.floor(now / 1000) - lookback)) {
      const m = catalog.indexOf(st.ticker);
      if (m >= 0) corrections.push({ kind: "settled_before", market: m });
    }
    for (const p of positions) {
      const m = catalog.indexOf(p.ticker);
      if (m < 0) this.event(`position in unknown market ${p.ticker}`);
      else
        corrections.push({
          kind: "position",
          market: m,
          contractsHundredths: p.positionHundredths,
          // REST has no entry cost; market exposure is the closest number it gives
          costBasisMicros: p.marketExposureMicros,
        });
    }
    for (const o of resting) {
      const m = catalog.indexOf(o.ticker);
      if (m < 0) this.event(`resting order in unknown market ${o.ticker}`);
      else corrections.push({ kind: "adopt_resting", market: m, order: o });
    }
    this.om.applyCorrections(corrections);
    // each shard's free cash from its balance, less the fees its adopted orders reserve (an
    // unresolved transfer of a previous run is in these numbers already)
    const accounts = this.om.accounts;
    let shards = accounts.shardCount;
    for (let m = 0; m < (catalog.size ?? 0); m++) shards = Math.max(shards, catalog.shardOf(m) + 1);
    const fees = Array.from({ length: shards }, (_, k) => accounts.reservedFeesOn(k));
    this.om.applyCorrections(startupCash(fees, shardBalancesOf(balance)));
    for (const [cid, intent] of replay.unresolved) {
      if (intent.op === "transfer") {
        // never sent again: the balances read above already show whether it moved the money
        await journal.append({ t: "outcome", cid, tsMs: now, result: "resolved", code: "balance_breakdown" });
        this.event(`transfer ${cid} of unknown outcome settled from balance_breakdown`);
        continue;
      }
      if (intent.op !== "create" || accounts.orders.get(cid) !== undefined) continue;
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
    for (const { market, order } of [...this.om.working.all()]) {
      if (order.state !== "unknown") continue;
      if (order.exchangeOrderId === "") await this.om.resolveCreate(market, order);
      else await this.om.resolveByOrderId(market, order);
      if (order.state !== "unknown") report.unknownResolved++;
    }
    // an order that came to rest after the kill switch (its answer or resolution arrived later)
    if (this.om.killSwitchEngaged) report.orphansCanceled += await this.om.cancelResting();
    report.orphansCanceled += await this.compareResting();
    // a settlement the lifecycle channel did not bring is applied as one, never as a correction
    report.settlementsApplied = await this.catchUpSettlements();
    report.positionCorrections = await this.comparePositions();
    await this.compareCash(report);
    report.unsettled = this.unsettledCount();
    this.om.publishAll();
    return report;
  }

  /** See `ReconcileReport.unsettled`. */
  private unsettledCount(): number {
    let n = this.suspectPositions.size + this.suspectCash.size + this.orphansLeft;
    // with the kill switch engaged nothing may rest: a resting order is a cancel still to do
    const killed = this.om.killSwitchEngaged;
    for (const { order } of this.om.working.all()) if (killed || order.state !== "resting") n++;
    for (const lo of this.openLedgerOrders()) if (!lo.worked) n++;
    return n;
  }

  /** Ledger orders a working order stands for (by any of their ids: an amend renames). */
  private workedLedgerOrders(): Set<object> {
    const { accounts, working } = this.om;
    const worked = new Set<object>();
    for (const { order } of working.all()) {
      const lo = accounts.orders.get(order.clientOrderId);
      if (lo !== undefined) worked.add(lo);
    }
    return worked;
  }

  /** Open ledger orders, each marked whether a working order stands for it. */
  private openLedgerOrders(): OpenLedgerOrder[] {
    const worked = this.workedLedgerOrders();
    return this.om.accounts.orders.openOrders().map((lo) => ({
      clientOrderId: lo.clientOrderId,
      exchangeOrderId: lo.exchangeOrderId,
      market: lo.market,
      worked: worked.has(lo),
    }));
  }

  /** Fills since the last seen one (minus a margin), oldest first, each applied once. */
  private async catchUpFills(): Promise<number> {
    const { rest, catalog } = this.om;
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
    const { rest } = this.om;
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
    const { catalog } = this.om;
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
    const report = fillReportOfRest(f, (ticker) => this.om.catalog.indexOf(ticker));
    const fill = report === null ? null : ledgerFillOf(report);
    return fill !== null && this.om.onFill(fill);
  }

  /**
   * Resting orders the engine does not track are canceled; worked ones gone are resolved; ledger
   * orders nothing works and the exchange no longer rests get their own fills (applied once by
   * id, whatever window the fill catch-up uses), then what the ledger still reserves is released.
   */
  private async compareResting(): Promise<number> {
    const { rest, accounts, working } = this.om;
    const resting = await rest.collectAll(
      (cursor) => rest.getOrders({ status: "resting", cursor, limit: 200 }),
      this.maxPages,
    );
    const worked = this.workedLedgerOrders();
    const tracked = (o: RestOrder) => {
      const cid = accounts.orders.clientOrderIdOf(o.orderId) ?? o.clientOrderId;
      const lo = accounts.orders.get(cid);
      return (lo !== undefined && worked.has(lo)) || working.find(cid) !== undefined;
    };
    let canceled = 0;
    this.orphansLeft = 0;
    for (const o of orphansOf(resting, tracked)) {
      this.event(`orphan resting order ${o.orderId} (${o.ticker}) canceled`);
      const r = await rest.cancelOrder(o.orderId, { marketTicker: o.ticker });
      if (r.kind === "ok") canceled++;
      else this.orphansLeft++;
    }
    for (const { market, order } of [...working.all()]) {
      if (goneOf(resting, [order]).length === 0) continue;
      this.event(`working order ${order.clientOrderId} no longer rests`, market);
      await this.om.resolveByOrderId(market, order);
    }
    const stale = staleLedgerOrders(resting, this.openLedgerOrders());
    for (const lo of stale) {
      const fills = await rest.collectAll(
        (cursor) => rest.getFills({ orderId: lo.exchangeOrderId, cursor, limit: 200 }),
        this.maxPages,
      );
      for (const f of fills) this.applyRestFill(f);
    }
    const releases = stale.map((lo): Correction => ({ kind: "release", ...lo }));
    return canceled + this.om.applyCorrections(releases).released;
  }

  private async comparePositions(): Promise<number> {
    const { rest, accounts, catalog } = this.om;
    const positions = await rest.collectAll(
      (cursor) => rest.getPositions({ cursor, limit: 200 }),
      this.maxPages,
    );
    const exchange = positions.flatMap((p) => {
      const m = catalog.indexOf(p.ticker);
      return m < 0
        ? []
        : [{ market: m, contractsHundredths: p.positionHundredths, costBasisMicros: p.marketExposureMicros }];
    });
    const ours = (m: number) => accounts.position(m).contractsHundredths;
    const { corrections, suspects } = positionCorrections(
      ours,
      accounts.markets(),
      exchange,
      this.suspectPositions,
    );
    this.suspectPositions = suspects;
    for (const c of corrections)
      this.event(
        `position ${catalog.tickerOf(c.market)}: ours ${ours(c.market)}, exchange ${c.contractsHundredths} → exchange`,
        c.market,
      );
    this.om.applyCorrections(corrections);
    return corrections.length;
  }

  /** Each shard's balance against its free cash + reserved fees; a difference seen twice → exchange. */
  private async compareCash(report: ReconcileReport): Promise<void> {
    const { rest, accounts } = this.om;
    const balances = shardBalancesOf(await rest.getBalance());
    const ours = Array.from({ length: accounts.shardCount }, (_, k) => ({
      freeCashMicros: accounts.freeCashOn(k),
      reservedFeesMicros: accounts.reservedFeesOn(k),
    }));
    const { corrections, suspects } = cashCorrections(ours, balances, this.suspectCash);
    this.suspectCash = suspects;
    for (const c of corrections) {
      const change = this.om.applyCorrections([c]).cashChangeMicros;
      this.event(`cash of shard ${c.shard} differs from the exchange by ${-change} micros → exchange`);
      report.cashCorrectionMicros += change;
      report.cashCorrections++;
    }
  }
}

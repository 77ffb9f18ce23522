/**
 * The orders thread's stats, all written by this thread: its shared-memory metrics
 * (orders-metrics.ts) once per loop turn; on its stats schedule (and before a stats reply) its
 * state counts block (orders-state.ts) and P&L gauges; and its report to io — P&L per market and
 * the stage histograms since the previous report (orders-protocol.ts `OrdersReport`).
 */
import type { KalshiRestClient } from "../../kalshi/rest-client.js";
import type { Counters } from "../../stats/counters.js";
import type { StageHistograms } from "../../stats/stage-histograms.js";
import type { Ledger } from "../accounts/ledger.js";
import { type PnlReport, pnlReport } from "../accounts/pnl.js";
import type { OrderJournal } from "../execution/journal.js";
import type { OrderGroups } from "../execution/order-group.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { ShardTransfers } from "../execution/transfers.js";
import type { CircuitBreakers } from "../risk/breakers.js";
import type { ExchangeStatusWatch } from "../risk/exchange-status.js";
import { type OrdersMetricSources, OrdersMetrics } from "./orders-metrics.js";
import type { OrdersReport, OrdersStats } from "./orders-protocol.js";
import { OrdersState } from "./orders-state.js";

export interface OrdersStatsSources {
  om: OrderManager;
  ledger: Ledger;
  rest: KalshiRestClient;
  journal: OrderJournal;
  transfers: ShardTransfers;
  breakers: CircuitBreakers;
  orderGroups: OrderGroups | undefined;
  exchangeStatus: ExchangeStatusWatch;
  /** the exchange shards of the markets traded, ascending */
  shards: readonly number[];
  histograms: StageHistograms;
}

export class OrdersStatsReport {
  private readonly metrics: OrdersMetrics;
  private readonly metricSources: OrdersMetricSources;
  private readonly state: OrdersState;

  /** `state`: the state counts block io reads (absent: one of this thread's own) */
  constructor(
    counters: Counters,
    state: SharedArrayBuffer | undefined,
    private readonly s: OrdersStatsSources,
  ) {
    this.metrics = new OrdersMetrics(counters);
    this.state = new OrdersState(state);
    this.metricSources = {
      orders: s.om.stats,
      rest: s.rest.stats,
      transfers: s.transfers.stats,
      breakersTripped: 0,
      breakerTrips: 0,
    };
  }

  /** this thread's counts into the shared metrics (once per loop turn: no allocation) */
  publishMetrics(): void {
    const src = this.metricSources;
    src.breakersTripped = this.s.breakers.tripReason === null ? 0 : 1;
    src.breakerTrips = this.s.breakers.trips;
    this.metrics.publish(src);
  }

  /** the state counts block and the P&L gauges now; returns the counts and the P&L written */
  publishState(): { stats: Record<string, number>; pnl: PnlReport } {
    const s = this.s;
    const stats = {
      ...s.om.stats,
      restRequests: s.rest.stats.requests,
      journalSyncs: s.journal.syncs,
      orderGroupTriggers: s.orderGroups?.triggers ?? 0,
      // io shows these in /stats state (orders_shards, orders_shardsPaused) and the banner
      shards: s.shards.length,
      shardsPaused: s.exchangeStatus.pausedCount(s.shards),
      exchangeStatusFailures: s.exchangeStatus.failures,
    };
    this.state.write({
      ...stats,
      free_cash_micros: s.ledger.freeCashMicros,
      reserved_cash_micros: s.ledger.reservedCashMicros,
    });
    const pnl = pnlReport(s.ledger);
    this.metrics.publishPnl(pnl);
    return { stats, pnl };
  }

  /** on the stats schedule: the state and P&L gauges, then io's report (resets the histograms) */
  report(): OrdersReport {
    return { pnl: this.publishState().pnl, histograms: this.s.histograms.encode({ reset: true }) };
  }

  /** the answer to a stats request: as `report`, with the counts and cash of this moment */
  reply(): OrdersStats {
    const { stats, pnl } = this.publishState();
    return {
      stats,
      freeCashMicros: this.s.ledger.freeCashMicros,
      reservedCashMicros: this.s.ledger.reservedCashMicros,
      pnl,
      histograms: this.s.histograms.encode({ reset: true }),
    };
  }
}

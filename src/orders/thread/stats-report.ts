/**
 * The orders thread's stats: its shared-memory metrics (orders-metrics.ts), written once per loop
 * turn, and its stats report to io — own counts, cash, P&L and the stage histograms since the
 * previous report — sent every `statsEveryMs` and as the answer to a stats request.
 */
import type { KalshiRestClient } from "../../kalshi/rest-client.js";
import type { Counters } from "../../stats/counters.js";
import type { StageHistograms } from "../../stats/stage-histograms.js";
import type { Ledger } from "../accounts/ledger.js";
import { pnlReport } from "../accounts/pnl.js";
import type { OrderJournal } from "../execution/journal.js";
import type { OrderGroups } from "../execution/order-group.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { ShardTransfers } from "../execution/transfers.js";
import type { CircuitBreakers } from "../risk/breakers.js";
import type { ExchangeStatusWatch } from "../risk/exchange-status.js";
import { type OrdersMetricSources, OrdersMetrics } from "./orders-metrics.js";
import type { OrdersStats } from "./orders-protocol.js";

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

  constructor(
    counters: Counters,
    private readonly s: OrdersStatsSources,
  ) {
    this.metrics = new OrdersMetrics(counters);
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

  /** the report io receives; resets the stage histograms it carries */
  report(): OrdersStats {
    const s = this.s;
    return {
      stats: {
        ...s.om.stats,
        restRequests: s.rest.stats.requests,
        journalSyncs: s.journal.syncs,
        orderGroupTriggers: s.orderGroups?.triggers ?? 0,
        // io shows these in /stats state (orders_shards, orders_shardsPaused) and the banner
        shards: s.shards.length,
        shardsPaused: s.exchangeStatus.pausedCount(s.shards),
        exchangeStatusFailures: s.exchangeStatus.failures,
      },
      freeCashMicros: s.ledger.freeCashMicros,
      reservedCashMicros: s.ledger.reservedCashMicros,
      pnl: pnlReport(s.ledger),
      histograms: s.histograms.encode({ reset: true }),
    };
  }
}

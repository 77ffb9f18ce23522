/**
 * The orders thread's metrics: its own counts — OrderManager's, its REST client's, its circuit
 * breakers' — written into io's shared Counters (stats/engine-metrics.ts) by this thread, their
 * only writer, once per loop turn; its P&L gauges on its stats schedule. io reads the shared
 * values for /stats and /metrics; nothing is copied across threads by messages.
 *
 * Every gate of `OrderManager.onDecision` that drops a decision has its own drop reason, so the
 * drops add up: decisions = hold + drops by orders reason + decisions that wrote or planned nothing.
 */
import type { CounterHandle, Counters, GaugeHandle } from "../../stats/counters.js";
import { ORDER_DROP_REASONS, type OrderDropReason, TRANSFER_RESULTS } from "../../stats/engine-metrics.js";
import type { PnlTotals } from "../accounts/pnl.js";
import type { OrderStats } from "../execution/order-types.js";
import type { newTransferStats } from "../execution/transfers.js";

type TransferStats = ReturnType<typeof newTransferStats>;

/** each orders drop reason from the OrderManager's counts */
const DROP_COUNT: Readonly<Record<OrderDropReason, (s: OrderStats) => number>> = {
  not_ready: (s) => s.notReady,
  late: (s) => s.stale,
  kill: (s) => s.killBlocked,
  breaker: (s) => s.breakerBlocked,
  write_in_flight: (s) => s.busy + s.waits - s.outcomeUnknownWaits,
  unknown_market: (s) => s.unknownMarket,
  market_settled: (s) => s.marketSettled,
  market_refused: (s) => s.marketRefused,
  exchange_paused: (s) => s.exchangePaused,
  throttle: (s) => s.throttled,
  no_book: (s) => s.bookStale,
  no_price: (s) => s.noPrice,
  size: (s) => s.sizeRefused,
  outcome_unknown: (s) => s.outcomeUnknownWaits,
  risk: (s) => s.riskRefused,
  cash: (s) => s.ledgerRefused,
  shard_cash: (s) => s.shardCashRefused,
  transfer_failed: (s) => s.transferFailed,
};

export interface OrdersMetricSources {
  orders: OrderStats;
  /** transfers between shards (transfers.ts), when the thread makes any */
  transfers?: TransferStats;
  /** the REST transport's counts */
  rest: { rateLimited: number };
  /** circuit breakers (and the order group's, when one is used) */
  breakersTripped: number;
  breakerTrips: number;
}

export class OrdersMetrics {
  private readonly drops: Array<[CounterHandle, (s: OrderStats) => number]>;
  private readonly sent: CounterHandle;
  private readonly fills: CounterHandle;
  private readonly rejects: CounterHandle;
  private readonly unknown: CounterHandle;
  private readonly http429: CounterHandle;
  private readonly trips: CounterHandle;
  private readonly tripped: GaugeHandle;
  private readonly transfers: Array<[CounterHandle, keyof TransferStats]>;
  private readonly transferMicros: CounterHandle;
  private readonly realised: GaugeHandle;
  private readonly unrealised: GaugeHandle;
  private readonly fees: GaugeHandle;

  constructor(counters: Counters) {
    this.drops = ORDER_DROP_REASONS.map((reason) => [
      counters.counter("drops", { reason }),
      DROP_COUNT[reason],
    ]);
    this.sent = counters.counter("orders");
    this.fills = counters.counter("fills");
    this.rejects = counters.counter("rejects");
    this.unknown = counters.counter("orders_unknown");
    this.http429 = counters.counter("http_429");
    this.trips = counters.counter("breaker_trips");
    this.tripped = counters.gauge("breakers_tripped");
    this.transfers = TRANSFER_RESULTS.map((result) => [counters.counter("transfers", { result }), result]);
    this.transferMicros = counters.counter("transfer_micros");
    this.realised = counters.gauge("realised_pnl_micros");
    this.unrealised = counters.gauge("unrealised_pnl_micros");
    this.fees = counters.gauge("fees_paid_micros");
  }

  /** the P&L totals, on the thread's stats schedule (computing them walks every position) */
  publishPnl(pnl: PnlTotals): void {
    this.realised.set(pnl.realisedMicros);
    this.unrealised.set(pnl.unrealisedMicros);
    this.fees.set(pnl.feesMicros);
  }

  /** once per loop turn: a few stores, no allocation */
  publish(src: OrdersMetricSources): void {
    const s = src.orders;
    for (let i = 0; i < this.drops.length; i++) {
      const [handle, count] = this.drops[i]!;
      handle.advanceTo(count(s));
    }
    this.sent.advanceTo(s.sent);
    this.fills.advanceTo(s.fillsApplied);
    this.rejects.advanceTo(s.rejected);
    this.unknown.advanceTo(s.unknown);
    this.http429.advanceTo(src.rest.rateLimited);
    this.trips.advanceTo(src.breakerTrips);
    this.tripped.set(src.breakersTripped);
    const t = src.transfers;
    if (t === undefined) return;
    for (let i = 0; i < this.transfers.length; i++) {
      const [handle, key] = this.transfers[i]!;
      handle.advanceTo(t[key]);
    }
    this.transferMicros.advanceTo(t.movedMicros);
  }
}

/**
 * The orders thread's state counts: its order manager's counts (order-types.ts `newOrderStats`),
 * a few of its own (REST requests, journal syncs, order-group triggers, shards and shards paused,
 * exchange-status read failures) and its cash. io shows them as /stats `state.orders_*` (rendered
 * as `kalshi_engine_state_orders_*`, the dashboard's shard banner, the shutdown summary's trades).
 *
 * Layout: a SharedArrayBuffer io allocates at wiring (`OrdersState.allocate()`) and the orders
 * thread alone writes — one f64 per key of ORDERS_STATE_KEYS, in that order (a `Counters` over
 * ORDERS_STATE_METRICS, stats/counters.ts). The thread writes it on its stats schedule (every
 * `statsEveryMs`), before each stats reply and when its loop ends; io reads it whenever it builds
 * /stats. Nothing is copied across threads by message.
 */
import {
  type CounterHandle,
  Counters,
  type GaugeHandle,
  type MetricDefinition,
} from "../../stats/counters.js";
import { newOrderStats } from "../execution/order-types.js";

/** What the thread counts beside its order manager. */
const OWN_COUNTS = ["restRequests", "journalSyncs", "orderGroupTriggers", "exchangeStatusFailures"] as const;
/** Values that go up and down (the rest only grow). */
const LEVELS = ["shards", "shardsPaused", "free_cash_micros", "reserved_cash_micros"] as const;

export const ORDERS_STATE_KEYS: readonly string[] = Object.freeze([
  ...Object.keys(newOrderStats()),
  ...OWN_COUNTS,
  ...LEVELS,
]);

const ORDERS_STATE_METRICS: readonly MetricDefinition[] = ORDERS_STATE_KEYS.map((name) => ({
  name,
  kind: (LEVELS as readonly string[]).includes(name) ? "gauge" : "counter",
  help: "orders thread state",
}));

export type OrdersStateValues = Readonly<Record<string, number>>;

export class OrdersState {
  private readonly counts: Array<readonly [string, CounterHandle]> = [];
  private readonly levels: Array<readonly [string, GaugeHandle]> = [];

  static allocate(): SharedArrayBuffer {
    return Counters.allocateShared(ORDERS_STATE_METRICS);
  }

  /** `shared`: the block io allocated (absent: one of this thread's own) */
  constructor(shared?: SharedArrayBuffer) {
    const counters = new Counters(ORDERS_STATE_METRICS, shared);
    for (const d of ORDERS_STATE_METRICS) {
      if (d.kind === "gauge") this.levels.push([d.name, counters.gauge(d.name)]);
      else this.counts.push([d.name, counters.counter(d.name)]);
    }
  }

  /** The writer (orders thread): every key's current value; a key missing stays as it was. */
  write(values: OrdersStateValues): void {
    for (const [key, handle] of this.counts) {
      const v = values[key];
      if (v !== undefined) handle.advanceTo(v);
    }
    for (const [key, handle] of this.levels) {
      const v = values[key];
      if (v !== undefined) handle.set(v);
    }
  }

  /** The reader (io): every key's value now, in ORDERS_STATE_KEYS order. */
  read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of ORDERS_STATE_KEYS) out[key] = 0;
    for (const [key, handle] of this.counts) out[key] = handle.value;
    for (const [key, handle] of this.levels) out[key] = handle.value;
    return out;
  }
}

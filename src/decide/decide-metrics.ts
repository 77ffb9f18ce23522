/**
 * A decide worker's metrics, written by its loop alone into its own lane of the engine's shared
 * counters (stats/counters.ts "Lanes"; engine-metrics.ts `decideLane`): decisions by action (HOLD
 * included), batches decided, markets dropped before the policy ran, DecisionRing overflows,
 * decision-log records lost. io reads the sum of every lane; nothing is sent to it to count.
 */
import { DECISION_ACTIONS } from "../events/engine-event.js";
import { type CounterHandle, Counters } from "../stats/counters.js";
import { decideLane, ENGINE_METRICS } from "../stats/engine-metrics.js";

export class DecideMetrics {
  /** by ActionKind (DECISION_ACTIONS is in ActionKind order) */
  readonly decisions: CounterHandle[];
  readonly batches: CounterHandle;
  readonly staleBook: CounterHandle;
  readonly overBudget: CounterHandle;
  readonly ringFull: CounterHandle;
  readonly recordDropped: CounterHandle;

  /** `shared`: the engine's counters (absent: counts of this worker's own, e.g. in tests) */
  constructor(shared: SharedArrayBuffer | undefined, worker: number) {
    const counters =
      shared === undefined
        ? new Counters(ENGINE_METRICS)
        : new Counters(ENGINE_METRICS, shared, decideLane(worker));
    this.decisions = DECISION_ACTIONS.map((action) => counters.counter("decisions", { action }));
    this.batches = counters.counter("decision_tasks");
    this.staleBook = counters.counter("drops", { reason: "stale_book" });
    this.overBudget = counters.counter("drops", { reason: "over_budget" });
    this.ringFull = counters.counter("ring_overflows", { ring: "decision" });
    this.recordDropped = counters.counter("record_dropped");
  }
}

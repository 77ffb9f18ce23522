/**
 * The latency stages the engine measures (pure, shared by every thread). A stage is addressed by
 * its small integer id so the hot path never looks a string up; names are for output only.
 *
 * Where each stage is recorded (see the architecture picture):
 * - io: `parse_apply` (frame received → book applied), `dispatch_wait` (dirty → task started)
 * - decide: `features`, `inference`, `tick_to_decision` (frame received → decision written)
 * - orders: `decision_to_orders`, `orders_to_request_sent`, `request_to_ack`,
 *   `tick_to_order` (frame received → order request sent)
 */

export const STAGE_NAMES = [
  "parse_apply",
  "dispatch_wait",
  "features",
  "inference",
  "decision_to_orders",
  "orders_to_request_sent",
  "request_to_ack",
  "tick_to_decision",
  "tick_to_order",
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** Stage ids, resolved at import time: `histograms.record(Stage.inference, elapsedNs)`. */
export const Stage = {
  parse_apply: 0,
  dispatch_wait: 1,
  features: 2,
  inference: 3,
  decision_to_orders: 4,
  orders_to_request_sent: 5,
  request_to_ack: 6,
  tick_to_decision: 7,
  tick_to_order: 8,
} as const satisfies Record<StageName, number>;

export type StageId = (typeof Stage)[StageName];

export const STAGE_COUNT = STAGE_NAMES.length;

/** Default budget per stage: the engine's loop budget (docs/architecture.md "The hot path"). */
export const DEFAULT_STAGE_BUDGET_NS = 50_000_000;

export function stageIdOf(name: string): StageId | undefined {
  return (Stage as Record<string, StageId>)[name];
}

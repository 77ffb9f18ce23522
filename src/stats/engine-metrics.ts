/**
 * The engine's metric catalogue: one definition list shared by every thread so a SAB-backed
 * `Counters` has the same layout everywhere. Owner (single writer) per group in brackets; io and
 * the orders thread write lane 0, each decide worker its own lane (counters.ts "Lanes"), so a
 * metric marked [decide] is counted by every worker and read as their sum.
 * Components needing more metrics append definitions here (the layout is positional).
 */
import { DECISION_ACTIONS } from "../events/engine-event.js";
import type { MetricDefinition } from "./counters.js";

// Decisions are counted per action type (correctness-rules.md rule 22: the 21-action space decodes onto the
// same five types).

/**
 * Why a decision was dropped instead of executed. The decide workers drop before the policy runs
 * (each counts its own, in its lane); the orders thread drops the rest, one reason per gate of
 * `OrderManager.onDecision`, in its order. (A pause drops nothing: decisions wait.)
 */
export const DECIDE_DROP_REASONS = ["stale_book", "over_budget"] as const;
export const ORDER_DROP_REASONS = [
  "not_ready",
  "late",
  "kill",
  "breaker",
  "write_in_flight",
  "unknown_market",
  "market_settled",
  "market_refused",
  "exchange_paused",
  "throttle",
  "no_book",
  "no_price",
  "size",
  "outcome_unknown",
  "risk",
  "cash",
  "shard_cash",
  "transfer_failed",
] as const;
export type OrderDropReason = (typeof ORDER_DROP_REASONS)[number];
export const DROP_REASONS = [...DECIDE_DROP_REASONS, ...ORDER_DROP_REASONS] as const;

/** The feed's refusals (FeedApplier), by reason: frames that did not parse, updates it refused. */
export const FEED_REJECT_REASONS = [
  "malformed",
  "invalid_price",
  "off_grid",
  "invalid_count",
  "invalid_side",
  "no_snapshot",
  "stale",
  "negative_level",
  "capacity",
] as const;

export const RINGS = ["decision", "fill", "event"] as const;

/** Outcomes of a transfer between exchange shards (src/orders/execution/transfers.ts). */
export const TRANSFER_RESULTS = ["ok", "refused", "unknown"] as const;

/** Why a private frame (fill, user_order) did not become a FillRing record (ring full: ring_overflows). */
export const PRIVATE_SKIP_REASONS = [
  "unknown_market",
  "unknown_status",
  "unknown_result",
  "unencodable",
] as const;

/** The engine's counter lanes: lane 0 for io and the orders thread, then one per decide worker. */
export function engineCounterLanes(decideThreads: number): number {
  return 1 + decideThreads;
}

/** The lane decide worker `worker` writes. */
export function decideLane(worker: number): number {
  return 1 + worker;
}

function each<T extends string>(
  values: readonly T[],
  label: string,
  make: (v: T) => Omit<MetricDefinition, "labels">,
): MetricDefinition[] {
  return values.map((v) => ({ ...make(v), labels: { [label]: v } }));
}

export const ENGINE_METRICS: readonly MetricDefinition[] = Object.freeze([
  // [io] feed
  { name: "frames", kind: "counter", help: "WebSocket frames received" },
  { name: "book_updates", kind: "counter", help: "Book snapshots and deltas applied" },
  { name: "gaps", kind: "counter", help: "Sequence gaps detected (per sid)" },
  { name: "resnapshots", kind: "counter", help: "Snapshots requested to resynchronise" },
  { name: "reconnects", kind: "counter", help: "WebSocket reconnects" },
  {
    name: "subscription_overflows",
    kind: "counter",
    help: "Subscriptions the exchange ended for a slow reader (WS error 25), resubscribed",
  },
  { name: "stale_markets", kind: "gauge", help: "Markets currently marked stale" },
  { name: "ingest_frames", kind: "counter", help: "Frames accepted on /ingest" },
  { name: "ingest_rejected", kind: "counter", help: "Messages refused on /ingest (unparseable)" },
  ...each(FEED_REJECT_REASONS, "reason", () => ({
    name: "feed_rejects",
    kind: "counter",
    help: "Frames or book updates the feed refused (counted and skipped), by reason",
  })),
  { name: "feed_skipped_levels", kind: "counter", help: "Snapshot levels skipped as unreadable" },
  // [decide] batches
  { name: "decision_tasks", kind: "counter", help: "Decision batches dispatched to decide workers" },
  // [decide] decisions by action
  ...each(DECISION_ACTIONS, "action", () => ({
    name: "decisions",
    kind: "counter",
    help: "Decisions by action",
  })),
  // [decide] and [orders] drops by reason
  ...each(DROP_REASONS, "reason", () => ({
    name: "drops",
    kind: "counter",
    help: "Decisions dropped instead of executed, by reason",
  })),
  // [orders] order flow
  { name: "orders", kind: "counter", help: "Order requests sent (create, amend, cancel)" },
  { name: "fills", kind: "counter", help: "Fills applied" },
  { name: "rejects", kind: "counter", help: "Order requests refused by the exchange (429s included)" },
  {
    name: "orders_unknown",
    kind: "counter",
    help: "Order requests whose outcome was unknown (timeout, 5xx)",
  },
  { name: "http_429", kind: "counter", help: "HTTP 429 responses the orders thread received" },
  ...each(TRANSFER_RESULTS, "result", () => ({
    name: "transfers",
    kind: "counter",
    help: "Transfers between exchange shards to fund orders, by result (unknown: settled by the balance breakdown)",
  })),
  {
    name: "transfer_micros",
    kind: "counter",
    help: "Micros of a dollar moved between exchange shards by transfers answered ok",
  },
  {
    name: "orders_errors",
    kind: "counter",
    help: "Errors the orders thread reported (failed REST call, bad frame)",
  },
  // [io] supervision
  { name: "decide_restarts", kind: "counter", help: "Decide worker loops started again after a failure" },
  // [each ring's producer: decide for decision, io for fill, orders for event] overflows
  ...each(RINGS, "ring", () => ({
    name: "ring_overflows",
    kind: "counter",
    help: "Records refused because a ring was full",
  })),
  // [io] private frames that did not reach the orders thread, by reason
  ...each(PRIVATE_SKIP_REASONS, "reason", () => ({
    name: "private_frames_skipped",
    kind: "counter",
    help: "Private frames (fill, user_order) not forwarded to the orders thread, by reason",
  })),
  // [orders] circuit breakers
  { name: "breakers_tripped", kind: "gauge", help: "Circuit breakers currently tripped" },
  { name: "breaker_trips", kind: "counter", help: "Circuit breaker trips" },
  // [io] safety state (the operator's control and supervision)
  { name: "kill_engaged", kind: "gauge", help: "1 when the kill switch is engaged" },
  { name: "paused", kind: "gauge", help: "1 when decisions are paused" },
  // [orders] P&L in micros of a dollar
  { name: "realised_pnl_micros", kind: "gauge", help: "Realised P&L, micros of a dollar" },
  { name: "unrealised_pnl_micros", kind: "gauge", help: "Unrealised P&L at last marks, micros of a dollar" },
  { name: "fees_paid_micros", kind: "gauge", help: "Fees paid, micros of a dollar" },
  // [io] recorder (run --record, record); record_dropped also [decide]: decision-log records lost
  { name: "record_frames", kind: "counter", help: "Raw frames handed to the recorder" },
  {
    name: "record_dropped",
    kind: "counter",
    help: "Records the recorder could not take (ring full or too large)",
  },
  {
    name: "record_write_errors",
    kind: "counter",
    help: "Recorder write failures (recording stops after one)",
  },
  { name: "recording", kind: "gauge", help: "1 while the recorder is writing" },
  // [io] server
  { name: "events_dropped", kind: "counter", help: "Events not sent to a slow /events client" },
] satisfies MetricDefinition[]);

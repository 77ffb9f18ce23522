/**
 * The states of one of our orders and every transition between them, as a table (orders thread;
 * pure). order-lifecycle.ts is the one place that applies it, moving the order's ledger
 * reservation, its working-set entry and its journal record together.
 *
 *   pending ─rests→ resting ─change_sent→ changing ─rests→ resting
 *   pending, changing ─lost→ unknown ─found_resting→ resting
 *   → closed by done, canceled, refused (from pending), filled, exchange_canceled (from
 *     resting), found_gone, not_found, settled — the table says from which states
 *   changing ─refused→ resting, with the reservation from before the change
 * (docs/architecture.md draws it.)
 *
 * A trigger absent from a state's row leaves the order as it is: e.g. a fill that completes an
 * order whose amend is in flight waits for the amend's answer, which decides.
 */

export const ORDER_STATES = ["pending", "resting", "changing", "unknown", "closed"] as const;

export type OrderState =
  /** create sent (or about to be), no answer yet */
  | "pending"
  /** acknowledged and on the book */
  | "resting"
  /** amend or cancel sent, no answer yet */
  | "changing"
  /** a write timed out, reset, answered 5xx / 409: resolved by asking the exchange, never resent */
  | "unknown"
  /** nothing of it rests any more; it has left the working set */
  | "closed";

export const ORDER_TRIGGERS = [
  "change_sent",
  "rests",
  "done",
  "canceled",
  "refused",
  "lost",
  "found_resting",
  "found_gone",
  "not_found",
  "filled",
  "exchange_canceled",
  "settled",
] as const;

/**
 * What happened to the order:
 * - `change_sent`: an amend or cancel is about to go out;
 * - `rests` / `done`: a create or amend was accepted and it rests / nothing of it rests;
 * - `canceled`: our cancel was accepted;
 * - `refused`: the write never happened (rejected, 429, or its intent not durable);
 * - `lost`: the write's outcome is unknown;
 * - `found_resting` / `found_gone` / `not_found`: the exchange's view of it (resolution,
 *   reconciliation);
 * - `filled`: its fills completed it; `exchange_canceled`: the exchange canceled it (expiry,
 *   post-only cross, self-trade prevention); `settled`: its market settled.
 */
export type OrderTrigger = (typeof ORDER_TRIGGERS)[number];

/** What a transition does to the order's ledger reservation. */
export type ReservationEffect =
  /** unchanged */
  | "none"
  /** everything still reserved comes back (the exchange holds nothing of it) */
  | "release"
  /** keep reserving only up to a given total count (what filled, fills may still be on their way) */
  | "keep"
  /** the reservation as it was before the change that was refused */
  | "restore"
  /** the exchange's price and total count */
  | "adopt";

export interface Transition {
  readonly to: OrderState;
  readonly reservation: ReservationEffect;
}

const to = (state: OrderState, reservation: ReservationEffect = "none"): Transition =>
  Object.freeze({ to: state, reservation });

/** Every transition; a trigger absent from a row leaves that state (and its reservation) as is. */
export const ORDER_TRANSITIONS: Readonly<
  Record<OrderState, Readonly<Partial<Record<OrderTrigger, Transition>>>>
> = Object.freeze({
  pending: {
    rests: to("resting"),
    done: to("closed", "keep"),
    refused: to("closed", "release"),
    lost: to("unknown"),
    exchange_canceled: to("pending", "keep"),
    settled: to("closed"),
  },
  resting: {
    change_sent: to("changing"),
    found_resting: to("resting", "adopt"),
    found_gone: to("closed", "adopt"),
    not_found: to("closed", "release"),
    filled: to("closed"),
    exchange_canceled: to("closed", "keep"),
    settled: to("closed"),
  },
  changing: {
    rests: to("resting"),
    done: to("closed", "keep"),
    canceled: to("closed", "keep"),
    refused: to("resting", "restore"),
    lost: to("unknown"),
    exchange_canceled: to("changing", "keep"),
    settled: to("closed"),
  },
  unknown: {
    found_resting: to("resting", "adopt"),
    found_gone: to("closed", "adopt"),
    not_found: to("closed", "release"),
    exchange_canceled: to("unknown", "keep"),
    settled: to("closed"),
  },
  // the ledger may still reserve for fills on their way after the order left the working set
  closed: { exchange_canceled: to("closed", "keep") },
});

/** The transition a trigger causes in a state; undefined when it leaves the order as it is. */
export function transitionOf(state: OrderState, trigger: OrderTrigger): Transition | undefined {
  return ORDER_TRANSITIONS[state][trigger];
}

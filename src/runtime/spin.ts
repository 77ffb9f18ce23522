/**
 * A bounded poll before sleeping, for the decide and orders threads' idle paths.
 *
 * At a live feed's rates the next record usually arrives within tens of µs of the last one, and a
 * sleeping thread wakes tens of µs later (more on a busy core). Polling briefly after recent work
 * catches it without the wake-up — but only pays when the polling thread has a core of its own: on
 * a machine with no core to spare (io, every decide thread and the orders thread already need
 * them all) the poll steals the core from the thread that would produce the record, so the budget
 * is then 0 and the thread sleeps at once.
 */
import { availableParallelism } from "node:os";
import { nowMs } from "./clock.js";

/** How long to poll after work when it ended less than `RECENT_WORK_MS` ago. */
const SPIN_MS = 0.05;
const RECENT_WORK_MS = 2;

/** The poll budget (ms) for an engine running `engineThreads` busy threads on this machine. */
export function spinBudgetMs(engineThreads: number, cores = availableParallelism()): number {
  return cores > engineThreads ? SPIN_MS : 0;
}

/**
 * When work ended less than 2 ms ago, polls `sources` for up to `budgetMs`; true as soon as one
 * has records. False at once with a zero budget or no recent work.
 */
export function pollBriefly(
  sources: readonly { available(): number }[],
  lastWorkMs: number,
  budgetMs: number,
): boolean {
  if (budgetMs <= 0) return false;
  let now = nowMs();
  if (now - lastWorkMs > RECENT_WORK_MS) return false;
  const until = now + budgetMs;
  while (now < until) {
    for (const s of sources) if (s.available() > 0) return true;
    now = nowMs();
  }
  return false;
}

/**
 * How the orders thread waits when a loop turn found nothing to do: after recent work, with a core
 * to spare, it polls the rings for up to 50 µs (runtime/spin.ts); then it sleeps until a decision
 * or a venue report is committed (every DecisionRing and the FillRing ring the doorbell):
 * - nothing in flight (no decision, fill or reconciliation awaiting I/O): a blocking Atomics.wait
 *   on the doorbell for at most IDLE_BLOCK_MS (never past the reconcile timer), so a decision
 *   wakes this thread straight into the ring drain without an event-loop hop; then one
 *   setImmediate when nothing came, so timers and control messages run;
 * - else Atomics.waitAsync: REST answers and fsyncs must keep flowing while it waits.
 * Without a doorbell (tests that give none) it sleeps on the first DecisionRing, or a 2 ms timer.
 */
import { nowMs } from "../../runtime/clock.js";
import { pollBriefly } from "../../runtime/spin.js";
import type { Doorbell, DoorbellSource } from "../../shm/doorbell.js";
import type { SpscRing } from "../../shm/spsc-ring.js";

/**
 * Longest blocking sleep when nothing is in flight: bounds how late control messages (kill
 * switch, stats) and the reconcile timer are seen while the thread sleeps outside its event loop.
 */
const IDLE_BLOCK_MS = 2;
/** Longest event-loop wait while work is in flight (a missed ring would wait no longer). */
const IN_FLIGHT_WAIT_MS = 5;

export class IdleWait {
  constructor(
    private readonly doorbell: Doorbell | null,
    /** every source whose commit rings the doorbell: the DecisionRings and the FillRing */
    private readonly wakeRings: readonly DoorbellSource[],
    private readonly decisionRings: readonly SpscRing[],
    /** the poll budget after work (runtime/spin.ts spinBudgetMs) */
    private readonly spinMs: number,
  ) {}

  /**
   * Waits for work. Null when it already came without an event-loop turn (a ring filled during the
   * poll or the blocking wait); else the wait to await.
   */
  wait(lastWorkMs: number, inFlight: number, nextReconcileMs: number): Promise<unknown> | null {
    const doorbell = this.doorbell;
    if (doorbell !== null) {
      if (pollBriefly(this.wakeRings, lastWorkMs, this.spinMs)) return null;
      if (inFlight > 0) return doorbell.waitForAnyAsync(this.wakeRings, IN_FLIGHT_WAIT_MS);
      if (doorbell.waitForAny(this.wakeRings, Math.min(IDLE_BLOCK_MS, nextReconcileMs - nowMs())))
        return null;
      return new Promise((r) => setImmediate(r)); // timers and control messages
    }
    if (this.decisionRings.length > 0) return this.decisionRings[0]!.waitForRecordsAsync(2);
    return new Promise((r) => setTimeout(r, 2));
  }
}

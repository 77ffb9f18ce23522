/**
 * One clock for latency stamps on every thread: epoch milliseconds with sub-microsecond
 * resolution. `performance.timeOrigin + performance.now()` is derived from the same monotonic
 * clock in every worker_thread, so a stamp taken on io and one taken in a decide worker or the
 * orders thread can be subtracted. (Date.now() has millisecond resolution only;
 * process.hrtime.bigint() allocates.)
 */
import { performance } from "node:perf_hooks";

const origin = performance.timeOrigin;

export function nowMs(): number {
  return origin + performance.now();
}

/**
 * The engine's notion of "now" for code that runs both live and in a backtest (order manager,
 * REST client token buckets, the paper exchange core): live passes `systemClock`, the backtest a
 * clock that follows the log's receive times (src/backtest/), so nothing on those paths reads the
 * system time when it replays.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs };

/** A clock set by its owner (the backtest driver sets it to each frame's receive time). */
export class ManualClock implements Clock {
  constructor(private ms = 0) {}
  nowMs(): number {
    return this.ms;
  }
  /** Moves the clock; never backwards (a log's receive times may repeat, never decrease here). */
  set(ms: number): void {
    if (ms > this.ms) this.ms = ms;
  }
}

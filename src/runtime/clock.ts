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

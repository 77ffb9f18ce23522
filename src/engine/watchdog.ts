/**
 * io's watchdog: how late io's own event loop runs (a timer's drift), and how long ago each
 * worker thread's loop last turned (stats/heartbeats.ts). /stats and /metrics show both; a thread
 * whose heartbeat is older than `staleMs` makes /healthz answer 503.
 */
import { nowMs } from "../runtime/clock.js";
import type { MetricSample } from "../stats/counters.js";
import { decideHeartbeatSlot, HEARTBEAT_ORDERS, type Heartbeats } from "../stats/heartbeats.js";

export interface WatchdogOptions {
  /** a heartbeat older than this is stale (default 5 s) */
  staleMs?: number;
  /** how often io measures its own lag (default 500 ms) */
  intervalMs?: number;
}

export class Watchdog {
  /** io's event-loop lag at the last tick, and the largest seen, in milliseconds */
  lagMs = 0;
  maxLagMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly staleMs: number;
  private readonly intervalMs: number;
  private readonly threads: Array<{ name: string; slot: number }>;

  constructor(
    private readonly heartbeats: Heartbeats,
    decideThreads: number,
    options: WatchdogOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 5_000;
    this.intervalMs = options.intervalMs ?? 500;
    this.threads = [{ name: "orders", slot: HEARTBEAT_ORDERS }];
    for (let w = 0; w < decideThreads; w++)
      this.threads.push({ name: `decide-${w}`, slot: decideHeartbeatSlot(w) });
  }

  start(): void {
    let expected = nowMs() + this.intervalMs;
    this.timer = setInterval(() => {
      const now = nowMs();
      this.lagMs = Math.max(0, now - expected);
      if (this.lagMs > this.maxLagMs) this.maxLagMs = this.lagMs;
      expected = now + this.intervalMs;
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** heartbeat age per thread in milliseconds (-1: never beat) */
  ages(): Array<{ thread: string; ageMs: number }> {
    const now = nowMs();
    return this.threads.map((t) => ({ thread: t.name, ageMs: this.heartbeats.ageMs(t.slot, now) }));
  }

  /** threads whose loop has not turned within `staleMs` (or never started) */
  staleThreads(): string[] {
    return this.ages()
      .filter((a) => a.ageMs < 0 || a.ageMs > this.staleMs)
      .map((a) => a.thread);
  }

  /** gauges for /stats and /metrics, beside the Counters registry */
  samples(): MetricSample[] {
    const out: MetricSample[] = [
      {
        name: "io_loop_lag_ms",
        kind: "gauge",
        help: "io event-loop lag at the last watchdog tick, ms",
        labels: {},
        value: round(this.lagMs),
      },
      {
        name: "io_loop_lag_max_ms",
        kind: "gauge",
        help: "Largest io event-loop lag seen, ms",
        labels: {},
        value: round(this.maxLagMs),
      },
    ];
    for (const a of this.ages())
      out.push({
        name: "thread_heartbeat_age_ms",
        kind: "gauge",
        help: "Milliseconds since the thread's loop last turned (-1: not started)",
        labels: { thread: a.thread },
        value: a.ageMs,
      });
    return out;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

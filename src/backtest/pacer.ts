/**
 * Pacing of a backtest at `--speed N`: the frame received at log time t is processed no earlier
 * than (t − t₀) / N after the first frame, by the sleeper's clock. The sleeper is injected so
 * tests pace on a virtual clock; the driver uses the wall clock. Pacing only delays frames: what
 * the engine sees — the log's receive times through its own Clock — is the same at any speed.
 */
import { performance } from "node:perf_hooks";

export interface Sleeper {
  /** a monotonic time in ms */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const wallSleeper: Sleeper = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Sleeps shorter than this are skipped (a timer cannot wait less than ~1 ms). */
const MIN_SLEEP_MS = 1;

export class LogPacer {
  private firstLogMs = Number.NaN;
  private startedAt = 0;

  /** `speed`: N× the log's own pace; ∞ (`--speed max`) never waits. */
  constructor(
    private readonly speed: number,
    private readonly sleeper: Sleeper = wallSleeper,
  ) {}

  /** Resolves when the frame received at `logMs` is due. */
  async due(logMs: number): Promise<void> {
    if (!Number.isFinite(this.speed)) return;
    if (Number.isNaN(this.firstLogMs)) {
      this.firstLogMs = logMs;
      this.startedAt = this.sleeper.now();
      return;
    }
    const aheadMs = (logMs - this.firstLogMs) / this.speed - (this.sleeper.now() - this.startedAt);
    if (aheadMs > MIN_SLEEP_MS) await this.sleeper.sleep(aheadMs);
  }
}

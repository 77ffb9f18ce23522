/**
 * Circuit breakers of the orders thread (time injected; no timers).
 *
 * Three trip conditions pause new orders: N consecutive transport/server errors, a reject rate
 * above a threshold over the last K order outcomes, and a 429 storm (M rate-limit answers
 * within a window). After the cool-down the breaker re-arms and RESETS every counter
 * (correctness-rules.md rule 23) — otherwise the old errors would trip it again on the first new one.
 */

export interface BreakerConfig {
  maxConsecutiveErrors: number;
  /** outcomes kept for the reject rate */
  rejectWindow: number;
  /** trip when rejects × 100 ≥ maxRejectPercent × outcomes (window full) */
  maxRejectPercent: number;
  rateLimitWindowMs: number;
  maxRateLimitedInWindow: number;
  coolDownMs: number;
}

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = Object.freeze({
  maxConsecutiveErrors: 5,
  rejectWindow: 20,
  maxRejectPercent: 50,
  rateLimitWindowMs: 10_000,
  maxRateLimitedInWindow: 5,
  coolDownMs: 30_000,
});

export type TripReason = "consecutive_errors" | "reject_rate" | "rate_limit_storm" | "order_group_triggered";

export class CircuitBreakers {
  private consecutiveErrors = 0;
  private readonly outcomes: Uint8Array; // 1 = reject
  private outcomeCount = 0;
  private outcomeHead = 0;
  private rejectsInWindow = 0;
  private readonly rateLimitedMs: Float64Array;
  private rateLimitedHead = 0;
  private trippedAtMs = Number.NaN;
  tripReason: TripReason | null = null;
  trips = 0;
  rearms = 0;
  /** told of every trip and every re-arm (the orders thread publishes them as events) */
  onChange: ((tripped: boolean, reason: TripReason) => void) | undefined;

  constructor(private readonly config: BreakerConfig = DEFAULT_BREAKER_CONFIG) {
    this.outcomes = new Uint8Array(Math.max(1, config.rejectWindow));
    this.rateLimitedMs = new Float64Array(Math.max(1, config.maxRateLimitedInWindow)).fill(
      Number.NEGATIVE_INFINITY,
    );
  }

  /** false while tripped; re-arms (and resets the counters) once the cool-down has passed. */
  canTrade(nowMs: number): boolean {
    if (this.tripReason === null) return true;
    if (nowMs - this.trippedAtMs < this.config.coolDownMs) return false;
    const reason = this.tripReason;
    this.reset();
    this.rearms++;
    this.onChange?.(false, reason);
    return true;
  }

  get tripped(): boolean {
    return this.tripReason !== null;
  }

  /** An order accepted by the exchange. */
  recordAccepted(): void {
    this.consecutiveErrors = 0;
    this.pushOutcome(0, Number.NaN);
  }

  /** A business reject (4xx other than 429). */
  recordRejected(nowMs: number): void {
    this.consecutiveErrors = 0;
    this.pushOutcome(1, nowMs);
  }

  /** Transport error, timeout or 5xx. */
  recordError(nowMs: number): void {
    this.consecutiveErrors++;
    if (this.consecutiveErrors >= this.config.maxConsecutiveErrors) this.trip("consecutive_errors", nowMs);
  }

  /** HTTP 429. */
  recordRateLimited(nowMs: number): void {
    this.rateLimitedMs[this.rateLimitedHead] = nowMs;
    this.rateLimitedHead = (this.rateLimitedHead + 1) % this.rateLimitedMs.length;
    // after the write, the next slot holds the M-th most recent 429 (−∞ until M have happened)
    const mthMostRecent = this.rateLimitedMs[this.rateLimitedHead]!;
    if (nowMs - mthMostRecent <= this.config.rateLimitWindowMs) this.trip("rate_limit_storm", nowMs);
  }

  /** Manual trip (e.g. kill switch); same cool-down. */
  trip(reason: TripReason, nowMs: number): void {
    if (this.tripReason !== null) return;
    this.tripReason = reason;
    this.trippedAtMs = nowMs;
    this.trips++;
    this.onChange?.(true, reason);
  }

  private pushOutcome(reject: 0 | 1, nowMs: number): void {
    if (this.outcomeCount === this.outcomes.length) this.rejectsInWindow -= this.outcomes[this.outcomeHead]!;
    else this.outcomeCount++;
    this.outcomes[this.outcomeHead] = reject;
    this.rejectsInWindow += reject;
    this.outcomeHead = (this.outcomeHead + 1) % this.outcomes.length;
    if (
      reject === 1 &&
      this.outcomeCount === this.outcomes.length &&
      this.rejectsInWindow * 100 >= this.config.maxRejectPercent * this.outcomeCount
    ) {
      this.trip("reject_rate", nowMs);
    }
  }

  private reset(): void {
    this.consecutiveErrors = 0;
    this.outcomes.fill(0);
    this.outcomeCount = 0;
    this.outcomeHead = 0;
    this.rejectsInWindow = 0;
    this.rateLimitedMs.fill(Number.NEGATIVE_INFINITY);
    this.rateLimitedHead = 0;
    this.tripReason = null;
    this.trippedAtMs = Number.NaN;
  }

  /** Counters for /stats. */
  snapshot(): {
    consecutiveErrors: number;
    rejectsInWindow: number;
    outcomes: number;
    tripped: TripReason | null;
  } {
    return {
      consecutiveErrors: this.consecutiveErrors,
      rejectsInWindow: this.rejectsInWindow,
      outcomes: this.outcomeCount,
      tripped: this.tripReason,
    };
  }
}

/**
 * Client-side token buckets for Kalshi's read and write budgets (kalshi-api-notes.md;
 * correctness-rules.md rule 17). Time is injected; the bucket never sleeps itself.
 *
 * `reserve(cost, nowMs)` takes the tokens at once — the balance may go negative — and returns how
 * long the caller must wait before sending. Debt instead of polling keeps callers in FIFO order
 * (each reservation waits behind the ones before it) with no retry loop.
 */

export interface BucketConfig {
  /** tokens refilled per second (the tier's per-second budget) */
  refillPerSec: number;
  /** burst size in tokens */
  capacity: number;
}

/** Token costs (kalshi-api-notes.md): default 10; V2 cancel 2; GET order by id 2; batches per item. */
export const COST_DEFAULT = 10;
export const COST_V2_CANCEL = 2;
export const COST_GET_ORDER = 2;
export const COST_BATCH_CREATE_ITEM = 10;
export const COST_BATCH_CANCEL_ITEM = 2;

/** Basic tier: read 200/s (1 s burst), write 100/s (1 s burst; higher tiers hold 2 s). */
export const BASIC_READ: BucketConfig = Object.freeze({ refillPerSec: 200, capacity: 200 });
export const BASIC_WRITE: BucketConfig = Object.freeze({ refillPerSec: 100, capacity: 100 });

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  rateLimitedCount = 0;

  constructor(
    private readonly config: BucketConfig,
    nowMs: number,
  ) {
    if (!(config.refillPerSec > 0) || !(config.capacity > 0))
      throw new RangeError("token-bucket: bad config");
    this.tokens = config.capacity;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(
        this.config.capacity,
        this.tokens + ((nowMs - this.lastMs) * this.config.refillPerSec) / 1000,
      );
      this.lastMs = nowMs;
    }
  }

  /** Takes `cost` tokens now and returns the ms to wait before the request may go (0 = now). */
  reserve(cost: number, nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= cost;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.config.refillPerSec);
  }

  /** Takes `cost` only if available now. */
  tryTake(cost: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** The server answered 429: our local view was optimistic, so empty the bucket (rule 17). */
  onRateLimited(nowMs: number): void {
    this.refill(nowMs);
    this.rateLimitedCount++;
    if (this.tokens > 0) this.tokens = 0;
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }
}

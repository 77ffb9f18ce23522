/**
 * Kalshi's token-bucket rate limits (kalshi-api-notes.md): two independent buckets per API key,
 * Read and Write; every request costs tokens (default 10), a few endpoints cost less or more; an
 * empty bucket answers 429 `{"error":"too many requests"}`. Time is passed in (ms) so the buckets
 * are pure state machines that tests drive without sleeping.
 */

export type UsageTier = "basic" | "advanced" | "premier" | "paragon" | "prime";
export type RateLimitTier = UsageTier | "off";

export interface BucketSpec {
  /** tokens per second */
  refillRate: number;
  bucketCapacity: number;
}

/** Per-second budgets (read / write); write holds 2 s of budget except Basic (1 s). */
export const TIER_LIMITS: Readonly<Record<UsageTier, { read: BucketSpec; write: BucketSpec }>> =
  Object.freeze({
    basic: {
      read: { refillRate: 200, bucketCapacity: 200 },
      write: { refillRate: 100, bucketCapacity: 100 },
    },
    advanced: {
      read: { refillRate: 300, bucketCapacity: 300 },
      write: { refillRate: 300, bucketCapacity: 600 },
    },
    premier: {
      read: { refillRate: 1000, bucketCapacity: 1000 },
      write: { refillRate: 1000, bucketCapacity: 2000 },
    },
    paragon: {
      read: { refillRate: 2000, bucketCapacity: 2000 },
      write: { refillRate: 2000, bucketCapacity: 4000 },
    },
    prime: {
      read: { refillRate: 4000, bucketCapacity: 4000 },
      write: { refillRate: 4000, bucketCapacity: 8000 },
    },
  });

export const DEFAULT_COST = 10;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly spec: BucketSpec,
    nowMs: number,
  ) {
    this.tokens = spec.bucketCapacity;
    this.lastMs = nowMs;
  }

  /** Takes `cost` tokens if available; false (nothing taken) when the bucket is short. */
  take(cost: number, nowMs: number): boolean {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(
        this.spec.bucketCapacity,
        this.tokens + ((nowMs - this.lastMs) * this.spec.refillRate) / 1000,
      );
      this.lastMs = nowMs;
    }
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  available(nowMs: number): number {
    const refill = nowMs > this.lastMs ? ((nowMs - this.lastMs) * this.spec.refillRate) / 1000 : 0;
    return Math.min(this.spec.bucketCapacity, this.tokens + refill);
  }
}

export type BucketName = "read" | "write";

export interface RequestCost {
  bucket: BucketName;
  cost: number;
}

/**
 * The bucket and cost of one request: writes are order create/amend/decrease/cancel and
 * order groups; V2 cancel 2, V2 batch cancel 2/item, V2 batch create 10/item, GET one order 2,
 * legacy V1 writes 100. `path` is relative to `/trade-api/v2`.
 */
export function requestCost(method: string, path: string, batchItems = 1): RequestCost {
  const m = method.toUpperCase();
  if (path.startsWith("/portfolio/events/orders")) {
    if (path === "/portfolio/events/orders/batched") {
      return { bucket: "write", cost: (m === "DELETE" ? 2 : 10) * Math.max(1, batchItems) };
    }
    if (m === "DELETE") return { bucket: "write", cost: 2 };
    return { bucket: "write", cost: DEFAULT_COST };
  }
  if (path.startsWith("/portfolio/order_groups") && m !== "GET")
    return { bucket: "write", cost: DEFAULT_COST };
  if (path.startsWith("/portfolio/orders") && m !== "GET") return { bucket: "write", cost: 100 };
  if (m === "GET" && /^\/portfolio\/orders\/[^/]+$/.test(path)) return { bucket: "read", cost: 2 };
  return { bucket: "read", cost: DEFAULT_COST };
}

/** Buckets per API key for one tier ("off" = unlimited). */
export class RateLimiter {
  private readonly buckets = new Map<string, { read: TokenBucket; write: TokenBucket }>();

  constructor(readonly tier: RateLimitTier) {}

  /** True when the request may proceed (tokens taken); false = answer 429. */
  allow(keyId: string, cost: RequestCost, nowMs: number): boolean {
    if (this.tier === "off") return true;
    let b = this.buckets.get(keyId);
    if (b === undefined) {
      const spec = TIER_LIMITS[this.tier];
      b = { read: new TokenBucket(spec.read, nowMs), write: new TokenBucket(spec.write, nowMs) };
      this.buckets.set(keyId, b);
    }
    return b[cost.bucket].take(cost.cost, nowMs);
  }

  /** `GET /account/limits` body. */
  limitsBody(): string {
    const tier = this.tier === "off" ? "prime" : this.tier;
    const s = TIER_LIMITS[tier];
    return `{"usage_tier":"${tier}","read":{"refill_rate":${s.read.refillRate},"bucket_capacity":${s.read.bucketCapacity}},"write":{"refill_rate":${s.write.refillRate},"bucket_capacity":${s.write.bucketCapacity}},"grants":[]}`;
  }
}

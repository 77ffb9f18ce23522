/**
 * The paper exchange's fault plan: a plain, frozen object (swappable like the fill and fee models,
 * as in hftbacktest) plus the seeded injector that applies it. Faults are drawn from their own
 * PRNG streams — one for REST, one for the feed — so the REST fault sequence under a seed does not
 * depend on how much market data happened to flow.
 *
 * REST kinds (docs/architecture.md "The paper exchange", kalshi-api-notes.md):
 *  - "429": `{"error":"too many requests"}`, no Retry-After;
 *  - "5xx": 500/502/503 with a Kalshi-shaped body;
 *  - "timeout": never answer; the connection is closed after `timeoutCloseMs`;
 *  - "reset_after_accept": a write is APPLIED, then the connection is destroyed without a response
 *    (the outcome-unknown case of correctness-rules.md rule 15); reads are simply reset;
 *  - "slow_ack": applied, answered after `slowAckMs`.
 * Feed: each WS data frame is dropped (a seq gap) or duplicated with probability
 * `feedFaultRate`; every `feedDisconnectEvery` data frames a connection is closed.
 */
import { Xoshiro128 } from "./prng.js";

export const REST_FAULT_KINDS = ["429", "5xx", "timeout", "reset_after_accept", "slow_ack"] as const;
export type RestFaultKind = (typeof REST_FAULT_KINDS)[number];

export interface FaultPlan {
  seed: number;
  /** probability that one REST request is faulted (0..1) */
  restFaultRate: number;
  /** relative weights of the REST fault kinds; missing kinds weigh 0 */
  restFaultKinds: Partial<Record<RestFaultKind, number>>;
  /** probability that one WS data frame is dropped or duplicated (0..1) */
  feedFaultRate: number;
  /** relative weights of drop vs duplicate (default 3:1) */
  feedFaultKinds?: { drop: number; duplicate: number };
  /** close a WS connection after this many data frames sent on it (undefined = never) */
  feedDisconnectEvery?: number;
  /** probability that an orderbook snapshot is sent empty, as demo often does */
  emptySnapshotRate?: number;
  /** delay of a slow ack (default 2,000 ms) */
  slowAckMs?: number;
  /** how long a "timeout" request hangs before its connection is closed (default 30,000 ms) */
  timeoutCloseMs?: number;
}

export const NO_FAULTS: Readonly<FaultPlan> = Object.freeze({
  seed: 1,
  restFaultRate: 0,
  restFaultKinds: {},
  feedFaultRate: 0,
});

/** Default weights used when a rate is given without kinds (e.g. the CLI's --fault-rate). */
export const DEFAULT_REST_FAULT_WEIGHTS: Readonly<Record<RestFaultKind, number>> = Object.freeze({
  "429": 3,
  "5xx": 3,
  timeout: 1,
  reset_after_accept: 1,
  slow_ack: 2,
});

function checkRate(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new Error(`fault plan: ${name} must be within 0..1, got ${v}`);
}

/** Validates and freezes a plan (configuration is parsed once into a frozen object). */
export function makeFaultPlan(partial: Partial<FaultPlan> = {}): Readonly<FaultPlan> {
  const plan: FaultPlan = {
    seed: partial.seed ?? 1,
    restFaultRate: partial.restFaultRate ?? 0,
    restFaultKinds: { ...(partial.restFaultKinds ?? DEFAULT_REST_FAULT_WEIGHTS) },
    feedFaultRate: partial.feedFaultRate ?? 0,
    feedFaultKinds: partial.feedFaultKinds ?? { drop: 3, duplicate: 1 },
    feedDisconnectEvery: partial.feedDisconnectEvery,
    emptySnapshotRate: partial.emptySnapshotRate ?? 0,
    slowAckMs: partial.slowAckMs ?? 2000,
    timeoutCloseMs: partial.timeoutCloseMs ?? 30_000,
  };
  checkRate("restFaultRate", plan.restFaultRate);
  checkRate("feedFaultRate", plan.feedFaultRate);
  checkRate("emptySnapshotRate", plan.emptySnapshotRate ?? 0);
  for (const [k, w] of Object.entries(plan.restFaultKinds)) {
    if (!(REST_FAULT_KINDS as readonly string[]).includes(k))
      throw new Error(`fault plan: unknown kind ${k}`);
    if (!(w !== undefined && w >= 0)) throw new Error(`fault plan: weight of ${k} must be >= 0`);
  }
  if (plan.restFaultRate > 0 && REST_FAULT_KINDS.every((k) => !(plan.restFaultKinds[k]! > 0))) {
    throw new Error("fault plan: restFaultRate > 0 needs at least one kind with a positive weight");
  }
  if (plan.feedDisconnectEvery !== undefined && !(plan.feedDisconnectEvery >= 1)) {
    throw new Error("fault plan: feedDisconnectEvery must be >= 1");
  }
  Object.freeze(plan.restFaultKinds);
  return Object.freeze(plan);
}

export type FeedFault = "none" | "drop" | "duplicate";

/** Applies a plan deterministically: same seed, same sequence of draws, same faults. */
export class FaultInjector {
  private readonly restRng: Xoshiro128;
  private readonly feedRng: Xoshiro128;
  private readonly kindWeights: number[];
  private readonly feedWeights: [number, number];
  /** counts of injected faults, for logs and tests */
  readonly counts = {
    rest: { "429": 0, "5xx": 0, timeout: 0, reset_after_accept: 0, slow_ack: 0 } as Record<
      RestFaultKind,
      number
    >,
    feedDropped: 0,
    feedDuplicated: 0,
    feedDisconnects: 0,
  };

  constructor(readonly plan: Readonly<FaultPlan>) {
    this.restRng = new Xoshiro128(plan.seed ^ 0x5eed0001);
    this.feedRng = new Xoshiro128(plan.seed ^ 0x5eed0002);
    this.kindWeights = REST_FAULT_KINDS.map((k) => plan.restFaultKinds[k] ?? 0);
    const fk = plan.feedFaultKinds ?? { drop: 3, duplicate: 1 };
    this.feedWeights = [fk.drop, fk.duplicate];
  }

  /** frames still to drop because a test asked for a gap (`forceGap`) */
  private forcedDrops = 0;

  get feedActive(): boolean {
    return this.plan.feedFaultRate > 0 || this.plan.feedDisconnectEvery !== undefined || this.forcedDrops > 0;
  }

  /** Test hook (kalshi-api-notes.md): drop the next `frames` seq-carrying data frames. */
  forceGap(frames = 1): void {
    this.forcedDrops += frames;
  }

  /** One draw per orderbook snapshot: send it with no levels? */
  drawEmptySnapshot(): boolean {
    const p = this.plan.emptySnapshotRate ?? 0;
    return p > 0 && this.feedRng.chance(p);
  }

  /** One draw per REST request: the fault to inject, or null. */
  drawRestFault(): RestFaultKind | null {
    if (this.plan.restFaultRate <= 0) return null;
    if (!this.restRng.chance(this.plan.restFaultRate)) return null;
    const kind = REST_FAULT_KINDS[this.restRng.weighted(this.kindWeights)]!;
    this.counts.rest[kind]++;
    return kind;
  }

  /** The status of a "5xx" fault: 500, 502 or 503. */
  draw5xxStatus(): 500 | 502 | 503 {
    const i = this.restRng.int(3);
    return i === 0 ? 500 : i === 1 ? 502 : 503;
  }

  /** One draw per WS data frame. */
  drawFeedFault(): FeedFault {
    if (this.forcedDrops > 0) {
      this.forcedDrops--;
      this.counts.feedDropped++;
      return "drop";
    }
    if (this.plan.feedFaultRate <= 0 || !this.feedRng.chance(this.plan.feedFaultRate)) return "none";
    if (this.feedRng.weighted(this.feedWeights) === 0) {
      this.counts.feedDropped++;
      return "drop";
    }
    this.counts.feedDuplicated++;
    return "duplicate";
  }
}

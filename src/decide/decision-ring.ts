/**
 * DecisionRing — decisions from ONE decide worker to the orders thread (one ring per worker, so
 * each ring keeps a single producer; the orders thread is the single consumer of all of them).
 * Transport is `SpscRing` (src/shm/spsc-ring.ts); this module owns the record layout.
 *
 * Record (8 × 8-byte words, Float64 view; all values are exact integers or epoch-ms stamps):
 *
 *   word  field              meaning
 *   0     market             dense market index m (MarketDirectory numbering)
 *   1     action             ActionKind (policy/action-space.ts): 1 BUY_YES … 4 SELL_NO; never HOLD
 *   2     sizeHundredths     contracts × 100 from the action space
 *   3     bookSeq            seq of the latest book message the observation saw
 *   4     frameRecvMs        receive stamp of the oldest frame not yet decided for m (clock.ts)
 *   5     decidedMs          stamp when the policy returned (clock.ts)
 *   6     appliedCount       the market's applied-update count the observation saw
 *   7     batchSize          rows in the policy run that produced it
 *
 * Writer: a decide worker. Reader: the orders thread. A full ring refuses the record and counts
 * an overflow in the ring (correctness-rules.md: never silent); the decision is lost, which is the right
 * outcome for a decision that could not be delivered within the loop budget anyway.
 */
import type { DoorbellShared } from "../shm/doorbell.js";
import { SpscRing, type SpscRingShared } from "../shm/spsc-ring.js";

export const DECISION_RECORD_WORDS = 8;
const W_MARKET = 0;
const W_ACTION = 1;
const W_SIZE = 2;
const W_SEQ = 3;
const W_RECV = 4;
const W_DECIDED = 5;
const W_APPLIED = 6;
const W_BATCH = 7;

/** `doorbell`: shared by every ring the orders thread sleeps on (see shm/doorbell.ts). */
export function createDecisionRing(capacity = 4096, doorbell?: DoorbellShared): SpscRing {
  return SpscRing.create({ recordWords: DECISION_RECORD_WORDS, capacity, ...(doorbell ? { doorbell } : {}) });
}

/** Plain view of one record, filled in place by `readDecision` (reuse one object). */
export class DecisionRecord {
  market = 0;
  action = 0;
  sizeHundredths = 0;
  bookSeq = 0;
  frameRecvMs = 0;
  decidedMs = 0;
  appliedCount = 0;
  batchSize = 0;
}

/** Producer side (decide worker). Returns false when the ring is full (counted by the ring). */
export function writeDecision(
  ring: SpscRing,
  market: number,
  action: number,
  sizeHundredths: number,
  bookSeq: number,
  frameRecvMs: number,
  decidedMs: number,
  appliedCount: number,
  batchSize: number,
): boolean {
  const slot = ring.tryClaim();
  if (slot < 0) return false;
  const f = ring.f64;
  f[slot + W_MARKET] = market;
  f[slot + W_ACTION] = action;
  f[slot + W_SIZE] = sizeHundredths;
  f[slot + W_SEQ] = bookSeq;
  f[slot + W_RECV] = frameRecvMs;
  f[slot + W_DECIDED] = decidedMs;
  f[slot + W_APPLIED] = appliedCount;
  f[slot + W_BATCH] = batchSize;
  ring.commit();
  return true;
}

/** Consumer side (orders thread): copies the record at `slot` into `out`. */
export function readDecision(ring: SpscRing, slot: number, out: DecisionRecord): DecisionRecord {
  const f = ring.f64;
  out.market = f[slot + W_MARKET];
  out.action = f[slot + W_ACTION];
  out.sizeHundredths = f[slot + W_SIZE];
  out.bookSeq = f[slot + W_SEQ];
  out.frameRecvMs = f[slot + W_RECV];
  out.decidedMs = f[slot + W_DECIDED];
  out.appliedCount = f[slot + W_APPLIED];
  out.batchSize = f[slot + W_BATCH];
  return out;
}

export type DecisionRingShared = SpscRingShared;

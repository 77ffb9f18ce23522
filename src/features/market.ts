/**
 * Market block (indices 0–25) of observation v1 — pure math over the aggregates of a bids-only
 * book (YES bids and NO bids, NO price scale, ticks of $0.0001).
 *
 * observation-v1.md §4–§5. The aggregates come from BookTable, which keeps them as deltas apply.
 * Every one is an integer (ticks, hundredths, tick·hundredths — exact in binary64 while a side's
 * Σ q·p stays below 2^53, i.e. for any book under ~9·10^10 contracts); floating point only
 * evaluates the final formulas (§2 exactness).
 */
import type { SideAggregates, TopThreeSizes } from "../book/book-table.js";
import { HALF_TICKS_PER_DOLLAR, TICKS_PER_DOLLAR } from "../kalshi/units.js";

/** L = ln(10001): log-volume reference of 10,000 contracts (§2). */
export const LOG_VOLUME_REFERENCE = Math.log(10001);
/** spread_regime thresholds (§5 index 10): $0.02, $0.05, $0.10, $0.20 */
const SPREAD_2C = 200;
const SPREAD_5C = 500;
const SPREAD_10C = 1000;
const SPREAD_20C = 2000;

/**
 * Integer aggregates of one side (§4), filled by BookTable.readSides from what the book keeps as
 * deltas apply (near = bids within NEAR_DEPTH_TICKS = $0.05 of the touch, inclusive);
 * preallocated, reused (no allocation).
 */
export class SideScan implements SideAggregates {
  bestTick = 0;
  touchHundredths = 0;
  totalHundredths = 0;
  nearHundredths = 0;
  levelCount = 0;
  /** Σ q·(best − p) in tick·hundredths */
  distanceTickHundredths = 0;
}

/** Top three level sizes over both sides, largest first (§5 index 24). */
export class TopThree implements TopThreeSizes {
  a = 0;
  b = 0;
  c = 0;
}

function logSize(hundredths: number): number {
  return Math.min(Math.log(1 + hundredths / 100) / LOG_VOLUME_REFERENCE, 1);
}

/** Writes features 0–25 (§5) from the two side scans into out[offset .. offset + 25]. */
export function computeMarketBlock(
  yes: SideScan,
  no: SideScan,
  top: TopThree,
  out: Float64Array,
  o: number,
): void {
  const hasYes = yes.bestTick > 0;
  const hasNo = no.bestTick > 0;
  const bidTicks = yes.bestTick; // b_Y
  const askTicks = TICKS_PER_DOLLAR - no.bestTick; // a_Y = 1 − b_N
  const qB = yes.touchHundredths;
  const qA = no.touchHundredths;
  const vB = yes.totalHundredths;
  const vA = no.totalHundredths;
  const v = vB + vA;
  const dB = yes.nearHundredths;
  const dA = no.nearHundredths;

  out[o] = hasYes ? bidTicks / TICKS_PER_DOLLAR : 0;
  out[o + 1] = hasNo ? askTicks / TICKS_PER_DOLLAR : 1;
  out[o + 2] = hasNo ? no.bestTick / TICKS_PER_DOLLAR : 0;
  out[o + 3] = hasYes ? (TICKS_PER_DOLLAR - bidTicks) / TICKS_PER_DOLLAR : 1;
  if (hasYes && hasNo) {
    const midHalfTicks = bidTicks + askTicks;
    const spreadTicks = askTicks - bidTicks; // may be ≤ 0: crossed/locked books are not repaired (§4)
    out[o + 4] = midHalfTicks / HALF_TICKS_PER_DOLLAR;
    out[o + 5] = (HALF_TICKS_PER_DOLLAR - midHalfTicks) / HALF_TICKS_PER_DOLLAR;
    out[o + 6] = spreadTicks / TICKS_PER_DOLLAR;
    out[o + 7] = (bidTicks * qA + askTicks * qB) / (qA + qB) / TICKS_PER_DOLLAR;
    out[o + 8] = (2 * spreadTicks) / midHalfTicks;
    out[o + 9] = (2 * spreadTicks) / (HALF_TICKS_PER_DOLLAR - midHalfTicks);
    out[o + 10] =
      spreadTicks < SPREAD_2C
        ? 0
        : spreadTicks < SPREAD_5C
          ? 0.25
          : spreadTicks < SPREAD_10C
            ? 0.5
            : spreadTicks < SPREAD_20C
              ? 0.75
              : 1;
    out[o + 20] = (bidTicks * vA + askTicks * vB) / v / TICKS_PER_DOLLAR;
    out[o + 21] = (TICKS_PER_DOLLAR * v - bidTicks * vA - askTicks * vB) / v / TICKS_PER_DOLLAR;
  } else {
    out[o + 4] = 0.5;
    out[o + 5] = 0.5;
    out[o + 6] = 1;
    out[o + 7] = 0.5;
    out[o + 8] = 2;
    out[o + 9] = 2;
    out[o + 10] = 1;
    out[o + 20] = 0.5;
    out[o + 21] = 0.5;
  }
  out[o + 11] = qB + qA > 0 ? (qB - qA) / (qB + qA) : 0;
  out[o + 12] = logSize(qB);
  out[o + 13] = logSize(qA);
  out[o + 14] = logSize(v);
  out[o + 15] = dB + dA > 0 ? (dB - dA) / (dB + dA) : 0;
  out[o + 16] = v > 0 ? (vB - vA) / v : 0;
  out[o + 17] = logSize(dB);
  out[o + 18] = logSize(dA);
  out[o + 19] = hasYes && vB > 0 ? yes.distanceTickHundredths / vB / TICKS_PER_DOLLAR : 0;
  out[o + 22] = Math.min((yes.levelCount + no.levelCount) / 20, 1);
  out[o + 23] = hasNo && vA > 0 ? no.distanceTickHundredths / vA / TICKS_PER_DOLLAR : 0;
  out[o + 24] = v > 0 ? (top.a + top.b + top.c) / v : 0;
  out[o + 25] = v > 0 ? (qB + qA) / v : 0;
}

/**
 * Temporal block (indices 26–35) of observation v1 — pure math over integer inputs.
 *
 * observation-v1.md §6. Evaluated by the io thread inside `TemporalTable.advance` (the features
 * depend only on the update sequence, §6.2), so the decide worker only copies ten float64 values.
 * Everything is compared on integers: mids in half-ticks (1 half-tick = $0.00005), activity on the
 * capped counts min(n, 60) (§6.4), times in ms.
 */

/** H holds at most this many previous records (§6.1). */
export const HISTORY_CAPACITY = 10;
/** act(x) = min(1, n / 60): counts beyond 60 are indistinguishable (§6.2). */
export const ACTIVITY_COUNT_CAP = 60;
/** $0.05 in half-ticks of $0.00005 (§6.4). */
const HALF_TICKS_PER_5_CENTS = 1000;
/** Sentinel for an undefined YES mid (real mids are ≥ 2 half-ticks). */
export const NO_MID = 0;

/** Inputs of §6.2 step 5, preallocated once per writer; H is in chronological order (oldest first). */
export class TemporalInputs {
  /** #H, 0..10 */
  historyCount = 0;
  readonly historyTMs = new Float64Array(HISTORY_CAPACITY);
  readonly historyMidHalfTicks = new Int32Array(HISTORY_CAPACITY);
  /** min(n, 60) of each record */
  readonly historyCappedN = new Int32Array(HISTORY_CAPACITY);
  /** true for the market's first applied update (gap defaults to 0) */
  first = true;
  /** t − t_last in ms (0 on the first update) */
  gapMs = 0;
  /** effective time t of the current update */
  tMs = 0;
  midHalfTicks = NO_MID;
  /** min(n, 60) of the current update */
  cappedN = 1;
  /** number of entries of M known (only 0..3 matter) */
  midChangeCount = 0;
  /** last three entries of M, oldest first (valid from index 3 − min(3, count)) */
  readonly lastMidChangesHalfTicks = new Int32Array(3);
  /** America/New_York hour of tMs */
  newYorkHour = 0;
  /**
   * Whether M gained an entry with this update. When false, M is what it was at the previous
   * evaluation into the same `out` block, which already holds feature 33 (a function of M alone):
   * it is left as it is (one Math.tanh less for the many updates that do not move the mid).
   */
  midChanged = true;
}

/**
 * Writes features 26–35 (§6.3) into out[offset .. offset + 9] (feature 33 only when
 * `inp.midChanged`, see there).
 */
export function computeTemporalFeatures(inp: TemporalInputs, out: Float64Array, offset: number): void {
  const h = inp.historyCount;
  const nc = inp.cappedN;

  // 26 time_since_last_update: min(gap / 300 s, 1)
  out[offset] = inp.first ? 0 : Math.min(inp.gapMs / 300_000, 1);

  // 27 time_of_day
  const hour = inp.newYorkHour;
  out[offset + 1] = hour >= 9 && hour <= 16 ? (hour - 9) / 7 : 0;

  // 28 activity_score
  out[offset + 2] = nc / ACTIVITY_COUNT_CAP;

  // 29 activity_change
  out[offset + 3] =
    h === 0 || nc === inp.historyCappedN[h - 1]
      ? 0 // tanh(+0), without the call: a market that keeps its activity count is the common case
      : Math.tanh(nc / ACTIVITY_COUNT_CAP - inp.historyCappedN[h - 1] / ACTIVITY_COUNT_CAP);

  // 30 update_frequency over R = the last min(5, #H) records
  if (h < 2) out[offset + 4] = 0.1;
  else {
    const r = Math.min(5, h);
    const spanS = (inp.tMs - inp.historyTMs[h - r]) / 1000;
    out[offset + 4] = Math.min(r / Math.max(spanS, 1) / 2, 1);
  }

  // 31 activity_burst and 32 activity_trend over A = counts of H then c (§6.4: integer counts)
  const k = h + 1;
  let sum = nc;
  let sumSq = nc * nc;
  let sumIndexed = h * nc; // Σ i·A_i, the current record has index h
  for (let i = 0; i < h; i++) {
    const a = inp.historyCappedN[i];
    sum += a;
    sumSq += a * a;
    sumIndexed += i * a;
  }
  if (k < 3) out[offset + 5] = 0;
  else {
    // nc > mean + 1.5σ  ⇔  2(k·nc − S) > 3·sqrt(k·Q − S²), all integers: square both sides.
    const lhs = k * nc - sum;
    const varianceK2 = k * sumSq - sum * sum;
    out[offset + 5] = lhs > 0 && 4 * lhs * lhs > 9 * varianceK2 ? 1 : 0;
  }
  if (k < 5) out[offset + 6] = 0;
  else {
    // slope = (k·Σ i·a − Σ i · Σ a) / (k·Σ i² − (Σ i)²), in counts per update; ÷ 60 for activity.
    const sumI = (k * (k - 1)) / 2;
    const sumI2 = ((k - 1) * k * (2 * k - 1)) / 6;
    const slopeNumerator = k * sumIndexed - sumI * sum; // exact: integers far below 2^53
    const slopeCounts = slopeNumerator / (k * sumI2 - sumI * sumI);
    out[offset + 6] = slopeNumerator === 0 ? 0 : Math.tanh((10 * slopeCounts) / ACTIVITY_COUNT_CAP);
  }

  // 33 price_momentum over the last three entries of M (r − q)/|q| is scale-free: use half-ticks.
  if (inp.midChangeCount < 3) out[offset + 7] = 0;
  else if (inp.midChanged) {
    const m = inp.lastMidChangesHalfTicks;
    const r = m[2] - m[1];
    const q = m[1] - m[0];
    out[offset + 7] = q !== 0 ? Math.tanh((r - q) / Math.abs(q)) : 0;
  }

  // 34 volatility_regime: Q = last 5 records of H then c; σ(D)/$0.05 = σ(D in half-ticks) / 1000.
  out[offset + 8] = 0.1;
  if (h >= 5) {
    let count = 0;
    let dSum = 0;
    let dSumSq = 0;
    let prev = inp.historyMidHalfTicks[h - 5];
    for (let i = h - 4; i <= h; i++) {
      const cur = i === h ? inp.midHalfTicks : inp.historyMidHalfTicks[i];
      if (prev !== NO_MID && cur !== NO_MID) {
        const d = Math.abs(cur - prev);
        count++;
        dSum += d;
        dSumSq += d * d;
      }
      prev = cur;
    }
    if (count > 0) {
      const sigmaHalfTicks = Math.sqrt(Math.max(0, count * dSumSq - dSum * dSum)) / count;
      out[offset + 8] = Math.min(sigmaHalfTicks / HALF_TICKS_PER_5_CENTS, 1);
    }
  }

  // 35 price_stability: pairs i = max(1, #H − 3) … #H − 1 inside H; mean(D)/$0.05 = mean(half-ticks)/1000.
  out[offset + 9] = 0.5;
  if (h >= 3) {
    let count = 0;
    let dSum = 0;
    for (let i = Math.max(1, h - 3); i <= h - 1; i++) {
      const a = inp.historyMidHalfTicks[i - 1];
      const b = inp.historyMidHalfTicks[i];
      if (a !== NO_MID && b !== NO_MID) {
        count++;
        dSum += Math.abs(b - a);
      }
    }
    if (count > 0) out[offset + 9] = Math.max(0, 1 - dSum / count / HALF_TICKS_PER_5_CENTS);
  }
}

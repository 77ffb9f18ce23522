/**
 * Portfolio block (indices 36–46) of observation v1 — pure math over integer inputs.
 *
 * observation-v1.md §7. Money in micros, contracts in hundredths, marks in half-ticks of $0.00005.
 * The mark value of c hundredths at a YES mid of y half-ticks is c/100 · y/20000 dollars =
 * c·y/2 micros, exact in binary64 (a multiple of half a micro); only the final ratios are rounded.
 */
import { HALF_TICKS_PER_DOLLAR } from "../kalshi/units.js";

/** Portfolio snapshot taken under PortfolioTable's seqlock; arrays grow, never shrink (no churn). */
export class PortfolioInputs {
  freeCashMicros = 0;
  reservedCashMicros = 0;
  positionCount = 0;
  contractsHundredths = new Float64Array(16);
  costBasisMicros = new Float64Array(16);
  referenceMidHalfTicks = new Int32Array(16);

  ensureCapacity(n: number): void {
    if (n <= this.contractsHundredths.length) return;
    let cap = this.contractsHundredths.length;
    while (cap < n) cap *= 2;
    this.contractsHundredths = new Float64Array(cap);
    this.costBasisMicros = new Float64Array(cap);
    this.referenceMidHalfTicks = new Int32Array(cap);
  }
}

/** V > $0.01 (§7.3 "Needs"). */
const MIN_VALUE_MICROS = 10_000;

/** Writes features 36–46 (§7.3) into out[o .. o + 10]. Positions with c = 0 are skipped. */
export function computePortfolioBlock(p: PortfolioInputs, out: Float64Array, o: number): void {
  let n = 0;
  let longs = 0;
  let shorts = 0;
  let grossHundredths = 0; // G
  let netHundredths = 0; // Σ c
  let markMicros = 0; // MV
  let unrealizedMicros = 0; // Σ (MV − B)
  let maxMarkMicros = 0;
  let maxAbsHundredths = 0;
  for (let i = 0; i < p.positionCount; i++) {
    const c = p.contractsHundredths[i];
    if (c === 0) continue;
    const y = p.referenceMidHalfTicks[i];
    const mv = c > 0 ? (c * y) / 2 : (-c * (HALF_TICKS_PER_DOLLAR - y)) / 2;
    const abs = Math.abs(c);
    n++;
    if (c > 0) longs++;
    else shorts++;
    grossHundredths += abs;
    netHundredths += c;
    markMicros += mv;
    unrealizedMicros += mv - p.costBasisMicros[i];
    if (n === 1 || mv > maxMarkMicros) maxMarkMicros = mv;
    if (abs > maxAbsHundredths) maxAbsHundredths = abs;
  }
  const valueMicros = p.freeCashMicros + p.reservedCashMicros + markMicros;
  const hasValue = valueMicros > MIN_VALUE_MICROS;
  out[o] = hasValue ? clamp01(p.freeCashMicros / valueMicros) : 1;
  out[o + 1] = hasValue ? clamp01(markMicros / valueMicros) : 0;
  if (n === 0) {
    for (let k = 2; k <= 10; k++) out[o + k] = 0;
    return;
  }
  out[o + 2] = Math.min(n / 10, 1);
  out[o + 3] = Math.min(grossHundredths / 100 / n / 1000, 1);
  out[o + 4] = longs / n;
  out[o + 5] = shorts / n;
  out[o + 6] = Math.tanh(netHundredths / grossHundredths);
  out[o + 7] = hasValue ? Math.min(maxMarkMicros / valueMicros, 1) : 0;
  out[o + 8] = Math.min(maxAbsHundredths / 100_000, 1);
  out[o + 9] = hasValue ? Math.tanh(unrealizedMicros / valueMicros) : 0;
  // G dollars are at stake at settlement: one hundredth of a contract settles at $0.01 = 10,000 micros.
  out[o + 10] = hasValue ? Math.min((grossHundredths * 10_000) / valueMicros, 2) / 2 : 0;
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}

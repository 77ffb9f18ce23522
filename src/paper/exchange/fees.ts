/**
 * Kalshi trading fees for the paper exchange, exact integers (kalshi-api-notes.md). Pure.
 *
 * Per order the accumulator S = Σ rate × feeMultiplier × Cᵢ × Pᵢ × (1 − Pᵢ) is kept in units of
 * 1e-18 $: rate in ppm (1e-6), multiplier in basis points (1e-4), C in hundredths (1e-2) and
 * P, 1 − P in ticks (1e-3 each) multiply to exactly 1e-18 $. Each fill is charged
 * ceil_to_cent(S_after) − ceil_to_cent(S_before), so many partial fills cost the same as one
 * fill of the total. BigInt because S reaches ~1e19 for large orders.
 */
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";

export const DEFAULT_TAKER_RATE_PPM = 70_000; // 0.07
export const DEFAULT_MAKER_RATE_PPM = 17_500; // 0.0175
const UNITS_PER_CENT = 1_000_000_000_000_000_000n; // 1e18 units of 1e-20 $
const MICROS_PER_CENT = 10_000;

/** rate × mult × C × P × (1 − P) in 1e-20 $ (ticks of $0.0001); either leg's price (symmetric). */
export function feeTerm(
  ratePpm: number,
  multiplierBp: number,
  sizeHundredths: number,
  legPriceTicks: number,
): bigint {
  return (
    BigInt(ratePpm) *
    BigInt(multiplierBp) *
    BigInt(sizeHundredths) *
    BigInt(legPriceTicks) *
    BigInt(TICKS_PER_DOLLAR - legPriceTicks)
  );
}

/** ceil(S / 1 cent) as a bigint count of cents. */
export function ceilCents(accumulator: bigint): bigint {
  return (accumulator + UNITS_PER_CENT - 1n) / UNITS_PER_CENT;
}

/** Fee in micros charged when the accumulator moves from `before` to `after`. */
export function feeDeltaMicros(before: bigint, after: bigint): number {
  return Number(ceilCents(after) - ceilCents(before)) * MICROS_PER_CENT;
}

/** One-shot fee of a single fill (the worked examples of §4), micros. */
export function oneShotFeeMicros(
  ratePpm: number,
  multiplierBp: number,
  sizeHundredths: number,
  legPriceTicks: number,
): number {
  return feeDeltaMicros(0n, feeTerm(ratePpm, multiplierBp, sizeHundredths, legPriceTicks));
}

/** Series `fee_multiplier` (a float on the wire) → basis points; NaN unless on the 0.0001 grid. */
export function multiplierToBp(multiplier: number): number {
  const bp = Math.round(multiplier * 10_000);
  return Number.isFinite(multiplier) && multiplier >= 0 && Math.abs(multiplier * 10_000 - bp) < 1e-6
    ? bp
    : Number.NaN;
}

/**
 * Kalshi trading fees, exact integers (orders thread; pure, no state outside the accumulator).
 *
 * kalshi-api-notes.md: per order keep S = Σ rate × feeMultiplier × Cᵢ × Pᵢ(1 − Pᵢ) and charge
 * each fill ceil_to_cent(S_after) − ceil_to_cent(S_before), so many partial fills cost the same
 * as one equivalent fill. rate = 0.07 when the order took liquidity on that fill, 0.0175 when it
 * rested on a `quadratic_with_maker_fees` series, 0 for a resting fill on a `quadratic` series.
 *
 * Exactness: with C in hundredths (h), P in ticks (t), rate and multiplier in 1/10,000 (bp),
 *   S [$] = rateBp × multBp × h × t × (10000 − t) / 10^18   (t in ticks of $0.0001),
 * so S is held as a BigInt numerator over 10^18 and ceil_to_cent divides by 10^16. The product
 * passes 2^53 for orders above ~13 contracts, hence BigInt (fees are cold path: once per fill).
 * P(1 − P) is symmetric, so the YES or the NO leg price gives the same fee.
 *
 * `flat` series (a per-contract table in Kalshi's fee PDF) are not modelled: they are charged
 * with the general quadratic formula here and the exchange's `fee_cost` stays authoritative.
 */
import { MAX_TICK, MIN_TICK, TICKS_PER_DOLLAR } from "../kalshi/units.js";

export type FeeType = "quadratic" | "quadratic_with_maker_fees" | "flat";

/** Fee schedule of a series (`GET /series/{ticker}`: `fee_type`, `fee_multiplier`). */
export interface FeeSchedule {
  feeType: FeeType;
  /** fee_multiplier × 10,000 (1.0 → 10,000). */
  multiplierBp: number;
}

export const STANDARD_FEE_SCHEDULE: FeeSchedule = Object.freeze({
  feeType: "quadratic",
  multiplierBp: 10_000,
});

export const TAKER_RATE_BP = 700; // 0.07
export const MAKER_RATE_BP = 175; // 0.0175

const UNITS_PER_CENT = 10n ** 16n; // S numerator units per $0.01
const MICROS_PER_CENT = 10_000;

/** fee_multiplier as sent by the API (float or decimal string) → basis points, or NaN. */
export function feeMultiplierToBp(v: number | string): number {
  const x = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(x) || x < 0) return Number.NaN;
  return Math.round(x * 10_000);
}

/** Rate (bp) for one fill of an order: taker always pays; a resting fill only on maker-fee series. */
export function feeRateBp(schedule: FeeSchedule, isTaker: boolean): number {
  if (isTaker) return TAKER_RATE_BP;
  return schedule.feeType === "quadratic_with_maker_fees" ? MAKER_RATE_BP : 0;
}

function checkFill(priceTicks: number, sizeHundredths: number): void {
  if (!Number.isInteger(priceTicks) || priceTicks < MIN_TICK || priceTicks > MAX_TICK) {
    throw new RangeError(`fees: price ${priceTicks} ticks outside ${MIN_TICK}..${MAX_TICK}`);
  }
  if (!Number.isSafeInteger(sizeHundredths) || sizeHundredths < 0) {
    throw new RangeError(`fees: size ${sizeHundredths} hundredths is not a non-negative integer`);
  }
}

/** Numerator of one fill's contribution to S (units of $10^-18). */
export function feeUnits(
  rateBp: number,
  multiplierBp: number,
  priceTicks: number,
  sizeHundredths: number,
): bigint {
  checkFill(priceTicks, sizeHundredths);
  return (
    BigInt(rateBp) *
    BigInt(multiplierBp) *
    BigInt(sizeHundredths) *
    BigInt(priceTicks) *
    BigInt(TICKS_PER_DOLLAR - priceTicks)
  );
}

/** ceil_to_cent(S) in micros. */
export function ceilUnitsToCentMicros(units: bigint): number {
  const cents = (units + UNITS_PER_CENT - 1n) / UNITS_PER_CENT;
  return Number(cents) * MICROS_PER_CENT;
}

/** The fee of one whole fill in isolation (= the first fill of a fresh order), in micros. */
export function fillFeeMicros(
  schedule: FeeSchedule,
  isTaker: boolean,
  priceTicks: number,
  sizeHundredths: number,
): number {
  return ceilUnitsToCentMicros(
    feeUnits(feeRateBp(schedule, isTaker), schedule.multiplierBp, priceTicks, sizeHundredths),
  );
}

/**
 * The fee reserved at placement: the taker fee of the whole order at its limit (Option B of
 * correctness-rules.md rule 8). A fill at an improved price nearer 50¢ can cost up to a few cents more;
 * the ledger then takes the excess from free cash and records it.
 */
export function worstCaseFeeMicros(
  schedule: FeeSchedule,
  limitTicks: number,
  countHundredths: number,
): number {
  return fillFeeMicros(schedule, true, limitTicks, countHundredths);
}

/** The per-order accumulator of kalshi-api-notes.md (spans the order's taker and maker fills). */
export class OrderFeeAccumulator {
  private units = 0n;
  private chargedMicros = 0;

  constructor(private readonly schedule: FeeSchedule) {}

  /** Adds one fill and returns the fee charged for it in micros (whole cents). */
  chargeFill(isTaker: boolean, priceTicks: number, sizeHundredths: number): number {
    this.units += feeUnits(
      feeRateBp(this.schedule, isTaker),
      this.schedule.multiplierBp,
      priceTicks,
      sizeHundredths,
    );
    const totalMicros = ceilUnitsToCentMicros(this.units);
    const feeMicros = totalMicros - this.chargedMicros;
    this.chargedMicros = totalMicros;
    return feeMicros;
  }

  /** Total charged so far (micros). */
  get totalMicros(): number {
    return this.chargedMicros;
  }
}

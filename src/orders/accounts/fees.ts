/**
 * Kalshi trading fees, exact integers (orders thread; pure, no state outside the accumulator).
 *
 * kalshi-api-notes.md ("Fees", Kalshi's fee-rounding page), per fill of an order: the trade fee
 * rate × feeMultiplier × C × P(1 − P) rounded up to $0.0001; the balance change −cost − trade fee
 * floored to the account's precision ($0.0001 for a direct member), the floor's take being a
 * rounding fee; per order, accumulated rounding fees above $0.01 come back as a whole-cent
 * rebate. rate = 0.07 when the order took liquidity on that fill, 0.0175 when it rested on a
 * `quadratic_with_maker_fees` series, 0 for a resting fill on a `quadratic` series.
 *
 * Exactness: with C in hundredths (h), P in ticks (t), rate and multiplier in 1/10,000 (bp),
 *   term [$] = rateBp × multBp × h × t × (10000 − t) / 10^18   (t in ticks of $0.0001),
 * held as a BigInt numerator over 10^18; rounding up to $0.0001 divides by 10^14. The product
 * passes 2^53 for orders above ~13 contracts, hence BigInt (fees are cold path: once per fill).
 * P(1 − P) is symmetric; the cost, hence the rounding fee, is the order's own leg's.
 *
 * `flat` series (a per-contract table in Kalshi's fee PDF) are not modelled: they are charged
 * with the general quadratic formula here and the exchange's `fee_cost` stays authoritative.
 */
import { MAX_TICK, MICROS_PER_TICK_HUNDREDTH, MIN_TICK, TICKS_PER_DOLLAR } from "../../kalshi/units.js";

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

const UNITS_PER_CENTICENT = 10n ** 14n; // numerator units per $0.0001
const MICROS_PER_CENTICENT = 100;
const CENT_MICROS = 10_000;
/** A direct member's balance precision ($0.0001): an account trading through Kalshi's API. */
export const DIRECT_MEMBER_PRECISION_MICROS = 100;

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

/** Numerator of one fill's model term (units of $10^-18). */
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

/** The price a fill pays on the order's own leg: YES for a bid, NO for an ask. */
export function ownLegTicks(side: "bid" | "ask", yesPriceTicks: number): number {
  return side === "bid" ? yesPriceTicks : TICKS_PER_DOLLAR - yesPriceTicks;
}

/** The trade fee: a fill's model term rounded up to $0.0001, in micros. */
export function ceilUnitsToCenticentMicros(units: bigint): number {
  return Number((units + UNITS_PER_CENTICENT - 1n) / UNITS_PER_CENTICENT) * MICROS_PER_CENTICENT;
}

/** The fee of one whole fill in isolation (= the first fill of a fresh order), in micros. */
export function fillFeeMicros(
  schedule: FeeSchedule,
  isTaker: boolean,
  legPriceTicks: number,
  sizeHundredths: number,
): number {
  return new OrderFeeAccumulator(schedule).chargeFill(isTaker, legPriceTicks, sizeHundredths);
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
  /** rounding fees paid and not yet rebated */
  private roundingMicros = 0;
  private chargedMicros = 0;

  constructor(
    private readonly schedule: FeeSchedule,
    private readonly precisionMicros = DIRECT_MEMBER_PRECISION_MICROS,
  ) {}

  /**
   * Adds one fill buying `sizeHundredths` at `legPriceTicks` on the order's own leg (the YES
   * price for a bid, the NO price for an ask) and returns its fee in micros.
   */
  chargeFill(isTaker: boolean, legPriceTicks: number, sizeHundredths: number): number {
    const rateBp = feeRateBp(this.schedule, isTaker);
    const units = feeUnits(rateBp, this.schedule.multiplierBp, legPriceTicks, sizeHundredths);
    const trade = rateBp > 0 ? ceilUnitsToCenticentMicros(units) : 0;
    const change = -(legPriceTicks * sizeHundredths * MICROS_PER_TICK_HUNDREDTH) - trade;
    const p = this.precisionMicros;
    const rounding = ((change % p) + p) % p; // what flooring the balance change takes
    this.roundingMicros += rounding;
    let rebate = 0;
    if (this.roundingMicros > CENT_MICROS && trade + rounding >= CENT_MICROS) {
      rebate = CENT_MICROS;
      this.roundingMicros -= CENT_MICROS;
    }
    const fee = trade + rounding - rebate;
    this.chargedMicros += fee;
    return fee;
  }

  /** Total charged so far (micros). */
  get totalMicros(): number {
    return this.chargedMicros;
  }
}

/**
 * Kalshi trading fees for the paper exchange, as Kalshi charges them (kalshi-api-notes.md, "Fees":
 * Kalshi's fee-rounding page). Exact integers. Pure.
 *
 * Per fill of an order:
 *   1. trade fee = rate × fee_multiplier × C × P × (1 − P), rounded UP to $0.0001;
 *   2. the balance change, −(fill cost) − trade fee, is floored to the account's balance precision
 *      ($0.0001 for a direct member of the exchange — an account trading through Kalshi's API —
 *      $0.01 for one reached through an intermediary); what the floor takes is the rounding fee;
 *   3. per order, rounding fees accumulate across its taker and maker fills; once the sum exceeds
 *      $0.01, a whole cent is rebated (only as far as the fill's fee covers it: never below 0).
 * fee_cost = trade fee + rounding fee − rebate.
 *
 * The model term is kept in units of 1e-20 $: rate in ppm (1e-6), multiplier in basis points
 * (1e-4), C in hundredths (1e-2) and P, 1 − P in ticks (1e-4 each) multiply to exactly 1e-20 $.
 * BigInt because the product reaches ~1e19 for large fills.
 */
import { MICROS_PER_TICK_HUNDREDTH, TICKS_PER_DOLLAR } from "../../kalshi/units.js";

export const DEFAULT_TAKER_RATE_PPM = 70_000; // 0.07
export const DEFAULT_MAKER_RATE_PPM = 17_500; // 0.0175
/** A direct member's balance precision: $0.0001. */
export const DIRECT_MEMBER_PRECISION_MICROS = 100;
const UNITS_PER_CENTICENT = 10_000_000_000_000_000n; // 1e16 units of 1e-20 $ = $0.0001
const MICROS_PER_CENTICENT = 100;
const CENT_MICROS = 10_000;

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

/** The trade fee of one fill: the model term rounded up to $0.0001, in micros. */
export function tradeFeeMicros(
  ratePpm: number,
  multiplierBp: number,
  sizeHundredths: number,
  legPriceTicks: number,
): number {
  const units = feeTerm(ratePpm, multiplierBp, sizeHundredths, legPriceTicks);
  return Number((units + UNITS_PER_CENTICENT - 1n) / UNITS_PER_CENTICENT) * MICROS_PER_CENTICENT;
}

/** Per order: rounding fees paid and not yet rebated, micros (step 3). */
export interface FeeRounding {
  feeRoundingMicros: number;
}

/**
 * The fee_cost of one fill of `order` buying `sizeHundredths` at `legPriceTicks` on its own leg;
 * advances the order's rounding accumulator. `ratePpm` 0 (a maker fill on a `quadratic`
 * series) still pays a rounding fee when the fill's cost is finer than the balance precision.
 */
export function chargeFillFee(
  order: FeeRounding,
  ratePpm: number,
  multiplierBp: number,
  sizeHundredths: number,
  legPriceTicks: number,
  precisionMicros = DIRECT_MEMBER_PRECISION_MICROS,
): number {
  const trade = ratePpm > 0 ? tradeFeeMicros(ratePpm, multiplierBp, sizeHundredths, legPriceTicks) : 0;
  const change = -(legPriceTicks * sizeHundredths * MICROS_PER_TICK_HUNDREDTH) - trade;
  // change − floor(change / precision) × precision, exactly (integers; % keeps the sign)
  const rounding = ((change % precisionMicros) + precisionMicros) % precisionMicros;
  let accumulated = order.feeRoundingMicros + rounding;
  let rebate = 0;
  if (accumulated > CENT_MICROS && trade + rounding >= CENT_MICROS) {
    rebate = CENT_MICROS;
    accumulated -= CENT_MICROS;
  }
  order.feeRoundingMicros = accumulated;
  return trade + rounding - rebate;
}

/** Fee of a single fill of a fresh order (the worked examples of kalshi-api-notes.md), micros. */
export function oneShotFeeMicros(
  ratePpm: number,
  multiplierBp: number,
  sizeHundredths: number,
  legPriceTicks: number,
  precisionMicros = DIRECT_MEMBER_PRECISION_MICROS,
): number {
  return chargeFillFee(
    { feeRoundingMicros: 0 },
    ratePpm,
    multiplierBp,
    sizeHundredths,
    legPriceTicks,
    precisionMicros,
  );
}

/** Series `fee_multiplier` (a float on the wire) → basis points; NaN unless on the 0.0001 grid. */
export function multiplierToBp(multiplier: number): number {
  const bp = Math.round(multiplier * 10_000);
  return Number.isFinite(multiplier) && multiplier >= 0 && Math.abs(multiplier * 10_000 - bp) < 1e-6
    ? bp
    : Number.NaN;
}

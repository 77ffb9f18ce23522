/**
 * Order block (indices 47–51) of observation v1 — pure math over the open-order summary of the
 * observed market (observation-v1.md §8). Limits are on the YES scale in ticks (a NO order at q
 * has YES-scale limit 10000 − q); the reference mid y is in half-ticks, so |y − ℓ| in dollars is
 * |y − 2ℓ| / 20000.
 */
import { HALF_TICKS_PER_DOLLAR, TICKS_PER_DOLLAR } from "../kalshi/units.js";

export class OrderInputs {
  hasOpenBuy = false;
  hasOpenSell = false;
  /** YES-scale limit of the newest buy (largest placed_ms, first listed on a tie) */
  newestBuyYesLimitTicks = 0;
  newestBuyPlacedMs = 0;
  newestSellYesLimitTicks = 0;
  newestSellPlacedMs = 0;
  /** §4 reference mid of the observed market */
  referenceMidHalfTicks = TICKS_PER_DOLLAR;
  /**
   * [0] = now: effective time of the observed update (§3.5), ms. In a Float64Array rather than a
   * field so that storing an epoch-ms double never boxes it.
   */
  readonly nowMs = new Float64Array(1);
}

/** Writes features 47–51 (§8) into out[o .. o + 4]. */
export function computeOrderBlock(p: OrderInputs, out: Float64Array, o: number): void {
  const y = p.referenceMidHalfTicks;
  out[o] = p.hasOpenBuy ? 1 : 0;
  out[o + 1] = p.hasOpenSell ? 1 : 0;
  out[o + 2] = p.hasOpenBuy
    ? Math.min(Math.abs(y - 2 * p.newestBuyYesLimitTicks) / HALF_TICKS_PER_DOLLAR, 1)
    : 0;
  out[o + 3] = p.hasOpenSell
    ? Math.min(Math.abs(y - 2 * p.newestSellYesLimitTicks) / HALF_TICKS_PER_DOLLAR, 1)
    : 0;
  if (p.hasOpenBuy || p.hasOpenSell) {
    const newestMs =
      p.hasOpenBuy && p.hasOpenSell
        ? Math.max(p.newestBuyPlacedMs, p.newestSellPlacedMs)
        : p.hasOpenBuy
          ? p.newestBuyPlacedMs
          : p.newestSellPlacedMs;
    const x = (p.nowMs[0] - newestMs) / 300_000;
    out[o + 4] = Math.min(Math.max(x, 0), 1);
  } else out[o + 4] = 0;
}

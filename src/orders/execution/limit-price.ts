/**
 * Limit prices from the top of book (orders thread; pure).
 *
 * correctness-rules.md rule 16: the price comes from the book by strategy, is snapped to the market's tick
 * grid and bounded to the price range; an empty side that the strategy needs means NO order
 * (never a made-up price such as 50¢). Asks are derived from the opposite bids (rule 1):
 * YES ask = 10000 − best NO bid, NO ask = 10000 − best YES bid (ticks of $0.0001).
 *
 * Snapping is conservative: a price is computed on the YES leg and rounded DOWN for orders in
 * the YES-buy direction (V2 `bid`: BUY_YES, SELL_NO) and UP for the others (`ask`), so a snapped
 * price never pays more / sells for less than the book-derived one.
 *
 * Grids come from each market's `price_ranges` (PriceGrid): snapping walks to the nearest valid
 * price in the wanted direction and bounds to the grid's lowest / highest price.
 */
import type { PriceGrid } from "../../kalshi/price-grid.js";
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { EngineAction } from "../accounts/ledger.js";
import { bookSideOf } from "../accounts/ledger.js";

export type PriceStrategy = "aggressive" | "passive" | "mid";

/** Best bids of both sides in ticks, each on its own scale; 0 = side empty. */
export interface BookTop {
  bestYesBidTicks: number;
  bestNoBidTicks: number;
}

/**
 * The YES-leg price the strategy wants for this action, before snapping; 0 = a needed side is
 * empty (or, for mid, either side is empty).
 */
function rawYesLegTicks(strategy: PriceStrategy, action: EngineAction, top: BookTop): number {
  const b = top.bestYesBidTicks;
  const q = top.bestNoBidTicks;
  const yesAsk = q > 0 ? TICKS_PER_DOLLAR - q : 0;
  if (strategy === "mid") {
    if (b <= 0 || q <= 0) return 0;
    const midHalf = b + yesAsk; // mid in half-ticks
    return bookSideOf(action) === "bid" ? Math.floor(midHalf / 2) : Math.ceil(midHalf / 2);
  }
  // On the YES leg: aggressive buys YES at the YES ask, sells YES at the YES bid; passive joins
  // its own side's best bid (for SELL_YES ≡ a NO bid, that is the YES ask).
  // BUY_NO ≡ `ask`: aggressive at the NO ask (YES leg = YES bid), passive at the best NO bid.
  // SELL_NO ≡ `bid`: aggressive at the NO bid (YES leg = YES ask), passive at the NO ask (YES bid).
  const crossesToAsk = action === "BUY_YES" || action === "SELL_NO";
  const aggressive = strategy === "aggressive";
  if (crossesToAsk) return aggressive ? yesAsk : b;
  return aggressive ? b : yesAsk;
}

/**
 * Limit price on the action's own scale (NO actions on the NO scale), snapped and bounded; 0 means
 * "no order" because the book lacks a side the strategy needs (rule 16).
 */
export function limitPriceTicks(
  strategy: PriceStrategy,
  action: EngineAction,
  top: BookTop,
  grid: PriceGrid,
): number {
  const raw = rawYesLegTicks(strategy, action, top);
  if (raw <= 0 || raw >= TICKS_PER_DOLLAR) return 0;
  const yes = bookSideOf(action) === "bid" ? grid.snapDown(raw) : grid.snapUp(raw);
  return action === "BUY_YES" || action === "SELL_YES" ? yes : TICKS_PER_DOLLAR - yes;
}

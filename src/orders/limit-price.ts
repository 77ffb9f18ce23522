/**
 * Limit prices from the top of book (orders thread; pure).
 *
 * correctness-rules.md rule 16: the price comes from the book by strategy, is snapped to the market's tick
 * grid and bounded to the price range; an empty side that the strategy needs means NO order
 * (never a made-up price such as 50¢). Asks are derived from the opposite bids (rule 1):
 * YES ask = 1000 − best NO bid, NO ask = 1000 − best YES bid.
 *
 * Snapping is conservative: a price is computed on the YES leg and rounded DOWN for orders in
 * the YES-buy direction (V2 `bid`: BUY_YES, SELL_NO) and UP for the others (`ask`), so a snapped
 * price never pays more / sells for less than the book-derived one.
 *
 * Tick grids (kalshi-api-notes.md): linear_cent 10 ticks everywhere (10..990); deci_cent 1 tick
 * (1..999); tapered_deci_cent 1 tick below 100 and above 900, 10 ticks between.
 */
import type { EngineAction } from "./ledger.js";
import { bookSideOf } from "./ledger.js";

export type PriceStrategy = "aggressive" | "passive" | "mid";
export type PriceLevelStructure = "linear_cent" | "deci_cent" | "tapered_deci_cent";

/** Best bids of both sides in ticks, each on its own scale; 0 = side empty. */
export interface BookTop {
  bestYesBidTicks: number;
  bestNoBidTicks: number;
}

export function minPriceTicks(structure: PriceLevelStructure): number {
  return structure === "linear_cent" ? 10 : 1;
}

export function maxPriceTicks(structure: PriceLevelStructure): number {
  return structure === "linear_cent" ? 990 : 999;
}

function stepAt(structure: PriceLevelStructure, ticks: number): number {
  if (structure === "linear_cent") return 10;
  if (structure === "deci_cent") return 1;
  return ticks < 100 || ticks > 900 ? 1 : 10;
}

/** Largest grid price ≤ ticks, bounded to the structure's range. */
export function snapDownTicks(structure: PriceLevelStructure, ticks: number): number {
  const lo = minPriceTicks(structure);
  const hi = maxPriceTicks(structure);
  if (ticks <= lo) return lo;
  if (ticks >= hi) return hi;
  const step = stepAt(structure, ticks);
  return Math.max(lo, ticks - (ticks % step));
}

/** Smallest grid price ≥ ticks, bounded to the structure's range. */
export function snapUpTicks(structure: PriceLevelStructure, ticks: number): number {
  const lo = minPriceTicks(structure);
  const hi = maxPriceTicks(structure);
  if (ticks <= lo) return lo;
  if (ticks >= hi) return hi;
  const step = stepAt(structure, ticks);
  const r = ticks % step;
  return Math.min(hi, r === 0 ? ticks : ticks + step - r);
}

export function isOnGrid(structure: PriceLevelStructure, ticks: number): boolean {
  return (
    Number.isInteger(ticks) &&
    ticks >= minPriceTicks(structure) &&
    ticks <= maxPriceTicks(structure) &&
    ticks % stepAt(structure, ticks) === 0
  );
}

/**
 * The YES-leg price the strategy wants for this action, before snapping; 0 = a needed side is
 * empty (or, for mid, either side is empty).
 */
function rawYesLegTicks(strategy: PriceStrategy, action: EngineAction, top: BookTop): number {
  const b = top.bestYesBidTicks;
  const q = top.bestNoBidTicks;
  const yesAsk = q > 0 ? 1000 - q : 0;
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
  structure: PriceLevelStructure,
): number {
  const raw = rawYesLegTicks(strategy, action, top);
  if (raw <= 0 || raw >= 1000) return 0;
  const yes = bookSideOf(action) === "bid" ? snapDownTicks(structure, raw) : snapUpTicks(structure, raw);
  return action === "BUY_YES" || action === "SELL_YES" ? yes : 1000 - yes;
}

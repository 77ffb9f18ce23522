/**
 * Price grids per `price_level_structure` (kalshi-api-notes.md). Pure.
 *
 * | structure           | ranges                                 | tick                    |
 * | linear_cent         | $0.00–$1.00                            | $0.01                   |
 * | tapered_deci_cent   | $0.00–$0.10 / $0.10–$0.90 / $0.90–$1.00 | $0.001 / $0.01 / $0.001 |
 * | deci_cent           | $0.00–$1.00                            | $0.001                  |
 *
 * Valid order prices lie strictly inside (0, 1) on the grid; anything else is a 400.
 */
import { formatTicks, MAX_TICK, MIN_TICK } from "../../kalshi/units.js";
import type { PriceLevelStructure, PriceRange } from "./api.js";

/** [startTicks, endTicks, stepTicks] per structure, in ascending order. */
const RANGES_TICKS: Record<PriceLevelStructure, ReadonlyArray<readonly [number, number, number]>> = {
  linear_cent: [[0, 1000, 10]],
  deci_cent: [[0, 1000, 1]],
  tapered_deci_cent: [
    [0, 100, 1],
    [100, 900, 10],
    [900, 1000, 1],
  ],
};

/** True when `priceTicks` is a valid order price (integer, 1..999, on the structure's grid). */
export function isOnGrid(structure: PriceLevelStructure, priceTicks: number): boolean {
  if (!Number.isInteger(priceTicks) || priceTicks < MIN_TICK || priceTicks > MAX_TICK) return false;
  switch (structure) {
    case "deci_cent":
      return true;
    case "linear_cent":
      return priceTicks % 10 === 0;
    case "tapered_deci_cent":
      // Range boundaries ($0.10, $0.90) sit on both grids.
      return priceTicks <= 100 || priceTicks >= 900 || priceTicks % 10 === 0;
    default:
      return false;
  }
}

/** Kalshi's `price_ranges` objects for a structure (dollar strings, 4 decimals). */
export function priceRanges(structure: PriceLevelStructure): PriceRange[] {
  return RANGES_TICKS[structure].map(([start, end, step]) => ({
    start: formatTicks(start),
    end: formatTicks(end),
    step: formatTicks(step),
  }));
}

/** Nearest on-grid price at or below (`down`) or at or above a YES price; 0 when none exists. */
export function snapToGrid(structure: PriceLevelStructure, priceTicks: number, down: boolean): number {
  let p = Math.trunc(priceTicks);
  const step = down ? -1 : 1;
  for (let i = 0; i < 10; i++, p += step) {
    if (isOnGrid(structure, p)) return p;
  }
  return 0;
}

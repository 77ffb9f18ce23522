/**
 * Price grids of the paper exchange's markets, per `price_level_structure` (pure).
 *
 * The grids themselves live in src/kalshi/price-grid.ts (STRUCTURE_RANGES), the one definition
 * the engine also parses back from `price_ranges`. The exchange offers cent, $0.001, tapered,
 * full $0.0001, and mixed grids with $0.0001 ticks at the edges or in the centre.
 *
 * Valid order prices lie strictly inside (0, 1) on the grid; anything else is a 400.
 */
import { gridOfStructure, type PriceGrid } from "../../kalshi/price-grid.js";
import type { PriceLevelStructure, PriceRange } from "./api.js";

export function gridOf(structure: PriceLevelStructure): PriceGrid {
  return gridOfStructure(structure);
}

/** True when `priceTicks` is a valid order price (integer, 1..9999, on the structure's grid). */
export function isOnGrid(structure: PriceLevelStructure, priceTicks: number): boolean {
  return gridOfStructure(structure).isOnGrid(priceTicks);
}

/** Kalshi's `price_ranges` objects for a structure (dollar strings, 4 decimals). */
export function priceRanges(structure: PriceLevelStructure): PriceRange[] {
  return gridOfStructure(structure).toPriceRanges();
}

/** Nearest on-grid price at or below (`down`) or at or above a YES price; 0 when none exists. */
export function snapToGrid(structure: PriceLevelStructure, priceTicks: number, down: boolean): number {
  const grid = gridOfStructure(structure);
  const p = Math.trunc(priceTicks);
  if (down ? p < grid.minTick : p > grid.maxTick) return 0;
  return down ? grid.snapDown(p) : grid.snapUp(p);
}

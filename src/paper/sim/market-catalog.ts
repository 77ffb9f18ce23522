/**
 * Deterministic catalogue of simulated markets: tickers, events, price structures and fee types.
 * A mix of the three Kalshi price grids (kalshi-protocol.md §5) and both fee types (§4), so the
 * engine meets cent, deci-cent and tapered books in every run.
 */
import { createHash } from "node:crypto";
import type { FeeType, MarketSpec, PriceLevelStructure } from "../exchange/index.js";

const STRUCTURES: readonly PriceLevelStructure[] = ["linear_cent", "deci_cent", "tapered_deci_cent"];

export interface CatalogOptions {
  count: number;
  /** series prefix, upper case; default "KXPAPER" */
  series?: string;
}

/** `count` markets, 10 per event: KXPAPER-E0001-M00001 … (tickers match ^[A-Z0-9.-]+$). */
export function makeMarketSpecs(opts: CatalogOptions): MarketSpec[] {
  const series = opts.series ?? "KXPAPER";
  const specs: MarketSpec[] = [];
  for (let i = 0; i < opts.count; i++) {
    const event = `${series}-E${String(Math.floor(i / 10) + 1).padStart(4, "0")}`;
    const feeType: FeeType = i % 4 === 3 ? "quadratic_with_maker_fees" : "quadratic";
    specs.push({
      ticker: `${event}-M${String(i + 1).padStart(5, "0")}`,
      eventTicker: event,
      seriesTicker: series,
      priceLevelStructure: STRUCTURES[i % 3]!,
      feeType,
      fractionalTradingEnabled: i % 5 !== 4,
    });
  }
  return specs;
}

/** A stable UUID-shaped market_id derived from the ticker (the core has no market ids). */
export function marketIdFor(ticker: string): string {
  const h = createHash("sha1").update(`paper-market:${ticker}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

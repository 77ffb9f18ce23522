/**
 * Resolves the markets to trade at start: explicit tickers (checked against the exchange) or the
 * first N open markets — combos left out with `mve_filter=exclude` unless asked for — with each
 * market's exchange shard (`exchange_index`) and price grid from its `price_ranges` (books and
 * limit prices use it; the `price_level_structure` name is kept for logs only).
 */
import { PriceGrid } from "../kalshi/price-grid.js";
import type { KalshiRestClient } from "../kalshi/rest-client.js";
import type { RestMarket } from "../kalshi/rest-types.js";

export interface ResolvedMarket {
  ticker: string;
  structure: string;
  exchangeIndex: number;
  grid: PriceGrid;
  /** false when the exchange sent no `price_ranges` (the full $0.0001 grid is assumed) */
  gridFromRanges: boolean;
}

/** A market's grid; unreadable `price_ranges` stop startup with what to fix. */
function resolved(m: RestMarket): ResolvedMarket {
  if (m.priceRangesProblem !== "")
    throw new Error(`market ${m.ticker}: cannot read its price_ranges (${m.priceRangesProblem})`);
  return {
    ticker: m.ticker,
    structure: m.priceLevelStructure,
    exchangeIndex: m.exchangeIndex,
    grid: m.priceGrid ?? PriceGrid.full(),
    gridFromRanges: m.priceGrid !== null,
  };
}

export async function resolveMarkets(
  rest: KalshiRestClient,
  wanted: readonly string[] | number,
  combos: "exclude" | "include" = "exclude",
): Promise<ResolvedMarket[]> {
  if (typeof wanted === "number") {
    const open: RestMarket[] = [];
    const mveFilter = combos === "exclude" ? ("exclude" as const) : undefined;
    let cursor: string | undefined;
    do {
      const page = await rest.getMarkets({ status: "open", limit: 1000, cursor, mveFilter });
      open.push(...page.items);
      cursor = page.cursor;
    } while (cursor && open.length < wanted);
    if (open.length === 0) throw new Error("the exchange lists no open markets");
    return open.slice(0, wanted).map(resolved);
  }
  const out: ResolvedMarket[] = [];
  for (let i = 0; i < wanted.length; i += 100) {
    const chunk = wanted.slice(i, i + 100);
    const found = await rest.collectAll((cursor) => rest.getMarkets({ tickers: chunk, cursor, limit: 1000 }));
    const byTicker = new Map(found.map((m) => [m.ticker, m]));
    for (const t of chunk) {
      const m = byTicker.get(t);
      if (!m) throw new Error(`market ${t} is not listed by the exchange; check --markets`);
      out.push(resolved(m));
    }
  }
  return out;
}

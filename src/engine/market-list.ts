/**
 * Resolves the markets to trade at start: explicit tickers (checked against the exchange) or the
 * first N open markets, with each market's `price_level_structure` for the orders thread.
 */
import type { KalshiRestClient } from "../kalshi/rest-client.js";
import type { RestMarket } from "../kalshi/rest-types.js";

export interface ResolvedMarket {
  ticker: string;
  structure: string;
}

export async function resolveMarkets(
  rest: KalshiRestClient,
  wanted: readonly string[] | number,
): Promise<ResolvedMarket[]> {
  if (typeof wanted === "number") {
    const open: RestMarket[] = [];
    let cursor: string | undefined;
    do {
      const page = await rest.getMarkets({ status: "open", limit: 1000, cursor });
      open.push(...page.items);
      cursor = page.cursor;
    } while (cursor && open.length < wanted);
    if (open.length === 0) throw new Error("the exchange lists no open markets");
    return open.slice(0, wanted).map((m) => ({ ticker: m.ticker, structure: m.priceLevelStructure }));
  }
  const out: ResolvedMarket[] = [];
  for (let i = 0; i < wanted.length; i += 100) {
    const chunk = wanted.slice(i, i + 100);
    const found = await rest.collectAll((cursor) => rest.getMarkets({ tickers: chunk, cursor, limit: 1000 }));
    const byTicker = new Map(found.map((m) => [m.ticker, m]));
    for (const t of chunk) {
      const m = byTicker.get(t);
      if (!m) throw new Error(`market ${t} is not listed by the exchange; check --markets`);
      out.push({ ticker: t, structure: m.priceLevelStructure });
    }
  }
  return out;
}

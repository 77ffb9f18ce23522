/**
 * Resolves the markets to trade at start: explicit tickers (checked against the exchange) or the
 * first N open markets — combos left out with `mve_filter=exclude` unless asked for — with each
 * market's exchange shard (`exchange_index`) and price grid from its `price_ranges` (books and
 * limit prices use it; the `price_level_structure` name is kept for logs only) — and turns them
 * into io's market directory and books and the orders thread's market list.
 */
import { BookTable } from "../book/book-table.js";
import { MarketDirectory } from "../book/market-directory.js";
import { PriceGrid } from "../kalshi/price-grid.js";
import type { KalshiRestClient } from "../kalshi/rest-client.js";
import type { RestMarket } from "../kalshi/rest-types.js";
import type { OrdersWorkerMarket } from "../orders/thread/orders-protocol.js";

export interface ResolvedMarket {
  ticker: string;
  structure: string;
  exchangeIndex: number;
  /** its series: the fee schedule is per series */
  seriesTicker: string;
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
    seriesTicker: m.seriesTicker,
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

/**
 * Why a counted selection came out short, for the run's log (undefined when it did not): the
 * exchange lists fewer open markets — other than combos, when they are left out — than asked for.
 */
export function selectionShortfall(
  wanted: readonly string[] | number,
  selected: number,
  combos: "exclude" | "include" = "exclude",
): string | undefined {
  if (typeof wanted !== "number" || selected >= wanted) return undefined;
  return combos === "exclude"
    ? `selected ${selected} of ${wanted} markets: the exchange lists only ${selected} open markets that are not combos (mve_filter=exclude; --combos include adds combos)`
    : `selected ${selected} of ${wanted} markets: the exchange lists only ${selected} open markets`;
}

/**
 * The resolved markets as io's tables: market index = position in the list, and a BookTable with
 * each market's book sized to its own grid (memory follows the grids). `withoutRanges` counts the
 * markets that came without `price_ranges`.
 */
export function marketTables(markets: readonly ResolvedMarket[]): {
  directory: MarketDirectory;
  book: BookTable;
  withoutRanges: number;
} {
  const directory = new MarketDirectory(markets.length);
  for (const mk of markets) directory.ensure(mk.ticker);
  const grids = markets.map((mk) => mk.grid);
  const book = BookTable.create(markets.length, {
    poolLevels: BookTable.poolLevelsFor(grids),
    gridSlots: new Set(grids.map((g) => g.key)).size,
  });
  for (const [m, mk] of markets.entries()) book.assignGrid(m, mk.grid);
  return { directory, book, withoutRanges: markets.filter((mk) => !mk.gridFromRanges).length };
}

/** The resolved markets as the orders thread gets them (plain data: they cross the thread boundary). */
export function ordersMarkets(markets: readonly ResolvedMarket[]): OrdersWorkerMarket[] {
  return markets.map((mk, m) => ({
    m,
    ticker: mk.ticker,
    structure: mk.structure,
    exchangeIndex: mk.exchangeIndex,
    seriesTicker: mk.seriesTicker,
    priceRanges: [...mk.grid.ranges],
  }));
}

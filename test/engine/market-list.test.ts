import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveMarkets, selectionShortfall } from "../../src/engine/market-list.js";
import { gridOfStructure, PriceGrid } from "../../src/kalshi/price-grid.js";
import type { KalshiRestClient, MarketsQuery } from "../../src/kalshi/rest-client.js";
import { parseRestMarket } from "../../src/kalshi/rest-types.js";

/** A REST client that lists three markets (one a combo on shard 1) and records each query. */
function fakeRest(queries: MarketsQuery[]): KalshiRestClient {
  const all = [
    { ticker: "KX-A", price_level_structure: "linear_cent", exchange_index: 0 },
    {
      ticker: "KXMVE-COMBO",
      price_level_structure: "center_deci_edge_centi_cent",
      exchange_index: 1,
      price_ranges: gridOfStructure("center_deci_edge_centi_cent").toPriceRanges(),
    },
    { ticker: "KX-B", price_level_structure: "deci_cent" },
  ].map(parseRestMarket);
  const getMarkets = async (q: MarketsQuery) => {
    queries.push(q);
    const items = all.filter(
      (m) =>
        (q.mveFilter !== "exclude" || !m.ticker.startsWith("KXMVE")) &&
        (q.tickers === undefined || q.tickers.includes(m.ticker)),
    );
    return { items, cursor: "" };
  };
  return {
    getMarkets,
    collectAll: async <T>(page: (cursor?: string) => Promise<{ items: T[]; cursor: string }>) =>
      (await page()).items,
  } as unknown as KalshiRestClient;
}

describe("market selection", () => {
  it("leaves combos out of a counted selection by default (mve_filter=exclude), with each market's shard", async () => {
    const queries: MarketsQuery[] = [];
    const markets = await resolveMarkets(fakeRest(queries), 5);
    assert.deepEqual(
      markets.map((m) => [m.ticker, m.exchangeIndex]),
      [
        ["KX-A", 0],
        ["KX-B", 0],
      ],
    );
    assert.equal(queries[0]?.mveFilter, "exclude");
    assert.equal(
      selectionShortfall(5, markets.length),
      "selected 2 of 5 markets: the exchange lists only 2 open markets that are not combos (mve_filter=exclude; --combos include adds combos)",
    );
    assert.equal(selectionShortfall(2, markets.length), undefined, "a full selection says nothing");
    assert.equal(selectionShortfall(["KX-A"], 1), undefined);
  });

  it("includes combos when asked, and keeps their exchange_index", async () => {
    const queries: MarketsQuery[] = [];
    const markets = await resolveMarkets(fakeRest(queries), 5, "include");
    assert.equal(queries[0]?.mveFilter, undefined);
    assert.deepEqual(markets[1], {
      ticker: "KXMVE-COMBO",
      structure: "center_deci_edge_centi_cent",
      exchangeIndex: 1,
      seriesTicker: "",
      grid: gridOfStructure("center_deci_edge_centi_cent"),
      gridFromRanges: true,
    });
  });

  it("takes each market's grid from its price_ranges; without them every $0.0001 price, and unreadable ones stop startup", async () => {
    const markets = await resolveMarkets(fakeRest([]), ["KX-A"]);
    assert.deepEqual([markets[0]?.grid, markets[0]?.gridFromRanges], [PriceGrid.full(), false]);
    const bad = {
      getMarkets: async () => ({
        items: [parseRestMarket({ ticker: "KX-Z", price_ranges: [{ start: "0.5" }] })],
        cursor: "",
      }),
      collectAll: async <T>(page: (cursor?: string) => Promise<{ items: T[]; cursor: string }>) =>
        (await page()).items,
    } as unknown as KalshiRestClient;
    await assert.rejects(resolveMarkets(bad, 1), /market KX-Z: cannot read its price_ranges/);
  });

  it("resolves named tickers with their shard", async () => {
    const markets = await resolveMarkets(fakeRest([]), ["KXMVE-COMBO"]);
    assert.equal(markets[0]?.exchangeIndex, 1);
  });
});

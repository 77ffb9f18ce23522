import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { applyPortfolio, defaultPortfolio, parsePortfolio } from "../../src/features/portfolio-file.js";
import { PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";

describe("portfolio file (observation-v1.md §7.1)", () => {
  it("converts dollars to micros and contracts to hundredths exactly", () => {
    const p = parsePortfolio(
      '{"free_cash": 800.10, "reserved_cash": "42.000001", "positions": {"X": {"contracts": -20.5, "cost_basis": 12.3}}}',
    );
    assert.equal(p.freeCashMicros, 800_100_000);
    assert.equal(p.reservedCashMicros, 42_000_001);
    assert.deepEqual(p.positions, [{ ticker: "X", contractsHundredths: -2050, costBasisMicros: 12_300_000 }]);
  });

  it("a missing field means 0 or empty", () => {
    const p = parsePortfolio("{}");
    assert.equal(p.freeCashMicros, 0);
    assert.equal(p.reservedCashMicros, 0);
    assert.deepEqual(p.positions, []);
    assert.equal(p.orders.size, 0);
  });

  it("the default portfolio is $1,000 of free cash and nothing else", () => {
    assert.equal(defaultPortfolio().freeCashMicros, 1_000_000_000);
    assert.equal(defaultPortfolio().positions.length, 0);
  });

  it("summarises orders per market: YES-scale limits, newest by placed_ms, first listed on a tie", () => {
    const p = parsePortfolio(
      JSON.stringify({
        open_orders: [
          { ticker: "A", action: "buy", side: "yes", price: 0.4, placed_ms: 100 },
          { ticker: "A", action: "buy", side: "no", price: 0.52, placed_ms: 200 },
          { ticker: "A", action: "buy", side: "yes", price: 0.3, placed_ms: 200 },
          { ticker: "A", action: "sell", side: "no", price: "0.655", placed_ms: 50 },
        ],
      }),
    );
    assert.deepEqual(p.orders.get("A"), {
      hasOpenBuy: true,
      hasOpenSell: true,
      newestBuyYesLimitTicks: 4800, // NO buy at 0.52 → YES-scale 0.48; the later-listed tie loses
      newestBuyPlacedMs: 200,
      newestSellYesLimitTicks: 3450,
      newestSellPlacedMs: 50,
    });
  });

  it("rejects invalid content with a precise message", () => {
    assert.throws(() => parsePortfolio("[]"), /top level/);
    assert.throws(() => parsePortfolio('{"free_cash": "ten"}'), /free_cash/);
    assert.throws(
      () => parsePortfolio('{"positions": {"X": {"contracts": 1.005}}}'),
      /positions.X.contracts/,
    );
    assert.throws(
      () =>
        parsePortfolio('{"open_orders": [{"ticker": "X", "action": "hold", "side": "yes", "price": 0.5}]}'),
      /action/,
    );
    assert.throws(
      () =>
        parsePortfolio('{"open_orders": [{"ticker": "X", "action": "buy", "side": "yes", "price": 1.5}]}'),
      /price/,
    );
  });

  it("gives every named market an index and writes the PortfolioTable in one write", () => {
    const directory = new MarketDirectory(8);
    const table = PortfolioTable.create(8);
    applyPortfolio(
      parsePortfolio(
        JSON.stringify({
          free_cash: 10,
          positions: { P: { contracts: 3, cost_basis: 1.5 }, Z: { contracts: 0 } },
          open_orders: [{ ticker: "Q", action: "sell", side: "yes", price: 0.47, placed_ms: 7 }],
        }),
      ),
      directory,
      table,
    );
    const p = directory.indexOf("P");
    const q = directory.indexOf("Q");
    assert.ok(p >= 0 && q >= 0 && directory.indexOf("Z") >= 0);
    assert.equal(table.freeCashMicros(), 10_000_000);
    assert.equal(table.positionCount(), 1, "flat positions are not listed");
    assert.equal(table.positionMarketAt(0), p);
    assert.equal(table.contractsHundredths(p), 300);
    assert.equal(table.costBasisMicros(p), 1_500_000);
    assert.equal(table.hasOpenSell(q), true);
    assert.equal(table.newestSellYesLimitTicks(q), 4700);
    assert.equal(table.newestSellPlacedMs(q), 7);
  });
});

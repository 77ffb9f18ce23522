import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gridOfStructure, type KnownStructure, PriceGrid } from "../../../src/kalshi/price-grid.js";
import type { EngineAction } from "../../../src/orders/accounts/ledger.js";
import { limitPriceTicks, type PriceStrategy } from "../../../src/orders/execution/limit-price.js";

const g = (s: KnownStructure) => gridOfStructure(s);

describe("limit prices (correctness-rules.md rules 1, 16), ticks of $0.0001", () => {
  // book: best YES bid $0.42, best NO bid $0.55 → YES ask $0.45, NO ask $0.58
  const top = { bestYesBidTicks: 4200, bestNoBidTicks: 5500 };

  it("prices every strategy × action from a two-sided linear_cent book (own scale)", () => {
    const cases: Array<[PriceStrategy, EngineAction, number]> = [
      ["aggressive", "BUY_YES", 4500], // at the YES ask = 10000 − best NO bid
      ["aggressive", "SELL_YES", 4200], // at the YES bid
      ["aggressive", "BUY_NO", 5800], // at the NO ask = 10000 − best YES bid
      ["aggressive", "SELL_NO", 5500], // at the NO bid
      ["passive", "BUY_YES", 4200],
      ["passive", "SELL_YES", 4500], // joins the NO bid ≡ YES ask
      ["passive", "BUY_NO", 5500],
      ["passive", "SELL_NO", 5800],
      ["mid", "BUY_YES", 4300], // mid 0.435 → down to 0.43
      ["mid", "SELL_YES", 4400], // up to 0.44
      ["mid", "BUY_NO", 5600], // YES leg up to 0.44 → NO 0.56
      ["mid", "SELL_NO", 5700], // YES leg down to 0.43 → NO 0.57
    ];
    for (const [s, a, want] of cases)
      assert.equal(limitPriceTicks(s, a, top, g("linear_cent")), want, `${s} ${a}`);
  });

  it("places no order when a needed side is empty, never a made-up price", () => {
    const noNo = { bestYesBidTicks: 4200, bestNoBidTicks: 0 };
    const noYes = { bestYesBidTicks: 0, bestNoBidTicks: 5500 };
    const cases: Array<
      [PriceStrategy, EngineAction, { bestYesBidTicks: number; bestNoBidTicks: number }, number]
    > = [
      ["aggressive", "BUY_YES", noNo, 0],
      ["aggressive", "SELL_YES", noNo, 4200],
      ["aggressive", "BUY_NO", noYes, 0],
      ["aggressive", "SELL_NO", noYes, 5500],
      ["passive", "BUY_YES", noYes, 0],
      ["passive", "BUY_NO", noNo, 0],
      ["mid", "BUY_YES", noNo, 0],
      ["mid", "SELL_NO", noYes, 0],
      ["mid", "BUY_YES", { bestYesBidTicks: 0, bestNoBidTicks: 0 }, 0],
    ];
    for (const [s, a, t, want] of cases)
      assert.equal(limitPriceTicks(s, a, t, g("deci_cent")), want, `${s} ${a}`);
  });

  it("snaps mid to each grid, conservatively by direction", () => {
    // YES bid 0.415, NO bid 0.580 → YES ask 0.420; mid 0.4175
    const t = { bestYesBidTicks: 4150, bestNoBidTicks: 5800 };
    const cases: Array<[KnownStructure, EngineAction, number]> = [
      ["deci_cent", "BUY_YES", 4170],
      ["deci_cent", "SELL_YES", 4180],
      ["linear_cent", "BUY_YES", 4100],
      ["linear_cent", "SELL_YES", 4200],
      ["tapered_deci_cent", "BUY_YES", 4100],
      ["tapered_deci_cent", "SELL_YES", 4200],
      ["centi_cent", "BUY_YES", 4175],
      ["centi_cent", "SELL_YES", 4175],
      ["center_centi_edge_cent", "BUY_YES", 4175],
    ];
    for (const [st, a, want] of cases) assert.equal(limitPriceTicks("mid", a, t, g(st)), want, `${st} ${a}`);
    // in the tails the tapered grid is $0.001: YES bid 0.051, NO bid 0.940 → ask 0.060, mid 0.0555
    const tail = { bestYesBidTicks: 510, bestNoBidTicks: 9400 };
    assert.equal(limitPriceTicks("mid", "BUY_YES", tail, g("tapered_deci_cent")), 550);
    assert.equal(limitPriceTicks("mid", "SELL_YES", tail, g("tapered_deci_cent")), 560);
    assert.equal(limitPriceTicks("mid", "BUY_YES", tail, g("linear_cent")), 500);
    // $0.0001 at the edges: the mid itself
    assert.equal(limitPriceTicks("mid", "BUY_YES", tail, g("center_deci_edge_centi_cent")), 555);
  });

  it("bounds prices to the grid's range", () => {
    // YES bid 0.001, NO bid 0.998 → ask 0.002: linear_cent cannot go below 0.01
    const edge = { bestYesBidTicks: 10, bestNoBidTicks: 9980 };
    assert.equal(limitPriceTicks("passive", "BUY_YES", edge, g("deci_cent")), 10);
    assert.equal(limitPriceTicks("passive", "BUY_YES", edge, g("linear_cent")), 100);
    assert.equal(
      limitPriceTicks(
        "aggressive",
        "BUY_NO",
        { bestYesBidTicks: 9950, bestNoBidTicks: 10 },
        g("linear_cent"),
      ),
      100,
    );
    assert.equal(
      limitPriceTicks("passive", "BUY_YES", { bestYesBidTicks: 1, bestNoBidTicks: 9 }, g("centi_cent")),
      1,
    );
  });

  it("snaps on every grid the paper exchange offers", () => {
    const cases: Array<[KnownStructure, number, number, number]> = [
      // structure, ticks, down, up
      ["linear_cent", 4150, 4100, 4200],
      ["linear_cent", 50, 100, 100],
      ["linear_cent", 9950, 9900, 9900],
      ["deci_cent", 4150, 4150, 4150],
      ["deci_cent", 4155, 4150, 4160],
      ["tapered_deci_cent", 950, 950, 950],
      ["tapered_deci_cent", 1050, 1000, 1100],
      ["tapered_deci_cent", 8950, 8900, 9000],
      ["tapered_deci_cent", 9050, 9050, 9050],
      ["tapered_deci_cent", 9000, 9000, 9000],
      ["center_deci_edge_centi_cent", 15, 15, 15],
      ["center_deci_edge_centi_cent", 4537, 4530, 4540],
      ["center_centi_edge_cent", 4537, 4537, 4537],
      ["center_centi_edge_cent", 3950, 3900, 4000],
    ];
    for (const [st, t, down, up] of cases) {
      const grid = g(st);
      assert.equal(grid.snapDown(t), down, `${st} ${t} down`);
      assert.equal(grid.snapUp(t), up, `${st} ${t} up`);
      assert.ok(grid.isOnGrid(down) && grid.isOnGrid(up));
    }
    assert.equal(g("tapered_deci_cent").isOnGrid(4150), false);
    assert.equal(g("tapered_deci_cent").isOnGrid(950), true);
    assert.equal(PriceGrid.full().isOnGrid(4537), true);
  });
});

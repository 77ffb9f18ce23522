import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineAction } from "../../src/orders/ledger.js";
import {
  isOnGrid,
  limitPriceTicks,
  type PriceLevelStructure,
  type PriceStrategy,
  snapDownTicks,
  snapUpTicks,
} from "../../src/orders/limit-price.js";

describe("limit prices (correctness-rules.md rules 1, 16)", () => {
  // book: best YES bid $0.42, best NO bid $0.55 → YES ask $0.45, NO ask $0.58
  const top = { bestYesBidTicks: 420, bestNoBidTicks: 550 };

  it("prices every strategy × action from a two-sided linear_cent book (own scale)", () => {
    const cases: Array<[PriceStrategy, EngineAction, number]> = [
      ["aggressive", "BUY_YES", 450], // at the YES ask = 1000 − best NO bid
      ["aggressive", "SELL_YES", 420], // at the YES bid
      ["aggressive", "BUY_NO", 580], // at the NO ask = 1000 − best YES bid
      ["aggressive", "SELL_NO", 550], // at the NO bid
      ["passive", "BUY_YES", 420],
      ["passive", "SELL_YES", 450], // joins the NO bid ≡ YES ask
      ["passive", "BUY_NO", 550],
      ["passive", "SELL_NO", 580],
      ["mid", "BUY_YES", 430], // mid 0.435 → down to 0.43
      ["mid", "SELL_YES", 440], // up to 0.44
      ["mid", "BUY_NO", 560], // YES leg up to 0.44 → NO 0.56
      ["mid", "SELL_NO", 570], // YES leg down to 0.43 → NO 0.57
    ];
    for (const [s, a, want] of cases)
      assert.equal(limitPriceTicks(s, a, top, "linear_cent"), want, `${s} ${a}`);
  });

  it("places no order when a needed side is empty, never a made-up price", () => {
    const noNo = { bestYesBidTicks: 420, bestNoBidTicks: 0 };
    const noYes = { bestYesBidTicks: 0, bestNoBidTicks: 550 };
    const cases: Array<
      [PriceStrategy, EngineAction, { bestYesBidTicks: number; bestNoBidTicks: number }, number]
    > = [
      ["aggressive", "BUY_YES", noNo, 0],
      ["aggressive", "SELL_YES", noNo, 420],
      ["aggressive", "BUY_NO", noYes, 0],
      ["aggressive", "SELL_NO", noYes, 550],
      ["passive", "BUY_YES", noYes, 0],
      ["passive", "BUY_NO", noNo, 0],
      ["mid", "BUY_YES", noNo, 0],
      ["mid", "SELL_NO", noYes, 0],
      ["mid", "BUY_YES", { bestYesBidTicks: 0, bestNoBidTicks: 0 }, 0],
    ];
    for (const [s, a, t, want] of cases)
      assert.equal(limitPriceTicks(s, a, t, "deci_cent"), want, `${s} ${a}`);
  });

  it("snaps mid to each tick structure, conservatively by direction", () => {
    // YES bid 0.415, NO bid 0.580 → YES ask 0.420; mid 0.4175
    const t = { bestYesBidTicks: 415, bestNoBidTicks: 580 };
    const cases: Array<[PriceLevelStructure, EngineAction, number]> = [
      ["deci_cent", "BUY_YES", 417],
      ["deci_cent", "SELL_YES", 418],
      ["linear_cent", "BUY_YES", 410],
      ["linear_cent", "SELL_YES", 420],
      ["tapered_deci_cent", "BUY_YES", 410],
      ["tapered_deci_cent", "SELL_YES", 420],
    ];
    for (const [st, a, want] of cases) assert.equal(limitPriceTicks("mid", a, t, st), want, `${st} ${a}`);
    // in the tails the tapered grid is 1 tick: YES bid 0.051, NO bid 0.940 → ask 0.060, mid 0.0555
    const tail = { bestYesBidTicks: 51, bestNoBidTicks: 940 };
    assert.equal(limitPriceTicks("mid", "BUY_YES", tail, "tapered_deci_cent"), 55);
    assert.equal(limitPriceTicks("mid", "SELL_YES", tail, "tapered_deci_cent"), 56);
    assert.equal(limitPriceTicks("mid", "BUY_YES", tail, "linear_cent"), 50);
  });

  it("bounds prices to the structure's range", () => {
    // YES bid 0.001, NO bid 0.998 → ask 0.002: linear_cent cannot go below 0.01
    const edge = { bestYesBidTicks: 1, bestNoBidTicks: 998 };
    assert.equal(limitPriceTicks("passive", "BUY_YES", edge, "deci_cent"), 1);
    assert.equal(limitPriceTicks("passive", "BUY_YES", edge, "linear_cent"), 10);
    assert.equal(
      limitPriceTicks("aggressive", "BUY_NO", { bestYesBidTicks: 995, bestNoBidTicks: 1 }, "linear_cent"),
      10,
    );
  });

  it("snaps on the three grids", () => {
    const cases: Array<[PriceLevelStructure, number, number, number]> = [
      // structure, ticks, down, up
      ["linear_cent", 415, 410, 420],
      ["linear_cent", 5, 10, 10],
      ["linear_cent", 995, 990, 990],
      ["deci_cent", 415, 415, 415],
      ["tapered_deci_cent", 95, 95, 95],
      ["tapered_deci_cent", 105, 100, 110],
      ["tapered_deci_cent", 895, 890, 900],
      ["tapered_deci_cent", 905, 905, 905],
      ["tapered_deci_cent", 900, 900, 900],
    ];
    for (const [st, t, down, up] of cases) {
      assert.equal(snapDownTicks(st, t), down, `${st} ${t} down`);
      assert.equal(snapUpTicks(st, t), up, `${st} ${t} up`);
      assert.ok(isOnGrid(st, down) && isOnGrid(st, up));
    }
    assert.equal(isOnGrid("tapered_deci_cent", 415), false);
    assert.equal(isOnGrid("tapered_deci_cent", 95), true);
  });
});

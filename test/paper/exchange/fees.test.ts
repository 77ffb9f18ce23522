import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chargeFillFee } from "../../../src/paper/exchange/fees.js";
import { oneShotFeeMicros } from "../../../src/paper/exchange/index.js";
import { DOLLAR, MARKETS, makeExchange, place, req, unwrap } from "./helpers.js";

const CENT = 10_000;

describe("paper exchange fees (kalshi-api-notes.md)", () => {
  it("rounds each fill's trade fee up to $0.0001 (a direct member's balance precision)", () => {
    const cases: Array<[string, number, number, number, number]> = [
      // name, ratePpm, hundredths, legTicks, expected micros
      ["10 @ 0.50 taker → 0.175 exactly", 70_000, 1000, 5000, 175_000],
      ["10 @ 0.50 maker → 0.04375 → $0.0438", 17_500, 1000, 5000, 43_800],
      ["1 @ 0.50 taker → 0.0175 exactly", 70_000, 100, 5000, 17_500],
      ["100 @ 0.10 taker → 0.63 exactly", 70_000, 10_000, 1000, 630_000],
      ["0.5 @ 0.50 taker → 0.00875 → $0.0088", 70_000, 50, 5000, 8_800],
      ["1 @ 0.0001 taker → 0.000007 → $0.0001", 70_000, 100, 1, 100],
      ["100 @ 0.4537 taker → 1.73499417 → $1.7350", 70_000, 10_000, 4537, 1_735_000],
    ];
    for (const [name, rate, h, t, fee] of cases)
      assert.equal(oneShotFeeMicros(rate, 10_000, h, t), fee, name);
    assert.equal(oneShotFeeMicros(70_000, 10_000, 1000, 3000), oneShotFeeMicros(70_000, 10_000, 1000, 7000));
  });

  it("adds the rounding fee that floors the balance change to the account's precision", () => {
    // 0.37 @ $0.5001 taker: trade 0.0064749997 → $0.0065; cost $0.185037; the balance change
    // −$0.191537 floors to −$0.1916: rounding fee $0.000063
    assert.equal(oneShotFeeMicros(70_000, 10_000, 37, 5001), 6_563);
    // a $0.01-precision account, 1 @ $0.055: trade 0.00363825 → $0.0037; −$0.0587 → −$0.06
    assert.equal(oneShotFeeMicros(70_000, 10_000, 100, 550, CENT), 5_000);
    // a maker fill on a quadratic series pays no trade fee, but still its rounding
    assert.equal(oneShotFeeMicros(0, 10_000, 37, 5001), 63);
  });

  it("rebates a whole cent once an order's rounding fees exceed $0.01", () => {
    // $0.01 precision, 1 @ $0.5005 taker: trade $0.0175, cost $0.5005, −$0.5180 → −$0.52:
    // rounding $0.002 per fill; the sixth takes the accumulated rounding past $0.01 (to $0.012)
    const order = { feeRoundingMicros: 0 };
    const fees = Array.from({ length: 6 }, () => chargeFillFee(order, 70_000, 10_000, 100, 5005, CENT));
    assert.deepEqual(fees, [19_500, 19_500, 19_500, 19_500, 19_500, 9_500]);
    assert.equal(order.feeRoundingMicros, 2_000);
  });

  it("charges the worked examples on real fills: taker $0.175, maker $0.0438 on a maker-fee series", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("MAKER", "ask", 5000, 10));
    const taker = place(f, "b", req("MAKER", "bid", 5000, 10));
    assert.equal(taker.takerFeesMicros, 175_000);
    assert.equal(maker.makerFeesMicros, 43_800);
    assert.equal(f.ex.listFills("b")[0]!.feeMicros, 175_000);
    assert.equal(f.ex.positions("a")[0]!.feesPaidMicros, 43_800);
    // b paid 10 × 0.50 + 0.175; a paid 10 × 0.50 (NO leg) + 0.0438.
    assert.equal(unwrap(f.ex.balance("b")).balanceMicros, 1000 * DOLLAR - 5 * DOLLAR - 175_000);
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 1000 * DOLLAR - 5 * DOLLAR - 43_800);
  });

  it("makers pay nothing on a plain quadratic series", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("LIN", "ask", 5000, 10));
    place(f, "b", req("LIN", "bid", 5000, 10));
    assert.equal(maker.makerFeesMicros, 0);
  });

  it("partial fills each pay their own rounded-up trade fee", () => {
    const f = makeExchange();
    for (let i = 0; i < 10; i++) place(f, "a", req("LIN", "ask", 5000, 1));
    const sweep = place(f, "b", req("LIN", "bid", 5000, 10));
    const fees = f.ex.listFills("b").map((x) => x.feeMicros);
    assert.deepEqual(fees, Array(10).fill(17_500));
    assert.equal(sweep.takerFeesMicros, oneShotFeeMicros(70_000, 10_000, 1000, 5000));
  });

  it("an order's maker and taker fills are charged at their own rates", () => {
    const f = makeExchange();
    // b rests 10 on MAKER; 5 fill as maker (0.021875 → $0.0219), then b re-prices to cross.
    const o = place(f, "b", req("MAKER", "bid", 5000, 10));
    place(f, "a", req("MAKER", "ask", 5000, 5));
    assert.equal(o.makerFeesMicros, 21_900);
    place(f, "a", req("MAKER", "ask", 5100, 5));
    unwrap(f.ex.amendOrder("b", o.orderId, { yesPriceTicks: 5100, countHundredths: 1000 }));
    // 0.07 × 5 × 0.51 × 0.49 = 0.087465 → $0.0875
    assert.equal(o.status, "executed");
    assert.equal(o.takerFeesMicros, 87_500);
  });

  it("applies the series fee_multiplier", () => {
    const markets = MARKETS.map((m) => (m.ticker === "LIN" ? { ...m, feeMultiplier: 0.5 } : m));
    const f = makeExchange(markets);
    place(f, "a", req("LIN", "ask", 5000, 10));
    const t = place(f, "b", req("LIN", "bid", 5000, 10));
    assert.equal(t.takerFeesMicros, 87_500); // 0.0875 exactly
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { oneShotFeeMicros } from "../../../src/paper/exchange/index.js";
import { DOLLAR, MARKETS, makeExchange, place, req, unwrap } from "./helpers.js";

const CENT = 10_000;

describe("paper exchange fees (kalshi-api-notes.md)", () => {
  it("one-shot fees round up to the cent", () => {
    const cases: Array<[string, number, number, number, number]> = [
      // name, ratePpm, hundredths, legTicks, expected micros
      ["10 @ 0.50 taker → 0.175 → $0.18", 70_000, 1000, 5000, 18 * CENT],
      ["10 @ 0.50 maker → 0.04375 → $0.05", 17_500, 1000, 5000, 5 * CENT],
      ["1 @ 0.50 taker → 0.0175 → $0.02", 70_000, 100, 5000, 2 * CENT],
      ["100 @ 0.10 taker → 0.63 exactly", 70_000, 10_000, 1000, 63 * CENT],
      ["0.5 @ 0.50 taker → 0.00875 → $0.01", 70_000, 50, 5000, 1 * CENT],
      ["1 @ 0.0001 taker → tiny → $0.01", 70_000, 100, 1, 1 * CENT],
      ["100 @ 0.4537 taker → 1.7339... → $1.74", 70_000, 10_000, 4537, 174 * CENT],
    ];
    for (const [name, rate, h, t, fee] of cases)
      assert.equal(oneShotFeeMicros(rate, 10_000, h, t), fee, name);
    assert.equal(oneShotFeeMicros(70_000, 10_000, 1000, 3000), oneShotFeeMicros(70_000, 10_000, 1000, 7000));
  });

  it("charges the worked examples on real fills: taker $0.18, maker $0.05 on a maker-fee series", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("MAKER", "ask", 5000, 10));
    const taker = place(f, "b", req("MAKER", "bid", 5000, 10));
    assert.equal(taker.takerFeesMicros, 18 * CENT);
    assert.equal(maker.makerFeesMicros, 5 * CENT);
    assert.equal(f.ex.listFills("b")[0]!.feeMicros, 18 * CENT);
    assert.equal(f.ex.positions("a")[0]!.feesPaidMicros, 5 * CENT);
    // b paid 10 × 0.50 + 0.18; a paid 10 × 0.50 (NO leg) + 0.05.
    assert.equal(unwrap(f.ex.balance("b")).balanceMicros, 1000 * DOLLAR - 5 * DOLLAR - 18 * CENT);
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 1000 * DOLLAR - 5 * DOLLAR - 5 * CENT);
  });

  it("makers pay nothing on a plain quadratic series", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("LIN", "ask", 5000, 10));
    place(f, "b", req("LIN", "bid", 5000, 10));
    assert.equal(maker.makerFeesMicros, 0);
  });

  it("the per-order accumulator over partial fills equals the one-shot fee", () => {
    const f = makeExchange();
    for (let i = 0; i < 10; i++) place(f, "a", req("LIN", "ask", 5000, 1));
    const sweep = place(f, "b", req("LIN", "bid", 5000, 10));
    const fees = f.ex
      .listFills("b")
      .map((x) => x.feeMicros)
      .reverse();
    // S after k fills = 0.0175k → ceil cents 2,4,6,7,9,11,13,14,16,18 → per-fill deltas:
    assert.deepEqual(
      fees.map((x) => x / CENT),
      [2, 2, 2, 1, 2, 2, 2, 1, 2, 2],
    );
    assert.equal(sweep.takerFeesMicros, oneShotFeeMicros(70_000, 10_000, 1000, 5000));
  });

  it("taker and maker fills of one order share one accumulator", () => {
    const f = makeExchange();
    // b rests 10 on MAKER; 5 fill as maker (S = 0.021875 → $0.03), then b re-prices to cross.
    const o = place(f, "b", req("MAKER", "bid", 5000, 10));
    place(f, "a", req("MAKER", "ask", 5000, 5));
    assert.equal(o.makerFeesMicros, 3 * CENT);
    place(f, "a", req("MAKER", "ask", 5100, 5));
    unwrap(f.ex.amendOrder("b", o.orderId, { yesPriceTicks: 5100, countHundredths: 1000 }));
    // S = 0.021875 + 0.07 × 5 × 0.51 × 0.49 = 0.021875 + 0.087465 = 0.10934 → $0.11 total.
    assert.equal(o.status, "executed");
    assert.equal(o.takerFeesMicros + o.makerFeesMicros, 11 * CENT);
    assert.equal(o.takerFeesMicros, 8 * CENT);
  });

  it("applies the series fee_multiplier", () => {
    const markets = MARKETS.map((m) => (m.ticker === "LIN" ? { ...m, feeMultiplier: 0.5 } : m));
    const f = makeExchange(markets);
    place(f, "a", req("LIN", "ask", 5000, 10));
    const t = place(f, "b", req("LIN", "bid", 5000, 10));
    assert.equal(t.takerFeesMicros, 9 * CENT); // 0.0875 → $0.09
  });
});

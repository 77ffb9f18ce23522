import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type FeeSchedule,
  feeMultiplierToBp,
  fillFeeMicros,
  OrderFeeAccumulator,
  ownLegTicks,
  STANDARD_FEE_SCHEDULE,
  worstCaseFeeMicros,
} from "../../../src/orders/accounts/fees.js";

const MAKER_SERIES: FeeSchedule = { feeType: "quadratic_with_maker_fees", multiplierBp: 10_000 };

describe("fees (kalshi-api-notes.md)", () => {
  it("charges the worked examples: 10 @ $0.50 taker $0.175, maker on a maker-fee series $0.0438", () => {
    assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 5000, 1000), 175_000);
    assert.equal(fillFeeMicros(MAKER_SERIES, false, 5000, 1000), 43_800); // 0.04375 → up to $0.0001
  });

  it("charges nothing for a resting fill on a quadratic series", () => {
    assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, false, 5000, 1000), 0);
  });

  it("matches a table of hand-computed taker fees", () => {
    // [priceTicks, sizeHundredths, fee micros]  fee = 0.07 × C × P × (1 − P) up to $0.0001
    const cases: Array<[number, number, number]> = [
      [5000, 100, 17_500], // 0.0175
      [100, 100, 700], // 0.000693 → $0.0007
      [9900, 10_000, 69_300], // 0.0693
      [3000, 2_500, 367_500], // 0.07 × 25 × 0.21 = 0.3675
      [4150, 1_000, 170_000], // 0.07 × 10 × 0.242775 = 0.1699425 → $0.1700
      [5000, 0, 0],
      // a fractional fill: trade 0.0064749997 → $0.0065, cost $0.185037 → rounding $0.000063
      [5001, 37, 6_563],
    ];
    for (const [p, h, want] of cases) {
      assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, true, p, h), want, `${p} × ${h}`);
    }
  });

  it("applies the fee multiplier", () => {
    const half: FeeSchedule = { feeType: "quadratic", multiplierBp: feeMultiplierToBp(0.5) };
    assert.equal(fillFeeMicros(half, true, 5000, 1000), 87_500); // 0.0875
  });

  it("rebates a whole cent once an order's rounding fees pass $0.01 (a $0.01-precision account)", () => {
    const acc = new OrderFeeAccumulator(STANDARD_FEE_SCHEDULE, 10_000);
    // 1 @ $0.5005: trade $0.0175, cost $0.5005, −$0.5180 floored to −$0.52: rounding $0.002
    const charged: number[] = [];
    for (let i = 0; i < 6; i++) charged.push(acc.chargeFill(true, 5005, 100));
    assert.deepEqual(charged, [19_500, 19_500, 19_500, 19_500, 19_500, 9_500]);
    assert.equal(acc.totalMicros, 107_000);
  });

  it("charges an order's maker and taker fills at their own rates", () => {
    const acc = new OrderFeeAccumulator(MAKER_SERIES);
    assert.equal(acc.chargeFill(false, 5000, 500), 21_900); // 0.021875 → $0.0219
    assert.equal(acc.chargeFill(true, 5000, 500), 87_500); // 0.0875
    assert.equal(acc.totalMicros, 109_400);
  });

  it("prices a fill on the order's own leg", () => {
    assert.equal(ownLegTicks("bid", 3000), 3000);
    assert.equal(ownLegTicks("ask", 3000), 7000);
  });

  it("reserves the taker fee of the whole order at its limit", () => {
    assert.equal(worstCaseFeeMicros(MAKER_SERIES, 5000, 1000), 175_000);
    assert.equal(worstCaseFeeMicros(STANDARD_FEE_SCHEDULE, 9000, 500), 31_500); // 0.0315
  });

  it("refuses prices outside 1..9999 and fractional sizes", () => {
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 0, 100), RangeError);
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 10_000, 100), RangeError);
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 5000, 1.5), RangeError);
  });
});

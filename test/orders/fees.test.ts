import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type FeeSchedule,
  feeMultiplierToBp,
  fillFeeMicros,
  OrderFeeAccumulator,
  STANDARD_FEE_SCHEDULE,
  worstCaseFeeMicros,
} from "../../src/orders/fees.js";

const MAKER_SERIES: FeeSchedule = { feeType: "quadratic_with_maker_fees", multiplierBp: 10_000 };

describe("fees (kalshi-api-notes.md)", () => {
  it("charges the worked examples: 10 @ $0.50 taker $0.18, maker on a maker-fee series $0.05", () => {
    assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 5000, 1000), 180_000);
    assert.equal(fillFeeMicros(MAKER_SERIES, false, 5000, 1000), 50_000);
  });

  it("charges nothing for a resting fill on a quadratic series", () => {
    assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, false, 5000, 1000), 0);
  });

  it("matches a table of hand-computed taker fees", () => {
    // [priceTicks, sizeHundredths, fee micros]  fee = ceil_cent(0.07 × C × P × (1 − P))
    const cases: Array<[number, number, number]> = [
      [5000, 100, 20_000], // 0.0175 → $0.02
      [100, 100, 10_000], // 0.000693 → $0.01
      [9900, 10_000, 70_000], // 0.0693 → $0.07
      [3000, 2_500, 370_000], // 0.07 × 25 × 0.21 = 0.3675 → $0.37
      [4150, 1_000, 170_000], // 0.07 × 10 × 0.242775 = 0.1699425 → $0.17
      [5000, 0, 0],
    ];
    for (const [p, h, want] of cases) {
      assert.equal(fillFeeMicros(STANDARD_FEE_SCHEDULE, true, p, h), want, `${p} × ${h}`);
    }
  });

  it("applies the fee multiplier", () => {
    const half: FeeSchedule = { feeType: "quadratic", multiplierBp: feeMultiplierToBp(0.5) };
    assert.equal(fillFeeMicros(half, true, 5000, 1000), 90_000); // 0.0875 → $0.09
  });

  it("charges partial fills through the accumulator so the total equals one equivalent fill", () => {
    const acc = new OrderFeeAccumulator(STANDARD_FEE_SCHEDULE);
    // ten fills of 1 contract @ $0.50: S = 0.0175 k → ceil cents 2,4,6,7,9,11,13,14,16,18
    const charged: number[] = [];
    for (let i = 0; i < 10; i++) charged.push(acc.chargeFill(true, 5000, 100));
    assert.deepEqual(
      charged,
      [20_000, 20_000, 20_000, 10_000, 20_000, 20_000, 20_000, 10_000, 20_000, 20_000],
    );
    assert.equal(acc.totalMicros, 180_000);
  });

  it("spans taker and maker fills of the same order", () => {
    const acc = new OrderFeeAccumulator(MAKER_SERIES);
    assert.equal(acc.chargeFill(false, 5000, 500), 30_000); // 0.021875 → 0.03
    assert.equal(acc.chargeFill(true, 5000, 500), 80_000); // S = 0.021875 + 0.0875 = 0.109375 → $0.11, minus the $0.03 already charged
    assert.equal(acc.totalMicros, 110_000);
  });

  it("reserves the taker fee of the whole order at its limit", () => {
    assert.equal(worstCaseFeeMicros(MAKER_SERIES, 5000, 1000), 180_000);
    assert.equal(worstCaseFeeMicros(STANDARD_FEE_SCHEDULE, 9000, 500), 40_000); // 0.0315 → 0.04
  });

  it("refuses prices outside 1..9999 and fractional sizes", () => {
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 0, 100), RangeError);
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 10_000, 100), RangeError);
    assert.throws(() => fillFeeMicros(STANDARD_FEE_SCHEDULE, true, 5000, 1.5), RangeError);
  });
});

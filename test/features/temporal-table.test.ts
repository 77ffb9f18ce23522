import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_MID_HALF_TICKS, TemporalTable } from "../../src/book/temporal-table.js";
import { NO_MID } from "../../src/features/temporal.js";

const T0 = 1773153000000;

/** observation-v1.md §11 example 2: (T, YES mid in half-ticks) of u1..u7 and features 26–35. */
const EXAMPLE_2: Array<{ tsMs: number; midHalfTicks: number; expected: number[] }> = [
  { tsMs: T0, midHalfTicks: 8200, expected: [0, 0.142857, 0.016667, 0, 0.1, 0, 0, 0, 0.1, 0.5] },
  {
    tsMs: T0 + 30_000,
    midHalfTicks: 8300,
    expected: [0.1, 0.142857, 0.033333, 0.016665, 0.1, 0, 0, 0, 0.1, 0.5],
  },
  {
    tsMs: T0 + 130_000,
    midHalfTicks: 8250,
    expected: [0.333333, 0.142857, 0.016667, -0.016665, 0.007692, 0, 0, -0.905148, 0.1, 0.5],
  },
  {
    tsMs: T0 + 200_000,
    midHalfTicks: 8300,
    expected: [0.233333, 0.142857, 0.016667, 0, 0.0075, 0, 0, 0.964028, 0.1, 0.925],
  },
  {
    tsMs: T0 + 270_000,
    midHalfTicks: 8300,
    expected: [0.233333, 0.142857, 0.016667, 0, 0.007407, 0, -0.016665, 0.964028, 0.1, 0.933333],
  },
  {
    tsMs: T0 + 700_000,
    midHalfTicks: 8350,
    expected: [1, 0.142857, 0.016667, 0, 0.003571, 0, -0.014285, 0, 0.031623, 0.966667],
  },
  {
    tsMs: T0 + 699_950,
    midHalfTicks: 8320,
    expected: [0, 0.142857, 0.033333, 0.016665, 0.003731, 1, 0.005952, -0.921669, 0.019596, 0.966667],
  },
];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `${label}[${i}]: got ${actual[i]}, expected ${expected[i]}`,
    );
}

describe("TemporalTable", () => {
  it("reproduces the temporal block of observation-v1.md §11 example 2 after every update", () => {
    const table = TemporalTable.create(4);
    const out = new Float64Array(10);
    EXAMPLE_2.forEach((u, k) => {
      table.advance(2, u.tsMs, u.midHalfTicks, 2750);
      table.copyFeatures(2, out, 0);
      assertClose(out, u.expected, 1e-5, `u${k + 1}`);
    });
    assert.equal(table.effectiveTimeMs(2), T0 + 700_000, "effective time never goes back (§3.5)");
    assert.equal(table.updateCount(2), 7);
    assert.equal(table.updateCount(1), 0, "other markets untouched");
  });

  it("keeps the last defined mid as reference mid and defaults to $0.50 (§4)", () => {
    const table = TemporalTable.create(2);
    assert.equal(table.referenceMidHalfTicks(0), DEFAULT_MID_HALF_TICKS);
    table.advance(0, T0, NO_MID, 0);
    assert.equal(table.referenceMidHalfTicks(0), DEFAULT_MID_HALF_TICKS);
    table.advance(0, T0 + 1, 600, 100);
    table.advance(0, T0 + 2, NO_MID, 100);
    assert.equal(table.referenceMidHalfTicks(0), 600);
    assert.equal(table.midHalfTicks(0), NO_MID);
  });

  it("an undefined mid between equal mids adds nothing to M (§6.1)", () => {
    const table = TemporalTable.create(1);
    const out = new Float64Array(10);
    // mids 0.50, undef, 0.50, 0.51, 0.53 → M = 0.50, 0.51, 0.53 → r = 4, q = 2 half-ticks → tanh(1)
    for (const [k, mid] of [1000, NO_MID, 1000, 1020, 1060].entries()) table.advance(0, T0 + k, mid, 0);
    table.copyFeatures(0, out, 0);
    assert.ok(Math.abs(out[7] - Math.tanh(1)) < 1e-12);
  });

  it("counts n exactly up to 60 at 1,000 updates/s, with a bounded window", () => {
    const table = TemporalTable.create(1);
    for (let k = 0; k < 5000; k++) {
      table.advance(0, T0 + k, 1000, 100);
      assert.equal(table.cappedActivityCount(0), Math.min(k + 1, 60));
    }
    // 61 s of silence: only the new update is in the window again; 59 more within 60 s → 60.
    table.advance(0, T0 + 5000 + 61_000, 1000, 100);
    assert.equal(table.cappedActivityCount(0), 1);
    for (let k = 1; k < 59; k++) table.advance(0, T0 + 66_000 + k * 1000, 1000, 100);
    assert.equal(table.cappedActivityCount(0), 59);
  });

  it("drops updates exactly 60 s old and keeps younger ones (t − 60000 < t_j ≤ t)", () => {
    const table = TemporalTable.create(1);
    table.advance(0, T0, 1000, 100);
    table.advance(0, T0 + 1, 1000, 100);
    table.advance(0, T0 + 60_000, 1000, 100);
    assert.equal(table.cappedActivityCount(0), 2);
  });

  it("is readable from an attached view of the same buffer", () => {
    const writer = TemporalTable.create(3);
    writer.advance(1, T0, 900, 100);
    const reader = TemporalTable.attach(writer.shared);
    assert.equal(reader.referenceMidHalfTicks(1), 900);
    assert.equal(reader.effectiveTimeMs(1), T0);
    assert.equal(reader.updateCount(1), 1);
  });
});

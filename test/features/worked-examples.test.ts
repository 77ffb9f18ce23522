import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertClose, captureFrames, replayFixture } from "./helpers.js";

const TOL = 1e-5;

// observation-v1.md §11 example 1 (indices 0–25) for ex1 and ex1b (NO side omitted).
const EX1 = [
  0.42, 0.45, 0.55, 0.58, 0.435, 0.565, 0.03, 0.436667, 0.068966, 0.053097, 0.25, 0.111111, 0.501075,
  0.477116, 0.623358, 0.090909, 0.130435, 0.544738, 0.525087, 0.011595, 0.436957, 0.563043, 0.3, 0.008519,
  0.740741, 0.57971,
];
const EX1B = [
  0.42, 1, 0, 0.58, 0.5, 0.5, 1, 0.5, 2, 2, 1, 1, 0.501075, 0, 0.56168, 1, 1, 0.544738, 0, 0.011595, 0.5, 0.5,
  0.15, 0, 1, 0.569801,
];
/** temporal block of a first update at T0 (10:30 EDT) */
const FIRST_UPDATE_TEMPORAL = [0, 1 / 7, 1 / 60, 0, 0.1, 0, 0, 0, 0.1, 0.5];
/** default portfolio ($1,000 cash) and no orders */
const DEFAULT_PORTFOLIO_AND_ORDERS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

// §11 example 2: temporal features after u1..u7.
const EX2 = [
  [0, 0.142857, 0.016667, 0, 0.1, 0, 0, 0, 0.1, 0.5],
  [0.1, 0.142857, 0.033333, 0.016665, 0.1, 0, 0, 0, 0.1, 0.5],
  [0.333333, 0.142857, 0.016667, -0.016665, 0.007692, 0, 0, -0.905148, 0.1, 0.5],
  [0.233333, 0.142857, 0.016667, 0, 0.0075, 0, 0, 0.964028, 0.1, 0.925],
  [0.233333, 0.142857, 0.016667, 0, 0.007407, 0, -0.016665, 0.964028, 0.1, 0.933333],
  [1, 0.142857, 0.016667, 0, 0.003571, 0, -0.014285, 0, 0.031623, 0.966667],
  [0, 0.142857, 0.033333, 0.016665, 0.003731, 1, 0.005952, -0.921669, 0.019596, 0.966667],
];
// YES mids after u1..u7 (index 4), from the state table of example 2.
const EX2_MIDS = [0.41, 0.415, 0.4125, 0.415, 0.415, 0.4175, 0.416];

// §11 example 3: portfolio and order blocks (indices 36–51).
const EX3 = [
  0.859522, 0.095353, 0.3, 0.056833, 0.666667, 0.333333, 0.391432, 0.046737, 0.1, 0.002095, 0.091593, 1, 1,
  0.045, 0.035, 0.1,
];

describe("observation-v1.md §11 worked examples", () => {
  it("example 1: one snapshot gives the market block of the table", () => {
    const rows = replayFixture(captureFrames("ex1.ndjson"), "KXEX-26MAR10-A");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].length, 52);
    assertClose(rows[0], EX1, TOL, "ex1");
    assertClose(rows[0], FIRST_UPDATE_TEMPORAL, TOL, "ex1", 26);
    assertClose(rows[0], DEFAULT_PORTFOLIO_AND_ORDERS, TOL, "ex1", 36);
  });

  it("example 1b: with the NO side omitted, NO-side features take their defaults", () => {
    const rows = replayFixture(captureFrames("ex1b.ndjson"), "KXEX-26MAR10-A");
    assert.equal(rows.length, 1);
    assertClose(rows[0], EX1B, TOL, "ex1b");
  });

  it("example 2: seven updates give the temporal block of the table after each", () => {
    const rows = replayFixture(captureFrames("ex2.ndjson"), "KXEX-26MAR10-T");
    assert.equal(rows.length, 7);
    rows.forEach((row, k) => {
      assertClose(row, EX2[k], TOL, `ex2 u${k + 1}`, 26);
      assertClose(row, [EX2_MIDS[k]], TOL, `ex2 u${k + 1} mid`, 4);
    });
  });

  it("example 3: the portfolio and order blocks of A's observation", () => {
    const rows = replayFixture(captureFrames("ex3.ndjson"), "KXEX-26MAR10-A", "ex3-portfolio.json");
    assert.equal(rows.length, 1, "one update of A");
    assertClose(rows[0], EX1, TOL, "ex3 market block = ex1");
    assertClose(rows[0], FIRST_UPDATE_TEMPORAL, TOL, "ex3 temporal", 26);
    assertClose(rows[0], EX3, TOL, "ex3", 36);
  });
});

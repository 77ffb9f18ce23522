import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { postProcess } from "../../src/features/names.js";
import { delta, snapshot } from "./frames.js";
import { assertClose, replayFixture, T0 } from "./helpers.js";

const A = "KXEX-26MAR10-A";
const MARKET_DEFAULTS = [
  0, 1, 0, 1, 0.5, 0.5, 1, 0.5, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0, 0,
];
const L = Math.log(10001);

describe("observation v1 edge cases", () => {
  it("an empty snapshot is an applied update whose market block is all defaults (§3.3, §5)", () => {
    const rows = replayFixture([snapshot(T0, 1, A, [], [])], A);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(0, 26), MARKET_DEFAULTS.map(Math.fround));
  });

  it("with only the NO side, YES-side features default and imbalances are −1", () => {
    const rows = replayFixture([snapshot(T0, 1, A, null, [["0.5500", "80.00"]])], A);
    const r = rows[0];
    assertClose(r, [0, 0.45, 0.55, 1, 0.5, 0.5, 1, 0.5, 2, 2, 1, -1, 0, Math.log(81) / L], 1e-6, "no-only");
    assertClose(r, [-1, -1], 1e-6, "imbalances", 15);
    assertClose(r, [0, 0.5, 0.5, 0.05, 0, 1, 1], 1e-6, "rest", 19);
  });

  it("a crossed book is not repaired: negative spread, formulas as written (§4)", () => {
    // YES bid 0.60 × 10, NO bid 0.50 × 30 → YES ask 0.50: s = −0.10, m = 0.55
    const r = replayFixture([snapshot(T0, 1, A, [["0.6000", "10"]], [["0.5000", "30"]])], A)[0];
    assertClose(r, [0.6, 0.5, 0.5, 0.4, 0.55, 0.45, -0.1], 1e-6, "prices");
    assertClose(r, [(0.6 * 30 + 0.5 * 10) / 40, -0.1 / 0.55, -0.1 / 0.45, 0], 1e-6, "derived", 7);
  });

  it("a stale market ignores deltas: no observation, temporal state kept until the next snapshot", () => {
    const frames = [
      snapshot(T0, 1, A, [["0.4000", "10"]], [["0.5500", "10"]]),
      delta(T0 + 10_000, 3, A, "yes", "0.4100", "5", { tsMs: T0 + 10_000 }), // seq gap → stale, ignored
      delta(T0 + 20_000, 4, A, "yes", "0.4200", "5", { tsMs: T0 + 20_000 }), // ignored while stale
      snapshot(T0 + 30_000, 5, A, [["0.4000", "10"]], [["0.5500", "10"]]), // applied, ends staleness
    ];
    const rows = replayFixture(frames, A);
    assert.equal(rows.length, 2);
    // gap is measured from the last APPLIED update (30 s), and n counts 2 updates in 60 s.
    assertClose(rows[1], [30 / 300, 1 / 7, 2 / 60, Math.tanh(1 / 60)], 1e-6, "after resync", 26);
  });

  it("a snapshot does not reset the temporal state (§3.3, §6.1)", () => {
    const frames = [
      snapshot(T0, 1, A, [["0.4000", "10"]], [["0.5500", "10"]]),
      delta(T0 + 1000, 2, A, "yes", "0.4100", "5"),
      snapshot(T0 + 2000, 3, A, [["0.4000", "10"]], [["0.5500", "10"]]),
    ];
    const rows = replayFixture(frames, A);
    assert.equal(rows.length, 3);
    // third update: H = 2 records → update_frequency = min(2 / max(2 s, 1) / 2, 1) = 0.5; n = 3.
    assertClose(rows[2], [1 / 300 / 1, 1 / 7, 3 / 60], 1e-6, "temporal", 26);
    assertClose(rows[2], [0.5], 1e-6, "update_frequency", 30);
    // M = 0.425, 0.43, 0.425 → momentum tanh((−0.005 − 0.005)/0.005) = tanh(−2)
    assertClose(rows[2], [Math.tanh(-2)], 1e-6, "momentum", 33);
  });

  it("out-of-order ts_ms: effective time never goes back, also for the order block's now", () => {
    const frames = [
      snapshot(T0, 1, A, [["0.4000", "10"]], [["0.5500", "10"]], { tsMs: T0 }),
      delta(T0 + 200, 2, A, "yes", "0.4100", "5", { tsMs: T0 - 120_000 }),
    ];
    const rows = replayFixture(frames, A);
    assert.equal(rows[1][26], 0, "gap 0: t = max(T, t_last)");
  });

  it("legacy integer-cent frames give the same observations as dollar frames (§3.2–§3.4)", () => {
    const legacy = [
      snapshot(
        T0,
        1,
        A,
        [
          [42, 100],
          [35, 25],
        ],
        [
          [55, 80],
          [48, 10],
        ],
        { legacy: true },
      ),
      delta(T0 + 500, 2, A, "yes", 42, -10, { legacy: true, tsMs: T0 + 400 }),
      delta(T0 + 900, 3, A, "no", 56, 3, { legacy: true }),
    ];
    const modern = [
      snapshot(
        T0,
        1,
        A,
        [
          ["0.4200", "100.00"],
          ["0.3500", "25.00"],
        ],
        [
          ["0.5500", "80.00"],
          ["0.4800", "10.00"],
        ],
      ),
      delta(T0 + 500, 2, A, "yes", "0.4200", "-10.00", { tsMs: T0 + 400 }),
      delta(T0 + 900, 3, A, "no", "0.5600", "3.00"),
    ];
    const a = replayFixture(legacy, A);
    const b = replayFixture(modern, A);
    assert.equal(a.length, 3);
    assert.deepEqual(a, b);
  });

  it("observes only applied updates of the requested market; other markets still mark positions", () => {
    const frames = [
      snapshot(T0, 1, "KXEX-26MAR10-B", [["0.2900", "10"]], [["0.6900", "10"]]),
      snapshot(T0, 2, A, [["0.4000", "10"]], [["0.5500", "10"]]),
      delta(T0 + 1, 3, A, "yes", "0.3000", "-1"), // negative level: stale, not applied
    ];
    assert.equal(replayFixture(frames, A).length, 1);
  });

  it("post-processing maps NaN → 0, ±∞ → ±1 and clips to [−2, 2] (§9)", () => {
    assert.deepEqual([Number.NaN, Infinity, -Infinity, 3, -7, 1.5].map(postProcess), [0, 1, -1, 2, -2, 1.5]);
  });
});

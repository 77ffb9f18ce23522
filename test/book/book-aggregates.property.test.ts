/**
 * BookTable keeps the market block's aggregates (best bids, counts, totals, Σ q·p → distance,
 * near-touch depth, three largest levels) incrementally; after every update of random sequences
 * they must equal a from-scratch recomputation over the whole grid — on cent, $0.001, $0.0001
 * and mixed grids, with the best level removed often (bitmap search across word and summary
 * boundaries) and the touch jumping by more and less than the 500-tick near window.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BookTable, SIDE_NO, SIDE_YES, type Side } from "../../src/book/book-table.js";
import { gridOfStructure, type KnownStructure } from "../../src/kalshi/price-grid.js";
import { prng } from "../shm/prng.js";
import { aggregatesProblem } from "./aggregates-reference.js";

const GRIDS: KnownStructure[] = [
  "linear_cent",
  "deci_cent",
  "centi_cent",
  "tapered_deci_cent",
  "center_deci_edge_centi_cent",
  "center_centi_edge_cent",
];

function check(book: BookTable, m: number, context: string): void {
  const problem = aggregatesProblem(book, m);
  assert.equal(problem, null, `${context}: ${problem}`);
}

/** Random updates around a drifting centre level; returns nothing, checks after each one. */
function run(structure: KnownStructure, seed: number, updates: number): void {
  const grid = gridOfStructure(structure);
  const book = BookTable.create(2, { grid });
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const n = grid.levelCount;
  const m = 1;
  let centre = int(n);
  const snapshot = (): void => {
    book.writeBegin(m);
    book.clearBook(m);
    for (const side of [SIDE_YES, SIDE_NO] as const) {
      const count = int(60);
      const wide = int(3) === 0; // levels all over the grid: many blocks and supers
      for (let i = 0; i < count; i++) {
        const l = wide ? int(n) : Math.max(0, Math.min(n - 1, centre + int(400) - 200));
        // repeated prices replace the earlier level (setLevel), sometimes with a smaller size
        book.setLevel(m, side, grid.tickOfLevel[l], l, 1 + int(int(4) === 0 ? 2_000_000_000 : 50_000));
      }
    }
    book.setSnapshotFlags(m);
    book.writeEnd(m);
  };
  snapshot();
  check(book, m, `${structure} snapshot`);
  for (let u = 0; u < updates; u++) {
    const r = int(1000);
    if (r < 5) {
      snapshot();
    } else {
      if (r < 40)
        centre = int(n); // the touch jumps far (more than the near window)
      else if (r < 200) centre = Math.max(0, Math.min(n - 1, centre + int(21) - 10));
      const side: Side = int(2) === 0 ? SIDE_YES : SIDE_NO;
      const spread = [4, 600, n][int(3)];
      const l = Math.max(0, Math.min(n - 1, centre + int(2 * spread + 1) - spread));
      const tick = grid.tickOfLevel[l];
      const size = book.sizeAfterDelta(m, side, l, 0);
      let delta: number;
      if (size > 0 && int(2) === 0)
        delta = int(3) === 0 ? -size : -(1 + int(size)); // remove or shrink
      else delta = 1 + int(int(20) === 0 ? 1_000_000_000 : 20_000);
      if (size + delta > 0x7fffffff) delta = -size;
      book.writeBegin(m);
      book.addDelta(m, side, tick, l, delta);
      book.writeEnd(m);
    }
    check(book, m, `${structure} seed ${seed} update ${u}`);
  }
}

describe("BookTable aggregates equal a from-scratch recomputation", () => {
  for (const structure of GRIDS) {
    it(`after random snapshots and deltas on ${structure}`, () => {
      const updates = gridOfStructure(structure).levelCount > 2000 ? 1000 : 3000;
      for (const seed of [1, 2, 3]) run(structure, seed * 7919, updates);
    });
  }

  it("finds the next best across occupancy word and summary word boundaries", () => {
    const grid = gridOfStructure("centi_cent"); // 9,999 levels: 313 words, 10 summary words
    const book = BookTable.create(1, { grid });
    book.writeBegin(0);
    book.clearBook(0);
    const levels = [0, 31, 32, 63, 1023, 1024, 1055, 2047, 2048, 5000, 9998];
    for (const l of levels) book.setLevel(0, SIDE_YES, grid.tickOfLevel[l], l, 100 + l);
    book.setSnapshotFlags(0);
    book.writeEnd(0);
    for (let i = levels.length - 1; i >= 0; i--) {
      const l = levels[i];
      assert.equal(book.bestYesTick(0), grid.tickOfLevel[l]);
      book.writeBegin(0);
      book.addDelta(0, SIDE_YES, grid.tickOfLevel[l], l, -(100 + l));
      book.writeEnd(0);
      check(book, 0, `after removing level ${l}`);
    }
    assert.equal(book.bestYesTick(0), 0);
    assert.equal(book.yesLevelCount(0), 0);
  });

  it("counts near depth from best − 500 ticks inclusive, and keeps the top three with ties", () => {
    const grid = gridOfStructure("centi_cent");
    const book = BookTable.create(1, { grid });
    const put = (side: Side, tick: number, size: number): void => {
      const l = book.levelOf(0, tick);
      book.writeBegin(0);
      book.addDelta(0, side, tick, l, size - book.sizeAt(0, side, tick));
      book.writeEnd(0);
    };
    book.writeBegin(0);
    book.clearBook(0);
    book.setSnapshotFlags(0);
    book.writeEnd(0);
    put(SIDE_YES, 6000, 100);
    put(SIDE_YES, 5500, 7); // exactly best − 500: near
    put(SIDE_YES, 5499, 11); // one tick below: not near
    assert.equal(book.nearHundredths(0, SIDE_YES), 107);
    put(SIDE_YES, 6000, 0); // best removed: 5500 is best, window 5000..5500
    assert.equal(book.nearHundredths(0, SIDE_YES), 18);
    put(SIDE_NO, 100, 11);
    put(SIDE_NO, 200, 11);
    put(SIDE_NO, 300, 5);
    assert.deepEqual(
      [0, 1, 2].map((i) => book.topSizeHundredths(0, i)),
      [11, 11, 11],
    );
    put(SIDE_NO, 200, 1); // a member shrinks: the fourth largest (5 or 7) moves up
    assert.deepEqual(
      [0, 1, 2].map((i) => book.topSizeHundredths(0, i)),
      [11, 11, 7],
    );
    check(book, 0, "after the edge cases");
  });

  it("recomputes the top three from the block bounds when the largest levels shrink", () => {
    const grid = gridOfStructure("centi_cent");
    const book = BookTable.create(1, { grid });
    book.writeBegin(0);
    book.clearBook(0);
    const sizes = [1000, 500, 400, 300, 200];
    for (const [s, q] of sizes.entries())
      book.setLevel(0, SIDE_YES, grid.tickOfLevel[s * 1024 + 5], s * 1024 + 5, q);
    book.setSnapshotFlags(0);
    book.writeEnd(0);
    assert.deepEqual(
      [0, 1, 2].map((i) => book.topSizeHundredths(0, i)),
      [1000, 500, 400],
    );
    book.writeBegin(0);
    book.addDelta(0, SIDE_YES, grid.tickOfLevel[5], 5, -999);
    book.writeEnd(0);
    assert.deepEqual(
      [0, 1, 2].map((i) => book.topSizeHundredths(0, i)),
      [500, 400, 300],
    );
    // two more shrink: fewer than three kept levels stay known, the rest comes from the (stale,
    // then tightened) block bounds
    for (const s of [1, 2]) {
      book.writeBegin(0);
      book.addDelta(0, SIDE_YES, grid.tickOfLevel[s * 1024 + 5], s * 1024 + 5, -(sizes[s] - 1));
      book.writeEnd(0);
    }
    assert.deepEqual(
      [0, 1, 2].map((i) => book.topSizeHundredths(0, i)),
      [300, 200, 1],
    );
    check(book, 0, "after the shrink");
  });
});

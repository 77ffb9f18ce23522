/**
 * From-scratch recomputation of the aggregates BookTable keeps incrementally (observation-v1.md
 * §4): walks every level of the market's grid, the slow way the book must never take.
 */
import { type BookTable, NEAR_DEPTH_TICKS, SIDE_NO, SIDE_YES, type Side } from "../../src/book/book-table.js";

export interface SideTruth {
  best: number;
  touch: number;
  total: number;
  count: number;
  near: number;
  distance: number;
}

export interface BookTruth {
  yes: SideTruth;
  no: SideTruth;
  /** three largest level sizes over both sides, largest first, 0-padded */
  top: [number, number, number];
}

function sideTruth(book: BookTable, m: number, side: Side, sizes: number[]): SideTruth {
  let best = 0;
  let total = 0;
  let count = 0;
  for (let l = 0; l < book.gridLevels(m); l++) {
    const t = book.tickAt(m, l);
    const q = book.sizeAt(m, side, t);
    if (q === 0) continue;
    best = t;
    total += q;
    count++;
    sizes.push(q);
  }
  let near = 0;
  let distance = 0;
  for (let l = 0; l < book.gridLevels(m) && best > 0; l++) {
    const t = book.tickAt(m, l);
    const q = book.sizeAt(m, side, t);
    if (t >= best - NEAR_DEPTH_TICKS) near += q;
    distance += q * (best - t);
  }
  return { best, touch: best > 0 ? book.sizeAt(m, side, best) : 0, total, count, near, distance };
}

export function bookTruth(book: BookTable, m: number): BookTruth {
  const sizes: number[] = [];
  const yes = sideTruth(book, m, SIDE_YES, sizes);
  const no = sideTruth(book, m, SIDE_NO, sizes);
  sizes.sort((a, b) => b - a);
  return { yes, no, top: [sizes[0] ?? 0, sizes[1] ?? 0, sizes[2] ?? 0] };
}

/** What the book's kept aggregates say, in the same shape (read them inside a consistent read). */
export function bookKept(book: BookTable, m: number): BookTruth {
  const yes = {
    bestTick: 0,
    touchHundredths: 0,
    totalHundredths: 0,
    nearHundredths: 0,
    levelCount: 0,
    distanceTickHundredths: 0,
  };
  const no = { ...yes };
  const top = { a: 0, b: 0, c: 0 };
  book.readSides(m, yes, no, top);
  const side = (s: typeof yes): SideTruth => ({
    best: s.bestTick,
    touch: s.touchHundredths,
    total: s.totalHundredths,
    count: s.levelCount,
    near: s.nearHundredths,
    distance: s.distanceTickHundredths,
  });
  return { yes: side(yes), no: side(no), top: [top.a, top.b, top.c] };
}

/** The first difference between kept and recomputed aggregates, or null. */
export function aggregatesProblem(book: BookTable, m: number): string | null {
  const kept = bookKept(book, m);
  const truth = bookTruth(book, m);
  const a = JSON.stringify(kept);
  const b = JSON.stringify(truth);
  if (a === b) return null;
  return `market ${m}: kept ${a} but recomputed ${b}`;
}

/**
 * Worker entry for the BookTable torn-read test: plays the io thread. Applies a seeded stream of
 * snapshots and deltas through BookTable's writer API, one write section per update, so that
 * every consistent book of every market satisfies, per side:
 *   total == Σ level sizes, levelCount == number of non-zero levels,
 *   best == highest non-zero tick (0 when empty);
 * and, across one update, appliedCount and lastSeq move together (lastSeq == appliedCount).
 * A delta update is a PAIR of level changes (−x at one tick, +x at another, or a removal plus an
 * add) so a torn read would also show a total that no complete update ever produced.
 */

import { parentPort, workerData } from "node:worker_threads";
import { BookTable, type BookTableShared, SIDE_NO, SIDE_YES, type Side } from "../../src/book/book-table.js";
import { prng } from "./prng.js";

export interface BookWriterJob {
  shared: BookTableShared;
  markets: number;
  /** Int32Array over it: [0] started, [1] done, [2] updates applied, [3] stop requested */
  flags: SharedArrayBuffer;
  /** upper bound on updates */
  updates: number;
  seed: number;
}

export function runBookWriter(
  book: BookTable,
  markets: number,
  updates: number,
  seed: number,
  flags?: Int32Array,
): void {
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const applied = new Float64Array(markets);
  const apply = (m: number): void => {
    applied[m]++;
    book.markApplied(m, 1_773_153_000_000 + applied[m], 1_773_153_000_000 + applied[m]);
    book.setSidSeq(m, 1, applied[m]);
  };
  for (let m = 0; m < markets; m++) snapshot(book, m, int, () => apply(m));
  // Readers start only now: the empty table before this point is not a state of the stream.
  if (flags !== undefined) Atomics.store(flags, 0, 1);
  for (let u = 0; u < updates; u++) {
    if (flags !== undefined && (u & 1023) === 0 && Atomics.load(flags, 3) !== 0) break;
    const m = int(markets);
    if (int(200) === 0) {
      snapshot(book, m, int, () => apply(m));
    } else {
      book.writeBegin(m);
      deltaPair(book, m, random() < 0.5 ? SIDE_YES : SIDE_NO, int);
      apply(m);
      book.writeEnd(m);
    }
    if (flags !== undefined) Atomics.store(flags, 2, u + 1);
  }
}

function snapshot(book: BookTable, m: number, int: (n: number) => number, inside?: () => void): void {
  book.writeBegin(m);
  book.clearBook(m);
  for (const side of [SIDE_YES, SIDE_NO] as const) {
    const levels = int(40);
    for (let i = 0; i < levels; i++) {
      const l = int(book.gridLevels(m));
      book.setLevel(m, side, book.tickAt(m, l), l, 1 + int(1_000_000));
    }
  }
  book.setSnapshotFlags(m);
  inside?.();
  book.writeEnd(m);
}

/** Moves size between two ticks of one side (total unchanged), or adds a level if none to move. */
function deltaPair(book: BookTable, m: number, side: Side, int: (n: number) => number): void {
  const fromLevel = int(book.gridLevels(m));
  const toLevel = int(book.gridLevels(m));
  const from = book.tickAt(m, fromLevel);
  const to = book.tickAt(m, toLevel);
  const available = book.sizeAfterDelta(m, side, fromLevel, 0);
  if (available === 0 || from === to) {
    book.addDelta(m, side, to, toLevel, 1 + int(10_000));
    return;
  }
  const moved = int(2) === 0 ? available : 1 + int(available);
  book.addDelta(m, side, from, fromLevel, -moved);
  book.addDelta(m, side, to, toLevel, moved);
}

function main(): void {
  const job = workerData as BookWriterJob;
  const flags = new Int32Array(job.flags);
  const book = BookTable.attach(job.shared);
  runBookWriter(book, job.markets, job.updates, job.seed, flags);
  Atomics.store(flags, 1, 1);
  parentPort!.postMessage({ done: true });
}

if (parentPort !== null) main();

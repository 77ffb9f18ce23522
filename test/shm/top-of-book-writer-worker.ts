/**
 * Worker entry for the packed top-of-book torn-read test: plays the io thread on one cent-grid
 * market whose best bids always move together, YES best + NO best = 9900 ticks after every update.
 * Each update is one write section of four level changes (old YES touch removed, new added, the
 * same on NO), and every 64th update a whole snapshot, so inside a section the working bests pass
 * through 0 and through pairs that break the sum — a reader must never see those.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BookTable, type BookTableShared, SIDE_NO, SIDE_YES } from "../../src/book/book-table.js";
import { prng } from "./prng.js";

export interface TopOfBookJob {
  shared: BookTableShared;
  /** Int32Array over it: [0] started, [1] done, [2] updates applied, [3] stop requested */
  flags: SharedArrayBuffer;
  updates: number;
}

export const TOP_SUM_TICKS = 9900;
const SIZE = 500;

function put(book: BookTable, yesTick: number, size: number): void {
  const noTick = TOP_SUM_TICKS - yesTick;
  book.addDelta(0, SIDE_YES, yesTick, book.levelOf(0, yesTick), size);
  book.addDelta(0, SIDE_NO, noTick, book.levelOf(0, noTick), size);
}

export function runTopOfBookWriter(book: BookTable, updates: number, flags?: Int32Array): void {
  const random = prng(77);
  const tick = (): number => 100 * (1 + Math.floor(random() * 98)); // 100..9800, NO 9800..100
  let yes = tick();
  book.writeBegin(0);
  book.clearBook(0);
  put(book, yes, SIZE);
  book.setSnapshotFlags(0);
  book.writeEnd(0);
  if (flags !== undefined) Atomics.store(flags, 0, 1);
  for (let u = 0; u < updates; u++) {
    if (flags !== undefined && (u & 1023) === 0 && Atomics.load(flags, 3) !== 0) break;
    let next = tick();
    while (next === yes) next = tick();
    book.writeBegin(0);
    if ((u & 63) === 0) {
      book.clearBook(0);
      put(book, next, SIZE);
      book.setSnapshotFlags(0);
    } else {
      put(book, yes, -SIZE);
      put(book, next, SIZE);
    }
    book.writeEnd(0);
    yes = next;
    if (flags !== undefined) Atomics.store(flags, 2, u + 1);
  }
}

function main(): void {
  const job = workerData as TopOfBookJob;
  const flags = new Int32Array(job.flags);
  runTopOfBookWriter(BookTable.attach(job.shared), job.updates, flags);
  Atomics.store(flags, 1, 1);
  parentPort!.postMessage({ done: true });
}

if (parentPort !== null) main();

import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { BookTable, SIDE_NO, SIDE_YES } from "../../src/book/book-table.js";
import { gridOfStructure } from "../../src/kalshi/price-grid.js";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { type BookWriterJob, runBookWriter } from "./book-writer-worker.js";
import { startModuleWorker } from "./ts-worker.js";

const writerUrl = siblingModuleUrl(import.meta.url, "./book-writer-worker");

/** Checks one market's book against the writer's invariants; returns a problem or null. */
function checkBook(book: BookTable, m: number): string | null {
  const sides = [
    ["YES", SIDE_YES, book.yesTotalHundredths(m), book.yesLevelCount(m), book.bestYesTick(m)],
    ["NO", SIDE_NO, book.noTotalHundredths(m), book.noLevelCount(m), book.bestNoTick(m)],
  ] as const;
  for (const [name, side, total, levels, best] of sides) {
    let sum = 0;
    let count = 0;
    let highest = 0;
    for (let l = 0; l < book.gridLevels(m); l++) {
      const t = book.tickAt(m, l);
      const size = book.sizeAt(m, side, t);
      if (size < 0) return `market ${m} ${name}: negative level at ${t}`;
      if (size !== 0) {
        sum += size;
        count++;
        highest = t;
      }
    }
    if (sum !== total) return `market ${m} ${name}: total ${total} but levels sum to ${sum}`;
    if (count !== levels) return `market ${m} ${name}: level count ${levels} but ${count} non-zero levels`;
    if (highest !== best) return `market ${m} ${name}: best ${best} but highest non-zero level ${highest}`;
  }
  if (book.lastSeq(m) !== book.appliedCount(m)) return `market ${m}: lastSeq and appliedCount torn`;
  if (book.lastTsMs(m) !== 1_773_153_000_000 + book.appliedCount(m)) return `market ${m}: lastTsMs torn`;
  return null;
}

describe("BookTable seqlock across worker_threads", () => {
  it("the test writer keeps its invariants after every update (single thread)", () => {
    const book = BookTable.create(4, { grid: gridOfStructure("tapered_deci_cent") });
    runBookWriter(book, 4, 5000, 11);
    for (let m = 0; m < 4; m++) assert.equal(checkBook(book, m), null);
  });

  it("a reader using readBegin/readValid never sees a torn book while the io worker applies updates", async (t) => {
    const markets = 32;
    const book = BookTable.create(markets, { grid: gridOfStructure("tapered_deci_cent") });
    const flagsSab = new SharedArrayBuffer(16);
    const flags = new Int32Array(flagsSab);
    const job: BookWriterJob = {
      shared: book.shared,
      markets,
      flags: flagsSab,
      updates: 50_000_000,
      seed: 2026,
    };
    const worker = startModuleWorker(writerUrl, { workerData: job });
    const exited = once(worker, "exit");
    const wantedReads = 20_000;
    // Keep reading until some reads overlapped a write, so the seqlock is really exercised; how
    // many overlap depends on scheduling, so it is not asserted.
    const wantedRetries = 200;
    let consistentReads = 0;
    let retries = 0;
    let tornRejected = 0;
    let updatesBefore = -1;
    const problems: string[] = [];
    // Bounded: at most this many read attempts even if the writer dies.
    for (
      let attempt = 0;
      attempt < 2_000_000 &&
      (consistentReads < wantedReads || retries < wantedRetries) &&
      Atomics.load(flags, 1) === 0;
      attempt++
    ) {
      if (Atomics.load(flags, 0) === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the worker boot
        continue;
      }
      if (updatesBefore < 0) updatesBefore = Atomics.load(flags, 2);
      const m = attempt % markets;
      const v = book.readBegin(m);
      const problem = checkBook(book, m);
      if (!book.readValid(m, v)) {
        retries++;
        if (problem !== null) tornRejected++;
        continue;
      }
      consistentReads++;
      if (problem !== null && problems.length < 5) problems.push(problem);
    }
    const updatesDuringReads = Atomics.load(flags, 2) - updatesBefore;
    Atomics.store(flags, 3, 1);
    await exited;
    t.diagnostic(
      `consistent reads ${consistentReads}, retries ${retries}, torn reads rejected ${tornRejected}, writer updates during reads ${updatesDuringReads}`,
    );
    assert.equal(Atomics.load(flags, 1), 1, "writer finished");
    assert.deepEqual(problems, []);
    assert.equal(consistentReads >= wantedReads, true);
    for (let m = 0; m < markets; m++) assert.equal(checkBook(book, m), null);
  });
});

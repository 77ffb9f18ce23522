import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { BookTable, SIDE_NO, SIDE_YES } from "../../src/book/book-table.js";
import { gridOfStructure } from "../../src/kalshi/price-grid.js";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import type { ConsistentRead } from "../../src/shm/seqlock.js";
import { aggregatesProblem } from "../book/aggregates-reference.js";
import { type BookWriterJob, runBookWriter } from "./book-writer-worker.js";
import { startModuleWorker } from "./ts-worker.js";

const writerUrl = siblingModuleUrl(import.meta.url, "./book-writer-worker");

/**
 * Checks one market's book against the writer's invariants; returns a problem or null. Every kept
 * aggregate (best bids, level counts, totals, near depth, Σ q·p, top three) must equal a
 * recomputation from the levels read in the same window, and the bookkeeping of one update must
 * move together.
 */
function checkBook(book: BookTable, m: number): string | null {
  for (let l = 0; l < book.gridLevels(m); l++)
    if (book.sizeAt(m, SIDE_YES, book.tickAt(m, l)) < 0 || book.sizeAt(m, SIDE_NO, book.tickAt(m, l)) < 0)
      return `market ${m}: negative level at ${book.tickAt(m, l)}`;
  if (book.lastSeq(m) !== book.appliedCount(m)) return `market ${m}: lastSeq and appliedCount torn`;
  if (book.lastTsMs(m) !== 1_773_153_000_000 + book.appliedCount(m)) return `market ${m}: lastTsMs torn`;
  // the incrementally kept aggregates (near depth, Σ q·p, top three) belong to the same update
  return aggregatesProblem(book, m);
}

/** One checked read of a market, run by readConsistent until no write overlapped it. */
class CheckedRead implements ConsistentRead {
  m = 0;
  problem: string | null = null;
  /** reads that found a problem (torn: discarded by readConsistent when it retries) */
  problemsSeen = 0;
  constructor(private readonly book: BookTable) {}
  read(): void {
    this.problem = checkBook(this.book, this.m);
    if (this.problem !== null) this.problemsSeen++;
  }
}

describe("BookTable seqlock across worker_threads", () => {
  it("the test writer keeps its invariants after every update (single thread)", () => {
    const book = BookTable.create(4, { grid: gridOfStructure("tapered_deci_cent") });
    runBookWriter(book, 4, 5000, 11);
    for (let m = 0; m < 4; m++) assert.equal(checkBook(book, m), null);
  });

  it("a reader using readConsistent never sees a torn book (levels and kept aggregates) while the io worker applies updates", async (t) => {
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
    const reader = new CheckedRead(book);
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
      reader.m = attempt % markets;
      retries += book.readConsistent(reader.m, reader);
      consistentReads++;
      if (reader.problem !== null && problems.length < 5) problems.push(reader.problem);
    }
    const tornRejected = reader.problemsSeen - problems.length;
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

/**
 * Top of book without the seqlock: BookTable publishes both best bids in one packed Int32 word,
 * stored once per write section, so one plain load always gives the bids of one complete update.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { BookTable, packedNoTick, packedYesTick } from "../../src/book/book-table.js";
import { gridOfStructure } from "../../src/kalshi/price-grid.js";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { runTopOfBookWriter, TOP_SUM_TICKS, type TopOfBookJob } from "./top-of-book-writer-worker.js";
import { startModuleWorker } from "./ts-worker.js";

const writerUrl = siblingModuleUrl(import.meta.url, "./top-of-book-writer-worker");

function pairProblem(word: number): string | null {
  const yes = packedYesTick(word);
  const no = packedNoTick(word);
  return yes > 0 && no > 0 && yes + no === TOP_SUM_TICKS ? null : `YES ${yes} NO ${no}`;
}

describe("packed top-of-book word", () => {
  it("holds both bids of the latest update after every write section (single thread)", () => {
    const book = BookTable.create(1, { grid: gridOfStructure("linear_cent") });
    runTopOfBookWriter(book, 1000);
    assert.equal(pairProblem(book.bestPacked(0)), null);
    assert.equal(book.bestYesTick(0) + book.bestNoTick(0), TOP_SUM_TICKS);
  });

  it("one plain load never sees a torn or half-written pair while the io worker writes", async (t) => {
    const book = BookTable.create(1, { grid: gridOfStructure("linear_cent") });
    const flagsSab = new SharedArrayBuffer(16);
    const flags = new Int32Array(flagsSab);
    const job: TopOfBookJob = { shared: book.shared, flags: flagsSab, updates: 50_000_000 };
    const worker = startModuleWorker(writerUrl, { workerData: job });
    const exited = once(worker, "exit");
    const problems: string[] = [];
    let reads = 0;
    let changes = 0;
    let last = 0;
    // Bounded: stops after enough reads that saw the word change, or if the writer ends.
    for (
      let attempt = 0;
      attempt < 50_000_000 && changes < 20_000 && Atomics.load(flags, 1) === 0;
      attempt++
    ) {
      if (Atomics.load(flags, 0) === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the worker boot
        continue;
      }
      const word = book.bestPacked(0);
      reads++;
      if (word !== last) changes++;
      last = word;
      const problem = pairProblem(word);
      if (problem !== null && problems.length < 5) problems.push(problem);
    }
    const updates = Atomics.load(flags, 2);
    Atomics.store(flags, 3, 1);
    await exited;
    t.diagnostic(`reads ${reads}, changes seen ${changes}, writer updates ${updates}`);
    assert.deepEqual(problems, []);
    assert.ok(changes > 100, "the reader saw the writer's updates");
  });
});

import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { MAX_SHARDS, noOpenOrders, PortfolioTable } from "../../../src/orders/accounts/portfolio-table.js";
import { siblingModuleUrl } from "../../../src/runtime/module-file.js";
import { type PortfolioWriterJob, runWriter, TOTAL_MICROS } from "../../shm/portfolio-writer-worker.js";
import { startModuleWorker } from "../../shm/ts-worker.js";

const writerUrl = siblingModuleUrl(import.meta.url, "../../shm/portfolio-writer-worker");

const noOrders = noOpenOrders();

/** Checks the writer's invariants on the current contents; returns a problem or null. */
function checkState(t: PortfolioTable): string | null {
  let sum = t.freeCashMicros() + t.reservedCashMicros();
  let open = 0;
  for (let m = 0; m < t.capacity; m++) {
    const contracts = t.contractsHundredths(m);
    const cost = t.costBasisMicros(m);
    if (contracts === 0 && cost !== 0) return `market ${m}: cost basis ${cost} without a position`;
    if (contracts !== 0) open++;
    sum += cost;
    if (t.hasOpenBuy(m) && t.hasOpenSell(m)) {
      if (t.newestBuyYesLimitTicks(m) + t.newestSellYesLimitTicks(m) !== 1000)
        return `market ${m}: limits torn`;
      if (t.newestBuyPlacedMs(m) !== t.newestSellPlacedMs(m)) return `market ${m}: placed times torn`;
    }
  }
  if (sum !== TOTAL_MICROS) return `cash + cost basis = ${sum}, expected ${TOTAL_MICROS}`;
  if (open !== t.positionCount()) return `positionCount ${t.positionCount()} but ${open} open positions`;
  for (let i = 0; i < t.positionCount(); i++) {
    if (t.contractsHundredths(t.positionMarketAt(i)) === 0) return `position list entry ${i} is flat`;
  }
  return null;
}

describe("PortfolioTable in one thread", () => {
  it("stores cash, signed positions and order summaries exactly", () => {
    const t = PortfolioTable.create(8);
    t.beginWrite();
    t.setCash(5_000_000_000_123, 250_000);
    t.setPosition(3, -1250, 520_000);
    t.setOrderSummary(3, {
      hasOpenBuy: true,
      hasOpenSell: false,
      newestBuyYesLimitTicks: 5850, // a NO buy at 415 is 1000 − 415 on the YES scale
      newestBuyPlacedMs: 1_773_153_000_007,
      newestSellYesLimitTicks: 0,
      newestSellPlacedMs: 0,
    });
    t.endWrite();
    const v = t.readBegin();
    assert.equal(v % 2, 0);
    assert.equal(t.freeCashMicros(), 5_000_000_000_123);
    assert.equal(t.reservedCashMicros(), 250_000);
    assert.equal(t.contractsHundredths(3), -1250);
    assert.equal(t.costBasisMicros(3), 520_000);
    assert.equal(t.hasOpenBuy(3), true);
    assert.equal(t.hasOpenSell(3), false);
    assert.equal(t.newestBuyYesLimitTicks(3), 5850);
    assert.equal(t.newestBuyPlacedMs(3), 1_773_153_000_007);
    assert.equal(t.newestSellYesLimitTicks(3), 0);
    assert.equal(t.readValid(v), true);
  });

  it("keeps the list of markets with a non-zero position through opens and closes", () => {
    const t = PortfolioTable.create(6);
    const positions = (): number[] =>
      Array.from({ length: t.positionCount() }, (_, i) => t.positionMarketAt(i)).sort((a, b) => a - b);
    t.beginWrite();
    t.setPosition(1, 100, 41_500);
    t.setPosition(4, -200, 110_000);
    t.setPosition(5, 50, 20_000);
    t.setPosition(4, -300, 165_000); // still open: listed once
    t.endWrite();
    assert.deepEqual(positions(), [1, 4, 5]);
    t.beginWrite();
    t.setPosition(1, 0, 0);
    t.endWrite();
    assert.deepEqual(positions(), [4, 5]);
    t.beginWrite();
    t.setPosition(5, 0, 0);
    t.setPosition(0, 1, 415);
    t.setPosition(4, 0, 0);
    t.setPosition(4, 0, 0); // closing a flat market is a no-op for the list
    t.endWrite();
    assert.deepEqual(positions(), [0]);
  });

  it("refuses writes outside a write section, bad markets and non-integer money", () => {
    const t = PortfolioTable.create(2);
    assert.throws(() => t.setCash(1, 0), /beginWrite/);
    assert.throws(() => t.endWrite(), /not writing/);
    t.beginWrite();
    assert.throws(() => t.beginWrite(), /already writing/);
    assert.throws(() => t.setCash(0.5, 0), RangeError);
    assert.throws(() => t.setCash(2 ** 53, 0), RangeError);
    assert.throws(() => t.setPosition(2, 1, 0), RangeError);
    assert.throws(() => t.setPosition(0, 1.5, 0), RangeError);
    assert.throws(() => t.setOrderSummary(-1, noOrders), RangeError);
    t.endWrite();
  });

  it("publishes cash per exchange shard beside the totals, for every capacity's layout", () => {
    for (const capacity of [1, 3, 8]) {
      const t = PortfolioTable.create(capacity);
      const reader = PortfolioTable.attach(structuredClone(t.shared));
      assert.equal(reader.shardCount(), 0);
      t.beginWrite();
      t.setCash(9_000_123, 500);
      t.setShardCash(0, 4_000_000, 0);
      t.setShardCash(2, 5_000_123, 500);
      t.setPosition(capacity - 1, -300, 1_200_000); // the last record: the shard block follows it
      assert.throws(() => t.setShardCash(MAX_SHARDS, 0, 0), RangeError);
      assert.throws(() => t.setShardCash(1, 0.5, 0), RangeError);
      t.endWrite();
      assert.equal(reader.shardCount(), 3);
      assert.deepEqual(
        [0, 1, 2].map((k) => [reader.shardFreeCashMicros(k), reader.shardReservedCashMicros(k)]),
        [
          [4_000_000, 0],
          [0, 0],
          [5_000_123, 500],
        ],
      );
      assert.equal(reader.freeCashMicros(), 9_000_123, "the total is the header's (the observation's cash)");
      assert.equal(reader.contractsHundredths(capacity - 1), -300);
      assert.equal(reader.costBasisMicros(capacity - 1), 1_200_000);
    }
  });

  it("a version changes across a write, so a read that overlapped it is rejected", () => {
    const t = PortfolioTable.create(2);
    const v = t.readBegin();
    t.beginWrite();
    assert.equal(t.readValid(v), false);
    t.endWrite();
    assert.equal(t.readValid(v), false);
    assert.equal(t.readValid(t.readBegin()), true);
  });

  it("attaches in another view through a structured clone of .shared", () => {
    const t = PortfolioTable.create(4);
    const reader = PortfolioTable.attach(structuredClone(t.shared));
    t.beginWrite();
    t.setCash(7, 3);
    t.endWrite();
    assert.equal(reader.freeCashMicros(), 7);
    assert.throws(() => PortfolioTable.attach({ sab: t.shared.sab, capacity: 5 }), TypeError);
  });

  it("the test writer keeps its invariants in every published state (single thread)", () => {
    const t = PortfolioTable.create(16);
    runWriter(t, 2000, 7);
    assert.equal(checkState(t), null);
  });
});

describe("PortfolioTable across worker_threads", () => {
  it("a reader using the seqlock never sees a torn portfolio while the orders worker writes", async (t) => {
    const table = PortfolioTable.create(64);
    const flagsSab = new SharedArrayBuffer(16);
    const flags = new Int32Array(flagsSab);
    const job: PortfolioWriterJob = {
      shared: table.shared,
      flags: flagsSab,
      // a cap only: the writer runs until the reader has what it wants (flags[3])
      updates: 500_000_000,
      seed: 2026,
    };
    const worker = startModuleWorker(writerUrl, { workerData: job });
    const exited = once(worker, "exit");
    let consistentReads = 0;
    let retries = 0;
    let tornRejected = 0;
    const problems: string[] = [];
    const wantedReads = 20_000;
    // Keep reading (bounded by attempts) until some reads overlapped a write, so the seqlock is
    // really exercised; how many overlap depends on scheduling, so it is not asserted.
    const wantedRetries = 200;
    let updatesBefore = -1;
    // Bounded: at most this many read attempts even if the writer dies. Under a loaded machine most
    // reads overlap a write and retry, so the bound leaves room for that.
    for (
      let attempt = 0;
      attempt < 30_000_000 &&
      (consistentReads < wantedReads || retries < wantedRetries) &&
      Atomics.load(flags, 1) === 0;
      attempt++
    ) {
      if (Atomics.load(flags, 0) === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the worker boot
        continue;
      }
      if (updatesBefore < 0) updatesBefore = Atomics.load(flags, 2);
      const v = table.readBegin();
      const problem = checkState(table);
      if (!table.readValid(v)) {
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
    assert.equal(checkState(table), null);
  });
});

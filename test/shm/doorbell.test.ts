import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import type { Worker } from "node:worker_threads";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { Doorbell } from "../../src/shm/doorbell.js";
import { SpscRing } from "../../src/shm/spsc-ring.js";
import { checkTestRecord, type RingJob, TEST_RECORD_WORDS, writeTestRecord } from "./ring-worker.js";
import { startModuleWorker, until } from "./ts-worker.js";

const workerUrl = siblingModuleUrl(import.meta.url, "./ring-worker");

function startWorker(job: RingJob): Worker {
  return startModuleWorker(workerUrl, { workerData: job });
}

async function nextMessage<T>(worker: Worker): Promise<T> {
  const [message] = (await Promise.race([
    once(worker, "message"),
    once(worker, "error").then(([e]) => Promise.reject(e)),
  ])) as [T];
  return message;
}

function group(n: number, capacity = 64): { doorbell: Doorbell; rings: SpscRing[] } {
  const doorbell = Doorbell.create();
  const rings = Array.from({ length: n }, () =>
    SpscRing.create({ recordWords: TEST_RECORD_WORDS, capacity, doorbell: doorbell.shared }),
  );
  return { doorbell, rings };
}

describe("Doorbell: one consumer waiting on several rings", () => {
  it("times out false when every ring is empty and returns true at once when one has records", async () => {
    const { doorbell, rings } = group(3);
    assert.equal(doorbell.waitForAny(rings, 1), false);
    assert.equal(await doorbell.waitForAnyAsync(rings, 1), false);
    writeTestRecord(rings[1], rings[1].tryClaim(), 0);
    rings[1].commit();
    assert.equal(doorbell.waitForAny(rings, 1), true);
    assert.equal(await doorbell.waitForAnyAsync(rings, 1), true);
    assert.equal(doorbell.ringCount(), 0, "nobody was asleep, so no producer paid for a notify");
  });

  it("wakes a sleeping consumer once, however many commits to its rings come before it runs", async () => {
    const { doorbell, rings } = group(3);
    const woke = doorbell.waitForAnyAsync(rings, 60_000); // declares waiting synchronously
    assert.equal(doorbell.consumerWaiting(), true);
    for (const k of [0, 2, 2, 1]) {
      writeTestRecord(rings[k], rings[k].tryClaim(), 0);
      rings[k].commit();
    }
    assert.equal(doorbell.ringCount(), 1, "one futex wake for four commits on three rings");
    assert.equal(doorbell.consumerWaiting(), false);
    assert.equal(await woke, true);
    assert.deepEqual(
      rings.map((r) => r.available()),
      [1, 1, 2],
    );
  });

  it("the descriptor of a ring carries its doorbell through attach", () => {
    const { rings } = group(1);
    const copy = structuredClone(rings[0].shared);
    assert.notEqual(copy.doorbell, undefined);
    const attached = SpscRing.attach(copy).shared.doorbell!;
    new Int32Array(attached.sab)[5] = 7; // same memory, seen through the original descriptor
    assert.equal(new Int32Array(rings[0].shared.doorbell!.sab)[5], 7);
    assert.throws(() => Doorbell.attach({ sab: new SharedArrayBuffer(8) }), TypeError);
  });

  it("waitForAnyAsync on the main thread wakes when a worker commits to the third ring", async () => {
    const { doorbell, rings } = group(3);
    const worker = startWorker({ job: "produce-on-message", shared: rings[2].shared, count: 1 });
    await nextMessage(worker); // ready
    const woke = doorbell.waitForAnyAsync(rings, 60_000); // declares waiting synchronously
    worker.postMessage("go");
    assert.equal(await woke, true);
    await nextMessage(worker);
    await worker.terminate();
    assert.equal(doorbell.ringCount() >= 1, true);
    assert.equal(rings[0].peek(), -1);
    assert.equal(checkTestRecord(rings[2], rings[2].peek(), 0), null);
  });

  it("waitForAny in a worker wakes when the main thread commits to the second ring", async () => {
    const { doorbell, rings } = group(3);
    const worker = startWorker({
      job: "wait-any",
      shared: rings[0].shared,
      group: rings.map((r) => r.shared),
      count: 1,
    });
    const result = nextMessage<{ woke: boolean; available: number[] }>(worker);
    await until(() => doorbell.consumerWaiting(), "the worker waits");
    writeTestRecord(rings[1], rings[1].tryClaim(), 0);
    rings[1].commit();
    assert.deepEqual(await result, { woke: true, available: [0, 1, 0] });
    await worker.terminate();
    assert.equal(doorbell.ringCount(), 1);
  });

  it("three producer workers, one sleeping consumer: every record of every ring arrives once, in order", async () => {
    const perRing = 100_000;
    const { doorbell, rings } = group(3, 256);
    const workers = rings.map((r) =>
      startWorker({ job: "produce", shared: r.shared, count: perRing, batch: 3 }),
    );
    const done = Promise.all(workers.map((w) => nextMessage(w)));
    const received = [0, 0, 0];
    const errors: string[] = [];
    const handlers = rings.map((ring, k) => (slot: number) => {
      const problem = checkTestRecord(ring, slot, received[k]);
      if (problem !== null && errors.length < 10) errors.push(`ring ${k}: ${problem}`);
      received[k]++;
    });
    let idleWaits = 0;
    while (received[0] + received[1] + received[2] < 3 * perRing && idleWaits < 30) {
      let work = 0;
      for (let k = 0; k < 3; k++) work += rings[k].poll(handlers[k]);
      if (work === 0) idleWaits = (await doorbell.waitForAnyAsync(rings, 1000)) ? 0 : idleWaits + 1;
    }
    await done;
    await Promise.all(workers.map((w) => w.terminate()));
    assert.deepEqual(errors, []);
    assert.deepEqual(received, [perRing, perRing, perRing]);
  });
});

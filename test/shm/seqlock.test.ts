/**
 * The seqlock's write section (src/shm/seqlock.ts): a plain store opens it, one Atomics.store
 * closes it. A reader using readConsistent must only ever accept field values of one complete
 * update while another thread writes.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { type ConsistentRead, readConsistent } from "../../src/shm/seqlock.js";
import {
  FLOAT_FIELDS,
  FLOAT_OFFSET_BYTES,
  INT_FIELDS,
  runSeqlockWriter,
  SEQLOCK_SAB_BYTES,
  type SeqlockJob,
} from "./seqlock-writer-worker.js";
import { startModuleWorker } from "./ts-worker.js";

const writerUrl = siblingModuleUrl(import.meta.url, "./seqlock-writer-worker");

/** Copies every protected field and notes whether they all belong to one update. */
class FieldsRead implements ConsistentRead {
  update = 0;
  torn = false;
  /** reads that saw fields of two updates (discarded by readConsistent when it retried) */
  tornSeen = 0;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  constructor(sab: SharedArrayBuffer) {
    this.ints = new Int32Array(sab, 0, 2 + INT_FIELDS);
    this.floats = new Float64Array(sab, FLOAT_OFFSET_BYTES, FLOAT_FIELDS);
  }
  read(): void {
    const k = this.ints[2];
    let torn = false;
    for (let i = 1; i < INT_FIELDS; i++) if (this.ints[2 + i] !== k) torn = true;
    for (let i = 0; i < FLOAT_FIELDS; i++) if (this.floats[i] !== (k === 0 ? 0 : k + 0.5)) torn = true;
    this.update = k;
    this.torn = torn;
    if (torn) this.tornSeen++;
  }
}

describe("seqlock write section", () => {
  it("leaves the version even and every field at the last update (single thread)", () => {
    const sab = new SharedArrayBuffer(SEQLOCK_SAB_BYTES);
    runSeqlockWriter(sab, 1000);
    const reader = new FieldsRead(sab);
    assert.equal(readConsistent(new Int32Array(sab), 0, reader), 0);
    assert.equal(reader.torn, false);
    assert.equal(reader.update, 1000);
    assert.equal(new Int32Array(sab)[0], 2000);
  });

  it("a reader using readConsistent never accepts a torn read while another thread writes", async (t) => {
    const sab = new SharedArrayBuffer(SEQLOCK_SAB_BYTES);
    const flagsSab = new SharedArrayBuffer(16);
    const flags = new Int32Array(flagsSab);
    const job: SeqlockJob = { sab, flags: flagsSab, updates: 500_000_000 };
    const worker = startModuleWorker(writerUrl, { workerData: job });
    const exited = once(worker, "exit");
    const words = new Int32Array(sab);
    const reader = new FieldsRead(sab);
    const problems: string[] = [];
    let reads = 0;
    let retries = 0;
    let changes = 0;
    let last = -1;
    // Bounded: stops after enough reads that saw the fields change, or if the writer ends.
    for (
      let attempt = 0;
      attempt < 10_000_000 && changes < 2_000 && Atomics.load(flags, 1) === 0;
      attempt++
    ) {
      if (Atomics.load(flags, 0) === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the worker boot
        continue;
      }
      retries += readConsistent(words, 0, reader);
      reads++;
      if (reader.torn && problems.length < 5) problems.push(`update ${reader.update} accepted torn`);
      if (reader.update < last && problems.length < 5) problems.push(`update ${reader.update} after ${last}`);
      if (reader.update !== last) changes++;
      last = reader.update;
    }
    Atomics.store(flags, 3, 1);
    await exited;
    t.diagnostic(
      `reads ${reads}, retries ${retries}, torn reads rejected ${reader.tornSeen}, changes seen ${changes}, writer updates ${Atomics.load(flags, 2)}`,
    );
    assert.deepEqual(problems, []);
    assert.ok(changes > 10, "the reader saw the writer's updates");
  });
});

/**
 * Worker entry for the seqlock torn-read test: the single writer of one version word
 * (src/shm/seqlock.ts writeBegin / writeEnd). Each write section stores update k into every
 * protected field — INT_FIELDS int32 words equal to k and FLOAT_FIELDS float64 words equal to
 * k + 0.5 — one field at a time, so a read overlapping a section sees fields of two updates.
 */
import { parentPort, workerData } from "node:worker_threads";
import { writeBegin, writeEnd } from "../../src/shm/seqlock.js";

export const INT_FIELDS = 14;
export const FLOAT_FIELDS = 8;
/** int32 words: [0] version, [1] padding, [2 .. 2 + INT_FIELDS) fields; then the float64 fields */
export const FLOAT_OFFSET_BYTES = 64;
export const SEQLOCK_SAB_BYTES = FLOAT_OFFSET_BYTES + FLOAT_FIELDS * 8;

export interface SeqlockJob {
  sab: SharedArrayBuffer;
  /** Int32Array over it: [0] started, [1] done, [2] updates written, [3] stop requested */
  flags: SharedArrayBuffer;
  updates: number;
}

export function runSeqlockWriter(sab: SharedArrayBuffer, updates: number, flags?: Int32Array): void {
  const ints = new Int32Array(sab, 0, 2 + INT_FIELDS);
  const floats = new Float64Array(sab, FLOAT_OFFSET_BYTES, FLOAT_FIELDS);
  if (flags !== undefined) Atomics.store(flags, 0, 1);
  for (let k = 1; k <= updates; k++) {
    if (flags !== undefined && (k & 1023) === 0 && Atomics.load(flags, 3) !== 0) break;
    writeBegin(ints, 0);
    for (let i = 0; i < INT_FIELDS; i++) ints[2 + i] = k;
    for (let i = 0; i < FLOAT_FIELDS; i++) floats[i] = k + 0.5;
    writeEnd(ints, 0);
    if (flags !== undefined && (k & 255) === 0) Atomics.store(flags, 2, k);
  }
}

function main(): void {
  const job = workerData as SeqlockJob;
  const flags = new Int32Array(job.flags);
  runSeqlockWriter(job.sab, job.updates, flags);
  Atomics.store(flags, 1, 1);
  parentPort!.postMessage({ done: true });
}

if (parentPort !== null) main();

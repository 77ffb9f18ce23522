/**
 * Worker entry for the SpscRing cross-thread tests. One job per worker, chosen by `workerData.job`.
 * Records carry a sequence number in several encodings so a torn or stale record is detectable:
 *   f64[slot + 0] = seq, f64[slot + 1] = seq * 3 + 0.5, i32[slot*2 + 4] = seq | 0, i32[slot*2 + 5] = ~seq
 */
import { parentPort, workerData } from "node:worker_threads";
import { Doorbell } from "../../src/shm/doorbell.js";
import { SpscRing, type SpscRingShared } from "../../src/shm/spsc-ring.js";

export const TEST_RECORD_WORDS = 3;

export interface RingJob {
  job: "produce" | "consume" | "fill" | "produce-on-message" | "wait-blocking" | "wait-any";
  shared: SpscRingShared;
  /** wait-any: the rings of the group (their `doorbell` is the one waited on) */
  group?: SpscRingShared[];
  count: number;
  /** records claimed per commit (produce) */
  batch?: number;
}

export interface ConsumeResult {
  received: number;
  errors: string[];
}

export function writeTestRecord(ring: SpscRing, slot: number, seq: number): void {
  ring.f64[slot] = seq;
  ring.f64[slot + 1] = seq * 3 + 0.5;
  ring.i32[slot * 2 + 4] = seq | 0;
  ring.i32[slot * 2 + 5] = ~seq;
}

/** Returns null when the record is the expected one, else a description of what is wrong. */
export function checkTestRecord(ring: SpscRing, slot: number, expectedSeq: number): string | null {
  const seq = ring.f64[slot];
  if (seq !== expectedSeq) return `expected seq ${expectedSeq}, got ${seq}`;
  if (ring.f64[slot + 1] !== seq * 3 + 0.5) return `seq ${seq}: bad f64 check word`;
  if (ring.i32[slot * 2 + 4] !== (seq | 0) || ring.i32[slot * 2 + 5] !== ~seq)
    return `seq ${seq}: bad i32 words`;
  return null;
}

const scratch = new Int32Array(new SharedArrayBuffer(4));

/** Back-off while the ring is full: the producer has no event to await, so it naps briefly. */
function backOff(spins: number): void {
  if (spins > 64) Atomics.wait(scratch, 0, 0, 0.05);
}

export function produce(ring: SpscRing, count: number, batch: number): void {
  let seq = 0;
  while (seq < count) {
    let claimed = 0;
    let spins = 0;
    while (claimed < batch && seq < count) {
      const slot = ring.tryClaim();
      if (slot < 0) {
        if (claimed > 0) break;
        // Bounded: a dead consumer must fail the test, not hang it (~10 s of naps).
        if (++spins > 200_000) throw new Error(`producer stuck at seq ${seq}: consumer gone?`);
        backOff(spins);
        continue;
      }
      writeTestRecord(ring, slot, seq++);
      claimed++;
    }
    ring.commit();
  }
}

function consumeBlocking(ring: SpscRing, count: number): ConsumeResult {
  const errors: string[] = [];
  let received = 0;
  const handler = (slot: number): void => {
    const problem = checkTestRecord(ring, slot, received);
    if (problem !== null && errors.length < 10) errors.push(problem);
    received++;
  };
  while (received < count) {
    if (ring.poll(handler, count - received) === 0) ring.waitForRecords(1000);
  }
  return { received, errors };
}

function main(): void {
  const job = workerData as RingJob;
  const port = parentPort!;
  const ring = SpscRing.attach(job.shared);
  switch (job.job) {
    case "produce":
      produce(ring, job.count, job.batch ?? 1);
      port.postMessage({ done: true });
      break;
    case "consume":
      port.postMessage(consumeBlocking(ring, job.count));
      break;
    case "fill": {
      // Claims `count` times without any consumer: the first `capacity` succeed, the rest overflow.
      let written = 0;
      for (let i = 0; i < job.count; i++) {
        const slot = ring.tryClaim();
        if (slot >= 0) writeTestRecord(ring, slot, written++);
      }
      ring.commit();
      port.postMessage({ written });
      break;
    }
    case "produce-on-message":
      port.once("message", () => {
        produce(ring, job.count, 1);
        port.postMessage({ done: true });
      });
      port.postMessage({ ready: true });
      break;
    case "wait-any": {
      const rings = job.group!.map((shared) => SpscRing.attach(shared));
      const doorbell = Doorbell.attach(job.group![0].doorbell!);
      const woke = doorbell.waitForAny(rings, 60_000);
      port.postMessage({ woke, available: rings.map((r) => r.available()) });
      break;
    }
    case "wait-blocking": {
      const woke = ring.waitForRecords(60_000);
      port.postMessage({ woke, available: ring.available() });
      break;
    }
  }
}

if (parentPort !== null) main();

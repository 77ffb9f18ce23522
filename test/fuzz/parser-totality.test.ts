/**
 * Parser totality: no received frame can hang or crash the engine (lessons: every parser loop
 * makes progress). Mutated frames of every message group go through every frame target in a
 * worker; the test watches the worker's progress word and, should one frame never return, names it.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { FRAME_MALFORMED, FrameScanner } from "../../src/kalshi/frame-scanner.js";
import { startModuleWorker } from "../shm/ts-worker.js";
import { SEED_FRAMES } from "./frame-corpus.js";
import { type FuzzFailure, type FuzzJob, frameAt } from "./frame-fuzz-worker.js";
import { FrameTargets } from "./frame-targets.js";
import { watchWorker } from "./stall-watch.js";

/** Far beyond any frame's parse time (microseconds) on a loaded machine: only a hang exceeds it. */
const STALL_MS = 20_000;
const FRAMES_PER_GROUP = 200_000;

function runFuzz(job: FuzzJob): Promise<FuzzFailure[]> {
  const worker = startModuleWorker(new URL("./frame-fuzz-worker.ts", import.meta.url), { workerData: job });
  return watchWorker<FuzzFailure[]>({
    worker,
    progress: new Int32Array(job.progress),
    stallMs: STALL_MS,
    describe: (p) => {
      const group = job.groups[p[0]];
      return `frame ${p[1]} of ${group} (${JSON.stringify(frameAt(job, group, p[1]))})`;
    },
  });
}

/** Inputs `make fuzz` found to reach new code: replayed on every run. */
function fuzzCorpus(): string[] {
  const dir = new URL("./corpus/", import.meta.url);
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(new URL(name, dir), "utf8"));
}

describe("parser totality", () => {
  it("every frame of the committed fuzz corpus passes every frame target", async () => {
    const literal = fuzzCorpus();
    assert.ok(literal.length > 100, `the corpus holds only ${literal.length} frames`);
    const job: FuzzJob = {
      groups: ["literal"],
      literal,
      frames: 0,
      seed: 0,
      progress: new SharedArrayBuffer(8),
    };
    assert.deepEqual(await runFuzz(job), []);
  });

  it("the frame that froze the engine (a raw control character in a snapshot level) is malformed, at once", async () => {
    const frame = `{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"KXA","yes_dollars_fp":[["0.50\u0001","1.00"]]}}`;
    const targets = new FrameTargets();
    const job: FuzzJob = {
      groups: ["literal"],
      literal: [frame],
      frames: 0,
      seed: 0,
      progress: new SharedArrayBuffer(8),
    };
    assert.deepEqual(await runFuzz(job), []);
    const scanner = new FrameScanner();
    assert.equal(scanner.scan(frame), FRAME_MALFORMED);
    assert.equal(targets.check(frame), null);
  });

  it(`${FRAMES_PER_GROUP} mutated frames of every message type: none hangs, throws or disagrees with JSON.parse on validity`, async () => {
    const groups = Object.keys(SEED_FRAMES);
    const job: FuzzJob = {
      groups,
      frames: FRAMES_PER_GROUP,
      seed: 20261205,
      progress: new SharedArrayBuffer(8),
    };
    const failures = await runFuzz(job);
    assert.deepEqual(failures, []);
  });
});

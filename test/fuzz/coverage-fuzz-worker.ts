/**
 * Coverage-guided fuzzing of every frame target (`make fuzz`). V8's precise block coverage is the
 * feedback: a mutated frame that reaches a block (or a block count bucket) of the engine's source
 * not reached before joins the corpus and is written to the corpus directory; a frame that breaks
 * a rule is written to the crash directory. Before each input the frame is published in shared
 * memory, so the parent can save a frame that never returns.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { Xoshiro128 } from "../../src/paper/faults/prng.js";
import { type MutationStep, mutate, SEED_FRAMES } from "./frame-corpus.js";
import { FrameTargets } from "./frame-targets.js";

export interface CoverageFuzzJob {
  seconds: number;
  seed: number;
  corpusDir: string;
  crashDir: string;
  /** [0] = executions so far, [1] = byte length of the current frame in `frame` */
  progress: SharedArrayBuffer;
  frame: SharedArrayBuffer;
}

export interface CoverageFuzzResult {
  executions: number;
  corpus: number;
  added: number;
  features: number;
  failures: { frame: string; why: string }[];
}

/** Longest frame a mutation may produce (duplication could otherwise grow frames without end). */
const MAX_FRAME_CHARS = 4096;

interface ScriptCoverage {
  url: string;
  functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
}

function bucket(count: number): number {
  return count >= 128 ? 8 : 32 - Math.clz32(count); // 1, 2-3, 4-7, … (libFuzzer's count classes)
}

function loadCorpus(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) out.push(readFileSync(join(dir, name), "utf8"));
  return out;
}

function save(dir: string, frame: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${createHash("sha1").update(frame).digest("hex").slice(0, 16)}.frame`), frame);
}

export async function runCoverageFuzz(job: CoverageFuzzJob): Promise<CoverageFuzzResult> {
  const progress = new Int32Array(job.progress);
  const frameBytes = new Uint8Array(job.frame);
  const encoder = new TextEncoder();
  const corpus = [...Object.values(SEED_FRAMES).flat(), ...loadCorpus(job.corpusDir)];
  const seen = new Set<string>();
  const targets = new FrameTargets();
  const rng = new Xoshiro128(job.seed);
  const failures: CoverageFuzzResult["failures"] = [];
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });

  const newFeatures = async (): Promise<number> => {
    const { result } = (await session.post("Profiler.takePreciseCoverage")) as { result: ScriptCoverage[] };
    let added = 0;
    for (const script of result) {
      if (!script.url.includes("/src/")) continue;
      for (const fn of script.functions) {
        for (const r of fn.ranges) {
          if (r.count === 0) continue;
          const key = `${script.url}:${r.startOffset}:${r.endOffset}:${bucket(r.count)}`;
          if (!seen.has(key)) {
            seen.add(key);
            added++;
          }
        }
      }
    }
    return added;
  };

  for (const frame of corpus) {
    targets.check(frame);
    await newFeatures();
  }
  const deadline = Date.now() + job.seconds * 1000;
  let executions = 0;
  let added = 0;
  while (Date.now() < deadline) {
    const steps: MutationStep[] = [];
    const n = 1 + rng.int(4);
    for (let k = 0; k < n; k++) steps.push([rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()]);
    let frame = mutate(corpus[rng.int(corpus.length)], steps);
    if (frame.length > MAX_FRAME_CHARS) frame = frame.slice(0, MAX_FRAME_CHARS);
    const { written } = encoder.encodeInto(frame, frameBytes);
    Atomics.store(progress, 1, written);
    Atomics.store(progress, 0, ++executions);
    let why: string | null;
    try {
      why = targets.check(frame);
    } catch (err) {
      why = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    }
    if (why !== null) {
      save(job.crashDir, frame);
      if (failures.length < 20) failures.push({ frame, why });
    }
    if ((await newFeatures()) > 0) {
      corpus.push(frame);
      save(job.corpusDir, frame);
      added++;
    }
  }
  await session.post("Profiler.stopPreciseCoverage");
  session.disconnect();
  return { executions, corpus: corpus.length, added, features: seen.size, failures };
}

if (
  parentPort !== null &&
  workerData !== null &&
  typeof workerData === "object" &&
  "corpusDir" in workerData
) {
  const port = parentPort;
  void runCoverageFuzz(workerData as CoverageFuzzJob).then((r) => port.postMessage(r));
}

/**
 * Worker side of the parser-totality test: mutates the seed frames of every message group with
 * seeded plans and runs each through every frame target. It publishes the index of the frame
 * it is on in shared memory before parsing it, so the parent can name a frame that never returns.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Xoshiro128 } from "../../src/paper/faults/prng.js";
import { type MutationStep, mutate, SEED_FRAMES } from "./frame-corpus.js";
import { FrameTargets } from "./frame-targets.js";

export interface FuzzJob {
  /** message groups of SEED_FRAMES, or "literal" for `literal` frames checked as they are */
  groups: string[];
  literal?: string[];
  /** mutated frames per group */
  frames: number;
  seed: number;
  /** Int32Array view: [0] = group index, [1] = index of the frame being parsed */
  progress: SharedArrayBuffer;
}

export interface FuzzFailure {
  group: string;
  index: number;
  frame: string;
  why: string;
}

/** Every DEEP_EVERY-th frame also gets the costly checks (FrameTargets.check `deep`). */
const DEEP_EVERY = 16;

/**
 * The mutation plan of frame `index` of a group: drawn from its own seeded PRNG, so any frame of
 * a run can be rebuilt from (seed, group, index) alone. (fast-check's per-sample overhead was
 * most of the run's time at these counts; the plans need only uniform integers.)
 */
export function planOf(seed: number, group: string, index: number): { base: number; steps: MutationStep[] } {
  let h = seed >>> 0;
  for (let i = 0; i < group.length; i++) h = Math.imul(h ^ group.charCodeAt(i), 0x01000193) >>> 0;
  const rng = new Xoshiro128((h + Math.imul(index, 0x9e3779b1)) >>> 0);
  const steps: MutationStep[] = [];
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) steps.push([rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()]);
  return { base: rng.nextU32(), steps };
}

export function frameOf(group: string, plan: { base: number; steps: readonly MutationStep[] }): string {
  const seeds = SEED_FRAMES[group];
  if (seeds === undefined) throw new Error(`no seed frames for ${group}`);
  return mutate(seeds[plan.base % seeds.length], plan.steps);
}

/** The frame a job parses at (group, index): how the parent names a frame that never returned. */
export function frameAt(job: FuzzJob, group: string, index: number): string {
  if (group === "literal") return job.literal?.[index] ?? "";
  return frameOf(group, planOf(job.seed, group, index));
}

export function runJob(job: FuzzJob): FuzzFailure[] {
  const progress = new Int32Array(job.progress);
  const failures: FuzzFailure[] = [];
  const checkOne = (targets: FrameTargets, group: string, index: number, frame: string) => {
    Atomics.store(progress, 1, index);
    let why: string | null;
    try {
      why = targets.check(frame, group === "literal" || index % DEEP_EVERY === 0);
    } catch (err) {
      why = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    }
    if (why !== null && failures.length < 10) failures.push({ group, index, frame, why });
  };
  for (let g = 0; g < job.groups.length; g++) {
    const group = job.groups[g];
    Atomics.store(progress, 0, g);
    const targets = new FrameTargets();
    const count = group === "literal" ? (job.literal?.length ?? 0) : job.frames;
    for (let index = 0; index < count; index++) checkOne(targets, group, index, frameAt(job, group, index));
  }
  return failures;
}

if (parentPort !== null && workerData !== null && typeof workerData === "object" && "groups" in workerData) {
  parentPort.postMessage(runJob(workerData as FuzzJob));
}

/**
 * `make fuzz` — coverage-guided fuzzing of every parser a received frame can reach, for longer
 * runs than `make test` affords. Usage:
 *   node --import tsx test/fuzz/coverage-fuzz.ts [--seconds 300] [--seed N]
 * New inputs that reach new code join test/fuzz/corpus/ (committed; `make test` replays it);
 * a frame that breaks a rule, throws or never returns is saved in test/fuzz/crashes/ and the run
 * exits 1.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startModuleWorker } from "../shm/ts-worker.js";
import type { CoverageFuzzJob, CoverageFuzzResult } from "./coverage-fuzz-worker.js";
import { watchWorker } from "./stall-watch.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "300" },
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error("usage: coverage-fuzz.ts [--seconds S>0] [--seed INTEGER]");
  process.exit(2);
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const job: CoverageFuzzJob = {
  seconds,
  seed,
  corpusDir: here("./corpus"),
  crashDir: here("./crashes"),
  progress: new SharedArrayBuffer(8),
  frame: new SharedArrayBuffer(4096 * 3),
};
const progress = new Int32Array(job.progress);
console.log(`fuzzing every frame target for ${seconds} s (seed ${seed})`);
const worker = startModuleWorker(new URL("./coverage-fuzz-worker.ts", import.meta.url), { workerData: job });
const ticker = setInterval(() => console.log(`  ${progress[0]} executions`), 30_000);
try {
  const r = await watchWorker<CoverageFuzzResult>({
    worker,
    progress,
    stallMs: 20_000,
    describe: (p) => {
      const frame = new TextDecoder().decode(new Uint8Array(job.frame).slice(0, p[1]));
      mkdirSync(job.crashDir, { recursive: true });
      writeFileSync(join(job.crashDir, `hang-${Date.now()}.frame`), frame);
      return `frame ${JSON.stringify(frame)} (saved in test/fuzz/crashes/)`;
    },
  });
  console.log(JSON.stringify(r.failures.length === 0 ? { ...r, failures: 0 } : r));
  process.exitCode = r.failures.length === 0 ? 0 : 1;
} catch (err) {
  console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  clearInterval(ticker);
}

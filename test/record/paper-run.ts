/**
 * Whole-program test helper: `run --record` against the embedded paper exchange for a few seconds
 * (10 markets, 1,000 updates/s), into `base/log`. Returns the run's exit code, its stdout lines
 * and stderr, for the caller's assertions.
 */
import { join } from "node:path";
import { spawnCli } from "../engine/helpers.js";

export async function recordPaperRun(
  base: string,
): Promise<{ log: string; code: number | null; lines: string[]; stderr: string }> {
  const log = join(base, "log");
  const run = await spawnCli([
    "run",
    "--record",
    log,
    "--markets",
    "10",
    "--paper-rate",
    "1000",
    "--duration",
    "4",
    "--stats-port",
    "0",
    "--journal-dir",
    join(base, "journal"),
    "--log-level",
    "warn",
    "--status-every",
    "0",
  ]);
  const code = await run.exited;
  return { log, code, lines: run.lines, stderr: run.stderr.join("") };
}

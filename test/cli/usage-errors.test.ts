/**
 * Every user error of every command, one case each: the command prints one line naming what to
 * fix on stderr, exits 2, and shows no stack trace (src/cli/errors.ts). The cases of `run` and
 * the overwrite guards live in errors.test.ts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { importCapture } from "../../src/record/log-import.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "kalshi-engine-usage-errors-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const FIXTURE = "test/fixtures/ex1.ndjson";
const LOG = join(tmp, "log");
const NOT_A_MODEL = join(tmp, "not-a-model.onnx");
const OUT = join(tmp, "out");
/** a directory with a backtest report from an earlier run */
const REPORT = join(tmp, "report");

before(async () => {
  await importCapture(join(root, FIXTURE), LOG, () => {});
  writeFileSync(NOT_A_MODEL, "not a model");
  mkdirSync(REPORT);
  writeFileSync(join(REPORT, "report.json"), "{}");
});

interface Result {
  code: number | null;
  stderr: string;
}

/** Runs the CLI from source without any key in its environment (doctor and run look there). */
function cli(args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, KALSHI_ENGINE_LOG_LEVEL: "warn" };
  for (const k of Object.keys(env)) if (/^KALSHI_ENGINE_KEY_/.test(k)) delete env[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: root, timeout: 90_000, env },
      (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stderr }),
    );
  });
}

/** [command line, what its one line must say]; LOG is a valid log, FIXTURE a valid capture. */
const CASES: Array<[string[], RegExp]> = [
  // verify
  [["verify", "--log", LOG, "--max-markets", "0"], /--max-markets must be an integer ≥ 1, got "0"/],
  [["verify", "--log", join(tmp, "no-log")], /--log .*no-log/],
  // features
  [
    ["features", "--capture", FIXTURE, "--log", LOG, "--market", "KX"],
    /give either --capture FILE… or --log DIR…/,
  ],
  [
    ["features", "--capture", FIXTURE, "--market", "KX", "--capacity", "0"],
    /--capacity must be an integer ≥ 1/,
  ],
  [
    ["features", "--capture", FIXTURE, "--market", "KX", "--portfolio", "/missing.json"],
    /--portfolio \/missing\.json: no such file/,
  ],
  [["features", "--log", join(tmp, "no-log"), "--market", "KX"], /--log .*no-log/],
  [
    ["features", "export", "--capture", FIXTURE, "--out", OUT, "--format", "csv"],
    /--format must be npy or parquet, got "csv"/,
  ],
  [["features", "export", "--out", OUT], /give either --capture FILE… or --log DIR…/],
  [
    ["features", "export", "--capture", "/missing.ndjson", "--out", OUT],
    /--capture \/missing\.ndjson: no such file/,
  ],
  // paper
  [["paper", "--rate-limit-tier", "gold"], /--rate-limit-tier must be one of .*got "gold"/],
  [["paper", "--arrivals", "meteor"], /--arrivals must be one of .*got "meteor"/],
  [["paper", "--deposit", "lots"], /--deposit must be a dollar amount, got "lots"/],
  [["paper", "--fault-rate", "2"], /--fault-rate must be a number within 0\.\.1, got "2"/],
  [["paper", "--port", "-1"], /--port must be an integer ≥ 0, got "-1"/],
  // doctor
  [["doctor", "--timeout-ms", "5"], /--timeout-ms must be an integer ≥ 100, got "5"/],
  [["doctor", "--exchange", "mars"], /--exchange must be demo, prod or paper, got "mars"/],
  [
    ["doctor", "--exchange", "paper", "--rest-url", "http://127.0.0.1:9"],
    /--rest-url and --ws-url are required/,
  ],
  [["doctor", "--exchange", "demo"], /--key-id and --key-file .* are required/],
  // backtest
  [["backtest", "--log", join(tmp, "no-log")], /--log .*no-log/],
  [["backtest", "--log", LOG, "--speed", "0"], /--speed must be a number/],
  [["backtest", "--log", LOG, "--seed", "-1"], /--seed must be an integer within 0\.\.4294967295/],
  [["backtest", "--log", LOG, "--decide-every-ms", "soon"], /--decide-every-ms must be a number ≥ 0/],
  [["backtest", "--log", LOG, "--curve-step-ms", "0"], /--curve-step-ms must be a number ≥ 1/],
  [["backtest", "--log", LOG, "--cash", "-5"], /--cash must be a number within 0\.\.1000000000/],
  [
    ["backtest", "--log", LOG, "--fee-type", "flat"],
    /--fee-type must be quadratic or quadratic_with_maker_fees/,
  ],
  [["backtest", "--log", LOG, "--strategy", "yolo"], /--strategy must be aggressive, passive or mid/],
  [["backtest", "--log", LOG, "--max-markets", "0"], /--max-markets must be an integer ≥ 1/],
  [["backtest", "--log", LOG, "--model", "/missing.onnx"], /--model \/missing\.onnx: no such file/],
  [["backtest", "--log", LOG, "--model", NOT_A_MODEL], /--model .*not-a-model\.onnx: /],
  [
    ["backtest", "--log", LOG, "--out", REPORT],
    /--out .*report already holds a report \(report\.json\); add --force/,
  ],
  // record
  [["record", "--out", OUT, "--status-every", "often"], /--status-every must be a number ≥ 0, got "often"/],
  // log
  [["log", "info", join(tmp, "no-log")], /log .*no-log/],
  [["log", "info", LOG, "--max-markets", "0"], /--max-markets must be an integer ≥ 1/],
  [["log", "cat", LOG, "--format", "csv"], /--format must be ndjson, got "csv"/],
  [["log", "import", "/missing.ndjson", "--out", OUT], /log import \/missing\.ndjson: no such file/],
  [["log", "import", FIXTURE, "--out", OUT, "--segment-mb", "0"], /--segment-mb must be an integer ≥ 1/],
  [["log", "import", FIXTURE, "--out", LOG], /--out .*: already holds a log/],
  // run: the exchange's key is a configuration error
  [["run", "--exchange", "demo", "--stats-port", "0"], /key/i],
];

describe("every user error of every command: one line, exit 2, no stack trace", { concurrency: 2 }, () => {
  for (const [args, what] of CASES) {
    it(args.map((a) => a.replace(tmp, "<tmp>")).join(" "), async () => {
      const r = await cli(args);
      assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
      assert.ok(!r.stderr.includes("    at "), `no stack trace: ${r.stderr}`);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{"));
      assert.ok(lines.length >= 1, "a line says what to fix");
      // a configuration error lists each problem on its own line; every other error is one line
      if (args[0] !== "run") assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines.join("\n"), what);
    });
  }
});

/**
 * `kalshi-engine backtest --log DIR [--model FILE] [--speed max|N] [--seed S] [--json] [--out DIR]`
 * — runs the engine's own io, decide and orders code in lock step over a recorded log against the
 * paper exchange's matching core (src/backtest/, docs/backtest.md). Prints a table (or, with
 * --json, one JSON object as the last stdout line), the same bytes for the same log, model and
 * seed; the measured wall time goes to stderr. --out DIR also gets report.json, wall.json and
 * pnl.html. Exit 2 for a log or model that cannot be used.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { runBacktest } from "../backtest/backtest.js";
import {
  type BacktestIdentity,
  curveHtml,
  reportJson,
  reportTable,
  wallJson,
  wallTable,
} from "../backtest/report.js";
import type { PriceStrategy } from "../orders/execution/limit-price.js";
import type { FeeType } from "../paper/exchange/api.js";
import { createPolicy, DEFAULT_MODEL_PATH } from "../policy/create-policy.js";
import type { Policy } from "../policy/policy.js";
import { SESSIONS_FILE } from "../record/recorder.js";
import { intFlag, numberFlag, requireInputFile, UsageError } from "./errors.js";
import { requireLog } from "./log-command.js";

/** What `--out` receives: the report and its P&L chart. */
const REPORT_FILES = ["report.json", "wall.json", "pnl.html"] as const;

interface BacktestFlags {
  log: string;
  model?: string;
  speed: string;
  seed: string;
  json?: boolean;
  out?: string;
  force?: boolean;
  decideEveryMs: string;
  curveStepMs: string;
  cash: string;
  feeType: string;
  strategy: string;
  maxMarkets?: string;
}

/** The model the log's run session used, if it names one that still exists. */
function recordedModel(log: string): string | undefined {
  const path = join(log, SESSIONS_FILE);
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const s = JSON.parse(line) as { command?: string; policy?: { kind?: string; model_path?: string } };
      if (
        s.command === "run" &&
        s.policy?.kind === "onnx" &&
        s.policy.model_path &&
        existsSync(s.policy.model_path)
      )
        return s.policy.model_path;
    } catch {
      // a torn or foreign line: the bundled model is the fallback
    }
  }
  return undefined;
}

/** Markets the log's sessions name (sizes the books); 0 when none is named. */
function sessionMarkets(log: string): number {
  const path = join(log, SESSIONS_FILE);
  if (!existsSync(path)) return 0;
  const names = new Set<string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    try {
      for (const t of (JSON.parse(line) as { markets?: string[] }).markets ?? []) names.add(t);
    } catch {
      // skipped as above
    }
  }
  return names.size;
}

async function loadModel(path: string): Promise<{ policy: Policy; sha256: string }> {
  requireInputFile("--model", path);
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  try {
    return { policy: await createPolicy({ kind: "onnx", modelPath: path }), sha256 };
  } catch (e) {
    throw new UsageError(`--model ${path}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

export function registerBacktestCommand(program: Command): void {
  program
    .command("backtest")
    .description("replay a recorded log through the engine against the paper exchange's matching core")
    .requiredOption("--log <dir>", "log directory (run --record, record or log import)")
    .option("--model <file>", "ONNX policy (default: the log's recorded model, else the bundled one)")
    .option("--speed <max|N>", "max: as fast as possible; N: N× the log's own pace", "max")
    .option("--seed <n>", "seed of every random choice on the path (client order ids, retry jitter)", "1")
    .option("--json", "print the report as one JSON object (the last stdout line)")
    .option("--out <dir>", "also write report.json, wall.json and pnl.html (the P&L chart) here")
    .option("--force", "overwrite a report already in --out")
    .option("--decide-every-ms <ms>", "decide dirty markets at most once per this much log time", "1")
    .option("--curve-step-ms <ms>", "one P&L curve point per this much log time", "1000")
    .option("--cash <dollars>", "starting cash of the engine's account", "10000")
    .option("--fee-type <type>", "series fee schedule: quadratic | quadratic_with_maker_fees", "quadratic")
    .option("--strategy <s>", "limit price strategy: aggressive | passive | mid", "aggressive")
    .option("--max-markets <n>", "book capacity (default: the markets the log's sessions name, else 1000)")
    .action(async (opts: BacktestFlags) => {
      requireLog(opts.log, "--log");
      const speed = opts.speed === "max" ? Number.POSITIVE_INFINITY : numberFlag("--speed", opts.speed, 1e-6);
      const seed = intFlag("--seed", opts.seed, 0, 2 ** 32 - 1);
      const decideEveryMs = numberFlag("--decide-every-ms", opts.decideEveryMs, 0);
      const curveStepMs = numberFlag("--curve-step-ms", opts.curveStepMs, 1);
      const cashMicros = Math.round(numberFlag("--cash", opts.cash, 0, 1e9) * 1e6);
      if (opts.feeType !== "quadratic" && opts.feeType !== "quadratic_with_maker_fees")
        throw new UsageError(
          `--fee-type must be quadratic or quadratic_with_maker_fees, got "${opts.feeType}"`,
        );
      if (!["aggressive", "passive", "mid"].includes(opts.strategy))
        throw new UsageError(`--strategy must be aggressive, passive or mid, got "${opts.strategy}"`);
      // before the replay, which can take long, rather than after it
      const existing = opts.out ? REPORT_FILES.filter((f) => existsSync(join(opts.out as string, f))) : [];
      if (existing.length > 0 && opts.force !== true)
        throw new UsageError(
          `--out ${opts.out} already holds a report (${existing.join(", ")}); add --force to overwrite it`,
        );
      const named = sessionMarkets(opts.log);
      const capacity = opts.maxMarkets
        ? intFlag("--max-markets", opts.maxMarkets, 1)
        : named > 0
          ? named + 16
          : 1000;
      const modelPath = opts.model ?? recordedModel(opts.log) ?? DEFAULT_MODEL_PATH;
      const { policy, sha256 } = await loadModel(modelPath);
      const identity: BacktestIdentity = {
        log: opts.log,
        model: modelPath,
        model_sha256: sha256,
        seed,
        fill_model: "queue",
        strategy: opts.strategy,
        decide_every_ms: decideEveryMs,
      };
      let result: Awaited<ReturnType<typeof runBacktest>>;
      try {
        result = await runBacktest({
          log: opts.log,
          policy,
          capacity,
          seed,
          speed,
          decideEveryMs,
          curveStepMs,
          cashMicros,
          feeType: opts.feeType as FeeType,
          strategy: opts.strategy as PriceStrategy,
        });
      } finally {
        await policy.release();
      }
      const json = reportJson(identity, result);
      const wall = wallJson(result);
      if (opts.out) {
        mkdirSync(opts.out, { recursive: true });
        writeFileSync(join(opts.out, "report.json"), `${JSON.stringify(json, null, 2)}\n`);
        writeFileSync(join(opts.out, "wall.json"), `${JSON.stringify(wall, null, 2)}\n`);
        writeFileSync(join(opts.out, "pnl.html"), curveHtml(identity, result));
      }
      // the report is deterministic; the measured wall time goes to stderr
      if (opts.json) {
        process.stderr.write(`${JSON.stringify({ wall })}\n`);
        process.stdout.write(`${JSON.stringify(json)}\n`);
      } else {
        process.stderr.write(wallTable(result));
        process.stdout.write(reportTable(identity, result));
      }
    });
}

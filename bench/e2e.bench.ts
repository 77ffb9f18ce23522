/**
 * End-to-end bench: the paper exchange simulating N markets at R book updates/s, and the real
 * engine (`kalshi-engine run`) as a separate process on loopback WS. Reads the engine's own
 * histograms (tick→decision, tick→order) and counters from its final summary, plus its CPU and
 * RSS. Scenarios: 1,000 markets at 20,000 updates/s with live-feed-like arrivals (the paper
 * simulator's "poisson" mode: µs gaps and market-event clusters; the loop budget gate), the same
 * with the simulator's 10 ms "burst" batches (where latency is mostly queueing behind a batch),
 * the live-feed stream through a naive pipeline (lib/naive-engine.ts) for the ratio, and 5,000
 * subscribed markets (the memory goal). Durations: BENCH_E2E_SECONDS (default 60; 10
 * with --quick).
 *
 * The gate: `make bench` fails when tick→decision p99 exceeds the 50 ms loop budget.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const LOOP_BUDGET_MS = 50;

interface Summary {
  uptime_s: number;
  process: { rss_mb: number; cpu_user_s: number; cpu_system_s: number };
  counters: Record<string, number>;
  histograms: Record<string, { count: number; p50: number; p99: number; p999: number; max: number }>;
}

const CLI = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const NAIVE = fileURLToPath(new URL("./lib/naive-engine.ts", import.meta.url));

interface NaiveSummary {
  tick_to_decision: Summary["histograms"][string];
  frames: number;
  decisions: number;
  backlog: number;
  cpu_cores: number;
  rss_mb: number;
}

/** Runs a CLI command; resolves with its first stdout line and a handle to its later lines. */
export function start(args: string[]): Promise<{
  pid: number;
  first: Record<string, unknown>;
  rest: string[];
  done: Promise<number | null>;
  kill(sig: NodeJS.Signals): void;
}> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const rest: string[] = [];
  const done = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  const rl = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    let first = true;
    rl.on("line", (line) => {
      if (!first) return void rest.push(line);
      first = false;
      resolve({ pid: child.pid ?? 0, first: JSON.parse(line), rest, done, kill: (s) => child.kill(s) });
    });
    void done.then((c) => first && reject(new Error(`${args[0]} exited ${c} before starting`)));
  });
}

export async function scenario(
  markets: number,
  rate: number,
  seconds: number,
  arrivals: "poisson" | "burst" = "poisson",
): Promise<Summary> {
  const paper = await start(paperArgs(markets, rate, arrivals));
  const journal = mkdtempSync(join(tmpdir(), "bench-e2e-journal-"));
  try {
    const ex = paper.first as { rest: string; ws: string; key_id: string; key_file: string };
    const engine = await start([
      "run",
      "--rest-url",
      ex.rest,
      "--ws-url",
      ex.ws,
      "--key-id",
      ex.key_id,
      "--key-file",
      ex.key_file,
      "--markets",
      String(markets),
      "--duration",
      String(seconds),
      "--log-level",
      "warn",
      "--stats-port",
      "0",
      "--journal-dir",
      journal,
    ]);
    const code = await engine.done;
    const line = engine.rest.find((l) => l.startsWith('{"summary"'));
    if (code !== 0 || !line) throw new Error(`engine exited ${code} without a summary`);
    return (JSON.parse(line) as { summary: Summary }).summary;
  } finally {
    paper.kill("SIGTERM");
    await paper.done;
    rmSync(journal, { recursive: true, force: true });
  }
}

export function paperArgs(markets: number, rate: number, arrivals: "poisson" | "burst"): string[] {
  return [
    "paper",
    "--markets",
    String(markets),
    "--rate",
    String(rate),
    "--arrivals",
    arrivals,
    "--seed",
    "7",
    "--port",
    "0",
    "--rate-limit-tier",
    "advanced",
    "--stats-every-ms",
    "0",
  ];
}

/** The same paper stream through the naive pipeline (bench/lib/naive-engine.ts). */
export async function naiveScenario(markets: number, rate: number, seconds: number): Promise<NaiveSummary> {
  const paper = await start(paperArgs(markets, rate, "poisson"));
  try {
    const ex = paper.first as { ws: string; key_id: string; key_file: string; markets: string[] };
    const child = spawn(process.execPath, ["--import", "tsx", NAIVE], {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        WS_URL: ex.ws,
        KEY_ID: ex.key_id,
        KEY_FILE: ex.key_file,
        TICKERS: JSON.stringify(ex.markets),
        SECONDS: String(seconds),
      },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    if (code !== 0 || !out.startsWith("{")) throw new Error(`naive pipeline exited ${code}`);
    return JSON.parse(out) as NaiveSummary;
  } finally {
    paper.kill("SIGTERM");
    await paper.done;
  }
}

function latencyRow(
  name: string,
  h: Summary["histograms"][string],
  target?: string,
  met?: boolean,
): BenchRow {
  return {
    name,
    p50Us: h.p50,
    p99Us: h.p99,
    p999Us: h.p999,
    maxUs: h.max,
    target,
    met,
    note: `${h.count} samples`,
  };
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const seconds = Number(process.env.BENCH_E2E_SECONDS ?? (options.quick ? 10 : 60));
  const rows: BenchRow[] = [];
  const main = await scenario(1000, 20_000, seconds);
  const t2d = main.histograms.tick_to_decision;
  const t2o = main.histograms.tick_to_order;
  const cpu = main.process.cpu_user_s + main.process.cpu_system_s;
  rows.push(
    latencyRow(
      "tick→decision, 1,000 markets @ 20k updates/s (live-feed arrivals)",
      t2d,
      "p50 ≤ 100 µs, p99 ≤ 1 ms, p99.9 ≤ 5 ms",
      t2d.p50 <= 100 && t2d.p99 <= 1000 && t2d.p999 <= 5000,
    ),
    latencyRow(
      "tick→order (frame received → order request sent; includes rate-limit waits)",
      t2o,
      "p50 ≤ 1 ms excluding rate-limit waits",
    ),
    latencyRow(
      "decision→orders (decision written → orders thread picks it up)",
      main.histograms.decision_to_orders,
      "p50 ≤ 50 µs",
      main.histograms.decision_to_orders.p50 <= 50,
    ),
    latencyRow(
      "orders→request sent (pickup → V2 request written; journal fsync, rate-limit waits included)",
      main.histograms.orders_to_request_sent,
      "≤ 100 µs excluding rate-limit waits",
    ),
    latencyRow("parse+apply per frame (io)", main.histograms.parse_apply),
    latencyRow("dispatch wait (dirty → worker start)", main.histograms.dispatch_wait),
    latencyRow("features per market", main.histograms.features),
    latencyRow("inference per market", main.histograms.inference),
    {
      name: "engine throughput",
      opsPerSec: (main.counters.book_updates ?? 0) / Math.max(1, main.uptime_s),
      note: `${main.counters.frames ?? 0} frames, ${main.counters.decision_tasks ?? 0} decision batches, ${main.counters.orders ?? 0} orders, ${main.counters.fills ?? 0} fills in ${main.uptime_s} s`,
    },
    {
      name: "engine CPU and memory (1,000 markets)",
      target: "CPU ≤ 1 core",
      met: cpu / Math.max(1, main.uptime_s) <= 1,
      note: `CPU ${(cpu / Math.max(1, main.uptime_s)).toFixed(2)} cores avg, RSS ${main.process.rss_mb} MB`,
    },
  );
  const burst = await scenario(1000, 20_000, seconds, "burst");
  const b2d = burst.histograms.tick_to_decision;
  rows.push(
    latencyRow("tick→decision, same load in 10 ms bursts (simulator burst mode)", b2d),
    latencyRow("tick→order, 10 ms bursts", burst.histograms.tick_to_order),
  );
  const naive = await naiveScenario(1000, 20_000, seconds);
  const n2d = naive.tick_to_decision;
  rows.push({
    ...latencyRow(
      "naive pipeline on the same live-feed stream: JSON.parse + Map book + observation from scratch + policy per update",
      n2d,
    ),
    note: `${n2d.count} decisions of ${naive.frames} frames (${naive.backlog} still queued at the end); CPU ${naive.cpu_cores.toFixed(2)} cores; engine is ${(n2d.p50 / t2d.p50).toFixed(1)}× faster at p50, ${(n2d.p99 / t2d.p99).toFixed(1)}× at p99`,
  });
  const wide = await scenario(5000, 5_000, Math.min(seconds, 20));
  rows.push({
    name: "engine RSS with 5,000 subscribed markets (5k updates/s)",
    target: "≤ 300 MB",
    met: wide.process.rss_mb <= 300,
    note: `${wide.process.rss_mb} MB RSS; tick→decision p99 ${wide.histograms.tick_to_decision.p99} µs`,
  });
  const gate =
    t2d.p99 > LOOP_BUDGET_MS * 1000
      ? `tick→decision p99 ${t2d.p99} µs exceeds the ${LOOP_BUDGET_MS} ms loop budget`
      : undefined;
  return {
    title: `End to end: paper exchange → engine (${seconds} s runs)`,
    rows,
    extra: { main, burst, naive, wide },
    failedGate: gate,
  };
}

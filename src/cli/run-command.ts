/**
 * `kalshi-engine run` — the engine against Kalshi (demo/prod) or, by default, against a paper
 * exchange it starts itself. Prints one JSON line first (the stats URL and endpoints), logs JSON to
 * stderr, and on SIGINT/SIGTERM or after `--duration` stops in order and prints a final JSON
 * summary to stdout.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import pino from "pino";
import { Engine } from "../engine/engine.js";
import { type PaperChild, startPaperChild } from "../engine/paper-child.js";

interface RunFlags {
  exchange: string;
  restUrl?: string;
  wsUrl?: string;
  keyId?: string;
  keyFile?: string;
  markets: string;
  model: string;
  policy: string;
  actionSpace: string;
  contractSize: string;
  strategy: string;
  decideThreads: string;
  batchSize: string;
  loopBudgetMs: string;
  throttleMs: string;
  shutdownPolicy: string;
  statsHost: string;
  statsPort: string;
  controlToken?: string;
  duration?: string;
  journalDir?: string;
  paperRate: string;
  paperSeed: string;
  paperFaultRate: string;
  paperFeedFaultRate: string;
  logLevel: string;
  statusEvery: string;
}

/** The bundled model, found from this file (src/cli or dist/cli) so any working directory works. */
const BUNDLED_MODEL = fileURLToPath(new URL("../../models/policy-v1.onnx", import.meta.url));

const ENDPOINTS: Record<string, { rest: string; ws: string }> = {
  demo: {
    rest: "https://external-api.demo.kalshi.co/trade-api/v2",
    ws: "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
  },
  prod: {
    rest: "https://external-api.kalshi.com/trade-api/v2",
    ws: "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
  },
};

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

function rate(name: string, v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new Error(`--${name} must be a number in [0, 1], got "${v}"`);
  return n;
}

/** What a person watching `make run` wants to see every few seconds. */
function statusLine(engine: Engine): Record<string, unknown> {
  const s = engine.stats();
  const sum = (name: string, label?: string) =>
    s.counters
      .filter((c) => c.name === name && (!label || !Object.values(c.labels).includes(label)))
      .reduce((a, c) => a + c.value, 0);
  const t2d = s.histograms.tick_to_decision;
  return {
    frames: sum("frames"),
    book_updates: sum("book_updates"),
    decisions: sum("decisions", "hold"),
    holds: sum("decisions") - sum("decisions", "hold"),
    orders: sum("orders"),
    fills: sum("fills"),
    stale_markets: sum("stale_markets"),
    free_cash: s.portfolio.free_cash,
    positions: Object.keys(s.portfolio.positions).length,
    tick_to_decision_p50_us: t2d.p50,
    tick_to_decision_p99_us: t2d.p99,
  };
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the engine (default: against a local paper exchange it starts itself)")
    .option("--exchange <name>", "paper | demo | prod", "paper")
    .option("--rest-url <url>", "REST base URL (any Kalshi-protocol endpoint)")
    .option("--ws-url <url>", "WebSocket URL")
    .option("--key-id <id>", "API key id (env KALSHI_ENGINE_KEY_ID)")
    .option("--key-file <path>", "private key PEM file (env KALSHI_ENGINE_KEY_FILE)")
    .option("--markets <list|count>", "comma-separated tickers or a count of open markets", "200")
    .option("--model <path>", "ONNX policy (default: the bundled models/policy-v1.onnx)", BUNDLED_MODEL)
    .option("--policy <kind>", "onnx | rules", "onnx")
    .option("--action-space <n>", "5 | 21 (rules policy)", "5")
    .option("--contract-size <n>", "contracts per trade in the 5-action space", "10")
    .option("--strategy <s>", "limit price: aggressive | passive | mid", "aggressive")
    .option("--decide-threads <n>", "decide worker threads", "1")
    .option("--batch-size <n>", "markets per policy run", "64")
    .option("--loop-budget-ms <n>", "decisions older than this are dropped", "50")
    .option("--throttle-ms <n>", "minimum time between orders in one market", "250")
    .option("--shutdown-policy <p>", "cancel_all | leave_resting", "cancel_all")
    .option("--stats-host <host>", "stats server host", "127.0.0.1")
    .option("--stats-port <port>", "stats server port (0 = any)", "0")
    .option(
      "--control-token <token>",
      "bearer token for /control and /ingest (env KALSHI_ENGINE_CONTROL_TOKEN)",
    )
    .option("--duration <seconds>", "stop by itself after this many seconds")
    .option("--journal-dir <dir>", "order journal directory")
    .option("--paper-rate <n>", "paper exchange: book updates per second", "2000")
    .option("--paper-seed <n>", "paper exchange: simulator seed", "1")
    .option("--paper-fault-rate <r>", "paper exchange: REST fault probability", "0")
    .option("--paper-feed-fault-rate <r>", "paper exchange: feed fault probability", "0")
    .option("--log-level <level>", "info | warn | error | debug", "info")
    .option("--status-every <seconds>", "log a one-line status this often (0 = never)", "5")
    .action(async (f: RunFlags) => {
      const log = pino(
        { level: f.logLevel, redact: ["*.keyFile", "*.privateKey", "*.controlToken", "*.signature"] },
        pino.destination(2),
      );
      let paper: PaperChild | null = null;
      let exchange: { name: string; restUrl: string; wsUrl: string; keyId: string; keyFile: string };
      let markets: string[] | number = /^\d+$/.test(f.markets)
        ? positiveInt("markets", f.markets)
        : f.markets
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean);
      const keyId = f.keyId ?? process.env.KALSHI_ENGINE_KEY_ID;
      const keyFile = f.keyFile ?? process.env.KALSHI_ENGINE_KEY_FILE;
      if (f.exchange === "paper" && !f.restUrl) {
        paper = await startPaperChild({
          markets: typeof markets === "number" ? markets : markets.length,
          ratePerSec: Number(f.paperRate),
          seed: Number(f.paperSeed),
          faultRate: rate("paper-fault-rate", f.paperFaultRate),
          feedFaultRate: rate("paper-feed-fault-rate", f.paperFeedFaultRate),
          stderr: "ignore",
        });
        const e = paper.endpoints;
        exchange = { name: "paper", restUrl: e.rest, wsUrl: e.ws, keyId: e.key_id, keyFile: e.key_file };
        if (typeof markets !== "number") markets = e.markets;
      } else {
        const defaults = ENDPOINTS[f.exchange];
        const restUrl = f.restUrl ?? defaults?.rest;
        const wsUrl = f.wsUrl ?? defaults?.ws;
        if (!restUrl || !wsUrl) throw new Error(`--exchange ${f.exchange}: give --rest-url and --ws-url`);
        if (!keyId || !keyFile) {
          throw new Error(
            "no credentials: give --key-id and --key-file (or KALSHI_ENGINE_KEY_ID / KALSHI_ENGINE_KEY_FILE)",
          );
        }
        exchange = { name: f.exchange, restUrl, wsUrl, keyId, keyFile };
      }
      const controlToken =
        f.controlToken ?? process.env.KALSHI_ENGINE_CONTROL_TOKEN ?? randomBytes(18).toString("base64url");
      const actionCount = f.actionSpace === "21" ? 21 : 5;
      const engine = await Engine.start({
        exchange,
        markets,
        policy:
          f.policy === "rules"
            ? { kind: "rule", actionCount, size5Contracts: Number(f.contractSize) }
            : { kind: "onnx", modelPath: f.model, size5Contracts: Number(f.contractSize) },
        decideThreads: positiveInt("decide-threads", f.decideThreads),
        batchSize: positiveInt("batch-size", f.batchSize),
        loopBudgetMs: positiveInt("loop-budget-ms", f.loopBudgetMs),
        orders: {
          strategy: f.strategy as "aggressive" | "passive" | "mid",
          throttleMs: Number(f.throttleMs),
          journalDir: f.journalDir ?? mkdtempSync(join(tmpdir(), "kalshi-engine-journal-")),
          shutdownPolicy: f.shutdownPolicy === "leave_resting" ? "leave_resting" : "cancel_all",
        },
        server: { host: f.statsHost, port: Number(f.statsPort), controlToken },
        log,
      }).catch(async (e) => {
        await paper?.stop();
        throw e;
      });
      process.stdout.write(
        `${JSON.stringify({ stats: engine.statsUrl, exchange: exchange.name, rest: exchange.restUrl, ws: exchange.wsUrl, markets: engine.directory.size, control_token_env: f.controlToken ? undefined : "printed to stderr" })}\n`,
      );
      if (!f.controlToken && !process.env.KALSHI_ENGINE_CONTROL_TOKEN) {
        process.stderr.write(`control token for /control and /ingest: ${controlToken}\n`);
      }
      log.info(
        {
          stats: engine.statsUrl,
          dashboard: engine.statsUrl.replace(/\/stats$/, "/"),
          markets: engine.directory.size,
        },
        "engine running",
      );
      const statusEvery = Number(f.statusEvery);
      if (statusEvery > 0)
        setInterval(() => log.info(statusLine(engine), "status"), statusEvery * 1000).unref();
      const finish = async (reason: string) => {
        const summary = await engine.stop(reason);
        await paper?.stop();
        process.stdout.write(`${JSON.stringify({ summary })}\n`);
        process.exit(0);
      };
      process.once("SIGINT", () => void finish("SIGINT"));
      process.once("SIGTERM", () => void finish("SIGTERM"));
      if (f.duration) setTimeout(() => void finish("duration"), positiveInt("duration", f.duration) * 1000);
    });
}

/**
 * `kalshi-engine run` — the engine against Kalshi (demo/prod) or, by default, against a paper
 * exchange it starts itself. Configuration comes from defaults < config file < environment <
 * flags (src/config, docs/configuration.md), validated once into a frozen object. Prints one JSON
 * line first (the stats URL and endpoints), logs JSON to stderr, and on SIGINT/SIGTERM or after
 * `--duration` stops in order and prints a final JSON summary to stdout.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import {
  type EngineConfig,
  loadConfigReport,
  registerConfigOptions,
  saveGeneratedControlToken,
} from "../config/index.js";
import { Engine } from "../engine/engine.js";
import { createLogger } from "../log/logger.js";
import { createPolicy } from "../policy/create-policy.js";
import { numberFlag, UsageError } from "./errors.js";
import { journalDirReady, recordOptions, setUpExchange } from "./exchange-setup.js";
import { summaryTable } from "./summary-table.js";

/** The bundled model, found from this file (src/cli or dist/cli) so any working directory works. */
const BUNDLED_MODEL = fileURLToPath(new URL("../../models/policy-v1.onnx", import.meta.url));
const DEFAULT_MODEL = "models/policy-v1.onnx";

function modelPath(cfg: EngineConfig): string {
  const given = resolve(cfg.model);
  return cfg.model === DEFAULT_MODEL && !existsSync(given) ? BUNDLED_MODEL : given;
}

/** The model loads and has the policy's shapes, or the run stops here (exit 2). */
async function checkModel(cfg: EngineConfig): Promise<void> {
  if (cfg.policy !== "onnx") return;
  const path = modelPath(cfg);
  if (!existsSync(path)) throw new UsageError(`--model ${cfg.model}: no such file`);
  try {
    await (await createPolicy({ kind: "onnx", modelPath: path, size5Contracts: cfg.contractSize })).release();
  } catch (e) {
    throw new UsageError(
      `--model ${cfg.model}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    );
  }
}

/** The stats port is free (0 = any port, always free), or the run stops here (exit 2). */
function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          e.code === "EADDRINUSE"
            ? `--stats-port ${port}: already in use on ${host} (another engine running? choose another port or 0)`
            : `--stats-host ${host} --stats-port ${port}: cannot listen (${e.code ?? e.message})`,
        ),
      ),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolveFree()));
  });
}

/** What a person watching `make run` wants to see every few seconds. */
function statusLine(engine: Engine): Record<string, unknown> {
  const s = engine.stats();
  const sum = (name: string, exceptLabel?: string) =>
    s.counters
      .filter((c) => c.name === name && (!exceptLabel || !Object.values(c.labels).includes(exceptLabel)))
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
  const run = program
    .command("run")
    .description("run the engine (default: against a local paper exchange it starts itself)");
  registerConfigOptions(run)
    .option("--status-every <seconds>", "log a one-line status this often (0 = never)", "5")
    .option("--json", "print the final summary as JSON (the default when stdout is not a terminal)")
    .addHelpText(
      "after",
      "\nPrecedence: defaults < --config file < KALSHI_ENGINE_* environment < flags (docs/configuration.md).",
    )
    .action(async (flags: Record<string, unknown>) => {
      const { statusEvery: statusText, json, config: file, ...configFlags } = flags;
      const statusEvery = numberFlag("--status-every", String(statusText), 0);
      // A ConfigError reaches runCli, which prints what to fix and exits 2.
      const report = loadConfigReport({
        file: file as string | undefined,
        env: process.env,
        flags: configFlags,
      });
      const cfg = report.config;
      const log = createLogger({ level: cfg.logLevel, bindings: { thread: "io" } });
      for (const w of report.warnings) log.warn(w);
      // Everything the user can get wrong is checked before any child process or thread starts.
      await checkModel(cfg);
      await checkPortFree(cfg.statsHost, cfg.statsPort);
      journalDirReady(cfg.journalDir);
      const notice = saveGeneratedControlToken(cfg);
      if (notice !== undefined) log.info(notice);

      const { exchange, markets, paper, journalDir, runDir } = await setUpExchange(cfg);
      const engine = await Engine.start({
        exchange,
        markets,
        combos: cfg.combos,
        policy:
          cfg.policy === "rules"
            ? { kind: "rule", actionCount: cfg.actionSpace, size5Contracts: cfg.contractSize }
            : { kind: "onnx", modelPath: modelPath(cfg), size5Contracts: cfg.contractSize },
        decideThreads: cfg.decideThreads,
        batchSize: cfg.batchSize,
        loopBudgetMs: cfg.loopBudgetMs,
        orders: {
          strategy: cfg.priceStrategy,
          throttleMs: cfg.throttleMs,
          risk: {
            maxContractsPerMarketHundredths: Math.round(cfg.risk.maxContractsPerMarket * 100),
            maxGrossExposureMicros: Math.round(cfg.risk.maxGrossExposureDollars * 1e6),
            minCashReserveMicros: Math.round(cfg.risk.minCashReserveDollars * 1e6),
            maxOrdersPerSecond: cfg.risk.maxOrdersPerSecond,
          },
          orderGroupContracts: cfg.risk.orderGroupContracts,
          transferPolicy: cfg.orders.transferPolicy,
          journalDir,
          shutdownPolicy: cfg.shutdownPolicy,
        },
        server: {
          host: cfg.statsHost,
          port: cfg.statsPort,
          controlToken: cfg.controlToken,
          ...(cfg.stats.readToken ? { readToken: cfg.stats.readToken } : {}),
        },
        runDir,
        ...(cfg.record.dir !== undefined ? { record: recordOptions(cfg) } : {}),
        log,
        // fault injection for the soak and the end-to-end tests (docs/reliability.md)
        injectDecideFaults: Number(process.env.KALSHI_INJECT_DECIDE_FAULTS ?? 0) || 0,
      }).catch(async (e: unknown) => {
        await paper?.stop();
        throw new Error(`engine failed to start: ${e instanceof Error ? e.message : String(e)}`);
      });
      process.stdout.write(
        `${JSON.stringify({ stats: engine.statsUrl, dashboard: engine.statsUrl.replace(/\/stats$/, "/"), exchange: exchange.name, rest: exchange.restUrl, ws: exchange.wsUrl, markets: engine.directory.size })}\n`,
      );
      log.info({ stats: engine.statsUrl, markets: engine.directory.size }, "engine running");
      if (statusEvery > 0)
        setInterval(() => log.info(statusLine(engine), "status"), statusEvery * 1000).unref();
      let stopping = false;
      const finish = async (reason: string, exitCode = 0) => {
        if (stopping) {
          process.stderr.write("second signal: exiting without a clean shutdown\n");
          process.exit(130);
        }
        stopping = true;
        const summary = await engine.stop(reason);
        await paper?.stop();
        if (json === true || !process.stdout.isTTY) process.stdout.write(`${JSON.stringify({ summary })}\n`);
        else process.stdout.write(summaryTable(summary));
        if (exitCode !== 0) process.stderr.write(`kalshi-engine: ${reason}\n`);
        process.exit(exitCode);
      };
      // the orders thread died: io has canceled what rests over REST; stop and say so
      void engine.failed.then((reason) => {
        log.error({ reason }, "engine cannot trade safely any more; stopping");
        void finish(`failed: ${reason}`, 1);
      });
      // fault injection for the end-to-end tests: the orders thread ends after this many seconds
      const ordersExitS = Number(process.env.KALSHI_INJECT_ORDERS_EXIT_S ?? 0) || 0;
      if (ordersExitS > 0) setTimeout(() => void engine.orders.worker.terminate(), ordersExitS * 1000);
      process.on("SIGINT", () => void finish("SIGINT"));
      process.on("SIGTERM", () => void finish("SIGTERM"));
      if (cfg.duration !== undefined) setTimeout(() => void finish("duration"), cfg.duration * 1000);
    });
}

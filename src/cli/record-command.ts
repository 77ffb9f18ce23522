/**
 * `kalshi-engine record --out DIR [--exchange demo|prod|paper] [--markets …] [--duration S]` —
 * records the feed without trading (docs/recording.md): every raw frame received, public and
 * private, into rotating log segments. Prints one JSON line when recording starts, a status line
 * on stderr every few seconds, and a JSON summary on stdout when it stops (SIGINT/SIGTERM or
 * `--duration`).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfigReport, registerConfigOptions } from "../config/index.js";
import { resolveMarkets } from "../engine/market-list.js";
import { loadPrivateKey } from "../kalshi/auth-signer.js";
import { KalshiRestClient } from "../kalshi/rest-client.js";
import { createLogger } from "../log/logger.js";
import { RecordSession } from "../record/record-session.js";
import { sessionGrids } from "../record/session-grids.js";
import { numberFlag } from "./errors.js";
import { recordOptions, setUpExchange } from "./exchange-setup.js";

export function registerRecordCommand(program: Command): void {
  const record = program
    .command("record")
    .description("record the feed into a log directory without trading (docs/recording.md)");
  registerConfigOptions(record)
    .requiredOption("--out <dir>", "log directory (created if missing; existing segments are kept)")
    .option("--status-every <seconds>", "log a one-line status this often (0 = never)", "5")
    .action(async (flags: Record<string, unknown>) => {
      const { out, statusEvery: statusText, config: file, ...configFlags } = flags;
      const statusEvery = numberFlag("--status-every", String(statusText), 0);
      // A ConfigError reaches runCli, which prints what to fix and exits 2.
      const cfg = loadConfigReport({
        file: file as string | undefined,
        env: process.env,
        flags: { ...configFlags, record: out },
      }).config;
      const log = createLogger({ level: cfg.logLevel, bindings: { thread: "io" } });
      const onLog = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) =>
        log[level](fields ?? {}, msg);
      const { exchange, markets, paper } = await setUpExchange(cfg);
      let session: RecordSession;
      try {
        const privateKey = loadPrivateKey(exchange.keyFile);
        const rest = new KalshiRestClient({
          baseUrl: exchange.restUrl,
          key: { keyId: exchange.keyId, privateKey },
        });
        const resolved = await resolveMarkets(rest, markets, cfg.combos);
        const tickers = resolved.map((m) => m.ticker);
        session = await RecordSession.start({
          wsUrl: exchange.wsUrl,
          keyId: exchange.keyId,
          privateKey,
          tickers,
          ...recordOptions(cfg),
          session: {
            command: "record",
            exchange: exchange.name,
            ws_url: exchange.wsUrl,
            markets: tickers,
            market_grids: sessionGrids(resolved),
          },
          onLog,
        });
      } catch (e) {
        await paper?.stop();
        throw new Error(`recording failed to start: ${e instanceof Error ? e.message : String(e)}`);
      }
      process.stdout.write(
        `${JSON.stringify({ recording: resolve(String(out)), exchange: exchange.name })}\n`,
      );
      if (statusEvery > 0)
        setInterval(() => log.info(session.status(), "status"), statusEvery * 1000).unref();
      let stopping = false;
      const finish = async (reason: string) => {
        if (stopping) process.exit(130);
        stopping = true;
        const summary = await session.stop();
        await paper?.stop();
        process.stdout.write(`${JSON.stringify({ summary: { reason, ...summary } })}\n`);
        process.exit(summary.recording.write_errors > 0 ? 1 : 0);
      };
      process.on("SIGINT", () => void finish("SIGINT"));
      process.on("SIGTERM", () => void finish("SIGTERM"));
      if (cfg.duration !== undefined) setTimeout(() => void finish("duration"), cfg.duration * 1000);
    });
}

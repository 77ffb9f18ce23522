/**
 * `kalshi-engine doctor`: is this exchange and key ready to trade? One line per check
 * (ok / warn / fail, with what to do); `--json` prints `{"ok":bool,"checks":[…]}` instead. Exit 0
 * only when every check is ok, 1 otherwise. Against `--exchange demo|prod` (or `--rest-url`/
 * `--ws-url`) with `--key-id`/`--key-file` (or KALSHI_ENGINE_KEY_ID / KALSHI_ENGINE_KEY_FILE);
 * `--exchange paper` without URLs checks a paper exchange started for the purpose.
 */
import type { Command } from "commander";
import { EXCHANGE_URLS } from "../config/schema.js";
import { type DoctorTarget, exitCodeOf, formatResults, runDoctor } from "../doctor/checks.js";
import { startPaperExchange } from "../paper/index.js";
import { intFlag, UsageError } from "./errors.js";

interface DoctorOptions {
  exchange: string;
  restUrl?: string;
  wsUrl?: string;
  keyId?: string;
  keyFile?: string;
  json?: boolean;
  timeoutMs: string;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "check an exchange and key before trading: key, signing, clock skew, status and schedule per shard, API limits, balance per shard, market selection, WebSocket",
    )
    .option(
      "--exchange <name>",
      "demo | prod | paper (paper without URLs: a paper exchange started for the check)",
      "paper",
    )
    .option("--rest-url <url>", "REST base URL (overrides --exchange's)")
    .option("--ws-url <url>", "WebSocket URL (overrides --exchange's)")
    .option("--key-id <id>", "API key id (default $KALSHI_ENGINE_KEY_ID)")
    .option("--key-file <pem>", "private key PEM (default $KALSHI_ENGINE_KEY_FILE)")
    .option("--json", "print the results as one JSON object")
    .option("--timeout-ms <n>", "time limit of each request", "10000")
    .action(async (o: DoctorOptions) => {
      const timeoutMs = intFlag("--timeout-ms", o.timeoutMs, 100);
      const close: Array<() => Promise<void>> = [];
      let target: DoctorTarget;
      if (o.exchange === "paper" && o.restUrl === undefined) {
        const px = await startPaperExchange({ ratePerSec: 0 });
        close.push(() => px.close());
        target = {
          name: "paper",
          restUrl: px.restUrl,
          wsUrl: px.wsUrl,
          keyId: px.keyId,
          keyFile: px.keyFile,
          timeoutMs,
        };
      } else {
        const urls = o.exchange === "demo" || o.exchange === "prod" ? EXCHANGE_URLS[o.exchange] : undefined;
        if (urls === undefined && o.exchange !== "paper")
          throw new UsageError(`--exchange must be demo, prod or paper, got "${o.exchange}"`);
        const restUrl = o.restUrl ?? urls?.restUrl;
        const wsUrl = o.wsUrl ?? urls?.wsUrl;
        const keyId = o.keyId ?? process.env.KALSHI_ENGINE_KEY_ID;
        const keyFile = o.keyFile ?? process.env.KALSHI_ENGINE_KEY_FILE;
        if (!restUrl || !wsUrl)
          throw new UsageError("--rest-url and --ws-url are required with --exchange paper and a URL");
        if (!keyId || !keyFile)
          throw new UsageError(
            "--key-id and --key-file (or KALSHI_ENGINE_KEY_ID / KALSHI_ENGINE_KEY_FILE) are required",
          );
        target = { name: o.exchange, restUrl, wsUrl, keyId, keyFile, timeoutMs };
      }
      try {
        const results = await runDoctor(target);
        const code = exitCodeOf(results);
        process.stdout.write(
          o.json === true
            ? `${JSON.stringify({ ok: code === 0, checks: results })}\n`
            : `${formatResults(results)}\n`,
        );
        process.exitCode = code;
      } finally {
        for (const c of close) await c();
      }
    });
}

/**
 * `kalshi-engine paper`: runs the local paper exchange (REST + WS speaking Kalshi's protocol,
 * simulated order flow, optional fault injection) until SIGINT/SIGTERM.
 *
 * Contract with scripts and tests: the FIRST stdout line is exactly one JSON object
 *   {"rest":…,"ws":…,"key_id":…,"key_file":…,"markets":[…]}
 * and nothing else is written to stdout; logs go to stderr (pino, one human-readable line each).
 */
import type { Command } from "commander";
import pino from "pino";
import { dollarsToMicros } from "../kalshi/units.js";
import { REST_FAULT_KINDS, type RestFaultKind } from "../paper/faults/fault-plan.js";
import type { RateLimitTier } from "../paper/faults/rate-limiter.js";
import { startPaperExchange } from "../paper/index.js";
import { ARRIVAL_MODES, type ArrivalMode } from "../paper/sim/arrivals.js";
import { intFlag, numberFlag, UsageError } from "./errors.js";

interface PaperCliOptions {
  markets: string;
  shards: string;
  settleEvery: string;
  pauseAt?: string;
  pauseFor: string;
  pauseShard?: string;
  refuseCategory?: string;
  rate: string;
  arrivals: string;
  seed: string;
  port: string;
  host: string;
  faultRate: string;
  faultKinds?: string;
  feedFaultRate: string;
  feedDisconnectEvery?: string;
  legacyWire?: boolean;
  keyFile?: string;
  keyId?: string;
  deposit: string;
  pingMs: string;
  rateLimitTier: string;
  statsEveryMs: string;
  logLevel: string;
  withParent?: boolean;
}

const TIERS: readonly RateLimitTier[] = ["basic", "advanced", "premier", "paragon", "prime", "off"];

function int(name: string, v: string, min: number): number {
  return intFlag(`--${name}`, v, min);
}

function seconds(name: string, v: string): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0)) throw new Error(`--${name} must be a number of seconds ≥ 0, got ${v}`);
  return n;
}

function pauseOf(o: PaperCliOptions): { startMs: number; endMs: number; shard?: number } {
  const startMs = Date.parse(o.pauseAt ?? "");
  if (Number.isNaN(startMs)) throw new Error(`--pause-at must be an ISO 8601 time, got ${o.pauseAt}`);
  const endMs = startMs + seconds("pause-for", o.pauseFor) * 1000;
  return o.pauseShard === undefined
    ? { startMs, endMs }
    : { startMs, endMs, shard: int("pause-shard", o.pauseShard, 0) };
}

function rate(name: string, v: string): number {
  return numberFlag(`--${name}`, v, 0, 1);
}

/** pino → stderr as "HH:MM:SS.mmm LEVEL msg key=value …" (no pretty-printer dependency). */
function stderrLogger(level: string): pino.Logger {
  const names: Record<number, string> = {
    10: "TRACE",
    20: "DEBUG",
    30: "INFO",
    40: "WARN",
    50: "ERROR",
    60: "FATAL",
  };
  const stream = {
    write(line: string): void {
      try {
        const {
          level: lv,
          time,
          msg,
          pid: _p,
          hostname: _h,
          ...rest
        } = JSON.parse(line) as Record<string, unknown>;
        const t = new Date(Number(time)).toISOString().slice(11, 23);
        const extra = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
          .join(" ");
        process.stderr.write(
          `${t} ${names[Number(lv)] ?? lv} ${String(msg ?? "")}${extra ? ` ${extra}` : ""}\n`,
        );
      } catch {
        process.stderr.write(line);
      }
    },
  };
  return pino({ level, base: undefined }, stream);
}

export function registerPaperCommand(program: Command): void {
  program
    .command("paper")
    .description("run the local paper exchange (Kalshi protocol, simulated markets, fault injection)")
    .option("--markets <n>", "number of simulated markets", "200")
    .option(
      "--shards <n>",
      "exchange shards the markets are spread over (per-shard cash, Kalshi routing); 1 = pre-sharding exchange",
      "3",
    )
    .option(
      "--settle-every <s>",
      "every s seconds a market closes and is determined, and the one before it settles (a third of the markets; 0 = never)",
      "600",
    )
    .option(
      "--pause-at <iso>",
      "start of a maintenance (trading) pause, ISO 8601: creates and amends refused, cancels allowed",
    )
    .option("--pause-for <s>", "length of the --pause-at pause in seconds", "7200")
    .option("--pause-shard <k>", "pause only this exchange shard (default: every shard)")
    .option(
      "--refuse-category <list>",
      "categories the key may not trade, as after its location attestation lapsed (comma list, e.g. Sports): creates there get 403",
    )
    .option("--rate <n>", "simulated book updates per second (0 = none)", "2000")
    .option(
      "--arrivals <mode>",
      "simulated flow timing: poisson (live-feed-like: µs gaps, market-event clusters) | burst (10 ms batches)",
      "poisson",
    )
    .option("--seed <n>", "seed of the simulator and the fault plan", "1")
    .option("--port <n>", "listen port (0 = ephemeral)", "0")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--fault-rate <r>", "probability that a REST request is faulted", "0")
    .option(
      "--fault-kinds <list>",
      `REST fault kinds, comma list of ${REST_FAULT_KINDS.join("|")} (default: all)`,
    )
    .option("--feed-fault-rate <r>", "probability that a WS data frame is dropped or duplicated", "0")
    .option("--feed-disconnect-every <n>", "close a WS connection after every n data frames")
    .option("--legacy-wire", "emit the pre-2026-03-12 integer-cent WS wire format")
    .option("--key-file <pem>", "private key PEM (or a public key PEM) to register instead of generating one")
    .option("--key-id <id>", "Key ID of the registered key (default: random UUID)")
    .option("--deposit <dollars>", "opening cash of the key's account", "10000")
    .option("--ping-ms <n>", "WS heartbeat ping period", "10000")
    .option("--rate-limit-tier <tier>", `token-bucket tier: ${TIERS.join("|")}`, "basic")
    .option("--stats-every-ms <n>", "log simulator/feed counters this often (0 = never)", "10000")
    .option("--log-level <level>", "pino level", "info")
    .option(
      "--with-parent",
      "run as an engine's embedded exchange: ignore SIGINT (the engine stops it after its own shutdown) and exit when stdin closes",
    )
    .action(async (o: PaperCliOptions) => {
      // Ctrl-C reaches the whole process group; the engine still needs its exchange to cancel and
      // reconcile, and stops it afterwards. A parent that dies closes the stdin pipe instead.
      if (o.withParent === true) process.on("SIGINT", () => {});
      const log = stderrLogger(o.logLevel);
      if (!(TIERS as readonly string[]).includes(o.rateLimitTier)) {
        throw new UsageError(
          `--rate-limit-tier must be one of ${TIERS.join(", ")}, got "${o.rateLimitTier}"`,
        );
      }
      const kinds = o.faultKinds?.split(",").filter((k) => k !== "");
      for (const k of kinds ?? []) {
        if (!(REST_FAULT_KINDS as readonly string[]).includes(k))
          throw new UsageError(
            `--fault-kinds: unknown fault kind "${k}" (one of ${REST_FAULT_KINDS.join(", ")})`,
          );
      }
      if (!(ARRIVAL_MODES as readonly string[]).includes(o.arrivals)) {
        throw new UsageError(`--arrivals must be one of ${ARRIVAL_MODES.join(", ")}, got "${o.arrivals}"`);
      }
      const deposit = dollarsToMicros(o.deposit);
      if (!(deposit >= 0)) throw new UsageError(`--deposit must be a dollar amount, got "${o.deposit}"`);
      // Signals are handled from before the exchange exists: a SIGTERM during startup still ends in
      // close(), which removes the generated key directory, instead of killing the process as is.
      const stopped = new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log.info({ signal }, "stopping");
          resolve();
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        if (o.withParent === true) {
          process.stdin.on("end", () => stop("parent gone")).on("error", () => stop("parent gone"));
          process.stdin.resume();
        } else process.once("SIGINT", () => stop("SIGINT"));
      });
      const px = await startPaperExchange({
        host: o.host,
        port: int("port", o.port, 0),
        markets: int("markets", o.markets, 1),
        shards: int("shards", o.shards, 1),
        settleEveryMs: seconds("settle-every", o.settleEvery) * 1000,
        ...(o.pauseAt === undefined ? {} : { pauses: [pauseOf(o)] }),
        ...(o.refuseCategory
          ? { refusedCategories: o.refuseCategory.split(",").filter((c) => c !== "") }
          : {}),
        ratePerSec: int("rate", o.rate, 0),
        arrivals: o.arrivals as ArrivalMode,
        seed: int("seed", o.seed, 0),
        faults: {
          restFaultRate: rate("fault-rate", o.faultRate),
          ...(kinds ? { restFaultKinds: Object.fromEntries(kinds.map((k) => [k as RestFaultKind, 1])) } : {}),
          feedFaultRate: rate("feed-fault-rate", o.feedFaultRate),
          ...(o.feedDisconnectEvery
            ? { feedDisconnectEvery: int("feed-disconnect-every", o.feedDisconnectEvery, 1) }
            : {}),
        },
        legacyWire: o.legacyWire === true,
        ...(o.keyFile ? { keyFile: o.keyFile } : {}),
        ...(o.keyId ? { keyId: o.keyId } : {}),
        depositMicros: deposit,
        pingMs: int("ping-ms", o.pingMs, 0),
        rateLimitTier: o.rateLimitTier as RateLimitTier,
      });
      process.stdout.write(
        `${JSON.stringify({ rest: px.restUrl, ws: px.wsUrl, key_id: px.keyId, key_file: px.keyFile, markets: px.markets })}\n`,
      );
      log.info(
        {
          rest: px.restUrl,
          markets: px.markets.length,
          rate: px.simulator.ratePerSec,
          arrivals: px.simulator.arrivals,
        },
        "paper exchange up",
      );

      const statsEvery = int("stats-every-ms", o.statsEveryMs, 0);
      const stats =
        statsEvery > 0
          ? setInterval(() => {
              log.info(
                {
                  sim: px.simulator.stats,
                  feed: px.hub.stats,
                  ws: px.hub.connectionCount,
                  faults: px.faults.counts,
                },
                "stats",
              );
            }, statsEvery)
          : undefined;
      stats?.unref();

      await stopped;
      if (stats !== undefined) clearInterval(stats);
      await px.close();
      // the lifeline pipe would keep this process alive after a SIGTERM until its parent closes it
      if (o.withParent === true) process.stdin.destroy();
      log.info("stopped");
    });
}

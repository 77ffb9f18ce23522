/**
 * The exchange a command connects to, from the validated configuration: Kalshi demo/prod (URLs
 * and key from the config), a paper exchange given by URL, or — the default — an embedded paper
 * exchange started as a child process for this run. Shared by `run` and `record`.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineConfig } from "../config/index.js";
import { type PaperChild, startPaperChild } from "../engine/paper-child.js";
import { catalogSizeFor } from "../paper/sim/market-catalog.js";
import type { SegmentLimits } from "../record/segments.js";
import { UsageError } from "./errors.js";

export interface ExchangeEndpoints {
  name: string;
  restUrl: string;
  wsUrl: string;
  keyId: string;
  keyFile: string;
}

export interface ExchangeSetup {
  exchange: ExchangeEndpoints;
  markets: readonly string[] | number;
  /** the embedded paper exchange, to stop at the end */
  paper: PaperChild | null;
  /** an embedded paper exchange is new each run, so its orders journal is too: it lives in the
   * run's own directory under the journal directory */
  journalDir: string;
  /** this run's own directory (fills.ndjson): the paper run's directory, else
   * `<journalDir>/runs/<UTC start time>` */
  runDir: string;
}

export async function setUpExchange(cfg: EngineConfig): Promise<ExchangeSetup> {
  let markets: readonly string[] | number =
    cfg.markets.kind === "count" ? cfg.markets.count : cfg.markets.tickers;
  if (cfg.exchange === "paper" && cfg.restUrl === undefined) {
    journalDirReady(cfg.journalDir); // before the child starts: a bad directory stops nothing running
    // a counted selection leaves combos out: the exchange lists enough other markets to fill it
    const wanted = typeof markets === "number" ? markets : markets.length;
    const paper = await startPaperChild({
      markets: Math.max(cfg.paper.markets, cfg.combos === "exclude" ? catalogSizeFor(wanted) : wanted),
      ratePerSec: cfg.paper.rate,
      seed: cfg.paper.seed,
      faultRate: cfg.paper.restFaultRate,
      feedFaultRate: cfg.paper.feedFaultRate,
      extraArgs: cfg.paper.feedDisconnectEvery
        ? ["--feed-disconnect-every", String(cfg.paper.feedDisconnectEvery)]
        : [],
      stderr: "ignore",
    });
    const e = paper.endpoints;
    if (typeof markets !== "number" && markets.length === 0) markets = e.markets;
    const dir = paperRunDir(cfg.journalDir);
    return {
      exchange: { name: "paper", restUrl: e.rest, wsUrl: e.ws, keyId: e.key_id, keyFile: e.key_file },
      markets,
      paper,
      journalDir: dir,
      runDir: dir,
    };
  }
  // loadConfig has filled in the exchange's URLs and refused a missing key
  const { restUrl, wsUrl, keyId, keyFile } = cfg;
  if (!restUrl || !wsUrl || !keyId || !keyFile) throw new UsageError("exchange URLs or key missing");
  return {
    exchange: { name: cfg.exchange, restUrl, wsUrl, keyId, keyFile },
    markets,
    paper: null,
    journalDir: journalDirReady(cfg.journalDir),
    runDir: join(cfg.journalDir, "runs", runStamp()),
  };
}

/**
 * The orders journal's directory, created if missing (the orders thread opens its file there);
 * one that cannot be created is a user error.
 */
export function journalDirReady(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(
      `--journal-dir ${dir}: cannot create it (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return dir;
}

/** The run's start time as a directory name, e.g. 2026-12-05T12-10-12-792Z. */
function runStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-");
}

/** `<journalDir>/paper/<UTC time>`: the run directory of an embedded paper exchange's run. */
function paperRunDir(journalDir: string): string {
  return journalDirReady(join(journalDir, "paper", runStamp()));
}

/** The recorder's directory and segment limits from `record.*` (docs/recording.md). */
export function recordOptions(cfg: EngineConfig): { dir: string; limits: SegmentLimits } {
  return {
    dir: resolve(cfg.record.dir ?? "."),
    limits: { maxBytes: Math.round(cfg.record.segmentMb * 2 ** 20), maxSeconds: cfg.record.segmentSeconds },
  };
}

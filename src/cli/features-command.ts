/**
 * `kalshi-engine features` — observation v1 from captures (docs/observation-v1.md §10).
 *
 *   features --capture FILE --market TICKER [--portfolio FILE]
 *       one line per applied update of TICKER: a JSON array of the 52 float32 values, each printed
 *       as the shortest decimal that parses back to the same float32.
 *   features export --capture FILE... --out DIR [--portfolio FILE]
 *       a training dataset for every market (observations.npy, index.csv, meta.json).
 *
 * Both run the live io path (FeedApplier → FeatureState → ObservationBuilder) over captures read
 * by the capture reader.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { MarketDirectory } from "../book/market-directory.js";
import {
  DATASET_FILES,
  type DatasetFormat,
  exportDataset,
  type FrameSource,
} from "../features/dataset-export.js";
import { float32ToShortestString } from "../features/float32-format.js";
import { OBSERVATION_SIZE } from "../features/names.js";
import { loadPortfolioFile } from "../features/portfolio-file.js";
import { ReplaySession } from "../features/replay.js";
import { PortfolioTable } from "../orders/accounts/portfolio-table.js";
import { readCapture } from "../record/capture-reader.js";
import { type LogReadStats, logFrames, tornTailLines } from "../record/log-reader.js";
import { intFlag, requireInputFile, UsageError } from "./errors.js";
import { requireLog } from "./log-command.js";

const DEFAULT_CAPACITY = 4096;
const PROGRESS_LOG_MS = 5000;

/**
 * The export's progress when stderr is not a terminal (a batch job, a log file): one line at most
 * every `everyMs` of `now()`, none before the first interval has passed.
 */
export class ProgressLines {
  private last: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly everyMs = PROGRESS_LOG_MS,
  ) {
    this.last = now();
  }

  update(done: number, total: number): void {
    const t = this.now();
    if (t - this.last < this.everyMs) return;
    this.last = t;
    const pct = total > 0 ? Math.round((done / total) * 100) : 100;
    this.write(`features export: ${pct}% (${Math.round(done / 1e6)} of ${Math.round(total / 1e6)} MB)\n`);
  }
}

interface PrintOptions {
  capture?: string;
  log?: string;
  market?: string;
  portfolio?: string;
  capacity: string;
}

interface ExportCliOptions {
  capture?: string[];
  log?: string[];
  format: string;
  out: string;
  force?: boolean;
  portfolio?: string;
  capacity: string;
}

function parseCapacity(text: string): number {
  return intFlag("--capacity", text, 1);
}

function frames(path: string): AsyncIterable<{ recvMs: number; frame: string }> {
  return readCapture(path, {
    onMalformed: (lineNo: number, reason: string) =>
      process.stderr.write(`${path}:${lineNo}: skipped capture line (${reason})\n`),
  });
}

/** A log directory's frames; a directory that is not a log is a user error. */
function logSource(dir: string): FrameSource {
  const segments = requireLog(dir, "--log");
  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  return {
    path: dir,
    bytes: segments.reduce((a, seg) => a + seg.bytes, 0),
    frames: async function* () {
      yield* logFrames(dir, stats);
      process.stderr.write(tornTailLines(stats));
    },
  };
}

function captureSource(path: string): FrameSource {
  requireInputFile("--capture", path);
  return { path, bytes: statSync(path).size, frames: () => frames(path) };
}

/** Exactly one kind of input: captures or logs. */
function sourcesOf(capture: string[] | undefined, log: string[] | undefined): FrameSource[] {
  if ((capture === undefined) === (log === undefined))
    throw new UsageError("give either --capture FILE… or --log DIR… (one of them)");
  return capture !== undefined ? capture.map(captureSource) : (log ?? []).map(logSource);
}

/** Formats one observation as a JSON array of round-tripping float32 decimals. */
export function formatObservationLine(row: Float32Array): string {
  let line = "[";
  for (let i = 0; i < OBSERVATION_SIZE; i++) line += (i === 0 ? "" : ",") + float32ToShortestString(row[i]);
  return `${line}]\n`;
}

async function printObservations(options: PrintOptions): Promise<void> {
  if ((options.capture === undefined && options.log === undefined) || options.market === undefined)
    throw new UsageError(
      "features needs --capture FILE or --log DIR, and --market TICKER (or use `features export`)",
    );
  const capacity = parseCapacity(options.capacity);
  const [source] = sourcesOf(
    options.capture === undefined ? undefined : [options.capture],
    options.log === undefined ? undefined : [options.log],
  );
  if (source === undefined) throw new UsageError("features needs --capture FILE or --log DIR");
  if (options.portfolio !== undefined) requireInputFile("--portfolio", options.portfolio);
  const directory = new MarketDirectory(capacity);
  const portfolio = PortfolioTable.create(capacity);
  loadPortfolioFile(options.portfolio, directory, portfolio);
  const target = directory.ensure(options.market);
  let pending: string[] = [];
  const session = new ReplaySession({
    directory,
    portfolio,
    observe: (m) => m === target,
    onObservation: (_m, row) => {
      pending.push(formatObservationLine(row));
    },
  });
  const out = process.stdout;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    if (!out.write(text)) await new Promise<void>((resolve) => out.once("drain", resolve));
  };
  for await (const { recvMs, frame } of source.frames()) {
    session.applyFrame(frame, recvMs);
    if (pending.length >= 256) await flush();
  }
  await flush();
}

async function exportCommand(options: ExportCliOptions): Promise<void> {
  const capacity = parseCapacity(options.capacity);
  if (options.format !== "npy" && options.format !== "parquet")
    throw new UsageError(`--format must be npy or parquet, got "${options.format}"`);
  const format: DatasetFormat = options.format;
  const sources = sourcesOf(options.capture, options.log);
  if (options.portfolio !== undefined) requireInputFile("--portfolio", options.portfolio);
  const existing = DATASET_FILES[format].filter((f) => existsSync(join(options.out, f)));
  if (existing.length > 0 && options.force !== true)
    throw new UsageError(
      `--out ${options.out} already holds a dataset (${existing.join(", ")}); add --force to overwrite it`,
    );
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: "export [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s" },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  const lines = new ProgressLines((line) => process.stderr.write(line));
  const summary = await exportDataset({
    sources,
    format,
    outDir: options.out,
    portfolioPath: options.portfolio,
    capacity,
    createPortfolio: (c) => PortfolioTable.create(c),
    onProgress: (done, total) => {
      if (bar === undefined) {
        lines.update(done, total);
        return;
      }
      const mb = (b: number) => Math.round(b / 1e5) / 10;
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
  });
  bar?.stop();
  process.stderr.write(`features export: ${summary.rows} rows → ${options.out} (${format})\n`);
}

export function registerFeaturesCommand(program: Command): void {
  // `features` itself has no options: its default subcommand `print` takes them, so that
  // `features --capture …` and `features export --capture …` never compete for the same flags.
  const features = program
    .command("features")
    .description("observation v1 from captures: print one market's observations, or export a dataset");

  features
    .command("print", { isDefault: true })
    .description("(default) one JSON line of 52 float32 values per applied update of --market")
    .option("--capture <file>", "capture file (NDJSON, docs/capture-format.md)")
    .option("--log <dir>", "log directory (docs/recording.md) instead of a capture")
    .option("--market <ticker>", "market to observe")
    .option("--portfolio <file>", "portfolio JSON (docs/observation-v1.md §7.1); default $1,000 cash")
    .option("--capacity <n>", "market capacity", String(DEFAULT_CAPACITY))
    .action(async (options: PrintOptions) => printObservations(options));

  features
    .command("export")
    .description(
      "write a training dataset (npy: observations.npy + index.csv; parquet: observations.parquet) for every market",
    )
    .option("--capture <files...>", "capture files, replayed one after the other from a fresh state")
    .option("--log <dirs...>", "log directories (docs/recording.md), each replayed from a fresh state")
    .option(
      "--format <format>",
      "npy or parquet (one row per observation, named features, next-mid label)",
      "npy",
    )
    .requiredOption("--out <dir>", "output directory")
    .option("--force", "overwrite a dataset already in --out")
    .option("--portfolio <file>", "portfolio JSON (docs/observation-v1.md §7.1); default $1,000 cash")
    .option("--capacity <n>", "market capacity per capture", String(DEFAULT_CAPACITY))
    .action(async (options: ExportCliOptions) => exportCommand(options));
}

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
import { existsSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { MarketDirectory } from "../book/market-directory.js";
import { exportDataset } from "../features/dataset-export.js";
import { float32ToShortestString } from "../features/float32-format.js";
import { OBSERVATION_SIZE } from "../features/names.js";
import { loadPortfolioFile } from "../features/portfolio-file.js";
import { ReplaySession } from "../features/replay.js";
import { PortfolioTable } from "../orders/portfolio-table.js";
import { readCapture } from "../record/capture-reader.js";
import { intFlag, requireInputFile, UsageError } from "./errors.js";

const DEFAULT_CAPACITY = 4096;

interface PrintOptions {
  capture?: string;
  market?: string;
  portfolio?: string;
  capacity: string;
}

interface ExportCliOptions {
  capture: string[];
  out: string;
  force?: boolean;
  portfolio?: string;
  capacity: string;
}

function parseCapacity(text: string): number {
  return intFlag("--capacity", text, 1);
}

/** Dataset files `features export` writes: existing ones are replaced only with --force. */
const DATASET_FILES = ["observations.npy", "index.csv", "meta.json"] as const;

function frames(path: string): AsyncIterable<{ recvMs: number; frame: string }> {
  return readCapture(path, {
    onMalformed: (lineNo: number, reason: string) =>
      process.stderr.write(`${path}:${lineNo}: skipped capture line (${reason})\n`),
  });
}

/** Formats one observation as a JSON array of round-tripping float32 decimals. */
export function formatObservationLine(row: Float32Array): string {
  let line = "[";
  for (let i = 0; i < OBSERVATION_SIZE; i++) line += (i === 0 ? "" : ",") + float32ToShortestString(row[i]);
  return `${line}]\n`;
}

async function printObservations(options: PrintOptions): Promise<void> {
  if (options.capture === undefined || options.market === undefined)
    throw new UsageError("features needs --capture FILE and --market TICKER (or use `features export`)");
  const capacity = parseCapacity(options.capacity);
  requireInputFile("--capture", options.capture);
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
  for await (const { recvMs, frame } of frames(options.capture)) {
    session.applyFrame(frame, recvMs);
    if (pending.length >= 256) await flush();
  }
  await flush();
}

async function exportCommand(options: ExportCliOptions): Promise<void> {
  const capacity = parseCapacity(options.capacity);
  for (const c of options.capture) requireInputFile("--capture", c);
  if (options.portfolio !== undefined) requireInputFile("--portfolio", options.portfolio);
  const existing = DATASET_FILES.filter((f) => existsSync(join(options.out, f)));
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
  const summary = await exportDataset({
    captures: options.capture,
    outDir: options.out,
    portfolioPath: options.portfolio,
    capacity,
    readFrames: frames,
    createPortfolio: (c) => PortfolioTable.create(c),
    onProgress: (done, total) => {
      if (bar === undefined) return;
      const mb = (b: number) => Math.round(b / 1e5) / 10;
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
  });
  bar?.stop();
  if (process.stderr.isTTY) process.stderr.write(`features export: ${summary.rows} rows → ${options.out}\n`);
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
    .option("--market <ticker>", "market to observe")
    .option("--portfolio <file>", "portfolio JSON (docs/observation-v1.md §7.1); default $1,000 cash")
    .option("--capacity <n>", "market capacity", String(DEFAULT_CAPACITY))
    .action(async (options: PrintOptions) => printObservations(options));

  features
    .command("export")
    .description("write a training dataset (observations.npy, index.csv, meta.json) for every market")
    .requiredOption("--capture <files...>", "capture files, replayed one after the other from a fresh state")
    .requiredOption("--out <dir>", "output directory")
    .option("--force", "overwrite a dataset already in --out")
    .option("--portfolio <file>", "portfolio JSON (docs/observation-v1.md §7.1); default $1,000 cash")
    .option("--capacity <n>", "market capacity per capture", String(DEFAULT_CAPACITY))
    .action(async (options: ExportCliOptions) => exportCommand(options));
}

/**
 * `features export`: replays captures or logs and writes a training dataset with one observation
 * per applied update of every market (observation-v1.md §1, §10), through the live code path
 * (ReplaySession = FeedApplier + FeatureState + ObservationBuilder).
 *
 * Output directory, `format: "npy"`:
 * - observations.npy — float32 (rows, 52), C order (see npy.ts);
 * - index.csv — `row,market,ts_ms,seq,recv_ms` per row: ts_ms is the update's effective time
 *   (§3.5), seq the frame's envelope seq (empty when absent), recv_ms its receive time;
 * `format: "parquet"`: observations.parquet (parquet-dataset.ts: the same rows and columns plus
 * the 52 named features and the next-update mid label);
 * both: meta.json — version, feature names, the sources with their row ranges, the row count.
 *
 * Each source (a capture file or a log directory) is replayed from a fresh state (books, temporal
 * state, market indices) with the same portfolio: a source is one recording session. Everything
 * streams; memory does not grow with the source size.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MarketDirectory } from "../book/market-directory.js";
import { TICKS_PER_DOLLAR } from "../kalshi/units.js";
import { FEATURE_NAMES, OBSERVATION_SIZE, OBSERVATION_VERSION } from "./names.js";
import { NpyWriter } from "./npy.js";
import { LABEL_WINDOW_ROWS, ParquetDatasetWriter } from "./parquet-dataset.js";
import { loadPortfolioFile } from "./portfolio-file.js";
import type { PortfolioReader, PortfolioWriter } from "./portfolio-reader.js";
import { ReplaySession } from "./replay.js";

export interface FrameSource {
  /** capture file or log directory, as given */
  path: string;
  /** its size on disk, for progress */
  bytes: number;
  frames(): AsyncIterable<{ recvMs: number; frame: string }>;
}

export type DatasetFormat = "npy" | "parquet";

/** Files each format writes (an existing one is replaced only with --force). */
export const DATASET_FILES: Record<DatasetFormat, readonly string[]> = {
  npy: ["observations.npy", "index.csv", "meta.json"],
  parquet: ["observations.parquet", "meta.json"],
};

export interface ExportOptions {
  sources: FrameSource[];
  format: DatasetFormat;
  outDir: string;
  portfolioPath?: string;
  /** market capacity per capture */
  capacity: number;
  /** creates an empty portfolio table of the given capacity */
  createPortfolio: (capacity: number) => PortfolioReader & PortfolioWriter;
  /** progress in bytes of sources read so far (approximate: frame text + record overhead) */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ExportSummary {
  rows: number;
  sources: Array<{ path: string; firstRow: number; rows: number; frames: number; appliedUpdates: number }>;
}

/** Buffered line writer (sync writes in ~1 MB chunks). */
class LineWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Where rows go: the npy pair or the Parquet file. */
interface RowSink {
  readonly rows: number;
  add(
    market: string,
    effectiveMs: number,
    recvMs: number,
    seq: number,
    row: Float32Array,
    midDollars: number,
  ): void;
  close(): void;
}

function npySink(outDir: string): RowSink {
  const npy = new NpyWriter(join(outDir, "observations.npy"), OBSERVATION_SIZE);
  const csv = new LineWriter(join(outDir, "index.csv"));
  csv.write("row,market,ts_ms,seq,recv_ms\n");
  return {
    get rows() {
      return npy.rows;
    },
    add(market, effectiveMs, recvMs, seq, row) {
      csv.write(`${npy.rows},${market},${effectiveMs},${Number.isInteger(seq) ? seq : ""},${recvMs}\n`);
      npy.writeRow(row);
    },
    close() {
      npy.close();
      csv.close();
    },
  };
}

const RECORD_OVERHEAD_BYTES = 32; // {"recv_ms": …, "frame": "…"} or a FeedRecord around the frame

export async function exportDataset(options: ExportOptions): Promise<ExportSummary> {
  mkdirSync(options.outDir, { recursive: true });
  const sink =
    options.format === "npy"
      ? npySink(options.outDir)
      : new ParquetDatasetWriter(join(options.outDir, "observations.parquet"));
  const bytesTotal = options.sources.reduce((sum, s) => sum + s.bytes, 0);
  let bytesDone = 0;
  const summary: ExportSummary = { rows: 0, sources: [] };
  try {
    for (const source of options.sources) {
      const directory = new MarketDirectory(options.capacity);
      const portfolio = options.createPortfolio(options.capacity);
      loadPortfolioFile(options.portfolioPath, directory, portfolio);
      const firstRow = sink.rows;
      let frames = 0;
      const session: ReplaySession = new ReplaySession({
        directory,
        portfolio,
        onObservation: (m, row, effectiveMs, recvMs) => {
          const seq = session.applier.scanner.seq; // envelope seq of the frame being applied
          const mid = session.temporal.referenceMidHalfTicks(m) / (2 * TICKS_PER_DOLLAR);
          sink.add(directory.tickerOf(m), effectiveMs, recvMs, seq, row, mid);
        },
      });
      for await (const { recvMs, frame } of source.frames()) {
        session.applyFrame(frame, recvMs);
        frames++;
        bytesDone += frame.length + RECORD_OVERHEAD_BYTES;
        if ((frames & 1023) === 0) options.onProgress?.(Math.min(bytesDone, bytesTotal), bytesTotal);
      }
      summary.sources.push({
        path: source.path,
        firstRow,
        rows: sink.rows - firstRow,
        frames,
        appliedUpdates: session.appliedUpdates,
      });
    }
    options.onProgress?.(bytesTotal, bytesTotal);
  } finally {
    sink.close();
  }
  summary.rows = sink.rows;
  const meta = {
    observation_version: OBSERVATION_VERSION,
    observation_size: OBSERVATION_SIZE,
    dtype: "<f4",
    feature_names: FEATURE_NAMES,
    rows: summary.rows,
    portfolio: options.portfolioPath ?? null,
    format: options.format,
    sources: summary.sources.map((c) => ({
      path: c.path,
      first_row: c.firstRow,
      rows: c.rows,
      frames: c.frames,
      applied_updates: c.appliedUpdates,
    })),
    ...(options.format === "parquet"
      ? {
          parquet_columns: {
            time: "effective update time (observation-v1.md §3.5)",
            recv_time: "receive time of the frame",
            market: "market ticker",
            seq: "envelope seq of the frame (null when absent)",
            "<feature names>": "the 52 observation values, float32",
            next_mid: `reference mid in dollars after the market's next update (null: none within ${LABEL_WINDOW_ROWS} rows)`,
          },
        }
      : {
          index_columns: {
            row: "row of observations.npy",
            market: "market ticker",
            ts_ms: "effective update time, ms since epoch (observation-v1.md §3.5)",
            seq: "envelope seq of the frame (empty when absent)",
            recv_ms: "receive time of the frame, ms since epoch",
          },
        }),
  };
  writeFileSync(join(options.outDir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  return summary;
}

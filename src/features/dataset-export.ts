/**
 * `features export`: replays captures and writes a training dataset with one observation per
 * applied update of every market (observation-v1.md §1, §10), through the live code path
 * (ReplaySession = FeedApplier + FeatureState + ObservationBuilder).
 *
 * Output directory:
 * - observations.npy — float32 (rows, 52), C order (see npy.ts);
 * - index.csv — `row,market,ts_ms,seq,recv_ms` per row: ts_ms is the update's effective time
 *   (§3.5), seq the frame's envelope seq (empty when absent), recv_ms its receive time;
 * - meta.json — version, feature names, the captures with their row ranges, the row count.
 *
 * Each capture is replayed from a fresh state (books, temporal state, market indices) with the
 * same portfolio: a capture is one recording session. Everything streams; memory does not grow
 * with the capture size.
 */
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { MarketDirectory } from "../book/market-directory.js";
import { FEATURE_NAMES, OBSERVATION_SIZE, OBSERVATION_VERSION } from "./names.js";
import { NpyWriter } from "./npy.js";
import { loadPortfolioFile } from "./portfolio-file.js";
import type { PortfolioReader, PortfolioWriter } from "./portfolio-reader.js";
import { ReplaySession } from "./replay.js";

export type FrameSource = (path: string) => AsyncIterable<{ recvMs: number; frame: string }>;

export interface ExportOptions {
  captures: string[];
  outDir: string;
  portfolioPath?: string;
  /** market capacity per capture */
  capacity: number;
  readFrames: FrameSource;
  /** creates an empty portfolio table of the given capacity */
  createPortfolio: (capacity: number) => PortfolioReader & PortfolioWriter;
  /** progress in bytes of capture read so far (approximate: frame text + line overhead) */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ExportSummary {
  rows: number;
  captures: Array<{ path: string; firstRow: number; rows: number; frames: number; appliedUpdates: number }>;
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

const LINE_OVERHEAD_BYTES = 32; // {"recv_ms": …, "frame": "…"} around the frame text

export async function exportDataset(options: ExportOptions): Promise<ExportSummary> {
  mkdirSync(options.outDir, { recursive: true });
  const npy = new NpyWriter(join(options.outDir, "observations.npy"), OBSERVATION_SIZE);
  const csv = new LineWriter(join(options.outDir, "index.csv"));
  csv.write("row,market,ts_ms,seq,recv_ms\n");
  const bytesTotal = options.captures.reduce((sum, p) => sum + statSync(p).size, 0);
  let bytesDone = 0;
  const summary: ExportSummary = { rows: 0, captures: [] };
  try {
    for (const path of options.captures) {
      const directory = new MarketDirectory(options.capacity);
      const portfolio = options.createPortfolio(options.capacity);
      loadPortfolioFile(options.portfolioPath, directory, portfolio);
      const firstRow = npy.rows;
      let frames = 0;
      const session: ReplaySession = new ReplaySession({
        directory,
        portfolio,
        onObservation: (m, row, effectiveMs, recvMs) => {
          const seq = session.applier.scanner.seq; // envelope seq of the frame being applied
          csv.write(
            `${npy.rows},${directory.tickerOf(m)},${effectiveMs},${Number.isInteger(seq) ? seq : ""},${recvMs}\n`,
          );
          npy.writeRow(row);
        },
      });
      for await (const { recvMs, frame } of options.readFrames(path)) {
        session.applyFrame(frame, recvMs);
        frames++;
        bytesDone += frame.length + LINE_OVERHEAD_BYTES;
        if ((frames & 1023) === 0) options.onProgress?.(Math.min(bytesDone, bytesTotal), bytesTotal);
      }
      summary.captures.push({
        path,
        firstRow,
        rows: npy.rows - firstRow,
        frames,
        appliedUpdates: session.appliedUpdates,
      });
    }
    options.onProgress?.(bytesTotal, bytesTotal);
  } finally {
    npy.close();
    csv.close();
  }
  summary.rows = npy.rows;
  const meta = {
    observation_version: OBSERVATION_VERSION,
    observation_size: OBSERVATION_SIZE,
    dtype: "<f4",
    feature_names: FEATURE_NAMES,
    rows: summary.rows,
    portfolio: options.portfolioPath ?? null,
    captures: summary.captures.map((c) => ({
      path: c.path,
      first_row: c.firstRow,
      rows: c.rows,
      frames: c.frames,
      applied_updates: c.appliedUpdates,
    })),
    index_columns: {
      row: "row of observations.npy",
      market: "market ticker",
      ts_ms: "effective update time, ms since epoch (observation-v1.md §3.5)",
      seq: "envelope seq of the frame (empty when absent)",
      recv_ms: "receive time of the frame, ms since epoch",
    },
  };
  writeFileSync(join(options.outDir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  return summary;
}

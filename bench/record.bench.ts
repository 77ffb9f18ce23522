/**
 * Recorder bench (issue 14): what recording costs the io thread. parse + apply of
 * `orderbook_delta` frames over 1,000 markets, alternately without and with `FeedRecorder`
 * (copy into the FrameRing; the writer thread encodes and writes to a temporary directory
 * meanwhile). Blocks alternate A/B; before each timed block the writer has drained the ring, so
 * no record is dropped and the cost measured is the full copy. Median of the blocks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BookTable } from "../src/book/book-table.js";
import { FeedApplier } from "../src/book/feed-applier.js";
import { MarketDirectory } from "../src/book/market-directory.js";
import { FeedRecorder } from "../src/record/recorder.js";
import { makeDeltaStream } from "./lib/delta-stream.js";
import type { BenchOptions, BenchSection } from "./types.js";

const MARKETS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const blockFrames = options.quick ? 50_000 : 200_000;
  const blocks = options.quick ? 4 : 10;
  const stream = makeDeltaStream(MARKETS, blockFrames, 1);
  const dir = mkdtempSync(join(tmpdir(), "kalshi-engine-record-bench-"));
  const recorder = new FeedRecorder({ dir, session: { command: "bench" }, onLog: () => {} });
  await recorder.ready;
  const freshApplier = () => {
    const applier = new FeedApplier(new MarketDirectory(MARKETS), BookTable.create(MARKETS));
    for (const s of stream.snapshots) applier.applyFrame(s, 0);
    return applier;
  };
  const plain: number[] = [];
  const recorded: number[] = [];
  let sink = 0;
  for (let b = 0; b < blocks * 2; b++) {
    const record = b % 2 === 1;
    const applier = freshApplier();
    // let the writer drain the previous block (untimed)
    while (recorder.queuedBytes > 0) await new Promise((r) => setTimeout(r, 5));
    const deltas = stream.deltas;
    const t0 = performance.now();
    if (record) {
      for (let i = 0; i < deltas.length; i++) {
        const now = performance.now();
        recorder.recordFrame(deltas[i]!, 1_773_153_000_000 + i, now, 1);
        sink += applier.applyFrame(deltas[i]!, i);
      }
    } else {
      for (let i = 0; i < deltas.length; i++) {
        const now = performance.now(); // io stamps every frame either way (IoFeed.onFrame)
        sink += applier.applyFrame(deltas[i]!, now);
      }
    }
    const ns = ((performance.now() - t0) * 1e6) / deltas.length;
    (record ? recorded : plain).push(ns);
  }
  const summary = await recorder.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink === 42) process.stderr.write("");
  const plainNs = median(plain);
  const recordNs = median(recorded);
  const overhead = recordNs / plainNs - 1;
  return {
    title: "Recorder: io cost of recording (parse + apply, single thread)",
    rows: [
      {
        name: `parse+apply orderbook_delta, ${MARKETS} markets, no recording`,
        opsPerSec: 1e9 / plainNs,
        nsPerOp: plainNs,
      },
      {
        name: "parse+apply orderbook_delta, recording (FrameRing copy; writer thread writes segments)",
        opsPerSec: 1e9 / recordNs,
        nsPerOp: recordNs,
        target: "<= 10 % over no recording",
        met: overhead <= 0.1,
        note: `+${(overhead * 100).toFixed(1)} %; median of ${blocks} alternating blocks of ${blockFrames} frames; ${summary.feed_records} frames written, ${summary.dropped} dropped`,
      },
    ],
    extra: { plainNs: plain, recordNs: recorded, bytesWritten: summary.bytes },
  };
}

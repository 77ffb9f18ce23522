/**
 * io step bench: the whole per-frame work of the io thread on the live path, as the WebSocket
 * client calls it — `IoFeed.onFrameBytes`: receive stamp, frame counter, parse + apply of the
 * frame's bytes (byte template → BookTable), the temporal advance inside the write section
 * (FeatureState), the dirty mark to a decide worker's queue (DecisionDispatcher), the parse_apply
 * histogram — over the book bench's `orderbook_delta` frames for 1,000 markets. One decide worker
 * (rule policy) drains the queue meanwhile, as in the engine. Frames come in turns of TURN_FRAMES
 * (one socket read's worth) with a microtask checkpoint between turns. Timed by the io thread's
 * own CPU time (/proc/thread-self/schedstat), so neither the worker nor other processes on a
 * shared machine are charged to io; wall time is reported beside it.
 */
import { performance } from "node:perf_hooks";
import { BookTable } from "../src/book/book-table.js";
import { MarketDirectory } from "../src/book/market-directory.js";
import { TemporalTable } from "../src/book/temporal-table.js";
import { DecisionDispatcher } from "../src/decide/dispatcher.js";
import { IoFeed } from "../src/engine/io-feed.js";
import { FeatureState } from "../src/features/feature-state.js";
import { PortfolioTable } from "../src/orders/accounts/portfolio-table.js";
import { BytesRing } from "../src/shm/bytes-ring.js";
import { Counters } from "../src/stats/counters.js";
import { ENGINE_METRICS } from "../src/stats/engine-metrics.js";
import { StageHistograms } from "../src/stats/stage-histograms.js";
import { makeDeltaStream } from "./lib/delta-stream.js";
import { threadCpuNs } from "./lib/thread-cpu.js";
import type { BenchOptions, BenchSection } from "./types.js";

const MARKETS = 1000;
const TURN_FRAMES = 16;
const T0 = 1_773_153_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const blockFrames = options.quick ? 50_000 : 100_000;
  const blocks = options.quick ? 3 : 7;
  const stream = makeDeltaStream(MARKETS, blockFrames, 1);
  const deltas = stream.deltas.map((d) => Buffer.from(d, "utf8")); // as the ws client hands them
  const snapshots = stream.snapshots.map((s) => Buffer.from(s, "utf8"));
  const book = BookTable.create(MARKETS);
  const temporal = TemporalTable.create(MARKETS);
  const portfolio = PortfolioTable.create(MARKETS);
  const histograms = new StageHistograms({ budgetNs: 50e6 });
  const dispatcher = new DecisionDispatcher(
    { book: book.shared, temporal: temporal.shared, portfolio: portfolio.shared },
    { capacity: MARKETS, threads: 1, batchSize: 64, policy: { kind: "rule" }, loopBudgetMs: 50 },
  );
  await dispatcher.ready();
  const cpuNs: number[] = [];
  const wallNs: number[] = [];
  let sink = 0;
  try {
    for (let b = 0; b < blocks; b++) {
      // a fresh feed per block (state rebuilt untimed), so every timed frame is an applied delta
      const feed = new IoFeed({
        directory: new MarketDirectory(MARKETS),
        book,
        features: new FeatureState(book, temporal),
        dispatcher,
        privateRing: BytesRing.create(256, 64),
        histograms,
        counters: new Counters(ENGINE_METRICS),
      });
      for (const s of snapshots) feed.onFrameBytes(s, T0);
      await new Promise((r) => setTimeout(r, 20)); // the worker drains the snapshots' marks
      const c0 = threadCpuNs();
      const t0 = performance.now();
      for (let turn = 0; turn < deltas.length; turn += TURN_FRAMES) {
        const end = Math.min(deltas.length, turn + TURN_FRAMES);
        for (let i = turn; i < end; i++) feed.onFrameBytes(deltas[i]!, T0 + i);
        await null; // the end of io's turn
      }
      const wall = ((performance.now() - t0) * 1e6) / deltas.length;
      const c1 = threadCpuNs();
      wallNs.push(wall);
      if (c0 !== undefined && c1 !== undefined) cpuNs.push((c1 - c0) / deltas.length);
      sink += feed.applier.stats.deltas;
    }
  } finally {
    await dispatcher.close();
  }
  if (sink !== blocks * deltas.length)
    throw new Error(`io step bench: ${sink} deltas applied, expected ${blocks * deltas.length}`);
  const cpu = cpuNs.length > 0 ? median(cpuNs) : undefined;
  const range = (v: number[]) => `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)} ns`;
  const how = `median of ${blocks} blocks of ${blockFrames} frames, ${TURN_FRAMES} frames per turn; one decide worker draining`;
  return {
    title: "io step per frame (live path: stamp, parse + apply from bytes, temporal, dispatch, histogram)",
    rows: [
      {
        name: `io step per orderbook_delta, ${MARKETS} markets (IoFeed.onFrameBytes), io thread CPU time`,
        ...(cpu !== undefined ? { nsPerOp: cpu, opsPerSec: 1e9 / cpu } : {}),
        target: "<= 800 ns",
        met: cpu !== undefined && cpu <= 800,
        note: cpu !== undefined ? `${range(cpuNs)}; ${how}` : "no per-thread CPU clock on this OS",
      },
      {
        name: "… wall time (counts the time io waited for a core)",
        nsPerOp: median(wallNs),
        opsPerSec: 1e9 / median(wallNs),
        note: range(wallNs),
      },
    ],
    extra: { cpuNs, wallNs, conflated: dispatcher.stats.conflated, queued: dispatcher.stats.queued },
  };
}

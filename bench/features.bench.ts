/**
 * Observation v1 benches: (1) `ObservationBuilder.build` per market on books of realistic depth
 * (target ≤ 5 µs), (2) full replay throughput — frame parser + BookTable + TemporalTable.advance
 * + observation for every applied update.
 */
import { BookTable } from "../src/book/book-table.js";
import { MarketDirectory } from "../src/book/market-directory.js";
import { TemporalTable } from "../src/book/temporal-table.js";
import { OBSERVATION_SIZE } from "../src/features/names.js";
import { ObservationBuilder } from "../src/features/observation.js";
import { applyPortfolio, parsePortfolio } from "../src/features/portfolio-file.js";
import { ReplaySession } from "../src/features/replay.js";
import { PortfolioTable } from "../src/orders/accounts/portfolio-table.js";
import { mulberry32 } from "./lib/prng.js";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const T0 = 1_773_153_000_000;

/** `t` in thousandths of a dollar (the shallow rows) or, with scale 10000, in $0.0001 ticks */
const fmtP = (t: number, scale = 1000) => (t / scale).toFixed(4);
const fmtC = (h: number) => (h / 100).toFixed(2);

/**
 * Snapshot frame with `levels` bids per side spaced `stepTicks` below each touch; prices are
 * `t / scale` dollars.
 */
function snapshotFrame(
  ticker: string,
  seq: number,
  fair: number,
  levels: number,
  stepTicks: number,
  rand: () => number,
  scale = 1000,
) {
  const side = (top: number) => {
    const out: string[] = [];
    for (let k = levels - 1; k >= 0; k--) {
      const t = top - k * stepTicks;
      if (t >= 1) out.push(`["${fmtP(t, scale)}","${fmtC(100 * (1 + Math.floor(rand() * 500)))}"]`);
    }
    return out.join(",");
  };
  return `{"type":"orderbook_snapshot","sid":1,"seq":${seq},"msg":{"market_ticker":"${ticker}","yes_dollars_fp":[${side(fair - 10)}],"no_dollars_fp":[${side(scale - fair - 10)}]}}`;
}

function portfolioJson(tickers: string[], positions: number): string {
  const p: Record<string, { contracts: number; cost_basis: number }> = {};
  for (let i = 0; i < positions; i++)
    p[tickers[i % tickers.length]] = { contracts: (i % 2 ? -1 : 1) * (10 + i), cost_basis: 5 + i };
  return JSON.stringify({
    free_cash: 1000,
    reserved_cash: 25,
    positions: p,
    open_orders: [{ ticker: tickers[0], action: "buy", side: "yes", price: 0.4, placed_ms: T0 }],
  });
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * `ObservationBuilder.build` per market. `scale` 1000: prices in thousandths (the shallow rows);
 * 10000: $0.0001 ticks, for deep books on the finest grid (a market first met in the feed gets
 * the full $0.0001 grid).
 */
function benchBuild(levels: number, stepTicks: number, quick: boolean, scale = 1000): BenchRow {
  const markets = 200;
  const rand = mulberry32(7);
  const tickers = Array.from({ length: markets }, (_, i) => `KXBENCH-B${i}`);
  const directory = new MarketDirectory(markets + 8);
  const portfolio = PortfolioTable.create(markets + 8);
  applyPortfolio(parsePortfolio(portfolioJson(tickers, 10)), directory, portfolio);
  const session = new ReplaySession({ directory, portfolio }); // no sink: io side only
  let seq = 0;
  for (let round = 0; round < 12; round++)
    for (let m = 0; m < markets; m++)
      session.applyFrame(
        snapshotFrame(
          tickers[m],
          ++seq,
          ((300 + Math.floor(rand() * 400)) * scale) / 1000,
          levels,
          stepTicks,
          rand,
          scale,
        ),
        T0 + round * 1000 + m,
      );
  // A worker's view: attached tables.
  const builder = new ObservationBuilder({
    book: BookTable.attach(session.book.shared),
    temporal: TemporalTable.attach(session.temporal.shared),
    portfolio: PortfolioTable.attach(portfolio.shared),
  });
  const ids = tickers.map((t) => directory.indexOf(t));
  const out = new Float32Array(OBSERVATION_SIZE * 16);
  const batch = 100;
  const batches = quick ? 2_000 : 20_000;
  for (let i = 0; i < 50_000; i++) builder.build(ids[i % markets], out, (i & 15) * OBSERVATION_SIZE); // warm-up
  const perBuildNs = new Float64Array(batches);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let k = 0;
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++, k++) builder.build(ids[k % markets], out, (k & 15) * OBSERVATION_SIZE);
    perBuildNs[b] = Number(process.hrtime.bigint() - t0) / batch;
  }
  const totalNs = Number(process.hrtime.bigint() - start);
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  perBuildNs.sort();
  const nsPerOp = totalNs / (batches * batch);
  return {
    name: `observation build, ${levels} levels/side every $${(stepTicks / scale).toFixed(4)}, 10 positions, 200 markets`,
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    p50Us: percentile(perBuildNs, 0.5) / 1000,
    p99Us: percentile(perBuildNs, 0.99) / 1000,
    maxUs: perBuildNs[perBuildNs.length - 1] / 1000,
    target: "≤ 5 µs",
    met: nsPerOp <= 5000,
    note: `percentiles over batches of ${batch} builds; retries ${builder.retries}; heap growth ${
      gc
        ? `${(heapGrowth / (batches * batch)).toFixed(2)} B/build (incl. timing bigints)`
        : "n/a (no --expose-gc)"
    }`,
  };
}

/** Delta frames against a model book so every frame is applied. */
function replayFrames(markets: number, deltas: number): { frames: string[]; tickers: string[] } {
  const rand = mulberry32(11);
  const tickers = Array.from({ length: markets }, (_, i) => `KXBENCH-R${i}`);
  const fair = tickers.map(() => 250 + Math.floor(rand() * 500));
  const books = tickers.map(() => [new Map<number, number>(), new Map<number, number>()]);
  const frames: string[] = [];
  let seq = 0;
  tickers.forEach((ticker, m) => {
    const f = snapshotFrame(ticker, ++seq, fair[m], 20, 5, rand);
    frames.push(f);
    const msg = JSON.parse(f).msg as { yes_dollars_fp: string[][]; no_dollars_fp: string[][] };
    for (const [p, q] of msg.yes_dollars_fp)
      books[m][0].set(Math.round(Number(p) * 1000), Math.round(Number(q) * 100));
    for (const [p, q] of msg.no_dollars_fp)
      books[m][1].set(Math.round(Number(p) * 1000), Math.round(Number(q) * 100));
  });
  let ts = T0;
  for (let i = 0; i < deltas; i++) {
    const m = Math.floor(rand() * markets);
    const s = rand() < 0.5 ? 0 : 1;
    const top = s === 0 ? fair[m] - 10 : 1000 - fair[m] - 10;
    const tick = top - Math.floor(rand() * 20) * 5 + (rand() < 0.1 ? 5 : 0);
    const cur = books[m][s].get(tick) ?? 0;
    const change =
      cur > 0 && rand() < 0.5
        ? -Math.min(cur, 25 * (1 + Math.floor(rand() * 40)))
        : 25 * (1 + Math.floor(rand() * 40));
    if (cur + change === 0) books[m][s].delete(tick);
    else books[m][s].set(tick, cur + change);
    ts += Math.floor(rand() * 3);
    frames.push(
      Buffer.from(
        `{"type":"orderbook_delta","sid":1,"seq":${++seq},"msg":{"market_ticker":"${tickers[m]}","price_dollars":"${fmtP(tick)}","delta_fp":"${fmtC(change)}","side":"${s === 0 ? "yes" : "no"}","ts_ms":${ts}}}`,
      ).toString(),
    );
  }
  return { frames, tickers };
}

function benchReplay(observe: boolean, quick: boolean): BenchRow {
  const markets = 100;
  const { frames, tickers } = replayFrames(markets, quick ? 50_000 : 500_000);
  const run = (): { ns: number; applied: number; observations: number } => {
    const directory = new MarketDirectory(markets + 8);
    const portfolio = PortfolioTable.create(markets + 8);
    applyPortfolio(parsePortfolio(portfolioJson(tickers, 10)), directory, portfolio);
    let sum = 0;
    const session = new ReplaySession({
      directory,
      portfolio,
      observe: () => observe,
      onObservation: (_m, row) => {
        sum += row[4];
      },
    });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < frames.length; i++) session.applyFrame(frames[i], T0 + i);
    const ns = Number(process.hrtime.bigint() - t0);
    if (Number.isNaN(sum)) throw new Error("unreachable");
    return { ns, applied: session.appliedUpdates, observations: session.observations };
  };
  run(); // warm-up
  const r = run();
  const perSec = (r.applied / r.ns) * 1e9;
  return {
    name: observe
      ? `replay: parse + book + temporal + observation for every update (${markets} markets, 20 levels/side)`
      : `replay: parse + book + temporal only (${markets} markets)`,
    opsPerSec: perSec,
    nsPerOp: r.ns / r.applied,
    note: `${r.applied} applied updates, ${r.observations} observations; frames held in memory (no file I/O)`,
  };
}

function benchAdvance(quick: boolean): BenchRow {
  const markets = 100;
  const temporal = TemporalTable.create(markets);
  const n = quick ? 500_000 : 5_000_000;
  let t = T0;
  for (let i = 0; i < 100_000; i++) temporal.advance(i % markets, (t += 3), 800 + (i & 7), 1000); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) temporal.advance(i % markets, (t += 3), 800 + (i & 7), 1000);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  return {
    name: "TemporalTable.advance (io thread, per applied update, ten features evaluated)",
    nsPerOp: ns,
    opsPerSec: 1e9 / ns,
  };
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const rows: BenchRow[] = [
    benchBuild(20, 10, options.quick),
    benchBuild(40, 5, options.quick),
    benchBuild(100, 1, options.quick),
    benchBuild(2000, 1, options.quick, 10_000),
    benchAdvance(options.quick),
    benchReplay(false, options.quick),
    benchReplay(true, options.quick),
  ];
  return { title: "Observation v1 (features)", rows };
}

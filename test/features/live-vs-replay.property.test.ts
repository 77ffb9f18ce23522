import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { TemporalTable } from "../../src/book/temporal-table.js";
import { FeatureState } from "../../src/features/feature-state.js";
import { ObservationBuilder } from "../../src/features/observation.js";
import { applyPortfolio, parsePortfolio } from "../../src/features/portfolio-file.js";
import { ReplaySession } from "../../src/features/replay.js";
import { PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";
import { delta, type Frame, snapshot } from "./frames.js";
import { T0 } from "./helpers.js";
import { ReferenceModel, type RefPortfolio } from "./reference-model.js";

const TICKERS = ["KXP-A", "KXP-B", "KXP-C"];

/** One generated session: frames (all valid, all applied) plus the same updates for the model. */
interface Session {
  frames: Frame[];
  apply: (model: ReferenceModel) => Array<{ ticker: string }>;
  portfolio: RefPortfolio;
  portfolioJson: string;
}

const levelsArb = fc.array(
  fc.tuple(fc.integer({ min: 3000, max: 7000 }), fc.integer({ min: 1, max: 50_000 })), // ticks of $0.0001
  {
    maxLength: 12,
  },
);

const opArb = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("snapshot" as const), yes: levelsArb, no: levelsArb }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("delta" as const),
      side: fc.constantFrom("yes" as const, "no" as const),
      tick: fc.integer({ min: 3000, max: 7000 }),
      change: fc.integer({ min: -30_000, max: 30_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("burst" as const), count: fc.integer({ min: 55, max: 75 }) }),
  },
);

const stepArb = fc.record({
  market: fc.integer({ min: 0, max: TICKERS.length - 1 }),
  op: opArb,
  recvStepMs: fc.oneof(
    fc.integer({ min: 0, max: 20 }),
    fc.integer({ min: 0, max: 5000 }),
    fc.integer({ min: 0, max: 400_000 }),
  ),
  tsMode: fc.constantFrom("absent", "close", "early"),
});

const portfolioArb = fc.record({
  freeCents: fc.integer({ min: 0, max: 200_000 }),
  reservedCents: fc.integer({ min: 0, max: 5_000 }),
  positions: fc.array(
    fc.record({
      ticker: fc.constantFrom(...TICKERS, "KXP-D"),
      contracts: fc.integer({ min: -50_000, max: 50_000 }),
      costCents: fc.integer({ min: 0, max: 100_000 }),
    }),
    { maxLength: 4 },
  ),
  orders: fc.array(
    fc.record({
      ticker: fc.constantFrom("KXP-A", "KXP-B"),
      action: fc.constantFrom("buy" as const, "sell" as const),
      side: fc.constantFrom("yes" as const, "no" as const),
      tick: fc.integer({ min: 1, max: 9999 }),
      placedMs: fc.integer({ min: T0 - 600_000, max: T0 + 600_000 }),
    }),
    { maxLength: 4 },
  ),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;
type PortfolioGen = typeof portfolioArb extends fc.Arbitrary<infer T> ? T : never;

const dollars = (ticks: number) => (ticks / 10_000).toFixed(4);
const contracts = (hundredths: number) => (hundredths / 100).toFixed(2);

function buildSession(steps: Step[], p: PortfolioGen): Session {
  const frames: Frame[] = [];
  const updates: Array<(model: ReferenceModel) => string> = [];
  const shadow = TICKERS.map(() => ({
    snap: false,
    yes: new Map<number, number>(),
    no: new Map<number, number>(),
  }));
  let recv = T0;
  let seq = 0;
  for (const s of steps) {
    const ticker = TICKERS[s.market];
    const book = shadow[s.market];
    recv += s.recvStepMs;
    const tsMs = s.tsMode === "absent" ? undefined : s.tsMode === "close" ? recv - 7 : recv - 90_000;
    const T = tsMs ?? recv;
    const opts = tsMs === undefined ? {} : { tsMs };
    if (s.op.kind === "snapshot" || !book.snap) {
      const yes = new Map<number, number>(s.op.kind === "snapshot" ? s.op.yes : [[4000, 1000]]);
      const no = new Map<number, number>(s.op.kind === "snapshot" ? s.op.no : [[5500, 1000]]);
      book.snap = true;
      book.yes = yes;
      book.no = no;
      const toWire = (m: Map<number, number>) =>
        [...m].map(([t, q]) => [dollars(t), contracts(q)] as [string, string]);
      frames.push(snapshot(recv, ++seq, ticker, toWire(yes), toWire(no), opts));
      const y = [...yes].map(([t, q]) => [t / 10_000, q / 100] as [number, number]);
      const n = [...no].map(([t, q]) => [t / 10_000, q / 100] as [number, number]);
      updates.push((model) => {
        model.snapshot(ticker, y, n, T);
        return ticker;
      });
      continue;
    }
    const deltas: Array<{ side: "yes" | "no"; tick: number; change: number }> =
      s.op.kind === "delta"
        ? [{ side: s.op.side, tick: s.op.tick, change: s.op.change }]
        : Array.from({ length: s.op.count }, (_, k) => ({
            side: "yes" as const,
            tick: 3500,
            change: k % 2 ? -100 : 100,
          }));
    for (const d of deltas) {
      const side = d.side === "yes" ? book.yes : book.no;
      const old = side.get(d.tick) ?? 0;
      const change = old + d.change < 0 ? -old : d.change; // stay in sync: never below zero
      if (old + change > 0) side.set(d.tick, old + change);
      else side.delete(d.tick);
      frames.push(delta(recv, ++seq, ticker, d.side, dollars(d.tick), contracts(change), opts));
      updates.push((model) => {
        model.delta(ticker, d.side, d.tick / 10_000, change / 100, T);
        return ticker;
      });
    }
  }
  const portfolio: RefPortfolio = {
    freeCash: p.freeCents / 100,
    reservedCash: p.reservedCents / 100,
    positions: [],
    orders: p.orders.map((o) => ({ ...o, price: o.tick / 10_000 })),
  };
  const positionsJson: Record<string, { contracts: string; cost_basis: string }> = {};
  for (const x of p.positions)
    positionsJson[x.ticker] = { contracts: contracts(x.contracts), cost_basis: contracts(x.costCents) };
  for (const [ticker, x] of Object.entries(positionsJson))
    portfolio.positions.push({ ticker, contracts: Number(x.contracts), costBasis: Number(x.cost_basis) });
  const portfolioJson = JSON.stringify({
    free_cash: contracts(p.freeCents),
    reserved_cash: contracts(p.reservedCents),
    positions: positionsJson,
    open_orders: p.orders.map((o) => ({
      ticker: o.ticker,
      action: o.action,
      side: o.side,
      price: dollars(o.tick),
      placed_ms: o.placedMs,
    })),
  });
  return {
    frames,
    portfolio,
    portfolioJson,
    apply: (model) => updates.map((u) => ({ ticker: u(model) })),
  };
}

/** Replay path: every observation of every market, in order. */
function replayRows(s: Session): Array<{ ticker: string; row: number[] }> {
  const directory = new MarketDirectory(16);
  const portfolio = PortfolioTable.create(16);
  applyPortfolio(parsePortfolio(s.portfolioJson), directory, portfolio);
  const out: Array<{ ticker: string; row: number[] }> = [];
  const session = new ReplaySession({
    directory,
    portfolio,
    onObservation: (m, row) => out.push({ ticker: directory.tickerOf(m), row: Array.from(row) }),
  });
  for (const f of s.frames) session.applyFrame(f.frame, f.recvMs);
  return out;
}

/** Live style: io applies + advances; a "worker" builds from attached views after each update. */
function liveRows(s: Session): Array<{ ticker: string; row: number[] }> {
  const directory = new MarketDirectory(16);
  const portfolio = PortfolioTable.create(16);
  applyPortfolio(parsePortfolio(s.portfolioJson), directory, portfolio);
  const book = BookTable.create(16);
  const temporal = TemporalTable.create(16);
  const io = new FeatureState(book, temporal);
  const dirty: number[] = [];
  const applier = new FeedApplier(directory, book, { onApplied: (m) => dirty.push(m) }, io);
  const worker = new ObservationBuilder({
    book: BookTable.attach(book.shared),
    temporal: TemporalTable.attach(temporal.shared),
    portfolio,
  });
  const row = new Float32Array(52);
  const out: Array<{ ticker: string; row: number[] }> = [];
  for (const f of s.frames) {
    applier.applyFrame(f.frame, f.recvMs);
    for (const m of dirty) {
      worker.build(m, row, 0);
      out.push({ ticker: directory.tickerOf(m), row: Array.from(row) });
    }
    dirty.length = 0;
  }
  return out;
}

describe("observation v1 properties", () => {
  it("live-style building equals replay output, and both match a spec-literal model within 1e-5", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), portfolioArb, (steps, p) => {
        const s = buildSession(steps, p);
        const replay = replayRows(s);
        assert.deepEqual(liveRows(s), replay);
        // The model observes after each of its updates, in the same order as the engine.
        const model = new ReferenceModel();
        let k = 0;
        s.apply({
          snapshot: (...a: Parameters<ReferenceModel["snapshot"]>) => {
            model.snapshot(...a);
            check(model, a[0], replay[k++], s.portfolio, k);
          },
          delta: (...a: Parameters<ReferenceModel["delta"]>) => {
            model.delta(...a);
            check(model, a[0], replay[k++], s.portfolio, k);
          },
        } as unknown as ReferenceModel);
        assert.equal(k, replay.length, "one observation per applied update");
      }),
      { numRuns: 60, seed: 20260310 },
    );
  });
});

function check(
  model: ReferenceModel,
  ticker: string,
  got: { ticker: string; row: number[] },
  portfolio: RefPortfolio,
  k: number,
): void {
  assert.equal(got.ticker, ticker);
  const expected = model.observe(ticker, portfolio);
  for (let i = 0; i < 52; i++)
    assert.ok(
      Math.abs(got.row[i] - expected[i]) <= 1e-5,
      `update ${k} of ${ticker}, index ${i}: engine ${got.row[i]}, model ${expected[i]}`,
    );
}

/**
 * ObservationBuilder in a decide batch (`beginBatch`): positions are copied once per portfolio
 * version, the marks of other markets once per batch, and the portfolio block of a market without
 * a position is reused. Every row must equal what a fresh builder computes from the same tables.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BookTable } from "../../src/book/book-table.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { TemporalTable } from "../../src/book/temporal-table.js";
import { OBSERVATION_SIZE } from "../../src/features/names.js";
import { ObservationBuilder } from "../../src/features/observation.js";
import { ReplaySession } from "../../src/features/replay.js";
import { noOpenOrders, PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";
import { delta, snapshot } from "./frames.js";
import { T0 } from "./helpers.js";

const MARKETS = 12;
const TICKERS = Array.from({ length: MARKETS }, (_, i) => `KXBATCH-${i}`);

function setup() {
  const directory = new MarketDirectory(MARKETS);
  const portfolio = PortfolioTable.create(MARKETS);
  for (const t of TICKERS) directory.ensure(t);
  const session = new ReplaySession({ directory, portfolio });
  let seq = 0;
  TICKERS.forEach((t, i) => {
    const f = snapshot(
      T0 + i,
      ++seq,
      t,
      [[(0.3 + i / 100).toFixed(4), "10.00"]],
      [[(0.5 - i / 100).toFixed(4), "20.00"]],
    );
    session.applyFrame(f.frame, f.recvMs);
  });
  const tables = () => ({
    book: BookTable.attach(session.book.shared),
    temporal: TemporalTable.attach(session.temporal.shared),
    portfolio: PortfolioTable.attach(portfolio.shared),
  });
  const next = { seq };
  const move = (m: number, price: string, change: string) => {
    const f = delta(T0 + 1000 + next.seq, ++next.seq, TICKERS[m], "yes", price, change);
    session.applyFrame(f.frame, f.recvMs);
  };
  const setPositions = (positions: Array<[number, number, number]>) => {
    portfolio.beginWrite();
    portfolio.setCash(50_000_000, 1_000_000);
    for (const [m, c, b] of positions) portfolio.setPosition(m, c, b);
    portfolio.setOrderSummary(1, {
      ...noOpenOrders(),
      hasOpenBuy: true,
      newestBuyYesLimitTicks: 3100,
      newestBuyPlacedMs: T0,
    });
    portfolio.endWrite();
  };
  return { tables, move, setPositions };
}

/** Builds every market with the batch builder and with a fresh builder; returns the mismatches. */
function compareAll(batch: ObservationBuilder, fresh: () => ObservationBuilder): string[] {
  const a = new Float32Array(OBSERVATION_SIZE);
  const b = new Float32Array(OBSERVATION_SIZE);
  const bad: string[] = [];
  for (let m = 0; m < MARKETS; m++) {
    batch.build(m, a, 0);
    fresh().build(m, b, 0);
    for (let i = 0; i < OBSERVATION_SIZE; i++)
      if (!Object.is(a[i], b[i])) bad.push(`market ${m} feature ${i}: ${a[i]} vs ${b[i]}`);
  }
  return bad;
}

describe("ObservationBuilder batches", () => {
  it("rows equal a fresh builder's, with and without positions, across portfolio writes and new batches", () => {
    const { tables, move, setPositions } = setup();
    const fresh = () => new ObservationBuilder(tables());
    const batch = new ObservationBuilder(tables());
    setPositions([
      [0, 1500, 4_000_000],
      [3, -700, 2_500_000],
      [7, 250, 90_000],
    ]);
    batch.beginBatch();
    assert.deepEqual(compareAll(batch, fresh), []);
    // the orders thread writes: positions are copied again within the same batch
    setPositions([
      [0, 0, 0],
      [5, 4200, 1_000_000],
      [9, -100, 60_000],
    ]);
    assert.deepEqual(compareAll(batch, fresh), []);
    // books move (marks change): a new batch reads the new marks
    move(5, "0.3600", "5.00");
    move(9, "0.4000", "3.00");
    move(2, "0.3500", "1.00");
    batch.beginBatch();
    assert.deepEqual(compareAll(batch, fresh), []);
  });

  it("inside one batch, a market's own mark is always the one read with its book", () => {
    const { tables, move, setPositions } = setup();
    const batch = new ObservationBuilder(tables());
    setPositions([[4, 900, 300_000]]);
    batch.beginBatch();
    const before = new Float32Array(OBSERVATION_SIZE);
    batch.build(4, before, 0);
    move(4, "0.3900", "50.00"); // market 4's best bid and mid move up
    const after = new Float32Array(OBSERVATION_SIZE);
    batch.build(4, after, 0);
    const fresh = new Float32Array(OBSERVATION_SIZE);
    new ObservationBuilder(tables()).build(4, fresh, 0);
    assert.deepEqual([...after], [...fresh]);
    assert.notDeepEqual([...after.subarray(36, 47)], [...before.subarray(36, 47)]);
  });

  it("without beginBatch every build reads the marks again (replay and export)", () => {
    const { tables, move, setPositions } = setup();
    const builder = new ObservationBuilder(tables());
    setPositions([[6, 1200, 500_000]]);
    const out = new Float32Array(OBSERVATION_SIZE);
    builder.build(0, out, 0);
    move(6, "0.4000", "30.00");
    const fresh = new Float32Array(OBSERVATION_SIZE);
    builder.build(0, out, 0);
    new ObservationBuilder(tables()).build(0, fresh, 0);
    assert.deepEqual([...out], [...fresh]);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type WebSocket from "ws";
import { BookTable, SIDE_NO, SIDE_YES } from "../../../src/book/book-table.js";
import { createDecisionRing, writeDecision } from "../../../src/decide/decision-ring.js";
import { PrivateReports } from "../../../src/kalshi/adapter/private-reports.js";
import { gridOfStructure, PriceGrid } from "../../../src/kalshi/price-grid.js";
import { PortfolioTable } from "../../../src/orders/accounts/portfolio-table.js";
import { type OrdersThread, startOrdersWorker } from "../../../src/orders/thread/orders-thread.js";
import { Xoshiro128 } from "../../../src/paper/faults/prng.js";
import type { PaperExchangeHandle } from "../../../src/paper/index.js";
import { BytesRing } from "../../../src/shm/bytes-ring.js";
import { openPrivateChannels, settle, startFaultyPaper } from "../faulty-paper.js";

/**
 * Restart (correctness-rules.md rules 13, 15): the orders worker_thread is terminated abruptly in the middle
 * of a decision stream — writes on the wire, fills arriving, against a paper exchange failing 20 %
 * of REST requests — and a new thread starts on the same journal. Its startup reconciliation must
 * rebuild the exchange's exact state (no fill applied twice, no order lost or doubled), and after
 * trading on, a kill and settling, its cash and positions equal the exchange's to the micro.
 */
const MARKETS = 4;
const ACTIONS = [1, 2, 3, 4]; // BUY_YES, SELL_YES, BUY_NO, SELL_NO (decision-ring codes)
let px: PaperExchangeHandle;
const dir = mkdtempSync(join(tmpdir(), "orders-restart-"));
const book = BookTable.create(MARKETS, { grid: PriceGrid.full() });
let bookTimer: NodeJS.Timeout | undefined;
let feed: WebSocket | undefined;
const threads: OrdersThread[] = [];

/** Copies the exchange's books into the shared BookTable, as io does from the feed. */
function copyBooks(): void {
  for (let m = 0; m < MARKETS; m++) {
    const ob = px.core.orderbook(px.markets[m]!, 0);
    if (!ob.ok) continue;
    book.writeBegin(m);
    book.clearBook(m);
    for (const [t, h] of ob.value.yes) book.setLevel(m, SIDE_YES, t, book.levelOf(m, t), h);
    for (const [t, h] of ob.value.no) book.setLevel(m, SIDE_NO, t, book.levelOf(m, t), h);
    book.setSnapshotFlags(m);
    book.markApplied(m, Date.now(), Date.now());
    book.writeEnd(m);
  }
}

/** One orders thread with its own rings (a restarted process has fresh shared memory). */
function startThread() {
  const decisions = createDecisionRing(256);
  const fills = BytesRing.create(4096, 256);
  const events = BytesRing.create(4096, 1024);
  const portfolio = PortfolioTable.create(MARKETS);
  const thread = startOrdersWorker({
    decisionRings: [decisions.shared],
    fillRing: fills.shared,
    eventRing: events.shared,
    bookTable: book.shared,
    portfolio: portfolio.shared,
    markets: px.core.markets().map((mk, m) => ({
      m,
      ticker: mk.ticker,
      priceRanges: [...gridOfStructure(mk.priceLevelStructure).ranges],
    })),
    rest: {
      baseUrl: px.restUrl,
      keyId: px.keyId,
      keyFile: px.keyFile,
      readBucket: { refillPerSec: 1000, capacity: 1000 },
      writeBucket: { refillPerSec: 1000, capacity: 2000 },
      readTimeoutMs: 1_000,
      writeTimeoutMs: 1_000,
    },
    journalPath: join(dir, "orders.ndjson"),
    strategy: "mid",
    budgetMs: 60_000,
    throttleMs: 0,
    reconcileEveryMs: 1_000,
    risk: {
      maxContractsPerMarketHundredths: 5_000,
      maxGrossExposureMicros: 1e12,
      minCashReserveMicros: 0,
      maxOrdersPerSecond: 1000,
    },
    breakers: {
      maxConsecutiveErrors: 5,
      rejectWindow: 20,
      maxRejectPercent: 50,
      rateLimitWindowMs: 10_000,
      maxRateLimitedInWindow: 5,
      coolDownMs: 200,
    },
  });
  threads.push(thread);
  // io's job: drain the EventRing so the thread never blocks on it
  const drain = setInterval(() => events.drain(() => {}), 20);
  return { thread, decisions, fills, portfolio, stopDraining: () => clearInterval(drain) };
}

/** Private frames into whichever FillRing `target()` names, as io writes them (one writer per ring). */
function forwardTo(target: () => BytesRing): (text: string) => void {
  const writers = new Map<BytesRing, PrivateReports>();
  return (text) => {
    const ring = target();
    let reports = writers.get(ring);
    if (reports === undefined) {
      reports = new PrivateReports(
        ring,
        (ticker) => px.markets.indexOf(ticker),
        (why) => assert.fail(`private frame not forwarded: ${why}`),
      );
      writers.set(ring, reports);
    }
    reports.onFrameText(text);
  };
}

async function stream(decisions: ReturnType<typeof createDecisionRing>, rng: Xoshiro128, n: number) {
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    const action = ACTIONS[rng.int(ACTIONS.length)]!;
    assert.ok(writeDecision(decisions, rng.int(MARKETS), action, 100 * (1 + rng.int(4)), 1, now, now, 1, 1));
    await new Promise((r) => setTimeout(r, 15));
  }
}

before(async () => {
  px = await startFaultyPaper(MARKETS, 23);
  copyBooks();
  bookTimer = setInterval(copyBooks, 10);
});
after(async () => {
  clearInterval(bookTimer);
  feed?.close();
  for (const t of threads) {
    // bounded: a thread stuck in REST is terminated
    await Promise.race([t.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
    await t.worker.terminate();
  }
  await px.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("orders thread restart after an abrupt stop", () => {
  it("rebuilds the exchange's exact state from the exchange and its journal, applying no fill twice", {
    timeout: 120_000,
  }, async () => {
    const rng = new Xoshiro128(7);
    const first = startThread();
    let fillRing = first.fills;
    feed = await openPrivateChannels(
      px,
      forwardTo(() => fillRing),
    );
    await first.thread.ready;
    await stream(first.decisions, rng, 80);
    // abrupt: no kill, no journal close, requests may be on the wire
    await first.thread.worker.terminate();
    first.stopDraining();
    const before = await first.thread.stats().catch((e: Error) => e);
    assert.ok(before instanceof Error, "the first thread is gone");

    const second = startThread();
    fillRing = second.fills;
    await second.thread.ready;
    await stream(second.decisions, rng, 40);
    assert.equal(await second.thread.kill().then(() => true), true);
    await settle(() => second.thread.reconcile().catch(() => null));

    const balance = px.core.balance(px.keyId);
    assert.ok(balance.ok);
    assert.equal(
      px.core.listOrders(px.keyId, { status: "resting" }).length,
      0,
      "the kill left nothing resting",
    );
    const stats = await second.thread.stats();
    assert.equal(stats.reservedCashMicros, 0);
    assert.equal(stats.freeCashMicros, balance.value.balanceMicros, "free cash = the exchange's balance");
    const p = second.portfolio;
    for (let m = 0; m < MARKETS; m++) {
      const exchange = px.core.positions(px.keyId, px.markets[m]!)[0]?.positionHundredths ?? 0;
      assert.equal(p.contractsHundredths(m), exchange, `position of ${px.markets[m]}`);
    }
    assert.ok(px.core.listFills(px.keyId).length > 0, "the stream traded");
    assert.ok(stats.stats.sent! > 0, "the restarted thread traded");
    second.stopDraining();
  });
});

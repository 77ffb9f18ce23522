import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BookTable, SIDE_NO, SIDE_YES } from "../../../src/book/book-table.js";
import { createDecisionRing, writeDecision } from "../../../src/decide/decision-ring.js";
import type { EngineEvent } from "../../../src/events/engine-event.js";
import { decodeEvent } from "../../../src/events/event-codec.js";
import { PrivateReports } from "../../../src/kalshi/adapter/private-reports.js";
import { RECORD_BYTES } from "../../../src/kalshi/adapter/report-records.js";
import { loadPrivateKey } from "../../../src/kalshi/auth-signer.js";
import { PriceGrid } from "../../../src/kalshi/price-grid.js";
import { KalshiRestClient } from "../../../src/kalshi/rest-client.js";
import { PortfolioTable } from "../../../src/orders/accounts/portfolio-table.js";
import { type OrdersThread, startOrdersWorker } from "../../../src/orders/thread/orders-thread.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../../src/paper/index.js";
import { BytesRing } from "../../../src/shm/bytes-ring.js";
import { Counters } from "../../../src/stats/counters.js";
import { ENGINE_METRICS } from "../../../src/stats/engine-metrics.js";
import { withRestFault } from "../faulty-paper.js";

/**
 * The orders worker_thread end to end: real SharedArrayBuffers (BookTable, PortfolioTable,
 * DecisionRing, FillRing, EventRing), the paper exchange on loopback, decisions in, orders out,
 * events and portfolio back, kill switch, clean stop.
 */
let px: PaperExchangeHandle;
let client: KalshiRestClient;
const dir = mkdtempSync(join(tmpdir(), "orders-worker-"));
const CAPACITY = 8;
const book = BookTable.create(CAPACITY, { grid: PriceGrid.full() });
const portfolio = PortfolioTable.create(CAPACITY);

/** Reads the PortfolioTable until no write of the orders thread overlapped the read. */
function readPortfolio<T>(read: () => T): T {
  let value: T | undefined;
  portfolio.readConsistent({ read: () => void (value = read()) });
  return value as T;
}
const decisions = createDecisionRing(64);
const fills = BytesRing.create(2048, 64);
const events = BytesRing.create(1024, 1024);
let thread: OrdersThread;
const countersSab = Counters.allocateShared(ENGINE_METRICS);
const threadErrors: string[] = [];
const seen: EngineEvent[] = [];

/** Copies the exchange's book of market m into the shared BookTable (as io would). */
async function loadBook(m: number): Promise<void> {
  const ob = await client.getOrderbook(px.markets[m]!);
  book.writeBegin(m);
  book.clearBook(m);
  for (const [t, h] of ob.yes) book.setLevel(m, SIDE_YES, t, book.levelOf(m, t), h);
  for (const [t, h] of ob.no) book.setLevel(m, SIDE_NO, t, book.levelOf(m, t), h);
  book.setSnapshotFlags(m);
  book.markApplied(m, Date.now(), Date.now());
  book.writeEnd(m);
}

/** Reads EventRing messages until `pred` matches one (bounded by `timeoutMs`). */
async function waitForEvent(pred: (e: EngineEvent) => boolean, timeoutMs = 10_000): Promise<EngineEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = seen.find(pred);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline)
      throw new Error(`no matching event; saw ${JSON.stringify(seen.map((e) => e.kind))}`);
    await events.ring.waitForRecordsAsync(100);
    events.drain((_tag, bytes) => seen.push(decodeEvent(bytes)));
  }
}

/** each market's exchange shard, from GET /markets */
let shardOf: number[] = [];

before(async () => {
  px = await startPaperExchange({ markets: 3, ratePerSec: 0, seed: 5, rateLimitTier: "premier" });
  client = new KalshiRestClient({
    baseUrl: px.restUrl,
    key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
  });
  const markets = await client.collectAll((cursor) => client.getMarkets({ cursor }));
  shardOf = markets.map((mk) => mk.exchangeIndex);
  thread = startOrdersWorker(
    {
      decisionRings: [decisions.shared],
      fillRing: fills.shared,
      eventRing: events.shared,
      bookTable: book.shared,
      portfolio: portfolio.shared,
      markets: markets.map((mk, m) => ({
        m,
        ticker: mk.ticker,
        structure: mk.priceLevelStructure,
        exchangeIndex: mk.exchangeIndex,
        priceRanges: [...(mk.priceGrid ?? PriceGrid.full()).ranges],
      })),
      rest: {
        baseUrl: px.restUrl,
        keyId: px.keyId,
        keyFile: px.keyFile,
        readBucket: { refillPerSec: 1000, capacity: 1000 },
        writeBucket: { refillPerSec: 1000, capacity: 2000 },
      },
      journalPath: join(dir, "orders.ndjson"),
      strategy: "passive",
      budgetMs: 10_000,
      throttleMs: 0,
      reconcileEveryMs: 60_000,
      risk: {
        maxContractsPerMarketHundredths: 100_000,
        maxGrossExposureMicros: 1e12,
        minCashReserveMicros: 0,
        maxOrdersPerSecond: 100,
      },
      counters: countersSab,
    },
    { onError: (message) => threadErrors.push(message) },
  );
  await thread.ready;
});

after(async () => {
  await thread?.stop();
  await px.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("orders worker thread on the paper exchange", () => {
  it("turns a DecisionRing record into a resting order, an event and a PortfolioTable summary", async () => {
    await loadBook(0);
    const bestYes = book.bestYesTick(0);
    assert.ok(writeDecision(decisions, 0, 1 /* BUY_YES */, 200, 1, Date.now(), Date.now(), 1, 1));
    const acked = await waitForEvent((e) => e.kind === "order" && e.status === "acked");
    assert.equal(acked.kind === "order" && acked.market, px.markets[0]);
    assert.equal(acked.kind === "order" && acked.priceTicks, bestYes, "passive buy joins the best YES bid");
    // the thread may publish again while the test reads: read until no write overlapped
    const { hasBuy, limit, reserved } = readPortfolio(() => ({
      hasBuy: portfolio.hasOpenBuy(0),
      limit: portfolio.newestBuyYesLimitTicks(0),
      reserved: portfolio.reservedCashMicros(),
    }));
    assert.equal(hasBuy, true);
    assert.equal(limit, bestYes);
    assert.ok(reserved > 0);
  });

  it("applies a fill frame from the FillRing once, even when io delivers it twice", async () => {
    const frame = JSON.stringify({
      type: "fill",
      sid: 9,
      msg: {
        trade_id: "ws-t1",
        order_id: "foreign",
        market_ticker: px.markets[1],
        is_taker: true,
        side: "yes",
        action: "buy",
        book_side: "bid",
        yes_price_dollars: "0.4000",
        count_fp: "1.00",
        fee_cost: "0.0200",
        ts_ms: Date.now(),
      },
    });
    const io = new PrivateReports(
      fills,
      (ticker) => px.markets.indexOf(ticker),
      (why) => assert.fail(`fill not forwarded: ${why}`),
    );
    assert.ok(io.onFrameText(frame));
    assert.ok(io.onFrameText(frame));
    await waitForEvent((e) => e.kind === "position" && e.market === px.markets[1]);
    // The position event follows the first copy; the second may still be in the ring: wait until
    // the thread has read both (bounded), then require exactly one applied and one duplicate.
    const deadline = Date.now() + 30_000;
    let stats = await thread.stats();
    while (stats.stats.fillsApplied + stats.stats.fillsDuplicate < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      stats = await thread.stats();
    }
    assert.equal(stats.stats.fillsApplied, 1);
    assert.equal(stats.stats.fillsDuplicate, 1);
    // The thread writes its state counts and P&L gauges itself, before it answers: io reads the
    // fill once, the duplicate once, and the fee the frame carried.
    const state = thread.state.read();
    for (const key of Object.keys(stats.stats)) assert.ok(key in state, `state block has ${key}`);
    assert.equal(state.fillsApplied, 1);
    assert.equal(state.fillsDuplicate, 1);
    const m1 = stats.pnl.markets.find((mk) => mk.m === 1);
    assert.equal(m1?.feesMicros, 20_000, "fee_cost 0.0200");
    const counters = new Counters(ENGINE_METRICS, countersSab);
    assert.equal(counters.get("fees_paid_micros"), stats.pnl.feesMicros);
    assert.equal(counters.get("realised_pnl_micros"), stats.pnl.realisedMicros);
    assert.equal(counters.get("unrealised_pnl_micros"), stats.pnl.unrealisedMicros);
  });

  it("rests an order on a market of another exchange shard, moving cash there first", async () => {
    const m = shardOf.findIndex((k) => k > 0);
    assert.ok(m > 0, "the paper exchange spreads markets over shards");
    const k = shardOf[m]!;
    const counters = new Counters(ENGINE_METRICS, countersSab);
    assert.equal(px.core.transferCount(), 0, "the deposit is all on shard 0");
    await loadBook(m);
    assert.ok(writeDecision(decisions, m, 1 /* BUY_YES */, 100, 1, Date.now(), Date.now(), 1, 1));
    const acked = await waitForEvent(
      (e) => e.kind === "order" && e.status === "acked" && e.market === px.markets[m],
    );
    assert.ok(acked);
    // one transfer, counted by the thread as the exchange counts it
    await thread.stats(); // the thread publishes its counters before answering
    assert.equal(px.core.transferCount(), 1);
    assert.equal(counters.get("transfers", { result: "ok" }), 1);
    // the shard's cash in the PortfolioTable is the exchange's: balance = free + reserved fees
    const balance = await client.getBalance();
    const { free, reserved, total, shards } = readPortfolio(() => ({
      free: portfolio.shardFreeCashMicros(k),
      reserved: portfolio.shardReservedCashMicros(k),
      total: portfolio.freeCashMicros(),
      shards: portfolio.shardCount(),
    }));
    assert.ok(shards > k);
    assert.ok(reserved > 0, "the order reserves on its own shard");
    assert.ok(free > 0);
    // nothing filled (no flow, a passive buy): the shard holds exactly what was moved there, and
    // the exchange's balance of it is free cash + the order's fee reservation (it holds the cost)
    assert.equal(free + reserved, counters.get("transfer_micros"));
    const feeReserved = balance.shardBalanceMicros[k]! - free;
    assert.ok(feeReserved > 0 && feeReserved < reserved);
    let sum = 0;
    for (let s = 0; s < shards; s++) sum += portfolio.shardFreeCashMicros(s);
    assert.equal(sum, total, "total free cash is the sum of the shards'");
  });

  it("cancels everything on the kill switch, on every shard (cancels routed by market)", async () => {
    assert.equal(await thread.kill(), 2);
    const resting = await client.collectAll((cursor) => client.getOrders({ status: "resting", cursor }));
    assert.equal(resting.length, 0);
    await waitForEvent((e) => e.kind === "kill" && e.engaged);
    assert.deepEqual(threadErrors, []);
    assert.equal(new Counters(ENGINE_METRICS, countersSab).get("orders_errors"), 0);
  });
  it("answers a reconciliation pass that failed with its reason instead of never answering", async () => {
    await withRestFault(px, "5xx", "always", () =>
      assert.rejects(thread.reconcile(), /reconciliation pass failed: kalshi REST 50\d/),
    );
    await thread.reconcile(); // and the next pass answers with its report
  });

  it("reports and counts an error instead of keeping it to itself (a FillRing record it cannot read)", async () => {
    const counters = new Counters(ENGINE_METRICS, countersSab);
    const before = counters.get("orders_errors");
    assert.ok(fills.tryWrite(99, new Uint8Array(RECORD_BYTES)), "a record of no known kind");
    const deadline = Date.now() + 10_000;
    while (threadErrors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(threadErrors.length, 1);
    assert.equal(counters.get("orders_errors"), before + 1);
  });

  it("stops cleanly; later requests fail fast instead of hanging", async () => {
    await thread.stop();
    await assert.rejects(thread.stats(), /exited/);
    await thread.stop(); // idempotent
  });
});

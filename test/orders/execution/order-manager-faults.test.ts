import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type WebSocket from "ws";
import { reportOfMessage } from "../../../src/kalshi/adapter/reports.js";
import { loadPrivateKey } from "../../../src/kalshi/auth-signer.js";
import { tryParseServerMessage } from "../../../src/kalshi/messages.js";
import { gridOfStructure } from "../../../src/kalshi/price-grid.js";
import { KalshiRestClient } from "../../../src/kalshi/rest-client.js";
import { type EngineAction, Ledger } from "../../../src/orders/accounts/ledger.js";
import { OrderJournal } from "../../../src/orders/execution/journal.js";
import type { PriceStrategy } from "../../../src/orders/execution/limit-price.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import {
  DEFAULT_ORDER_MANAGER_CONFIG,
  OrderManager,
  type OrderManagerConfig,
} from "../../../src/orders/execution/order-manager.js";
import { Reconciler } from "../../../src/orders/reconcile/reconciler.js";
import { CircuitBreakers, DEFAULT_BREAKER_CONFIG } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";
import { applyReport } from "../../../src/orders/thread/worker-fills.js";
import { Xoshiro128 } from "../../../src/paper/faults/prng.js";
import type { PaperExchangeHandle } from "../../../src/paper/index.js";
import { openPrivateChannels, settle, startFaultyPaper } from "../faulty-paper.js";

/**
 * The order manager, its reconciler and the WS fill channel against a paper exchange that fails
 * 20 % of REST requests (429, 5xx, timeouts, resets after acceptance, answers slower than the
 * client waits) while simulated flow trades against resting orders. A seeded stream of decisions
 * over markets, actions and price strategies, then a shutdown as the engine's: writes in flight,
 * the fill channel closed, the kill switch. Checked:
 *  - no duplicate orders: at no sampled moment does a market rest two of our orders on one side
 *    (rules 14, 15), and every order the exchange holds traces to one journaled intent;
 *  - after settling (reconciliation until nothing is unsettled), cash, positions and open orders
 *    equal the exchange's exactly — while trading, and again after the kill switch.
 */
const MARKETS = 6;
const DECISIONS = 160;
const ACTIONS: EngineAction[] = ["BUY_YES", "BUY_NO", "SELL_YES", "SELL_NO"];
const STRATEGIES: PriceStrategy[] = ["aggressive", "passive", "mid"];

let px: PaperExchangeHandle;
let client: KalshiRestClient;
const catalog = new StaticMarketCatalog();
const dir = mkdtempSync(join(tmpdir(), "orders-faults-"));
let journal: OrderJournal | undefined;
let feed: WebSocket | undefined;

before(async () => {
  px = await startFaultyPaper(MARKETS, 17);
  client = new KalshiRestClient({
    baseUrl: px.restUrl,
    key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    readBucket: { refillPerSec: 1000, capacity: 1000 },
    writeBucket: { refillPerSec: 1000, capacity: 2000 },
    readTimeoutMs: 1_000,
    writeTimeoutMs: 1_000,
  });
  for (const m of px.core.markets()) catalog.add(m.ticker, gridOfStructure(m.priceLevelStructure));
});
after(async () => {
  feed?.close();
  await journal?.close();
  await px.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Our resting orders as the exchange holds them (read from its core: no injected faults). */
function exchangeResting() {
  return px.core.listOrders(px.keyId, { status: "resting" });
}

/** The ledger against the exchange's own books: cash, every position, every open order. */
function assertSameAsExchange(ledger: Ledger, om: OrderManager, context: string): void {
  const balance = px.core.balance(px.keyId);
  assert.ok(balance.ok);
  let reservedFees = 0;
  for (const o of ledger.orders.openOrders()) reservedFees += o.reservedFeeMicros;
  // the exchange's balance excludes resting buys' cost; the ledger also holds their fee reserve
  assert.equal(ledger.freeCashMicros + reservedFees, balance.value.balanceMicros, `cash (${context})`);
  for (let m = 0; m < MARKETS; m++) {
    const p = px.core.positions(px.keyId, catalog.tickerOf(m))[0];
    assert.equal(
      ledger.position(m).contractsHundredths,
      p?.positionHundredths ?? 0,
      `position of ${catalog.tickerOf(m)} (${context})`,
    );
  }
  const resting = exchangeResting();
  const ours = [...om.working.all()].map(({ order }) => order);
  assert.ok(
    ours.every((o) => o.state === "resting"),
    `no write in flight after settling (${context})`,
  );
  assert.deepEqual(
    ours.map((o) => o.exchangeOrderId).sort(),
    resting.map((o) => o.orderId).sort(),
    `working orders = resting orders (${context})`,
  );
  assert.deepEqual(
    ledger.orders
      .openOrders()
      .map((o) => o.exchangeOrderId)
      .sort(),
    resting.map((o) => o.orderId).sort(),
    `ledger open orders = resting orders (${context})`,
  );
  for (const o of resting) {
    const lo = ledger.orders.get(ledger.orders.clientOrderIdOf(o.orderId) ?? "");
    assert.equal(lo === undefined ? -1 : lo.countHundredths - lo.filledHundredths, o.remainingHundredths);
  }
}

describe("order manager under 20 % REST faults against the paper exchange", () => {
  it("places no duplicate and ends with the exchange's exact cash, positions and open orders", {
    timeout: 180_000,
  }, async () => {
    const opened = await OrderJournal.open(join(dir, "orders.ndjson"));
    journal = opened.journal;
    const ledger = new Ledger(0);
    const config: OrderManagerConfig = { ...DEFAULT_ORDER_MANAGER_CONFIG };
    const om = new OrderManager(
      {
        rest: client,
        journal,
        ledger,
        catalog,
        book: {
          readTop: (m, out) => {
            const ob = px.core.orderbook(catalog.tickerOf(m), 1);
            if (!ob.ok) return false;
            out.bestYesBidTicks = ob.value.yes.at(-1)?.[0] ?? 0;
            out.bestNoBidTicks = ob.value.no.at(-1)?.[0] ?? 0;
            return true;
          },
        },
        risk: new RiskGate({
          maxContractsPerMarketHundredths: 5_000,
          maxGrossExposureMicros: 2_000_000_000,
          minCashReserveMicros: 0,
          maxOrdersPerSecond: 1000,
        }),
        throttle: new MarketThrottle(0),
        freshness: new FreshnessGate(60_000),
        // at this error rate the breakers trip often; a short cool-down keeps the stream trading
        breakers: new CircuitBreakers({ ...DEFAULT_BREAKER_CONFIG, coolDownMs: 200 }),
      },
      config,
    );
    const reconciler = new Reconciler(om);
    await reconciler.startup(opened.replay);
    let badFrames = 0;
    feed = await openPrivateChannels(px, (text) => {
      const msg = tryParseServerMessage(text);
      if (msg instanceof Error) badFrames++;
      else if (msg.kind === "fill" || msg.kind === "user_order") {
        const report = reportOfMessage(msg, (ticker) => catalog.indexOf(ticker));
        if (typeof report === "string" || (report !== null && applyReport(report, om) !== null)) badFrames++;
      }
    });

    const rng = new Xoshiro128(3);
    let worstStack = 0;
    for (let i = 0; i < DECISIONS; i++) {
      config.strategy = STRATEGIES[rng.int(STRATEGIES.length)]!;
      await om.onDecision({
        market: rng.int(MARKETS),
        action: ACTIONS[rng.int(ACTIONS.length)]!,
        sizeHundredths: 100 * (1 + rng.int(5)),
        frameRecvMs: Date.now(),
      });
      const perSide = new Map<string, number>();
      for (const o of exchangeResting()) {
        const k = `${o.ticker}/${o.side}`;
        perSide.set(k, (perSide.get(k) ?? 0) + 1);
      }
      worstStack = Math.max(worstStack, ...perSide.values(), 0);
      if (i % 40 === 39) await reconciler.periodic().catch(() => undefined);
    }
    assert.ok(om.stats.sent > 20, `orders were sent (${om.stats.sent})`);
    assert.ok(om.stats.unknown > 0, "some outcomes were unknown");
    assert.ok(om.stats.fillsApplied > 0, "some orders filled");
    assert.equal(worstStack, 1, "never two of our orders resting on one side of a market");

    await settle(() => reconciler.periodic().catch(() => null));
    assertSameAsExchange(ledger, om, "while trading");

    // shutdown as the engine does it: a burst of decisions still in flight, the feed closed (fills
    // now come from REST only), the kill switch, and reconciliation until nothing is unsettled
    const inFlight: Promise<void>[] = [];
    for (let m = 0; m < MARKETS; m++) {
      config.strategy = "passive";
      inFlight.push(
        om.onDecision({
          market: m,
          action: m % 2 ? "BUY_YES" : "BUY_NO",
          sizeHundredths: 200,
          frameRecvMs: Date.now(),
        }),
      );
    }
    feed.close();
    await om.engageKillSwitch();
    await settle(() => reconciler.periodic().catch(() => null));
    assert.equal(exchangeResting().length, 0, "the kill switch leaves nothing resting");
    assert.equal(ledger.reservedCashMicros, 0);
    assertSameAsExchange(ledger, om, "after the kill switch");

    // every order the exchange ever took is one journaled intent: a create or an amend's new id
    await journal.close();
    journal = undefined;
    const intents = new Set<string>();
    for (const line of readFileSync(join(dir, "orders.ndjson"), "utf8").split("\n")) {
      if (line === "") continue;
      const rec = JSON.parse(line) as { t: string; op?: string; cid: string; newCid?: string };
      if (rec.t === "intent" && rec.op === "create") intents.add(rec.cid);
      if (rec.t === "intent" && rec.op === "amend" && rec.newCid) intents.add(rec.newCid);
    }
    const taken = px.core.listOrders(px.keyId);
    assert.ok(taken.length > 0);
    for (const o of taken) assert.ok(intents.has(o.clientOrderId), `order ${o.orderId} has an intent`);
    assert.equal(new Set(taken.map((o) => o.clientOrderId)).size, taken.length);
    assert.equal(badFrames, 0);
    await Promise.all(inFlight);
  });
});

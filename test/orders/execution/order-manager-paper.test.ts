import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { WebSocket as Ws } from "ws";
import { PrivateReports } from "../../../src/kalshi/adapter/private-reports.js";
import { RECORD_BYTES } from "../../../src/kalshi/adapter/report-records.js";
import { loadPrivateKey, signRequest } from "../../../src/kalshi/auth-signer.js";
import { PriceGrid } from "../../../src/kalshi/price-grid.js";
import { KalshiRestClient } from "../../../src/kalshi/rest-client.js";
import { Ledger, type LedgerEvent } from "../../../src/orders/accounts/ledger.js";
import { OrderJournal } from "../../../src/orders/execution/journal.js";
import type { BookTop } from "../../../src/orders/execution/limit-price.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import { OrderGroupGuard, OrderGroups, openOrderGroup } from "../../../src/orders/execution/order-group.js";
import {
  DEFAULT_ORDER_MANAGER_CONFIG,
  type OrderEvent,
  OrderManager,
  type OrderManagerConfig,
  type OrderManagerDeps,
} from "../../../src/orders/execution/order-manager.js";
import { Reconciler } from "../../../src/orders/reconcile/reconciler.js";
import { CircuitBreakers, DEFAULT_BREAKER_CONFIG } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";
import { drainReports } from "../../../src/orders/thread/worker-fills.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../../src/paper/index.js";
import { BytesRing } from "../../../src/shm/bytes-ring.js";
import { withRestFault } from "../faulty-paper.js";

/**
 * The order manager and its reconciler against the paper exchange on loopback: startup
 * reconciliation, an aggressive order that fills, fills caught up from REST exactly once, the
 * ledger agreeing with the exchange to the micro, the kill switch, orphan cancel, restart
 * recovery from the exchange + journal, and an outcome-unknown create resolved by its id.
 */
let px: PaperExchangeHandle;
let client: KalshiRestClient;
const catalog = new StaticMarketCatalog();
const dir = mkdtempSync(join(tmpdir(), "orders-om-paper-"));
const journals: OrderJournal[] = [];

before(async () => {
  // One shard (the pre-sharding exchange): this client does not route cancels by shard yet.
  px = await startPaperExchange({ markets: 6, ratePerSec: 0, seed: 11, rateLimitTier: "premier", shards: 1 });
  // our buckets match the exchange's tier (kalshi-api-notes.md), so we pace ourselves below it
  client = new KalshiRestClient({
    baseUrl: px.restUrl,
    key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    readBucket: { refillPerSec: 1000, capacity: 1000 },
    writeBucket: { refillPerSec: 1000, capacity: 2000 },
  });
  for (const m of await client.collectAll((cursor) => client.getMarkets({ cursor }))) {
    catalog.add(m.ticker, m.priceGrid ?? PriceGrid.full());
  }
});
const sockets: Ws[] = [];
after(async () => {
  for (const ws of sockets) ws.close();
  for (const j of journals) await j.close();
  await px.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A book source that reads the exchange's order book by REST before each decision. */
const tops = new Map<number, BookTop>();
async function refreshTop(m: number): Promise<void> {
  const ob = await client.getOrderbook(catalog.tickerOf(m));
  tops.set(m, { bestYesBidTicks: ob.yes.at(-1)?.[0] ?? 0, bestNoBidTicks: ob.no.at(-1)?.[0] ?? 0 });
}

async function makeManager(
  journalName: string,
  config: Partial<OrderManagerConfig> = {},
  deps: Partial<OrderManagerDeps> = {},
) {
  const { journal, replay } = await OrderJournal.open(join(dir, journalName));
  journals.push(journal);
  const events: Array<OrderEvent | LedgerEvent> = [];
  const ledger = new Ledger(0, { onEvent: (e) => events.push(e) });
  const om = new OrderManager(
    {
      rest: client,
      journal,
      ledger,
      catalog,
      book: {
        readTop: (m, out) => {
          const t = tops.get(m);
          if (t === undefined) return false;
          out.bestYesBidTicks = t.bestYesBidTicks;
          out.bestNoBidTicks = t.bestNoBidTicks;
          return true;
        },
      },
      risk: new RiskGate({
        maxContractsPerMarketHundredths: 100_000,
        maxGrossExposureMicros: 5_000_000_000,
        minCashReserveMicros: 0,
        maxOrdersPerSecond: 1000,
      }),
      throttle: new MarketThrottle(0),
      freshness: new FreshnessGate(60_000),
      breakers: new CircuitBreakers(),
      onEvent: (e) => events.push(e),
      ...deps,
    },
    { ...DEFAULT_ORDER_MANAGER_CONFIG, ...config },
  );
  const reconciler = new Reconciler(om);
  await reconciler.startup(replay);
  return { om, ledger, reconciler, events, journal };
}

async function exchangeCash(ledger: Ledger): Promise<{ ours: number; exchange: number }> {
  const balance = (await client.getBalance()).balanceMicros;
  // the exchange's balance already excludes resting buys' cost; we also hold their fee reserve
  let reservedFees = 0;
  for (const o of ledger.orders.openOrders()) reservedFees += o.reservedFeeMicros;
  return { ours: ledger.freeCashMicros + reservedFees, exchange: balance };
}

/** io's part: private frames (fill, user_orders, market_lifecycle_v2) → FillRing records. */
async function openIo(
  ring: BytesRing,
  channels: readonly string[] = ["fill", "user_orders", "market_lifecycle_v2"],
): Promise<void> {
  const key = { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) };
  const ws = new Ws(px.wsUrl, { headers: { ...signRequest(key, "GET", "/trade-api/ws/v2") } });
  sockets.push(ws);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const io = new PrivateReports(
    ring,
    (t) => catalog.indexOf(t),
    (why) => assert.fail(`private frame not forwarded: ${why}`),
  );
  ws.on("message", (data) => io.onFrameText(String(data)));
  const subscribed = new Promise((resolve) => ws.once("message", resolve));
  ws.send(
    JSON.stringify({
      id: 1,
      cmd: "subscribe",
      params: { channels },
    }),
  );
  await subscribed;
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(done(), what);
}

describe("order manager + reconciler against the paper exchange", () => {
  it("fills an aggressive buy and agrees with the exchange on cash, position and fees", async () => {
    const { om, ledger, reconciler, events } = await makeManager("a.ndjson");
    assert.equal(om.isReady, true);
    await refreshTop(0);
    await om.onDecision({ market: 0, action: "BUY_YES", sizeHundredths: 300, frameRecvMs: Date.now() });
    assert.equal(om.stats.sent, 1);
    const report = await reconciler.periodic();
    assert.ok(report.fillsApplied >= 1, "fills caught up from REST");
    assert.equal(report.positionCorrections, 0);
    assert.equal(report.cashCorrectionMicros, 0);
    const again = await reconciler.periodic();
    assert.equal(again.fillsApplied, 0, "fills are applied once");
    const pos = (await client.getPositions({ ticker: catalog.tickerOf(0) })).items[0];
    assert.equal(ledger.position(0).contractsHundredths, pos?.positionHundredths);
    assert.equal(ledger.position(0).feesPaidMicros, pos?.feesPaidMicros);
    const cash = await exchangeCash(ledger);
    assert.equal(cash.ours, cash.exchange);
    assert.deepEqual(
      events.filter((e) => e.kind === "fee_mismatch"),
      [],
    );
  });

  it("rests a passive order, cancels it with the kill switch, and cancels orphans", async () => {
    const { om, ledger, reconciler } = await makeManager("b.ndjson", { strategy: "passive" });
    await refreshTop(1);
    await om.onDecision({ market: 1, action: "BUY_YES", sizeHundredths: 200, frameRecvMs: Date.now() });
    assert.equal(om.working.get(1, "bid")?.state, "resting");
    const orphan = await client.createOrder({
      ticker: catalog.tickerOf(2),
      client_order_id: "manual-1",
      side: "bid",
      count: "1.00",
      price: "0.0100",
      time_in_force: "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
    });
    assert.equal(orphan.kind, "ok");
    const report = await reconciler.periodic();
    assert.equal(report.orphansCanceled, 1);
    assert.equal(om.working.get(1, "bid")?.state, "resting", "our own order is not an orphan");
    assert.equal(await om.engageKillSwitch(), 1);
    const resting = await client.collectAll((cursor) => client.getOrders({ status: "resting", cursor }));
    assert.equal(resting.length, 0);
    assert.equal(ledger.reservedCashMicros, 0);
    const cash = await exchangeCash(ledger);
    assert.equal(cash.ours, cash.exchange);
    om.releaseKillSwitch();
  });

  it("recovers positions and resting orders from the exchange after a restart", async () => {
    const first = await makeManager("c.ndjson", { strategy: "passive" });
    await refreshTop(3);
    await first.om.onDecision({ market: 3, action: "BUY_NO", sizeHundredths: 100, frameRecvMs: Date.now() });
    const w = first.om.working.get(3, "ask");
    assert.equal(w?.state, "resting");
    // "crash": a new manager with an empty ledger rebuilds from REST + the same journal
    await first.journal.close();
    const second = await makeManager("c.ndjson", { strategy: "passive" });
    const adopted = second.om.working.get(3, "ask");
    assert.equal(adopted?.exchangeOrderId, w?.exchangeOrderId);
    assert.equal(adopted?.action, "BUY_NO");
    assert.equal(second.ledger.position(0).contractsHundredths, first.ledger.position(0).contractsHundredths);
    const cash = await exchangeCash(second.ledger);
    assert.equal(cash.ours, cash.exchange);
    assert.equal(await second.om.engageKillSwitch(), 1);
  });

  it("resolves a create whose answer was lost by its client_order_id (rule 15)", async () => {
    const { om, ledger, reconciler } = await makeManager("d.ndjson", { strategy: "passive" });
    await refreshTop(2);
    await withRestFault(px, "reset_after_accept", "once", () =>
      om.onDecision({ market: 2, action: "BUY_YES", sizeHundredths: 100, frameRecvMs: Date.now() }),
    );
    assert.equal(om.stats.unknown, 1);
    assert.equal(om.stats.resolved, 1);
    const w = om.working.get(2, "bid");
    assert.equal(w?.state, "resting");
    const onExchange = await client.findOrderByClientId(catalog.tickerOf(2), w!.clientOrderId);
    assert.equal(onExchange?.orderId, w?.exchangeOrderId);
    const report = await reconciler.periodic();
    assert.equal(report.orphansCanceled, 0);
    const cash = await exchangeCash(ledger);
    assert.equal(cash.ours, cash.exchange);
    await om.engageKillSwitch();
  });

  it("joins an order group: the exchange's trigger pauses trading until the engine resets it", async () => {
    const breakers = new CircuitBreakers({ ...DEFAULT_BREAKER_CONFIG, coolDownMs: 100 });
    const group = new OrderGroupGuard(client, await openOrderGroup(client, 1), breakers);
    const { om } = await makeManager("g.ndjson", {}, { breakers, orderGroups: OrderGroups.single(group) });
    const buy = () =>
      om.onDecision({ market: 2, action: "BUY_YES", sizeHundredths: 100, frameRecvMs: Date.now() });
    const ordersOf2 = () =>
      client.collectAll((cursor) => client.getOrders({ ticker: catalog.tickerOf(2), cursor }));
    const earlier = (await ordersOf2()).length;
    await refreshTop(2);
    await buy(); // fills 1 contract: the group's limit, so the exchange triggers it
    const placed = await ordersOf2();
    assert.equal(placed.length, earlier + 1);
    assert.equal(placed[0]!.status, "executed");
    // Kalshi's REST group object has no is_triggered: read the exchange's own state.
    const g = px.core.getOrderGroup(px.keyId, group.orderGroupId);
    assert.ok(g.ok && g.value.isTriggered);

    await refreshTop(2);
    await buy(); // refused by the exchange: the breakers trip
    assert.equal(group.triggered, true);
    assert.equal(breakers.tripReason, "order_group_triggered");
    await buy();
    assert.equal(om.stats.breakerBlocked, 1, "no order while the breakers cool down");

    await new Promise((r) => setTimeout(r, 150));
    await refreshTop(2);
    await buy(); // re-armed: the group is reset and the order goes through
    assert.equal(group.resets, 1);
    assert.equal(group.triggered, false);
    const after = await ordersOf2();
    assert.equal(after.length, earlier + 2, "one order before the trigger, one after the reset");
  });

  it("sees its group's trigger and reset on order_group_updates (no REST is_triggered to poll)", async () => {
    const ring = BytesRing.create(RECORD_BYTES, 64);
    await openIo(ring, ["order_group_updates"]);
    const breakers = new CircuitBreakers({ ...DEFAULT_BREAKER_CONFIG, coolDownMs: 100 });
    const group = new OrderGroupGuard(client, await openOrderGroup(client, 5), breakers);
    const { om } = await makeManager("g2.ndjson", {}, { breakers, orderGroups: OrderGroups.single(group) });
    const errors: string[] = [];
    const drain = () => drainReports(ring, om, (why) => errors.push(why));
    assert.ok(px.core.triggerOrderGroup(px.keyId, group.orderGroupId).ok);
    await until("the trigger arrives", () => {
      drain();
      return group.triggered;
    });
    assert.equal(breakers.tripReason, "order_group_triggered");
    assert.ok(px.core.resetOrderGroup(px.keyId, group.orderGroupId).ok);
    await until("the reset arrives", () => {
      drain();
      return !group.triggered;
    });
    assert.equal(group.triggers, 1);
    assert.deepEqual(errors, []);
  });
});

/**
 * Settlement over real sockets (kalshi-api-notes.md): a held position pays out once — from the
 * `market_lifecycle_v2` frame io turns into a FillRing record, or, when that frame never came,
 * from `GET /portfolio/settlements` — as a settlement, never as an unexplained correction.
 */
describe("settlement into the ledger (paper exchange, real sockets)", () => {
  it("pays a held YES position out from the lifecycle frame, once, with no correction", async () => {
    const ring = BytesRing.create(RECORD_BYTES, 256);
    await openIo(ring);
    const { om, ledger, reconciler, events } = await makeManager("settle-ws.ndjson");
    const m = 4;
    await refreshTop(m);
    await om.onDecision({ market: m, action: "BUY_YES", sizeHundredths: 300, frameRecvMs: Date.now() });
    await reconciler.periodic();
    const held = ledger.position(m).contractsHundredths;
    assert.ok(held > 0, "a YES position to settle");
    const basis = ledger.position(m).costBasisMicros;
    const realisedBefore = ledger.position(m).realizedPnlMicros;

    assert.ok(px.core.settleMarket(catalog.tickerOf(m), "yes").ok);
    const errors: string[] = [];
    await until("the lifecycle settlement reaches the ledger", () => {
      drainReports(ring, om, (why) => errors.push(why));
      return ledger.isSettled(m);
    });
    assert.deepEqual(errors, []);
    assert.equal(ledger.position(m).contractsHundredths, 0);
    assert.equal(ledger.position(m).realizedPnlMicros - realisedBefore, held * 10_000 - basis);
    const settled = events.find((e) => e.kind === "settled" && e.market === m);
    assert.deepEqual(settled, {
      kind: "settled",
      market: m,
      yesPayoutMicros: 1_000_000,
      closedHundredths: held,
      proceedsMicros: held * 10_000,
      realizedMicros: held * 10_000 - basis,
    });
    {
      const cash = await exchangeCash(ledger);
      assert.equal(cash.ours, cash.exchange);
    }
    const report = await reconciler.periodic();
    assert.equal(report.settlementsApplied, 0, "REST brings the same settlement: applied once");
    assert.equal(report.positionCorrections, 0);
    assert.equal(report.cashCorrectionMicros, 0);
    // a settled market trades no more
    await om.onDecision({ market: m, action: "BUY_YES", sizeHundredths: 100, frameRecvMs: Date.now() });
    assert.equal(om.stats.marketSettled, 1);
  });

  it("applies a settlement the lifecycle channel missed from GET /portfolio/settlements", async () => {
    const { om, ledger, reconciler, events } = await makeManager("settle-rest.ndjson");
    const m = 5;
    await refreshTop(m);
    await om.onDecision({ market: m, action: "BUY_NO", sizeHundredths: 200, frameRecvMs: Date.now() });
    await reconciler.periodic();
    const held = ledger.position(m).contractsHundredths;
    assert.ok(held < 0, "a NO position to settle");
    const basis = ledger.position(m).costBasisMicros;
    assert.ok(px.core.settleMarket(catalog.tickerOf(m), "yes").ok); // NO loses: pays $0
    const report = await reconciler.periodic();
    assert.equal(report.settlementsApplied, 1);
    assert.equal(report.positionCorrections, 0);
    assert.equal(report.cashCorrectionMicros, 0);
    assert.equal(ledger.position(m).contractsHundredths, 0);
    const settled = events.find((e) => e.kind === "settled" && e.market === m);
    assert.equal(settled?.kind === "settled" && settled.realizedMicros, -basis);
    {
      const cash = await exchangeCash(ledger);
      assert.equal(cash.ours, cash.exchange);
    }
  });
});

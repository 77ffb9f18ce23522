import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type WebSocket from "ws";
import { WebSocket as Ws } from "ws";
import { PrivateReports } from "../../src/kalshi/adapter/private-reports.js";
import { RECORD_BYTES } from "../../src/kalshi/adapter/report-records.js";
import { loadPrivateKey, signRequest } from "../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../src/kalshi/rest-client.js";
import { CircuitBreakers } from "../../src/orders/breakers.js";
import { OrderJournal } from "../../src/orders/journal.js";
import { Ledger } from "../../src/orders/ledger.js";
import { asPriceLevelStructure, StaticMarketCatalog } from "../../src/orders/market-catalog.js";
import {
  DEFAULT_ORDER_MANAGER_CONFIG,
  type OrderEvent,
  OrderManager,
} from "../../src/orders/order-manager.js";
import { Reconciler } from "../../src/orders/reconciler.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../src/orders/risk.js";
import { drainReports } from "../../src/orders/worker-fills.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";
import { BytesRing } from "../../src/shm/bytes-ring.js";

/**
 * Settlement against the paper exchange over real sockets (kalshi-protocol.md §8.3): a held
 * position pays out once — from the `market_lifecycle_v2` frame io turns into a FillRing record,
 * or, when that frame never came, from `GET /portfolio/settlements` — as a settlement, never as
 * an unexplained cash or position correction.
 */
let px: PaperExchangeHandle;
let client: KalshiRestClient;
const catalog = new StaticMarketCatalog();
const dir = mkdtempSync(join(tmpdir(), "orders-settle-"));
const journals: OrderJournal[] = [];
const sockets: WebSocket[] = [];

before(async () => {
  px = await startPaperExchange({ markets: 6, ratePerSec: 0, seed: 21, rateLimitTier: "premier" });
  client = new KalshiRestClient({
    baseUrl: px.restUrl,
    key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    readBucket: { refillPerSec: 1000, capacity: 1000 },
    writeBucket: { refillPerSec: 1000, capacity: 2000 },
  });
  for (const m of await client.collectAll((cursor) => client.getMarkets({ cursor }))) {
    catalog.set(catalog.size, m.ticker, asPriceLevelStructure(m.priceLevelStructure), m.exchangeIndex);
  }
});
after(async () => {
  for (const ws of sockets) ws.close();
  for (const j of journals) await j.close();
  await px.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Markets on shard 0, where the account's cash is. */
function shardZeroMarkets(): number[] {
  const out: number[] = [];
  for (let m = 0; m < catalog.size; m++) if (catalog.shardOf(m) === 0) out.push(m);
  return out;
}

async function makeManager(name: string) {
  const { journal, replay } = await OrderJournal.open(join(dir, name));
  journals.push(journal);
  const events: OrderEvent[] = [];
  const ledger = new Ledger(0);
  const om = new OrderManager(
    {
      rest: client,
      journal,
      ledger,
      catalog,
      book: {
        readTop: (m, out) => {
          const ob = px.core.orderbook(catalog.tickerOf(m), 0);
          if (!ob.ok) return false;
          out.bestYesBidTicks = ob.value.yes.at(-1)?.[0] ?? 0;
          out.bestNoBidTicks = ob.value.no.at(-1)?.[0] ?? 0;
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
    },
    DEFAULT_ORDER_MANAGER_CONFIG,
  );
  const reconciler = new Reconciler(om);
  await reconciler.startup(replay);
  return { om, ledger, reconciler, events };
}

/** io's part: private frames (fill, user_orders, market_lifecycle_v2) → FillRing records. */
async function openIo(ring: BytesRing): Promise<void> {
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
      params: { channels: ["fill", "user_orders", "market_lifecycle_v2"] },
    }),
  );
  await subscribed;
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(done(), what);
}

async function cashAgrees(ledger: Ledger): Promise<void> {
  let reservedFees = 0;
  for (const o of ledger.openOrders()) reservedFees += o.reservedFeeMicros;
  assert.equal(ledger.freeCashMicros + reservedFees, (await client.getBalance()).balanceMicros);
}

describe("settlement into the ledger (paper exchange, real sockets)", () => {
  it("pays a held YES position out from the lifecycle frame, once, with no correction", async () => {
    const ring = BytesRing.create(RECORD_BYTES, 256);
    await openIo(ring);
    const { om, ledger, reconciler, events } = await makeManager("ws.ndjson");
    const m = shardZeroMarkets()[0]!;
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
    const settled = events.find((e) => e.kind === "settled");
    assert.deepEqual(settled, {
      kind: "settled",
      market: m,
      yesPayoutMicros: 1_000_000,
      closedHundredths: held,
      proceedsMicros: held * 10_000,
      realizedMicros: held * 10_000 - basis,
    });
    await cashAgrees(ledger);
    const report = await reconciler.periodic();
    assert.equal(report.settlementsApplied, 0, "REST brings the same settlement: applied once");
    assert.equal(report.positionCorrections, 0);
    assert.equal(report.cashCorrectionMicros, 0);
    // a settled market trades no more
    await om.onDecision({ market: m, action: "BUY_YES", sizeHundredths: 100, frameRecvMs: Date.now() });
    assert.equal(om.stats.marketSettled, 1);
  });

  it("applies a settlement the lifecycle channel missed from GET /portfolio/settlements", async () => {
    const { om, ledger, reconciler, events } = await makeManager("rest.ndjson");
    const m = shardZeroMarkets()[1]!;
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
    await cashAgrees(ledger);
  });
});

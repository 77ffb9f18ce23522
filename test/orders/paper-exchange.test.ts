import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fillReportOfRest, ledgerFillOf } from "../../src/kalshi/adapter/reports.js";
import { loadPrivateKey } from "../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../src/kalshi/rest-client.js";
import type { V2CreateOrderBody } from "../../src/kalshi/rest-types.js";
import { Ledger, type LedgerEvent } from "../../src/orders/accounts/ledger.js";
import { limitPriceTicks } from "../../src/orders/execution/limit-price.js";
import { toV2CreateBody } from "../../src/orders/execution/order-mapping.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";
import { withRestFault } from "./faulty-paper.js";

/**
 * The REST client and the ledger against the real paper exchange on loopback: signing accepted,
 * pagination, V2 writes, the exchange's fee numbers vs our fee model, and the outcome-unknown
 * path of correctness-rules.md rule 15 through the exchange's own "reset_after_accept" fault.
 */
let px: PaperExchangeHandle;
let client: KalshiRestClient;

before(async () => {
  // One shard (the pre-sharding exchange): this client does not route cancels by shard yet.
  px = await startPaperExchange({ markets: 6, ratePerSec: 0, seed: 7, shards: 1 });
  client = new KalshiRestClient({
    baseUrl: px.restUrl,
    key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    sleep: async () => {},
  });
});
after(async () => {
  await px.close();
});

function gtc(
  ticker: string,
  cid: string,
  side: "bid" | "ask",
  priceTicks: number,
  count: string,
): V2CreateOrderBody {
  return {
    ticker,
    client_order_id: cid,
    side,
    count,
    price: (priceTicks / 10_000).toFixed(4),
    time_in_force: "good_till_canceled",
    self_trade_prevention_type: "taker_at_cross",
  };
}

describe("REST client + ledger against the paper exchange", () => {
  it("is accepted by the exchange's signature check and pages through markets", async () => {
    const all = await client.collectAll((cursor) => client.getMarkets({ cursor, limit: 4 }));
    assert.deepEqual(
      all.map((m) => m.ticker),
      px.markets,
    );
  });

  it("rests an order, refuses its client_order_id twice (409), and cancels it", async () => {
    const t = px.markets[0]!;
    const r = await client.createOrder(gtc(t, "rest-1", "bid", 500, "3.00"));
    assert.equal(r.kind, "ok");
    assert.equal(r.kind === "ok" && r.value.remainingCountHundredths, 300);
    const again = await client.createOrder(gtc(t, "rest-1", "bid", 500, "3.00"));
    assert.equal(again.kind, "conflict");
    const found = await client.findOrderByClientId(t, "rest-1");
    assert.equal(found?.status, "resting");
    assert.equal(found?.yesPriceTicks, 500);
    const c = await client.cancelOrder(found!.orderId, { marketTicker: t });
    assert.equal(c.kind === "ok" && c.value.reducedByHundredths, 300);
  });

  it("fills an aggressive order and the ledger agrees with the exchange on fee and cash", async () => {
    const t = px.markets[1]!;
    const events: LedgerEvent[] = [];
    const balance0 = (await client.getBalance()).balanceMicros;
    const ledger = new Ledger(balance0, { onEvent: (e) => events.push(e) });
    const ob = await client.getOrderbook(t);
    const top = { bestYesBidTicks: ob.yes.at(-1)?.[0] ?? 0, bestNoBidTicks: ob.no.at(-1)?.[0] ?? 0 };
    const market = (await client.getMarkets({ tickers: [t] })).items[0]!;
    assert.ok(market.priceGrid !== null, "the paper exchange sends price_ranges");
    const limit = limitPriceTicks("aggressive", "BUY_YES", top, market.priceGrid);
    assert.ok(limit > 0);
    const count = Math.min(300, ob.no.at(-1)![1]);
    assert.equal(
      ledger.place({
        clientOrderId: "agg-1",
        market: 1,
        action: "BUY_YES",
        ownLimitTicks: limit,
        countHundredths: count,
      }).ok,
      true,
    );
    const r = await client.createOrder(
      toV2CreateBody(t, "agg-1", "BUY_YES", limit, count, { timeInForce: "immediate_or_cancel" }),
    );
    assert.equal(r.kind, "ok");
    const fills = await client.collectAll((cursor) => client.getFills({ ticker: t, cursor }));
    assert.ok(fills.length > 0);
    for (const f of fills) {
      const report = fillReportOfRest(f, (ticker) => (ticker === t ? 1 : -1));
      const fill = report === null ? null : ledgerFillOf(report);
      assert.ok(fill !== null, "every REST fill maps to a ledger fill");
      ledger.applyFill(fill);
    }
    ledger.cancelRemainder("agg-1"); // IOC: whatever did not fill is gone
    assert.deepEqual(events, [], "our fee model matches every exchange fee_cost");
    const balance1 = (await client.getBalance()).balanceMicros;
    assert.equal(ledger.freeCashMicros, balance1);
    assert.equal(ledger.reservedCashMicros, 0);
    const pos = (await client.getPositions({ ticker: t })).items[0];
    assert.equal(ledger.position(1).contractsHundredths, pos?.positionHundredths);
    assert.equal(ledger.position(1).feesPaidMicros, pos?.feesPaidMicros);
  });

  it("reports outcome-unknown when the answer is lost, and the order is found by its client_order_id", async () => {
    const t = px.markets[2]!;
    await withRestFault(px, "reset_after_accept", "once", async () => {
      const r = await client.createOrder(gtc(t, "lost-1", "bid", 200, "1.00"));
      assert.equal(r.kind, "unknown");
      assert.equal(client.stats.unknownWrites, 1);
      const found = await client.findOrderByClientId(t, "lost-1");
      assert.equal(found?.clientOrderId, "lost-1");
      assert.equal(found?.status, "resting");
      assert.equal(await client.findOrderByClientId(t, "never-sent"), null);
      const c = await client.cancelOrder(found!.orderId, { marketTicker: t });
      assert.equal(c.kind, "ok");
    });
  });
  it("batch-creates with per-item errors, decreases, amends (new client id) and batch-cancels", async () => {
    const t = px.markets[3]!;
    const bc = await client.batchCreateOrders([
      gtc(t, "bt-1", "bid", 100, "5.00"),
      gtc(t, "bt-2", "bid", 150, "5.00"),
    ]);
    assert.equal(bc.kind, "ok");
    if (bc.kind !== "ok") return;
    const [first, offGrid] = bc.value;
    assert.equal(first?.error, null);
    assert.equal(first?.ack.remainingCountHundredths, 500);
    assert.equal(offGrid?.error?.code.length !== 0, true, "an off-grid item fails alone");
    const id = first!.ack.orderId;
    const dec = await client.decreaseOrder(id, { marketTicker: t }, { reduceByHundredths: 200 });
    assert.equal(dec.kind === "ok" && dec.value.remainingCountHundredths, 300);
    const am = await client.amendOrder(id, {
      ticker: t,
      side: "bid",
      price: "0.0300",
      count: "4.00",
      client_order_id: "bt-1",
      updated_client_order_id: "bt-1b",
    });
    assert.equal(am.kind === "ok" && am.value.clientOrderId, "bt-1b");
    const o = await client.getOrder(id);
    assert.equal(o?.yesPriceTicks, 300);
    assert.equal(o?.remainingCountHundredths, 400);
    const cancel = await client.batchCancelOrders([
      { orderId: id, route: { marketTicker: t } },
      { orderId: "no-such-order", route: { marketTicker: t } },
    ]);
    assert.equal(cancel.kind, "ok");
    if (cancel.kind !== "ok") return;
    assert.equal(cancel.value[0]?.ack.reducedByHundredths, 400);
    assert.equal(cancel.value[1]?.error?.code, "order_not_found");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import { EngineEventMapper } from "../../../src/orders/thread/engine-events.js";

function setup() {
  const catalog = new StaticMarketCatalog();
  catalog.add("KX-A");
  const ledger = new Ledger(100_000_000);
  return { ledger, mapper: new EngineEventMapper(ledger, catalog, () => 7) };
}

describe("order-manager events → engine events", () => {
  it("a decision carries its market, action, size, own-side price, book seq, batch and stamps", () => {
    const { mapper } = setup();
    const [d] = mapper.map({
      kind: "decision",
      market: 0,
      action: "SELL_NO",
      sizeHundredths: 500,
      ownLimitTicks: 380,
      bookSeq: 99,
      batchSize: 12,
      appliedCount: 321,
      frameRecvMs: 1_000.5,
      decidedMs: 1_001.25,
      skipped: "",
    });
    assert.deepEqual(d, {
      kind: "decision",
      seq: 0,
      tsUs: 7,
      market: "KX-A",
      action: "sell_no",
      sizeHundredths: 500,
      bookSeq: 99,
      recvTsUs: 1_000_500,
      decisionTsUs: 1_001_250,
      skippedReason: "",
      priceTicks: 380,
      batchSize: 12,
      appliedCount: 321,
    });
  });

  it("open orders are listed in event vocabulary: own-side price, count, filled so far", () => {
    const { ledger, mapper } = setup();
    ledger.place({
      clientOrderId: "c-1",
      market: 0,
      action: "BUY_NO",
      ownLimitTicks: 4100,
      countHundredths: 1000,
    });
    ledger.orders.linkExchangeId("c-1", "ex-1");
    ledger.place({
      clientOrderId: "c-2",
      market: 0,
      action: "BUY_YES",
      ownLimitTicks: 3000,
      countHundredths: 200,
    });
    ledger.applyFill({
      fillId: "f-1",
      market: 0,
      clientOrderId: "c-1",
      side: "ask",
      yesPriceTicks: 5900,
      sizeHundredths: 400,
      isTaker: false,
    });
    ledger.cancelRemainder("c-2");
    assert.deepEqual(mapper.openOrders(), [
      {
        clientOrderId: "c-1",
        orderId: "ex-1",
        market: "KX-A",
        side: "no",
        action: "buy",
        priceTicks: 4100,
        countHundredths: 1000,
        filledHundredths: 400,
      },
    ]);
  });

  it("an order the engine's own checks refused is an order event with status refused", () => {
    const { mapper } = setup();
    const [o] = mapper.map({
      kind: "order_refused",
      market: 0,
      reason: "max_contracts_per_market",
      action: "BUY_NO",
      ownLimitTicks: 410,
      countHundredths: 1000,
    });
    assert.equal(o?.kind, "order");
    assert.deepEqual(o && o.kind === "order" ? [o.status, o.side, o.action, o.priceTicks, o.reason] : [], [
      "refused",
      "no",
      "buy",
      410,
      "max_contracts_per_market",
    ]);
  });

  it("a fill names our order, its side, action, own-side price and fee", () => {
    const { ledger, mapper } = setup();
    assert.ok(
      ledger.place({
        clientOrderId: "c1",
        market: 0,
        action: "BUY_NO",
        ownLimitTicks: 4000,
        countHundredths: 500,
      }).ok,
    );
    const [fill, position] = mapper.map({
      kind: "fill_applied",
      market: 0,
      fillId: "t1",
      clientOrderId: "c1",
      exchangeOrderId: "o1",
      side: "ask",
      sizeHundredths: 500,
      yesPriceTicks: 6200,
      feeMicros: 80_000,
    });
    assert.deepEqual(fill, {
      kind: "fill",
      seq: 0,
      tsUs: 7,
      fillId: "t1",
      orderId: "o1",
      market: "KX-A",
      side: "no",
      action: "buy",
      priceTicks: 3800,
      countHundredths: 500,
      feeMicros: 80_000,
    });
    assert.equal(position?.kind, "position");
  });

  it("a fill of an order we do not know reads its book side as a buy", () => {
    const { mapper } = setup();
    const [fill] = mapper.map({
      kind: "fill_applied",
      market: 0,
      fillId: "t2",
      clientOrderId: "",
      exchangeOrderId: "x",
      side: "bid",
      sizeHundredths: 100,
      yesPriceTicks: 4500,
      feeMicros: 0,
    });
    assert.deepEqual(fill?.kind === "fill" ? [fill.side, fill.action, fill.priceTicks] : [], [
      "yes",
      "buy",
      4500,
    ]);
  });

  it("a transfer between shards is one transfer event, whatever its outcome", () => {
    const { mapper } = setup();
    const transfer = {
      id: "transfer-3",
      fromShard: 0,
      toShard: 1,
      amountMicros: 5_000_000,
      result: "unknown",
      detail: "timeout",
    } as const;
    assert.deepEqual(mapper.map({ kind: "transfer", ...transfer }), [
      { kind: "transfer", seq: 0, tsUs: 7, ...transfer },
    ]);
  });

  it("breaker trips and re-arms become breaker events", () => {
    const { mapper } = setup();
    assert.deepEqual(mapper.map({ kind: "breaker", tripped: true, reason: "reject_rate" }), [
      { kind: "breaker", seq: 0, tsUs: 7, name: "orders", state: "tripped", reason: "reject_rate" },
    ]);
    assert.equal(mapper.map({ kind: "breaker", tripped: false, reason: "reject_rate" })[0]?.kind, "breaker");
  });
});

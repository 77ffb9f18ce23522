import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FillMessage } from "../../src/kalshi/message-types.js";
import { parseServerMessage } from "../../src/kalshi/messages.js";
import { Ledger } from "../../src/orders/ledger.js";
import { StaticMarketCatalog } from "../../src/orders/market-catalog.js";
import { toLedgerFill } from "../../src/orders/worker-fills.js";

const catalog = new StaticMarketCatalog();
catalog.add("KX-A");

function fillFrame(msg: Record<string, unknown>): FillMessage {
  const m = parseServerMessage(JSON.stringify({ type: "fill", sid: 1, msg }));
  assert.equal(m.kind, "fill");
  return m as FillMessage;
}

const base = {
  trade_id: "t1",
  order_id: "o1",
  market_ticker: "KX-A",
  is_taker: true,
  yes_price_dollars: "0.7500",
  count_fp: "2.00",
  ts_ms: 1,
};

describe("WS fill → ledger fill (lessons.md rules 10, 13)", () => {
  it("keys by trade_id, keeps the YES-leg price and the exchange fee", () => {
    const f = toLedgerFill(
      fillFrame({ ...base, side: "yes", action: "buy", book_side: "bid", fee_cost: "0.0300" }),
      catalog,
      new Ledger(0),
    );
    assert.deepEqual(f, {
      fillId: "t1",
      market: 0,
      exchangeOrderId: "o1",
      side: "bid",
      yesPriceTicks: 750,
      sizeHundredths: 200,
      isTaker: true,
      exchangeFeeMicros: 30_000,
    });
  });

  it("takes the side from our own order when book_side is missing", () => {
    const l = new Ledger(100_000_000);
    l.place({ clientOrderId: "c1", market: 0, action: "BUY_NO", ownLimitTicks: 250, countHundredths: 200 });
    const f = toLedgerFill(
      fillFrame({ ...base, client_order_id: "c1", side: "no", action: "buy" }),
      catalog,
      l,
    );
    assert.equal(f?.side, "ask");
    assert.equal(f?.clientOrderId, "c1");
  });

  it("falls back to the side × action table, and ignores unknown markets", () => {
    const l = new Ledger(0);
    assert.equal(toLedgerFill(fillFrame({ ...base, side: "yes", action: "sell" }), catalog, l)?.side, "ask");
    assert.equal(toLedgerFill(fillFrame({ ...base, side: "no", action: "sell" }), catalog, l)?.side, "bid");
    assert.equal(
      toLedgerFill(fillFrame({ ...base, market_ticker: "KX-ZZ", side: "yes", action: "buy" }), catalog, l),
      null,
    );
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gridOfStructure, isKnownStructure, parsePriceRanges } from "../../../src/kalshi/price-grid.js";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

describe("paper REST (kalshi-api-notes.md)", () => {
  let ex: TestExchange;
  let t0: string;
  before(async () => {
    ex = await startTestExchange();
    t0 = ex.px.markets[0]!;
  });
  after(async () => ex.close());

  test("GET /exchange/status reports an active exchange", async () => {
    const r = await ex.call("GET", "/exchange/status");
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      exchange_active: true,
      trading_active: true,
      exchange_estimated_resume_time: null,
    });
  });

  test("GET /markets paginates until cursor is empty and carries price structure", async () => {
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const r = await ex.call("GET", `/markets?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(r.status, 200);
      for (const m of r.json.markets) {
        seen.push(m.ticker);
        assert.ok(isKnownStructure(m.price_level_structure), m.price_level_structure);
        assert.ok(Array.isArray(m.price_ranges) && m.price_ranges.length >= 1);
        // the grid the engine reads back from price_ranges is the structure's grid
        assert.equal(parsePriceRanges(m.price_ranges), gridOfStructure(m.price_level_structure));
        assert.match(m.market_id, /^[0-9a-f-]{36}$/);
      }
      cursor = r.json.cursor;
      if (cursor === "") break;
    }
    assert.equal(cursor, "");
    assert.deepEqual(seen, ex.px.markets);
  });

  test("GET /markets filters by status vocabulary and tickers; 'active' is refused", async () => {
    assert.equal((await ex.call("GET", "/markets?status=open")).json.markets.length, 6);
    assert.equal((await ex.call("GET", "/markets?status=active")).status, 400);
    const r = await ex.call("GET", `/markets?tickers=${ex.px.markets[1]},${ex.px.markets[2]}`);
    assert.deepEqual(
      r.json.markets.map((m: Json) => m.ticker),
      [ex.px.markets[1], ex.px.markets[2]],
    );
  });

  test("GET /markets/{ticker} returns one market; unknown is 404 with a nested error", async () => {
    const r = await ex.call("GET", `/markets/${t0}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.market.ticker, t0);
    assert.equal(r.json.market.price_ranges[0].step, "0.0100");
    const missing = await ex.call("GET", "/markets/NOPE-1");
    assert.equal(missing.status, 404);
    assert.equal(typeof missing.json.error.code, "string");
  });

  test("GET orderbook honours depth and lists bids ascending", async () => {
    const r = await ex.call("GET", `/markets/${t0}/orderbook?depth=2`);
    assert.equal(r.status, 200);
    const { yes_dollars: yes, no_dollars: no } = r.json.orderbook_fp;
    assert.ok(yes.length <= 2 && no.length <= 2 && yes.length > 0);
    for (const side of [yes, no]) {
      for (let i = 1; i < side.length; i++) assert.ok(Number(side[i - 1][0]) < Number(side[i][0]));
    }
  });

  test("GET /portfolio/balance: integer cents, dollars string, portfolio value", async () => {
    const r = await ex.call("GET", "/portfolio/balance");
    assert.equal(r.status, 200);
    // $10,000 deposited on shard 0, and the test helper's $10,000 on each of shards 1 and 2.
    assert.equal(r.json.balance, 3_000_000);
    assert.equal(r.json.balance_dollars, "30000.0000");
    assert.equal(r.json.portfolio_value, 0);
    assert.deepEqual(r.json.balance_breakdown, [
      { exchange_index: 0, balance: "10000.0000" },
      { exchange_index: 1, balance: "10000.0000" },
      { exchange_index: 2, balance: "10000.0000" },
    ]);
  });

  test("create is 201; a reused client_order_id is 409 and does not place a second order", async () => {
    const body = orderBody(t0, { client_order_id: "dup-1", price: "0.0300", count: "2.00" });
    const a = await ex.call("POST", "/portfolio/events/orders", body);
    assert.equal(a.status, 201);
    assert.equal(a.json.client_order_id, "dup-1");
    assert.equal(a.json.remaining_count, "2.00");
    assert.equal(a.json.fill_count, "0.00");
    const b = await ex.call("POST", "/portfolio/events/orders", body);
    assert.equal(b.status, 409);
    assert.equal(b.json.error.code, "order_already_exists");
    const list = await ex.call("GET", `/portfolio/orders?ticker=${t0}&status=resting`);
    assert.equal(list.json.orders.filter((o: Json) => o.client_order_id === "dup-1").length, 1);
    const one = await ex.call("GET", `/portfolio/orders/${a.json.order_id}`);
    assert.equal(one.json.order.status, "resting");
    assert.equal(one.json.order.yes_price_dollars, "0.0300");
  });

  test("validation errors are 400 with Kalshi-style bodies", async () => {
    const offGrid = await ex.call("POST", "/portfolio/events/orders", orderBody(t0, { price: "0.0350" }));
    assert.equal(offGrid.status, 400);
    assert.equal(typeof offGrid.json.error.code, "string");
    const badSide = await ex.call("POST", "/portfolio/events/orders", orderBody(t0, { side: "yes" }));
    assert.equal(badSide.status, 400);
    const notJson = await ex.call("POST", "/portfolio/events/orders", "{not json");
    assert.equal(notJson.status, 400);
    const tooBig = await ex.call("POST", "/portfolio/events/orders", { pad: "x".repeat(70 * 1024) });
    assert.equal(tooBig.status, 413);
    const noRoute = await ex.call("GET", "/portfolio/nothing");
    assert.equal(noRoute.status, 404);
  });

  test("V1 write paths answer 'Please switch to the V2 endpoints'", async () => {
    for (const [method, path] of [
      ["POST", "/portfolio/orders"],
      ["DELETE", "/portfolio/orders/abc"],
      ["POST", "/portfolio/orders/batched"],
    ] as const) {
      const r = await ex.call(method, path, {});
      assert.equal(r.status, 400, `${method} ${path}`);
      assert.match(r.json.error.message, /Please switch to the V2 endpoints/);
    }
  });

  test("GET /portfolio/orders pages by cursor without repeats until cursor is empty", async () => {
    const t = ex.px.markets[3]!;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await ex.call("POST", "/portfolio/events/orders", orderBody(t, { price: "0.0200" }));
      assert.equal(r.status, 201);
      ids.add(r.json.order_id);
    }
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const r = await ex.call(
        "GET",
        `/portfolio/orders?ticker=${t}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      assert.ok(r.json.orders.length <= 2);
      seen.push(...r.json.orders.map((o: Json) => o.order_id));
      cursor = r.json.cursor;
      if (cursor === "") break;
    }
    assert.equal(cursor, "");
    assert.equal(seen.length, 5);
    assert.deepEqual(new Set(seen), ids);
  });

  test("amend, decrease and cancel answer their V2 shapes", async () => {
    const t = ex.px.markets[0]!;
    const c = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(t, { price: "0.0400", count: "10.00" }),
    );
    const id = c.json.order_id;
    const base = `/portfolio/events/orders/${id}`;
    const amend = await ex.call("POST", `${base}/amend`, {
      ticker: t,
      side: "bid",
      price: "0.0500",
      count: "8.00",
    });
    assert.equal(amend.status, 200);
    assert.equal(amend.json.order_id, id);
    const dec = await ex.call("POST", `${base}/decrease`, { reduce_by: "3.00" });
    assert.equal(dec.status, 200);
    assert.equal(dec.json.remaining_count, "5.00");
    assert.equal(
      (await ex.call("POST", `${base}/decrease`, { reduce_by: "1.00", reduce_to: "1.00" })).status,
      400,
    );
    const cancel = await ex.call("DELETE", base);
    assert.equal(cancel.status, 200);
    assert.equal(cancel.json.reduced_by, "5.00");
    const gone = await ex.call("DELETE", "/portfolio/events/orders/00000000-0000-0000-0000-000000000000");
    assert.equal(gone.status, 404);
  });

  test("batch create reports per-item errors; batch cancel cancels each", async () => {
    const t = ex.px.markets[4]!;
    const r = await ex.call("POST", "/portfolio/events/orders/batched", {
      orders: [
        orderBody(t, { price: "0.0200" }),
        orderBody(t, { price: "2.00" }),
        orderBody(t, { price: "0.0300" }),
      ],
    });
    assert.equal(r.status, 201);
    assert.equal(r.json.orders.length, 3);
    assert.ok(r.json.orders[0].order_id);
    assert.ok(r.json.orders[1].error);
    const ids = [r.json.orders[0].order_id, r.json.orders[2].order_id];
    const del = await ex.call("DELETE", "/portfolio/events/orders/batched", {
      orders: ids.map((order_id) => ({ order_id, market_ticker: t })),
    });
    assert.equal(del.status, 200);
    assert.deepEqual(
      del.json.orders.map((o: Json) => o.reduced_by),
      ["1.00", "1.00"],
    );
  });

  test("a crossing IOC fills: fills carry unique ids, positions and balance move", async () => {
    const t = ex.px.markets[1]!;
    const m = await ex.call("GET", `/markets/${t}`);
    const ask = m.json.market.yes_ask_dollars;
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(t, { price: ask, count: "1.00", time_in_force: "immediate_or_cancel" }),
    );
    assert.equal(r.status, 201);
    assert.equal(r.json.fill_count, "1.00");
    assert.equal(typeof r.json.average_fill_price, "string");
    const fills = await ex.call("GET", `/portfolio/fills?ticker=${t}`);
    assert.equal(fills.json.cursor, "");
    assert.equal(fills.json.fills.length, 1);
    const f = fills.json.fills[0];
    assert.ok(f.fill_id && f.trade_id && f.fill_id !== f.trade_id);
    assert.equal(f.count_fp, "1.00");
    assert.match(f.fee_cost, /^\d+\.\d{4}/);
    const pos = await ex.call("GET", `/portfolio/positions?ticker=${t}`);
    assert.equal(pos.json.market_positions[0].position_fp, "1.00");
    assert.equal(pos.json.cursor, "");
    const bal = await ex.call("GET", "/portfolio/balance");
    assert.ok(bal.json.balance < 3_000_000);
    const shard = m.json.market.exchange_index;
    assert.ok(Number(bal.json.balance_breakdown[shard].balance) < 10_000);
  });

  test("order groups: create, read, trigger, reset, delete", async () => {
    const c = await ex.call("POST", "/portfolio/order_groups/create", { contracts_limit: 10 });
    assert.equal(c.status, 201);
    const id = c.json.order_group_id;
    const g = await ex.call("GET", `/portfolio/order_groups/${id}`);
    assert.equal(g.status, 200);
    // Kalshi's REST group object has no is_triggered (triggers come on order_group_updates).
    assert.equal("is_triggered" in g.json, false);
    assert.equal(g.json.exchange_index, 0);
    assert.equal((await ex.call("PUT", `/portfolio/order_groups/${id}/trigger`, {})).status, 200);
    const core = ex.px.core.getOrderGroup(ex.px.keyId, id);
    assert.ok(core.ok && core.value.isTriggered);
    assert.equal((await ex.call("PUT", `/portfolio/order_groups/${id}/reset`, {})).status, 200);
    assert.equal(
      (await ex.call("PUT", `/portfolio/order_groups/${id}/limit`, { contracts_limit: 5 })).status,
      200,
    );
    const list = await ex.call("GET", "/portfolio/order_groups");
    assert.ok(list.json.order_groups.some((x: Json) => x.order_group_id === id));
    assert.equal((await ex.call("DELETE", `/portfolio/order_groups/${id}`)).status, 200);
    assert.equal((await ex.call("GET", `/portfolio/order_groups/${id}`)).status, 404);
  });

  test("GET /markets/orderbooks returns one book per ticker", async () => {
    const r = await ex.call("GET", `/markets/orderbooks?tickers=${ex.px.markets[0]},${ex.px.markets[1]}`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.orderbooks.map((b: Json) => b.ticker),
      [ex.px.markets[0], ex.px.markets[1]],
    );
    assert.ok(Array.isArray(r.json.orderbooks[0].orderbook_fp.yes_dollars));
  });

  test("settlement pays out and shows in GET /portfolio/settlements and the market", async () => {
    const t = ex.px.markets[5]!;
    const m = await ex.call("GET", `/markets/${t}`);
    const ask = m.json.market.yes_ask_dollars;
    const buy = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(t, { price: ask, count: "1.00", time_in_force: "immediate_or_cancel" }),
    );
    assert.equal(buy.json.fill_count, "1.00");
    assert.ok(ex.px.core.settleMarket(t, "yes").ok);
    const s = await ex.call("GET", "/portfolio/settlements");
    assert.equal(s.status, 200);
    const mine = s.json.settlements.find((x: Json) => x.ticker === t);
    assert.equal(mine.market_result, "yes");
    assert.equal(mine.revenue, 100);
    assert.equal(s.json.cursor, "");
    assert.equal((await ex.call("GET", `/markets/${t}`)).json.market.result, "yes");
  });

  test("GET /account/limits reports the configured tier's buckets", async () => {
    const r = await ex.call("GET", "/account/limits");
    assert.equal(r.status, 200);
    assert.ok(r.json.read.refill_rate > 0 && r.json.write.bucket_capacity > 0);
  });
});

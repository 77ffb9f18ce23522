/**
 * Exchange sharding over real sockets: markets on shards 0..2, per-shard collateral with
 * `balance_breakdown`, intra-exchange transfers, and Kalshi's routing — a cancel, decrease or
 * batch-cancel item without `market_ticker`/`exchange_index` goes to shard 0, where an order of
 * another shard is unknown (answered exactly like an unknown order id).
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { SigningKey } from "../../../src/kalshi/auth-signer.js";
import { type Json, keyOf, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

describe("paper exchange shards", () => {
  let ex: TestExchange;
  let fresh: SigningKey;
  const onShard: string[] = [];
  const call = (method: string, path: string, body?: unknown) => ex.call(method, path, body, fresh);

  before(async () => {
    ex = await startTestExchange({ markets: 6 });
    // A second account with only the default deposit ($100 on shard 0), as a new user has.
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    fresh = keyOf(ex.px.addKey(publicKey, undefined, 100_000_000), privateKey);
    const r = await call("GET", "/markets?limit=100");
    for (const m of r.json.markets as Json[]) onShard[m.exchange_index] ??= m.ticker;
  });
  after(async () => ex.close());

  test("markets and their events spread over shards 0, 1 and 2", async () => {
    const r = await call("GET", "/markets?limit=100");
    const byEvent = new Map<string, Set<number>>();
    for (const m of r.json.markets as Json[]) {
      assert.ok(Number.isInteger(m.exchange_index));
      const s = byEvent.get(m.event_ticker) ?? new Set<number>();
      s.add(m.exchange_index);
      byEvent.set(m.event_ticker, s);
    }
    assert.deepEqual(
      onShard.map((t) => typeof t),
      ["string", "string", "string"],
    );
    for (const shards of byEvent.values()) assert.equal(shards.size, 1, "an event lives on one shard");
  });

  test("deposits land on shard 0; an order on shard 1 needs shard-1 cash; a transfer moves it at once", async () => {
    const b0 = await call("GET", "/portfolio/balance");
    assert.deepEqual(
      b0.json.balance_breakdown.map((e: Json) => [e.exchange_index, e.balance]),
      [
        [0, "100.0000"],
        [1, "0.0000"],
        [2, "0.0000"],
      ],
    );
    const refused = await call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0100" }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, "insufficient_balance");

    // $5 = 50,000 centi-cents.
    const t = await call("POST", "/portfolio/intra_exchange_instance_transfer", {
      source_exchange_shard: 0,
      destination_exchange_shard: 1,
      amount: 50_000,
    });
    assert.equal(t.status, 200);
    assert.equal(typeof t.json.transfer_id, "string");
    const b1 = await call("GET", "/portfolio/balance");
    assert.equal(b1.json.balance_breakdown[0].balance, "95.0000");
    assert.equal(b1.json.balance_breakdown[1].balance, "5.0000");
    assert.equal(b1.json.balance_dollars, "100.0000");
    const ok = await call("POST", "/portfolio/events/orders", orderBody(onShard[1]!, { price: "0.0100" }));
    assert.equal(ok.status, 201);
    const o = await call("GET", `/portfolio/orders/${ok.json.order_id}`);
    assert.equal(o.json.order.exchange_index, 1);
  });

  test("transfers refuse a short source, the same shard, a shard that does not exist", async () => {
    const short = await call("POST", "/portfolio/intra_exchange_instance_transfer", {
      source_exchange_shard: 2,
      destination_exchange_shard: 0,
      amount: 1,
    });
    assert.equal(short.status, 400);
    assert.equal(short.json.error.code, "insufficient_balance");
    for (const [s, d] of [
      [0, 0],
      [0, 7],
    ]) {
      const r = await call("POST", "/portfolio/intra_exchange_instance_transfer", {
        source_exchange_shard: s,
        destination_exchange_shard: d,
        amount: 100,
      });
      assert.equal(r.status, 400);
    }
  });

  test("a cancel without market_ticker/exchange_index goes to shard 0: a shard-1 order is unknown there", async () => {
    const place = async () => {
      const r = await ex.call(
        "POST",
        "/portfolio/events/orders",
        orderBody(onShard[1]!, { price: "0.0200" }),
      );
      assert.equal(r.status, 201);
      return r.json.order_id as string;
    };
    const id = await place();
    const unrouted = await ex.call("DELETE", `/portfolio/events/orders/${id}`);
    const unknown = await ex.call("DELETE", "/portfolio/events/orders/00000000-0000-4000-8000-00000000dead");
    assert.equal(unrouted.status, 404);
    assert.deepEqual(
      { status: unrouted.status, code: unrouted.json.error.code },
      { status: unknown.status, code: unknown.json.error.code },
    );
    // It keeps resting.
    assert.equal((await ex.call("GET", `/portfolio/orders/${id}`)).json.order.status, "resting");
    const byTicker = await ex.call("DELETE", `/portfolio/events/orders/${id}?market_ticker=${onShard[1]}`);
    assert.equal(byTicker.status, 200);
    assert.equal(byTicker.json.reduced_by, "1.00");

    const id2 = await place();
    assert.equal((await ex.call("DELETE", `/portfolio/events/orders/${id2}?exchange_index=0`)).status, 404);
    assert.equal((await ex.call("DELETE", `/portfolio/events/orders/${id2}?exchange_index=1`)).status, 200);
    assert.equal((await ex.call("GET", `/portfolio/orders/${id2}`)).json.order.status, "canceled");
  });

  test("decrease routes the same way", async () => {
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[2]!, { price: "0.0200", count: "5.00" }),
    );
    const id = r.json.order_id as string;
    const unrouted = await ex.call("POST", `/portfolio/events/orders/${id}/decrease`, { reduce_by: "1.00" });
    assert.equal(unrouted.status, 404);
    const routed = await ex.call("POST", `/portfolio/events/orders/${id}/decrease`, {
      reduce_by: "1.00",
      market_ticker: onShard[2],
    });
    assert.equal(routed.status, 200);
    assert.equal(routed.json.remaining_count, "4.00");
    const viaIndex = await ex.call("POST", `/portfolio/events/orders/${id}/decrease`, {
      reduce_to: "0.00",
      exchange_index: 2,
    });
    assert.equal(viaIndex.status, 200);
  });

  test("batch cancel routes item by item: an item without market_ticker misses a shard-2 order", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await ex.call(
        "POST",
        "/portfolio/events/orders",
        orderBody(onShard[2]!, { price: "0.0300" }),
      );
      ids.push(r.json.order_id);
    }
    const del = await ex.call("DELETE", "/portfolio/events/orders/batched", {
      orders: [{ order_id: ids[0] }, { order_id: ids[1], market_ticker: onShard[2] }],
    });
    assert.equal(del.status, 200);
    assert.equal(del.json.orders[0].error.code, "order_not_found");
    assert.equal(del.json.orders[1].reduced_by, "1.00");
    assert.equal((await ex.call("GET", `/portfolio/orders/${ids[0]}`)).json.order.status, "resting");
  });

  test("order groups are per shard: a shard-0 group cannot hold a shard-1 order", async () => {
    const g0 = await ex.call("POST", "/portfolio/order_groups/create", { contracts_limit: 10 });
    const g1 = await ex.call("POST", "/portfolio/order_groups/create", {
      contracts_limit: 10,
      exchange_index: 1,
    });
    assert.equal(g0.status, 201);
    assert.equal(g1.status, 201);
    const wrong = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0100", order_group_id: g0.json.order_group_id }),
    );
    assert.equal(wrong.status, 404);
    const right = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0100", order_group_id: g1.json.order_group_id }),
    );
    assert.equal(right.status, 201);
    const g = await ex.call("GET", `/portfolio/order_groups/${g1.json.order_group_id}`);
    assert.equal(g.json.exchange_index, 1);
  });

  test("fills carry the market's exchange_index and are paid from that shard", async () => {
    const t = onShard[2]!;
    const m = await ex.call("GET", `/markets/${t}`);
    const before = await ex.call("GET", "/portfolio/balance");
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(t, { price: m.json.market.yes_ask_dollars, time_in_force: "immediate_or_cancel" }),
    );
    assert.equal(r.json.fill_count, "1.00");
    const fills = await ex.call("GET", `/portfolio/fills?ticker=${t}`);
    assert.equal(fills.json.fills[0].exchange_index, 2);
    const afterBal = await ex.call("GET", "/portfolio/balance");
    assert.equal(afterBal.json.balance_breakdown[0].balance, before.json.balance_breakdown[0].balance);
    assert.equal(afterBal.json.balance_breakdown[1].balance, before.json.balance_breakdown[1].balance);
    assert.ok(
      Number(afterBal.json.balance_breakdown[2].balance) < Number(before.json.balance_breakdown[2].balance),
    );
  });
});

describe("paper exchange combos and mve_filter", () => {
  test("combo markets live on shard 1; mve_filter=exclude leaves them out, only keeps just them", async () => {
    const ex = await startTestExchange({ markets: 20 });
    try {
      const all = (await ex.call("GET", "/markets?limit=100")).json.markets as Json[];
      const combos = all.filter((m) => m.mve_collection_ticker !== undefined);
      assert.equal(combos.length, 2);
      for (const m of combos) assert.equal(m.exchange_index, 1);
      const excl = (await ex.call("GET", "/markets?limit=100&mve_filter=exclude")).json.markets as Json[];
      assert.equal(excl.length, 18);
      assert.ok(excl.every((m) => m.mve_collection_ticker === undefined));
      const only = (await ex.call("GET", "/markets?limit=100&mve_filter=only")).json.markets as Json[];
      assert.deepEqual(
        only.map((m) => m.ticker),
        combos.map((m) => m.ticker),
      );
      assert.equal((await ex.call("GET", "/markets?mve_filter=bogus")).status, 400);
    } finally {
      await ex.close();
    }
  });
});

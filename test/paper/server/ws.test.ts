import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CreateOrderRequest } from "../../../src/paper/exchange/index.js";
import { type Json, orderBody, startTestExchange, type TestExchange, type WsClient } from "./helpers.js";

interface Frame {
  id?: number;
  type: string;
  sid?: number;
  seq?: number;
  msg?: Json;
}

const OTHER = "other-user";

function otherOrder(
  ticker: string,
  side: "bid" | "ask",
  yesPriceTicks: number,
  coid: string,
): CreateOrderRequest {
  return {
    ticker,
    clientOrderId: coid,
    side,
    yesPriceTicks,
    countHundredths: 300,
    timeInForce: "good_till_canceled",
    selfTradePrevention: "taker_at_cross",
  };
}

describe("paper WebSocket (kalshi-api-notes.md)", () => {
  let ex: TestExchange;
  let m: string[];
  let coid = 0;
  before(async () => {
    ex = await startTestExchange();
    m = ex.px.markets;
    ex.px.core.openAccount(OTHER, 1_000_000 * 1_000_000);
    for (let k = 1; k < ex.px.core.shardCount(); k++) ex.px.core.deposit(OTHER, 1_000_000 * 1_000_000, k);
  });
  after(async () => ex.close());

  const place = (ticker: string, side: "bid" | "ask", yesPriceTicks: number): void => {
    const r = ex.px.core.createOrder(OTHER, otherOrder(ticker, side, yesPriceTicks, `o-${coid++}`));
    assert.ok(r.ok);
  };

  async function subscribed(c: WsClient, id: number, params: Record<string, unknown>): Promise<Frame[]> {
    c.send({ id, cmd: "subscribe", params });
    const channels = (params.channels as string[]).length;
    return c.waitFor((f: Frame) => f.id === id && f.type === "subscribed", channels);
  }

  test("one subscribed reply per channel, same id, distinct sids", async () => {
    const c = await ex.openWs();
    const replies = await subscribed(c, 7, { channels: ["ticker", "trade", "fill"] });
    assert.deepEqual(
      replies.map((r) => r.msg.channel),
      ["ticker", "trade", "fill"],
    );
    assert.equal(new Set(replies.map((r) => r.msg.sid)).size, 3);
    c.send({ id: 8, cmd: "list_subscriptions" });
    const [list] = await c.waitFor((f: Frame) => f.id === 8);
    assert.equal(list.type, "ok");
    assert.equal(list.msg.length, 3);
  });

  test("seq is per sid, from 1, shared by snapshots and deltas across markets", async () => {
    const c = await ex.openWs();
    const [sub] = await subscribed(c, 1, {
      channels: ["orderbook_delta"],
      market_tickers: [m[0], m[1], m[2]],
    });
    const sid = sub!.msg.sid;
    const snaps = await c.waitFor((f: Frame) => f.type === "orderbook_snapshot", 3);
    assert.deepEqual(
      snaps.map((s) => s.seq),
      [1, 2, 3],
    );
    place(m[2]!, "bid", 200);
    place(m[0]!, "bid", 200);
    place(m[5]!, "bid", 200); // not subscribed: no frame, no seq
    place(m[1]!, "ask", 9800);
    const deltas = await c.waitFor((f: Frame) => f.type === "orderbook_delta", 3);
    assert.deepEqual(
      deltas.map((d) => [d.sid, d.seq, d.msg.market_ticker]),
      [
        [sid, 4, m[2]],
        [sid, 5, m[0]],
        [sid, 6, m[1]],
      ],
    );
    assert.equal(deltas[0].msg.price_dollars, "0.0200");
    assert.equal(deltas[0].msg.delta_fp, "3.00");
    assert.equal(deltas[0].msg.side, "yes");
    assert.equal(typeof deltas[0].msg.ts_ms, "number");
    // An ask at YES 0.98 is a NO bid at 0.02 on the NO scale by default.
    assert.equal(deltas[2].msg.side, "no");
    assert.equal(deltas[2].msg.price_dollars, "0.0200");
    assert.equal(deltas[2].msg.client_order_id, undefined);
  });

  test("use_yes_price reports NO levels on the YES scale", async () => {
    const c = await ex.openWs();
    await subscribed(c, 1, { channels: ["orderbook_delta"], market_tickers: [m[3]], use_yes_price: true });
    const [snap] = await c.waitFor((f: Frame) => f.type === "orderbook_snapshot");
    const plain = ex.px.core.orderbook(m[3]!, 0);
    assert.ok(plain.ok);
    const noYesScale = plain.value.no.map(([p]) => (10_000 - p) / 10_000);
    assert.deepEqual(
      snap.msg.no_dollars_fp.map((l: string[]) => Number(l[0])),
      noYesScale,
    );
    place(m[3]!, "ask", 9700);
    const [d] = await c.waitFor((f: Frame) => f.type === "orderbook_delta");
    assert.equal(d.msg.side, "no");
    assert.equal(d.msg.price_dollars, "0.9700");
  });

  test("deltas caused by the subscriber's own order carry its client_order_id", async () => {
    const c = await ex.openWs();
    await subscribed(c, 1, { channels: ["orderbook_delta"], market_tickers: [m[4]] });
    await c.waitFor((f: Frame) => f.type === "orderbook_snapshot");
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(m[4]!, { client_order_id: "mine-1", price: "0.0200" }),
    );
    assert.equal(r.status, 201);
    const [d] = await c.waitFor((f: Frame) => f.type === "orderbook_delta");
    assert.equal(d.msg.client_order_id, "mine-1");
  });

  test("get_snapshot, add_markets, delete_markets and unsubscribe", async () => {
    const c = await ex.openWs();
    const [sub] = await subscribed(c, 1, { channels: ["orderbook_delta"], market_tickers: [m[0]] });
    const sid = sub!.msg.sid;
    await c.waitFor((f: Frame) => f.type === "orderbook_snapshot");
    c.send({
      id: 2,
      cmd: "update_subscription",
      params: { sid, action: "get_snapshot", market_tickers: [m[0]] },
    });
    const [ok] = await c.waitFor((f: Frame) => f.id === 2);
    assert.deepEqual([ok.type, ok.sid, ok.seq], ["ok", sid, 1]);
    const snaps = await c.waitFor((f: Frame) => f.type === "orderbook_snapshot", 2);
    assert.equal(snaps[1].seq, 2);

    c.send({
      id: 3,
      cmd: "update_subscription",
      params: { sids: [sid], action: "add_markets", market_tickers: [m[1]] },
    });
    const [added] = await c.waitFor((f: Frame) => f.id === 3);
    assert.deepEqual(added.msg.market_tickers, [m[0], m[1]]);
    const [snap3] = await c.waitFor(
      (f: Frame) => f.type === "orderbook_snapshot" && f.msg.market_ticker === m[1],
    );
    assert.equal(snap3.seq, 3);

    c.send({
      id: 4,
      cmd: "update_subscription",
      params: { sid, action: "delete_markets", market_tickers: [m[0]] },
    });
    await c.waitFor((f: Frame) => f.id === 4);
    place(m[0]!, "bid", 300);
    place(m[1]!, "bid", 300);
    const [d] = await c.waitFor((f: Frame) => f.type === "orderbook_delta");
    assert.deepEqual([d.msg.market_ticker, d.seq], [m[1], 4]);

    c.send({ id: 5, cmd: "unsubscribe", params: { sids: [sid] } });
    const [un] = await c.waitFor((f: Frame) => f.id === 5);
    assert.deepEqual([un.type, un.sid, un.seq], ["unsubscribed", sid, 4]);
  });

  test("command errors use Kalshi's codes", async () => {
    const c = await ex.openWs();
    await subscribed(c, 1, { channels: ["trade"] });
    const cases: Array<[unknown, number]> = [
      [
        {
          id: 10,
          cmd: "update_subscription",
          params: { sids: [1, 2], action: "add_markets", market_tickers: [m[0]] },
        },
        12,
      ],
      [
        {
          id: 11,
          cmd: "update_subscription",
          action: "add_markets",
          params: { sid: 1, market_tickers: [m[0]] },
        },
        15,
      ],
      [{ id: 12, cmd: "subscribe", params: { channels: ["nope"] } }, 8],
      [{ id: 13, cmd: "subscribe", params: { channels: ["orderbook_delta"] } }, 14],
      [{ id: 14, cmd: "subscribe", params: { channels: ["trade"], market_tickers: ["NOPE-1"] } }, 16],
      [{ id: 15, cmd: "frobnicate", params: {} }, 5],
      [{ id: 16, cmd: "unsubscribe", params: { sids: [99] } }, 7],
      [{ id: 17, cmd: "subscribe" }, 2],
      [{ id: 18, cmd: "subscribe", params: {} }, 3],
      [
        { id: 19, cmd: "update_subscription", params: { sid: 1, action: "explode", market_tickers: [m[0]] } },
        13,
      ],
    ];
    for (const [cmd, code] of cases) {
      c.send(cmd);
      const id = (cmd as { id: number }).id;
      const [e] = await c.waitFor((f: Frame) => f.id === id);
      assert.equal(e.type, "error", JSON.stringify(cmd));
      assert.equal(e.msg.code, code, JSON.stringify(cmd));
    }
    c.ws.send("{garbage");
    const [g] = await c.waitFor((f: Frame) => f.type === "error" && f.msg.code === 1);
    assert.equal(g.msg.msg, "Unable to process message");
  });

  test("fill, user_orders, market_positions and trade channels report an execution", async () => {
    const c = await ex.openWs();
    await subscribed(c, 1, { channels: ["fill", "user_orders", "market_positions", "trade", "ticker"] });
    // Join the best ask (or open one) so a 2-contract IOC at that price fills at it.
    const view = ex.px.core.market(m[5]!);
    assert.ok(view.ok);
    const askTicks = view.value.yesAskTicks || 6000;
    const price = (askTicks / 10_000).toFixed(4);
    place(m[5]!, "ask", askTicks);
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(m[5]!, {
        client_order_id: "take-1",
        price,
        count: "2.00",
        time_in_force: "immediate_or_cancel",
      }),
    );
    assert.equal(r.json.fill_count, "2.00");
    const [fill] = await c.waitFor((f: Frame) => f.type === "fill");
    assert.equal(fill.msg.client_order_id, "take-1");
    assert.equal(fill.msg.yes_price_dollars, price);
    assert.equal(fill.msg.count_fp, "2.00");
    assert.equal(fill.msg.post_position_fp, "2.00");
    assert.match(fill.msg.fee_cost, /^0\.\d{4}/);
    const [uo] = await c.waitFor((f: Frame) => f.type === "user_order" && f.msg.client_order_id === "take-1");
    assert.equal(uo.msg.fill_count_fp, "2.00");
    const [mp] = await c.waitFor((f: Frame) => f.type === "market_position");
    assert.equal(mp.msg.position_fp, "2.00");
    const [trade] = await c.waitFor((f: Frame) => f.type === "trade");
    assert.deepEqual([trade.seq, trade.msg.taker_book_side, trade.msg.count_fp], [1, "bid", "2.00"]);
    // Ticker frames are conflated per flush; the one after the trade shows its price.
    const [ticker] = await c.waitFor(
      (f: Frame) => f.type === "ticker" && f.msg.market_ticker === m[5] && f.msg.price_dollars !== "",
    );
    assert.equal(ticker.msg.price_dollars, price);
  });
});

describe("paper WebSocket market lifecycle", () => {
  test("status changes and settlement reach market_lifecycle_v2 with seq", async () => {
    const ex = await startTestExchange();
    try {
      const t = ex.px.markets[2]!;
      const c = await ex.openWs();
      c.send({ id: 1, cmd: "subscribe", params: { channels: ["market_lifecycle_v2"] } });
      await c.waitFor((f: Frame) => f.type === "subscribed");
      assert.ok(ex.px.core.setMarketStatus(t, "inactive").ok);
      // Closing at close_time has no lifecycle event (docs getting_started/market_lifecycle).
      assert.ok(ex.px.core.setMarketStatus(t, "closed").ok);
      assert.ok(ex.px.core.settleMarket(t, "no").ok);
      const frames = await c.waitFor((f: Frame) => f.type === "market_lifecycle_v2", 2);
      assert.deepEqual(
        frames.map((f) => [f.seq, f.msg.market_ticker, f.msg.event_type]),
        [
          [1, t, "deactivated"],
          [2, t, frames[1].msg.event_type],
        ],
      );
      assert.equal(frames[1].msg.event_type, "settled");
      assert.equal(frames[1].msg.result, "no");
    } finally {
      await ex.close();
    }
  });
});

describe("paper WebSocket legacy wire and heartbeat", () => {
  let ex: TestExchange;
  before(async () => {
    ex = await startTestExchange({ legacyWire: true, pingMs: 50 });
    ex.px.core.openAccount(OTHER, 1_000_000 * 1_000_000);
  });
  after(async () => ex.close());

  test("legacy wire: yes/no cent levels, integer price and delta", async () => {
    const t = ex.px.markets[0]!;
    const c = await ex.openWs();
    c.send({ id: 1, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_tickers: [t] } });
    const [snap] = await c.waitFor((f: Frame) => f.type === "orderbook_snapshot");
    assert.ok(Array.isArray(snap.msg.yes) && Array.isArray(snap.msg.no));
    assert.equal(snap.msg.yes_dollars_fp, undefined);
    for (const [p, q] of snap.msg.yes) assert.ok(Number.isInteger(p) && typeof q === "number");
    assert.ok(ex.px.core.createOrder(OTHER, otherOrder(t, "bid", 200, "legacy-1")).ok);
    const [d] = await c.waitFor((f: Frame) => f.type === "orderbook_delta");
    assert.deepEqual([d.msg.price, d.msg.delta, d.msg.side], [2, 3, "yes"]);
    assert.equal(d.msg.price_dollars, undefined);
  });

  test("the server pings with payload 'heartbeat'", async () => {
    const c = await ex.openWs();
    const payload = await new Promise<string>((resolve) =>
      c.ws.once("ping", (data) => resolve(String(data))),
    );
    assert.equal(payload, "heartbeat");
  });
});

describe("paper WebSocket backpressure", () => {
  test("a subscriber that stops reading gets error 25 and is closed, memory stays bounded", async () => {
    const ex = await startTestExchange({ markets: 50, maxWsBufferedBytes: 256 * 1024 });
    try {
      const c = await ex.openWs();
      c.send({
        id: 1,
        cmd: "subscribe",
        params: { channels: ["orderbook_delta"], market_tickers: ex.px.markets },
      });
      await c.waitFor((f: Frame) => f.type === "orderbook_snapshot", 50);
      // Stop reading: the kernel buffers fill, then uWS buffers, then the hub cuts the reader off.
      const raw = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      // Small steps keep each flush well under uWS's own hard cap (4× the hub's), so the error
      // frame and the close frame are still queued behind the data when the reader resumes.
      for (let i = 0; i < 2000 && ex.px.hub.stats.overflows === 0; i++) {
        ex.px.simulator.step(200);
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(ex.px.hub.stats.overflows, 1);
      assert.equal(ex.px.hub.connectionCount, 0);
      raw.resume();
      const code = await c.waitClose();
      assert.equal(code, 1008);
      const last = c.frames.at(-1) as Frame;
      assert.deepEqual([last.type, last.msg.code], ["error", 25]);
    } finally {
      await ex.close();
    }
  });
});

/**
 * order_group_updates and the fill channel's `action` over real sockets. Groups: created →
 * triggered (by a fill reaching the limit) → reset → limit_updated → deleted, with the channel's
 * own seq. Fills: opening is `buy`, closing the whole opposite position `sell_to_close`, part of
 * it `sell_partial`, through it `sell`; every 7th fill reports "".
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

describe("paper private channels: order_group_updates and fill actions", () => {
  let ex: TestExchange;
  before(async () => {
    ex = await startTestExchange({ markets: 6 });
  });
  after(async () => ex.close());

  const takeAsk = async (ticker: string, count: string, extra: Record<string, unknown> = {}) => {
    const m = (await ex.call("GET", `/markets/${ticker}`)).json.market;
    return ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(ticker, { price: m.yes_ask_dollars, count, time_in_force: "immediate_or_cancel", ...extra }),
    );
  };

  test("group lifecycle reaches order_group_updates; the REST object has no trigger flag", async () => {
    const c = await ex.openWs();
    c.send({ id: 1, cmd: "subscribe", params: { channels: ["order_group_updates"] } });
    await c.waitFor((f: Json) => f.type === "subscribed");
    const g = await ex.call("POST", "/portfolio/order_groups/create", { contracts_limit: 1 });
    const id = g.json.order_group_id as string;
    const t = ex.px.markets[0]!;
    const fill = await takeAsk(t, "1.00", { order_group_id: id });
    assert.equal(fill.json.fill_count, "1.00");
    await ex.call("PUT", `/portfolio/order_groups/${id}/reset`, {});
    await ex.call("PUT", `/portfolio/order_groups/${id}/limit`, { contracts_limit: 5 });
    await ex.call("DELETE", `/portfolio/order_groups/${id}`);
    const frames = await c.waitFor((f: Json) => f.type === "order_group_updates", 5);
    assert.deepEqual(
      frames.map((f) => [f.seq, f.msg.event_type, f.msg.order_group_id]),
      [
        [1, "created", id],
        [2, "triggered", id],
        [3, "reset", id],
        [4, "limit_updated", id],
        [5, "deleted", id],
      ],
    );
    assert.equal(frames[0].msg.contracts_limit_fp, "1.00");
    assert.equal(frames[3].msg.contracts_limit_fp, "5.00");
  });

  test("fill actions follow the position: buy, sell_partial, sell_to_close, sell, and '' every 7th", async () => {
    const t = ex.px.markets[4]!;
    const c = await ex.openWs();
    c.send({ id: 1, cmd: "subscribe", params: { channels: ["fill"], market_tickers: [t] } });
    await c.waitFor((f: Json) => f.type === "subscribed");
    const sellAt = async (count: string) => {
      const m = (await ex.call("GET", `/markets/${t}`)).json.market;
      return ex.call(
        "POST",
        "/portfolio/events/orders",
        orderBody(t, { side: "ask", price: m.yes_bid_dollars, count, time_in_force: "immediate_or_cancel" }),
      );
    };
    await takeAsk(t, "2.00"); // +2 YES: buy
    await sellAt("1.00"); // +1: sell_partial
    await sellAt("1.00"); // 0: sell_to_close
    await takeAsk(t, "1.00"); // +1: buy
    await sellAt("2.00"); // −1: sell
    const mine = (await ex.call("GET", `/portfolio/fills?ticker=${t}`)).json.fills as Json[];
    const frames = await c.waitFor((f: Json) => f.type === "fill", mine.length);
    const byId = new Map(frames.map((f) => [f.msg.fill_id, f.msg.action]));
    for (const f of mine) assert.equal(byId.get(f.fill_id), f.action, "WS and REST agree");
    // Each fill's action follows from the position before and after it (book side "bid" adds).
    const seen = new Set<string>();
    for (const f of mine) {
      const post = Math.round(Number(f.post_position_fp) * 100);
      const n = Math.round(Number(f.count_fp) * 100);
      const before = post - (f.book_side === "bid" ? n : -n);
      const opposite = f.book_side === "bid" ? Math.max(0, -before) : Math.max(0, before);
      const closed = Math.min(n, opposite);
      const want =
        closed === 0 ? "buy" : n > closed ? "sell" : closed === opposite ? "sell_to_close" : "sell_partial";
      if (f.action !== "") assert.equal(f.action, want, JSON.stringify(f));
      seen.add(f.action);
    }
    assert.ok(seen.has("buy"));
    assert.ok(seen.has("sell_partial") || seen.has("sell_to_close") || seen.has("sell"));
    // Every 7th fill of the exchange reports "": over 7 or more fills at least one does.
    const all = ex.px.core.listFills(ex.px.keyId);
    assert.ok(all.every((f) => (f.seq % 7 === 0) === (f.action === "")));
  });
});

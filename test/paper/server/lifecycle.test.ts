/**
 * Scheduled closes and settlements over real sockets: `settleEveryMs` plans close times, each
 * step determines one market and settles the one before; market_lifecycle_v2 reports both, and
 * the holder's settlement shows in GET /portfolio/settlements with the payout credited on the
 * market's shard. Steps are driven by the test (no timers).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

describe("paper exchange scheduled settlement", () => {
  let ex: TestExchange;
  before(async () => {
    // An hour between steps: the timer never fires during the test; the test steps by hand.
    ex = await startTestExchange({ markets: 6, settleEveryMs: 3_600_000, seedBooks: true });
  });
  after(async () => ex.close());

  test("planned markets show their close_time; determined then settled with a payout", async () => {
    const s = ex.px.settlements!;
    assert.ok(s !== undefined);
    const markets = (await ex.call("GET", "/markets?limit=100")).json.markets as Json[];
    const withClose = markets.filter((m) => m.close_time !== null);
    assert.equal(withClose.length, 2, "a third of the 6 markets is scheduled");
    const t = withClose.sort((a, b) => Date.parse(a.close_time) - Date.parse(b.close_time))[0].ticker;
    const shard = markets.find((m) => m.ticker === t).exchange_index;

    // Hold one YES contract of the first market to close.
    const m = (await ex.call("GET", `/markets/${t}`)).json.market;
    const buy = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(t, { price: m.yes_ask_dollars, time_in_force: "immediate_or_cancel" }),
    );
    assert.equal(buy.json.fill_count, "1.00");
    const resting = await ex.call("POST", "/portfolio/events/orders", orderBody(t, { price: "0.0100" }));
    assert.equal(resting.status, 201);

    const c = await ex.openWs();
    c.send({ id: 1, cmd: "subscribe", params: { channels: ["market_lifecycle_v2"] } });
    await c.waitFor((f: Json) => f.type === "subscribed");

    s.step();
    const [det] = await c.waitFor(
      (f: Json) => f.type === "market_lifecycle_v2" && f.msg.event_type === "determined",
    );
    assert.equal(det.msg.market_ticker, t);
    assert.equal(det.msg.exchange_index, shard);
    assert.ok(det.msg.result === "yes" || det.msg.result === "no");
    const after1 = (await ex.call("GET", `/markets/${t}`)).json.market;
    assert.equal(after1.status, "determined");
    // Closing canceled the resting order.
    assert.equal(
      (await ex.call("GET", `/portfolio/orders/${resting.json.order_id}`)).json.order.status,
      "canceled",
    );
    const balBefore = (await ex.call("GET", "/portfolio/balance")).json;

    s.step();
    const [set] = await c.waitFor(
      (f: Json) => f.type === "market_lifecycle_v2" && f.msg.event_type === "settled",
    );
    assert.equal(set.msg.market_ticker, t);
    assert.equal(set.msg.result, det.msg.result);
    assert.equal((await ex.call("GET", `/markets/${t}`)).json.market.status, "finalized");

    const st = await ex.call("GET", "/portfolio/settlements");
    assert.equal(st.status, 200);
    const entry = st.json.settlements.find((x: Json) => x.ticker === t);
    assert.ok(entry);
    assert.equal(entry.market_result, det.msg.result);
    assert.equal(entry.yes_count_fp, "1.00");
    const won = det.msg.result === "yes";
    assert.equal(entry.revenue, won ? 100 : 0);
    const balAfter = (await ex.call("GET", "/portfolio/balance")).json;
    const delta =
      Number(balAfter.balance_breakdown[shard].balance) - Number(balBefore.balance_breakdown[shard].balance);
    assert.equal(delta.toFixed(4), won ? "1.0000" : "0.0000");
    const pos = await ex.call("GET", `/portfolio/positions?ticker=${t}`);
    assert.equal(pos.json.market_positions[0].position_fp, "0.00");
    assert.equal(s.stats.determined, 2);
    assert.equal(s.stats.settled, 1);
  });
});

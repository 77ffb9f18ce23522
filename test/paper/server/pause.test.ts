/**
 * A maintenance pause over real sockets (docs getting_started/maintenance_and_pauses): on the
 * paused shard creates and amends are refused and cancels still work; orders that asked for
 * cancel_order_on_pause are cancelled when it begins; GET /exchange/status reports the shard's
 * trading_active and resume time; GET /exchange/schedule lists the window. The exchange clock is
 * the test's (wall time is only used for request signatures).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

const HOUR = 3_600_000;

describe("paper exchange maintenance pause on one shard", () => {
  let ex: TestExchange;
  let now = Date.now();
  const start = now + HOUR;
  const end = now + 3 * HOUR;
  const onShard: string[] = [];
  before(async () => {
    ex = await startTestExchange({
      markets: 6,
      clock: () => now,
      pauses: [{ startMs: start, endMs: end, shard: 1 }],
    });
    for (const m of (await ex.call("GET", "/markets?limit=100")).json.markets as Json[])
      onShard[m.exchange_index] ??= m.ticker;
  });
  after(async () => ex.close());

  test("the schedule lists the window; before it every shard trades", async () => {
    const sch = await ex.call("GET", "/exchange/schedule");
    assert.equal(sch.status, 200);
    assert.deepEqual(sch.json.schedule.maintenance_windows, [
      {
        start_datetime: new Date(start).toISOString(),
        end_datetime: new Date(end).toISOString(),
        exchange_index: 1,
      },
    ]);
    assert.equal(sch.json.schedule.standard_hours[0].thursday[0].open_time, "00:00");
    for (const k of [0, 1, 2]) {
      const st = await ex.call("GET", `/exchange/status?exchange_index=${k}`);
      assert.deepEqual(st.json, {
        exchange_active: true,
        trading_active: true,
        exchange_estimated_resume_time: null,
      });
    }
  });

  test("during the pause: shard 1 refuses creates and amends, still cancels; shard 0 trades", async () => {
    now = start - 1000;
    const keep = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0200" }),
    );
    const onPause = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0200", cancel_order_on_pause: true }),
    );
    assert.equal(keep.status, 201);
    assert.equal(onPause.status, 201);

    now = start + 1000;
    const st1 = await ex.call("GET", "/exchange/status?exchange_index=1");
    assert.deepEqual(st1.json, {
      exchange_active: true,
      trading_active: false,
      exchange_estimated_resume_time: new Date(end).toISOString(),
    });
    assert.equal((await ex.call("GET", "/exchange/status")).json.trading_active, true, "shard 0 trades");

    const refused = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(onShard[1]!, { price: "0.0300" }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, "trading_is_paused");
    const amend = await ex.call("POST", `/portfolio/events/orders/${keep.json.order_id}/amend`, {
      ticker: onShard[1],
      side: "bid",
      price: "0.0300",
      count: "1.00",
    });
    assert.equal(amend.status, 400);
    assert.equal(amend.json.error.code, "trading_is_paused");
    assert.equal(
      (await ex.call("POST", "/portfolio/events/orders", orderBody(onShard[0]!, { price: "0.0300" }))).status,
      201,
    );
    // The cancel-on-pause order went when the pause began; the other rests until cancelled.
    const gone = await ex.call("GET", `/portfolio/orders/${onPause.json.order_id}`);
    assert.equal(gone.json.order.status, "canceled");
    assert.equal(
      (await ex.call("GET", `/portfolio/orders/${keep.json.order_id}`)).json.order.status,
      "resting",
    );
    const cancel = await ex.call("DELETE", `/portfolio/events/orders/${keep.json.order_id}?exchange_index=1`);
    assert.equal(cancel.status, 200);
    assert.equal(cancel.json.reduced_by, "1.00");
  });

  test("after the pause shard 1 trades again", async () => {
    now = end + 1000;
    assert.equal((await ex.call("GET", "/exchange/status?exchange_index=1")).json.trading_active, true);
    assert.equal(
      (await ex.call("POST", "/portfolio/events/orders", orderBody(onShard[1]!, { price: "0.0300" }))).status,
      201,
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EngineAction, Ledger } from "../../../src/orders/accounts/ledger.js";
import { decideSize, toV2CreateBody } from "../../../src/orders/execution/order-mapping.js";

describe("engine action → V2 order body (kalshi-api-notes.md)", () => {
  it("maps each action to its book side and YES-leg price", () => {
    const cases: Array<[EngineAction, number, "bid" | "ask", string]> = [
      ["BUY_YES", 5600, "bid", "0.5600"],
      ["SELL_YES", 5600, "ask", "0.5600"],
      ["BUY_NO", 3000, "ask", "0.7000"], // buy NO at q ≡ ask at 1 − q
      ["SELL_NO", 3000, "bid", "0.7000"], // sell NO at q ≡ bid at 1 − q
      ["BUY_YES", 4150, "bid", "0.4150"],
      ["BUY_NO", 5463, "ask", "0.4537"], // a $0.0001 grid
    ];
    for (const [action, own, side, price] of cases) {
      const body = toV2CreateBody("KX-T", "cid-1", action, own, 1050);
      assert.deepEqual(body, {
        ticker: "KX-T",
        client_order_id: "cid-1",
        side,
        count: "10.50",
        price,
        time_in_force: "good_till_canceled",
        self_trade_prevention_type: "taker_at_cross",
      });
    }
  });

  it("passes time in force, post-only and subaccount through", () => {
    const body = toV2CreateBody("KX-T", "c", "BUY_YES", 5000, 100, {
      timeInForce: "immediate_or_cancel",
      postOnly: false,
      subaccount: 2,
    });
    assert.equal(body.time_in_force, "immediate_or_cancel");
    assert.equal(body.post_only, false);
    assert.equal(body.subaccount, 2);
  });

  it("clips a sell to the held contracts and refuses a sell of nothing (correctness-rules.md rule 9)", () => {
    const l = new Ledger(100_000_000);
    assert.deepEqual(decideSize(l, 1, "SELL_YES", 1000), { ok: false, reason: "nothing_to_sell" });
    l.place({ clientOrderId: "b", market: 1, action: "BUY_YES", ownLimitTicks: 5000, countHundredths: 600 });
    l.applyFill({
      fillId: "f",
      market: 1,
      clientOrderId: "b",
      side: "bid",
      yesPriceTicks: 5000,
      sizeHundredths: 600,
      isTaker: true,
    });
    assert.deepEqual(decideSize(l, 1, "SELL_YES", 1000), { ok: true, countHundredths: 600, clipped: true });
    assert.deepEqual(decideSize(l, 1, "SELL_YES", 500), { ok: true, countHundredths: 500, clipped: false });
    assert.deepEqual(decideSize(l, 1, "SELL_NO", 500), { ok: false, reason: "nothing_to_sell" });
    assert.deepEqual(decideSize(l, 1, "BUY_NO", 500), { ok: true, countHundredths: 500, clipped: false });
    assert.deepEqual(decideSize(l, 1, "BUY_YES", 0), { ok: false, reason: "zero_size" });
  });
});

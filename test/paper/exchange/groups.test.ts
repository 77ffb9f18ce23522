import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeExchange, place, req, unwrap } from "./helpers.js";

describe("paper exchange order groups", () => {
  it("triggers at the limit: cancels the group's resting orders and rejects new ones until reset", () => {
    const f = makeExchange();
    const g = unwrap(f.ex.createOrderGroup("a", 500));
    const o1 = place(f, "a", req("LIN", "bid", 4000, 10, { orderGroupId: g.orderGroupId }));
    const o2 = place(f, "a", req("DECI", "bid", 3000, 10, { orderGroupId: g.orderGroupId }));
    const outside = place(f, "a", req("LIN", "bid", 3900, 10));
    place(f, "b", req("LIN", "ask", 4000, 5));
    assert.equal(o1.status, "canceled");
    assert.equal(o1.lastUpdateReason, "OrderGroupTriggered");
    assert.equal(o1.fillHundredths, 500);
    assert.equal(o2.status, "canceled");
    assert.equal(outside.status, "resting");
    assert.equal(unwrap(f.ex.getOrderGroup("a", g.orderGroupId)).isTriggered, true);
    const rejected = f.ex.createOrder("a", req("LIN", "bid", 4000, 1, { orderGroupId: g.orderGroupId }));
    assert.deepEqual(!rejected.ok && [rejected.error.status, rejected.error.code], [
      400,
      "exceeded_order_group_risk_limit",
    ]);
    unwrap(f.ex.resetOrderGroup("a", g.orderGroupId));
    assert.equal(
      f.ex.createOrder("a", req("LIN", "bid", 4000, 1, { orderGroupId: g.orderGroupId })).ok,
      true,
    );
  });

  it("counts only fills inside the rolling 15 s window", () => {
    const f = makeExchange();
    const g = unwrap(f.ex.createOrderGroup("a", 500));
    const o = place(f, "a", req("LIN", "bid", 4000, 20, { orderGroupId: g.orderGroupId }));
    place(f, "b", req("LIN", "ask", 4000, 3));
    f.now.ms += 15_000;
    place(f, "b", req("LIN", "ask", 4000, 3));
    assert.equal(o.status, "resting");
    assert.equal(unwrap(f.ex.getOrderGroup("a", g.orderGroupId)).windowFilledHundredths, 300);
    f.now.ms += 1000;
    place(f, "b", req("LIN", "ask", 4000, 2));
    assert.equal(o.status, "canceled");
  });

  it("an incoming grouped order stops matching when it triggers its group", () => {
    const f = makeExchange();
    const g = unwrap(f.ex.createOrderGroup("a", 300));
    place(f, "b", req("LIN", "ask", 4000, 2));
    place(f, "b", req("LIN", "ask", 4100, 2));
    place(f, "b", req("LIN", "ask", 4200, 2));
    const t = place(f, "a", req("LIN", "bid", 4200, 6, { orderGroupId: g.orderGroupId }));
    assert.equal(t.status, "canceled");
    assert.equal(t.lastUpdateReason, "OrderGroupTriggered");
    assert.equal(t.fillHundredths, 400);
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 0);
  });

  it("manual trigger, limit change and delete", () => {
    const f = makeExchange();
    const g = unwrap(f.ex.createOrderGroup("a", 1000));
    const o = place(f, "a", req("LIN", "bid", 4000, 5, { orderGroupId: g.orderGroupId }));
    unwrap(f.ex.triggerOrderGroup("a", g.orderGroupId));
    assert.equal(o.status, "canceled");
    unwrap(f.ex.resetOrderGroup("a", g.orderGroupId));
    const o2 = place(f, "a", req("LIN", "bid", 4000, 5, { orderGroupId: g.orderGroupId }));
    assert.deepEqual(unwrap(f.ex.setOrderGroupLimit("a", g.orderGroupId, 200)).contractsLimitHundredths, 200);
    const deleted = unwrap(f.ex.deleteOrderGroup("a", g.orderGroupId));
    assert.deepEqual(deleted.orderIds, [o2.orderId]);
    assert.equal(o2.status, "canceled");
    assert.equal(o2.lastUpdateReason, "OrderGroupDeleted");
    assert.equal(f.ex.getOrderGroup("a", g.orderGroupId).ok, false);
    assert.equal(f.ex.getOrderGroup("b", "nope").ok, false);
    assert.equal(f.ex.createOrderGroup("a", 0).ok, false);
  });
});

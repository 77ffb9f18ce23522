import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  planOrderOps,
  type WorkingOrder,
  WorkingOrders,
} from "../../../src/orders/execution/working-orders.js";

function w(
  side: "bid" | "ask",
  price: number,
  count: number,
  extra: Partial<WorkingOrder> = {},
): WorkingOrder {
  return {
    clientOrderId: `${side}-1`,
    exchangeOrderId: `x-${side}`,
    side,
    action: side === "bid" ? "BUY_YES" : "BUY_NO",
    yesPriceTicks: price,
    countHundredths: count,
    filledHundredths: 0,
    placedMs: 0,
    state: "resting",
    ...extra,
  };
}

describe("one working order per market and direction (correctness-rules.md rules 14, 15)", () => {
  const want = {
    side: "bid" as const,
    action: "BUY_YES" as const,
    yesPriceTicks: 4500,
    restingHundredths: 1000,
  };

  it("creates when nothing works in that direction", () => {
    assert.deepEqual(planOrderOps(undefined, undefined, want), [
      { op: "create", side: "bid", action: "BUY_YES", yesPriceTicks: 4500, countHundredths: 1000 },
    ]);
  });

  it("leaves an identical same-direction order alone", () => {
    assert.deepEqual(planOrderOps(w("bid", 4500, 1000), undefined, want), []);
  });

  it("amends a same-direction order to the new price, keeping the filled part in the total", () => {
    assert.deepEqual(planOrderOps(w("bid", 4400, 1000, { filledHundredths: 300 }), undefined, want), [
      { op: "amend", clientOrderId: "bid-1", yesPriceTicks: 4500, totalCountHundredths: 1300 },
    ]);
  });

  it("cancels the conflicting opposite order and then creates", () => {
    assert.deepEqual(planOrderOps(undefined, w("ask", 4600, 500), want), [
      { op: "cancel", clientOrderId: "ask-1" },
      { op: "create", side: "bid", action: "BUY_YES", yesPriceTicks: 4500, countHundredths: 1000 },
    ]);
  });

  it("waits while any write of the market has an unknown outcome", () => {
    assert.deepEqual(planOrderOps(undefined, w("ask", 4600, 500, { state: "unknown" }), want), [
      { op: "wait", reason: "outcome_unknown" },
    ]);
    assert.deepEqual(planOrderOps(w("bid", 4600, 500, { state: "unknown" }), undefined, want), [
      { op: "wait", reason: "outcome_unknown" },
    ]);
  });

  it("never stacks on a same-direction order still in flight", () => {
    assert.deepEqual(planOrderOps(w("bid", 4400, 500, { state: "pending" }), undefined, want), [
      { op: "wait", reason: "write_in_flight" },
    ]);
    assert.deepEqual(planOrderOps(w("bid", 4400, 500, { state: "changing" }), undefined, want), [
      { op: "wait", reason: "write_in_flight" },
    ]);
  });

  it("does not cancel twice an opposite order already being cancelled", () => {
    assert.deepEqual(planOrderOps(undefined, w("ask", 4600, 500, { state: "changing" }), want), [
      { op: "create", side: "bid", action: "BUY_YES", yesPriceTicks: 4500, countHundredths: 1000 },
    ]);
  });

  it("replaces a same-side order whose action differs (BUY_YES vs SELL_NO)", () => {
    assert.deepEqual(planOrderOps(w("bid", 4500, 1000), undefined, { ...want, action: "SELL_NO" }), [
      { op: "cancel", clientOrderId: "bid-1" },
      { op: "create", side: "bid", action: "SELL_NO", yesPriceTicks: 4500, countHundredths: 1000 },
    ]);
  });

  it("keeps a registry keyed by market and side, renamed on amend", () => {
    const reg = new WorkingOrders();
    reg.set(4, w("bid", 4500, 100));
    reg.set(4, w("ask", 4700, 100));
    assert.equal(reg.size, 2);
    reg.rename("bid-1", "bid-2");
    assert.equal(reg.find("bid-2")?.market, 4);
    assert.equal(reg.get(4, "bid")?.clientOrderId, "bid-2");
    reg.get(4, "ask")!.state = "unknown";
    assert.equal(reg.hasUnknown(4), true);
    reg.remove("ask-1");
    assert.equal(reg.hasUnknown(4), false);
    assert.equal(reg.size, 1);
  });
});

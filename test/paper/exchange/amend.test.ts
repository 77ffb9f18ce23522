import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOLLAR, makeExchange, place, req, unwrap } from "./helpers.js";

describe("paper exchange cancel / amend / decrease", () => {
  it("cancel reports reduced_by, is idempotent, and is 404 for another user's order", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10));
    place(f, "b", req("LIN", "ask", 4000, 3));
    const first = unwrap(f.ex.cancelOrder("a", o.orderId));
    assert.equal(first.reducedByHundredths, 700);
    assert.equal(o.status, "canceled");
    assert.equal(o.fillHundredths, 300);
    assert.equal(o.remainingHundredths, 0);
    assert.equal(unwrap(f.ex.cancelOrder("a", o.orderId)).reducedByHundredths, 0);
    const other = f.ex.cancelOrder("b", o.orderId);
    assert.deepEqual(!other.ok && [other.error.status, other.error.code], [404, "order_not_found"]);
  });

  it("amend count is the new TOTAL including filled contracts", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10));
    place(f, "b", req("LIN", "ask", 4000, 3));
    unwrap(f.ex.amendOrder("a", o.orderId, { yesPriceTicks: 4000, countHundredths: 800 }));
    assert.deepEqual([o.fillHundredths, o.remainingHundredths, o.initialHundredths], [300, 500, 800]);
    assert.equal(o.heldMicros, 2 * DOLLAR, "hold shrinks with the remainder");
    const tooSmall = f.ex.amendOrder("a", o.orderId, { yesPriceTicks: 4000, countHundredths: 300 });
    assert.deepEqual(!tooSmall.ok && tooSmall.error.code, "invalid_count");
  });

  it("a size decrease keeps queue priority", () => {
    const f = makeExchange();
    const first = place(f, "a", req("LIN", "bid", 4000, 10));
    const second = place(f, "c", req("LIN", "bid", 4000, 10));
    unwrap(f.ex.amendOrder("a", first.orderId, { yesPriceTicks: 4000, countHundredths: 500 }));
    place(f, "b", req("LIN", "ask", 4000, 5));
    assert.equal(first.status, "executed");
    assert.equal(second.fillHundredths, 0);
  });

  it("reports the queue position as the size resting ahead at the same price", () => {
    const f = makeExchange();
    const first = place(f, "a", req("LIN", "bid", 4000, 3));
    const second = place(f, "c", req("LIN", "bid", 4000, 4));
    const third = place(f, "a", req("LIN", "bid", 4000, 1));
    assert.equal(unwrap(f.ex.queuePosition("a", first.orderId)), 0);
    assert.equal(unwrap(f.ex.queuePosition("c", second.orderId)), 300);
    assert.equal(unwrap(f.ex.queuePosition("a", third.orderId)), 700);
    place(f, "b", req("LIN", "ask", 4000, 2));
    assert.equal(unwrap(f.ex.queuePosition("a", third.orderId)), 500);
  });

  it("a size increase goes to the back of the queue", () => {
    const f = makeExchange();
    const first = place(f, "a", req("LIN", "bid", 4000, 10));
    const second = place(f, "c", req("LIN", "bid", 4000, 10));
    unwrap(f.ex.amendOrder("a", first.orderId, { yesPriceTicks: 4000, countHundredths: 1200 }));
    place(f, "b", req("LIN", "ask", 4000, 5));
    assert.equal(second.fillHundredths, 500);
    assert.equal(first.fillHundredths, 0);
    assert.equal(first.remainingHundredths, 1200);
  });

  it("a price change re-enters at the back and may cross as taker", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10));
    place(f, "b", req("LIN", "ask", 4500, 4));
    unwrap(f.ex.amendOrder("a", o.orderId, { yesPriceTicks: 4600, countHundredths: 1000 }));
    assert.equal(o.fillHundredths, 400);
    assert.equal(o.takerFillCostMicros, 4 * 450_000);
    assert.equal(o.remainingHundredths, 600);
    assert.equal(o.heldMicros, 6 * 460_000);
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, [[4600, 600]]);
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 6 * 460_000);
  });

  it("amend checks ticker, side, client id and renames with updated_client_order_id", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10, { clientOrderId: "old" }));
    place(f, "a", req("LIN", "bid", 3000, 1, { clientOrderId: "taken" }));
    const bad = f.ex.amendOrder("a", o.orderId, { side: "ask", yesPriceTicks: 4000, countHundredths: 1000 });
    assert.equal(!bad.ok && bad.error.code, "invalid_order");
    const dup = f.ex.amendOrder("a", o.orderId, {
      yesPriceTicks: 4000,
      countHundredths: 1000,
      updatedClientOrderId: "taken",
    });
    assert.equal(!dup.ok && dup.error.status, 409);
    unwrap(
      f.ex.amendOrder("a", o.orderId, {
        clientOrderId: "old",
        yesPriceTicks: 4100,
        countHundredths: 1000,
        updatedClientOrderId: "new",
      }),
    );
    assert.equal(o.clientOrderId, "new");
    assert.equal(f.ex.createOrder("a", req("LIN", "bid", 4000, 1, { clientOrderId: "old" })).ok, false);
  });

  it("decrease by / to keeps priority; to 0 cancels; exactly one of them is required", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10));
    const behind = place(f, "c", req("LIN", "bid", 4000, 10));
    unwrap(f.ex.decreaseOrder("a", o.orderId, { reduceByHundredths: 200 }));
    assert.equal(o.remainingHundredths, 800);
    unwrap(f.ex.decreaseOrder("a", o.orderId, { reduceToHundredths: 500 }));
    assert.equal(o.remainingHundredths, 500);
    assert.equal(o.heldMicros, 2 * DOLLAR);
    assert.equal(o.lastUpdateReason, "Decreased");
    place(f, "b", req("LIN", "ask", 4000, 5));
    assert.equal(o.status, "executed");
    assert.equal(behind.fillHundredths, 0);
    const both = f.ex.decreaseOrder("c", behind.orderId, {});
    assert.equal(!both.ok && both.error.code, "invalid_order");
    const notMine = f.ex.decreaseOrder("a", behind.orderId, { reduceByHundredths: 100 });
    assert.equal(!notMine.ok && notMine.error.status, 404);
    unwrap(f.ex.decreaseOrder("c", behind.orderId, { reduceToHundredths: 0 }));
    assert.equal(behind.status, "canceled");
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, []);
    assert.equal(unwrap(f.ex.balance("c")).heldMicros, 0);
  });

  it("lists orders newest first with ticker / status / time filters", () => {
    const f = makeExchange();
    const o1 = place(f, "a", req("LIN", "bid", 4000, 1));
    f.now.ms += 1000;
    const o2 = place(f, "a", req("DECI", "bid", 4010, 1));
    unwrap(f.ex.cancelOrder("a", o1.orderId));
    assert.deepEqual(
      f.ex.listOrders("a").map((o) => o.orderId),
      [o2.orderId, o1.orderId],
    );
    assert.deepEqual(
      f.ex.listOrders("a", { status: "resting" }).map((o) => o.orderId),
      [o2.orderId],
    );
    assert.deepEqual(
      f.ex.listOrders("a", { ticker: "LIN" }).map((o) => o.orderId),
      [o1.orderId],
    );
    assert.deepEqual(
      f.ex.listOrders("a", { minTsMs: f.now.ms }).map((o) => o.orderId),
      [o2.orderId],
    );
    assert.deepEqual(f.ex.listOrders("b"), []);
  });
});

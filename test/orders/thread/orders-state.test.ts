import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newOrderStats } from "../../../src/orders/execution/order-types.js";
import { ORDERS_STATE_KEYS, OrdersState } from "../../../src/orders/thread/orders-state.js";

describe("orders state block", () => {
  it("has a key for every order-manager count, and io reads what the thread wrote", () => {
    for (const key of Object.keys(newOrderStats())) assert.ok(ORDERS_STATE_KEYS.includes(key), key);
    const shared = OrdersState.allocate();
    const thread = new OrdersState(shared);
    const io = new OrdersState(shared);
    assert.deepEqual(Object.keys(io.read()), [...ORDERS_STATE_KEYS]);
    thread.write({ ...newOrderStats(), sent: 7, fillsApplied: 3, shards: 2, free_cash_micros: 1_500_000 });
    const seen = io.read();
    assert.equal(seen.sent, 7);
    assert.equal(seen.fillsApplied, 3);
    assert.equal(seen.shards, 2);
    assert.equal(seen.free_cash_micros, 1_500_000);
    assert.equal(seen.rejected, 0);
  });

  it("levels follow every write; counts only grow; a key not written keeps its value", () => {
    const shared = OrdersState.allocate();
    const thread = new OrdersState(shared);
    const io = new OrdersState(shared);
    thread.write({ sent: 5, shardsPaused: 1, journalSyncs: 4 });
    thread.write({ sent: 4, shardsPaused: 0 });
    const seen = io.read();
    assert.equal(seen.sent, 5, "a count never goes back");
    assert.equal(seen.shardsPaused, 0, "a level goes down");
    assert.equal(seen.journalSyncs, 4);
  });
});

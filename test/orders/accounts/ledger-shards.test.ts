import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ledger, type LedgerEvent } from "../../../src/orders/accounts/ledger.js";

/**
 * Cash per exchange shard (kalshi-api-notes.md "Exchange sharding"): every order reserves from,
 * and its fills, fees and settlement move, its market's shard; the totals are the sums, exact.
 */
const SHARD_OF = [0, 1, 2, 1];

function ledger(events: LedgerEvent[] = []): Ledger {
  const l = new Ledger(100_000_000, { shardOf: (m) => SHARD_OF[m] ?? 0, onEvent: (e) => events.push(e) });
  return l;
}

function assertSums(l: Ledger): void {
  let free = 0;
  let reserved = 0;
  for (let k = 0; k < l.shardCount; k++) {
    free += l.freeCashOn(k);
    reserved += l.reservedCashOn(k);
  }
  assert.equal(free, l.freeCashMicros, "total free cash = Σ shards");
  assert.equal(reserved, l.reservedCashMicros, "total reserved cash = Σ shards");
}

describe("ledger cash per exchange shard", () => {
  it("refuses an order its shard cannot pay as shard_cash_short when the shards together could", () => {
    const l = ledger();
    const req = {
      clientOrderId: "a",
      market: 1,
      action: "BUY_YES" as const,
      ownLimitTicks: 5000,
      countHundredths: 1000,
    };
    assert.deepEqual(l.place(req), { ok: false, reason: "shard_cash_short" });
    assert.equal(l.orders.get("a"), undefined, "nothing reserved");
    // beyond every shard's cash together it is plain insufficient cash
    assert.deepEqual(l.place({ ...req, countHundredths: 1_000_000 }), {
      ok: false,
      reason: "insufficient_cash",
    });
  });

  it("moves funds between shards exactly, and reserves and pays on the market's own shard", () => {
    const l = ledger();
    assert.equal(l.transferOut(0, 30_000_000), true);
    assert.equal(l.freeCashMicros, 70_000_000, "in flight: spendable nowhere");
    l.transferIn(1, 30_000_000);
    assert.equal(l.transferOut(2, 1), false, "a shard cannot send what it does not have");
    const placed = l.place({
      clientOrderId: "a",
      market: 1,
      action: "BUY_YES",
      ownLimitTicks: 4000,
      countHundredths: 1000,
    });
    assert.ok(placed.ok);
    assert.equal(l.orders.get("a")!.shard, 1);
    assert.equal(l.freeCashOn(0), 70_000_000, "shard 0 untouched");
    assert.equal(l.freeCashOn(1) + l.reservedCashOn(1), 30_000_000);
    assert.equal(l.reservedCashOn(1), placed.ok ? placed.reservedMicros : -1);
    assertSums(l);

    // a fill at a better price: cost and fee come out of shard 1, the rest is released there
    assert.ok(
      l.applyFill({
        fillId: "f1",
        market: 1,
        clientOrderId: "a",
        side: "bid",
        yesPriceTicks: 3900,
        sizeHundredths: 1000,
        isTaker: true,
        exchangeFeeMicros: 170_000,
      }),
    );
    assert.equal(l.reservedCashOn(1), 0);
    assert.equal(l.freeCashOn(1), 30_000_000 - 3_900_000 - 170_000);
    assert.equal(l.freeCashOn(0), 70_000_000);
    assertSums(l);

    // settlement pays out on the market's shard
    const effect = l.settle(1, 1_000_000);
    assert.ok(effect !== null);
    assert.equal(l.freeCashOn(1), 30_000_000 - 3_900_000 - 170_000 + 10_000_000);
    assert.equal(l.freeCashOn(0), 70_000_000);
    assertSums(l);
  });

  it("charges a fill of an unknown order, and amends, on the market's shard", () => {
    const events: LedgerEvent[] = [];
    const l = ledger(events);
    l.transferOut(0, 10_000_000);
    l.transferIn(2, 10_000_000);
    assert.ok(
      l.applyFill({
        fillId: "x",
        market: 2,
        side: "bid",
        yesPriceTicks: 2000,
        sizeHundredths: 100,
        isTaker: true,
        exchangeFeeMicros: 20_000,
      }),
    );
    assert.equal(l.freeCashOn(2), 10_000_000 - 200_000 - 20_000);
    assert.equal(l.freeCashOn(0), 90_000_000);
    assert.ok(
      l.place({ clientOrderId: "b", market: 2, action: "BUY_YES", ownLimitTicks: 1000, countHundredths: 100 })
        .ok,
    );
    // an amend the shard cannot pay is refused even though shard 0 could
    assert.equal(l.amend("b", 9000, 1_000_000), false);
    assert.ok(l.amend("b", 1000, 200));
    assertSums(l);
    assert.deepEqual(
      events.filter((e) => e.kind === "negative_free_cash"),
      [],
    );
  });

  it("sets one shard's free cash on reconciliation and reports the correction", () => {
    const l = ledger();
    assert.equal(l.correctFreeCash(5_000_000, 2), 5_000_000);
    assert.equal(l.freeCashOn(2), 5_000_000);
    assert.equal(l.freeCashMicros, 105_000_000);
    assert.equal(l.richestShardExcept(0), 2);
    assert.equal(l.richestShardExcept(2), 0);
    assertSums(l);
  });
});

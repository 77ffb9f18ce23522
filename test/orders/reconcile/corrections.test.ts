/** Reconciliation's pure functions: engine state + exchange reports → corrections. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RestOrder } from "../../../src/kalshi/rest-types.js";
import {
  cashCorrections,
  goneOf,
  orphansOf,
  positionCorrections,
  shardBalancesOf,
  staleLedgerOrders,
  startupCash,
} from "../../../src/orders/reconcile/corrections.js";

function resting(orderId: string): RestOrder {
  return {
    orderId,
    clientOrderId: "",
    ticker: "KX-A",
    side: "bid",
    status: "resting",
    yesPriceTicks: 4000,
    fillCountHundredths: 0,
    remainingCountHundredths: 100,
    initialCountHundredths: 100,
    takerFeesMicros: 0,
    makerFeesMicros: 0,
    createdTime: "",
  };
}

describe("position corrections: a difference is corrected when a second pass sees it too", () => {
  const cases: Array<{
    name: string;
    ours: number;
    exchange: number | undefined;
    suspect: number | undefined;
    correct: boolean;
    suspectAfter: number | undefined;
  }> = [
    { name: "agree", ours: 500, exchange: 500, suspect: undefined, correct: false, suspectAfter: undefined },
    {
      name: "agree again after a suspect",
      ours: 500,
      exchange: 500,
      suspect: 300,
      correct: false,
      suspectAfter: undefined,
    },
    {
      name: "first sighting",
      ours: 500,
      exchange: 300,
      suspect: undefined,
      correct: false,
      suspectAfter: 300,
    },
    {
      name: "second sighting, same number",
      ours: 500,
      exchange: 300,
      suspect: 300,
      correct: true,
      suspectAfter: undefined,
    },
    {
      name: "second sighting, number moved",
      ours: 500,
      exchange: 200,
      suspect: 300,
      correct: false,
      suspectAfter: 200,
    },
    {
      name: "held, not listed: flat on the exchange",
      ours: 500,
      exchange: undefined,
      suspect: 0,
      correct: true,
      suspectAfter: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const exchange =
        c.exchange === undefined ? [] : [{ market: 7, contractsHundredths: c.exchange, costBasisMicros: 11 }];
      const before = new Map(c.suspect === undefined ? [] : [[7, c.suspect]]);
      const r = positionCorrections(() => c.ours, [7], exchange, before);
      assert.deepEqual(
        r.corrections,
        c.correct
          ? [
              {
                kind: "position",
                market: 7,
                contractsHundredths: c.exchange ?? 0,
                costBasisMicros: c.exchange === undefined ? 0 : 11,
              },
            ]
          : [],
      );
      assert.equal(r.suspects.get(7), c.suspectAfter);
      assert.equal(before.get(7), c.suspect, "the suspects passed in are not changed");
    });
  }
});

describe("cash corrections per shard: balance = free cash + reserved fees", () => {
  it("agrees, suspects, then corrects to balance less reserved fees", () => {
    const ours = [
      { freeCashMicros: 90, reservedFeesMicros: 10 },
      { freeCashMicros: 50, reservedFeesMicros: 5 },
    ];
    const first = cashCorrections(ours, [100, 70], new Map());
    assert.deepEqual(first.corrections, []);
    assert.deepEqual([...first.suspects], [[1, 70]]);
    const second = cashCorrections(ours, [100, 70], first.suspects);
    assert.deepEqual(second.corrections, [{ kind: "free_cash", shard: 1, freeCashMicros: 65 }]);
    assert.equal(second.suspects.size, 0);
  });

  it("a shard only the exchange lists, or only we do, compares with 0", () => {
    const r = cashCorrections([{ freeCashMicros: 5, reservedFeesMicros: 0 }], [5, 0, 9], new Map([[2, 9]]));
    assert.deepEqual(r.corrections, [{ kind: "free_cash", shard: 2, freeCashMicros: 9 }]);
    const ours = cashCorrections(
      [
        { freeCashMicros: 5, reservedFeesMicros: 0 },
        { freeCashMicros: 3, reservedFeesMicros: 0 },
      ],
      [5],
      new Map([[1, 0]]),
    );
    assert.deepEqual(ours.corrections, [{ kind: "free_cash", shard: 1, freeCashMicros: 0 }]);
  });

  it("at startup every shard's free cash is its balance less its adopted orders' fees", () => {
    assert.deepEqual(startupCash([10, 0, 3], [100, 50]), [
      { kind: "free_cash", shard: 0, freeCashMicros: 90 },
      { kind: "free_cash", shard: 1, freeCashMicros: 50 },
      { kind: "free_cash", shard: 2, freeCashMicros: -3 },
    ]);
  });

  it("a balance without a breakdown is all shard 0's", () => {
    assert.deepEqual(shardBalancesOf({ balanceMicros: 7, shardBalanceMicros: [] }), [7]);
    assert.deepEqual(shardBalancesOf({ balanceMicros: 7, shardBalanceMicros: [3, 4] }), [3, 4]);
  });
});

describe("resting orders against ours", () => {
  it("orphans are the exchange's resting orders we do not track", () => {
    const list = [resting("x1"), resting("x2")];
    assert.deepEqual(
      orphansOf(list, (o) => o.orderId === "x1").map((o) => o.orderId),
      ["x2"],
    );
  });

  it("gone are our resting orders the exchange no longer rests (writes in flight wait)", () => {
    const worked = [
      { state: "resting", exchangeOrderId: "x1" },
      { state: "resting", exchangeOrderId: "x9" },
      { state: "changing", exchangeOrderId: "x8" },
    ];
    assert.deepEqual(goneOf([resting("x1")], worked), [{ state: "resting", exchangeOrderId: "x9" }]);
  });

  it("stale are open ledger orders nothing works that the exchange does not rest", () => {
    const open = [
      { clientOrderId: "a", exchangeOrderId: "x1", market: 0, worked: false },
      { clientOrderId: "b", exchangeOrderId: "x2", market: 0, worked: false },
      { clientOrderId: "c", exchangeOrderId: "x3", market: 0, worked: true },
      { clientOrderId: "d", exchangeOrderId: "", market: 0, worked: false },
    ];
    assert.deepEqual(
      staleLedgerOrders([resting("x1")], open).map((lo) => lo.clientOrderId),
      ["b"],
    );
  });
});

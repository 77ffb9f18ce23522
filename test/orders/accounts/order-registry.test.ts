import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { OrderFeeAccumulator, STANDARD_FEE_SCHEDULE } from "../../../src/orders/accounts/fees.js";
import type { LedgerOrder } from "../../../src/orders/accounts/ledger-types.js";
import { OrderRegistry } from "../../../src/orders/accounts/order-registry.js";

/** A ledger order as the ledger would add it (the registry reads only ids and `open`). */
function order(clientOrderId: string): LedgerOrder {
  return {
    clientOrderId,
    market: 0,
    shard: 0,
    action: "BUY_YES",
    side: "bid",
    ownLimitTicks: 5000,
    countHundredths: 100,
    filledHundredths: 0,
    reservedCostMicros: 0,
    reservedFeeMicros: 0,
    feesPaidMicros: 0,
    exchangeOrderId: "",
    open: true,
    fees: new OrderFeeAccumulator(STANDARD_FEE_SCHEDULE),
  };
}

describe("order registry", () => {
  it("finds an order by its client id, each amend alias and its exchange id", () => {
    const r = new OrderRegistry();
    const a = order("a");
    r.add(a);
    r.linkExchangeId("a", "ex-a");
    r.alias("a2", "a");
    r.alias("a3", "a2");
    assert.equal(r.get("a"), a);
    assert.equal(r.get("a2"), a);
    assert.equal(r.get("a3"), a);
    assert.equal(a.exchangeOrderId, "ex-a");
    assert.equal(r.clientOrderIdOf("ex-a"), "a");
    assert.deepEqual(r.openOrders(), [a], "an amended order is open once");
  });

  it("resolves a report's ids: its own client id when known, else the one its exchange id links", () => {
    const r = new OrderRegistry();
    r.add(order("a"));
    r.add(order("b"));
    r.linkExchangeId("b", "ex-b");
    assert.equal(r.resolve("a", "ex-b"), "a");
    assert.equal(r.resolve("unknown", "ex-b"), "b");
    assert.equal(r.resolve(undefined, "ex-b"), "b");
    assert.equal(r.resolve("", "ex-b"), "b");
    assert.equal(r.resolve("unknown", "ex-unknown"), undefined);
    assert.equal(r.resolve(undefined, ""), undefined);
  });

  it("links nothing for an empty exchange id or an unknown order, aliases nothing unknown", () => {
    const r = new OrderRegistry();
    r.add(order("a"));
    r.linkExchangeId("a", "");
    r.linkExchangeId("nobody", "ex-x");
    r.alias("n2", "nobody");
    assert.equal(r.get("a")!.exchangeOrderId, "");
    assert.equal(r.clientOrderIdOf(""), undefined);
    assert.equal(r.clientOrderIdOf("ex-x"), undefined);
    assert.equal(r.get("n2"), undefined);
  });

  it("refuses a client order id it already knows (the ledger refuses the place first)", () => {
    const r = new OrderRegistry();
    r.add(order("a"));
    assert.throws(() => r.add(order("a")), /already known/);
    r.alias("b", "a");
    assert.throws(() => r.add(order("b")), /already known/);
  });

  it("retires an order: no longer open, still found; a second retire changes nothing", () => {
    const r = new OrderRegistry(2);
    const a = order("a");
    const b = order("b");
    r.add(a);
    r.add(b);
    r.retire(a);
    assert.equal(a.open, false);
    assert.deepEqual(r.openOrders(), [b]);
    assert.deepEqual([...r.eachOpen()], [b]);
    assert.equal(r.get("a"), a, "a finished order is kept for late fills");
    r.retire(a);
    assert.deepEqual(r.openOrders(), [b]);
    assert.equal(r.get("a"), a);
  });

  it("forgets the oldest retired order first, with every id that found it", () => {
    const r = new OrderRegistry(1);
    const a = order("a");
    r.add(a);
    r.linkExchangeId("a", "ex-a");
    r.alias("a2", "a");
    r.add(order("b"));
    r.retire(a);
    assert.equal(r.get("a2"), a);
    r.retire(r.get("b")!);
    assert.equal(r.get("a"), undefined);
    assert.equal(r.get("a2"), undefined);
    assert.equal(r.clientOrderIdOf("ex-a"), undefined);
    assert.ok(r.get("b") !== undefined);
  });

  it("keeps its invariants over any sequence of adds, links, aliases and retires", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), n: fc.nat(20) }),
      fc.record({ kind: fc.constant("retire" as const), n: fc.nat(20) }),
      fc.record({ kind: fc.constant("link" as const), n: fc.nat(20) }),
      fc.record({ kind: fc.constant("alias" as const), n: fc.nat(20), k: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (maxClosed, ops) => {
        const r = new OrderRegistry(maxClosed);
        const added: LedgerOrder[] = [];
        const retired: LedgerOrder[] = [];
        const ids = new Map<LedgerOrder, string[]>();
        for (const o of ops) {
          // client and exchange order ids are never reused (uuids, exchange ids)
          if (o.kind === "add") {
            const lo = order(`c${added.length}`);
            r.add(lo);
            added.push(lo);
            ids.set(lo, [lo.clientOrderId]);
            continue;
          }
          const lo = added.length === 0 ? undefined : added[o.n % added.length]!;
          if (lo === undefined || r.get(lo.clientOrderId) !== lo) continue;
          if (o.kind === "retire") {
            if (lo.open) retired.push(lo);
            r.retire(lo);
          } else if (o.kind === "link") {
            if (lo.exchangeOrderId === "") r.linkExchangeId(lo.clientOrderId, `ex-${lo.clientOrderId}`);
          } else {
            const alias = `${lo.clientOrderId}-v${o.k}`;
            if (r.get(alias) !== undefined) continue;
            r.alias(alias, lo.clientOrderId);
            ids.get(lo)!.push(alias);
          }
        }
        // open exactly until retired
        const open = r.openOrders();
        assert.deepEqual(new Set(open), new Set(added.filter((lo) => !retired.includes(lo))));
        for (const lo of open) assert.equal(lo.open, true);
        // every remembered order is found by each of its ids; at most maxClosed retired ones kept
        const keptRetired = retired.filter((lo) => r.get(lo.clientOrderId) === lo);
        assert.ok(keptRetired.length <= maxClosed);
        assert.deepEqual(
          keptRetired,
          retired.slice(retired.length - keptRetired.length),
          "oldest forgotten first",
        );
        for (const lo of [...open, ...keptRetired]) {
          for (const id of ids.get(lo)!) assert.equal(r.get(id), lo);
          if (lo.exchangeOrderId !== "")
            assert.equal(r.clientOrderIdOf(lo.exchangeOrderId), lo.clientOrderId);
        }
        // a forgotten order is found by none of its ids
        for (const lo of retired.filter((x) => !keptRetired.includes(x))) {
          for (const id of ids.get(lo)!) assert.notEqual(r.get(id), lo);
          if (lo.exchangeOrderId !== "") assert.equal(r.clientOrderIdOf(lo.exchangeOrderId), undefined);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

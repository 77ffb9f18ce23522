/**
 * Every (state, trigger) pair of the order state machine, driven through OrderLifecycle over a real
 * ledger: the state after it, whether the order is still worked, and what its ledger reservation
 * becomes. The expected table below is the specification, written independently of the code's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RestOrder } from "../../../src/kalshi/rest-types.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import type { JournalRecord } from "../../../src/orders/execution/journal.js";
import { type OrderInput, OrderLifecycle } from "../../../src/orders/execution/order-lifecycle.js";
import {
  ORDER_STATES,
  ORDER_TRANSITIONS,
  ORDER_TRIGGERS,
  type OrderState,
  type OrderTrigger,
} from "../../../src/orders/execution/order-states.js";
import type { OrderEvent } from "../../../src/orders/execution/order-types.js";
import type { WorkingOrder } from "../../../src/orders/execution/working-orders.js";

/** What the reservation becomes: unchanged, released, or that of (own limit, total count). */
type Reserve = "same" | "released" | readonly [limitTicks: number, totalHundredths: number];
type Expect = readonly [OrderState, Reserve] | "ignored";

const LIMIT = 4000;
const COUNT = 1000;
const KEEP = 400;
/** the amend in flight in state `changing` */
const AMEND_LIMIT = 4500;
/** the exchange's view for `found_resting` */
const FOUND_PRICE = 4200;
const FOUND_REMAINING = 600;

const I = "ignored" as const;
const EXPECTED: Record<OrderState, Record<OrderTrigger, Expect>> = {
  pending: {
    change_sent: I,
    rests: ["resting", "same"],
    done: ["closed", [LIMIT, KEEP]],
    canceled: I,
    refused: ["closed", "released"],
    lost: ["unknown", "same"],
    found_resting: I,
    found_gone: I,
    not_found: I,
    filled: I,
    exchange_canceled: ["pending", [LIMIT, KEEP]],
    settled: ["closed", "same"],
  },
  resting: {
    change_sent: ["changing", "same"],
    rests: I,
    done: I,
    canceled: I,
    refused: I,
    lost: I,
    found_resting: ["resting", [FOUND_PRICE, FOUND_REMAINING]],
    found_gone: ["closed", "released"],
    not_found: ["closed", "released"],
    filled: ["closed", "same"],
    exchange_canceled: ["closed", [LIMIT, KEEP]],
    settled: ["closed", "same"],
  },
  changing: {
    change_sent: I,
    rests: ["resting", "same"],
    done: ["closed", [AMEND_LIMIT, KEEP]],
    canceled: ["closed", [AMEND_LIMIT, KEEP]],
    refused: ["resting", [LIMIT, COUNT]],
    lost: ["unknown", "same"],
    found_resting: I,
    found_gone: I,
    not_found: I,
    filled: I,
    exchange_canceled: ["changing", [AMEND_LIMIT, KEEP]],
    settled: ["closed", "same"],
  },
  unknown: {
    change_sent: I,
    rests: I,
    done: I,
    canceled: I,
    refused: I,
    lost: I,
    found_resting: ["resting", [FOUND_PRICE, FOUND_REMAINING]],
    found_gone: ["closed", "released"],
    not_found: ["closed", "released"],
    filled: I,
    exchange_canceled: ["unknown", [LIMIT, KEEP]],
    settled: ["closed", "same"],
  },
  closed: {
    change_sent: I,
    rests: I,
    done: I,
    canceled: I,
    refused: I,
    lost: I,
    found_resting: I,
    found_gone: I,
    not_found: I,
    filled: I,
    exchange_canceled: ["closed", [LIMIT, KEEP]],
    settled: I,
  },
};

function restOrder(status: string, remaining: number): RestOrder {
  return {
    orderId: "x1",
    clientOrderId: "c1",
    ticker: "KX-A",
    side: "bid",
    status,
    yesPriceTicks: FOUND_PRICE,
    fillCountHundredths: 0,
    remainingCountHundredths: remaining,
    initialCountHundredths: COUNT,
    takerFeesMicros: 0,
    makerFeesMicros: 0,
    createdTime: "",
  };
}

function inputOf(trigger: OrderTrigger): OrderInput {
  switch (trigger) {
    case "done":
    case "canceled":
    case "exchange_canceled":
      return { on: trigger, keepHundredths: KEEP };
    case "found_resting":
      return { on: "found", order: restOrder("resting", FOUND_REMAINING) };
    case "found_gone":
      return { on: "found", order: restOrder("canceled", 0) };
    default:
      return { on: trigger };
  }
}

interface Rig {
  ledger: Ledger;
  orders: OrderLifecycle;
  w: WorkingOrder;
  journal: JournalRecord[];
  events: OrderEvent[];
  failJournal: { on: boolean };
}

/** A BUY_YES 40¢ × 10 order of market 0, brought into `state` by the lifecycle itself. */
function orderIn(state: OrderState): Rig {
  const ledger = new Ledger(100_000_000);
  const journal: JournalRecord[] = [];
  const events: OrderEvent[] = [];
  const failJournal = { on: false };
  const orders = new OrderLifecycle({
    ledger,
    journal: {
      append: async (r) => {
        if (failJournal.on) throw new Error("disk full");
        journal.push(r);
      },
    },
    emit: (e) => events.push(e),
    now: () => 0,
  });
  const w: WorkingOrder = {
    clientOrderId: "c1",
    exchangeOrderId: "",
    side: "bid",
    action: "BUY_YES",
    yesPriceTicks: LIMIT,
    countHundredths: COUNT,
    filledHundredths: 0,
    placedMs: 0,
    state: "pending",
  };
  const req = {
    clientOrderId: "c1",
    market: 0,
    action: "BUY_YES" as const,
    ownLimitTicks: LIMIT,
    countHundredths: COUNT,
  };
  assert.ok(orders.open(0, w, req).ok);
  orders.link(w, "x1");
  if (state === "resting" || state === "changing") orders.apply(w, { on: "rests" });
  if (state === "changing")
    assert.ok(orders.beginChange(w, { ownLimitTicks: AMEND_LIMIT, countHundredths: COUNT }));
  if (state === "unknown") orders.apply(w, { on: "lost" });
  if (state === "closed") {
    // canceled while fills may still be on their way: the ledger keeps the whole order reserved
    orders.apply(w, { on: "rests" });
    orders.beginChange(w);
    orders.apply(w, { on: "canceled", keepHundredths: COUNT });
  }
  assert.equal(w.state, state);
  return { ledger, orders, w, journal, events, failJournal };
}

function reservationOf(ledger: Ledger, limit: number, total: number): number {
  return ledger.reservationMicros({
    clientOrderId: "",
    market: 0,
    action: "BUY_YES",
    ownLimitTicks: limit,
    countHundredths: total,
  });
}

describe("order state machine: every state × every trigger", () => {
  it("the code's table has exactly the transitions the specification lists", () => {
    for (const s of ORDER_STATES)
      for (const t of ORDER_TRIGGERS) {
        const want = EXPECTED[s][t];
        const have = ORDER_TRANSITIONS[s][t];
        if (want === "ignored") assert.equal(have, undefined, `${s} × ${t}`);
        else assert.equal(have?.to, want[0], `${s} × ${t}`);
      }
  });

  for (const state of ORDER_STATES) {
    for (const trigger of ORDER_TRIGGERS) {
      const want = EXPECTED[state][trigger];
      it(`${state} × ${trigger} → ${want === "ignored" ? "unchanged" : want[0]}`, () => {
        const { ledger, orders, w } = orderIn(state);
        const reservedBefore = ledger.reservedCashMicros;
        const freeBefore = ledger.freeCashMicros;
        const after = orders.apply(w, inputOf(trigger));
        const [toState, reserve]: readonly [OrderState, Reserve] =
          want === "ignored" ? [state, "same"] : want;
        assert.equal(after, toState);
        assert.equal(w.state, toState);
        assert.equal(orders.working.find(w.clientOrderId) !== undefined, toState !== "closed", "worked?");
        if (reserve === "same") assert.equal(ledger.reservedCashMicros, reservedBefore);
        else if (reserve === "released") {
          assert.equal(ledger.reservedCashMicros, 0);
          assert.equal(ledger.orders.get("c1")?.open, false);
        } else assert.equal(ledger.reservedCashMicros, reservationOf(ledger, reserve[0], reserve[1]));
        // reserving moves cash between free and reserved, never creates or destroys it
        assert.equal(ledger.freeCashMicros + ledger.reservedCashMicros, freeBefore + reservedBefore);
      });
    }
  }
});

describe("order lifecycle: reservation, working order and journal move together", () => {
  it("a create whose intent is not durable leaves nothing behind", async () => {
    const { ledger, orders, w, failJournal, events } = orderIn("pending");
    failJournal.on = true;
    const ok = await orders.journalIntent(0, w, {
      t: "intent",
      op: "create",
      cid: "c1",
      tsMs: 0,
      ticker: "KX-A",
    });
    assert.equal(ok, false);
    assert.equal(w.state, "closed");
    assert.equal(orders.working.size, 0);
    assert.equal(ledger.reservedCashMicros, 0);
    assert.equal(ledger.freeCashMicros, 100_000_000);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["order_refused"],
    );
  });

  it("an amend whose intent is not durable gets its old reservation back and rests again", async () => {
    const { ledger, orders, w, failJournal } = orderIn("changing");
    assert.equal(ledger.reservedCashMicros, reservationOf(ledger, AMEND_LIMIT, COUNT));
    failJournal.on = true;
    assert.equal(
      await orders.journalIntent(0, w, { t: "intent", op: "amend", cid: "c1", tsMs: 0, ticker: "" }),
      false,
    );
    assert.equal(w.state, "resting");
    assert.equal(ledger.reservedCashMicros, reservationOf(ledger, LIMIT, COUNT));
  });

  it("an amend free cash cannot take changes nothing", () => {
    const { ledger, orders, w } = orderIn("resting");
    const reserved = ledger.reservedCashMicros;
    assert.equal(orders.beginChange(w, { ownLimitTicks: LIMIT, countHundredths: 1_000_000 }), false);
    assert.equal(w.state, "resting");
    assert.equal(ledger.reservedCashMicros, reserved);
  });

  it("a durable intent and the outcome go to the journal, the outcome is told", async () => {
    const { orders, w, journal, events } = orderIn("pending");
    assert.ok(
      await orders.journalIntent(0, w, { t: "intent", op: "create", cid: "c1", tsMs: 0, ticker: "KX-A" }),
    );
    orders.record(0, "c1", "accepted", undefined, "x1");
    await Promise.resolve();
    assert.deepEqual(
      journal.map((r) => r.t),
      ["intent", "outcome"],
    );
    assert.deepEqual(events.at(-1), {
      kind: "order_outcome",
      market: 0,
      clientOrderId: "c1",
      result: "accepted",
    });
  });

  it("the exchange's view renames the order when it knows it by another id", () => {
    const { ledger, orders, w } = orderIn("unknown");
    orders.apply(w, { on: "found", order: { ...restOrder("resting", COUNT), clientOrderId: "c2" } });
    assert.equal(w.clientOrderId, "c2");
    assert.equal(orders.working.find("c2")?.order, w);
    assert.equal(ledger.orders.get("c2"), ledger.orders.get("c1"));
  });

  it("an exchange cancel of an order no longer worked still frees what the ledger holds for it", () => {
    const { ledger, orders } = orderIn("closed");
    assert.equal(orders.applyByIds("c1", { on: "exchange_canceled", keepHundredths: 0 }), "closed");
    assert.equal(ledger.reservedCashMicros, 0);
  });
});

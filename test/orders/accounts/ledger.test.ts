import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FeeSchedule } from "../../../src/orders/accounts/fees.js";
import {
  type EngineAction,
  Ledger,
  type LedgerEvent,
  type LedgerFill,
} from "../../../src/orders/accounts/ledger.js";

const START = 100_000_000; // $100
const M = 7;

function ledger(events: LedgerEvent[] = [], schedule?: FeeSchedule): Ledger {
  return new Ledger(START, {
    onEvent: (e) => events.push(e),
    ...(schedule ? { feeScheduleOf: () => schedule } : {}),
  });
}

let fillSeq = 0;
function fill(
  l: Ledger,
  cid: string,
  side: "bid" | "ask",
  yesPriceTicks: number,
  sizeHundredths: number,
  extra: Partial<LedgerFill> = {},
): boolean {
  return l.applyFill({
    fillId: `f${++fillSeq}`,
    market: M,
    clientOrderId: cid,
    side,
    yesPriceTicks,
    sizeHundredths,
    isTaker: true,
    ...extra,
  });
}

function place(l: Ledger, cid: string, action: EngineAction, ownLimitTicks: number, countHundredths: number) {
  return l.place({ clientOrderId: cid, market: M, action, ownLimitTicks, countHundredths });
}

/** Buys 10 YES at $0.40 as taker: pays $4.00 + $0.168 fee. */
function hold10Yes(l: Ledger): void {
  assert.equal(place(l, "seed", "BUY_YES", 4000, 1000).ok, true);
  fill(l, "seed", "bid", 4000, 1000);
}

describe("ledger (correctness-rules.md rules 8–13)", () => {
  it("reserves limit × count + worst-case fee for a buy, refunds price improvement at fill", () => {
    const l = ledger();
    assert.deepEqual(place(l, "a", "BUY_YES", 5000, 1000), { ok: true, reservedMicros: 5_175_000 });
    assert.equal(l.freeCashMicros, 94_825_000);
    assert.equal(l.reservedCashMicros, 5_175_000);
    fill(l, "a", "bid", 4500, 1000); // fee 0.07 × 10 × 0.2475 = 0.17325 → $0.1733
    assert.equal(l.freeCashMicros, START - 4_500_000 - 173_300);
    assert.equal(l.reservedCashMicros, 0);
    assert.equal(l.position(M).contractsHundredths, 1000);
    assert.equal(l.position(M).costBasisMicros, 4_500_000);
    assert.equal(l.position(M).feesPaidMicros, 173_300);
    assert.equal(l.orders.get("a")?.open, false);
  });

  it("moves a partial fill from reserved to spent and returns the rest on cancel", () => {
    const l = ledger();
    place(l, "a", "BUY_YES", 4000, 1000); // 4,000,000 + fee 0.168
    assert.equal(l.freeCashMicros, 95_832_000);
    fill(l, "a", "bid", 4000, 400, { isTaker: false }); // maker on a quadratic series: free
    assert.equal(l.freeCashMicros, 95_832_000);
    assert.equal(l.reservedCashMicros, 2_400_000 + 168_000);
    assert.equal(l.cancelRemainder("a"), true);
    assert.equal(l.freeCashMicros, START - 1_600_000);
    assert.equal(l.reservedCashMicros, 0);
    assert.equal(l.position(M).contractsHundredths, 400);
    assert.equal(l.cancelRemainder("a"), false, "a second cancel changes nothing");
  });

  it("returns everything on a reject", () => {
    const l = ledger();
    assert.deepEqual(place(l, "n", "BUY_NO", 3000, 500), { ok: true, reservedMicros: 1_500_000 + 73_500 });
    assert.equal(l.reject("n"), true);
    assert.equal(l.freeCashMicros, START);
    assert.equal(l.reservedCashMicros, 0);
  });

  it("prices a NO fill on the NO scale (rule 10)", () => {
    const l = ledger();
    place(l, "n", "BUY_NO", 2500, 1000); // V2 ask at YES 0.75
    fill(l, "n", "ask", 7500, 1000, { exchangeFeeMicros: 140_000 }); // 0.07×10×0.1875 = 0.13125 → 0.14
    assert.equal(l.position(M).contractsHundredths, -1000);
    assert.equal(l.position(M).costBasisMicros, 2_500_000);
    assert.equal(l.freeCashMicros, START - 2_500_000 - 140_000);
  });

  it("nets YES and NO: long 10 YES, buy 4 NO at $0.30 → 6 YES and +4 × $0.70", () => {
    const l = ledger();
    hold10Yes(l);
    assert.equal(l.freeCashMicros, 95_832_000);
    place(l, "n", "BUY_NO", 3000, 400); // reserves 1,200,000 + 58,800 (0.0588)
    fill(l, "n", "ask", 7000, 400);
    const p = l.position(M);
    assert.equal(p.contractsHundredths, 600);
    assert.equal(p.costBasisMicros, 2_400_000);
    assert.equal(p.realizedPnlMicros, 2_800_000 - 1_600_000);
    assert.equal(l.freeCashMicros, 95_832_000 + 2_800_000 - 58_800);
    assert.equal(l.reservedCashMicros, 0);
  });

  it("splits a flip through zero into a close and an open with its own basis (rule 11)", () => {
    const l = ledger();
    hold10Yes(l);
    place(l, "n", "BUY_NO", 3000, 1400);
    fill(l, "n", "ask", 7000, 1400); // closes 10 YES at 0.70, opens 4 NO at 0.30
    const p = l.position(M);
    assert.equal(p.contractsHundredths, -400);
    assert.equal(p.realizedPnlMicros, 7_000_000 - 4_000_000);
    assert.equal(p.costBasisMicros, 1_200_000);
  });

  it("sells held YES for proceeds and realises against the basis", () => {
    const l = ledger();
    hold10Yes(l);
    assert.deepEqual(place(l, "s", "SELL_YES", 6000, 500), { ok: true, reservedMicros: 84_000 });
    fill(l, "s", "ask", 6200, 500); // sold above the limit; fee 0.07×5×0.62×0.38 = 0.08246 → 0.0825
    const p = l.position(M);
    assert.equal(p.contractsHundredths, 500);
    assert.equal(p.realizedPnlMicros, 3_100_000 - 2_000_000);
    assert.equal(l.freeCashMicros, 95_832_000 + 3_100_000 - 82_500);
    assert.equal(l.reservedCashMicros, 0);
  });

  it("refuses to sell what is not held, or already committed to another sell (rule 9)", () => {
    const l = ledger();
    assert.deepEqual(place(l, "s", "SELL_YES", 6000, 100), { ok: false, reason: "nothing_to_sell" });
    assert.equal(l.freeCashMicros, START);
    hold10Yes(l);
    assert.equal(place(l, "s1", "SELL_YES", 6000, 700).ok, true);
    assert.equal(l.sellableHundredths(M, "SELL_YES"), 300);
    assert.deepEqual(place(l, "s2", "SELL_YES", 6000, 400), { ok: false, reason: "nothing_to_sell" });
    assert.deepEqual(place(l, "s3", "SELL_NO", 6000, 100), { ok: false, reason: "nothing_to_sell" });
  });

  it("refuses a buy that free cash cannot cover", () => {
    const l = new Ledger(1_000_000);
    assert.deepEqual(place(l, "a", "BUY_YES", 5000, 300), { ok: false, reason: "insufficient_cash" });
    assert.equal(l.freeCashMicros, 1_000_000);
  });

  it("applies a fill id only once (rule 13)", () => {
    const l = ledger();
    place(l, "a", "BUY_YES", 5000, 1000);
    const f: LedgerFill = {
      fillId: "t1",
      market: M,
      clientOrderId: "a",
      side: "bid",
      yesPriceTicks: 5000,
      sizeHundredths: 500,
      isTaker: true,
    };
    assert.equal(l.applyFill(f), true);
    const free = l.freeCashMicros;
    assert.equal(l.applyFill(f), false);
    assert.equal(l.freeCashMicros, free);
    assert.equal(l.position(M).contractsHundredths, 500);
  });

  it("takes the exchange fee as authoritative and records a mismatch", () => {
    const events: LedgerEvent[] = [];
    const l = ledger(events);
    place(l, "a", "BUY_YES", 5000, 1000);
    fill(l, "a", "bid", 5000, 1000, { exchangeFeeMicros: 170_000, fillId: "x" });
    assert.equal(l.freeCashMicros, START - 5_000_000 - 170_000);
    assert.deepEqual(events, [
      { kind: "fee_mismatch", fillId: "x", modelMicros: 175_000, exchangeMicros: 170_000 },
    ]);
  });

  it("charges maker fees on a maker-fee series", () => {
    const l = ledger([], { feeType: "quadratic_with_maker_fees", multiplierBp: 10_000 });
    place(l, "a", "BUY_YES", 5000, 1000);
    fill(l, "a", "bid", 5000, 1000, { isTaker: false });
    assert.equal(l.position(M).feesPaidMicros, 43_800); // 0.04375 → $0.0438
    assert.equal(l.freeCashMicros, START - 5_000_000 - 43_800);
  });

  it("matches fills by exchange order id and moves cash for fills of unknown orders", () => {
    const events: LedgerEvent[] = [];
    const l = ledger(events);
    place(l, "a", "BUY_YES", 5000, 1000);
    l.orders.linkExchangeId("a", "ex-1");
    l.applyFill({
      fillId: "t",
      market: M,
      exchangeOrderId: "ex-1",
      side: "bid",
      yesPriceTicks: 5000,
      sizeHundredths: 1000,
      isTaker: true,
    });
    assert.equal(l.reservedCashMicros, 0);
    l.applyFill({
      fillId: "u",
      market: M,
      side: "ask",
      yesPriceTicks: 6000,
      sizeHundredths: 100,
      isTaker: false,
    });
    assert.equal(events[0]?.kind, "fill_unknown_order");
    assert.equal(l.position(M).contractsHundredths, 900);
  });

  it("re-reserves on amend and refuses an amend it cannot pay", () => {
    const l = new Ledger(10_000_000);
    place(l, "a", "BUY_YES", 4000, 1000); // 4,000,000 + 168,000
    assert.equal(l.amend("a", 4500, 1000), true); // 4,500,000 + 0.17325 → 173,300
    assert.equal(l.reservedCashMicros, 4_673_300);
    assert.equal(l.amend("a", 9000, 2000), false); // 18,000,000 needed
    assert.equal(l.reservedCashMicros, 4_673_300);
    assert.equal(l.freeCashMicros, 10_000_000 - 4_673_300);
  });

  it("marks YES at the YES mid, NO at the NO mid, and keeps the last mark on an empty book", () => {
    const l = ledger();
    hold10Yes(l);
    l.mark(M, 5000, 4600); // YES ask 0.54 → mid 0.52
    assert.equal(l.position(M).markValueMicros(), 5_200_000);
    assert.equal(l.position(M).unrealizedPnlMicros(), 1_200_000);
    l.mark(M, 0, 0);
    assert.equal(l.position(M).markValueMicros(), 5_200_000);
    place(l, "n", "BUY_NO", 3000, 1400);
    fill(l, "n", "ask", 7000, 1400);
    assert.equal(l.position(M).markValueMicros(), 400 * 480 * 10); // 4 NO at NO mid 0.48
  });
  it("keeps memory bounded: forgets the oldest finished orders and fill ids", () => {
    const l = new Ledger(START, { maxClosedOrders: 1, maxSeenFills: 2 });
    place(l, "a", "BUY_YES", 5000, 100);
    l.orders.linkExchangeId("a", "ex-a");
    place(l, "b", "BUY_YES", 5000, 100);
    fill(l, "a", "bid", 5000, 100, { fillId: "fa" });
    assert.ok(l.orders.get("a") !== undefined, "one finished order is kept for late fills");
    fill(l, "b", "bid", 5000, 100, { fillId: "fb" });
    assert.equal(l.orders.get("a"), undefined);
    assert.equal(l.orders.clientOrderIdOf("ex-a"), undefined);
    assert.ok(l.orders.get("b") !== undefined);
    assert.equal(l.hasFill("fa"), true);
    l.markFillSeen("fc");
    assert.equal(l.hasFill("fa"), false, "the oldest fill id is forgotten first");
    assert.equal(l.hasFill("fc"), true);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { OrderFeeAccumulator, STANDARD_FEE_SCHEDULE } from "../../../src/orders/accounts/fees.js";
import { type EngineAction, isBuy, Ledger, yesLegTicks } from "../../../src/orders/accounts/ledger.js";

/**
 * Reference model without netting: it keeps YES and NO counts apart and pays every fill at its
 * own side's price. Netting turns 1 YES + 1 NO into $1 of cash, so at any mark the two must have
 * the same equity (cash + contracts at marks), to the micro.
 */
class Reference {
  cashMicros: number;
  yesH = 0;
  noH = 0;
  readonly fees = new Map<string, OrderFeeAccumulator>();
  constructor(start: number) {
    this.cashMicros = start;
  }
  fill(cid: string, side: "bid" | "ask", yesPriceTicks: number, h: number): void {
    if (side === "bid") {
      // buying YES at p, or — when NO is held — selling NO at 1 − p: same cash as buying YES then netting
      this.cashMicros -= yesPriceTicks * h; // ticks × hundredths = micros
      this.yesH += h;
    } else {
      this.cashMicros -= (10_000 - yesPriceTicks) * h;
      this.noH += h;
    }
    let acc = this.fees.get(cid);
    if (acc === undefined) this.fees.set(cid, (acc = new OrderFeeAccumulator(STANDARD_FEE_SCHEDULE)));
    this.cashMicros -= acc.chargeFill(true, side === "bid" ? yesPriceTicks : 10_000 - yesPriceTicks, h);
  }
  equityMicros(markHalfTicks: number): number {
    return this.cashMicros + (this.yesH * markHalfTicks + this.noH * (20_000 - markHalfTicks)) / 2;
  }
}

type Op =
  | { k: "place"; action: EngineAction; limit: number; count: number }
  | { k: "fill"; pick: number; frac: number; improve: number; dup: boolean }
  | { k: "cancel"; pick: number }
  | { k: "mark"; bid: number; noBid: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant("place" as const),
    action: fc.constantFrom<EngineAction>("BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"),
    limit: fc.integer({ min: 1, max: 9999 }),
    count: fc.integer({ min: 1, max: 5000 }),
  }),
  fc.record({
    k: fc.constant("fill" as const),
    pick: fc.nat(),
    frac: fc.integer({ min: 1, max: 100 }),
    improve: fc.integer({ min: 0, max: 50 }),
    dup: fc.boolean(),
  }),
  fc.record({ k: fc.constant("cancel" as const), pick: fc.nat() }),
  fc.record({
    k: fc.constant("mark" as const),
    bid: fc.integer({ min: 0, max: 9999 }),
    noBid: fc.integer({ min: 0, max: 9999 }),
  }),
);

describe("ledger property: cash and marks reconcile with a no-netting reference", () => {
  it("free + reserved + positions at marks equals the reference equity over random streams", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const START = 50_000_000_000;
        const M = 3;
        const l = new Ledger(START);
        const ref = new Reference(START);
        let mark = 10_000; // half-ticks: YES mid $0.50
        l.mark(M, 5000, 5000);
        let n = 0;
        let lastFill: { id: string; cid: string; side: "bid" | "ask"; p: number; h: number } | undefined;
        for (const op of ops) {
          if (op.k === "place") {
            l.place({
              clientOrderId: `o${++n}`,
              market: M,
              action: op.action,
              ownLimitTicks: op.limit,
              countHundredths: op.count,
            });
          } else if (op.k === "mark") {
            l.mark(M, op.bid, op.noBid);
            if (op.bid > 0 && op.noBid > 0) mark = op.bid + 10_000 - op.noBid;
          } else {
            const open = l.orders.openOrders();
            if (open.length === 0) continue;
            const o = open[op.pick % open.length]!;
            if (op.k === "cancel") {
              l.cancelRemainder(o.clientOrderId);
              continue;
            }
            if (op.dup && lastFill) {
              assert.equal(
                l.applyFill({
                  fillId: lastFill.id,
                  market: M,
                  clientOrderId: lastFill.cid,
                  side: lastFill.side,
                  yesPriceTicks: lastFill.p,
                  sizeHundredths: lastFill.h,
                  isTaker: true,
                }),
                false,
              );
              continue;
            }
            const left = o.countHundredths - o.filledHundredths;
            const h = Math.max(1, Math.floor((left * op.frac) / 100));
            // buys fill at or below the limit, sells at or above (on the order's own scale)
            const own = isBuy(o.action)
              ? Math.max(1, o.ownLimitTicks - op.improve)
              : Math.min(9999, o.ownLimitTicks + op.improve);
            const p = yesLegTicks(o.action, own);
            const id = `t${++n}`;
            assert.equal(
              l.applyFill({
                fillId: id,
                market: M,
                clientOrderId: o.clientOrderId,
                side: o.side,
                yesPriceTicks: p,
                sizeHundredths: h,
                isTaker: true,
              }),
              true,
            );
            ref.fill(o.clientOrderId, o.side, p, h);
            lastFill = { id, cid: o.clientOrderId, side: o.side, p, h };
          }
          const pos = l.position(M);
          assert.equal(pos.contractsHundredths, ref.yesH - ref.noH);
          assert.equal(l.equityMicros(), ref.equityMicros(mark));
          const reservedSum = l.orders
            .openOrders()
            .reduce((s, o) => s + o.reservedCostMicros + o.reservedFeeMicros, 0);
          assert.equal(l.reservedCashMicros, reservedSum);
          assert.ok(l.reservedCashMicros >= 0);
          // P&L identity: equity − start = realised + unrealised − fees
          assert.equal(
            l.equityMicros() - START,
            pos.realizedPnlMicros + pos.unrealizedPnlMicros() - pos.feesPaidMicros,
          );
        }
      }),
      { numRuns: 300, seed: 20261124 },
    );
  });
});

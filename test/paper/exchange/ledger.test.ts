import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOLLAR, type Fixture, makeExchange, place, req, unwrap } from "./helpers.js";

/** balance + held == deposits − fees − Σ basis + Σ realised, for one user. */
function assertIdentity(f: Fixture, user: string): void {
  const b = unwrap(f.ex.balance(user));
  let rhs = b.depositsMicros;
  for (const p of f.ex.positions(user)) rhs += p.realizedPnlMicros - p.feesPaidMicros - p.costBasisMicros;
  assert.equal(b.balanceMicros + b.heldMicros, rhs, `ledger identity for ${user}`);
}

/** a buys 10 YES at $0.50 from b (b buys 10 NO at $0.50), no fees. */
function longTen(): Fixture {
  const f = makeExchange(undefined, false);
  place(f, "b", req("LIN", "ask", 5000, 10));
  place(f, "a", req("LIN", "bid", 5000, 10));
  return f;
}

describe("paper exchange ledger", () => {
  it("a resting buy holds limit × count; cancel returns it", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10));
    assert.deepEqual(
      [unwrap(f.ex.balance("a")).balanceMicros, unwrap(f.ex.balance("a")).heldMicros],
      [996 * DOLLAR, 4 * DOLLAR],
    );
    const ask = place(f, "a", req("LIN", "ask", 7000, 10)); // buys NO at $0.30
    assert.equal(ask.heldMicros, 3 * DOLLAR);
    assert.equal(unwrap(f.ex.cancelOrder("a", o.orderId)).reducedByHundredths, 1000);
    unwrap(f.ex.cancelOrder("a", ask.orderId));
    assert.deepEqual(
      [unwrap(f.ex.balance("a")).balanceMicros, unwrap(f.ex.balance("a")).heldMicros],
      [1000 * DOLLAR, 0],
    );
  });

  it("a taker fill refunds the price improvement", () => {
    const f = makeExchange(undefined, false);
    place(f, "b", req("LIN", "ask", 5500, 10));
    place(f, "a", req("LIN", "bid", 6000, 10));
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 1000 * DOLLAR - 5_500_000);
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 0);
  });

  it("nets YES and NO: long 10 YES then buy 4 NO at $0.30 → 6 YES and +4 × $0.70", () => {
    const f = longTen();
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 995 * DOLLAR);
    const sell = place(f, "a", req("LIN", "ask", 7000, 4)); // buy NO at $0.30
    assert.equal(sell.heldMicros, 0, "closing held contracts needs no cash");
    place(f, "c", req("LIN", "bid", 7000, 4));
    const pos = f.ex.positions("a")[0]!;
    assert.equal(pos.positionHundredths, 600);
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 995 * DOLLAR + 2_800_000);
    assert.equal(pos.realizedPnlMicros, 800_000); // 4 × (0.70 − 0.50)
    assert.equal(pos.costBasisMicros, 3 * DOLLAR);
    assert.equal(f.ex.listFills("a")[0]!.postPositionHundredths, 600);
    assertIdentity(f, "a");
    assertIdentity(f, "c");
  });

  it("a fill through zero closes the old side and opens the new one with its own basis", () => {
    const f = longTen();
    const sell = place(f, "a", req("LIN", "ask", 6000, 15)); // 10 close, 5 open NO at $0.40
    assert.equal(sell.heldMicros, 2 * DOLLAR, "holds only the opening 5 × $0.40");
    place(f, "c", req("LIN", "bid", 6000, 15));
    const pos = f.ex.positions("a")[0]!;
    assert.equal(pos.positionHundredths, -500);
    assert.equal(pos.realizedPnlMicros, 1 * DOLLAR); // 10 × (0.60 − 0.50)
    assert.equal(pos.costBasisMicros, 2 * DOLLAR); // 5 NO × 0.40
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 999 * DOLLAR);
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 0);
    assertIdentity(f, "a");
  });

  it("closing the other way (buy YES while long NO) realises against $1 − p", () => {
    const f = longTen(); // b long 10 NO at $0.50
    place(f, "c", req("LIN", "ask", 3000, 10)); // c buys NO at $0.70
    place(f, "b", req("LIN", "bid", 3000, 10)); // b buys YES at $0.30 = sells NO at $0.70
    const pos = f.ex.positions("b")[0]!;
    assert.equal(pos.positionHundredths, 0);
    assert.equal(pos.realizedPnlMicros, 2 * DOLLAR); // 10 × (0.70 − 0.50)
    assert.equal(unwrap(f.ex.balance("b")).balanceMicros, 1002 * DOLLAR);
    assertIdentity(f, "b");
  });

  it("tracks open interest as outstanding pairs", () => {
    const f = longTen();
    assert.equal(unwrap(f.ex.market("LIN")).openInterestHundredths, 1000);
    place(f, "a", req("LIN", "ask", 5000, 4));
    place(f, "b", req("LIN", "bid", 5000, 4)); // both close 4
    assert.equal(unwrap(f.ex.market("LIN")).openInterestHundredths, 600);
    assert.equal(unwrap(f.ex.market("LIN")).volumeHundredths, 1400);
  });

  it("settlement pays $1 per winning contract, clears positions and cancels resting orders", () => {
    const f = longTen();
    const resting = place(f, "c", req("LIN", "bid", 1000, 10));
    unwrap(f.ex.settleMarket("LIN", "yes"));
    assert.equal(resting.status, "canceled");
    assert.equal(resting.lastUpdateReason, "MarketSettled");
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 1005 * DOLLAR);
    assert.equal(unwrap(f.ex.balance("b")).balanceMicros, 995 * DOLLAR);
    assert.equal(unwrap(f.ex.balance("c")).balanceMicros, 1000 * DOLLAR);
    const pa = f.ex.positions("a")[0]!;
    assert.deepEqual([pa.positionHundredths, pa.costBasisMicros, pa.realizedPnlMicros], [0, 0, 5 * DOLLAR]);
    const [s] = f.ex.settlements("a");
    assert.deepEqual(
      [s!.marketResult, s!.yesCountHundredths, s!.yesTotalCostMicros, s!.revenueMicros],
      ["yes", 1000, 5 * DOLLAR, 10 * DOLLAR],
    );
    assert.equal(f.ex.settlements("b")[0]!.revenueMicros, 0);
    const m = unwrap(f.ex.market("LIN"));
    assert.deepEqual([m.status, m.result, m.openInterestHundredths], ["finalized", "yes", 0]);
    assert.equal(f.ex.settleMarket("LIN", "no").ok, false);
    for (const u of ["a", "b", "c"]) assertIdentity(f, u);
  });

  it("fees come out of the balance and into fees paid, keeping the identity", () => {
    const f = makeExchange();
    place(f, "b", req("MAKER", "ask", 5000, 10));
    place(f, "a", req("MAKER", "bid", 5000, 10));
    assert.equal(unwrap(f.ex.balance("a")).balanceMicros, 995 * DOLLAR - 175_000); // fee 0.175
    assertIdentity(f, "a");
    assertIdentity(f, "b");
  });
});

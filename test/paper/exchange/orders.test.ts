import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isOnGrid, priceRanges } from "../../../src/paper/exchange/index.js";
import { DOLLAR, MARKETS, makeExchange, place, req, unwrap } from "./helpers.js";

describe("paper exchange order semantics", () => {
  it("immediate_or_cancel fills what it can and cancels the rest", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 3));
    const o = place(f, "b", req("LIN", "bid", 5000, 5, { timeInForce: "immediate_or_cancel" }));
    assert.equal(o.status, "canceled");
    assert.equal(o.fillHundredths, 300);
    assert.equal(o.remainingHundredths, 0);
    assert.equal(o.lastUpdateReason, "ImmediateOrCancel");
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, []);
    assert.equal(unwrap(f.ex.balance("b")).heldMicros, 0, "hold of the canceled remainder returned");
  });

  it("fill_or_kill without enough volume does nothing and is canceled", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("LIN", "ask", 5000, 3));
    const o = place(f, "b", req("LIN", "bid", 5100, 4, { timeInForce: "fill_or_kill" }));
    assert.equal(o.status, "canceled");
    assert.equal(o.fillHundredths, 0);
    assert.equal(o.lastUpdateReason, "FillOrKillInsufficientVolume");
    assert.equal(maker.remainingHundredths, 300);
    assert.equal(unwrap(f.ex.balance("b")).balanceMicros, 1000 * DOLLAR);
  });

  it("fill_or_kill with enough volume across levels fills completely", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 3));
    place(f, "c", req("LIN", "ask", 5100, 3));
    const o = place(f, "b", req("LIN", "bid", 5100, 4, { timeInForce: "fill_or_kill" }));
    assert.equal(o.status, "executed");
    assert.equal(o.takerFillCostMicros, 3 * 500_000 + 510_000);
  });

  it("fill_or_kill does not count the user's own resting orders", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 3));
    place(f, "b", req("LIN", "ask", 5000, 3));
    const o = place(
      f,
      "b",
      req("LIN", "bid", 5000, 4, { timeInForce: "fill_or_kill", selfTradePrevention: "maker" }),
    );
    assert.equal(o.status, "canceled");
  });

  it("a crossing post_only order is canceled with PostOnlyCrossCancel; a passive one rests", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 3));
    const crossing = place(f, "b", req("LIN", "bid", 5000, 1, { postOnly: true }));
    assert.equal(crossing.status, "canceled");
    assert.equal(crossing.lastUpdateReason, "PostOnlyCrossCancel");
    assert.equal(crossing.fillHundredths, 0);
    const passive = place(f, "b", req("LIN", "bid", 4900, 1, { postOnly: true }));
    assert.equal(passive.status, "resting");
  });

  it("self-trade prevention taker_at_cross cancels the incoming remainder and keeps earlier fills", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 2));
    const own = place(f, "b", req("LIN", "ask", 5100, 2));
    place(f, "c", req("LIN", "ask", 5200, 2));
    const o = place(f, "b", req("LIN", "bid", 5200, 6));
    assert.equal(o.status, "canceled");
    assert.equal(o.lastUpdateReason, "SelfTradePreventionTaker");
    assert.equal(o.fillHundredths, 200);
    assert.equal(own.status, "resting");
  });

  it("self-trade prevention maker cancels the resting own order and keeps matching", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 2));
    const own = place(f, "b", req("LIN", "ask", 5100, 2));
    place(f, "c", req("LIN", "ask", 5200, 2));
    const o = place(f, "b", req("LIN", "bid", 5200, 6, { selfTradePrevention: "maker" }));
    assert.equal(own.status, "canceled");
    assert.equal(own.lastUpdateReason, "SelfTradePreventionMaker");
    assert.equal(o.fillHundredths, 400);
    assert.equal(o.status, "resting");
    assert.equal(o.remainingHundredths, 200);
  });

  it("reduce_only caps the count at the current position and refuses to open", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 4000, 5));
    place(f, "b", req("LIN", "bid", 4000, 5)); // b long 5 YES
    const refused = f.ex.createOrder("b", req("LIN", "bid", 3000, 1, { reduceOnly: true }));
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, "reduce_only_would_increase_position");
    const o = place(f, "b", req("LIN", "ask", 6000, 8, { reduceOnly: true }));
    assert.equal(o.initialHundredths, 500);
    assert.equal(o.remainingHundredths, 500);
  });

  it("client_order_id is unique per user: a duplicate create is 409 and never a second order", () => {
    const f = makeExchange();
    const first = place(f, "a", req("LIN", "bid", 4000, 1, { clientOrderId: "dup" }));
    const again = f.ex.createOrder("a", req("LIN", "bid", 4100, 2, { clientOrderId: "dup" }));
    assert.equal(again.ok, false);
    assert.deepEqual(!again.ok && [again.error.status, again.error.code], [409, "order_already_exists"]);
    const mine = f.ex.listOrders("a");
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.orderId, first.orderId);
    // Even after the original is canceled the id stays taken; another user may use it.
    unwrap(f.ex.cancelOrder("a", first.orderId));
    assert.equal(f.ex.createOrder("a", req("LIN", "bid", 4000, 1, { clientOrderId: "dup" })).ok, false);
    assert.equal(f.ex.createOrder("b", req("LIN", "bid", 4000, 1, { clientOrderId: "dup" })).ok, true);
  });

  it("validates prices against each price_level_structure grid", () => {
    const cases: Array<[string, number, boolean]> = [
      ["LIN", 5000, true],
      ["LIN", 5050, false],
      ["LIN", 0, false],
      ["LIN", 10_000, false],
      ["DECI", 10, true],
      ["DECI", 5050, true],
      ["DECI", 9990, true],
      ["DECI", 5055, false],
      ["TAPER", 50, true],
      ["TAPER", 990, true],
      ["TAPER", 1000, true],
      ["TAPER", 1050, false],
      ["TAPER", 8900, true],
      ["TAPER", 8950, false],
      ["TAPER", 9010, true],
      ["TAPER", 9990, true],
      ["EDGE", 15, true],
      ["EDGE", 4537, false],
      ["EDGE", 4530, true],
      ["CENTRE", 4537, true],
      ["CENTRE", 315, false],
    ];
    for (const [ticker, price, ok] of cases) {
      const f = makeExchange([
        ...MARKETS,
        { ...MARKETS[0]!, ticker: "EDGE", priceLevelStructure: "center_deci_edge_centi_cent" },
        { ...MARKETS[0]!, ticker: "CENTRE", priceLevelStructure: "center_centi_edge_cent" },
      ]);
      const r = f.ex.createOrder("a", req(ticker, "bid", price, 1));
      assert.equal(r.ok, ok, `${ticker} @ ${price}`);
      if (!r.ok) assert.deepEqual([r.error.status, r.error.code], [400, "invalid_price"]);
    }
    assert.equal(isOnGrid("linear_cent", 10.5), false);
    assert.deepEqual(priceRanges("tapered_deci_cent"), [
      { start: "0.0000", end: "0.1000", step: "0.0010" },
      { start: "0.1000", end: "0.9000", step: "0.0100" },
      { start: "0.9000", end: "1.0000", step: "0.0010" },
    ]);
  });

  it("validates counts, markets, users and expiration", () => {
    const f = makeExchange();
    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? "ok" : r.error!.code);
    assert.equal(
      code(f.ex.createOrder("a", { ...req("LIN", "bid", 5000, 1), countHundredths: 0 })),
      "invalid_count",
    );
    assert.equal(
      code(f.ex.createOrder("a", { ...req("LIN", "bid", 5000, 1), countHundredths: 1.5 })),
      "invalid_count",
    );
    assert.equal(code(f.ex.createOrder("a", { ...req("LIN", "bid", 5000, 1), countHundredths: 150 })), "ok");
    assert.equal(
      code(f.ex.createOrder("a", { ...req("WHOLE", "bid", 5000, 1), countHundredths: 150 })),
      "invalid_count",
    );
    assert.equal(code(f.ex.createOrder("a", req("NOPE", "bid", 5000, 1))), "market_not_found");
    assert.equal(code(f.ex.createOrder("zed", req("LIN", "bid", 5000, 1))), "user_not_found");
    assert.equal(
      code(f.ex.createOrder("a", req("LIN", "bid", 5000, 1, { expirationTsMs: f.now.ms - 1 }))),
      "invalid_order",
    );
    assert.equal(
      code(
        f.ex.createOrder(
          "a",
          req("LIN", "bid", 5000, 1, { timeInForce: "immediate_or_cancel", expirationTsMs: f.now.ms + 1000 }),
        ),
      ),
      "invalid_order",
    );
    assert.equal(code(f.ex.createOrder("a", req("LIN", "bid", 9900, 2000))), "insufficient_balance");
    unwrap(f.ex.setMarketStatus("LIN", "closed"));
    assert.equal(code(f.ex.createOrder("a", req("LIN", "bid", 5000, 1))), "market_closed");
  });

  it("expires a GTC order lazily on the clock and returns its hold", () => {
    const f = makeExchange();
    const o = place(f, "a", req("LIN", "bid", 4000, 10, { expirationTsMs: f.now.ms + 5000 }));
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 4 * DOLLAR);
    f.now.ms += 4999;
    assert.equal(unwrap(f.ex.getOrder("a", o.orderId)).status, "resting");
    f.now.ms += 1;
    assert.equal(unwrap(f.ex.getOrder("a", o.orderId)).status, "canceled");
    assert.equal(o.lastUpdateReason, "Expired");
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 0);
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, []);
  });

  it("an expired resting order is never matched", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 1, { expirationTsMs: f.now.ms + 10 }));
    f.now.ms += 10;
    const t = place(f, "b", req("LIN", "bid", 5000, 1));
    assert.equal(t.status, "resting");
    assert.equal(t.fillHundredths, 0);
  });

  it("batch create and cancel answer per item", () => {
    const f = makeExchange();
    const created = f.ex.batchCreate("a", [req("LIN", "bid", 4000, 1), req("LIN", "bid", 4050, 1)]);
    assert.deepEqual(
      created.map((r) => r.ok),
      [true, false],
    );
    const id = unwrap(created[0]!).orderId;
    const canceled = f.ex.batchCancel("a", [{ orderId: id }, { orderId: "missing" }]);
    assert.equal(unwrap(canceled[0]!).reducedByHundredths, 100);
    assert.equal(!canceled[1]!.ok && canceled[1]!.error.status, 404);
  });

  it("leaving active cancels cancel_order_on_pause orders only; closing cancels all", () => {
    const f = makeExchange();
    const keep = place(f, "a", req("LIN", "bid", 4000, 1));
    const pausable = place(f, "a", req("LIN", "bid", 4100, 1, { cancelOrderOnPause: true }));
    unwrap(f.ex.setMarketStatus("LIN", "inactive"));
    assert.equal(pausable.status, "canceled");
    assert.equal(pausable.lastUpdateReason, "MarketPaused");
    assert.equal(keep.status, "resting");
    unwrap(f.ex.setMarketStatus("LIN", "active"));
    unwrap(f.ex.setMarketStatus("LIN", "closed"));
    assert.equal(keep.status, "canceled");
    assert.equal(unwrap(f.ex.balance("a")).heldMicros, 0);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeExchange, place, req, unwrap } from "./helpers.js";

describe("paper exchange matching", () => {
  it("a YES bid and a NO bid cross when they sum to at least $1 and print at the resting price", () => {
    const f = makeExchange();
    const maker = place(f, "a", req("LIN", "ask", 6000, 10)); // NO bid at $0.40
    const taker = place(f, "b", req("LIN", "bid", 6500, 4)); // YES bid at $0.65 ≥ YES ask $0.60
    assert.equal(taker.status, "executed");
    assert.equal(taker.fillHundredths, 400);
    assert.equal(taker.takerFillCostMicros, 4 * 600_000, "paid the resting price, not the limit");
    assert.equal(maker.status, "resting");
    assert.equal(maker.remainingHundredths, 600);
    assert.equal(maker.makerFillCostMicros, 4 * 400_000, "maker paid the NO leg $0.40");
    const fills = f.ex.listFills("b");
    assert.equal(fills.length, 1);
    assert.equal(fills[0]!.yesPriceTicks, 6000);
    assert.equal(fills[0]!.tradeId, f.ex.listFills("a")[0]!.tradeId);
  });

  it("does not cross when YES bid + NO bid < $1", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 6000, 10));
    const o = place(f, "b", req("LIN", "bid", 5900, 10));
    assert.equal(o.status, "resting");
    const book = unwrap(f.ex.orderbook("LIN", 0));
    assert.deepEqual(book.yes, [[5900, 1000]]);
    assert.deepEqual(book.no, [[4000, 1000]]);
  });

  it("fills best price first, then time priority inside a level", () => {
    const f = makeExchange();
    const first = place(f, "a", req("LIN", "ask", 5500, 2));
    const second = place(f, "c", req("LIN", "ask", 5500, 2));
    const better = place(f, "c", req("LIN", "ask", 5400, 1));
    const t = place(f, "b", req("LIN", "bid", 5600, 4));
    assert.equal(t.status, "executed");
    assert.equal(better.status, "executed");
    assert.equal(first.status, "executed");
    assert.equal(second.remainingHundredths, 100);
    assert.deepEqual(
      f.ex
        .listFills("b")
        .map((x) => [x.yesPriceTicks, x.countHundredths])
        .reverse(),
      [
        [5400, 100],
        [5500, 200],
        [5500, 100],
      ],
    );
    // Taker cost: 1 × 0.54 + 3 × 0.55 = 2.19
    assert.equal(t.takerFillCostMicros, 2_190_000);
  });

  it("sweeps asks with a NO-side taker against YES bids", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "bid", 4500, 3));
    place(f, "a", req("LIN", "bid", 4400, 3));
    const t = place(f, "b", req("LIN", "ask", 4400, 5)); // sell YES ≥ 0.44 = buy NO ≤ 0.56
    assert.equal(t.status, "executed");
    // NO leg cost: 3 × (1 − 0.45) + 2 × (1 − 0.44) = 1.65 + 1.12 = 2.77
    assert.equal(t.takerFillCostMicros, 2_770_000);
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, [[4400, 100]]);
  });

  it("a partially filled GTC taker rests its remainder at its own limit", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 5000, 3));
    const t = place(f, "b", req("LIN", "bid", 5200, 10));
    assert.equal(t.status, "resting");
    assert.equal(t.fillHundredths, 300);
    assert.equal(t.remainingHundredths, 700);
    assert.equal(t.lastUpdateReason, "PartiallyFilled");
    assert.deepEqual(unwrap(f.ex.orderbook("LIN", 0)).yes, [[5200, 700]]);
  });

  it("emits book deltas, trade, fills, positions and order updates in causal order", () => {
    const f = makeExchange();
    place(f, "a", req("LIN", "ask", 6000, 2, { clientOrderId: "mk" }));
    f.events.length = 0;
    place(f, "b", req("LIN", "bid", 6100, 3, { clientOrderId: "tk" }));
    assert.deepEqual(f.events, [
      "delta LIN no 4000 -200 mk",
      "trade LIN 6000 200 yes",
      "fill b 6000 200 T",
      "fill a 6000 200 M",
      "position b LIN 200",
      "position a LIN -200",
      "order a mk executed Filled",
      "delta LIN yes 6100 100 tk",
      "order b tk resting PartiallyFilled",
    ]);
  });

  it("orderbook depth keeps the best levels, ascending, NO on the NO scale", () => {
    const f = makeExchange();
    for (const p of [1000, 2000, 3000]) place(f, "a", req("LIN", "bid", p, 1));
    for (const p of [7000, 8000, 9000]) place(f, "a", req("LIN", "ask", p, 1));
    const book = unwrap(f.ex.orderbook("LIN", 2));
    assert.deepEqual(book.yes, [
      [2000, 100],
      [3000, 100],
    ]);
    // asks at YES 0.70/0.80 are NO bids at 0.30/0.20; best NO bid (0.30) last.
    assert.deepEqual(book.no, [
      [2000, 100],
      [3000, 100],
    ]);
    const m = unwrap(f.ex.market("LIN"));
    assert.equal(m.yesBidTicks, 3000);
    assert.equal(m.yesAskTicks, 7000);
  });
});

/**
 * The backtest's queue fill model (src/backtest/fill-model.ts) against recorded books built by the
 * engine's own FeedApplier: queue position, fills beyond the size ahead only at the top of the
 * book, crossing, partial fills, depletion of what the engine took, snapshots.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueueFillModel, type TrackedOrder } from "../../src/backtest/fill-model.js";
import { BookTable, SIDE_NO, SIDE_YES, type Side } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { gridOfStructure } from "../../src/kalshi/price-grid.js";

const T = "KXFILL-26DEC05-A";

/** A recorded book for one cent market, the model fed as the backtest feeds it. */
function setup() {
  const directory = new MarketDirectory(2);
  const book = BookTable.create(2, { grid: gridOfStructure("linear_cent") });
  const model = new QueueFillModel(book);
  const fills: Array<{ id: string; size: number }> = [];
  // the venue's part: a fill shrinks or ends the order (its order updates)
  const sink = (o: TrackedOrder, size: number) => {
    fills.push({ id: o.orderId, size });
    if (size >= o.remainingHundredths) model.onGone(o.orderId);
    else model.onResize(o.orderId, o.remainingHundredths - size);
  };
  let seq = 0;
  const applier = new FeedApplier(directory, book, {
    onApplied: (m, kind) => {
      if (kind === "snapshot") model.onSnapshot(m, sink);
      else {
        const sc = applier.scanner;
        model.onDelta(m, sc.side as Side, sc.priceTicks, sc.deltaHundredths, sink);
      }
    },
  });
  const level = ([p, c]: [string, string]) => `["${p}","${c}"]`;
  const snapshot = (yes: Array<[string, string]>, no: Array<[string, string]>) =>
    applier.applyFrame(
      `{"type":"orderbook_snapshot","sid":1,"seq":${++seq},"msg":{"market_ticker":"${T}","yes_dollars_fp":[${yes.map(level).join(",")}],"no_dollars_fp":[${no.map(level).join(",")}]}}`,
      1000 + seq,
    );
  const delta = (side: "yes" | "no", price: string, change: string) =>
    applier.applyFrame(
      `{"type":"orderbook_delta","sid":1,"seq":${++seq},"msg":{"market_ticker":"${T}","price_dollars":"${price}","delta_fp":"${change}","side":"${side}","ts_ms":${1000 + seq}}}`,
      1000 + seq,
    );
  snapshot(
    [
      ["0.3900", "20.00"],
      ["0.4000", "10.00"],
    ],
    [
      ["0.5500", "7.00"],
      ["0.5000", "30.00"],
    ],
  );
  const m = directory.indexOf(T);
  return { book, model, fills, snapshot, delta, m };
}

describe("QueueFillModel", () => {
  it("a resting order joins the back: decreases consume the size ahead first, then fill it at the top", () => {
    const { model, fills, delta, m } = setup();
    model.onRest("o1", m, SIDE_YES, 4000, 500); // 5 contracts behind 10 at $0.40 (best YES bid)
    assert.equal(model.trackedCount, 1);
    delta("yes", "0.4000", "-4.00");
    assert.deepEqual(fills, [], "4 of the 10 ahead consumed, nothing reaches the order");
    delta("yes", "0.4000", "3.00"); // joins behind the order
    delta("yes", "0.4000", "-8.00"); // 6 ahead consumed, 2 beyond fill the order
    assert.deepEqual(fills, [{ id: "o1", size: 200 }]);
    delta("yes", "0.4000", "-1.00");
    assert.deepEqual(fills.at(-1), { id: "o1", size: 100 }, "partial fills as the level keeps trading");
    delta("yes", "0.4000", "5.00"); // the level refills behind the order (nothing ahead of it)
    delta("yes", "0.4000", "-3.00"); // beyond what is left of the order: it fills whole (2 left)
    assert.deepEqual(fills.at(-1), { id: "o1", size: 200 });
    assert.equal(model.trackedCount, 0);
  });

  it("a decrease below the top of the book is a cancel: it moves the order up, never fills it", () => {
    const { model, fills, delta, m } = setup();
    model.onRest("o1", m, SIDE_YES, 3900, 500); // behind 20 at $0.39, below the $0.40 best
    delta("yes", "0.3900", "-20.00"); // the 20 ahead leave
    delta("yes", "0.3900", "5.00");
    delta("yes", "0.3900", "-5.00"); // behind the order, and not the top: no fill
    assert.deepEqual(fills, []);
    delta("yes", "0.4000", "-10.00"); // $0.40 empties: $0.39 is now the top
    delta("yes", "0.3900", "4.00");
    delta("yes", "0.3900", "-3.00"); // nothing ahead any more: 3 beyond → fills 3
    assert.deepEqual(fills, [{ id: "o1", size: 300 }]);
  });

  it("fills a resting order at its own price when the other side crosses it, once", () => {
    const { model, fills, delta, m } = setup();
    model.onRest("o1", m, SIDE_YES, 4000, 1000); // YES bid $0.40; YES ask now $0.45 (NO bid $0.55)
    delta("no", "0.6200", "4.00"); // NO bid $0.62 = YES ask $0.38 ≤ $0.40: traded through the order
    assert.deepEqual(fills, [{ id: "o1", size: 400 }]);
    assert.equal(model.availableHundredths(m, SIDE_NO, 6200), 0, "the crossing size is used up");
    delta("no", "0.5000", "1.00"); // any later update of that side does not fill it again
    assert.deepEqual(fills, [{ id: "o1", size: 400 }]);
    delta("no", "0.6200", "2.00"); // fresh size at the crossing price fills again
    assert.deepEqual(fills.at(-1), { id: "o1", size: 200 });
  });

  it("depletion: what the engine took is not offered again until the level refills", () => {
    const { model, delta, m } = setup();
    assert.equal(model.availableHundredths(m, SIDE_NO, 5500), 700);
    model.consume(m, SIDE_NO, 5500, 300);
    assert.equal(model.availableHundredths(m, SIDE_NO, 5500), 400);
    delta("no", "0.5500", "-5.00"); // recorded 2 left, less than the 3 taken
    assert.equal(model.availableHundredths(m, SIDE_NO, 5500), 0);
    delta("no", "0.5500", "4.00"); // recorded 6 = 2 gone + 4 fresh
    assert.equal(model.availableHundredths(m, SIDE_NO, 5500), 400);
  });

  it("a snapshot caps the size ahead; an order moved to another price rejoins at the back", () => {
    const { model, fills, snapshot, delta, m } = setup();
    model.onRest("o1", m, SIDE_YES, 4000, 500);
    snapshot([["0.4000", "2.00"]], [["0.5000", "30.00"]]);
    delta("yes", "0.4000", "2.00"); // behind the order
    delta("yes", "0.4000", "-3.00"); // 2 ahead, 1 beyond
    assert.deepEqual(fills, [{ id: "o1", size: 100 }]);
    model.onRest("o1", m, SIDE_YES, 3900, 400); // amended to $0.39: the back of an empty level
    assert.equal(model.trackedCount, 1);
    delta("yes", "0.3900", "1.00");
    delta("yes", "0.4000", "1.00"); // $0.40 back on top: $0.39 is not the top
    delta("yes", "0.3900", "-1.00");
    assert.equal(fills.length, 1);
  });

  it("NO-side orders (V2 asks) queue on the NO book", () => {
    const { model, fills, delta, m } = setup();
    model.onRest("a1", m, SIDE_NO, 5500, 300); // NO bid $0.55 behind 7
    delta("no", "0.5500", "3.00");
    delta("no", "0.5500", "-9.00"); // 7 ahead, 2 beyond
    assert.deepEqual(fills, [{ id: "a1", size: 200 }]);
    model.onGone("a1");
    assert.equal(model.trackedCount, 0);
  });
});

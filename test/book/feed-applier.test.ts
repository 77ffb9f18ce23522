import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BookTable } from "../../src/book/book-table.js";
import { APPLIED, FeedApplier, IGNORED, SEQ_INGEST } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { gridOfStructure } from "../../src/kalshi/price-grid.js";

const A = "KXEX-26MAR10-A";
const B = "KXEX-26MAR10-B";

function snap(sid: number, seq: number, ticker: string, yes: string[][] = [], no: string[][] = []): string {
  return JSON.stringify({
    type: "orderbook_snapshot",
    sid,
    seq,
    msg: { market_ticker: ticker, yes_dollars_fp: yes, no_dollars_fp: no },
  });
}
function delta(
  sid: number,
  seq: number,
  ticker: string,
  price: string,
  change: string,
  side: string,
  ts?: number,
): string {
  const msg: Record<string, unknown> = {
    market_ticker: ticker,
    price_dollars: price,
    delta_fp: change,
    side,
  };
  if (ts !== undefined) msg.ts_ms = ts;
  return JSON.stringify({ type: "orderbook_delta", sid, seq, msg });
}

function setup() {
  const dir = new MarketDirectory(16);
  const book = BookTable.create(16);
  const events = {
    stale: [] as number[],
    resnapshot: [] as Array<[number, number[]]>,
    applied: [] as number[],
  };
  const applier = new FeedApplier(dir, book, {
    onStale: (m) => events.stale.push(m),
    onResnapshotNeeded: (sid, ms) => events.resnapshot.push([sid, [...ms]]),
    onApplied: (m) => events.applied.push(m),
  });
  return { dir, book, applier, events };
}

describe("FeedApplier (observation-v1.md §3, correctness-rules.md rules 1–6)", () => {
  it("sequences /ingest frames apart: an injected frame cannot break a live sid or stale its markets", () => {
    const { dir, book, applier, events } = setup();
    applier.applyFrame(snap(1, 1, A, [["0.4000", "10.00"]], [["0.5500", "10.00"]]), 1);
    applier.applyFrame(snap(1, 2, B, [["0.4000", "10.00"]], [["0.5500", "10.00"]]), 1);
    // an injected delta on the live sid number, far out of its sequence
    assert.equal(applier.applyFrame(delta(1, 99, A, "0.4000", "1.00", "yes"), 1, SEQ_INGEST), APPLIED);
    assert.equal(applier.stats.gaps, 0);
    assert.deepEqual(events.stale, []);
    assert.ok(book.isTradable(dir.indexOf(B)));
    // the live sequence goes on undisturbed
    assert.equal(applier.applyFrame(delta(1, 3, B, "0.4000", "1.00", "yes"), 1), APPLIED);
    assert.equal(applier.stats.gaps, 0);
    // a gap within /ingest's own sequence stales only the market it carried, and asks the live
    // connection for nothing (negative sid)
    applier.applyFrame(delta(1, 200, A, "0.4000", "1.00", "yes"), 1, SEQ_INGEST);
    assert.equal(applier.stats.gaps, 1);
    assert.deepEqual(events.stale, [dir.indexOf(A)]);
    assert.ok(book.isTradable(dir.indexOf(B)));
    assert.ok(events.resnapshot.every(([sid]) => sid < 0));
  });

  it("reads both arrays of a snapshot as bids and derives asks as $1 minus the other side's best bid", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(
      snap(
        1,
        1,
        A,
        [
          ["0.3500", "25.50"],
          ["0.4150", "50.00"],
          ["0.4200", "100.00"],
        ],
        [
          ["0.4800", "10.00"],
          ["0.5400", "45.00"],
          ["0.5500", "80.00"],
        ],
      ),
      1000,
    );
    const m = dir.indexOf(A);
    assert.equal(book.bestYesTick(m), 4200);
    assert.equal(book.bestNoTick(m), 5500);
    assert.equal(book.yesAskTick(m), 4500);
    assert.equal(book.noAskTick(m), 5800);
    assert.equal(book.yesTotalHundredths(m), 17550);
    assert.equal(book.noTotalHundredths(m), 13500);
    assert.equal(book.yesLevelCount(m) + book.noLevelCount(m), 6);
  });

  it("applies a delta as a signed change and removes a level that reaches zero", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(snap(1, 1, A, [["0.4200", "100.00"]], [["0.5500", "80.00"]]), 1000);
    assert.equal(applier.applyFrame(delta(1, 2, A, "0.4200", "-12.50", "yes", 5), 1001), APPLIED);
    const m = dir.indexOf(A);
    assert.equal(book.yesSizeAt(m, 4200), 8750);
    assert.equal(applier.applyFrame(delta(1, 3, A, "0.4200", "-87.50", "yes", 6), 1002), APPLIED);
    assert.equal(book.yesSizeAt(m, 4200), 0);
    assert.equal(book.bestYesTick(m), 0);
    assert.equal(book.yesLevelCount(m), 0);
    assert.equal(book.lastTsMs(m), 6);
  });

  it("accumulates fractional changes exactly (no phantom levels)", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(snap(1, 1, A), 0);
    let seq = 2;
    for (let k = 0; k < 10; k++) applier.applyFrame(delta(1, seq++, A, "0.4150", "0.10", "no"), 0);
    for (let k = 0; k < 10; k++) applier.applyFrame(delta(1, seq++, A, "0.4150", "-0.10", "no"), 0);
    const m = dir.indexOf(A);
    assert.equal(book.noSizeAt(m, 4150), 0);
    assert.equal(book.noLevelCount(m), 0);
    assert.equal(book.noTotalHundredths(m), 0);
  });

  it("ignores and counts a delta before the market's first snapshot", () => {
    const { applier, events } = setup();
    assert.equal(applier.applyFrame(delta(1, 1, A, "0.4200", "5.00", "yes"), 0), IGNORED);
    assert.equal(applier.stats.rejected.noSnapshot, 1);
    assert.deepEqual(events.applied, []);
  });

  it("marks the market stale on a delta that would go negative, changes nothing, and ignores deltas until a snapshot", () => {
    const { dir, book, applier, events } = setup();
    applier.applyFrame(snap(1, 1, A, [["0.4200", "10.00"]]), 0);
    const m = dir.indexOf(A);
    assert.equal(applier.applyFrame(delta(1, 2, A, "0.4200", "-10.01", "yes"), 0), IGNORED);
    assert.equal(book.yesSizeAt(m, 4200), 1000);
    assert.ok(book.isStale(m));
    assert.deepEqual(events.stale, [m]);
    assert.deepEqual(events.resnapshot, [[1, [m]]]);
    assert.equal(applier.applyFrame(delta(1, 3, A, "0.4200", "1.00", "yes"), 0), IGNORED);
    assert.equal(applier.stats.rejected.stale, 1);
    assert.equal(applier.applyFrame(snap(1, 4, A, [["0.4300", "1.00"]]), 0), APPLIED);
    assert.ok(!book.isStale(m));
    assert.equal(book.yesSizeAt(m, 4200), 0);
  });

  it("marks every market of a sid stale on a seq gap, but not markets of other sids", () => {
    const { dir, book, applier, events } = setup();
    applier.applyFrame(snap(1, 1, A), 0);
    applier.applyFrame(snap(1, 2, B), 0);
    applier.applyFrame(snap(7, 1, "KXOTHER"), 0);
    assert.equal(applier.applyFrame(delta(1, 4, A, "0.4200", "1.00", "yes"), 0), IGNORED); // seq 3 lost
    assert.ok(book.isStale(dir.indexOf(A)));
    assert.ok(book.isStale(dir.indexOf(B)));
    assert.ok(!book.isStale(dir.indexOf("KXOTHER")));
    assert.equal(applier.stats.gaps, 1);
    assert.deepEqual(events.resnapshot, [[1, [dir.indexOf(A), dir.indexOf(B)]]]);
    // the resnapshot brings A back; B stays stale until its own snapshot
    applier.applyFrame(snap(1, 5, A), 0);
    assert.ok(!book.isStale(dir.indexOf(A)));
    assert.ok(book.isStale(dir.indexOf(B)));
  });

  it("applies a snapshot that arrives after a gap (the gap marks, the snapshot clears)", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(snap(1, 1, A), 0);
    assert.equal(applier.applyFrame(snap(1, 3, A, [["0.5000", "1.00"]]), 0), APPLIED);
    assert.ok(!book.isStale(dir.indexOf(A)));
  });

  it("applies an empty snapshot and keeps a repeated price's later level", () => {
    const { dir, book, applier } = setup();
    assert.equal(applier.applyFrame(snap(1, 1, A), 0), APPLIED);
    applier.applyFrame(
      snap(1, 2, A, [
        ["0.4200", "1.00"],
        ["0.4200", "3.00"],
      ]),
      0,
    );
    const m = dir.indexOf(A);
    assert.equal(book.yesSizeAt(m, 4200), 300);
    assert.equal(book.yesLevelCount(m), 1);
    assert.equal(book.yesTotalHundredths(m), 300);
  });

  it("reads the legacy integer-cent format", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(
      JSON.stringify({
        type: "orderbook_snapshot",
        sid: 1,
        seq: 1,
        msg: { market_ticker: A, yes: [[42, 100]], no: [[55, 80]] },
      }),
      0,
    );
    applier.applyFrame(
      JSON.stringify({
        type: "orderbook_delta",
        sid: 1,
        seq: 2,
        msg: { market_ticker: A, price: 42, delta: -12, side: "yes" },
      }),
      0,
    );
    const m = dir.indexOf(A);
    assert.equal(book.yesSizeAt(m, 4200), 8800);
    assert.equal(book.noSizeAt(m, 5500), 8000);
  });

  it("uses ts_ms as the update time when present, else the receive time", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(snap(1, 1, A), 111);
    const m = dir.indexOf(A);
    assert.equal(book.lastTsMs(m), 111);
    applier.applyFrame(delta(1, 2, A, "0.4200", "1.00", "yes", 99), 222);
    assert.equal(book.lastTsMs(m), 99);
    assert.equal(book.lastRecvMs(m), 222);
  });

  it("counts invalid prices, counts and sides without applying them", () => {
    const { applier } = setup();
    applier.applyFrame(snap(1, 1, A), 0);
    applier.applyFrame(delta(1, 2, A, "0.41555", "1.00", "yes"), 0);
    applier.applyFrame(delta(1, 3, A, "1.0000", "1.00", "yes"), 0);
    applier.applyFrame(delta(1, 4, A, "0.4150", "1.005", "yes"), 0);
    applier.applyFrame(delta(1, 5, A, "0.4150", "1.00", "maybe"), 0);
    assert.deepEqual(
      { ...applier.stats.rejected },
      {
        invalidPrice: 2,
        offGrid: 0,
        invalidCount: 1,
        invalidSide: 1,
        noSnapshot: 0,
        stale: 0,
        negativeLevel: 0,
        capacity: 0,
      },
    );
    assert.equal(applier.stats.applied, 1);
  });

  it("applies $0.0001 prices, and refuses (counts, reports) prices off the market's own grid", () => {
    const dir = new MarketDirectory(4);
    const book = BookTable.create(4);
    const offGrid: Array<[number, number]> = [];
    const applier = new FeedApplier(dir, book, { onOffGrid: (m, t) => offGrid.push([m, t]) });
    const fine = dir.ensure(A); // no price_ranges: every $0.0001 price
    const cents = dir.ensure(B);
    assert.ok(book.assignGrid(cents, gridOfStructure("linear_cent")));
    applier.applyFrame(snap(1, 1, A, [["0.0015", "1.00"]], [["0.4537", "2.00"]]), 0);
    assert.equal(applier.applyFrame(delta(1, 2, A, "0.4538", "3.00", "no"), 0), APPLIED);
    assert.deepEqual(
      [book.yesSizeAt(fine, 15), book.noSizeAt(fine, 4537), book.bestNoTick(fine)],
      [100, 200, 4538],
    );
    // B trades in whole cents: a level at $0.415 is skipped, a delta at $0.4537 refused
    applier.applyFrame(
      snap(
        1,
        3,
        B,
        [
          ["0.4100", "1.00"],
          ["0.4150", "5.00"],
        ],
        [["0.5000", "1.00"]],
      ),
      0,
    );
    assert.equal(applier.applyFrame(delta(1, 4, B, "0.4537", "1.00", "yes"), 0), IGNORED);
    assert.equal(applier.applyFrame(delta(1, 5, B, "0.4200", "1.00", "yes"), 0), APPLIED);
    assert.deepEqual(
      [book.yesLevelCount(cents), book.bestYesTick(cents), book.yesTotalHundredths(cents)],
      [2, 4200, 200],
    );
    assert.equal(applier.stats.rejected.offGrid, 1);
    assert.equal(applier.stats.offGridLevels, 1);
    assert.equal(applier.stats.skippedLevels, 1);
    assert.deepEqual(offGrid, [
      [cents, 4150],
      [cents, 4537],
    ]);
    assert.ok(!book.isStale(cents), "a refused price does not desynchronise the book");
  });

  it("after a reconnect keeps no book until its fresh snapshot and restarts every sid", () => {
    const { dir, book, applier } = setup();
    applier.applyFrame(snap(1, 1, A, [["0.4200", "1.00"]]), 0);
    applier.onReconnect();
    const m = dir.indexOf(A);
    assert.ok(book.isStale(m));
    assert.equal(applier.applyFrame(snap(1, 1, A), 0), APPLIED); // seq 1 again is not a gap
    assert.ok(!book.isStale(m));
    assert.equal(applier.stats.gaps, 0);
  });

  it("counts every frame exactly once and never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 30 }), (texts) => {
        const { applier } = setup();
        for (const t of texts) applier.applyFrame(t, 0);
        const s = applier.stats;
        assert.equal(s.frames, texts.length);
        assert.equal(s.malformed + s.other + s.bookMessages, s.frames);
        assert.equal(s.applied + s.rejectedTotal, s.bookMessages);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

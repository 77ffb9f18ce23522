import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { bytesHash, MarketDirectory } from "../../src/book/market-directory.js";
import { FRAME_DELTA, FrameScanner } from "../../src/kalshi/frame-scanner.js";
import { frameStream } from "../book/frame-gen.js";

const CANONICAL =
  '{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43-5b68-4f9f-9f02-4a2b5b6c7d8e","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes","client_order_id":"8c35ecb3","subaccount":0,"ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}';

/** Everything a scan reports, as plain data (NaN kept distinguishable). */
function reading(sc: FrameScanner, kind: number): unknown[] {
  const out: unknown[] = [kind];
  if (kind !== FRAME_DELTA) return out;
  return [...out, sc.tickerString(), sc.sid, sc.seq, sc.side, sc.priceTicks, sc.deltaHundredths, sc.tsMs];
}

/**
 * Scans `frame` in place (scanBytesAt) as a recorded frame lies in its FrameRing record: at an
 * offset that varies, in shared memory, 4 zero bytes after it and then bytes that would extend
 * any frame (digits, `}`, quotes): a read past the 4 zero bytes would change the reading.
 */
const sharedFrames = new Uint8Array(new SharedArrayBuffer(64 * 1024));
const sharedView = new DataView(sharedFrames.buffer);
let placeAt = 0;
function scanInPlace(sc: FrameScanner, frame: Uint8Array): number {
  if (placeAt + frame.length + 64 > sharedFrames.length) placeAt = 0;
  const start = placeAt;
  sharedFrames.fill(0x7d, 0, sharedFrames.length); // `}`
  sharedFrames.set(frame, start);
  sharedView.setInt32(start + frame.length, 0, true);
  sharedFrames.set(Buffer.from('0"}}0'), start + frame.length + 4);
  placeAt = (placeAt + frame.length + 13) & ~3;
  return sc.scanBytesAt(sharedFrames, sharedView, start, start + frame.length);
}

describe("byte path: scanBytes reads exactly what the text scanner reads", () => {
  it("on Kalshi's layout with every optional key, on the fast path", () => {
    const sc = new FrameScanner();
    const kind = sc.scanBytes(Buffer.from(CANONICAL));
    assert.equal(kind, FRAME_DELTA);
    assert.equal(sc.fromBytes, true);
    const expected = [FRAME_DELTA, "FED-23DEC-T3.00", 2, 3, 0, 9600, -5400, 1669149841000];
    assert.deepEqual(reading(sc, kind), expected);
    const no = CANONICAL.replace('"side":"yes"', '"side":"no"').replace('"0.9600"', '"0.001"');
    assert.deepEqual(reading(sc, sc.scanBytes(Buffer.from(no))).slice(4, 6), [1, 10]); // $0.001 = 10 ticks
    assert.equal(sc.fromBytes, true);
    assert.deepEqual(reading(sc, scanInPlace(sc, Buffer.from(CANONICAL))), expected);
    assert.equal(sc.fromBytes, true, "in place, on the fast path too");
  });

  it("falls back (and agrees) on escapes, UTF-8, control bytes and other layouts", () => {
    const sc = new FrameScanner();
    const ref = new FrameScanner();
    for (const text of [
      CANONICAL.replace("FED-23DEC", "FED\\u002d23DEC"),
      CANONICAL.replace("FED-23DEC", "FÉD-23DEC"),
      CANONICAL.replace("8c35ecb3", "8c35\u0001cb3"),
      CANONICAL.replace("8c35ecb3", '8c35\\"cb3'),
      CANONICAL.replace('"sid":2,', '"sid": 2,'),
      CANONICAL.replace('"0.9600"', '"+0.96"'),
      CANONICAL.replace('"0.9600"', '"0.96051"'),
      CANONICAL.replace('"-54.00"', '"-54."'),
      CANONICAL.replace('"side":"yes"', '"side":"YES"'),
      CANONICAL.replace(',"ts_ms":1669149841000', ',"ts_ms":1.5'),
      `${CANONICAL} `,
      CANONICAL.slice(0, -1),
    ]) {
      const kind = sc.scanBytes(Buffer.from(text));
      assert.deepEqual(reading(sc, kind), reading(ref, ref.scan(text)), text);
      assert.deepEqual(reading(sc, scanInPlace(sc, Buffer.from(text))), reading(ref, ref.scan(text)), text);
    }
  });

  it("agrees with the text scanner on generated streams and on mutated bytes, and always returns", () => {
    const sc = new FrameScanner();
    const ref = new FrameScanner();
    const base = Buffer.from(CANONICAL);
    const mutated = fc
      .record({
        at: fc.nat({ max: base.length - 1 }),
        cut: fc.nat({ max: 4 }),
        insert: fc.uint8Array({ maxLength: 4 }),
      })
      .map(({ at, cut, insert }) => Buffer.concat([base.subarray(0, at), insert, base.subarray(at + cut)]));
    const truncated = fc.nat({ max: base.length }).map((n) => base.subarray(0, n));
    const fromStream = frameStream.map((frames) => Buffer.from(frames[0]?.text ?? ""));
    let fast = 0;
    fc.assert(
      fc.property(fc.oneof(mutated, truncated, fc.uint8Array({ maxLength: 300 }), fromStream), (bytes) => {
        // Every loop of the byte template advances and stops at the frame's end: a hang would
        // time the test out instead of returning here.
        const kind = sc.scanBytes(bytes);
        if (sc.fromBytes) fast++;
        const text = Buffer.from(bytes).toString("utf8");
        const expected = reading(ref, ref.scan(text));
        assert.deepEqual(reading(sc, kind), expected, text);
        const fastBefore = sc.fromBytes;
        const inPlace = scanInPlace(sc, bytes);
        assert.equal(sc.fromBytes, fastBefore, `in place takes the same path: ${text}`);
        assert.deepEqual(reading(sc, inPlace), expected, `in place: ${text}`);
      }),
      { numRuns: 20_000, seed: 23 },
    );
    assert.ok(fast > 500, `only ${fast} frames took the byte fast path`);
    assert.equal(sc.bytesFastCount, 2 * fast);
  });

  it("grows its scratch for a frame larger than it", () => {
    const sc = new FrameScanner();
    const long = CANONICAL.replace("8c35ecb3", "x".repeat(20_000));
    assert.equal(sc.scanBytes(Buffer.from(long)), FRAME_DELTA);
    assert.equal(sc.fromBytes, true);
    assert.equal(sc.priceTicks, 9600);
    assert.equal(sc.scanBytes(Buffer.from(CANONICAL)), FRAME_DELTA);
    assert.equal(sc.tickerString(), "FED-23DEC-T3.00");
  });
});

describe("MarketDirectory.indexOfBytes", () => {
  it("finds every ticker by its bytes and hash, of every length, and nothing else", () => {
    const dir = new MarketDirectory(200);
    const tickers = Array.from({ length: 60 }, (_, i) => `K${"X".repeat(i % 23)}-${i}`);
    for (const t of tickers) dir.ensure(t);
    const frame = new Uint8Array(64);
    const view = new DataView(frame.buffer);
    const lookup = (t: string) => {
      frame.fill(0x22); // bytes after the ticker are read too: make them differ from any ticker
      for (let i = 0; i < t.length; i++) frame[3 + i] = t.charCodeAt(i);
      return dir.indexOfBytes(view, 3, 3 + t.length, bytesHash(t));
    };
    for (const [m, t] of tickers.entries()) assert.equal(lookup(t), m, t);
    assert.equal(lookup("KQ-1"), -1);
    assert.equal(lookup("K-1X"), -1);
    assert.equal(lookup(`${tickers[5]}Z`), -1);
  });

  it("a ticker first seen on the byte path is adopted and then found again", () => {
    const dir = new MarketDirectory(4);
    const book = BookTable.create(4);
    const applier = new FeedApplier(dir, book);
    const snap =
      '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"NEW-1","yes_dollars_fp":[["0.4000","10.00"]],"no_dollars_fp":[["0.5000","5.00"]]}}';
    applier.applyFrameBytes(Buffer.from(snap), 1);
    const delta = (seq: number) =>
      Buffer.from(
        `{"type":"orderbook_delta","sid":1,"seq":${seq},"msg":{"market_ticker":"NEW-1","price_dollars":"0.4000","delta_fp":"1.00","side":"yes"}}`,
      );
    applier.applyFrameBytes(delta(2), 2);
    applier.applyFrameBytes(delta(3), 3);
    assert.equal(dir.size, 1);
    assert.equal(applier.stats.deltas, 2);
    assert.equal(book.yesSizeAt(0, 4000), 1200);
  });
});

describe("SeqTracker", () => {
  it("reports gaps alike for small sids (typed array) and large ones (map), and forgets on reset", async () => {
    const { SeqTracker } = await import("../../src/book/seq-tracker.js");
    for (const sid of [1, 1023, 1024, 70_000]) {
      const t = new SeqTracker();
      assert.equal(t.observe(sid, 5), false, "first seq of a sid");
      assert.equal(t.observe(sid, 6), false);
      assert.equal(t.observe(sid, 8), true, "gap");
      assert.equal(t.lastSeq(sid), 8);
      t.reset();
      assert.equal(t.lastSeq(sid), undefined);
      assert.equal(t.observe(sid, 100), false, "a new count after reset");
    }
    assert.equal(new SeqTracker().observe(Number.NaN, 1), false);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BookTable } from "../../src/book/book-table.js";
import { APPLIED, FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import {
  FRAME_DELTA,
  FRAME_MALFORMED,
  FRAME_OTHER,
  FRAME_SNAPSHOT,
  FrameScanner,
} from "../../src/kalshi/frame-scanner.js";
import { MAX_TICK } from "../../src/kalshi/units.js";
import { frameStream } from "./frame-gen.js";
import { RefFeed, refDecode } from "./reference-model.js";

/** Raw control characters U+0000..U+001F (JSON.parse rejects them inside strings). */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}
function blankControlChars(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i) < 32 ? " " : s[i];
  return out;
}

function sideOf(book: BookTable, m: number, side: 0 | 1): Map<number, number> {
  const out = new Map<number, number>();
  for (let t = 1; t <= MAX_TICK; t++) {
    const s = book.sizeAt(m, side, t);
    if (s !== 0) out.set(t, s);
  }
  return out;
}

function best(levels: Map<number, number>): number {
  let b = 0;
  for (const t of levels.keys()) if (t > b) b = t;
  return b;
}

function total(levels: Map<number, number>): number {
  let s = 0;
  for (const v of levels.values()) s += v;
  return s;
}

describe("BookTable + FeedApplier vs a Map-based model", () => {
  it("agree on every book after random snapshot/delta streams in both wire formats", () => {
    fc.assert(
      fc.property(frameStream, (frames) => {
        const dir = new MarketDirectory(8);
        const book = BookTable.create(8);
        const applier = new FeedApplier(dir, book);
        const ref = new RefFeed();
        for (const { text, recvMs } of frames) {
          const got = applier.applyFrame(text, recvMs) === APPLIED;
          const want = ref.apply(text, recvMs);
          assert.equal(got, want, `applied? ${text}`);
        }
        assert.equal(applier.stats.applied, ref.applied);
        for (const [ticker, rb] of ref.books) {
          const m = dir.indexOf(ticker);
          assert.ok(m >= 0);
          const yes = sideOf(book, m, 0);
          const no = sideOf(book, m, 1);
          assert.deepEqual(yes, rb.yes, `${ticker} YES levels`);
          assert.deepEqual(no, rb.no, `${ticker} NO levels`);
          assert.equal(book.bestYesTick(m), best(rb.yes));
          assert.equal(book.bestNoTick(m), best(rb.no));
          assert.equal(book.yesTotalHundredths(m), total(rb.yes));
          assert.equal(book.noTotalHundredths(m), total(rb.no));
          assert.equal(book.yesLevelCount(m), rb.yes.size);
          assert.equal(book.noLevelCount(m), rb.no.size);
          assert.equal(book.hasSnapshot(m), rb.snapshot);
          assert.equal(book.isStale(m), rb.stale, `${ticker} stale`);
          assert.equal(book.appliedCount(m), rb.applied);
          if (rb.applied > 0) assert.equal(book.lastTsMs(m), rb.tsMs);
        }
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });
});

/**
 * The two ways a frame reaches the scanner: decoded text (/ingest, replays) and the WebSocket's
 * bytes (scanBytes: the byte template, else decoded and scanned as text). A WebSocket text frame is
 * valid UTF-8, so the bytes reader first round-trips the text through UTF-8 (lone surrogates
 * become U+FFFD) and expects what JSON.parse reads from that.
 */
const READERS = [
  { name: "text", prep: (t: string) => t, scan: (sc: FrameScanner, t: string) => sc.scan(t) },
  {
    name: "bytes",
    prep: (t: string) => Buffer.from(t, "utf8").toString("utf8"),
    scan: (sc: FrameScanner, t: string) => sc.scanBytes(Buffer.from(t, "utf8")),
  },
];

for (const reader of READERS)
  describe(`FrameScanner vs JSON.parse (${reader.name})`, () => {
    it("decodes every generated frame exactly as the JSON.parse reference does", () => {
      const sc = new FrameScanner();
      fc.assert(
        fc.property(frameStream, (frames) => {
          for (const frame of frames) {
            const text = reader.prep(frame.text);
            const want = refDecode(text);
            const kind = reader.scan(sc, text);
            const gotKind =
              kind === FRAME_MALFORMED
                ? "malformed"
                : kind === FRAME_OTHER
                  ? "other"
                  : kind === FRAME_SNAPSHOT
                    ? "snapshot"
                    : "delta";
            assert.equal(gotKind, want.kind, text);
            if (kind !== FRAME_SNAPSHOT && kind !== FRAME_DELTA) continue;
            assert.equal(sc.tickerString(), want.ticker);
            assert.equal(Number.isNaN(sc.sid) ? undefined : sc.sid, want.sid);
            assert.equal(Number.isNaN(sc.seq) ? undefined : sc.seq, want.seq);
            assert.equal(Number.isNaN(sc.tsMs) ? undefined : sc.tsMs, want.tsMs, text);
            if (kind === FRAME_DELTA) {
              assert.equal(sc.side, want.side);
              assert.deepEqual(sc.priceTicks, want.priceTicks, text);
              assert.deepEqual(sc.deltaHundredths, want.deltaHundredths, text);
            } else {
              const yes = Array.from({ length: sc.yesCount }, (_, k) => [sc.yesTicks[k], sc.yesSizes[k]]);
              const no = Array.from({ length: sc.noCount }, (_, k) => [sc.noTicks[k], sc.noSizes[k]]);
              assert.deepEqual(yes, want.yes, text);
              assert.deepEqual(no, want.no, text);
            }
          }
        }),
        { numRuns: 400, seed: 7 },
      );
    });

    it("agrees with JSON.parse on validity for arbitrary and mutated text, and never throws", () => {
      const sc = new FrameScanner();
      const base = `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes","ts_ms":1669149841000}}`;
      const mutated = fc
        .record({
          at: fc.nat({ max: base.length - 1 }),
          cut: fc.nat({ max: 3 }),
          insert: fc.string({ maxLength: 3 }),
        })
        .map(({ at, cut, insert }) => base.slice(0, at) + insert + base.slice(at + cut));
      const withControlChar = fc
        .record({ at: fc.nat({ max: base.length - 1 }), c: fc.integer({ min: 0, max: 31 }) })
        .map(({ at, c }) => base.slice(0, at) + String.fromCharCode(c) + base.slice(at));
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.json(), mutated, withControlChar), (raw) => {
          const text = reader.prep(raw);
          const kind = reader.scan(sc, text);
          let want = refDecode(text);
          if (want.kind === "malformed" && kind !== FRAME_MALFORMED) {
            // Only allowed when the sole defect is a raw control character inside a string the
            // scanner does not read (see frame-scanner.ts "Exactness").
            want = refDecode(blankControlChars(text));
            assert.notEqual(want.kind, "malformed", text);
          }
          assert.equal(kind === FRAME_MALFORMED, want.kind === "malformed", text);
          if (want.kind === "delta") {
            assert.equal(kind, FRAME_DELTA, text);
            assert.deepEqual(sc.priceTicks, want.priceTicks, text);
            assert.deepEqual(sc.deltaHundredths, want.deltaHundredths, text);
            assert.equal(sc.side, want.side, text);
          }
        }),
        { numRuns: 3000, seed: 11 },
      );
    });

    it("reads Kalshi's own delta layout (the template fast path) exactly like JSON.parse", () => {
      const sc = new FrameScanner();
      const num = (s: string) => fc.stringMatching(new RegExp(`^${s}$`));
      const canonical = fc
        .record({
          sid: fc.oneof(
            { weight: 9, arbitrary: fc.nat({ max: 99 }).map(String) },
            num("-?[0-9]{1,3}(\\.[0-9])?"),
          ),
          seq: fc.oneof({ weight: 9, arbitrary: fc.nat().map(String) }, num("0[0-9]"), num("[0-9]e2")),
          ticker: fc.oneof(
            { weight: 9, arbitrary: fc.constant("KXA-26MAR10-T99.5") },
            fc.string({ maxLength: 6 }),
          ),
          marketId: fc.option(fc.constant("6f1c2a9e-0b7d"), { nil: undefined }),
          price: fc.oneof(
            { weight: 9, arbitrary: num("0\\.[0-9]{1,6}") },
            num("[+-]?[0-9]{0,2}\\.?[0-9]{0,4}"),
            fc.string({ maxLength: 4 }),
          ),
          change: fc.oneof(
            { weight: 9, arbitrary: num("-?[0-9]{1,4}\\.[0-9]{1,3}") },
            num("[+-]?[0-9.]{0,5}"),
          ),
          side: fc.constantFrom("yes", "no", "yes", "no", "yes", "no", "ye", "noo", "", "YES"),
          coid: fc.option(fc.constant("8c35ecb3"), { nil: undefined }),
          subaccount: fc.option(
            fc.oneof({ weight: 9, arbitrary: fc.nat({ max: 9 }).map(String) }, num("[0-9]\\.5")),
            {
              nil: undefined,
            },
          ),
          ts: fc.option(fc.constant("2022-11-22T20:44:01Z"), { nil: undefined }),
          tsMs: fc.option(
            fc.oneof({ weight: 9, arbitrary: num("1[0-9]{12}") }, fc.nat().map(String), num("1\\.5")),
            {
              nil: undefined,
            },
          ),
          tail: fc.constantFrom("}}", "}}", "}}", "}}", "}}", "}}", "}} ", "}}}", "}", ',"x":1}}'),
        })
        .map((r) => {
          let t = `{"type":"orderbook_delta","sid":${r.sid},"seq":${r.seq},"msg":{"market_ticker":"${r.ticker}"`;
          if (r.marketId !== undefined) t += `,"market_id":"${r.marketId}"`;
          t += `,"price_dollars":"${r.price}","delta_fp":"${r.change}","side":"${r.side}"`;
          if (r.coid !== undefined) t += `,"client_order_id":"${r.coid}"`;
          if (r.subaccount !== undefined) t += `,"subaccount":${r.subaccount}`;
          if (r.ts !== undefined) t += `,"ts":"${r.ts}"`;
          if (r.tsMs !== undefined) t += `,"ts_ms":${r.tsMs}`;
          return t + r.tail;
        });
      let fastPath = 0;
      fc.assert(
        fc.property(canonical, (raw) => {
          const text = reader.prep(raw);
          const kind = reader.scan(sc, text);
          if (kind === FRAME_DELTA && (reader.name === "bytes" ? sc.fromBytes : !sc.tickerVerified))
            fastPath++;
          const want = refDecode(text);
          const got = kind === FRAME_MALFORMED ? "malformed" : kind === FRAME_OTHER ? "other" : "delta";
          if (want.kind === "malformed" && got !== "malformed") {
            // allowed only for a raw control character inside a string the scanner skips
            assert.notEqual(refDecode(blankControlChars(text)).kind, "malformed", text);
            return;
          }
          assert.equal(got, want.kind, text);
          if (kind !== FRAME_DELTA) return;
          if (!sc.tickerVerified) assert.equal(sc.verifyTicker(), !hasControlChar(want.ticker ?? ""));
          assert.equal(sc.tickerString(), want.ticker);
          assert.equal(Number.isNaN(sc.sid) ? undefined : sc.sid, want.sid, text);
          assert.equal(Number.isNaN(sc.seq) ? undefined : sc.seq, want.seq, text);
          assert.equal(Number.isNaN(sc.tsMs) ? undefined : sc.tsMs, want.tsMs, text);
          assert.equal(sc.side, want.side, text);
          assert.deepEqual(sc.priceTicks, want.priceTicks, text);
          assert.deepEqual(sc.deltaHundredths, want.deltaHundredths, text);
        }),
        { numRuns: 5000, seed: 17 },
      );
      assert.ok(fastPath > 500, `the fast path read only ${fastPath} frames`);
    });

    it("decodes escaped keys and values like JSON.parse", () => {
      const sc = new FrameScanner();
      const text = `{"\\u0074ype":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"KX\\u0041","pric\\u0065_dollars":"0.4\\u0032","delta_fp":"1.00","side":"n\\u006f"}}`;
      assert.equal(reader.scan(sc, text), FRAME_DELTA);
      assert.equal(sc.tickerString(), "KXA");
      assert.equal(sc.priceTicks, 4200);
      assert.equal(sc.side, 1);
    });
  });

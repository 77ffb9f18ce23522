/**
 * FrameScanner — the allocation-free hot-path reader for `orderbook_snapshot` / `orderbook_delta`
 * frames (io thread).
 *
 * It walks the frame once with a validating JSON scanner (json-scan.ts), remembers where the
 * fields it needs are, then reads them in place: no JSON.parse, no strings sliced out of the frame,
 * no objects per message. Results are left in the scanner's fields (and, for snapshots, in its
 * level scratch arrays) until the next `scan`.
 *
 * Rules implemented (observation-v1.md §3.1–3.4, kalshi-api-notes.md):
 * - a book message is a JSON object whose `type` is one of the two book types and whose `msg` is an
 *   object with a non-empty string `market_ticker`; anything else is OTHER (or MALFORMED if the text
 *   is not valid JSON);
 * - keys in any order; a repeated key: the last one wins (as JSON.parse);
 * - `sid`/`seq` are used only when they are integer JSON numbers;
 * - prices: `price_dollars` (dollars) if present and not null, else legacy `price` (cents);
 *   changes: `delta_fp` if present and not null, else legacy `delta`; numbers or strings;
 * - snapshot sides: the first present non-null of `*_dollars_fp`, `*_dollars`, legacy `yes`/`no`.
 * Escaped strings (rare) are decoded on a slow path so results stay exactly those of JSON.parse.
 *
 * Exactness: for every text JSON.parse accepts, the scanner reports the same values. A frame with
 * no backslash skips strings natively (indexOf), so a raw control character inside a string the
 * engine does not read (e.g. `market_id`) is not rejected as JSON.parse would; everything the
 * engine reads (type, ticker, prices, counts, side, sid, seq, ts_ms) is validated character by
 * character. The property tests in test/book pin both statements.
 */

import { ByteDeltaTemplate } from "./byte-delta-template.js";
import { numberIsPlainDecimal, scaledDecimalAt } from "./decimal-text.js";
import { DeltaTemplate } from "./delta-template.js";
import {
  hasEscape,
  skipString,
  skipStringPlain,
  skipValue,
  skipWs,
  V_ARRAY,
  V_NONE,
  V_NULL,
  V_NUMBER,
  V_OBJECT,
  V_STRING,
  valueType,
} from "./json-scan.js";
import {
  MAX_TICK,
  MIN_TICK,
  PRICE_DECIMALS,
  scaleJsonNumber,
  TICKS_PER_CENT,
  TICKS_PER_DOLLAR,
} from "./units.js";

export const FRAME_MALFORMED = -1;
export const FRAME_OTHER = 0;
export const FRAME_SNAPSHOT = 1;
export const FRAME_DELTA = 2;

const MAX_SIZE_HUNDREDTHS = 0x7fffffff;

// Indices of remembered fields.
const F_TYPE = 0;
const F_SID = 1;
const F_SEQ = 2;
const F_MSG = 3;
const F_TICKER = 4;
const F_PRICE_DOLLARS = 5;
const F_PRICE = 6;
const F_DELTA_FP = 7;
const F_DELTA = 8;
const F_SIDE = 9;
const F_TS_MS = 10;
const F_YES_FP = 11;
const F_YES_DOLLARS = 12;
const F_YES = 13;
const F_NO_FP = 14;
const F_NO_DOLLARS = 15;
const F_NO = 16;
const FIELD_COUNT = 17;

export class FrameScanner {
  /** FRAME_* of the last scan */
  kind = FRAME_OTHER;
  /** integer sid / seq, or NaN when absent or not an integer number */
  sid = Number.NaN;
  seq = Number.NaN;
  /** market_ticker as a range of the frame (no escapes) … */
  tickerStart = -1;
  tickerEnd = -1;
  /** … or, when the ticker was escaped in the frame, its decoded text */
  tickerDecoded: string | null = null;
  /**
   * False when the fast path took the ticker without looking at its characters; a caller that
   * meets a ticker it does not know yet must call `verifyTicker()` before adopting it.
   */
  tickerVerified = true;

  // delta fields (NaN / −1 when invalid)
  side = -1; // 0 yes, 1 no
  priceTicks = Number.NaN;
  deltaHundredths = Number.NaN;
  /** ts_ms when present and an integer, else NaN */
  tsMs = Number.NaN;

  // snapshot levels (valid levels only, in frame order; duplicates kept: later replaces earlier)
  yesTicks = new Int32Array(1024);
  yesSizes = new Int32Array(1024);
  yesCount = 0;
  noTicks = new Int32Array(1024);
  noSizes = new Int32Array(1024);
  noCount = 0;
  /** levels skipped in the last snapshot (invalid price/count or count ≤ 0) */
  skippedLevels = 0;

  /**
   * Byte path (`scanBytes`, `scanBytesAt`): the frame's bytes in a scratch or in place; when
   * `fromBytes` the ticker range indexes `bytes.bytes` (validated printable ASCII, hash in
   * `bytes.tickerHash`).
   */
  readonly bytes = new ByteDeltaTemplate(Math.round(Math.log10(TICKS_PER_DOLLAR)), MIN_TICK, MAX_TICK);
  fromBytes = false;
  /** frames `scanBytes` read on the byte fast path (the rest were decoded) */
  bytesFastCount = 0;

  private text = "";
  private escapes = false;
  private readonly template = new DeltaTemplate();
  private readonly vStart = new Int32Array(FIELD_COUNT);
  private readonly vEnd = new Int32Array(FIELD_COUNT);
  private readonly vType = new Int8Array(FIELD_COUNT);

  /**
   * Scans one frame given as bytes (UTF-8, as the WebSocket delivered it): Kalshi's delta layout
   * is read from the bytes (byte-delta-template.ts); anything else is decoded once and scanned as
   * text. Returns and stores its kind.
   */
  scanBytes(frame: Uint8Array): number {
    this.bytes.load(frame);
    return this.scanLoaded();
  }

  /**
   * `scanBytes` for a frame read in place at bytes[start, end), with 4 zero bytes after it (a
   * recorded frame in its FrameRing record: recording then costs io one copy, not two).
   */
  scanBytesAt(bytes: Uint8Array, view: DataView, start: number, end: number): number {
    this.bytes.loadAt(bytes, view, start, end);
    return this.scanLoaded();
  }

  private scanLoaded(): number {
    const b = this.bytes;
    if (b.match(this)) {
      this.bytesFastCount++;
      this.fromBytes = true;
      this.tickerDecoded = null;
      this.tickerVerified = true;
      return (this.kind = FRAME_DELTA);
    }
    return this.scan(b.decode());
  }

  /** The text of the last frame scanned as text (after `scanBytes`: "" when read from bytes). */
  get frameText(): string {
    return this.fromBytes ? "" : this.text;
  }

  /** Scans one frame; returns and stores its kind. */
  scan(text: string): number {
    this.fromBytes = false;
    this.text = text;
    this.escapes = text.indexOf("\\") >= 0;
    if (!this.escapes && this.template.match(text, this)) {
      this.tickerDecoded = null;
      this.tickerVerified = false;
      return (this.kind = FRAME_DELTA);
    }
    this.tickerVerified = true;
    this.vType.fill(V_NONE);
    this.sid = Number.NaN;
    this.seq = Number.NaN;
    this.tickerStart = -1;
    this.tickerEnd = -1;
    this.tickerDecoded = null;
    this.yesCount = 0;
    this.noCount = 0;
    this.skippedLevels = 0;

    const i = skipWs(text, 0);
    if (text.charCodeAt(i) !== 123) return this.finish(this.validateRest(i));
    if (!this.scanTop(i)) return (this.kind = FRAME_MALFORMED);

    const type = this.bookType();
    if (type === FRAME_OTHER) return (this.kind = FRAME_OTHER);
    if (this.vType[F_MSG] !== V_OBJECT) return (this.kind = FRAME_OTHER);
    const ticker = this.readTicker();
    if (ticker !== 0) return (this.kind = ticker < 0 ? FRAME_MALFORMED : FRAME_OTHER);
    this.sid = this.integerNumber(F_SID);
    this.seq = this.integerNumber(F_SEQ);
    if (type === FRAME_DELTA) this.readDelta();
    else if (!this.readSnapshot()) return (this.kind = FRAME_MALFORMED);
    return (this.kind = type);
  }

  /** False when the fast-path ticker holds a raw control character (the frame is not JSON). */
  verifyTicker(): boolean {
    for (let i = this.tickerStart; i < this.tickerEnd; i++) if (this.text.charCodeAt(i) < 32) return false;
    this.tickerVerified = true;
    return true;
  }

  /** The remembered ticker as a string (allocates; cold path). */
  tickerString(): string {
    if (this.fromBytes) return this.bytes.ascii(this.tickerStart, this.tickerEnd);
    return this.tickerDecoded ?? this.text.slice(this.tickerStart, this.tickerEnd);
  }

  // ------------------------------------------------------------------ structure

  private finish(end: number): number {
    return (this.kind = end < 0 ? FRAME_MALFORMED : FRAME_OTHER);
  }

  /** A frame that is not an object: valid JSON → OTHER, else MALFORMED. */
  private validateRest(i: number): number {
    if (i >= this.text.length) return -1;
    const end = skipValue(this.text, i, 0);
    if (end < 0) return -1;
    return skipWs(this.text, end) === this.text.length ? end : -1;
  }

  private scanTop(i: number): boolean {
    const text = this.text;
    i = skipWs(text, i + 1);
    if (text.charCodeAt(i) !== 125) {
      for (;;) {
        if (text.charCodeAt(i) !== 34) return false;
        const ks = i + 1;
        i = this.escapes ? skipString(text, i) : skipStringPlain(text, i);
        if (i < 0) return false;
        const field = this.topField(ks, i - 1);
        i = skipWs(text, i);
        if (text.charCodeAt(i) !== 58) return false;
        i = skipWs(text, i + 1);
        const vs = i;
        if (field === F_MSG && text.charCodeAt(i) === 123) {
          this.clearMsgFields();
          i = this.scanMsg(i);
        } else {
          if (field === F_MSG) this.clearMsgFields();
          i = skipValue(text, i, 1, !this.escapes);
        }
        if (i < 0) return false;
        if (field >= 0) this.remember(field, vs, i);
        i = skipWs(text, i);
        const c = text.charCodeAt(i);
        if (c === 125) break;
        if (c !== 44) return false;
        i = skipWs(text, i + 1);
      }
    }
    return skipWs(text, i + 1) === text.length;
  }

  private scanMsg(i: number): number {
    const text = this.text;
    i = skipWs(text, i + 1);
    if (text.charCodeAt(i) === 125) return i + 1;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return -1;
      const ks = i + 1;
      i = this.escapes ? skipString(text, i) : skipStringPlain(text, i);
      if (i < 0) return -1;
      const field = this.msgField(ks, i - 1);
      i = skipWs(text, i);
      if (text.charCodeAt(i) !== 58) return -1;
      i = skipWs(text, i + 1);
      const vs = i;
      i = skipValue(text, i, 2, !this.escapes);
      if (i < 0) return -1;
      if (field >= 0) this.remember(field, vs, i);
      i = skipWs(text, i);
      const c = text.charCodeAt(i);
      if (c === 125) return i + 1;
      if (c !== 44) return -1;
      i = skipWs(text, i + 1);
    }
  }

  private remember(field: number, s: number, e: number): void {
    this.vStart[field] = s;
    this.vEnd[field] = e;
    this.vType[field] = valueType(this.text, s);
  }

  private clearMsgFields(): void {
    for (let f = F_TICKER; f < FIELD_COUNT; f++) this.vType[f] = V_NONE;
  }

  private keyIs(ks: number, ke: number, key: string): boolean {
    if (this.escapes && hasEscape(this.text, ks, ke))
      return JSON.parse(this.text.slice(ks - 1, ke + 1)) === key;
    const n = key.length;
    if (ke - ks !== n) return false;
    // A charCodeAt loop inlines; String#startsWith is a builtin call per key (measured slower).
    const text = this.text;
    for (let k = 0; k < n; k++) if (text.charCodeAt(ks + k) !== key.charCodeAt(k)) return false;
    return true;
  }

  private topField(ks: number, ke: number): number {
    if (this.keyIs(ks, ke, "type")) return F_TYPE;
    if (this.keyIs(ks, ke, "sid")) return F_SID;
    if (this.keyIs(ks, ke, "seq")) return F_SEQ;
    if (this.keyIs(ks, ke, "msg")) return F_MSG;
    return -1;
  }

  private msgField(ks: number, ke: number): number {
    // Cheap pre-filter on the first character; most keys of a delta are wanted.
    switch (this.text.charCodeAt(ks)) {
      case 109: // m
        return this.keyIs(ks, ke, "market_ticker") ? F_TICKER : -1;
      case 112: // p
        if (this.keyIs(ks, ke, "price_dollars")) return F_PRICE_DOLLARS;
        return this.keyIs(ks, ke, "price") ? F_PRICE : -1;
      case 100: // d
        if (this.keyIs(ks, ke, "delta_fp")) return F_DELTA_FP;
        return this.keyIs(ks, ke, "delta") ? F_DELTA : -1;
      case 115: // s
        return this.keyIs(ks, ke, "side") ? F_SIDE : -1;
      case 116: // t
        return this.keyIs(ks, ke, "ts_ms") ? F_TS_MS : -1;
      case 121: // y
        if (this.keyIs(ks, ke, "yes_dollars_fp")) return F_YES_FP;
        if (this.keyIs(ks, ke, "yes_dollars")) return F_YES_DOLLARS;
        return this.keyIs(ks, ke, "yes") ? F_YES : -1;
      case 110: // n
        if (this.keyIs(ks, ke, "no_dollars_fp")) return F_NO_FP;
        if (this.keyIs(ks, ke, "no_dollars")) return F_NO_DOLLARS;
        return this.keyIs(ks, ke, "no") ? F_NO : -1;
      case 92: // escaped key: decode and compare against every wanted key
        return this.escapedMsgField(ks, ke);
      default:
        return -1;
    }
  }

  private escapedMsgField(ks: number, ke: number): number {
    const key = JSON.parse(this.text.slice(ks - 1, ke + 1)) as string;
    const names = [
      "market_ticker",
      "price_dollars",
      "price",
      "delta_fp",
      "delta",
      "side",
      "ts_ms",
      "yes_dollars_fp",
      "yes_dollars",
      "yes",
      "no_dollars_fp",
      "no_dollars",
      "no",
    ];
    const k = names.indexOf(key);
    return k < 0 ? -1 : F_TICKER + k;
  }

  // ------------------------------------------------------------------ values

  /** String field equals `s` (handles escapes on the slow path). */
  private stringIs(field: number, s: string): boolean {
    if (this.vType[field] !== V_STRING) return false;
    return this.keyIs(this.vStart[field] + 1, this.vEnd[field] - 1, s);
  }

  private bookType(): number {
    if (this.stringIs(F_TYPE, "orderbook_delta")) return FRAME_DELTA;
    if (this.stringIs(F_TYPE, "orderbook_snapshot")) return FRAME_SNAPSHOT;
    return FRAME_OTHER;
  }

  /** 0: ticker read; 1: no usable ticker (not a book message); −1: invalid JSON string. */
  private readTicker(): number {
    if (this.vType[F_TICKER] !== V_STRING) return 1;
    const s = this.vStart[F_TICKER] + 1;
    const e = this.vEnd[F_TICKER] - 1;
    if (e <= s) return 1;
    if (this.escapes && hasEscape(this.text, s, e)) {
      this.tickerDecoded = JSON.parse(this.text.slice(s - 1, e + 1)) as string;
      if (this.tickerDecoded.length === 0) return 1;
    } else {
      for (let i = s; i < e; i++) if (this.text.charCodeAt(i) < 32) return -1;
    }
    this.tickerStart = s;
    this.tickerEnd = e;
    return 0;
  }

  /** Integer value of a JSON-number field, NaN if absent/not a number/not an integer. */
  private integerNumber(field: number): number {
    if (this.vType[field] !== V_NUMBER) return Number.NaN;
    return this.integerAt(this.vStart[field], this.vEnd[field]);
  }

  private integerAt(s: number, e: number): number {
    const text = this.text;
    let v = 0;
    let i = s;
    for (; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (i === e && i > s && v <= Number.MAX_SAFE_INTEGER) return v;
    const x = Number(text.slice(s, e)); // rare: sign, fraction or exponent
    return Number.isInteger(x) ? x : Number.NaN;
  }

  /** Decimal value (string or number field) scaled by 10^scale; NaN when invalid. */
  private scaledValue(field: number, scale: number): number {
    return this.scaledAt(this.vType[field], this.vStart[field], this.vEnd[field], scale);
  }

  private scaledAt(type: number, s: number, e: number, scale: number): number {
    const text = this.text;
    if (type === V_STRING) {
      if (this.escapes && hasEscape(text, s + 1, e - 1)) {
        const decoded = JSON.parse(text.slice(s, e)) as string;
        return scaledDecimalAt(decoded, 0, decoded.length, scale);
      }
      return scaledDecimalAt(text, s + 1, e - 1, scale);
    }
    if (type === V_NUMBER) {
      if (numberIsPlainDecimal(text, s, e)) return scaledDecimalAt(text, s, e, scale);
      return scaleJsonNumber(Number(text.slice(s, e)), scale);
    }
    return Number.NaN;
  }

  private present(field: number): boolean {
    const t = this.vType[field];
    return t !== V_NONE && t !== V_NULL;
  }

  private readDelta(): void {
    // Price: price_dollars if present and not null, else legacy integer cents.
    let ticks = Number.NaN;
    if (this.present(F_PRICE_DOLLARS)) {
      ticks = this.scaledValue(F_PRICE_DOLLARS, PRICE_DECIMALS);
      if (!(ticks >= MIN_TICK && ticks <= MAX_TICK)) ticks = Number.NaN;
    } else if (this.present(F_PRICE)) {
      const cents = this.scaledValue(F_PRICE, 0);
      ticks = cents >= 1 && cents <= 99 ? cents * TICKS_PER_CENT : Number.NaN;
    }
    this.priceTicks = ticks;
    // Change: delta_fp if present and not null, else legacy delta (contracts).
    let change = Number.NaN;
    if (this.present(F_DELTA_FP)) change = this.scaledValue(F_DELTA_FP, 2);
    else if (this.present(F_DELTA)) change = this.scaledValue(F_DELTA, 2);
    this.deltaHundredths =
      change >= -MAX_SIZE_HUNDREDTHS && change <= MAX_SIZE_HUNDREDTHS ? change : Number.NaN;
    this.side = this.stringIs(F_SIDE, "yes") ? 0 : this.stringIs(F_SIDE, "no") ? 1 : -1;
    this.tsMs = this.readTsMs();
  }

  private readTsMs(): number {
    const t = this.vType[F_TS_MS];
    if (t === V_NUMBER) return this.integerNumber(F_TS_MS);
    if (t === V_STRING) {
      const s = this.vStart[F_TS_MS] + 1;
      const e = this.vEnd[F_TS_MS] - 1;
      if (e <= s) return Number.NaN;
      let v = 0;
      for (let i = s; i < e; i++) {
        const c = this.text.charCodeAt(i);
        if (c < 48 || c > 57) return Number.NaN;
        v = v * 10 + (c - 48);
      }
      return v <= Number.MAX_SAFE_INTEGER ? v : Number.NaN;
    }
    return Number.NaN;
  }

  /**
   * False when a level array is not valid JSON after all. The top-level walk of a frame without
   * backslashes skips strings natively (`skipStringPlain`) and so accepts a raw control character
   * inside a string; the level walk below validates every character it reads and meets it here.
   * Every loop advances its index strictly or fails the frame: a failed skip (−1) must never be
   * used as an index (it would restart the walk at the frame's first character, forever).
   */
  private readSnapshot(): boolean {
    this.tsMs = this.readTsMs();
    return this.readSide(0, F_YES_FP, F_YES_DOLLARS, F_YES) && this.readSide(1, F_NO_FP, F_NO_DOLLARS, F_NO);
  }

  private readSide(side: number, fFp: number, fDollars: number, fCents: number): boolean {
    let field = -1;
    let cents = false;
    if (this.present(fFp)) field = fFp;
    else if (this.present(fDollars)) field = fDollars;
    else if (this.present(fCents)) {
      field = fCents;
      cents = true;
    }
    if (field < 0 || this.vType[field] !== V_ARRAY) return true; // missing, null or not an array: empty
    const text = this.text;
    const end = this.vEnd[field];
    let i = skipWs(text, this.vStart[field] + 1);
    if (text.charCodeAt(i) === 93) return true;
    for (;;) {
      const es = i;
      const ee = skipValue(text, i, 2);
      if (ee <= es || ee >= end) return false;
      if (text.charCodeAt(es) === 91) {
        if (!this.readLevel(side, es, ee, cents)) return false;
      } else this.skippedLevels++;
      i = skipWs(text, ee);
      const c = text.charCodeAt(i);
      if (c === 93) return true;
      if (c !== 44) return false;
      i = skipWs(text, i + 1);
    }
  }

  /**
   * One level `[price, count, ...]` spanning [s, e) (s at the '['), already validated as JSON by
   * the caller's skip. False only when its parts do not re-scan (cannot happen for valid JSON).
   */
  private readLevel(side: number, s: number, e: number, cents: boolean): boolean {
    const text = this.text;
    let i = skipWs(text, s + 1);
    if (text.charCodeAt(i) === 93) {
      this.skippedLevels++;
      return true;
    }
    const ps = i;
    const pe = skipValue(text, i, 3);
    if (pe <= ps || pe >= e) return false;
    const pType = valueType(text, ps);
    i = skipWs(text, pe);
    if (text.charCodeAt(i) !== 44) {
      this.skippedLevels++;
      return true;
    }
    i = skipWs(text, i + 1);
    const cs = i;
    const ce = skipValue(text, i, 3);
    if (ce <= cs || ce >= e) return false;
    const cType = valueType(text, cs);
    let ticks: number;
    if (cents) {
      const c = this.scaledAt(pType, ps, pe, 0);
      ticks = c >= 1 && c <= 99 ? c * TICKS_PER_CENT : Number.NaN;
    } else {
      ticks = this.scaledAt(pType, ps, pe, PRICE_DECIMALS);
      if (!(ticks >= MIN_TICK && ticks <= MAX_TICK)) ticks = Number.NaN;
    }
    const size = this.scaledAt(cType, cs, ce, 2);
    if (Number.isNaN(ticks) || !(size > 0 && size <= MAX_SIZE_HUNDREDTHS)) {
      this.skippedLevels++;
      return true;
    }
    this.pushLevel(side, ticks, size);
    return true;
  }

  private pushLevel(side: number, ticks: number, size: number): void {
    if (side === 0) {
      if (this.yesCount === this.yesTicks.length) {
        this.yesTicks = grow(this.yesTicks);
        this.yesSizes = grow(this.yesSizes);
      }
      this.yesTicks[this.yesCount] = ticks;
      this.yesSizes[this.yesCount++] = size;
    } else {
      if (this.noCount === this.noTicks.length) {
        this.noTicks = grow(this.noTicks);
        this.noSizes = grow(this.noSizes);
      }
      this.noTicks[this.noCount] = ticks;
      this.noSizes[this.noCount++] = size;
    }
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

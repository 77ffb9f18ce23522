/**
 * Byte fast path for Kalshi's own `orderbook_delta` layout (io thread): the frame as `ws` delivers
 * it (a Buffer), never decoded to a string. Same layout as delta-template.ts:
 *
 *   {"type":"orderbook_delta","sid":N,"seq":N,"msg":{"market_ticker":"…"[,"market_id":"…"],
 *    "price_dollars":"…","delta_fp":"…","side":"yes|no"[,"client_order_id":"…"][,"subaccount":N]
 *    [,"ts":"…"][,"ts_ms":N]}}
 *
 * How it stays exact and fast:
 * - The frame is copied once into a persistent scratch Uint8Array with 4 zero bytes after it, so
 *   every 4-byte read is in bounds and a read past the end meets a NUL (a control byte, which no
 *   accepted string may hold): the walk cannot run away. Or it is read in place (`loadAt`) where
 *   it already lies with 4 zero bytes after it (a recorded frame in the FrameRing, which pads
 *   every record so): indices are then absolute in that buffer, from `start` to `end`.
 * - Every fixed byte is checked: each fixed part of the template is compared as little-endian
 *   4-byte words (DataView reads) against constants generated from the template text at load,
 *   the last word overlapping the previous one instead of a byte tail.
 * - Every string byte is checked 4 at a time with word tricks: a word passes only when none of its
 *   bytes is a quote, a backslash, a control byte (< 0x20) or non-ASCII (≥ 0x80). Anything else in
 *   a string — an escape, UTF-8, a raw control character — makes `match` return false and the
 *   caller decodes the frame and reads it with the validating scanner. So an accepted string is
 *   plain printable ASCII, which is exactly what JSON.parse would return for it.
 * - Integers are read digit by digit (no leading zeros, no fraction or exponent: else false);
 *   decimals inside strings are read exactly (`-`? digits, `.` digits, at most 24 characters;
 *   digits beyond the scale must be zeros; any other form: false).
 * - The ticker's hash comes from the words already loaded while checking it, so the directory
 *   lookup (MarketDirectory.indexOfBytes) does not read the ticker twice to hash it.
 * Every loop advances its index by at least one byte per iteration and stops at the frame's end
 * (the NUL padding fails every class check), so no input can make it hang.
 */
import { hashFinish, hashWord } from "../book/market-directory.js";
import type { DeltaFields } from "./delta-template.js";

const MAX_SIZE_HUNDREDTHS = 0x7fffffff;
const MAX_DECIMAL_CHARS = 24;

/** A fixed part of the template: its bytes and its little-endian words (last one overlapping). */
class FixedPart {
  readonly length: number;
  readonly words: Int32Array;
  /** byte offset of each word within the part */
  readonly offsets: Int32Array;

  constructor(text: string) {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.length = bytes.length;
    if (bytes.length < 4) throw new Error(`fixed template part shorter than a word: ${text}`);
    const n = Math.ceil(bytes.length / 4);
    this.words = new Int32Array(n);
    this.offsets = new Int32Array(n);
    const view = new DataView(bytes.buffer);
    for (let k = 0; k < n; k++) {
      const at = Math.min(4 * k, bytes.length - 4);
      this.offsets[k] = at;
      this.words[k] = view.getInt32(at, true);
    }
  }
}

const HEAD = new FixedPart('{"type":"orderbook_delta","sid":');
const SEQ = new FixedPart(',"seq":');
const MSG = new FixedPart(',"msg":{"market_ticker":"');
const MARKET_ID = new FixedPart(',"market_id":"');
const PRICE = new FixedPart(',"price_dollars":"');
const DELTA = new FixedPart(',"delta_fp":"');
const SIDE = new FixedPart(',"side":"');
const COID = new FixedPart('"client_order_id":"');
const SUBACCOUNT = new FixedPart('"subaccount":');
const TS = new FixedPart('"ts":"');
const TS_MS = new FixedPart('"ts_ms":');
/** `yes"` and `no"` as they follow `"side":"` */
const YES_Q = new FixedPart('yes"');
const NO_Q = 0x226f6e; // 'n' 'o' '"' little-endian (3 bytes)

/**
 * True when some byte of w is a quote, a backslash, < 0x20 or >= 0x80. `w | (w - 0x20202020)`
 * sets a byte's top bit for a byte >= 0x80 or < 0x20 (a borrow only adds flags above a byte that
 * is itself < 0x20); `(x - 0x01010101) & ~x` flags a zero byte of x = w ^ 0x22222222 (a quote) or
 * of w ^ 0x5c5c5c5c (a backslash). No special byte is ever missed; a flag may sit on the wrong
 * byte, which is why the caller then looks at the bytes one by one.
 */
function special(w: number): boolean {
  const q = w ^ 0x22222222;
  const b = w ^ 0x5c5c5c5c;
  return ((w | (w - 0x20202020) | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) !== 0;
}

/** Scratch-reading state of one template (io thread only). */
export class ByteDeltaTemplate {
  /** the frame's bytes at [start, end), then 4 NUL bytes */
  bytes: Uint8Array;
  start = 0;
  end = 0;
  /** hash of the ticker's bytes, from its words (MarketDirectory.bytesHash) */
  tickerHash = 0;
  /** DataView over `bytes` (MarketDirectory.indexOfBytes reads the ticker's words through it) */
  view: DataView;
  /** the persistent copy `load` fills (`bytes` is this or a buffer given to `loadAt`) */
  private scratch: Uint8Array;
  private scratchView: DataView;
  /** end index of the last integer / decimal / string read */
  private at = 0;

  constructor(
    /** decimals of a price tick (units.PRICE_DECIMALS: 4 for $0.0001 ticks) */
    private readonly priceScale: number,
    /** valid prices in ticks: minPriceTicks ..= maxPriceTicks (a grid check is the book's) */
    private readonly minPriceTicks: number,
    private readonly maxPriceTicks: number,
    initialBytes = 4096,
  ) {
    this.scratch = new Uint8Array(initialBytes + 8);
    this.scratchView = new DataView(this.scratch.buffer);
    this.bytes = this.scratch;
    this.view = this.scratchView;
  }

  /** Copies a frame into the scratch (growing it once for a larger frame) and NUL-pads it. */
  load(frame: Uint8Array): void {
    const n = frame.length;
    if (n + 8 > this.scratch.length) {
      this.scratch = new Uint8Array(Math.max(n + 8, this.scratch.length * 2));
      this.scratchView = new DataView(this.scratch.buffer);
    }
    this.scratch.set(frame);
    this.scratchView.setInt32(n, 0, true);
    this.bytes = this.scratch;
    this.view = this.scratchView;
    this.start = 0;
    this.end = n;
  }

  /**
   * Reads the frame at bytes[start, end) in place, without copying it. The caller guarantees 4
   * zero bytes at bytes[end, end + 4) (FrameRing records carry them); `view` is a DataView over
   * the same bytes with the same byte offset.
   */
  loadAt(bytes: Uint8Array, view: DataView, start: number, end: number): void {
    this.bytes = bytes;
    this.view = view;
    this.start = start;
    this.end = end;
  }

  /** The loaded frame's text (cold path: the validating scanner reads it). */
  decode(): string {
    const b = this.bytes;
    return Buffer.from(b.buffer, b.byteOffset + this.start, this.end - this.start).toString("utf8");
  }

  /** The ASCII text of bytes[start, end) (cold path: a ticker seen for the first time). */
  ascii(start: number, end: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("latin1");
  }

  /** Fills `out` and returns true when the loaded frame is a delta in the template layout. */
  match(out: DeltaFields): boolean {
    // Three phases, each a small function V8 optimises with its helpers inlined (one function for
    // the whole template exceeds the inlining budget and calls every helper).
    if (!this.head() || !this.body() || !this.tail()) return false;
    out.sid = this.sid;
    out.seq = this.seq;
    out.tickerStart = this.tickerStart;
    out.tickerEnd = this.tickerEnd;
    out.side = this.side;
    out.priceTicks = this.priceTicks;
    out.deltaHundredths = this.deltaHundredths;
    out.tsMs = this.tsMs;
    return true;
  }

  // Fields of the frame being matched (valid after a successful match).
  private sid = 0;
  private seq = 0;
  private tickerStart = 0;
  private tickerEnd = 0;
  private side = 0;
  private priceTicks = 0;
  private deltaHundredths = 0;
  private tsMs = 0;

  /** `{"type":"orderbook_delta","sid":N,"seq":N,"msg":{"market_ticker":"…"`; `at` on its quote. */
  private head(): boolean {
    if (!this.fixed(this.start, HEAD)) return false;
    const sid = this.uint(this.start + HEAD.length);
    if (sid < 0 || !this.fixed(this.at, SEQ)) return false;
    const seq = this.uint(this.at + SEQ.length);
    if (seq < 0 || !this.fixed(this.at, MSG)) return false;
    const tickerStart = this.at + MSG.length;
    if (!this.ticker(tickerStart) || this.at === tickerStart) return false;
    this.sid = sid;
    this.seq = seq;
    this.tickerStart = tickerStart;
    this.tickerEnd = this.at;
    return true;
  }

  /** `[,"market_id":"…"],"price_dollars":"…","delta_fp":"…","side":"yes|no"`; `at` after it. */
  private body(): boolean {
    let i = this.at + 1;
    if (this.fixed(i, MARKET_ID)) {
      if (!this.string(i + MARKET_ID.length)) return false;
      i = this.at + 1;
    }
    if (!this.fixed(i, PRICE)) return false;
    const ticks = this.decimal(i + PRICE.length, this.priceScale);
    if (this.at < 0) return false;
    i = this.at + 1;
    if (!this.fixed(i, DELTA)) return false;
    const change = this.decimal(i + DELTA.length, 2);
    if (this.at < 0) return false;
    i = this.at + 1;
    if (!this.fixed(i, SIDE)) return false;
    i += SIDE.length;
    if (this.fixed(i, YES_Q)) {
      this.side = 0;
      this.at = i + 4;
    } else if ((this.view.getInt32(i, true) & 0xffffff) === NO_Q && i + 3 <= this.end) {
      this.side = 1;
      this.at = i + 3;
    } else return false; // another side value: the validating scanner reports it
    this.priceTicks = ticks >= this.minPriceTicks && ticks <= this.maxPriceTicks ? ticks : Number.NaN;
    this.deltaHundredths =
      change >= -MAX_SIZE_HUNDREDTHS && change <= MAX_SIZE_HUNDREDTHS ? change : Number.NaN;
    return true;
  }

  /** Optional `,"client_order_id"`, `,"subaccount"`, `,"ts"`, `,"ts_ms"`, then `}}` at the end. */
  private tail(): boolean {
    const bytes = this.bytes;
    const end = this.end;
    let i = this.at;
    let tsMs = Number.NaN;
    while (bytes[i] === 44 && i < end) {
      i++;
      if (this.fixed(i, TS_MS)) {
        tsMs = this.uint(i + TS_MS.length);
        if (tsMs < 0) return false;
        i = this.at;
      } else if (this.fixed(i, COID)) {
        if (!this.string(i + COID.length)) return false;
        i = this.at + 1;
      } else if (this.fixed(i, TS)) {
        if (!this.string(i + TS.length)) return false;
        i = this.at + 1;
      } else if (this.fixed(i, SUBACCOUNT)) {
        if (this.uint(i + SUBACCOUNT.length) < 0) return false;
        i = this.at;
      } else return false;
    }
    this.tsMs = tsMs;
    return i + 2 === end && bytes[i] === 125 && bytes[i + 1] === 125;
  }

  /** Whether the fixed part sits at byte i (every byte compared, as words). */
  private fixed(i: number, part: FixedPart): boolean {
    if (i + part.length > this.end) return false;
    const words = part.words;
    const offsets = part.offsets;
    const view = this.view;
    for (let k = 0; k < words.length; k++) if (view.getInt32(i + offsets[k], true) !== words[k]) return false;
    return true;
  }

  /** Unsigned JSON integer at i; −1 unless plain digits without a leading zero. Sets `at`. */
  private uint(i: number): number {
    const bytes = this.bytes;
    let c = bytes[i];
    if (c < 48 || c > 57) return -1;
    if (c === 48) {
      this.at = i + 1;
      c = bytes[i + 1];
      return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 ? -1 : 0;
    }
    let v = 0;
    const start = i;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = bytes[++i];
    }
    this.at = i;
    if (c === 46 || c === 101 || c === 69 || i - start > 15) return -1;
    return v;
  }

  /**
   * Plain string content from i to its closing quote: sets `at` to the quote and returns true, or
   * false when a byte is a backslash, a control byte or non-ASCII (or the frame ends first).
   */
  private string(i: number): boolean {
    const view = this.view;
    for (;;) {
      const w = view.getInt32(i, true);
      if (!special(w)) {
        i += 4;
        continue;
      }
      return this.endOfWord(i);
    }
  }

  /** The word at i holds a special byte: true with `at` on it when the first one is a quote. */
  private endOfWord(i: number): boolean {
    const bytes = this.bytes;
    for (let k = i; k < i + 4; k++) {
      const c = bytes[k];
      if (c === 34) {
        this.at = k;
        return k < this.end;
      }
      if (c < 32 || c > 127 || c === 92) return false;
    }
    return false;
  }

  /** `string` for the ticker, also hashing its bytes word by word (MarketDirectory.bytesHash). */
  private ticker(i: number): boolean {
    const view = this.view;
    const start = i;
    let h = 0;
    for (;;) {
      const w = view.getInt32(i, true);
      if (!special(w)) {
        h = hashWord(h, w);
        i += 4;
        continue;
      }
      if (!this.endOfWord(i)) return false;
      const tail = this.at - i;
      if (tail > 0) h = hashWord(h, w & ((1 << (8 * tail)) - 1));
      this.tickerHash = hashFinish(h, this.at - start);
      return true;
    }
  }

  /**
   * Exact decimal in a string at i, scaled by 10^scale: sets `at` to the closing quote. Returns
   * NaN (with `at` set) for non-zero digits beyond the scale; sets `at` = −1 for any form it does
   * not read (the caller falls back).
   */
  private decimal(i: number, scale: number): number {
    const bytes = this.bytes;
    const start = i;
    let negative = false;
    let c = bytes[i];
    if (c === 45) {
      negative = true;
      c = bytes[++i];
    }
    let v = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
      c = bytes[++i];
    }
    let frac = 0;
    let bad = false;
    if (c === 46) {
      c = bytes[++i];
      while (c >= 48 && c <= 57) {
        if (frac < scale) v = v * 10 + (c - 48);
        else if (c !== 48) bad = true;
        frac++;
        c = bytes[++i];
      }
      if (frac === 0) digits = 0; // "5." : the validating scanner decides
    }
    if (c !== 34 || digits === 0 || i - start > MAX_DECIMAL_CHARS || i >= this.end) {
      this.at = -1;
      return Number.NaN;
    }
    this.at = i;
    if (bad) return Number.NaN;
    for (let k = frac; k < scale; k++) v *= 10;
    if (v > Number.MAX_SAFE_INTEGER) return Number.NaN;
    return negative && v !== 0 ? -v : v;
  }
}

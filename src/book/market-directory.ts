/**
 * MarketDirectory — ticker ↔ dense market index `m`, shared by every per-market table.
 *
 * Owner: io thread (the only thread that assigns indices). Other threads receive the ticker list
 * by message. Lookups from a frame are allocation-free: `indexOfRange` hashes the ticker's
 * characters in place and compares them with the stored ticker, so the hot path never slices a
 * string out of the frame. The byte path (`indexOfBytes`) looks a ticker up in the frame's bytes
 * by the hash its template computed from the words it already read (byte-delta-template.ts), and
 * compares the stored ticker as 4-byte words; only printable-ASCII tickers are in that table (the
 * byte path never accepts any other).
 */

const EMPTY = -1;

function hashRange(text: string, start: number, end: number): number {
  // FNV-1a over UTF-16 code units.
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Hash of a ticker's bytes as the byte template computes it: MurmurHash3's 32-bit steps over
 * little-endian 4-byte words (the last, partial one zero-padded), the length, then its final mix
 * (every bit of every byte reaches the low bits the table indexes by).
 */
export function bytesHash(ticker: string): number {
  const n = ticker.length;
  let h = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) h = hashWord(h, wordOf(ticker, i, 4));
  if (i < n) h = hashWord(h, wordOf(ticker, i, n - i));
  return hashFinish(h, n);
}

/** One MurmurHash3 x86_32 block step. */
export function hashWord(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finalisation (length, then avalanche); unsigned. */
export function hashFinish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function wordOf(text: string, i: number, count: number): number {
  let w = 0;
  for (let k = 0; k < count; k++) w |= text.charCodeAt(i + k) << (8 * k);
  return w;
}

function printableAscii(ticker: string): boolean {
  for (let i = 0; i < ticker.length; i++) {
    const c = ticker.charCodeAt(i);
    if (c < 32 || c > 127 || c === 34 || c === 92) return false;
  }
  return ticker.length > 0;
}

export class MarketDirectory {
  readonly capacity: number;
  private readonly tickers: string[] = [];
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** byte path: slots by bytesHash; each market's ticker as words (wordStart/byteLength) */
  private readonly byteSlots: Int32Array;
  private tickerWords = new Int32Array(256);
  private wordsUsed = 0;
  private readonly wordStart: Int32Array;
  private readonly byteLength: Int32Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`market capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.byteSlots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.wordStart = new Int32Array(capacity);
    this.byteLength = new Int32Array(capacity);
  }

  get size(): number {
    return this.tickers.length;
  }

  tickerOf(m: number): string {
    const t = this.tickers[m];
    if (t === undefined) throw new RangeError(`no market with index ${m}`);
    return t;
  }

  /** All tickers in index order (index = position). */
  list(): readonly string[] {
    return this.tickers;
  }

  indexOf(ticker: string): number {
    return this.indexOfRange(ticker, 0, ticker.length);
  }

  /** Index of the ticker spelled by text[start, end), or −1. Allocation-free. */
  indexOfRange(text: string, start: number, end: number): number {
    const len = end - start;
    let slot = hashRange(text, start, end) & this.mask;
    for (;;) {
      const m = this.slots[slot];
      if (m === EMPTY) return -1;
      const t = this.tickers[m];
      if (t.length === len && (len === 0 || text.startsWith(t, start))) return m;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Index of the ticker whose bytes are frame[start, end) with hash `hash` (bytesHash), or −1.
   * `view` reads the frame's bytes; up to 3 bytes after `end` are read (the byte template's
   * scratch is padded). Allocation-free.
   */
  indexOfBytes(view: DataView, start: number, end: number, hash: number): number {
    const len = end - start;
    const words = this.tickerWords;
    let slot = hash & this.mask;
    for (;;) {
      const m = this.byteSlots[slot];
      if (m === EMPTY) return -1;
      if (this.byteLength[m] === len) {
        const w0 = this.wordStart[m];
        let k = 0;
        let i = start;
        for (; i + 4 <= end; i += 4, k++) if (view.getInt32(i, true) !== words[w0 + k]) break;
        if (
          i + 4 > end &&
          (i === end || (view.getInt32(i, true) & ((1 << (8 * (end - i))) - 1)) === words[w0 + k])
        )
          return m;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Index of the ticker, assigning the next free index on first sight; −1 when full. */
  ensure(ticker: string): number {
    const found = this.indexOf(ticker);
    if (found >= 0) return found;
    if (this.tickers.length >= this.capacity) return -1;
    const m = this.tickers.length;
    this.tickers.push(ticker);
    let slot = hashRange(ticker, 0, ticker.length) & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = m;
    if (printableAscii(ticker)) this.addBytes(m, ticker);
    return m;
  }

  private addBytes(m: number, ticker: string): void {
    const n = ticker.length;
    const count = (n + 3) >> 2;
    if (this.wordsUsed + count > this.tickerWords.length) {
      const grown = new Int32Array(Math.max(this.tickerWords.length * 2, this.wordsUsed + count));
      grown.set(this.tickerWords);
      this.tickerWords = grown;
    }
    this.wordStart[m] = this.wordsUsed;
    this.byteLength[m] = n;
    for (let k = 0; k < count; k++) {
      this.tickerWords[this.wordsUsed + k] = wordOf(ticker, 4 * k, Math.min(4, n - 4 * k));
    }
    this.wordsUsed += count;
    let slot = bytesHash(ticker) & this.mask;
    while (this.byteSlots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.byteSlots[slot] = m;
  }

  /** Like `ensure` but from a range of a frame (allocates the ticker string on first sight only). */
  ensureRange(text: string, start: number, end: number): number {
    const found = this.indexOfRange(text, start, end);
    if (found >= 0) return found;
    return this.ensure(text.slice(start, end));
  }
}

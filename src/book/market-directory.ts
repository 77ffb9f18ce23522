/**
 * MarketDirectory — ticker ↔ dense market index `m`, shared by every per-market table.
 *
 * Owner: io thread (the only thread that assigns indices). Other threads receive the ticker list
 * by message. Lookups from a frame are allocation-free: `indexOfRange` hashes the ticker's
 * characters in place and compares them with the stored ticker, so the hot path never slices a
 * string out of the frame.
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

export class MarketDirectory {
  readonly capacity: number;
  private readonly tickers: string[] = [];
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`market capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
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
    return m;
  }

  /** Like `ensure` but from a range of a frame (allocates the ticker string on first sight only). */
  ensureRange(text: string, start: number, end: number): number {
    const found = this.indexOfRange(text, start, end);
    if (found >= 0) return found;
    return this.ensure(text.slice(start, end));
  }
}

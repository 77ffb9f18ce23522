/**
 * BookTable — every market's order book in one SharedArrayBuffer.
 *
 * Writer: the io thread ONLY (through FeedApplier). Readers: any thread (decide workers, orders),
 * lock-free through a per-market seqlock.
 *
 * Books hold BIDS only (correctness-rules.md rule 1): YES bids and NO bids, each as a dense array over price
 * ticks 1..999 ($0.001) of resting sizes in hundredths of a contract. NO prices are on the NO scale.
 * Asks are derived: YES ask = 1000 − best NO bid, NO ask = 1000 − best YES bid.
 *
 * Layout (capacity = C markets; all offsets in bytes from the start of the SAB):
 *
 *   0                 C × 64 B     C × 64 B            C × 4000 B          C × 4000 B
 *   +-----------------+------------+-------------------+-------------------+
 *   | int32 header    | f64 header | YES sizes int32   | NO sizes int32    |
 *   | 16 words/market | 8 / market | [m*1000 + tick]   | [m*1000 + tick]   |
 *   +-----------------+------------+-------------------+-------------------+
 *
 *   int32 header of market m (word offset m*16):      f64 header of market m (offset m*8):
 *     +0  version   seqlock; odd while writing          +0 yesTotalHundredths
 *     +1  bestYes   tick of best YES bid, 0 = empty      +1 noTotalHundredths
 *     +2  bestNo    tick of best NO bid, 0 = empty       +2 lastSeq (of the latest book message)
 *     +3  yesLevels number of non-zero YES levels        +3 lastTsMs (T of observation-v1.md §3.5)
 *     +4  noLevels  number of non-zero NO levels         +4 lastRecvMs
 *     +5  flags     bit0 has snapshot, bit1 stale        +5 appliedCount (applied updates)
 *     +6  sid       sid of the latest book message, −1   +6 (reserved)
 *     +7..15 reserved                                    +7 (reserved)
 *
 * Each market's header sits on its own 64-byte line so a writer on one market does not share a
 * cache line with another market's header.
 */

export const TICKS = 1000; // array stride: index 0 unused, ticks 1..999
const I32_STRIDE = 16;
const F64_STRIDE = 8;

const I_VERSION = 0;
const I_BEST_YES = 1;
const I_BEST_NO = 2;
const I_YES_LEVELS = 3;
const I_NO_LEVELS = 4;
const I_FLAGS = 5;
const I_SID = 6;

const F_YES_TOTAL = 0;
const F_NO_TOTAL = 1;
const F_LAST_SEQ = 2;
const F_LAST_TS = 3;
const F_LAST_RECV = 4;
const F_APPLIED = 5;

const FLAG_SNAPSHOT = 1;
const FLAG_STALE = 2;

/** Largest size a level may hold (int32). */
export const MAX_LEVEL_HUNDREDTHS = 0x7fffffff;

export interface BookTableShared {
  sab: SharedArrayBuffer;
  capacity: number;
}

/** Book side: 0 = YES bids, 1 = NO bids. */
export type Side = 0 | 1;
export const SIDE_YES: Side = 0;
export const SIDE_NO: Side = 1;

export class BookTable {
  readonly shared: BookTableShared;
  readonly capacity: number;
  /** per-market int32 header words (see layout) */
  readonly head: Int32Array;
  /** per-market float64 header words (see layout) */
  readonly headF: Float64Array;
  /** YES bid sizes in hundredths: yesSizes[m * 1000 + tick] */
  readonly yesSizes: Int32Array;
  /** NO bid sizes in hundredths (NO price scale): noSizes[m * 1000 + tick] */
  readonly noSizes: Int32Array;

  static bytesFor(capacity: number): number {
    return capacity * (I32_STRIDE * 4 + F64_STRIDE * 8 + 2 * TICKS * 4);
  }

  static create(capacity: number): BookTable {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`BookTable capacity must be a positive integer, got ${capacity}`);
    const t = new BookTable({ sab: new SharedArrayBuffer(BookTable.bytesFor(capacity)), capacity });
    for (let m = 0; m < capacity; m++) t.head[m * I32_STRIDE + I_SID] = -1;
    return t;
  }

  static attach(shared: BookTableShared): BookTable {
    return new BookTable(shared);
  }

  private constructor(shared: BookTableShared) {
    this.shared = shared;
    const c = shared.capacity;
    this.capacity = c;
    let off = 0;
    this.head = new Int32Array(shared.sab, off, c * I32_STRIDE);
    off += c * I32_STRIDE * 4;
    this.headF = new Float64Array(shared.sab, off, c * F64_STRIDE);
    off += c * F64_STRIDE * 8;
    this.yesSizes = new Int32Array(shared.sab, off, c * TICKS);
    off += c * TICKS * 4;
    this.noSizes = new Int32Array(shared.sab, off, c * TICKS);
  }

  // ---------------------------------------------------------------- readers (any thread)

  /** Seqlock read start: spins while market m is being written, returns the (even) version. */
  readBegin(m: number): number {
    const i = m * I32_STRIDE + I_VERSION;
    let v = Atomics.load(this.head, i);
    while ((v & 1) !== 0) v = Atomics.load(this.head, i);
    return v;
  }

  /** True when nothing was written to market m since `readBegin` returned `v`. */
  readValid(m: number, v: number): boolean {
    return Atomics.load(this.head, m * I32_STRIDE + I_VERSION) === v;
  }

  bestYesTick(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST_YES];
  }
  bestNoTick(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST_NO];
  }
  /** YES ask in ticks (1000 − best NO bid), 0 when the NO side is empty. */
  yesAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST_NO];
    return b === 0 ? 0 : TICKS - b;
  }
  /** NO ask in ticks (1000 − best YES bid), 0 when the YES side is empty. */
  noAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST_YES];
    return b === 0 ? 0 : TICKS - b;
  }
  yesSizeAt(m: number, tick: number): number {
    return this.yesSizes[m * TICKS + tick];
  }
  noSizeAt(m: number, tick: number): number {
    return this.noSizes[m * TICKS + tick];
  }
  yesLevelCount(m: number): number {
    return this.head[m * I32_STRIDE + I_YES_LEVELS];
  }
  noLevelCount(m: number): number {
    return this.head[m * I32_STRIDE + I_NO_LEVELS];
  }
  yesTotalHundredths(m: number): number {
    return this.headF[m * F64_STRIDE + F_YES_TOTAL];
  }
  noTotalHundredths(m: number): number {
    return this.headF[m * F64_STRIDE + F_NO_TOTAL];
  }
  hasSnapshot(m: number): boolean {
    return (this.head[m * I32_STRIDE + I_FLAGS] & FLAG_SNAPSHOT) !== 0;
  }
  isStale(m: number): boolean {
    return (this.head[m * I32_STRIDE + I_FLAGS] & FLAG_STALE) !== 0;
  }
  /** A book decisions may use: snapshot received and not out of sync. */
  isTradable(m: number): boolean {
    return (this.head[m * I32_STRIDE + I_FLAGS] & (FLAG_SNAPSHOT | FLAG_STALE)) === FLAG_SNAPSHOT;
  }
  sid(m: number): number {
    return this.head[m * I32_STRIDE + I_SID];
  }
  lastSeq(m: number): number {
    return this.headF[m * F64_STRIDE + F_LAST_SEQ];
  }
  lastTsMs(m: number): number {
    return this.headF[m * F64_STRIDE + F_LAST_TS];
  }
  lastRecvMs(m: number): number {
    return this.headF[m * F64_STRIDE + F_LAST_RECV];
  }
  appliedCount(m: number): number {
    return this.headF[m * F64_STRIDE + F_APPLIED];
  }

  // ---------------------------------------------------------------- writer (io thread only)

  /** Opens a write of market m (version becomes odd). Pair with `writeEnd`. */
  writeBegin(m: number): void {
    Atomics.add(this.head, m * I32_STRIDE + I_VERSION, 1);
  }

  writeEnd(m: number): void {
    Atomics.add(this.head, m * I32_STRIDE + I_VERSION, 1);
  }

  /** Clears both sides (start of a snapshot); caller holds the write. */
  clearBook(m: number): void {
    const base = m * TICKS;
    this.yesSizes.fill(0, base, base + TICKS);
    this.noSizes.fill(0, base, base + TICKS);
    const h = m * I32_STRIDE;
    this.head[h + I_BEST_YES] = 0;
    this.head[h + I_BEST_NO] = 0;
    this.head[h + I_YES_LEVELS] = 0;
    this.head[h + I_NO_LEVELS] = 0;
    const f = m * F64_STRIDE;
    this.headF[f + F_YES_TOTAL] = 0;
    this.headF[f + F_NO_TOTAL] = 0;
  }

  /**
   * Sets the level (side, tick) to `sizeHundredths` (> 0), replacing any earlier size — the
   * snapshot rule "a repeated price replaces the earlier level". Caller holds the write.
   */
  setLevel(m: number, side: Side, tick: number, sizeHundredths: number): void {
    const sizes = side === SIDE_YES ? this.yesSizes : this.noSizes;
    const i = m * TICKS + tick;
    const old = sizes[i];
    sizes[i] = sizeHundredths;
    const h = m * I32_STRIDE;
    const f = m * F64_STRIDE;
    if (side === SIDE_YES) {
      if (old === 0) this.head[h + I_YES_LEVELS]++;
      this.headF[f + F_YES_TOTAL] += sizeHundredths - old;
      if (tick > this.head[h + I_BEST_YES]) this.head[h + I_BEST_YES] = tick;
    } else {
      if (old === 0) this.head[h + I_NO_LEVELS]++;
      this.headF[f + F_NO_TOTAL] += sizeHundredths - old;
      if (tick > this.head[h + I_BEST_NO]) this.head[h + I_BEST_NO] = tick;
    }
  }

  /**
   * Resulting size if `deltaHundredths` were added at (side, tick); negative means out of sync.
   * Pure read, used before opening a write so a rejected delta never touches the version.
   */
  sizeAfterDelta(m: number, side: Side, tick: number, deltaHundredths: number): number {
    const sizes = side === SIDE_YES ? this.yesSizes : this.noSizes;
    return sizes[m * TICKS + tick] + deltaHundredths;
  }

  /**
   * Adds a signed change at (side, tick); the result must be in 0..MAX_LEVEL_HUNDREDTHS (checked by
   * the caller with `sizeAfterDelta`). Maintains best bid (amortised O(1): only removing the best
   * level scans down), level counts and totals. Caller holds the write.
   */
  addDelta(m: number, side: Side, tick: number, deltaHundredths: number): void {
    const yes = side === SIDE_YES;
    const sizes = yes ? this.yesSizes : this.noSizes;
    const base = m * TICKS;
    const i = base + tick;
    const old = sizes[i];
    const next = old + deltaHundredths;
    sizes[i] = next;
    const h = m * I32_STRIDE;
    const bestIdx = h + (yes ? I_BEST_YES : I_BEST_NO);
    this.headF[m * F64_STRIDE + (yes ? F_YES_TOTAL : F_NO_TOTAL)] += deltaHundredths;
    if (old === 0 && next !== 0) {
      this.head[h + (yes ? I_YES_LEVELS : I_NO_LEVELS)]++;
      if (tick > this.head[bestIdx]) this.head[bestIdx] = tick;
    } else if (old !== 0 && next === 0) {
      this.head[h + (yes ? I_YES_LEVELS : I_NO_LEVELS)]--;
      if (tick === this.head[bestIdx]) {
        let t = tick - 1;
        while (t > 0 && sizes[base + t] === 0) t--;
        this.head[bestIdx] = t;
      }
    }
  }

  /** Records the message bookkeeping of an applied update. Caller holds the write. */
  markApplied(m: number, tsMs: number, recvMs: number): void {
    const f = m * F64_STRIDE;
    this.headF[f + F_LAST_TS] = tsMs;
    this.headF[f + F_LAST_RECV] = recvMs;
    this.headF[f + F_APPLIED] += 1;
  }

  /** Records which sid/seq last carried a book message for m (applied or not). */
  setSidSeq(m: number, sid: number, seq: number): void {
    this.head[m * I32_STRIDE + I_SID] = sid;
    this.headF[m * F64_STRIDE + F_LAST_SEQ] = seq;
  }

  setSnapshotFlags(m: number): void {
    this.head[m * I32_STRIDE + I_FLAGS] = FLAG_SNAPSHOT; // a snapshot ends staleness
  }

  /** Marks m out of sync (correctness-rules.md rule 2); published under the seqlock so readers see it. */
  markStale(m: number): void {
    this.writeBegin(m);
    this.head[m * I32_STRIDE + I_FLAGS] |= FLAG_STALE;
    this.writeEnd(m);
  }
}

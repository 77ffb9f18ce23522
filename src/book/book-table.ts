/**
 * BookTable — every market's order book in one SharedArrayBuffer.
 *
 * Writer: the io thread ONLY (through FeedApplier). Readers: any thread (decide workers, orders),
 * lock-free through a per-market seqlock.
 *
 * Books hold BIDS only (correctness-rules.md rule 1): YES bids and NO bids, each as a dense array of resting
 * sizes (hundredths of a contract) over the market's OWN price grid (its `price_ranges`,
 * src/kalshi/price-grid.ts): level l of a side is the l-th valid price. A cent market has 99
 * levels a side, a $0.001 market 999, a full $0.0001 market 9,999 — so memory follows the grids in
 * use, not the finest grid. Prices are ticks of $0.0001 (1..9999); NO prices are on the NO scale.
 * Asks are derived: YES ask = 10000 − best NO bid, NO ask = 10000 − best YES bid.
 *
 * Layout (C = market capacity, G = grid slots, P = pool levels; offsets in bytes):
 *
 *   0              C × 64 B       C × 64 B       G × 40,000 B                 P × 4 B
 *   +--------------+--------------+--------------------------------------------+---------------+
 *   | int32 header | f64 header   | grid tables, int16:                        | level pool    |
 *   | 16 / market  | 8 / market   | levelOfTick[0..10000] (−1 off-grid),       | int32 sizes   |
 *   |              |              | then tickOfLevel[0..9998], per slot         |               |
 *   +--------------+--------------+--------------------------------------------+---------------+
 *
 *   int32 header of market m (word offset m*16):      f64 header of market m (offset m*8):
 *     +0  version   seqlock; odd while writing          +0 yesTotalHundredths
 *     +1  bestYes   tick of best YES bid, 0 = empty      +1 noTotalHundredths
 *     +2  bestNo    tick of best NO bid, 0 = empty       +2 lastSeq (of the latest book message)
 *     +3  yesLevels number of non-zero YES levels        +3 lastTsMs (T of observation-v1.md §3.5)
 *     +4  noLevels  number of non-zero NO levels         +4 lastRecvMs
 *     +5  flags     bit0 has snapshot, bit1 stale        +5 appliedCount (applied updates)
 *     +6  sid       sid of the latest book message, −1   +6 (reserved)
 *     +7  gridSlot  grid table of the market, −1 = none  +7 (reserved)
 *     +8  levelBase pool index of YES level 0 (NO levels follow the YES ones)
 *     +9  gridLevels levels per side (the grid's levelCount)
 *     +10..15 reserved
 *
 * A market's grid is assigned once, before its first book message (`assignGrid`, cold path: the
 * engine does it from `GET /markets`; a market first met in a feed gets the full $0.0001 grid).
 * Grid tables are written before any market points at them and never change afterwards.
 *
 * Each market's header sits on its own 64-byte line so a writer on one market does not share a
 * cache line with another market's header.
 */

import type { PriceGrid } from "../kalshi/price-grid.js";
import { MAX_TICK, TICKS_PER_DOLLAR } from "../kalshi/units.js";

const I32_STRIDE = 16;
const F64_STRIDE = 8;

const I_VERSION = 0;
const I_BEST_YES = 1;
const I_BEST_NO = 2;
const I_YES_LEVELS = 3;
const I_NO_LEVELS = 4;
const I_FLAGS = 5;
const I_SID = 6;
const I_GRID = 7;
const I_LEVEL_BASE = 8;
const I_GRID_LEVELS = 9;

const F_YES_TOTAL = 0;
const F_NO_TOTAL = 1;
const F_LAST_SEQ = 2;
const F_LAST_TS = 3;
const F_LAST_RECV = 4;
const F_APPLIED = 5;

const FLAG_SNAPSHOT = 1;
const FLAG_STALE = 2;

/** int16 entries of one grid table: levelOfTick[0..10000], then tickOfLevel[0..9998] */
const GRID_TICK_OF = TICKS_PER_DOLLAR + 1;
const GRID_STRIDE = GRID_TICK_OF + MAX_TICK;
const DEFAULT_GRID_SLOTS = 16;

/** Largest size a level may hold (int32). */
export const MAX_LEVEL_HUNDREDTHS = 0x7fffffff;

export interface BookTableShared {
  sab: SharedArrayBuffer;
  capacity: number;
  gridSlots: number;
  poolLevels: number;
}

export interface BookTableOptions {
  /** pool size in levels (both sides of every market); default: the full $0.0001 grid for each */
  poolLevels?: number;
  /** distinct grids the table can hold (default 16) */
  gridSlots?: number;
  /** a grid given to every market at creation (tools and tests); default: none, see assignGrid */
  grid?: PriceGrid;
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
  /** grid tables (see layout) */
  readonly grids: Int16Array;
  /** level sizes in hundredths: YES level l of m at levels[levelBase(m) + l], NO at + gridLevels(m) */
  readonly levels: Int32Array;

  // Writer-side allocation state (io thread only; readers never use it).
  private readonly slotOfGrid = new Map<string, number>();
  private poolUsed = 0;

  static bytesFor(capacity: number, options: BookTableOptions = {}): number {
    const slots = options.gridSlots ?? DEFAULT_GRID_SLOTS;
    const pool = options.poolLevels ?? BookTable.fullPoolLevels(capacity);
    return capacity * (I32_STRIDE * 4 + F64_STRIDE * 8) + slots * GRID_STRIDE * 2 + pool * 4;
  }

  /** Pool levels that give every market the full $0.0001 grid (replays of unknown markets). */
  static fullPoolLevels(capacity: number): number {
    return capacity * 2 * MAX_TICK;
  }

  /** Pool levels the given markets' grids need (both sides). */
  static poolLevelsFor(grids: Iterable<PriceGrid>): number {
    let n = 0;
    for (const g of grids) n += 2 * g.levelCount;
    return n;
  }

  static create(capacity: number, options: BookTableOptions = {}): BookTable {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new Error(`BookTable capacity must be a positive integer, got ${capacity}`);
    const gridSlots = options.gridSlots ?? DEFAULT_GRID_SLOTS;
    const poolLevels = options.poolLevels ?? BookTable.fullPoolLevels(capacity);
    if (!Number.isInteger(gridSlots) || gridSlots <= 0 || !Number.isInteger(poolLevels) || poolLevels < 0)
      throw new Error(`BookTable: bad grid slots ${gridSlots} or pool levels ${poolLevels}`);
    const sab = new SharedArrayBuffer(BookTable.bytesFor(capacity, { gridSlots, poolLevels }));
    const t = new BookTable({ sab, capacity, gridSlots, poolLevels });
    for (let m = 0; m < capacity; m++) {
      t.head[m * I32_STRIDE + I_SID] = -1;
      t.head[m * I32_STRIDE + I_GRID] = -1;
    }
    const grid = options.grid;
    if (grid !== undefined)
      for (let m = 0; m < capacity; m++)
        if (!t.assignGrid(m, grid))
          throw new Error(`BookTable: pool too small for ${capacity} × ${grid.key}`);
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
    this.grids = new Int16Array(shared.sab, off, shared.gridSlots * GRID_STRIDE);
    off += shared.gridSlots * GRID_STRIDE * 2;
    this.levels = new Int32Array(shared.sab, off, shared.poolLevels);
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
  /** YES ask in ticks (10000 − best NO bid), 0 when the NO side is empty. */
  yesAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST_NO];
    return b === 0 ? 0 : TICKS_PER_DOLLAR - b;
  }
  /** NO ask in ticks (10000 − best YES bid), 0 when the YES side is empty. */
  noAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST_YES];
    return b === 0 ? 0 : TICKS_PER_DOLLAR - b;
  }
  /** Grid table slot of market m, −1 before `assignGrid`. */
  gridSlot(m: number): number {
    return this.head[m * I32_STRIDE + I_GRID];
  }
  /** Levels per side of market m's grid (0 before `assignGrid`). */
  gridLevels(m: number): number {
    return this.head[m * I32_STRIDE + I_GRID_LEVELS];
  }
  /** Pool index of market m's YES level 0; its NO levels start `gridLevels(m)` later. */
  levelBase(m: number): number {
    return this.head[m * I32_STRIDE + I_LEVEL_BASE];
  }
  /** Level of price `tick` in market m's grid, −1 when off the grid (or no grid yet). */
  levelOf(m: number, tick: number): number {
    const slot = this.head[m * I32_STRIDE + I_GRID];
    if (slot < 0 || !(tick >= 1 && tick <= MAX_TICK)) return -1;
    return this.grids[slot * GRID_STRIDE + tick];
  }
  /** Index in `grids` of market m's tickOfLevel table: price of level l = grids[that + l]. */
  tickTableOf(m: number): number {
    return this.head[m * I32_STRIDE + I_GRID] * GRID_STRIDE + GRID_TICK_OF;
  }
  /** Price in ticks of `level` of market m's grid. */
  tickAt(m: number, level: number): number {
    return this.grids[this.head[m * I32_STRIDE + I_GRID] * GRID_STRIDE + GRID_TICK_OF + level];
  }
  /** Resting size at (side, tick); 0 when empty or off the grid. */
  sizeAt(m: number, side: Side, tick: number): number {
    const l = this.levelOf(m, tick);
    if (l < 0) return 0;
    const h = m * I32_STRIDE;
    return this.levels[
      this.head[h + I_LEVEL_BASE] + (side === SIDE_YES ? 0 : this.head[h + I_GRID_LEVELS]) + l
    ];
  }
  yesSizeAt(m: number, tick: number): number {
    return this.sizeAt(m, SIDE_YES, tick);
  }
  noSizeAt(m: number, tick: number): number {
    return this.sizeAt(m, SIDE_NO, tick);
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

  /**
   * Gives market m its price grid (cold path, io thread). Returns false when the level pool has no
   * room left for it (the caller counts the market as over capacity); throws when the table has no
   * grid slot left (a sizing error). The book is emptied and, if it had one, waits for a new
   * snapshot.
   */
  assignGrid(m: number, grid: PriceGrid): boolean {
    const h = m * I32_STRIDE;
    let slot = this.slotOfGrid.get(grid.key);
    if (slot !== undefined && this.head[h + I_GRID] === slot) return true;
    const n = grid.levelCount;
    let base = this.head[h + I_LEVEL_BASE];
    if (this.head[h + I_GRID] < 0 || this.head[h + I_GRID_LEVELS] < n) {
      if (this.poolUsed + 2 * n > this.shared.poolLevels) return false;
      base = this.poolUsed;
      this.poolUsed += 2 * n;
    }
    if (slot === undefined) {
      slot = this.slotOfGrid.size;
      if (slot >= this.shared.gridSlots)
        throw new Error(`BookTable holds at most ${this.shared.gridSlots} distinct price grids`);
      const g = slot * GRID_STRIDE;
      this.grids.set(grid.levelOfTick, g);
      this.grids.set(grid.tickOfLevel, g + GRID_TICK_OF);
      this.slotOfGrid.set(grid.key, slot);
    }
    this.writeBegin(m);
    this.head[h + I_GRID] = slot;
    this.head[h + I_LEVEL_BASE] = base;
    this.head[h + I_GRID_LEVELS] = n;
    this.clearBook(m);
    this.head[h + I_FLAGS] &= ~FLAG_SNAPSHOT;
    this.writeEnd(m);
    return true;
  }

  /** Clears both sides (start of a snapshot); caller holds the write. */
  clearBook(m: number): void {
    const h = m * I32_STRIDE;
    const base = this.head[h + I_LEVEL_BASE];
    this.levels.fill(0, base, base + 2 * this.head[h + I_GRID_LEVELS]);
    this.head[h + I_BEST_YES] = 0;
    this.head[h + I_BEST_NO] = 0;
    this.head[h + I_YES_LEVELS] = 0;
    this.head[h + I_NO_LEVELS] = 0;
    const f = m * F64_STRIDE;
    this.headF[f + F_YES_TOTAL] = 0;
    this.headF[f + F_NO_TOTAL] = 0;
  }

  /**
   * Sets (side, tick) — `level` = levelOf(m, tick), checked ≥ 0 by the caller — to
   * `sizeHundredths` (> 0), replacing any earlier size: the snapshot rule "a repeated price
   * replaces the earlier level". Caller holds the write.
   */
  setLevel(m: number, side: Side, tick: number, level: number, sizeHundredths: number): void {
    const h = m * I32_STRIDE;
    const yes = side === SIDE_YES;
    const i = this.head[h + I_LEVEL_BASE] + (yes ? 0 : this.head[h + I_GRID_LEVELS]) + level;
    const old = this.levels[i];
    this.levels[i] = sizeHundredths;
    const f = m * F64_STRIDE;
    if (yes) {
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
   * Resulting size if `deltaHundredths` were added at (side, level); negative means out of sync.
   * Pure read, used before opening a write so a rejected delta never touches the version.
   */
  sizeAfterDelta(m: number, side: Side, level: number, deltaHundredths: number): number {
    const h = m * I32_STRIDE;
    return (
      this.levels[
        this.head[h + I_LEVEL_BASE] + (side === SIDE_YES ? 0 : this.head[h + I_GRID_LEVELS]) + level
      ] + deltaHundredths
    );
  }

  /**
   * Adds a signed change at (side, tick) — `level` = levelOf(m, tick) ≥ 0 — the result must be in
   * 0..MAX_LEVEL_HUNDREDTHS (checked by the caller with `sizeAfterDelta`). Maintains best bid
   * (amortised O(1): only removing the best level scans down its grid), level counts and totals.
   * Caller holds the write.
   */
  addDelta(m: number, side: Side, tick: number, level: number, deltaHundredths: number): void {
    const yes = side === SIDE_YES;
    const h = m * I32_STRIDE;
    const base = this.head[h + I_LEVEL_BASE] + (yes ? 0 : this.head[h + I_GRID_LEVELS]);
    const sizes = this.levels;
    const i = base + level;
    const old = sizes[i];
    const next = old + deltaHundredths;
    sizes[i] = next;
    const bestIdx = h + (yes ? I_BEST_YES : I_BEST_NO);
    this.headF[m * F64_STRIDE + (yes ? F_YES_TOTAL : F_NO_TOTAL)] += deltaHundredths;
    if (old === 0 && next !== 0) {
      this.head[h + (yes ? I_YES_LEVELS : I_NO_LEVELS)]++;
      if (tick > this.head[bestIdx]) this.head[bestIdx] = tick;
    } else if (old !== 0 && next === 0) {
      this.head[h + (yes ? I_YES_LEVELS : I_NO_LEVELS)]--;
      if (tick === this.head[bestIdx]) {
        let l = level - 1;
        while (l >= 0 && sizes[base + l] === 0) l--;
        this.head[bestIdx] = l < 0 ? 0 : this.grids[this.head[h + I_GRID] * GRID_STRIDE + GRID_TICK_OF + l];
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

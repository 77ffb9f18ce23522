/**
 * BookTable — every market's order book in one SharedArrayBuffer.
 *
 * Writer: the io thread ONLY (through FeedApplier). Readers: any thread (decide workers, orders),
 * lock-free through a per-market seqlock: `readConsistent(m, reader)` (src/shm/seqlock.ts). The
 * same version word also covers the market's TemporalTable state, which io advances inside the
 * book's write section (FeedApplier → FeatureState): book and temporal state are ONE consistency
 * domain per market, so a reader never mixes the book of update k + 1 with the temporal state of k.
 *
 * Books hold BIDS only (correctness-rules.md rule 1): YES bids and NO bids, each as a dense array of resting
 * sizes (hundredths of a contract) over the market's OWN price grid (its `price_ranges`,
 * src/kalshi/price-grid.ts): level l of a side is the l-th valid price. A cent market has 99
 * levels a side, a $0.001 market 999, a full $0.0001 market 9,999 — so memory follows the grids in
 * use, not the finest grid. Prices are ticks of $0.0001 (1..9999); NO prices are on the NO scale.
 * Asks are derived: YES ask = 10000 − best NO bid, NO ask = 10000 − best YES bid.
 *
 * Every aggregate the market block of observation v1 needs (§4–§5: best bids, level counts, side
 * totals, Σ q·p, near-touch depth within 500 ticks, the three largest levels) is kept as deltas
 * apply, so a read costs the same whatever the book's depth; the per-side level index
 * (level-index.ts: occupancy bitmap, block bounds and sums) keeps each update to a few word reads
 * — removing the best level never scans the grid.
 *
 * Layout (C = market capacity, G = grid slots, P = pool words; offsets in bytes):
 *
 *   0              C × 128 B      C × 128 B      G × 60,002 B                   pad to 8   P × 4 B
 *   +--------------+--------------+----------------------------------------------+--------+--------------+
 *   | int32 header | f64 header   | grid tables, int16:                          |        | level pool   |
 *   | 32 / market  | 16 / market  | levelOfTick[0..10000] (−1 off-grid),         |        | int32 words  |
 *   |              |              | tickOfLevel[0..9998], rankOfTick[0..10000]   |        | (+ f64 view) |
 *   +--------------+--------------+----------------------------------------------+--------+--------------+
 *
 *   int32 header of market m (word offset m*32):      f64 header of market m (offset m*16):
 *     +0  version   seqlock; odd while writing          +0 yesTotalHundredths
 *     +1  best      packed best bids: YES tick in bits   +1 noTotalHundredths
 *                   0–15, NO tick in bits 16–31 (0 =     +2 yesSumQP  Σ q·p, tick·hundredths
 *                   side empty), stored once per write   +3 noSumQP
 *                   section by writeEnd: one plain load  +4 yesNearHundredths  Σ q, p ≥ best − 500
 *                   gives both bids of one update
 *     +2  yesLevels number of non-zero YES levels        +5 noNearHundredths
 *     +3  noLevels  number of non-zero NO levels         +6 lastSeq (of the latest book message)
 *     +4  flags     bit0 has snapshot, bit1 stale        +7 lastTsMs (T of observation-v1.md §3.5)
 *     +5  sid       sid of the latest book message, −1   +8 lastRecvMs
 *     +6  gridSlot  grid table of the market, −1 = none  +9 appliedCount (applied updates)
 *     +7  levelBase pool word of the YES side region     +10..15 reserved
 *     +8  gridLevels levels per side (the grid's levelCount)
 *     +9  sideWords words of one side region (NO region = levelBase + sideWords)
 *     +10..15 top   largest level sizes over both sides, largest first (0 = none); [0..2]
 *                   are the features' three, the rest spares (book-aggregates.ts TOP_KEPT)
 *     +16..17 working best YES / NO tick while a write section is open (writer bookkeeping)
 *     +18..23 top keys  side·gridLevels + level of each (−1 = none; writer bookkeeping)
 *     +24     top known  how many of the top entries are exact (writer bookkeeping)
 *     +25..31 reserved
 *
 *   rankOfTick[t] = number of grid prices below t: the first level at or above any price.
 *   Side region in the pool: level sizes, then the level index (level-index.ts has its diagram).
 *
 * A market's grid is assigned once, before its first book message (`assignGrid`, cold path: the
 * engine does it from `GET /markets`; a market first met in a feed gets the full $0.0001 grid).
 * Grid tables are written before any market points at them and never change afterwards.
 *
 * Each market's headers sit on their own 64-byte lines so a writer on one market does not share a
 * cache line with another market's header.
 */

import type { PriceGrid } from "../kalshi/price-grid.js";
import { MAX_TICK, TICKS_PER_DOLLAR } from "../kalshi/units.js";
import { type ConsistentRead, readConsistent, writeBegin, writeEnd } from "../shm/seqlock.js";
import { AggregateUpkeep, TOP_KEPT } from "./book-aggregates.js";
import { blockSumOffset, highestBelow, markEmpty, markOccupied, sideWords } from "./level-index.js";

const I32_STRIDE = 32;
const F64_STRIDE = 16;

const I_VERSION = 0;
const I_BEST = 1;
const I_LEVELS = 2; // + side
const I_FLAGS = 4;
const I_SID = 5;
const I_GRID = 6;
const I_LEVEL_BASE = 7;
const I_GRID_LEVELS = 8;
const I_SIDE_WORDS = 9;
const I_TOP = 10; // TOP_KEPT values
const I_BEST_WORK = 16; // + side
const I_TOP_KEY = 18; // TOP_KEPT keys
const I_TOP_KNOWN = 24;

const F_TOTAL = 0; // + side
const F_SUM_QP = 2; // + side
const F_NEAR = 4; // + side
const F_LAST_SEQ = 6;
const F_LAST_TS = 7;
const F_LAST_RECV = 8;
const F_APPLIED = 9;

const FLAG_SNAPSHOT = 1;
const FLAG_STALE = 2;

/** int16 entries of one grid table: levelOfTick[0..10000], tickOfLevel[0..9998], rankOfTick[0..10000] */
const GRID_TICK_OF = TICKS_PER_DOLLAR + 1;
const GRID_RANK_OF = GRID_TICK_OF + MAX_TICK;
const GRID_STRIDE = GRID_RANK_OF + TICKS_PER_DOLLAR + 1;
const DEFAULT_GRID_SLOTS = 16;

/** Largest size a level may hold (int32). */
export const MAX_LEVEL_HUNDREDTHS = 0x7fffffff;
export { NEAR_DEPTH_TICKS } from "./book-aggregates.js";

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

/** One side's aggregates for the market block (observation-v1.md §4), filled by `readSides`. */
export interface SideAggregates {
  bestTick: number;
  touchHundredths: number;
  totalHundredths: number;
  nearHundredths: number;
  levelCount: number;
  /** Σ q·(best − p) in tick·hundredths */
  distanceTickHundredths: number;
}

/** The three largest level sizes over both sides, largest first. */
export interface TopThreeSizes {
  a: number;
  b: number;
  c: number;
}

/** YES best bid tick of a `bestPacked` word (0 = no YES bid). */
export function packedYesTick(bestPacked: number): number {
  return bestPacked & 0xffff;
}
/** NO best bid tick of a `bestPacked` word (0 = no NO bid). */
export function packedNoTick(bestPacked: number): number {
  return bestPacked >>> 16;
}

/** Pool words for `poolLevels` levels: sizes plus each side's level index (level-index.ts). */
function poolWordsFor(poolLevels: number, capacity: number): number {
  // per side: sideWords(G) ≤ G + G/8 + G/512 + 8
  return poolLevels + Math.ceil(poolLevels / 8) + Math.ceil(poolLevels / 512) + 16 * capacity + 2;
}

function headerBytes(capacity: number, gridSlots: number): number {
  const bytes = capacity * (I32_STRIDE * 4 + F64_STRIDE * 8) + gridSlots * GRID_STRIDE * 2;
  return (bytes + 7) & ~7; // the pool's float64 view needs 8-byte alignment
}

export class BookTable {
  readonly shared: BookTableShared;
  readonly capacity: number;
  /** per-market int32 header words (see layout) */
  readonly head: Int32Array;
  /** per-market float64 header words (see layout) */
  readonly headF: Float64Array;
  /** grid tables (see layout) */
  readonly grids: Int16Array;
  /** pool words: level sizes in hundredths and the level index of each side */
  readonly levels: Int32Array;
  /** float64 view of the pool (block sums) */
  private readonly levelsF: Float64Array;
  private readonly poolWords: number;

  // Writer-side state (io thread only; readers never use it).
  private readonly slotOfGrid = new Map<string, number>();
  private poolUsed = 0;
  private readonly upkeep: AggregateUpkeep;

  static bytesFor(capacity: number, options: BookTableOptions = {}): number {
    const slots = options.gridSlots ?? DEFAULT_GRID_SLOTS;
    const pool = options.poolLevels ?? BookTable.fullPoolLevels(capacity);
    return headerBytes(capacity, slots) + poolWordsFor(pool, capacity) * 4;
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
      const h = m * I32_STRIDE;
      t.head[h + I_SID] = -1;
      t.head[h + I_GRID] = -1;
      t.head.fill(-1, h + I_TOP_KEY, h + I_TOP_KEY + TOP_KEPT);
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
    off = headerBytes(c, shared.gridSlots);
    this.poolWords = poolWordsFor(shared.poolLevels, c);
    this.levels = new Int32Array(shared.sab, off, this.poolWords);
    this.levelsF = new Float64Array(shared.sab, off, this.poolWords >> 1);
    this.upkeep = new AggregateUpkeep(this.levels, this.levelsF, this.grids);
  }

  // ---------------------------------------------------------------- readers (any thread)

  /**
   * Runs `reader.read()` until it saw market m (book and temporal state) with no write in between
   * (src/shm/seqlock.ts). Returns the number of retries.
   */
  readConsistent(m: number, reader: ConsistentRead): number {
    return readConsistent(this.head, m * I32_STRIDE + I_VERSION, reader);
  }

  /** The version word of market m (its index in `head`), for seqlock tests and tools. */
  versionIndex(m: number): number {
    return m * I32_STRIDE + I_VERSION;
  }

  /**
   * Both best bids in one word, read with one plain load (a 32-bit aligned load cannot tear, and
   * the writer stores the word whole inside its write section): YES tick = word & 0xffff, NO tick
   * = word >>> 16, 0 = side empty.
   */
  bestPacked(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST];
  }
  bestYesTick(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST] & 0xffff;
  }
  bestNoTick(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST] >>> 16;
  }
  /** YES ask in ticks (10000 − best NO bid), 0 when the NO side is empty. */
  yesAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST] >>> 16;
    return b === 0 ? 0 : TICKS_PER_DOLLAR - b;
  }
  /** NO ask in ticks (10000 − best YES bid), 0 when the YES side is empty. */
  noAskTick(m: number): number {
    const b = this.head[m * I32_STRIDE + I_BEST] & 0xffff;
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
  /** Level of price `tick` in market m's grid, −1 when off the grid (or no grid yet). */
  levelOf(m: number, tick: number): number {
    const slot = this.head[m * I32_STRIDE + I_GRID];
    if (slot < 0 || !(tick >= 1 && tick <= MAX_TICK)) return -1;
    return this.grids[slot * GRID_STRIDE + tick];
  }
  /** Price in ticks of `level` of market m's grid. */
  tickAt(m: number, level: number): number {
    return this.grids[this.head[m * I32_STRIDE + I_GRID] * GRID_STRIDE + GRID_TICK_OF + level];
  }
  /** Pool word of level 0 of (m, side). */
  private sideBase(m: number, side: Side): number {
    const h = m * I32_STRIDE;
    return this.head[h + I_LEVEL_BASE] + (side === SIDE_YES ? 0 : this.head[h + I_SIDE_WORDS]);
  }
  /** Resting size at (side, tick); 0 when empty or off the grid. */
  sizeAt(m: number, side: Side, tick: number): number {
    const l = this.levelOf(m, tick);
    return l < 0 ? 0 : this.levels[this.sideBase(m, side) + l];
  }
  yesSizeAt(m: number, tick: number): number {
    return this.sizeAt(m, SIDE_YES, tick);
  }
  noSizeAt(m: number, tick: number): number {
    return this.sizeAt(m, SIDE_NO, tick);
  }
  yesLevelCount(m: number): number {
    return this.head[m * I32_STRIDE + I_LEVELS];
  }
  noLevelCount(m: number): number {
    return this.head[m * I32_STRIDE + I_LEVELS + 1];
  }
  yesTotalHundredths(m: number): number {
    return this.headF[m * F64_STRIDE + F_TOTAL];
  }
  noTotalHundredths(m: number): number {
    return this.headF[m * F64_STRIDE + F_TOTAL + 1];
  }
  /** Σ size·price over a side, tick·hundredths. */
  sumQpTickHundredths(m: number, side: Side): number {
    return this.headF[m * F64_STRIDE + F_SUM_QP + side];
  }
  /** Σ size of a side's bids within NEAR_DEPTH_TICKS of its best (0 when empty). */
  nearHundredths(m: number, side: Side): number {
    return this.headF[m * F64_STRIDE + F_NEAR + side];
  }
  /** i-th largest level size over both sides (i = 0, 1, 2; 0 when fewer levels). */
  topSizeHundredths(m: number, i: number): number {
    return this.head[m * I32_STRIDE + I_TOP + i];
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

  /**
   * The market block's inputs (§4) from the kept aggregates — a fixed number of reads whatever the
   * depth. Call inside `readConsistent`.
   */
  readSides(m: number, yes: SideAggregates, no: SideAggregates, top: TopThreeSizes): void {
    const h = m * I32_STRIDE;
    const head = this.head;
    const best = head[h + I_BEST];
    this.readSide(m, SIDE_YES, best & 0xffff, yes);
    this.readSide(m, SIDE_NO, best >>> 16, no);
    top.a = head[h + I_TOP];
    top.b = head[h + I_TOP + 1];
    top.c = head[h + I_TOP + 2];
  }

  private readSide(m: number, side: Side, bestTick: number, out: SideAggregates): void {
    const f = m * F64_STRIDE;
    const total = this.headF[f + F_TOTAL + side];
    out.bestTick = bestTick;
    if (bestTick === 0) {
      out.touchHundredths = 0;
      out.totalHundredths = 0;
      out.nearHundredths = 0;
      out.levelCount = 0;
      out.distanceTickHundredths = 0;
      return;
    }
    out.touchHundredths = this.levels[this.sideBase(m, side) + this.levelOf(m, bestTick)];
    out.totalHundredths = total;
    out.nearHundredths = this.headF[f + F_NEAR + side];
    out.levelCount = this.head[m * I32_STRIDE + I_LEVELS + side];
    // Σ q·(best − p) = best·Σq − Σ q·p, both exact integers below 2^53
    out.distanceTickHundredths = bestTick * total - this.headF[f + F_SUM_QP + side];
  }

  // ---------------------------------------------------------------- writer (io thread only)

  /** Opens a write of market m (version becomes odd). Pair with `writeEnd`. */
  writeBegin(m: number): void {
    writeBegin(this.head, m * I32_STRIDE + I_VERSION);
  }

  /** Closes the write: publishes the best bids as one packed word, then version becomes even. */
  writeEnd(m: number): void {
    const h = m * I32_STRIDE;
    this.head[h + I_BEST] = this.head[h + I_BEST_WORK] | (this.head[h + I_BEST_WORK + 1] << 16);
    writeEnd(this.head, h + I_VERSION);
  }

  /** Best YES bid as of the open write section (the writer's view; readers use bestYesTick). */
  bestYesTickInWrite(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST_WORK];
  }
  /** Best NO bid as of the open write section (the writer's view; readers use bestNoTick). */
  bestNoTickInWrite(m: number): number {
    return this.head[m * I32_STRIDE + I_BEST_WORK + 1];
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
    const words = sideWords(n);
    let base = this.head[h + I_LEVEL_BASE];
    if (this.head[h + I_GRID] < 0 || this.head[h + I_SIDE_WORDS] < words) {
      if (this.poolUsed + 2 * words > this.poolWords) return false;
      base = this.poolUsed;
      this.poolUsed += 2 * words;
    }
    if (slot === undefined) {
      slot = this.slotOfGrid.size;
      if (slot >= this.shared.gridSlots)
        throw new Error(`BookTable holds at most ${this.shared.gridSlots} distinct price grids`);
      const g = slot * GRID_STRIDE;
      this.grids.set(grid.levelOfTick, g);
      this.grids.set(grid.tickOfLevel, g + GRID_TICK_OF);
      let below = 0;
      for (let t = 0; t <= TICKS_PER_DOLLAR; t++) {
        this.grids[g + GRID_RANK_OF + t] = below;
        if (t >= 1 && t <= MAX_TICK && grid.levelOfTick[t] >= 0) below++;
      }
      this.slotOfGrid.set(grid.key, slot);
    }
    this.writeBegin(m);
    this.head[h + I_GRID] = slot;
    this.head[h + I_LEVEL_BASE] = base;
    this.head[h + I_GRID_LEVELS] = n;
    this.head[h + I_SIDE_WORDS] = words;
    this.clearBook(m);
    this.head[h + I_FLAGS] &= ~FLAG_SNAPSHOT;
    this.writeEnd(m);
    return true;
  }

  /** Clears both sides (start of a snapshot); caller holds the write. */
  clearBook(m: number): void {
    const h = m * I32_STRIDE;
    const base = this.head[h + I_LEVEL_BASE];
    this.levels.fill(0, base, base + 2 * this.head[h + I_SIDE_WORDS]);
    this.head[h + I_BEST_WORK] = 0;
    this.head[h + I_BEST_WORK + 1] = 0;
    this.head[h + I_LEVELS] = 0;
    this.head[h + I_LEVELS + 1] = 0;
    this.head.fill(0, h + I_TOP, h + I_TOP + TOP_KEPT);
    this.head.fill(-1, h + I_TOP_KEY, h + I_TOP_KEY + TOP_KEPT);
    this.head[h + I_TOP_KNOWN] = 0;
    const f = m * F64_STRIDE;
    this.headF.fill(0, f + F_TOTAL, f + F_NEAR + 2);
  }

  /**
   * Sets (side, tick) — `level` = levelOf(m, tick), checked ≥ 0 by the caller — to
   * `sizeHundredths` (> 0), replacing any earlier size: the snapshot rule "a repeated price
   * replaces the earlier level". Caller holds the write.
   */
  setLevel(m: number, side: Side, tick: number, level: number, sizeHundredths: number): void {
    const old = this.levels[this.sideBase(m, side) + level];
    if (sizeHundredths !== old) this.addDelta(m, side, tick, level, sizeHundredths - old);
  }

  /**
   * Resulting size if `deltaHundredths` were added at (side, level); negative means out of sync.
   * Pure read, used before opening a write so a rejected delta never touches the version.
   */
  sizeAfterDelta(m: number, side: Side, level: number, deltaHundredths: number): number {
    return this.levels[this.sideBase(m, side) + level] + deltaHundredths;
  }

  /**
   * Adds a signed change at (side, tick) — `level` = levelOf(m, tick) ≥ 0 — the result must be in
   * 0..MAX_LEVEL_HUNDREDTHS (checked by the caller with `sizeAfterDelta`). Keeps every aggregate
   * (best bids, counts, totals, Σ q·p, near depth, top three) in a few word reads: a removed best
   * finds the next one through the occupancy bitmap. Caller holds the write.
   */
  addDelta(m: number, side: Side, tick: number, level: number, deltaHundredths: number): void {
    const h = m * I32_STRIDE;
    const head = this.head;
    const w = this.levels;
    const n = head[h + I_GRID_LEVELS];
    const sb = head[h + I_LEVEL_BASE] + (side === SIDE_YES ? 0 : head[h + I_SIDE_WORDS]);
    const old = w[sb + level];
    const next = old + deltaHundredths;
    w[sb + level] = next;
    const f = m * F64_STRIDE;
    this.headF[f + F_TOTAL + side] += deltaHundredths;
    this.headF[f + F_SUM_QP + side] += deltaHundredths * tick;
    this.levelsF[((sb + blockSumOffset(n)) >> 1) + (level >>> 5)] += deltaHundredths;

    const occ = sb + n;
    const summary = occ + ((n + 31) >>> 5);
    const bestBefore = head[h + I_BEST_WORK + side];
    let best = bestBefore;
    if (old === 0 && next !== 0) {
      markOccupied(w, occ, summary, level);
      head[h + I_LEVELS + side]++;
      if (tick > best) best = tick;
    } else if (old !== 0 && next === 0) {
      markEmpty(w, occ, summary, level);
      head[h + I_LEVELS + side]--;
      if (tick === best) {
        const l = highestBelow(w, occ, summary, level);
        best = l < 0 ? 0 : this.grids[head[h + I_GRID] * GRID_STRIDE + GRID_TICK_OF + l];
      }
    }
    if (best !== bestBefore) head[h + I_BEST_WORK + side] = best;
    const up = this.upkeep;
    const nearIdx = f + F_NEAR + side;
    const rank = head[h + I_GRID] * GRID_STRIDE + GRID_RANK_OF;
    this.headF[nearIdx] = up.nearAfter(this.headF[nearIdx], rank, sb, n, tick, old, next, bestBefore, best);
    if (next > old) up.raiseBlockBound(sb, n, level, next);
    // A level below the last known largest one that stays below it cannot change the list (kept
    // levels are ≥ that value): skip the call, the common case.
    const known = head[h + I_TOP_KNOWN];
    if (known >= 3 && old < head[h + I_TOP + known - 1] && next <= head[h + I_TOP + known - 1]) return;
    const yesBase = head[h + I_LEVEL_BASE];
    up.updateTop(
      head,
      h + I_TOP,
      h + I_TOP_KEY,
      h + I_TOP_KNOWN,
      side * n + level,
      old,
      next,
      head[h + I_LEVELS] + head[h + I_LEVELS + 1],
      yesBase,
      yesBase + head[h + I_SIDE_WORDS],
      n,
    );
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

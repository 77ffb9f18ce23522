/**
 * Writer-side upkeep of the aggregates BookTable keeps as deltas apply (io thread only): near-touch
 * depth, block bounds, and the largest levels of a market. Works on
 * BookTable's pool through the level index (level-index.ts); BookTable owns the layout.
 */
import { blockBoundOffset, blockMax, blockSumOffset, rangeSum } from "./level-index.js";

/** Near-touch depth D_B / D_A counts bids within $0.05 = 500 ticks of the best, inclusive (§4). */
export const NEAR_DEPTH_TICKS = 500;

/**
 * Largest levels a market keeps (values and keys): more than the three the features use, so a
 * shrinking member rarely forces a recomputation — only when fewer than three known remain.
 */
export const TOP_KEPT = 6;

/** The TOP_KEPT largest (value, key) pairs offered, largest first; writer scratch, no allocation. */
export class TopKeyed {
  readonly value = new Int32Array(TOP_KEPT);
  readonly key = new Int32Array(TOP_KEPT).fill(-1);

  reset(): void {
    this.value.fill(0);
    this.key.fill(-1);
  }

  /** Offers a positive value; kept when larger than the current last (ties keep the earlier). */
  offer(v: number, k: number): void {
    const val = this.value;
    const key = this.key;
    if (v <= val[TOP_KEPT - 1]) return;
    let i = TOP_KEPT - 1;
    while (i > 0 && v > val[i - 1]) {
      val[i] = val[i - 1];
      key[i] = key[i - 1];
      i--;
    }
    val[i] = v;
    key[i] = k;
  }
}

export class AggregateUpkeep {
  private readonly topBlocks = new TopKeyed();
  private readonly topLevels = new TopKeyed();

  constructor(
    /** BookTable's pool words (sizes and level index) */
    private readonly w: Int32Array,
    /** the pool's float64 view (block sums) */
    private readonly f: Float64Array,
    /** BookTable's grid tables */
    private readonly grids: Int16Array,
  ) {}

  /**
   * Near-touch depth Σ q over [best − 500, best] after one level of a side (region at word `sb`, n
   * levels) changed from `old` to `next` at `tick`, the best going from `bestBefore` to `best`.
   * When the best moves only the prices between the old and new windows' edges are summed
   * (≤ 501 ticks, through the block sums). `rank` = index of the grid's rankOfTick table.
   */
  nearAfter(
    near: number,
    rank: number,
    sb: number,
    n: number,
    tick: number,
    old: number,
    next: number,
    bestBefore: number,
    best: number,
  ): number {
    if (best === bestBefore) return best !== 0 && tick >= best - NEAR_DEPTH_TICKS ? near + next - old : near;
    if (best === 0 || bestBefore === 0) return next; // emptied, or a first level
    if (best > bestBefore)
      // a level above the old best: the lowest prices of the old window leave it
      return (
        near +
        next -
        this.sumTicks(
          rank,
          sb,
          n,
          bestBefore - NEAR_DEPTH_TICKS,
          Math.min(best - NEAR_DEPTH_TICKS - 1, bestBefore),
        )
      );
    // the best level emptied: what is left of the old window, plus the prices the new one adds
    return (
      near +
      this.sumTicks(rank, sb, n, best - NEAR_DEPTH_TICKS, Math.min(bestBefore - NEAR_DEPTH_TICKS - 1, best)) -
      old
    );
  }

  /** Σ sizes of one side's levels priced loTick..hiTick (hiTick ≤ 9999). */
  private sumTicks(rank: number, sb: number, n: number, loTick: number, hiTick: number): number {
    if (hiTick < 1) return 0;
    const lo = loTick <= 0 ? 0 : this.grids[rank + loTick];
    const hi = this.grids[rank + hiTick + 1] - 1;
    if (lo > hi) return 0;
    return rangeSum(this.w, this.f, sb, sb + n, (sb + blockSumOffset(n)) >> 1, lo, hi);
  }

  /** Block bound after `level` grew to `next` (a shrink leaves the bound high: it stays a bound). */
  raiseBlockBound(sb: number, n: number, level: number, next: number): void {
    const i = sb + blockBoundOffset(n) + (level >>> 5);
    if (next > this.w[i]) this.w[i] = next;
  }

  /**
   * The largest levels after level `key` changed from `old` to `next`. Kept at head[t..] (values,
   * largest first, 0 = none) and head[k..] (keys side·n + level), `known` = head[kn] of them.
   * Invariant: the known entries are the `known` largest levels, and every other level is ≤ the
   * last known value; the slots after them hold 0. When fewer than three are known while the
   * book has more levels (`occupied`), they are recomputed from the block bounds.
   */
  updateTop(
    head: Int32Array,
    t: number,
    k: number,
    kn: number,
    key: number,
    old: number,
    next: number,
    occupied: number,
    yesBase: number,
    noBase: number,
    n: number,
  ): void {
    let known = head[kn];
    let i = -1;
    for (let j = 0; j < known; j++)
      if (head[k + j] === key) {
        i = j;
        break;
      }
    if (i < 0) {
      // a level outside the list: it enters only above the last known value
      if (known > 0 && next > head[t + known - 1]) {
        i = known < TOP_KEPT ? known++ : TOP_KEPT - 1;
        head[t + i] = next;
        head[k + i] = key;
        this.bubbleUp(head, t, k, i);
      }
    } else if (next >= old) {
      head[t + i] = next;
      this.bubbleUp(head, t, k, i);
    } else if (next > 0 && i < known - 1 && next >= head[t + known - 1]) {
      head[t + i] = next; // still above the last known value: it stays, a little lower
      while (i + 1 < known && head[t + i] < head[t + i + 1]) {
        this.swap(head, t, k, i);
        i++;
      }
    } else {
      // it may now be below a level the list does not hold: it leaves the list
      for (let j = i; j < known - 1; j++) {
        head[t + j] = head[t + j + 1];
        head[k + j] = head[k + j + 1];
      }
      known--;
      head[t + known] = 0;
      head[k + known] = -1;
    }
    head[kn] = known;
    if (known < 3 && known < occupied) this.recomputeTop(head, t, k, kn, yesBase, noBase, n);
  }

  private bubbleUp(head: Int32Array, t: number, k: number, i: number): void {
    while (i > 0 && head[t + i] > head[t + i - 1]) {
      this.swap(head, t, k, i - 1);
      i--;
    }
  }

  /** Swaps entries i and i + 1. */
  private swap(head: Int32Array, t: number, k: number, i: number): void {
    const v = head[t + i];
    head[t + i] = head[t + i + 1];
    head[t + i + 1] = v;
    const kk = head[k + i];
    head[k + i] = head[k + i + 1];
    head[k + i + 1] = kk;
  }

  /**
   * The K largest levels (K = TOP_KEPT) lie in the K blocks with the largest exact maxima. Block
   * bounds are upper bounds: pick the K largest bounds, make those exact (scan the block's
   * occupied levels, ≤ 32), and pick again until the picked bounds were all exact — then every
   * other block's bound, hence every level in it, is ≤ the K-th pick. Reads the block bounds of
   * both sides (≤ 626 words on the finest grid) per round, never the levels of the grid; runs only
   * when fewer than three of the kept levels remain known.
   */
  private recomputeTop(
    head: Int32Array,
    t: number,
    k: number,
    kn: number,
    yesBase: number,
    noBase: number,
    n: number,
  ): void {
    const w = this.w;
    const blocks = (n + 31) >>> 5;
    const bounds = blockBoundOffset(n);
    const topBlocks = this.topBlocks;
    for (let tightened = true; tightened; ) {
      tightened = false;
      topBlocks.reset();
      for (let b = 0; b < blocks; b++) topBlocks.offer(w[yesBase + bounds + b], b);
      for (let b = 0; b < blocks; b++) topBlocks.offer(w[noBase + bounds + b], blocks + b);
      for (let i = 0; i < TOP_KEPT && topBlocks.value[i] > 0; i++) {
        const side = topBlocks.key[i] >= blocks ? 1 : 0;
        const b = topBlocks.key[i] - side * blocks;
        const sb = side === 0 ? yesBase : noBase;
        const exact = blockMax(w, sb, sb + n, b);
        if (exact !== topBlocks.value[i]) {
          w[sb + bounds + b] = exact;
          tightened = true;
        }
      }
    }
    const top = this.topLevels;
    top.reset();
    for (let i = 0; i < TOP_KEPT && topBlocks.value[i] > 0; i++) {
      const side = topBlocks.key[i] >= blocks ? 1 : 0;
      const b = topBlocks.key[i] - side * blocks;
      const sb = side === 0 ? yesBase : noBase;
      let bits = w[sb + n + b];
      while (bits !== 0) {
        const j = 31 - Math.clz32(bits);
        const level = (b << 5) + j;
        top.offer(w[sb + level], side * n + level);
        bits ^= 1 << j;
      }
    }
    let known = 0;
    for (let i = 0; i < TOP_KEPT; i++) {
      head[t + i] = top.value[i];
      head[k + i] = top.key[i];
      if (top.value[i] > 0) known++;
    }
    head[kn] = known;
  }
}

/**
 * Writer-side upkeep of the aggregates BookTable keeps as deltas apply (io thread only): near-touch
 * depth, block and super-block maxima, and the three largest levels of a market. Works on
 * BookTable's pool through the level index (level-index.ts); BookTable owns the layout.
 */
import {
  blockMax,
  blockMaxOffset,
  blockSumOffset,
  rangeSum,
  superMax,
  superMaxOffset,
} from "./level-index.js";

/** Near-touch depth D_B / D_A counts bids within $0.05 = 500 ticks of the best, inclusive (§4). */
export const NEAR_DEPTH_TICKS = 500;

/** The three largest (value, key) pairs offered, largest first; writer scratch, no allocation. */
export class TopThreeKeyed {
  readonly value = new Int32Array(3);
  readonly key = new Int32Array(3).fill(-1);

  reset(): void {
    this.value.fill(0);
    this.key.fill(-1);
  }

  /** Offers a positive value; kept when larger than the current third (ties keep the earlier). */
  offer(v: number, k: number): void {
    const val = this.value;
    const key = this.key;
    if (v <= val[2]) return;
    let i = 2;
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
  private readonly topSupers = new TopThreeKeyed();
  private readonly topBlocks = new TopThreeKeyed();
  private readonly topLevels = new TopThreeKeyed();

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

  /** Block and super-block maxima after `level` changed from `old` to `next`. */
  updateBlockMax(sb: number, n: number, level: number, old: number, next: number): void {
    const w = this.w;
    const b = level >>> 5;
    const bmax = sb + blockMaxOffset(n);
    const smax = sb + superMaxOffset(n);
    const s = b >>> 5;
    if (next > old) {
      if (next > w[bmax + b]) {
        w[bmax + b] = next;
        if (next > w[smax + s]) w[smax + s] = next;
      }
    } else if (old === w[bmax + b]) {
      w[bmax + b] = blockMax(w, sb, sb + n, b);
      if (old === w[smax + s]) w[smax + s] = superMax(w, bmax, (n + 31) >>> 5, s);
    }
  }

  /**
   * The three largest levels (values at head[t..t+2], keys side·n + level at head[k..k+2]) after
   * level `key` changed from `old` to `next`; recomputed from the block maxima when a member
   * shrinks (the fourth largest, which may now rank third, is not kept).
   */
  updateTop(
    head: Int32Array,
    t: number,
    k: number,
    key: number,
    old: number,
    next: number,
    yesBase: number,
    noBase: number,
    n: number,
  ): void {
    let i = head[k] === key ? 0 : head[k + 1] === key ? 1 : head[k + 2] === key ? 2 : -1;
    if (i < 0) {
      if (next <= head[t + 2]) return;
      i = 2;
      head[k + 2] = key;
    } else if (next < old) {
      this.recomputeTop(head, t, k, yesBase, noBase, n);
      return;
    }
    head[t + i] = next;
    while (i > 0 && head[t + i] > head[t + i - 1]) {
      const v = head[t + i];
      head[t + i] = head[t + i - 1];
      head[t + i - 1] = v;
      const kk = head[k + i];
      head[k + i] = head[k + i - 1];
      head[k + i - 1] = kk;
      i--;
    }
  }

  /**
   * The three largest levels lie in the three largest blocks, which lie in each side's three
   * largest supers: ≤ 2·S + 6·32 block maxima and ≤ 96 levels read, never the whole grid.
   */
  private recomputeTop(
    head: Int32Array,
    t: number,
    k: number,
    yesBase: number,
    noBase: number,
    n: number,
  ): void {
    const w = this.w;
    const blocks = (n + 31) >>> 5;
    const supers = (blocks + 31) >>> 5;
    const topBlocks = this.topBlocks;
    topBlocks.reset();
    for (let side = 0; side < 2; side++) {
      const sb = side === 0 ? yesBase : noBase;
      const bmax = sb + blockMaxOffset(n);
      const smax = sb + superMaxOffset(n);
      const topSupers = this.topSupers;
      topSupers.reset();
      for (let s = 0; s < supers; s++) topSupers.offer(w[smax + s], s);
      for (let i = 0; i < 3 && topSupers.value[i] > 0; i++) {
        const s = topSupers.key[i];
        const end = Math.min(blocks, (s << 5) + 32);
        for (let b = s << 5; b < end; b++) topBlocks.offer(w[bmax + b], side * blocks + b);
      }
    }
    const top = this.topLevels;
    top.reset();
    for (let i = 0; i < 3 && topBlocks.value[i] > 0; i++) {
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
    for (let i = 0; i < 3; i++) {
      head[t + i] = top.value[i];
      head[k + i] = top.key[i];
    }
  }
}

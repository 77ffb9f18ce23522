/**
 * Level index of one book side — pure functions over BookTable's pool (io thread writes, readers
 * never call these). They keep what lets every book aggregate stay O(1) of book depth on a grid of
 * up to 9,999 levels:
 *
 *   occupancy   one bit per level (bit j of word w = level 32·w + j), and a summary word level
 *               (bit k of summary word s = occupancy word 32·s + k is non-zero): the next lower
 *               occupied level is found in a few word reads with Math.clz32, never a level scan;
 *   block bound an upper bound of the largest size in each 32-level block (= occupancy word):
 *               raised as sizes grow, tightened only when the largest levels are recomputed
 *               (book-aggregates.ts), so a shrinking level costs nothing here;
 *   block sums  Σ size per 32-level block (float64, exact integers): a price range sums as two
 *               partial words plus whole blocks (near-touch depth, observation-v1.md §4).
 *
 * Region of one side, int32 words from the side base (G = grid levels, W = ⌈G/32⌉, S = ⌈W/32⌉):
 *
 *   +0        +G          +G+W        +G+W+S         +E (even)          +E+2W
 *   +---------+-----------+-----------+--------------+------------------+
 *   | sizes G | occupancy | summary S | blockBound W | blockSum W × f64 |
 *   +---------+-----------+-----------+--------------+------------------+
 *
 * Side bases are even and the pool starts 8-byte aligned, so the float64 view index of blockSum is
 * (sideBase + E) / 2.
 */

/** Word offset of the block bounds inside one side's region. */
export function blockBoundOffset(levels: number): number {
  const w = (levels + 31) >>> 5;
  return levels + w + ((w + 31) >>> 5);
}
/** Word offset (even) of the float64 block sums. */
export function blockSumOffset(levels: number): number {
  const w = (levels + 31) >>> 5;
  return (blockBoundOffset(levels) + w + 1) & ~1;
}
/** int32 words of one side's region (even). */
export function sideWords(levels: number): number {
  return blockSumOffset(levels) + 2 * ((levels + 31) >>> 5);
}

/** Marks `level` occupied (its size became non-zero). */
export function markOccupied(w: Int32Array, occ: number, summary: number, level: number): void {
  const wi = level >>> 5;
  const before = w[occ + wi];
  w[occ + wi] = before | (1 << (level & 31));
  if (before === 0) w[summary + (wi >>> 5)] |= 1 << (wi & 31);
}

/** Marks `level` empty (its size became zero). */
export function markEmpty(w: Int32Array, occ: number, summary: number, level: number): void {
  const wi = level >>> 5;
  const after = w[occ + wi] & ~(1 << (level & 31));
  w[occ + wi] = after;
  if (after === 0) w[summary + (wi >>> 5)] &= ~(1 << (wi & 31));
}

/** Highest occupied level below `level`, −1 when none: ≤ 2 + ⌈S⌉ word reads. */
export function highestBelow(w: Int32Array, occ: number, summary: number, level: number): number {
  const wi = level >>> 5;
  // (1 << j) − 1 = bits below j; for j = 0 it is 0, for j = 31 ToInt32 gives 0x7fffffff
  const bits = w[occ + wi] & ((1 << (level & 31)) - 1);
  if (bits !== 0) return (wi << 5) + 31 - Math.clz32(bits);
  let si = wi >>> 5;
  let sbits = w[summary + si] & ((1 << (wi & 31)) - 1);
  while (sbits === 0) {
    if (si === 0) return -1;
    si--;
    sbits = w[summary + si];
  }
  const word = (si << 5) + 31 - Math.clz32(sbits);
  return (word << 5) + 31 - Math.clz32(w[occ + word]);
}

/** Σ sizes of the levels of occupancy word `wi` whose bits are set in `bits`. */
function sumBits(w: Int32Array, sizes: number, wi: number, bits: number): number {
  let s = 0;
  const first = sizes + (wi << 5);
  while (bits !== 0) {
    const j = 31 - Math.clz32(bits);
    s += w[first + j];
    bits ^= 1 << j;
  }
  return s;
}

/** Largest size among the levels of occupancy word `wi` (0 when the block is empty). */
export function blockMax(w: Int32Array, sizes: number, occ: number, wi: number): number {
  let bits = w[occ + wi];
  let max = 0;
  const first = sizes + (wi << 5);
  while (bits !== 0) {
    const j = 31 - Math.clz32(bits);
    const q = w[first + j];
    if (q > max) max = q;
    bits ^= 1 << j;
  }
  return max;
}

/**
 * Σ sizes of levels lo..hi (inclusive, lo ≤ hi): the two end words bit by bit, whole blocks from
 * their float64 sums. `sumsF` is the float64 index of block 0's sum.
 */
export function rangeSum(
  w: Int32Array,
  f: Float64Array,
  sizes: number,
  occ: number,
  sumsF: number,
  lo: number,
  hi: number,
): number {
  const wlo = lo >>> 5;
  const whi = hi >>> 5;
  const fromLo = -1 << (lo & 31);
  const toHi = (hi & 31) === 31 ? -1 : (1 << ((hi & 31) + 1)) - 1;
  if (wlo === whi) return sumBits(w, sizes, wlo, w[occ + wlo] & fromLo & toHi);
  let s = sumBits(w, sizes, wlo, w[occ + wlo] & fromLo) + sumBits(w, sizes, whi, w[occ + whi] & toHi);
  for (let b = wlo + 1; b < whi; b++) s += f[sumsF + b];
  return s;
}

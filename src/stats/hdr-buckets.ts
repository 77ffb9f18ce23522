/**
 * Bucket-level access to a pure-JS HdrHistogram (pure functions, any thread).
 *
 * hdr-histogram-js answers percentiles with one full scan per call and encodes/decodes through
 * full-size counts arrays; both cost milliseconds at our array sizes. These helpers walk the
 * counts once, bucket by bucket, using HdrHistogram's own index → value layout:
 *   bucket 0 spans indices [0, 2·half) at `unit` size; bucket b ≥ 1 spans [(b+1)·half, (b+2)·half)
 *   with sub-bucket values half..2·half−1 at size unit·2^b (unit = 2^unitMagnitude).
 * They read JsHistogram internals present on every pure-JS build (`_counts` on the typed-array
 * builds); property tests pin them to the library's own answers.
 */

export interface HdrInternals {
  totalCount: number;
  countsArrayLength: number;
  subBucketHalfCount: number;
  unitMagnitude: number;
  getCountAtIndex(index: number): number;
  _counts?: ArrayLike<number>;
}

/**
 * Calls `visit(lowestValue, bucketSize, count)` for every non-empty bucket in value order,
 * stopping once all `totalCount` values were seen.
 */
export function forEachBucket(
  h: HdrInternals,
  visit: (lowest: number, size: number, count: number) => void,
): void {
  const total = h.totalCount;
  const half = h.subBucketHalfCount;
  const length = h.countsArrayLength;
  const counts = h._counts;
  let seen = 0;
  let size = 2 ** h.unitMagnitude;
  let i = 0;
  let lowest = 0;
  let bucketEnd = Math.min(2 * half, length);
  while (i < length && seen < total) {
    for (; i < bucketEnd && seen < total; i++, lowest += size) {
      const c = counts !== undefined ? counts[i]! : h.getCountAtIndex(i);
      if (c === 0) continue;
      seen += c;
      visit(lowest, size, c);
    }
    size *= 2;
    lowest = half * size;
    bucketEnd = Math.min(bucketEnd + half, length);
  }
}

/**
 * Same results as HdrHistogram's getValueAtPercentile (highest equivalent value of the bucket
 * where the cumulative count reaches ⌈p·total⌉, for p > 0) and mean (bucket medians), in one scan.
 */
export function percentilesOnePass(
  h: HdrInternals,
  percentiles: readonly number[],
): { valuesNs: number[]; meanNs: number } {
  const total = h.totalCount;
  const targets = percentiles.map((p) => {
    const e = (Math.min(p, 100) / 100) * total;
    return Math.max(Math.ceil(e - ulp(e)), 1);
  });
  const valuesNs = new Array<number>(percentiles.length).fill(0);
  let k = 0;
  let cumulative = 0;
  let sum = 0;
  forEachBucket(h, (lowest, size, c) => {
    cumulative += c;
    sum += (lowest + Math.floor(size / 2)) * c;
    while (k < targets.length && cumulative >= targets[k]!) valuesNs[k++] = lowest + size - 1;
  });
  return { valuesNs, meanNs: total === 0 ? 0 : sum / total };
}

/**
 * Cumulative counts at upper bounds (Prometheus `le` semantics: values ≤ bound), plus the exact
 * total. A bucket counts towards a bound when its highest equivalent value is ≤ the bound, so a
 * count is never credited to a bound below the value (at most one bucket's width late).
 */
export function cumulativeAtBounds(h: HdrInternals, boundsUpper: readonly number[]): number[] {
  const out = new Array<number>(boundsUpper.length).fill(0);
  forEachBucket(h, (lowest, size, c) => {
    const highest = lowest + size - 1;
    for (let k = boundsUpper.length - 1; k >= 0 && highest <= boundsUpper[k]!; k--) out[k]! += c;
  });
  return out;
}

/** Non-empty buckets as `[lowestValue0, count0, lowestValue1, count1, …]`. */
export function sparseBuckets(h: HdrInternals): Float64Array {
  const pairs: number[] = [];
  forEachBucket(h, (lowest, _size, c) => {
    pairs.push(lowest, c);
  });
  return Float64Array.from(pairs);
}

function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

/**
 * Per-stage latency histograms (HdrHistogram, pure-JS build so it runs in any worker_thread).
 *
 * Values are recorded in NANOSECONDS (`record(stage, valueNs)`); `summary()` reports
 * MICROSECONDS. Each thread owns its own instance (no sharing, no locks). Workers periodically
 * post `encode({ reset: true })` — an interval delta — to io, which `mergeEncoded`s it into the
 * engine-wide instance behind `/stats` (ARCHITECTURE.md "Timing and the loop budget").
 *
 * Why 32-bit buckets by default rather than "packed": the counts array is allocated once at
 * construction (~110 KiB per stage), so `record` never allocates; a packed array grows as new
 * value ranges are touched. "packed" is accepted for memory-tight callers.
 */
import {
  type BitBucketSize,
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from "hdr-histogram-js";
import { DEFAULT_STAGE_BUDGET_NS, STAGE_COUNT, STAGE_NAMES, type StageId, type StageName } from "./stages.js";

export interface StageHistogramsOptions {
  /** one budget for all stages, or per stage (others keep the default 50 ms) */
  budgetNs?: number | Partial<Record<StageName, number>>;
  /** values above are recorded as this value (default 1 hour) */
  highestTrackableNs?: number;
  significantDigits?: 1 | 2 | 3 | 4 | 5;
  bitBucketSize?: Extract<BitBucketSize, 32 | "packed">;
}

/**
 * A structured-cloneable snapshot (strings and numbers only) for `postMessage`.
 * `histogramsBase64[stageId]` is HdrHistogram's V2 compressed encoding, "" when empty.
 */
export interface EncodedStageHistograms {
  version: 1;
  histogramsBase64: string[];
  budgetBreaches: number[];
  /** exact largest value per stage, ns (HdrHistogram's decoded max is only bucket-precise) */
  maxNs: number[];
}

export interface StageSummaryUs {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  budget_us: number;
  budget_breaches: number;
}

export type HistogramsSummaryUs = Record<StageName, StageSummaryUs>;

const DEFAULT_HIGHEST_NS = 3_600_000_000_000;

export class StageHistograms {
  private readonly histograms: Histogram[] = [];
  private readonly budgetNs = new Float64Array(STAGE_COUNT);
  private readonly breaches = new Float64Array(STAGE_COUNT);
  private readonly maxNs = new Float64Array(STAGE_COUNT);
  private readonly highestNs: number;
  private readonly bitBucketSize: 32 | "packed";

  constructor(options: StageHistogramsOptions = {}) {
    this.highestNs = options.highestTrackableNs ?? DEFAULT_HIGHEST_NS;
    this.bitBucketSize = options.bitBucketSize ?? 32;
    const budget = options.budgetNs;
    for (let i = 0; i < STAGE_COUNT; i++) {
      const name = STAGE_NAMES[i]!;
      this.budgetNs[i] = typeof budget === "number" ? budget : (budget?.[name] ?? DEFAULT_STAGE_BUDGET_NS);
      this.histograms.push(
        build({
          bitBucketSize: this.bitBucketSize,
          autoResize: false,
          lowestDiscernibleValue: 1,
          highestTrackableValue: this.highestNs,
          numberOfSignificantValueDigits: options.significantDigits ?? 3,
          useWebAssembly: false,
        }),
      );
    }
  }

  /** Hot path: no allocation, no string lookup. Negative/NaN (clock skew) records 0. */
  record(stage: StageId, valueNs: number): void {
    if (valueNs > this.budgetNs[stage]!) this.breaches[stage]!++;
    let v = valueNs >= 0 ? Math.trunc(valueNs) : 0;
    if (v > this.highestNs) v = this.highestNs;
    if (v > this.maxNs[stage]!) this.maxNs[stage] = v;
    this.histograms[stage]!.recordValue(v);
  }

  count(stage: StageId): number {
    return this.histograms[stage]!.totalCount;
  }

  /** Percentile (0..100) in nanoseconds (HdrHistogram's highest equivalent value). */
  percentileNs(stage: StageId, percentile: number): number {
    return this.histograms[stage]!.getValueAtPercentile(percentile);
  }

  /** Snapshot for another thread. With `reset`, the snapshot is an interval delta. */
  encode(options: { reset?: boolean } = {}): EncodedStageHistograms {
    const histogramsBase64: string[] = [];
    const budgetBreaches: number[] = [];
    const maxNs: number[] = [];
    for (let i = 0; i < STAGE_COUNT; i++) {
      const h = this.histograms[i]!;
      histogramsBase64.push(h.totalCount === 0 ? "" : encodeIntoCompressedBase64(h));
      budgetBreaches.push(this.breaches[i]!);
      maxNs.push(this.maxNs[i]!);
    }
    if (options.reset === true) this.reset();
    return { version: 1, histogramsBase64, budgetBreaches, maxNs };
  }

  /** Adds another thread's snapshot (io side; allocates, cold path). */
  mergeEncoded(snapshot: EncodedStageHistograms): void {
    if (snapshot.version !== 1 || snapshot.histogramsBase64.length !== STAGE_COUNT) {
      throw new Error(
        `stats: cannot merge histogram snapshot (version ${snapshot.version}, ${snapshot.histogramsBase64.length} stages; expected version 1, ${STAGE_COUNT} stages)`,
      );
    }
    for (let i = 0; i < STAGE_COUNT; i++) {
      const b64 = snapshot.histogramsBase64[i]!;
      if (b64 !== "") {
        const other = decodeFromCompressedBase64(b64, this.bitBucketSize, false);
        this.histograms[i]!.add(other);
      }
      this.breaches[i]! += snapshot.budgetBreaches[i] ?? 0;
      const max = snapshot.maxNs[i] ?? 0;
      if (max > this.maxNs[i]!) this.maxNs[i] = max;
    }
  }

  reset(): void {
    for (const h of this.histograms) h.reset();
    this.breaches.fill(0);
    this.maxNs.fill(0);
  }

  /**
   * Per stage, in microseconds (3 decimals = nanosecond resolution). One pass over each stage's
   * counts (`percentilesOnePass`): HdrHistogram's own getValueAtPercentile/mean scan the array
   * once per call, which measured ~58 ms for 9 stages on io — too long to block the event loop.
   */
  summary(): HistogramsSummaryUs {
    const out = {} as HistogramsSummaryUs;
    for (let i = 0; i < STAGE_COUNT; i++) {
      const h = this.histograms[i]!;
      const empty = h.totalCount === 0;
      const p = empty ? undefined : percentilesOnePass(h as unknown as HdrInternals, SUMMARY_PERCENTILES);
      out[STAGE_NAMES[i]!] = {
        count: h.totalCount,
        p50: p === undefined ? 0 : nsToUs(p.valuesNs[0]!),
        p90: p === undefined ? 0 : nsToUs(p.valuesNs[1]!),
        p99: p === undefined ? 0 : nsToUs(p.valuesNs[2]!),
        p999: p === undefined ? 0 : nsToUs(p.valuesNs[3]!),
        max: empty ? 0 : nsToUs(this.maxNs[i]!),
        mean: p === undefined ? 0 : nsToUs(p.meanNs),
        budget_us: nsToUs(this.budgetNs[i]!),
        budget_breaches: this.breaches[i]!,
      };
    }
    return out;
  }
}

const SUMMARY_PERCENTILES = [50, 90, 99, 99.9] as const;

/**
 * The JsHistogram internals the one-pass summary reads (present on every pure-JS build; `_counts`
 * on the typed-array builds). Index → value arithmetic is HdrHistogram's valueFromIndex /
 * sizeOfEquivalentValueRange, inlined: calling those per bucket costs ~100 ns each.
 */
interface HdrInternals {
  totalCount: number;
  countsArrayLength: number;
  subBucketHalfCount: number;
  unitMagnitude: number;
  getCountAtIndex(index: number): number;
  _counts?: ArrayLike<number>;
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
  const half = h.subBucketHalfCount;
  const length = h.countsArrayLength;
  const counts = h._counts;
  let k = 0;
  let cumulative = 0;
  let sum = 0;
  // Bucket 0 spans indices [0, 2·half) at unit size; bucket b ≥ 1 spans [(b+1)·half, (b+2)·half)
  // with sub-bucket values half..2·half−1 at size unit·2^b. Within a bucket the size is constant,
  // so the value of each index is one addition away from the previous one.
  let size = 2 ** h.unitMagnitude;
  let i = 0;
  let lowest = 0;
  let bucketEnd = Math.min(2 * half, length);
  while (i < length && cumulative < total) {
    for (; i < bucketEnd && cumulative < total; i++, lowest += size) {
      const c = counts !== undefined ? counts[i]! : h.getCountAtIndex(i);
      if (c === 0) continue;
      cumulative += c;
      sum += (lowest + Math.floor(size / 2)) * c;
      while (k < targets.length && cumulative >= targets[k]!) valuesNs[k++] = lowest + size - 1;
    }
    // next bucket: sizes double, sub-bucket values restart at half
    size *= 2;
    lowest = half * size;
    bucketEnd = Math.min(bucketEnd + half, length);
  }
  return { valuesNs, meanNs: total === 0 ? 0 : sum / total };
}

function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

function nsToUs(ns: number): number {
  return Math.round(ns) / 1000;
}

/**
 * Per-stage latency histograms (HdrHistogram, pure-JS build so it runs in any worker_thread).
 *
 * Values are recorded in NANOSECONDS (`record(stage, valueNs)`); `summary()` reports
 * MICROSECONDS. Each thread owns its own instance (no sharing, no locks). Workers periodically
 * post `encode({ reset: true })` — an interval delta — to io, which `mergeEncoded`s it into the
 * engine-wide instance behind `/stats` (docs/architecture.md "The hot path").
 *
 * Why histograms travel as a message while every counter is shared memory (stats/counters.ts):
 * a stage's HdrHistogram is ~270 KiB of buckets at 3 significant digits, so a shared copy per
 * writing thread would have io scan megabytes on every /stats and /metrics read, or give up
 * precision for a coarse fixed layout; the interval delta lists only the buckets touched
 * (microseconds to build and merge) and, being reset when sent, counts each value exactly once
 * with no reader resetting a writer's memory. It is still written by the thread that measured it:
 * io only adds the deltas up. The counts are tested against the values recorded
 * (test/stats/stage-histograms.test.ts).
 *
 * Why 64-bit (Float64Array) buckets by default rather than "packed": the counts array is
 * allocated once at construction (~270 KiB per stage), so `record` never allocates and io's
 * merged histograms cannot overflow a bucket (a 32-bit bucket throws after 2^32 values, days at
 * engine rates); a packed array grows as value ranges are touched and measured ~20× slower.
 * `record` also bypasses HdrHistogram's index maths (Math.log2/pow, ~80 ns) for values below
 * 2^32 ns with an equivalent clz32 computation (property-tested against the library).
 */
import { type BitBucketSize, build, type Histogram } from "hdr-histogram-js";
import { cumulativeAtBounds, type HdrInternals, percentilesOnePass, sparseBuckets } from "./hdr-buckets.js";
import { DEFAULT_STAGE_BUDGET_NS, STAGE_COUNT, STAGE_NAMES, type StageId, type StageName } from "./stages.js";

export interface StageHistogramsOptions {
  /** one budget for all stages, or per stage (others keep the default 50 ms) */
  budgetNs?: number | Partial<Record<StageName, number>>;
  /** values above are recorded as this value (default 1 hour) */
  highestTrackableNs?: number;
  significantDigits?: 1 | 2 | 3 | 4 | 5;
  bitBucketSize?: Extract<BitBucketSize, 32 | 64 | "packed">;
}

/**
 * A structured-cloneable snapshot for `postMessage` (typed arrays and numbers).
 * `buckets[stageId]` lists the stage's non-empty buckets as `[lowestValueNs, count, …]` pairs:
 * sparse, so an interval delta of a few hundred values costs microseconds to build and merge.
 * (HdrHistogram's compressed V2 encoding measured ~0.5 ms per merge: it decodes through a
 * full-size histogram.)
 */
export interface EncodedStageHistograms {
  version: 2;
  buckets: Float64Array[];
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

/**
 * Upper bounds of the latency buckets `/metrics` and the dashboard show, in seconds (10 µs … 10 s;
 * the engine's loop budget is 50 ms by default). `+Inf` is implied.
 */
export const LATENCY_BUCKET_BOUNDS_S: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5, 10,
];

/** Per stage: cumulative counts at `LATENCY_BUCKET_BOUNDS_S` (values ≤ bound), then the total. */
export type LatencyBuckets = Record<StageName, { le_counts: number[]; count: number }>;

const DEFAULT_HIGHEST_NS = 3_600_000_000_000;

export class StageHistograms {
  private readonly histograms: Histogram[] = [];
  private readonly budgetNs = new Float64Array(STAGE_COUNT);
  private readonly breaches = new Float64Array(STAGE_COUNT);
  private readonly maxNs = new Float64Array(STAGE_COUNT);
  private readonly highestNs: number;
  private readonly bitBucketSize: 32 | 64 | "packed";
  /** per stage: the typed-array internals for the fast path, or undefined (packed) */
  private readonly fast: Array<FastRecordInternals | undefined> = [];

  constructor(options: StageHistogramsOptions = {}) {
    this.highestNs = options.highestTrackableNs ?? DEFAULT_HIGHEST_NS;
    this.bitBucketSize = options.bitBucketSize ?? 64;
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
      this.fast.push(fastInternals(this.histograms[i]!));
    }
  }

  /** Hot path: no allocation, no string lookup. Negative/NaN (clock skew) records 0. */
  record(stage: StageId, valueNs: number): void {
    if (valueNs > this.budgetNs[stage]!) this.breaches[stage]!++;
    let v = valueNs >= 0 ? Math.trunc(valueNs) : 0;
    if (v > this.highestNs) v = this.highestNs;
    if (v > this.maxNs[stage]!) this.maxNs[stage] = v;
    const f = this.fast[stage];
    if (f !== undefined && v < TWO_POW_32) {
      // HdrHistogram's countsArrayIndex for unitMagnitude 0: bucket = ⌊log2 v⌋ − subBucketHalfCountMagnitude
      // (clamped at 0), sub-bucket = ⌊v / 2^bucket⌋.
      const b = 31 - Math.clz32(v) - f.subBucketHalfCountMagnitude;
      const bucket = Math.max(b, 0);
      f._counts[(bucket + 1) * f.subBucketHalfCount + (v >>> bucket) - f.subBucketHalfCount]! += 1;
      f.incrementTotalCount();
      f.updateMinAndMax(v);
    } else this.histograms[stage]!.recordValue(v);
  }

  count(stage: StageId): number {
    return this.histograms[stage]!.totalCount;
  }

  /** Percentile (0..100) in nanoseconds (HdrHistogram's highest equivalent value). */
  percentileNs(stage: StageId, percentile: number): number {
    return this.histograms[stage]!.getValueAtPercentile(percentile);
  }

  /** Cumulative bucket counts per stage at `LATENCY_BUCKET_BOUNDS_S` (cold path: /metrics). */
  buckets(): LatencyBuckets {
    const boundsNs = LATENCY_BUCKET_BOUNDS_S.map((s) => Math.round(s * 1e9));
    const out = {} as LatencyBuckets;
    for (let i = 0; i < STAGE_COUNT; i++) {
      const h = this.histograms[i]!;
      out[STAGE_NAMES[i]!] = {
        le_counts:
          h.totalCount === 0
            ? boundsNs.map(() => 0)
            : cumulativeAtBounds(h as unknown as HdrInternals, boundsNs),
        count: h.totalCount,
      };
    }
    return out;
  }

  /** Snapshot for another thread. With `reset`, the snapshot is an interval delta. */
  encode(options: { reset?: boolean } = {}): EncodedStageHistograms {
    const buckets: Float64Array[] = [];
    const budgetBreaches: number[] = [];
    const maxNs: number[] = [];
    for (let i = 0; i < STAGE_COUNT; i++) {
      const h = this.histograms[i]!;
      buckets.push(h.totalCount === 0 ? EMPTY : sparseBuckets(h as unknown as HdrInternals));
      budgetBreaches.push(this.breaches[i]!);
      maxNs.push(this.maxNs[i]!);
    }
    if (options.reset === true) this.reset();
    return { version: 2, buckets, budgetBreaches, maxNs };
  }

  /** Adds another thread's snapshot (io side; cold path, O(non-empty buckets)). */
  mergeEncoded(snapshot: EncodedStageHistograms): void {
    if (snapshot.version !== 2 || snapshot.buckets?.length !== STAGE_COUNT) {
      throw new Error(
        `stats: cannot merge histogram snapshot (version ${snapshot.version}, ${snapshot.buckets?.length} stages; expected version 2, ${STAGE_COUNT} stages)`,
      );
    }
    for (let i = 0; i < STAGE_COUNT; i++) {
      const pairs = snapshot.buckets[i]!;
      const h = this.histograms[i]!;
      for (let j = 0; j + 1 < pairs.length; j += 2) {
        h.recordValueWithCount(Math.min(pairs[j]!, this.highestNs), pairs[j + 1]!);
      }
      this.breaches[i]! += snapshot.budgetBreaches[i] ?? 0;
      const max = snapshot.maxNs[i] ?? 0;
      if (max > this.maxNs[i]!) this.maxNs[i] = max;
    }
  }

  reset(): void {
    // HdrHistogram's reset clears the whole counts array; skip stages that recorded nothing.
    for (const h of this.histograms) if (h.totalCount !== 0) h.reset();
    this.breaches.fill(0);
    this.maxNs.fill(0);
  }

  /**
   * Per stage, in microseconds (3 decimals = nanosecond resolution). One pass over each stage's
   * counts (`percentilesOnePass`): HdrHistogram's own getValueAtPercentile/mean scan the array
   * once per call, which measured ~58 ms for 9 dense stages on io (the one-pass walk: ~1 ms).
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

const TWO_POW_32 = 4_294_967_296;

/** JsHistogram internals the fast record path writes (typed-array builds). */
interface FastRecordInternals {
  _counts: Float64Array | Uint32Array;
  subBucketHalfCount: number;
  subBucketHalfCountMagnitude: number;
  unitMagnitude: number;
  incrementTotalCount(): void;
  updateMinAndMax(value: number): void;
}

function fastInternals(h: Histogram): FastRecordInternals | undefined {
  const f = h as unknown as Partial<FastRecordInternals>;
  const typed = f._counts instanceof Float64Array || f._counts instanceof Uint32Array;
  const ok =
    typed &&
    f.unitMagnitude === 0 &&
    typeof f.subBucketHalfCount === "number" &&
    typeof f.subBucketHalfCountMagnitude === "number" &&
    typeof f.incrementTotalCount === "function" &&
    typeof f.updateMinAndMax === "function";
  return ok ? (f as FastRecordInternals) : undefined;
}

const EMPTY = new Float64Array(0);

function nsToUs(ns: number): number {
  return Math.round(ns) / 1000;
}

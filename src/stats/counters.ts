/**
 * Named monotonic counters and gauges, incremented through pre-resolved handles.
 *
 * Resolve once at component construction (`const frames = counters.counter("frames")`), then the
 * hot path does `frames.inc()`: one Float64Array add, no string lookup, no allocation.
 *
 * Values live in one Float64Array. Pass a SharedArrayBuffer (`Counters.allocateShared(defs)`) to
 * share the same registry across threads: every thread constructs `new Counters(defs, sab)` from
 * the SAME definition list, and each metric has exactly ONE writer thread (the component that owns
 * it), so a plain store is enough; readers (io's /stats) see monitoring-grade, possibly slightly
 * stale values, never torn across metrics that matter for money (those come from PortfolioTable).
 *
 * Lanes, for a metric that several threads of one kind count (every decide worker counts its
 * decisions): `allocateShared(defs, lanes)` lays out one value array per lane, each thread writes
 * through handles on its own lane only (`new Counters(defs, sab, lane)`), and reads — `get`,
 * `snapshot`, `total` — sum the lanes. So every value still has one writer, and no thread counts
 * for another. The engine's lanes: 0 for io and the orders thread, 1 + w for decide worker w
 * (engine-metrics.ts `decideLane`).
 *
 * Layout (SharedArrayBuffer, 8 bytes per metric per lane, in definition order, lane after lane):
 *   0        8             8·n      8·n+8          8·n·lanes
 *   +--------+-- ... --+--------+--------+-- ... --+--------+
 *   | f64 m0 |         | f64 mN | f64 m0 |         | f64 mN |
 *   +--------+-- ... --+--------+--------+-- ... --+--------+
 *   |<------ lane 0 ----------->|<------ lane 1 … ---------->|
 */

export type MetricKind = "counter" | "gauge";

export interface MetricDefinition {
  /** snake_case, no prefix, no `_total` (the Prometheus renderer adds both) */
  name: string;
  kind: MetricKind;
  help: string;
  labels?: Readonly<Record<string, string>>;
}

/** One metric's value, as reported in `/stats` and rendered by `/metrics`. */
export interface MetricSample {
  name: string;
  kind: MetricKind;
  help: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class CounterHandle {
  constructor(
    private readonly values: Float64Array,
    private readonly index: number,
  ) {}

  inc(by = 1): void {
    this.values[this.index]! += by;
  }

  /** Follows a monotonic count the same owner keeps elsewhere (a component's plain stats field). */
  advanceTo(total: number): void {
    if (total > this.values[this.index]!) this.values[this.index] = total;
  }

  /** this handle's lane (the writer's own count); `Counters.total` reads every lane */
  get value(): number {
    return this.values[this.index]!;
  }
}

/** A metric's value summed over every lane: a reader's handle, resolved once. */
export class MetricTotal {
  constructor(
    private readonly values: Float64Array,
    private readonly index: number,
    private readonly stride: number,
  ) {}

  get value(): number {
    let v = 0;
    for (let i = this.index; i < this.values.length; i += this.stride) v += this.values[i]!;
    return v;
  }
}

export class GaugeHandle {
  constructor(
    private readonly values: Float64Array,
    private readonly index: number,
  ) {}

  set(value: number): void {
    this.values[this.index] = value;
  }

  add(delta: number): void {
    this.values[this.index]! += delta;
  }

  get value(): number {
    return this.values[this.index]!;
  }
}

export class Counters {
  private readonly values: Float64Array;
  private readonly indexByKey = new Map<string, number>();
  /** where this registry's handles write: lane × definitions */
  private readonly laneOffset: number;

  static allocateShared(definitions: readonly MetricDefinition[], lanes = 1): SharedArrayBuffer {
    return new SharedArrayBuffer(definitions.length * lanes * Float64Array.BYTES_PER_ELEMENT);
  }

  /** `lane`: the lane this thread's handles write (0 unless the buffer has several) */
  constructor(
    private readonly definitions: readonly MetricDefinition[],
    buffer?: SharedArrayBuffer | ArrayBuffer,
    lane = 0,
  ) {
    const bytes = definitions.length * Float64Array.BYTES_PER_ELEMENT;
    const lanes = buffer === undefined || bytes === 0 ? 1 : buffer.byteLength / bytes;
    if (!Number.isInteger(lanes) || lanes < 1) {
      throw new Error(
        `stats: counters buffer is ${buffer!.byteLength} bytes, expected ${bytes} per lane for ${definitions.length} metrics (was it built from a different definition list?)`,
      );
    }
    if (!Number.isInteger(lane) || lane < 0 || lane >= lanes)
      throw new Error(`stats: lane ${lane} is not one of the buffer's ${lanes} lanes`);
    this.values = new Float64Array(buffer ?? new ArrayBuffer(bytes));
    this.laneOffset = lane * definitions.length;
    definitions.forEach((d, i) => {
      const key = metricKey(d.name, d.labels);
      if (this.indexByKey.has(key)) throw new Error(`stats: metric ${key} is defined twice`);
      this.indexByKey.set(key, i);
    });
  }

  /** A handle that adds to the metric on this registry's lane. */
  counter(name: string, labels?: Readonly<Record<string, string>>): CounterHandle {
    return new CounterHandle(this.values, this.laneOffset + this.resolve(name, labels, "counter"));
  }

  gauge(name: string, labels?: Readonly<Record<string, string>>): GaugeHandle {
    return new GaugeHandle(this.values, this.laneOffset + this.resolve(name, labels, "gauge"));
  }

  /** A reader's handle on the metric's value over every lane. */
  total(name: string, labels?: Readonly<Record<string, string>>): MetricTotal {
    const i = this.indexByKey.get(metricKey(name, labels));
    if (i === undefined) throw new Error(`stats: no metric ${metricKey(name, labels)}`);
    return new MetricTotal(this.values, i, this.definitions.length);
  }

  /** Cold path: current value of one metric over every lane (tests, dashboards). */
  get(name: string, labels?: Readonly<Record<string, string>>): number {
    return this.total(name, labels).value;
  }

  snapshot(): MetricSample[] {
    return this.definitions.map((d, i) => ({
      name: d.name,
      kind: d.kind,
      help: d.help,
      labels: d.labels ?? {},
      value: new MetricTotal(this.values, i, this.definitions.length).value,
    }));
  }

  private resolve(
    name: string,
    labels: Readonly<Record<string, string>> | undefined,
    kind: MetricKind,
  ): number {
    const key = metricKey(name, labels);
    const i = this.indexByKey.get(key);
    if (i === undefined) throw new Error(`stats: no metric ${key}; add it to the definition list`);
    const def = this.definitions[i]!;
    if (def.kind !== kind) throw new Error(`stats: metric ${key} is a ${def.kind}, not a ${kind}`);
    return i;
  }
}

/** `name{a="x",b="y"}` with label names sorted, so lookups do not depend on key order. */
export function metricKey(name: string, labels?: Readonly<Record<string, string>>): string {
  if (labels === undefined) return name;
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}="${labels[k]}"`).join(",")}}`;
}

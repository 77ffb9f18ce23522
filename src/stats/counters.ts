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
 * Layout (SharedArrayBuffer, 8 bytes per metric, in definition order):
 *   0        8        16             8·n
 *   +--------+--------+-- ... --+--------+
 *   | f64 m0 | f64 m1 |         | f64 mN |
 *   +--------+--------+-- ... --+--------+
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

  get value(): number {
    return this.values[this.index]!;
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

  static allocateShared(definitions: readonly MetricDefinition[]): SharedArrayBuffer {
    return new SharedArrayBuffer(definitions.length * Float64Array.BYTES_PER_ELEMENT);
  }

  constructor(
    private readonly definitions: readonly MetricDefinition[],
    buffer?: SharedArrayBuffer | ArrayBuffer,
  ) {
    const bytes = definitions.length * Float64Array.BYTES_PER_ELEMENT;
    if (buffer !== undefined && buffer.byteLength !== bytes) {
      throw new Error(
        `stats: counters buffer is ${buffer.byteLength} bytes, expected ${bytes} for ${definitions.length} metrics (was it built from a different definition list?)`,
      );
    }
    this.values = new Float64Array(buffer ?? new ArrayBuffer(bytes));
    definitions.forEach((d, i) => {
      const key = metricKey(d.name, d.labels);
      if (this.indexByKey.has(key)) throw new Error(`stats: metric ${key} is defined twice`);
      this.indexByKey.set(key, i);
    });
  }

  counter(name: string, labels?: Readonly<Record<string, string>>): CounterHandle {
    return new CounterHandle(this.values, this.resolve(name, labels, "counter"));
  }

  gauge(name: string, labels?: Readonly<Record<string, string>>): GaugeHandle {
    return new GaugeHandle(this.values, this.resolve(name, labels, "gauge"));
  }

  /** Cold path: current value of one metric (tests, dashboards). */
  get(name: string, labels?: Readonly<Record<string, string>>): number {
    const i = this.indexByKey.get(metricKey(name, labels));
    if (i === undefined) throw new Error(`stats: no metric ${metricKey(name, labels)}`);
    return this.values[i]!;
  }

  snapshot(): MetricSample[] {
    return this.definitions.map((d, i) => ({
      name: d.name,
      kind: d.kind,
      help: d.help,
      labels: d.labels ?? {},
      value: this.values[i]!,
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

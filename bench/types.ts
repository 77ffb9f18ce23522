/**
 * Contract between `bench/run.ts` and the bench files. Every `bench/*.bench.ts` exports
 * `run(options)` returning one section. `run.ts` writes all sections to `bench/results/`.
 */
export interface BenchRow {
  /** what was measured, e.g. "parse+apply orderbook_delta, 1,000 markets" */
  name: string;
  /** operations per second, if meaningful */
  opsPerSec?: number;
  /** mean nanoseconds per operation, if meaningful */
  nsPerOp?: number;
  /** latency percentiles in microseconds, if the row is a latency distribution */
  p50Us?: number;
  p99Us?: number;
  p999Us?: number;
  maxUs?: number;
  /** target stated by the issue, e.g. ">= 2.5M/s" */
  target?: string;
  /** whether the target was met (undefined = no target) */
  met?: boolean;
  /** free text: what limits it, baseline ratio, etc. */
  note?: string;
}

export interface BenchSection {
  title: string;
  rows: BenchRow[];
  /** extra structured data kept in the JSON result */
  extra?: Record<string, unknown>;
  /** a failed hard gate makes `make bench` exit non-zero */
  failedGate?: string;
}

export interface BenchOptions {
  /** shorter runs (for smoke tests of the bench code itself) */
  quick: boolean;
}

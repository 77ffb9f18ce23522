/**
 * Parquet training dataset (`features export --format parquet`): one row per observation, so
 * DuckDB, Spark, Ray or pandas read a season of recordings directly. Written with hyparquet-writer
 * (pure JavaScript, streaming row groups; Snappy-compressed).
 *
 * Columns:
 *   time       TIMESTAMP(ms)  effective update time (observation-v1.md §3.5)
 *   recv_time  TIMESTAMP(ms)  receive time of the frame
 *   market     STRING         market ticker
 *   seq        INT64          envelope seq of the frame (null when absent)
 *   <52 features>  FLOAT      named as in observation-v1.md (FEATURE_NAMES), post-processed (§9)
 *   next_mid   DOUBLE         the market's reference mid in dollars after its NEXT applied update:
 *                             the label for predicting the next move; null when the market does
 *                             not update again within LABEL_WINDOW_ROWS rows (or at all)
 *
 * Labels need lookahead, so rows wait in a buffer until their market's next update or until they
 * are LABEL_WINDOW_ROWS rows old; the oldest quarter is then written as a row group. Memory is
 * bounded by the window (≈ 110 MB at 2^19 rows).
 */

import type { ColumnSource, SchemaElement } from "hyparquet-writer";
import { fileWriter, ParquetWriter } from "hyparquet-writer";
import { FEATURE_NAMES, OBSERVATION_SIZE } from "./names.js";

export const LABEL_WINDOW_ROWS = 1 << 19;

export class ParquetDatasetWriter {
  rows = 0;
  private readonly writer: ParquetWriter;
  private readonly window: number;
  /** absolute row number of buffer position 0 */
  private base = 0;
  private readonly obs: Float32Array;
  private readonly timeMs: Float64Array;
  private readonly recvMs: Float64Array;
  private readonly seq: Float64Array;
  private readonly nextMid: Float64Array;
  private readonly market: string[];
  private readonly lastRowOf = new Map<string, number>();

  constructor(path: string, window = LABEL_WINDOW_ROWS) {
    this.window = window;
    this.obs = new Float32Array(window * OBSERVATION_SIZE);
    this.timeMs = new Float64Array(window);
    this.recvMs = new Float64Array(window);
    this.seq = new Float64Array(window);
    this.nextMid = new Float64Array(window);
    this.market = new Array<string>(window);
    this.writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: parquetSchema(),
      createdBy: "kalshi-engine",
    });
  }

  /** One observation; `midDollars` is the market's reference mid after this update. */
  add(
    market: string,
    timeMs: number,
    recvMs: number,
    seq: number,
    row: Float32Array,
    midDollars: number,
  ): void {
    const prev = this.lastRowOf.get(market);
    if (prev !== undefined && prev >= this.base) this.nextMid[prev - this.base] = midDollars;
    if (this.rows - this.base === this.window) this.flush(this.window >> 2);
    const i = this.rows - this.base;
    this.obs.set(row.subarray(0, OBSERVATION_SIZE), i * OBSERVATION_SIZE);
    this.timeMs[i] = timeMs;
    this.recvMs[i] = recvMs;
    this.seq[i] = seq;
    this.nextMid[i] = Number.NaN;
    this.market[i] = market;
    this.lastRowOf.set(market, this.rows);
    this.rows++;
  }

  /** Writes every buffered row (labels still unknown stay null) and the file footer. */
  close(): void {
    this.flush(this.rows - this.base);
    this.writer.finish();
  }

  /** Writes the oldest n buffered rows as one row group and shifts the rest down. */
  private flush(n: number): void {
    if (n > 0) {
      const columns: ColumnSource[] = [
        { name: "time", data: Array.from(this.timeMs.subarray(0, n)), type: "TIMESTAMP", nullable: false },
        {
          name: "recv_time",
          data: Array.from(this.recvMs.subarray(0, n)),
          type: "TIMESTAMP",
          nullable: false,
        },
        { name: "market", data: this.market.slice(0, n), type: "STRING", nullable: false },
        {
          name: "seq",
          data: Array.from(this.seq.subarray(0, n), (s) => (Number.isInteger(s) ? BigInt(s) : null)),
          type: "INT64",
        },
      ];
      for (let j = 0; j < OBSERVATION_SIZE; j++) {
        const col = new Float32Array(n);
        for (let r = 0; r < n; r++) col[r] = this.obs[r * OBSERVATION_SIZE + j] as number;
        columns.push({ name: FEATURE_NAMES[j] as string, data: col, type: "FLOAT", nullable: false });
      }
      columns.push({
        name: "next_mid",
        data: Array.from(this.nextMid.subarray(0, n), (x) => (Number.isNaN(x) ? null : x)),
        type: "DOUBLE",
      });
      this.writer.write({ columnData: columns, rowGroupSize: n });
    }
    const keep = this.rows - this.base - n;
    this.obs.copyWithin(0, n * OBSERVATION_SIZE, (n + keep) * OBSERVATION_SIZE);
    for (const a of [this.timeMs, this.recvMs, this.seq, this.nextMid]) a.copyWithin(0, n, n + keep);
    this.market.copyWithin(0, n, n + keep);
    this.base += n;
  }
}

function parquetSchema(): SchemaElement[] {
  const required = "REQUIRED" as const;
  const optional = "OPTIONAL" as const;
  return [
    { name: "root", num_children: 4 + OBSERVATION_SIZE + 1 },
    { name: "time", type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type: required },
    { name: "recv_time", type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type: required },
    { name: "market", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: required },
    { name: "seq", type: "INT64", repetition_type: optional },
    ...FEATURE_NAMES.map((name) => ({ name, type: "FLOAT" as const, repetition_type: required })),
    { name: "next_mid", type: "DOUBLE", repetition_type: optional },
  ];
}

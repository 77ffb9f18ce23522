/**
 * Decide-worker stand-in for the concurrency test: builds observations from attached tables as
 * fast as it can while the main thread (io) applies frames, and posts a sample of what it built.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BookTable, type BookTableShared } from "../../src/book/book-table.js";
import { TemporalTable, type TemporalTableShared } from "../../src/book/temporal-table.js";
import { ObservationBuilder } from "../../src/features/observation.js";
import { PortfolioTable, type PortfolioTableShared } from "../../src/orders/accounts/portfolio-table.js";

interface Data {
  book: BookTableShared;
  temporal: TemporalTableShared;
  portfolio: PortfolioTableShared;
  markets: number[];
  stop: SharedArrayBuffer;
  maxRows: number;
}

const data = workerData as Data;
const temporal = TemporalTable.attach(data.temporal);
const builder = new ObservationBuilder({
  book: BookTable.attach(data.book),
  temporal,
  portfolio: PortfolioTable.attach(data.portfolio),
});
const stop = new Int32Array(data.stop);
const rows = new Float32Array(data.maxRows * 52);
const marketOfRow = new Int32Array(data.maxRows);
let n = 0;
let builds = 0;
parentPort!.postMessage({ ready: true });
for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
  const m = data.markets[i % data.markets.length];
  if (temporal.updateCount(m) === 0) continue;
  const slot = n < data.maxRows ? n : (builds * 7919) % data.maxRows; // keep a spread-out sample
  builder.build(m, rows, slot * 52);
  marketOfRow[slot] = m;
  if (n < data.maxRows) n++;
  builds++;
}
parentPort!.postMessage({
  rows,
  marketOfRow,
  n,
  builds,
  retries: builder.retries,
});

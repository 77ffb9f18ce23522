/**
 * Worker entry for the PortfolioTable torn-read test: the "orders thread". Applies a seeded
 * stream of random but consistent updates, each inside one beginWrite … endWrite, such that for
 * every consistent state:
 *   freeCash + reservedCash + Σ costBasis(m) = TOTAL_MICROS,
 *   costBasis(m) = 0 whenever contracts(m) = 0,
 *   hasOpenBuy ∧ hasOpenSell ⇒ buyLimit + sellLimit = 1000 and buyPlacedMs = sellPlacedMs.
 * Writes are spread over several fields so a reader without the seqlock would see them torn.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  noOpenOrders,
  PortfolioTable,
  type PortfolioTableShared,
} from "../../src/orders/accounts/portfolio-table.js";
import { prng } from "./prng.js";

export const TOTAL_MICROS = 2 ** 40 + 12_345; // beyond 2^32: exercises the Float64 cash words

export interface PortfolioWriterJob {
  shared: PortfolioTableShared;
  /** Int32Array over it: [0] = 1 once started, [1] = 1 when done, [2] = updates applied,
   * [3] = set by the reader to stop the writer early */
  flags: SharedArrayBuffer;
  /** upper bound on updates */
  updates: number;
  seed: number;
}

export function runWriter(table: PortfolioTable, updates: number, seed: number, flags?: Int32Array): void {
  const random = prng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  let free = TOTAL_MICROS;
  let reserved = 0;
  const contracts = new Int32Array(table.capacity);
  const cost = new Float64Array(table.capacity);
  table.beginWrite();
  table.setCash(free, reserved);
  table.endWrite();
  // Readers start only now: the empty table before this point is not a state of the stream.
  if (flags !== undefined) Atomics.store(flags, 0, 1);
  const summary = noOpenOrders();
  for (let u = 0; u < updates; u++) {
    if (flags !== undefined && (u & 1023) === 0 && Atomics.load(flags, 3) !== 0) break;
    const m = int(table.capacity);
    table.beginWrite();
    const op = int(4);
    if (op === 0) {
      // reserve or release cash for a resting order
      const x = int(1 + Math.min(free, 1e9));
      const back = int(1 + Math.min(reserved, 1e9));
      free = free - x + back;
      reserved = reserved + x - back;
      table.setCash(free, reserved);
    } else if (op === 1 && contracts[m] === 0) {
      // a fill opens a position: cash (reserved first) becomes cost basis
      const x = 1 + int(Math.min(free + reserved, 5e9));
      const fromReserved = Math.min(reserved, x);
      reserved -= fromReserved;
      free -= x - fromReserved;
      contracts[m] = (1 + int(10_000)) * (random() < 0.5 ? 1 : -1);
      cost[m] += x;
      table.setCash(free, reserved);
      table.setPosition(m, contracts[m], cost[m]);
    } else if (op === 1 || op === 2) {
      // close the position: its cost basis returns to free cash
      if (contracts[m] !== 0) {
        free += cost[m];
        contracts[m] = 0;
        cost[m] = 0;
        table.setPosition(m, 0, 0);
        table.setCash(free, reserved);
      }
    } else {
      const both = random() < 0.5;
      const buyLimit = 1 + int(998);
      summary.hasOpenBuy = both || random() < 0.5;
      summary.hasOpenSell = both || !summary.hasOpenBuy;
      summary.newestBuyYesLimitTicks = summary.hasOpenBuy ? buyLimit : 0;
      summary.newestSellYesLimitTicks = summary.hasOpenSell ? 1000 - buyLimit : 0;
      const placedMs = 1_773_153_000_000 + u;
      summary.newestBuyPlacedMs = summary.hasOpenBuy ? placedMs : 0;
      summary.newestSellPlacedMs = summary.hasOpenSell ? placedMs : 0;
      table.setOrderSummary(m, summary);
    }
    table.endWrite();
    if (flags !== undefined) Atomics.store(flags, 2, u + 1);
  }
}

function main(): void {
  const job = workerData as PortfolioWriterJob;
  const flags = new Int32Array(job.flags);
  const table = PortfolioTable.attach(job.shared);
  runWriter(table, job.updates, job.seed, flags);
  Atomics.store(flags, 1, 1);
  parentPort!.postMessage({ done: true });
}

if (parentPort !== null) main();

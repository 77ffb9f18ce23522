/**
 * PortfolioTable — cash, positions and the open-order summary in ONE SharedArrayBuffer.
 *
 * Writer: the orders thread ONLY (PortfolioPublisher, through `beginWrite` … `endWrite`).
 * Readers: decide workers (features, observation-v1.md §7–§8) and anyone else, lock-free.
 *
 * One GLOBAL seqlock (not one per market): a reader needs a consistent whole — free cash, reserved
 * cash and every position from the same instant — e.g. for portfolio value. Cash is also published
 * per exchange shard (collateral is per shard); the header's cash words are the totals (Σ shards). A publish is small
 * (cash plus the markets that changed), so readers rarely retry.
 *
 * Layout (capacity = C markets; byte offsets from the start of the SAB):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |  version (Int32 seqlock: odd while the orders thread writes)  |
 *  4 |  magic 0x504f5254 ("PORT")                                    |
 *  8 |  capacity C                                                   |
 * 12 |  positionCount: markets with contractsHundredths ≠ 0          |
 * 16 |  freeCashMicros (Float64 holding an exact safe integer)       |
 *    |                                                               |
 * 24 |  reservedCashMicros (Float64, exact safe integer)             |
 *    |                                                               |
 * 32 |  shardCount: shards with published cash (≤ MAX_SHARDS)        |
 * 36 |  ... reserved to byte 64 ...                                  |
 *    +---------------------------------------------------------------+
 * 64 |  market record 0 (48 bytes, below)                            |
 *    |  ...                                                          |
 *    |  market record C-1                                            |
 *    +---------------------------------------------------------------+
 * 64 + 48·C |  positionMarkets: Int32[C], entries 0..positionCount-1 |
 *    +---------------------------------------------------------------+
 * S = 64 + 52·C rounded up to a multiple of 8:
 * S  |  shard cash: MAX_SHARDS × (freeCashMicros, reservedCashMicros),  |
 *    |  Float64 pairs (exact safe integers), shard k at S + 16·k       |
 *    +---------------------------------------------------------------+
 *
 *   market record m, at byte 64 + 48·m (Float64 words first, then Int32 words):
 *    +0  costBasisMicros          Float64 (exact safe integer)
 *    +8  newestBuyPlacedMs        Float64 (epoch ms, 0 when absent)
 *    +16 newestSellPlacedMs       Float64 (epoch ms, 0 when absent)
 *    +24 contractsHundredths      Int32, signed: + YES, − NO
 *    +28 orderFlags               Int32, bit0 hasOpenBuy, bit1 hasOpenSell
 *    +32 newestBuyYesLimitTicks   Int32, YES scale (a NO order at q is 10000 − q), 0 when absent
 *    +36 newestSellYesLimitTicks  Int32, YES scale, 0 when absent
 *    +40 positionSlot             Int32, index in positionMarkets or −1 (writer bookkeeping)
 *    +44 (padding)
 *
 * Money is integer micros stored in Float64 words: exact for |x| ≤ 2^53 micros (≈ $9·10^9), and
 * checked with Number.isSafeInteger on write — never a fractional value. The position list is
 * maintained by `setPosition` (append when a position opens, swap-remove when it closes), so its
 * order is not meaningful.
 */
import {
  type ConsistentRead,
  readConsistent,
  readBegin as seqReadBegin,
  readValid as seqReadValid,
  writeBegin,
  writeEnd,
} from "../../shm/seqlock.js";

const MAGIC = 0x504f5254;
const HEADER_BYTES = 64;
/** Exchange shards whose cash the table holds (Kalshi runs a handful of matching engines). */
export const MAX_SHARDS = 8;
const SHARD_BYTES = 16;
const RECORD_BYTES = 48;
const RECORD_F64 = RECORD_BYTES / 8;
const RECORD_I32 = RECORD_BYTES / 4;

// Int32 header words.
const H_VERSION = 0;
const H_MAGIC = 1;
const H_CAPACITY = 2;
const H_POSITION_COUNT = 3;
const H_SHARD_COUNT = 8;
// Float64 header words.
const H_FREE_CASH = 2;
const H_RESERVED_CASH = 3;

// Offsets inside a market record, in Float64 / Int32 words.
const F_COST_BASIS = 0;
const F_BUY_PLACED = 1;
const F_SELL_PLACED = 2;
const I_CONTRACTS = 6;
const I_FLAGS = 7;
const I_BUY_LIMIT = 8;
const I_SELL_LIMIT = 9;
const I_POSITION_SLOT = 10;

const FLAG_OPEN_BUY = 1;
const FLAG_OPEN_SELL = 2;

/** Structured-cloneable description: post it to a worker and `PortfolioTable.attach` it. */
export interface PortfolioTableShared {
  sab: SharedArrayBuffer;
  capacity: number;
}

/** Open-order summary of one market (observation-v1.md §8); limits on the YES scale. */
export interface PortfolioOrderSummary {
  hasOpenBuy: boolean;
  hasOpenSell: boolean;
  newestBuyYesLimitTicks: number;
  newestBuyPlacedMs: number;
  newestSellYesLimitTicks: number;
  newestSellPlacedMs: number;
}

/** A summary of a market with no open order (a fresh object: writers fill it in place). */
export function noOpenOrders(): PortfolioOrderSummary {
  return {
    hasOpenBuy: false,
    hasOpenSell: false,
    newestBuyYesLimitTicks: 0,
    newestBuyPlacedMs: 0,
    newestSellYesLimitTicks: 0,
    newestSellPlacedMs: 0,
  };
}

/** The writer surface (the orders thread's publisher, the portfolio file loader, tests). */
export interface PortfolioWriter {
  beginWrite(): void;
  endWrite(): void;
  setCash(freeCashMicros: number, reservedCashMicros: number): void;
  /** one shard's cash (shards 0 … MAX_SHARDS−1); writers without shards may leave it out */
  setShardCash?(shard: number, freeCashMicros: number, reservedCashMicros: number): void;
  setPosition(m: number, contractsHundredths: number, costBasisMicros: number): void;
  setOrderSummary(m: number, s: PortfolioOrderSummary): void;
}

function checkMicros(name: string, value: number): void {
  if (!Number.isSafeInteger(value))
    throw new RangeError(`PortfolioTable: ${name} must be a safe integer, got ${value}`);
}

export class PortfolioTable {
  readonly shared: PortfolioTableShared;
  readonly capacity: number;
  private readonly headerI32: Int32Array;
  private readonly headerF64: Float64Array;
  private readonly recF64: Float64Array;
  private readonly recI32: Int32Array;
  private readonly positionMarkets: Int32Array;
  private readonly shardF64: Float64Array;
  /** writer-side only: true between beginWrite and endWrite of THIS view */
  private writing = false;

  static bytesFor(capacity: number): number {
    return shardOffset(capacity) + MAX_SHARDS * SHARD_BYTES;
  }

  static create(capacity: number): PortfolioTable {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new RangeError(`PortfolioTable capacity must be an integer in 1..2^24, got ${capacity}`);
    }
    const sab = new SharedArrayBuffer(PortfolioTable.bytesFor(capacity));
    const table = new PortfolioTable({ sab, capacity });
    for (let m = 0; m < capacity; m++) table.recI32[m * RECORD_I32 + I_POSITION_SLOT] = -1;
    table.headerI32[H_CAPACITY] = capacity;
    Atomics.store(table.headerI32, H_MAGIC, MAGIC);
    return table;
  }

  static attach(shared: PortfolioTableShared): PortfolioTable {
    const { sab, capacity } = shared;
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength !== PortfolioTable.bytesFor(capacity)) {
      throw new TypeError("PortfolioTable.attach: buffer size does not match capacity");
    }
    const table = new PortfolioTable({ sab, capacity });
    if (Atomics.load(table.headerI32, H_MAGIC) !== MAGIC || table.headerI32[H_CAPACITY] !== capacity) {
      throw new TypeError("PortfolioTable.attach: bad magic or capacity");
    }
    return table;
  }

  private constructor(shared: PortfolioTableShared) {
    const { sab, capacity } = shared;
    this.shared = { sab, capacity };
    this.capacity = capacity;
    this.headerI32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.headerF64 = new Float64Array(sab, 0, HEADER_BYTES / 8);
    this.recF64 = new Float64Array(sab, HEADER_BYTES, capacity * RECORD_F64);
    this.recI32 = new Int32Array(sab, HEADER_BYTES, capacity * RECORD_I32);
    this.positionMarkets = new Int32Array(sab, HEADER_BYTES + capacity * RECORD_BYTES, capacity);
    this.shardF64 = new Float64Array(sab, shardOffset(capacity), MAX_SHARDS * 2);
  }

  // ---------------------------------------------------------------- writer (orders thread only)

  /**
   * Opens a write section. Keep it short and synchronous (no await, no I/O): readers spin while
   * it is open. Wrap the setters in try/finally so a thrown RangeError still reaches endWrite.
   */
  beginWrite(): void {
    if (this.writing) throw new Error("PortfolioTable.beginWrite: already writing");
    this.writing = true;
    writeBegin(this.headerI32, H_VERSION);
  }

  endWrite(): void {
    if (!this.writing) throw new Error("PortfolioTable.endWrite: not writing");
    writeEnd(this.headerI32, H_VERSION);
    this.writing = false;
  }

  setCash(freeCashMicros: number, reservedCashMicros: number): void {
    this.assertWriting();
    checkMicros("freeCashMicros", freeCashMicros);
    checkMicros("reservedCashMicros", reservedCashMicros);
    this.headerF64[H_FREE_CASH] = freeCashMicros;
    this.headerF64[H_RESERVED_CASH] = reservedCashMicros;
  }

  /** One shard's free and reserved cash; the shard count grows to include it. */
  setShardCash(shard: number, freeCashMicros: number, reservedCashMicros: number): void {
    this.assertWriting();
    if (!Number.isInteger(shard) || shard < 0 || shard >= MAX_SHARDS) {
      throw new RangeError(`PortfolioTable: shard ${shard} outside 0..${MAX_SHARDS - 1}`);
    }
    checkMicros("freeCashMicros", freeCashMicros);
    checkMicros("reservedCashMicros", reservedCashMicros);
    this.shardF64[2 * shard] = freeCashMicros;
    this.shardF64[2 * shard + 1] = reservedCashMicros;
    if (shard >= this.headerI32[H_SHARD_COUNT]) this.headerI32[H_SHARD_COUNT] = shard + 1;
  }

  /** Signed contracts (+ YES, − NO) and cost basis of market m; maintains the position list. */
  setPosition(m: number, contractsHundredths: number, costBasisMicros: number): void {
    this.assertWriting();
    this.checkMarket(m);
    if ((contractsHundredths | 0) !== contractsHundredths) {
      throw new RangeError(
        `PortfolioTable: contractsHundredths must be an int32, got ${contractsHundredths}`,
      );
    }
    checkMicros("costBasisMicros", costBasisMicros);
    const i = m * RECORD_I32;
    this.recI32[i + I_CONTRACTS] = contractsHundredths;
    this.recF64[m * RECORD_F64 + F_COST_BASIS] = costBasisMicros;
    const slot = this.recI32[i + I_POSITION_SLOT];
    if (contractsHundredths !== 0 && slot < 0) {
      const count = this.headerI32[H_POSITION_COUNT];
      this.positionMarkets[count] = m;
      this.recI32[i + I_POSITION_SLOT] = count;
      this.headerI32[H_POSITION_COUNT] = count + 1;
    } else if (contractsHundredths === 0 && slot >= 0) {
      const last = this.headerI32[H_POSITION_COUNT] - 1;
      const moved = this.positionMarkets[last];
      this.positionMarkets[slot] = moved;
      this.recI32[moved * RECORD_I32 + I_POSITION_SLOT] = slot;
      this.recI32[i + I_POSITION_SLOT] = -1;
      this.headerI32[H_POSITION_COUNT] = last;
    }
  }

  setOrderSummary(m: number, s: PortfolioOrderSummary): void {
    this.assertWriting();
    this.checkMarket(m);
    const i = m * RECORD_I32;
    const f = m * RECORD_F64;
    this.recI32[i + I_FLAGS] = (s.hasOpenBuy ? FLAG_OPEN_BUY : 0) | (s.hasOpenSell ? FLAG_OPEN_SELL : 0);
    this.recI32[i + I_BUY_LIMIT] = s.newestBuyYesLimitTicks;
    this.recI32[i + I_SELL_LIMIT] = s.newestSellYesLimitTicks;
    this.recF64[f + F_BUY_PLACED] = s.newestBuyPlacedMs;
    this.recF64[f + F_SELL_PLACED] = s.newestSellPlacedMs;
  }

  // ---------------------------------------------------------------- readers (any thread)

  /** Seqlock read start: spins while the orders thread writes, returns the even version. */
  readBegin(): number {
    return seqReadBegin(this.headerI32, H_VERSION);
  }

  /** True when nothing was written since `readBegin` returned `version`: the reads are consistent. */
  readValid(version: number): boolean {
    return seqReadValid(this.headerI32, H_VERSION, version);
  }

  /** Runs `reader.read()` until no write overlapped it (src/shm/seqlock.ts); returns the retries. */
  readConsistent(reader: ConsistentRead): number {
    return readConsistent(this.headerI32, H_VERSION, reader);
  }

  freeCashMicros(): number {
    return this.headerF64[H_FREE_CASH];
  }

  reservedCashMicros(): number {
    return this.headerF64[H_RESERVED_CASH];
  }

  /** Shards with published cash (0 … shardCount−1). */
  shardCount(): number {
    return this.headerI32[H_SHARD_COUNT];
  }

  shardFreeCashMicros(shard: number): number {
    return this.shardF64[2 * shard] ?? 0;
  }

  shardReservedCashMicros(shard: number): number {
    return this.shardF64[2 * shard + 1] ?? 0;
  }

  /** Number of markets with a non-zero position. */
  positionCount(): number {
    return this.headerI32[H_POSITION_COUNT];
  }

  /** The i-th market (0 ≤ i < positionCount()) with a non-zero position; order is arbitrary. */
  positionMarketAt(i: number): number {
    return this.positionMarkets[i];
  }

  contractsHundredths(m: number): number {
    return this.recI32[m * RECORD_I32 + I_CONTRACTS];
  }

  costBasisMicros(m: number): number {
    return this.recF64[m * RECORD_F64 + F_COST_BASIS];
  }

  hasOpenBuy(m: number): boolean {
    return (this.recI32[m * RECORD_I32 + I_FLAGS] & FLAG_OPEN_BUY) !== 0;
  }

  hasOpenSell(m: number): boolean {
    return (this.recI32[m * RECORD_I32 + I_FLAGS] & FLAG_OPEN_SELL) !== 0;
  }

  newestBuyYesLimitTicks(m: number): number {
    return this.recI32[m * RECORD_I32 + I_BUY_LIMIT];
  }

  newestBuyPlacedMs(m: number): number {
    return this.recF64[m * RECORD_F64 + F_BUY_PLACED];
  }

  newestSellYesLimitTicks(m: number): number {
    return this.recI32[m * RECORD_I32 + I_SELL_LIMIT];
  }

  newestSellPlacedMs(m: number): number {
    return this.recF64[m * RECORD_F64 + F_SELL_PLACED];
  }

  private assertWriting(): void {
    if (!this.writing)
      throw new Error("PortfolioTable: setters must be called between beginWrite and endWrite");
  }

  private checkMarket(m: number): void {
    if (!Number.isInteger(m) || m < 0 || m >= this.capacity) {
      throw new RangeError(`PortfolioTable: market index ${m} outside 0..${this.capacity - 1}`);
    }
  }
}

/** Byte offset of the shard cash block: after the position list, 8-byte aligned. */
function shardOffset(capacity: number): number {
  return Math.ceil((HEADER_BYTES + capacity * RECORD_BYTES + capacity * 4) / 8) * 8;
}

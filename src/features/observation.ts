/**
 * Observation v1 builder (decide workers; also the replay/export path). Pure reader of the shared
 * tables: BookTable (per-market seqlock), TemporalTable (per-market seqlock) and PortfolioTable
 * (global seqlock). observation-v1.md §1, §9.
 *
 * `ObservationBuilder` owns every scratch buffer, so `build` allocates nothing. A read that
 * overlaps an io write is retried; the book and temporal reads are also checked against each other
 * (BookTable.appliedCount = TemporalTable.updateCount) so a worker never mixes the book of update
 * k + 1 with the temporal state of update k (io applies, then advances).
 */
import type { BookTable } from "../book/book-table.js";
import type { TemporalTable } from "../book/temporal-table.js";
import { computeMarketBlock, SideScan, scanSide, TopThree } from "./market.js";
import { MARKET_OFFSET, OBSERVATION_SIZE, ORDER_OFFSET, PORTFOLIO_OFFSET, TEMPORAL_OFFSET } from "./names.js";
import { computeOrderBlock, OrderInputs } from "./order.js";
import { computePortfolioBlock, PortfolioInputs } from "./portfolio.js";
import type { PortfolioReader } from "./portfolio-reader.js";

export interface FeatureTables {
  book: BookTable;
  temporal: TemporalTable;
  portfolio: PortfolioReader;
}

/**
 * Book ahead of temporal state means io is between `applyFrame` and `advance` (well under a
 * microsecond, unless the io thread is descheduled right there). Spin a little, then sleep in
 * 50 µs naps so an oversubscribed machine can run io; give up after ~100 ms (a decision that old
 * is past its budget anyway) and count it in `inconsistent`.
 */
const SPIN_ATTEMPTS = 256;
const NAP_MS = 0.05;
const MAX_NAPS = 2000;

export class ObservationBuilder {
  readonly book: BookTable;
  readonly temporal: TemporalTable;
  readonly portfolio: PortfolioReader;
  /** reads that had to be retried (torn or book/temporal out of step) */
  retries = 0;
  /** builds that gave up waiting for book and temporal state to agree */
  inconsistent = 0;
  /**
   * Effective time (§3.5) of the update the last `build` observed. Kept in a Float64Array and not
   * returned by `build`: a returned non-Smi double (an epoch-ms time) is boxed on the heap.
   */
  get lastEffectiveMs(): number {
    return this.temporalState[10];
  }

  /**
   * Book state the last `build` observed, read under the book's seqlock with the levels: [0] the
   * market's last book seq, [1] its applied-update count (what a decision records as its basis).
   */
  readonly lastBookState = new Float64Array(2);

  private readonly values = new Float64Array(OBSERVATION_SIZE);
  /** TemporalTable.readObservationState output: 10 features, effective time, count, ref mid */
  private readonly temporalState = new Float64Array(13);
  private readonly yes = new SideScan();
  private readonly no = new SideScan();
  private readonly top = new TopThree();
  private readonly portfolioInputs = new PortfolioInputs();
  private readonly orderInputs = new OrderInputs();
  /** never notified: Atomics.wait on it is a short sleep that yields the CPU */
  private readonly napCell = new Int32Array(new SharedArrayBuffer(4));

  constructor(tables: FeatureTables) {
    this.book = tables.book;
    this.temporal = tables.temporal;
    this.portfolio = tables.portfolio;
  }

  /**
   * Writes the 52 post-processed float32 values of market m into out[offset .. offset + 51].
   * `nowMs` overrides the order block's `now` (default: the effective time of m's latest update,
   * left in `lastEffectiveMs`).
   */
  build(m: number, out: Float32Array, offset: number, nowMs?: number): void {
    const values = this.values;
    this.readBookAndTemporal(m);
    const order = this.orderInputs;
    // Two stores, not a ternary: a phi of `undefined | number` with a double would box the double.
    if (nowMs === undefined) order.nowMs[0] = this.temporalState[10];
    else order.nowMs[0] = nowMs;
    this.readPortfolio(m);
    computePortfolioBlock(this.portfolioInputs, values, PORTFOLIO_OFFSET);
    computeOrderBlock(order, values, ORDER_OFFSET);
    for (let i = 0; i < OBSERVATION_SIZE; i++) {
      const x = values[i];
      // §9, as `postProcess` in names.ts, written out here: a call that V8 does not inline returns
      // a boxed double (measured: up to 48 B of garbage per build).
      out[offset + i] = Number.isNaN(x)
        ? 0
        : x === Number.POSITIVE_INFINITY
          ? 1
          : x === Number.NEGATIVE_INFINITY
            ? -1
            : Math.min(Math.max(x, -2), 2);
    }
  }

  /** Market block + temporal state under both per-market seqlocks (fills temporalState). */
  private readBookAndTemporal(m: number): void {
    const book = this.book;
    const temporal = this.temporal;
    const values = this.values;
    for (let attempt = 0; ; attempt++) {
      const vb = book.readBegin(m);
      this.top.reset();
      const base = book.levelBase(m);
      const noBase = base + book.gridLevels(m);
      const ticks = book.tickTableOf(m);
      const bestYes = book.bestYesTick(m);
      const bestNo = book.bestNoTick(m);
      const grids = book.grids;
      const levels = book.levels;
      scanSide(
        levels,
        base,
        grids,
        ticks,
        bestYes,
        book.levelOf(m, bestYes),
        book.yesLevelCount(m),
        this.yes,
        this.top,
      );
      scanSide(
        levels,
        noBase,
        grids,
        ticks,
        bestNo,
        book.levelOf(m, bestNo),
        book.noLevelCount(m),
        this.no,
        this.top,
      );
      const applied = book.appliedCount(m);
      const seq = book.lastSeq(m);
      if (!book.readValid(m, vb)) {
        this.retries++;
        continue;
      }
      const vt = temporal.readBegin(m);
      const state = this.temporalState;
      temporal.readObservationState(m, state, 0);
      if (!temporal.readValid(m, vt)) {
        this.retries++;
        continue;
      }
      const count = state[11];
      if (count !== applied && attempt < SPIN_ATTEMPTS + MAX_NAPS) {
        this.retries++;
        if (attempt >= SPIN_ATTEMPTS) Atomics.wait(this.napCell, 0, 0, NAP_MS);
        continue;
      }
      if (count !== applied) this.inconsistent++;
      this.lastBookState[0] = seq;
      this.lastBookState[1] = applied;
      for (let i = 0; i < 10; i++) values[TEMPORAL_OFFSET + i] = state[i];
      this.orderInputs.referenceMidHalfTicks = state[12];
      computeMarketBlock(this.yes, this.no, this.top, values, MARKET_OFFSET);
      return;
    }
  }

  /** Whole-portfolio snapshot under the global seqlock, then marks from TemporalTable (§7.2). */
  private readPortfolio(m: number): void {
    const p = this.portfolio;
    const inp = this.portfolioInputs;
    const order = this.orderInputs;
    for (;;) {
      const v = p.readBegin();
      const n = p.positionCount();
      inp.ensureCapacity(n);
      inp.freeCashMicros = p.freeCashMicros();
      inp.reservedCashMicros = p.reservedCashMicros();
      for (let i = 0; i < n; i++) {
        const j = p.positionMarketAt(i);
        inp.contractsHundredths[i] = p.contractsHundredths(j);
        inp.costBasisMicros[i] = p.costBasisMicros(j);
        // Marks are the reference mid of each market (rule 12: a market without a book keeps its
        // last defined mid, or $0.50); the observed market uses the mid read with its book.
        inp.referenceMidHalfTicks[i] =
          j === m ? order.referenceMidHalfTicks : this.temporal.referenceMidHalfTicks(j);
      }
      inp.positionCount = n;
      order.hasOpenBuy = p.hasOpenBuy(m);
      order.hasOpenSell = p.hasOpenSell(m);
      order.newestBuyYesLimitTicks = p.newestBuyYesLimitTicks(m);
      order.newestBuyPlacedMs = order.hasOpenBuy ? p.newestBuyPlacedMs(m) : 0;
      order.newestSellYesLimitTicks = p.newestSellYesLimitTicks(m);
      order.newestSellPlacedMs = order.hasOpenSell ? p.newestSellPlacedMs(m) : 0;
      if (p.readValid(v)) return;
      this.retries++;
    }
  }
}

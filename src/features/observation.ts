/**
 * Observation v1 builder (decide workers; also the replay/export path). Pure reader of the shared
 * tables: BookTable + TemporalTable (one consistency domain per market: io advances the temporal
 * state inside the book's write section, so one `BookTable.readConsistent` reads both) and
 * PortfolioTable (global seqlock). observation-v1.md §1, §9.
 *
 * The market block reads the aggregates the book keeps as deltas apply (BookTable.readSides): a
 * build costs the same whatever the depth of the book or the fineness of its price grid.
 * `ObservationBuilder` owns every scratch buffer, so `build` allocates nothing.
 */
import type { BookTable } from "../book/book-table.js";
import type { TemporalTable } from "../book/temporal-table.js";
import type { ConsistentRead } from "../shm/seqlock.js";
import { computeMarketBlock, SideScan, TopThree } from "./market.js";
import { MARKET_OFFSET, OBSERVATION_SIZE, ORDER_OFFSET, PORTFOLIO_OFFSET, TEMPORAL_OFFSET } from "./names.js";
import { computeOrderBlock, OrderInputs } from "./order.js";
import { computePortfolioBlock, PortfolioInputs } from "./portfolio.js";
import type { PortfolioReader } from "./portfolio-reader.js";

export interface FeatureTables {
  book: BookTable;
  temporal: TemporalTable;
  portfolio: PortfolioReader;
}

/** Market m's book aggregates and temporal state, copied in one consistent read. */
class MarketRead implements ConsistentRead {
  m = 0;
  readonly yes = new SideScan();
  readonly no = new SideScan();
  readonly top = new TopThree();
  /** TemporalTable.readObservationState output: 10 features, effective time, count, ref mid */
  readonly temporalState = new Float64Array(13);
  /** [0] the market's last book seq, [1] its applied-update count */
  readonly bookState = new Float64Array(2);

  constructor(
    private readonly book: BookTable,
    private readonly temporal: TemporalTable,
  ) {}

  read(): void {
    const m = this.m;
    const book = this.book;
    book.readSides(m, this.yes, this.no, this.top);
    this.bookState[0] = book.lastSeq(m);
    this.bookState[1] = book.appliedCount(m);
    this.temporal.readObservationState(m, this.temporalState, 0);
  }
}

/** The portfolio block's and order block's inputs, copied in one consistent portfolio read. */
class PortfolioRead implements ConsistentRead {
  m = 0;
  readonly inputs = new PortfolioInputs();

  constructor(
    private readonly portfolio: PortfolioReader,
    private readonly temporal: TemporalTable,
    private readonly order: OrderInputs,
  ) {}

  read(): void {
    const m = this.m;
    const p = this.portfolio;
    const inp = this.inputs;
    const order = this.order;
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
  }
}

export class ObservationBuilder {
  readonly book: BookTable;
  readonly temporal: TemporalTable;
  readonly portfolio: PortfolioReader;
  /** reads that had to be retried because io (or orders, for the portfolio) wrote meanwhile */
  retries = 0;
  /**
   * Effective time (§3.5) of the update the last `build` observed. Kept in a Float64Array and not
   * returned by `build`: a returned non-Smi double (an epoch-ms time) is boxed on the heap.
   */
  get lastEffectiveMs(): number {
    return this.market.temporalState[10];
  }

  /**
   * Book state the last `build` observed, read in the same consistent read as the book and the
   * temporal state: [0] the market's last book seq, [1] its applied-update count (what a decision
   * records as its basis).
   */
  readonly lastBookState: Float64Array;

  private readonly values = new Float64Array(OBSERVATION_SIZE);
  private readonly market: MarketRead;
  private readonly orderInputs = new OrderInputs();
  private readonly portfolioRead: PortfolioRead;

  constructor(tables: FeatureTables) {
    this.book = tables.book;
    this.temporal = tables.temporal;
    this.portfolio = tables.portfolio;
    this.market = new MarketRead(this.book, this.temporal);
    this.lastBookState = this.market.bookState;
    this.portfolioRead = new PortfolioRead(this.portfolio, this.temporal, this.orderInputs);
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
    if (nowMs === undefined) order.nowMs[0] = this.market.temporalState[10];
    else order.nowMs[0] = nowMs;
    this.readPortfolio(m);
    computePortfolioBlock(this.portfolioRead.inputs, values, PORTFOLIO_OFFSET);
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

  /** Market block + temporal features from one consistent read of market m. */
  private readBookAndTemporal(m: number): void {
    const r = this.market;
    r.m = m;
    this.retries += this.book.readConsistent(m, r);
    const values = this.values;
    const state = r.temporalState;
    for (let i = 0; i < 10; i++) values[TEMPORAL_OFFSET + i] = state[i];
    this.orderInputs.referenceMidHalfTicks = state[12];
    computeMarketBlock(r.yes, r.no, r.top, values, MARKET_OFFSET);
  }

  /** Whole-portfolio snapshot under the global seqlock, then marks from TemporalTable (§7.2). */
  private readPortfolio(m: number): void {
    const r = this.portfolioRead;
    r.m = m;
    this.retries += this.portfolio.readConsistent(r);
  }
}

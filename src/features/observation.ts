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

/** Features of the portfolio block (§7.3, indices PORTFOLIO_OFFSET .. ORDER_OFFSET − 1). */
const PORTFOLIO_FEATURES = ORDER_OFFSET - PORTFOLIO_OFFSET;

/**
 * The portfolio block and the order block's portfolio inputs. Positions (cash, markets, contracts,
 * cost basis) are copied under the portfolio seqlock only when its version moved since the last
 * copy (the orders thread writes a few times a second, observations are built thousands of
 * times); the observed market's own fields on every read. The marks of the positions' markets are
 * read from TemporalTable outside that lock (they never were under it) — once per build, or once
 * per decide batch (`keepMarks`). The block depends on the observed market only through its own
 * mark, and only when it holds a position: for every other market the block computed from the
 * copied positions and marks is reused until either changes.
 */
class PortfolioRead {
  m = 0;
  readonly inputs = new PortfolioInputs();
  /** reads that had to be retried because the orders thread wrote meanwhile */
  retries = 0;
  /** market of each copied position */
  private market = new Int32Array(16);
  /** contracts of the observed market, read with its order fields */
  private ownContracts = 0;
  /** portfolio version the copied positions belong to; −1 = none (or a copy torn by a write) */
  private positionsVersion = -1;
  /** `inputs.referenceMidHalfTicks` holds the marks of the copied positions (for this batch) */
  private marksRead = false;
  /** the block of a market without a position, from the copied positions and marks */
  private readonly block = new Float64Array(PORTFOLIO_FEATURES);
  private blockValid = false;

  constructor(
    private readonly portfolio: PortfolioReader,
    private readonly temporal: TemporalTable,
    private readonly order: OrderInputs,
  ) {}

  /** The next read takes the marks again (a new decide batch: the books moved). */
  forgetMarks(): void {
    this.marksRead = false;
  }

  /** One consistent portfolio read for market m, then the marks (kept while `keepMarks`). */
  read(keepMarks: boolean): void {
    const p = this.portfolio;
    for (;;) {
      const version = p.readBegin();
      if (version !== this.positionsVersion) {
        this.positionsVersion = -1;
        this.readPositions();
      }
      this.readOwn();
      if (p.readValid(version)) {
        this.positionsVersion = version;
        break;
      }
      this.positionsVersion = -1;
      this.retries++;
    }
    if (!keepMarks || !this.marksRead) {
      // Marks are the reference mid of each market (rule 12: a market without a book keeps its
      // last defined mid, or $0.50).
      const inp = this.inputs;
      for (let i = 0; i < inp.positionCount; i++)
        inp.referenceMidHalfTicks[i] = this.temporal.referenceMidHalfTicks(this.market[i]);
      this.marksRead = true;
      this.blockValid = false;
    }
  }

  /**
   * Writes the portfolio block of the market last read into out[o ..]: the observed market's
   * position, if any, is marked at the mid read with its book (`order.referenceMidHalfTicks`).
   */
  writeBlock(out: Float64Array, o: number): void {
    const inp = this.inputs;
    if (this.ownContracts !== 0) {
      let i = 0;
      while (i < inp.positionCount && this.market[i] !== this.m) i++;
      if (i < inp.positionCount) {
        const kept = inp.referenceMidHalfTicks[i];
        inp.referenceMidHalfTicks[i] = this.order.referenceMidHalfTicks;
        computePortfolioBlock(inp, out, o);
        inp.referenceMidHalfTicks[i] = kept;
        return;
      }
    }
    if (!this.blockValid) {
      computePortfolioBlock(inp, this.block, 0);
      this.blockValid = true;
    }
    for (let k = 0; k < PORTFOLIO_FEATURES; k++) out[o + k] = this.block[k];
  }

  private readPositions(): void {
    const p = this.portfolio;
    const inp = this.inputs;
    const n = p.positionCount();
    inp.ensureCapacity(n);
    if (this.market.length < n) this.market = new Int32Array(inp.contractsHundredths.length);
    inp.freeCashMicros = p.freeCashMicros();
    inp.reservedCashMicros = p.reservedCashMicros();
    for (let i = 0; i < n; i++) {
      const j = p.positionMarketAt(i);
      this.market[i] = j;
      inp.contractsHundredths[i] = p.contractsHundredths(j);
      inp.costBasisMicros[i] = p.costBasisMicros(j);
    }
    inp.positionCount = n;
    this.marksRead = false;
    this.blockValid = false;
  }

  private readOwn(): void {
    const m = this.m;
    const p = this.portfolio;
    const order = this.order;
    this.ownContracts = p.contractsHundredths(m);
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
  get retries(): number {
    return this.bookRetries + this.portfolioRead.retries;
  }
  private bookRetries = 0;
  /** inside a decide batch (`beginBatch`): the marks of other markets are read once per batch */
  private batching = false;
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
   * Starts a batch of builds (decide workers): from now on the marks of the positions' markets
   * (observation-v1.md §7.2) are read once per batch instead of once per build — with a hundred
   * positions that was a hundred cold TemporalTable lines per observation. Each build still reads
   * its own market's mark with its book, and the portfolio under its seqlock.
   */
  beginBatch(): void {
    this.batching = true;
    this.portfolioRead.forgetMarks();
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
    this.portfolioRead.writeBlock(values, PORTFOLIO_OFFSET);
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
    this.bookRetries += this.book.readConsistent(m, r);
    const values = this.values;
    const state = r.temporalState;
    for (let i = 0; i < 10; i++) values[TEMPORAL_OFFSET + i] = state[i];
    this.orderInputs.referenceMidHalfTicks = state[12];
    computeMarketBlock(r.yes, r.no, r.top, values, MARKET_OFFSET);
  }

  /** Portfolio under the global seqlock, then marks from TemporalTable (§7.2). */
  private readPortfolio(m: number): void {
    const r = this.portfolioRead;
    r.m = m;
    r.read(this.batching);
  }
}

/**
 * Markets as the orders thread sees them (orders thread; plain data).
 *
 * The io thread assigns dense indices (MarketDirectory) and sends the ticker list by message;
 * the orders thread mirrors it here together with each market's price grid (from its
 * `price_ranges`) and hands it to the order manager.
 * `BookTableTopSource` reads the top of book from the shared BookTable under its seqlock.
 */
import { type BookTable, packedNoTick, packedYesTick } from "../../book/book-table.js";
import { PriceGrid, type PriceRangeTicks } from "../../kalshi/price-grid.js";
import type { OrderRoute } from "../../kalshi/rest-types.js";
import type { ConsistentRead } from "../../shm/seqlock.js";
import type { BookTopSource, MarketCatalog } from "./order-manager.js";

export class StaticMarketCatalog implements MarketCatalog {
  private readonly tickers: string[] = [];
  private readonly grids: PriceGrid[] = [];
  private readonly shards: number[] = [];
  private readonly index = new Map<string, number>();

  /** Registers `ticker` at index `m` (the io thread's numbering) on exchange shard `exchangeIndex`. */
  set(m: number, ticker: string, grid: PriceGrid = PriceGrid.full(), exchangeIndex = 0): void {
    this.tickers[m] = ticker;
    this.grids[m] = grid;
    this.shards[m] = exchangeIndex;
    this.index.set(ticker, m);
  }

  /** A market as the engine hands it to the orders thread. */
  setMarket(mk: { m: number; ticker: string; priceRanges: PriceRangeTicks[]; exchangeIndex?: number }): void {
    this.set(mk.m, mk.ticker, PriceGrid.of(mk.priceRanges), mk.exchangeIndex ?? 0);
  }

  /** Appends a ticker at the next index (tests, single-process use). */
  add(ticker: string, grid: PriceGrid = PriceGrid.full()): number {
    const existing = this.index.get(ticker);
    if (existing !== undefined) return existing;
    const m = this.tickers.length;
    this.set(m, ticker, grid);
    return m;
  }

  tickerOf(m: number): string {
    return this.tickers[m] ?? "";
  }

  indexOf(ticker: string): number {
    return this.index.get(ticker) ?? -1;
  }

  gridOf(m: number): PriceGrid {
    return this.grids[m] ?? PriceGrid.full();
  }

  shardOf(m: number): number {
    return this.shards[m] ?? 0;
  }

  routeOf(m: number): OrderRoute {
    return { marketTicker: this.tickerOf(m), exchangeIndex: this.shardOf(m) };
  }

  get size(): number {
    return this.tickers.length;
  }
}

/** Top of book from the shared BookTable; false while the book is stale or unsnapshotted. */
export class BookTableTopSource implements BookTopSource, ConsistentRead {
  private m = 0;
  private tradable = false;
  private best = 0;

  constructor(private readonly book: BookTable) {}

  /** Both flags and best bids of one update: read together in one consistent read. */
  read(): void {
    this.tradable = this.book.isTradable(this.m);
    this.best = this.book.bestPacked(this.m);
  }

  readTop(m: number, out: { bestYesBidTicks: number; bestNoBidTicks: number }): boolean {
    this.m = m;
    this.book.readConsistent(m, this);
    out.bestYesBidTicks = packedYesTick(this.best);
    out.bestNoBidTicks = packedNoTick(this.best);
    return this.tradable;
  }
}

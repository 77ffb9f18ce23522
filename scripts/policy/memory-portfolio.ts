/**
 * Single-threaded in-memory portfolio with PortfolioTable's reader/writer surface
 * (src/features/portfolio-reader.ts). The trainer drives it like the orders thread would drive the
 * shared table, and the engine's ObservationBuilder reads it.
 */
import type { OrderSummary, PortfolioReader, PortfolioWriter } from "../../src/features/portfolio-reader.js";
import { noOpenOrders } from "../../src/orders/accounts/portfolio-table.js";
import type { ConsistentRead } from "../../src/shm/seqlock.js";

const NO_ORDERS: OrderSummary = Object.freeze(noOpenOrders());

export class MemoryPortfolio implements PortfolioReader, PortfolioWriter {
  private version = 0;
  private free = 0;
  private reserved = 0;
  private readonly contracts = new Map<number, number>();
  private readonly cost = new Map<number, number>();
  private readonly orders = new Map<number, OrderSummary>();
  private positionList: number[] = [];

  /** single-threaded: nothing can write during the read */
  readConsistent(reader: ConsistentRead): number {
    reader.read();
    return 0;
  }
  beginWrite(): void {
    this.version++;
  }
  endWrite(): void {
    this.positionList = [...this.contracts.keys()];
    this.version++;
  }
  /** removes every position and order summary (inside a write) */
  clear(): void {
    this.contracts.clear();
    this.cost.clear();
    this.orders.clear();
  }
  setCash(freeCashMicros: number, reservedCashMicros: number): void {
    this.free = freeCashMicros;
    this.reserved = reservedCashMicros;
  }
  setPosition(m: number, contractsHundredths: number, costBasisMicros: number): void {
    if (contractsHundredths === 0) this.contracts.delete(m);
    else this.contracts.set(m, contractsHundredths);
    this.cost.set(m, costBasisMicros);
  }
  setOrderSummary(m: number, s: OrderSummary): void {
    this.orders.set(m, { ...s });
  }
  readBegin(): number {
    return this.version;
  }
  readValid(v: number): boolean {
    return v === this.version;
  }
  freeCashMicros(): number {
    return this.free;
  }
  reservedCashMicros(): number {
    return this.reserved;
  }
  positionCount(): number {
    return this.positionList.length;
  }
  positionMarketAt(i: number): number {
    return this.positionList[i];
  }
  contractsHundredths(m: number): number {
    return this.contracts.get(m) ?? 0;
  }
  costBasisMicros(m: number): number {
    return this.cost.get(m) ?? 0;
  }
  private summary(m: number): OrderSummary {
    return this.orders.get(m) ?? NO_ORDERS;
  }
  hasOpenBuy(m: number): boolean {
    return this.summary(m).hasOpenBuy;
  }
  hasOpenSell(m: number): boolean {
    return this.summary(m).hasOpenSell;
  }
  newestBuyYesLimitTicks(m: number): number {
    return this.summary(m).newestBuyYesLimitTicks;
  }
  newestBuyPlacedMs(m: number): number {
    return this.summary(m).newestBuyPlacedMs;
  }
  newestSellYesLimitTicks(m: number): number {
    return this.summary(m).newestSellYesLimitTicks;
  }
  newestSellPlacedMs(m: number): number {
    return this.summary(m).newestSellPlacedMs;
  }
}

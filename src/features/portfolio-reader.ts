/**
 * The PortfolioTable surface the features read and the portfolio file writes (contract of
 * `src/orders/accounts/portfolio-table.ts`, written at run time by the orders thread only). Declared here
 * structurally so the feature code depends on the contract, not on the module's internals.
 */

import type { ConsistentRead } from "../shm/seqlock.js";

export interface PortfolioReader {
  /** global seqlock: spins while a write is in progress, returns the even version */
  readBegin(): number;
  readValid(version: number): boolean;
  /** runs `reader.read()` until no write overlapped it (src/shm/seqlock.ts); returns the retries */
  readConsistent(reader: ConsistentRead): number;
  freeCashMicros(): number;
  reservedCashMicros(): number;
  positionCount(): number;
  /** the i-th market with a non-zero position */
  positionMarketAt(i: number): number;
  contractsHundredths(m: number): number;
  costBasisMicros(m: number): number;
  hasOpenBuy(m: number): boolean;
  hasOpenSell(m: number): boolean;
  newestBuyYesLimitTicks(m: number): number;
  newestBuyPlacedMs(m: number): number;
  newestSellYesLimitTicks(m: number): number;
  newestSellPlacedMs(m: number): number;
}

export type {
  PortfolioOrderSummary as OrderSummary,
  PortfolioWriter,
} from "../orders/accounts/portfolio-table.js";

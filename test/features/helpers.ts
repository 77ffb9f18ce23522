/** Test helpers for the features tests: fixtures, a plain portfolio double, tolerance checks. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { loadPortfolioFile } from "../../src/features/portfolio-file.js";
import type { OrderSummary, PortfolioReader, PortfolioWriter } from "../../src/features/portfolio-reader.js";
import { ReplaySession } from "../../src/features/replay.js";

export const T0 = 1773153000000;

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Capture lines of a fixture (comments and blank lines skipped) as { recvMs, frame }. */
export function captureFrames(name: string): Array<{ recvMs: number; frame: string }> {
  return readFileSync(fixturePath(name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("#"))
    .map((l) => {
      const o = JSON.parse(l) as { recv_ms: number; frame: string };
      return { recvMs: o.recv_ms, frame: o.frame };
    });
}

/** Plain single-threaded stand-in with PortfolioTable's reader/writer surface. */
export class MemoryPortfolio implements PortfolioReader, PortfolioWriter {
  private version = 0;
  private free = 0;
  private reserved = 0;
  private readonly contracts = new Map<number, number>();
  private readonly cost = new Map<number, number>();
  private readonly orders = new Map<number, OrderSummary>();
  private positionMarkets: number[] = [];
  beginWrite(): void {
    this.version++;
  }
  endWrite(): void {
    this.positionMarkets = [...this.contracts.keys()];
    this.version++;
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
    return this.contracts.size;
  }
  positionMarketAt(i: number): number {
    return this.positionMarkets[i];
  }
  contractsHundredths(m: number): number {
    return this.contracts.get(m) ?? 0;
  }
  costBasisMicros(m: number): number {
    return this.cost.get(m) ?? 0;
  }
  hasOpenBuy(m: number): boolean {
    return this.orders.get(m)?.hasOpenBuy ?? false;
  }
  hasOpenSell(m: number): boolean {
    return this.orders.get(m)?.hasOpenSell ?? false;
  }
  newestBuyYesLimitTicks(m: number): number {
    return this.orders.get(m)?.newestBuyYesLimitTicks ?? 0;
  }
  newestBuyPlacedMs(m: number): number {
    return this.orders.get(m)?.newestBuyPlacedMs ?? 0;
  }
  newestSellYesLimitTicks(m: number): number {
    return this.orders.get(m)?.newestSellYesLimitTicks ?? 0;
  }
  newestSellPlacedMs(m: number): number {
    return this.orders.get(m)?.newestSellPlacedMs ?? 0;
  }
}

/** Replays fixture frames and returns every observation (copied) of `ticker`. */
export function replayFixture(
  frames: Array<{ recvMs: number; frame: string }>,
  ticker: string,
  portfolioFile?: string,
  capacity = 64,
): number[][] {
  const directory = new MarketDirectory(capacity);
  const portfolio = new MemoryPortfolio();
  loadPortfolioFile(
    portfolioFile === undefined ? undefined : fixturePath(portfolioFile),
    directory,
    portfolio,
  );
  const rows: number[][] = [];
  const session = new ReplaySession({
    directory,
    portfolio,
    observe: (m) => directory.tickerOf(m) === ticker,
    onObservation: (_m, row) => rows.push(Array.from(row)),
  });
  for (const { recvMs, frame } of frames) session.applyFrame(frame, recvMs);
  return rows;
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  label: string,
  offset = 0,
): void {
  for (let i = 0; i < expected.length; i++)
    assert.ok(
      Math.abs(actual[offset + i] - expected[i]) <= tol,
      `${label}[${offset + i}]: got ${actual[offset + i]}, expected ${expected[i]}`,
    );
}

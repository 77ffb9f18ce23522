/** Test helpers for the features tests: fixtures, fixture replay, tolerance checks. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { loadPortfolioFile } from "../../src/features/portfolio-file.js";
import { ReplaySession } from "../../src/features/replay.js";
import { PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";

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

/** Replays fixture frames and returns every observation (copied) of `ticker`. */
export function replayFixture(
  frames: Array<{ recvMs: number; frame: string }>,
  ticker: string,
  portfolioFile?: string,
  capacity = 64,
): number[][] {
  const directory = new MarketDirectory(capacity);
  const portfolio = PortfolioTable.create(capacity);
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

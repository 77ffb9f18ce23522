/**
 * Each market's price grid in the log's `sessions.ndjson` (`market_grids`: ticker →
 * [[startTicks, endTicks, stepTicks], …], from its `price_ranges` at start), so a replay gives its
 * books and limit prices the grids the live run had (docs/recording.md). Logs without it (older
 * recordings, `log import`) replay on the full $0.0001 grid.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PriceGrid } from "../kalshi/price-grid.js";
import { SESSIONS_FILE } from "./recorder.js";

export type SessionGrids = Record<string, Array<[number, number, number]>>;

/** The `market_grids` field of a session line. */
export function sessionGrids(markets: ReadonlyArray<{ ticker: string; grid: PriceGrid }>): SessionGrids {
  const out: SessionGrids = {};
  for (const mk of markets)
    out[mk.ticker] = mk.grid.ranges.map((r) => [r.startTicks, r.endTicks, r.stepTicks]);
  return out;
}

/** Every grid the log's sessions name (a later session wins); an unreadable entry is skipped. */
export function readSessionGrids(dir: string): Map<string, PriceGrid> {
  const grids = new Map<string, PriceGrid>();
  const path = join(dir, SESSIONS_FILE);
  if (!existsSync(path)) return grids;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    let s: { market_grids?: SessionGrids };
    try {
      s = JSON.parse(line) as { market_grids?: SessionGrids };
    } catch {
      continue; // a torn last line or a blank one
    }
    for (const [ticker, ranges] of Object.entries(s.market_grids ?? {})) {
      try {
        grids.set(
          ticker,
          PriceGrid.of(
            ranges.map(([startTicks, endTicks, stepTicks]) => ({ startTicks, endTicks, stepTicks })),
          ),
        );
      } catch {
        // a grid that does not parse: that market replays on the full grid
      }
    }
  }
  return grids;
}

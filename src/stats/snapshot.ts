/**
 * The JSON object behind `GET /stats` (io thread). The engine's composition root builds it from
 * the merged StageHistograms, the Counters registry, PortfolioTable and its own state; the server
 * only serialises and renders it (`prometheus.ts`).
 */
import { formatHundredths, formatMicros } from "../kalshi/units.js";
import type { MetricSample } from "./counters.js";
import type { HistogramsSummaryUs } from "./stage-histograms.js";

export interface PortfolioSnapshot {
  /** dollars, e.g. "1000.0000" */
  free_cash: string;
  reserved_cash: string;
  /** ticker → signed contracts, e.g. "12.50" (negative = short YES / held NO per the owner's convention) */
  positions: Record<string, string>;
}

/** Flat engine state: mode, exchange, uptime… Strings render as labels, numbers/booleans as gauges. */
export type EngineStateSnapshot = Record<string, string | number | boolean>;

export interface StatsSnapshot {
  ts_ms: number;
  histograms: HistogramsSummaryUs;
  counters: MetricSample[];
  portfolio: PortfolioSnapshot;
  state: EngineStateSnapshot;
}

/** Integer units → the dollar/contract strings of `PortfolioSnapshot`. */
export function portfolioSnapshot(input: {
  freeCashMicros: number;
  reservedCashMicros: number;
  positionsHundredths: Iterable<readonly [string, number]>;
}): PortfolioSnapshot {
  const positions: Record<string, string> = {};
  for (const [ticker, hundredths] of input.positionsHundredths)
    positions[ticker] = formatHundredths(hundredths);
  return {
    free_cash: formatMicros(input.freeCashMicros),
    reserved_cash: formatMicros(input.reservedCashMicros),
    positions,
  };
}

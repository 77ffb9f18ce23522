/**
 * The JSON object behind `GET /stats` (io thread). The engine's composition root builds it from
 * the merged StageHistograms, the Counters registry, PortfolioTable and its own state; the server
 * only serialises and renders it (`prometheus.ts`).
 */
import { formatHundredths, formatMicros, MICROS_PER_TICK } from "../kalshi/units.js";
import type { MetricSample } from "./counters.js";
import type { HistogramsSummaryUs, LatencyBuckets } from "./stage-histograms.js";

export interface PortfolioSnapshot {
  /** dollars, e.g. "1000.0000" */
  free_cash: string;
  reserved_cash: string;
  /** cash per exchange shard (`exchange_index`), when the exchange is sharded; sums to the totals */
  shards?: Array<{ exchange_index: number; free_cash: string; reserved_cash: string }>;
  /** ticker → signed contracts, e.g. "12.50" (negative = short YES / held NO per the owner's convention) */
  positions: Record<string, string>;
}

/** Flat engine state: mode, exchange, uptime… Strings render as labels, numbers/booleans as gauges. */
export type EngineStateSnapshot = Record<string, string | number | boolean>;

/** One market's position and P&L, dollars as exact decimal strings. */
export interface MarketPnlSnapshot {
  contracts: string;
  cost_basis: string;
  /** YES mid the position is marked at ("" = never marked: valued at cost) */
  yes_mark: string;
  realised: string;
  unrealised: string;
  fees: string;
}

/**
 * P&L in dollars (exact decimal strings) and micros: realised before fees, fees, unrealised at
 * the book mid; net = realised − fees + unrealised.
 */
export interface PnlSnapshot {
  realised: string;
  unrealised: string;
  fees: string;
  net: string;
  realised_micros: number;
  unrealised_micros: number;
  fees_micros: number;
  net_micros: number;
  markets: Record<string, MarketPnlSnapshot>;
}

export interface StatsSnapshot {
  ts_ms: number;
  histograms: HistogramsSummaryUs;
  /** cumulative counts at LATENCY_BUCKET_BOUNDS_S per stage (absent: /metrics has no buckets) */
  latency_buckets?: LatencyBuckets;
  counters: MetricSample[];
  portfolio: PortfolioSnapshot;
  pnl: PnlSnapshot;
  state: EngineStateSnapshot;
}

export interface PnlInput {
  realisedMicros: number;
  unrealisedMicros: number;
  feesMicros: number;
  markets: ReadonlyArray<{
    ticker: string;
    contractsHundredths: number;
    costBasisMicros: number;
    yesMarkHalfTicks: number;
    realisedMicros: number;
    unrealisedMicros: number;
    feesMicros: number;
  }>;
}

/** Integer units → the dollar strings of `PnlSnapshot`. */
export function pnlSnapshot(input: PnlInput): PnlSnapshot {
  const net = input.realisedMicros - input.feesMicros + input.unrealisedMicros;
  const markets: Record<string, MarketPnlSnapshot> = {};
  for (const mk of input.markets) {
    markets[mk.ticker] = {
      contracts: formatHundredths(mk.contractsHundredths),
      cost_basis: formatMicros(mk.costBasisMicros),
      yes_mark: mk.yesMarkHalfTicks === 0 ? "" : formatMicros(mk.yesMarkHalfTicks * (MICROS_PER_TICK / 2)),
      realised: formatMicros(mk.realisedMicros),
      unrealised: formatMicros(mk.unrealisedMicros),
      fees: formatMicros(mk.feesMicros),
    };
  }
  return {
    realised: formatMicros(input.realisedMicros),
    unrealised: formatMicros(input.unrealisedMicros),
    fees: formatMicros(input.feesMicros),
    net: formatMicros(net),
    realised_micros: input.realisedMicros,
    unrealised_micros: input.unrealisedMicros,
    fees_micros: input.feesMicros,
    net_micros: net,
    markets,
  };
}

/** Integer units → the dollar/contract strings of `PortfolioSnapshot`. */
export function portfolioSnapshot(input: {
  freeCashMicros: number;
  reservedCashMicros: number;
  positionsHundredths: Iterable<readonly [string, number]>;
  /** [free, reserved] micros per exchange shard, index = exchange_index */
  shardCashMicros?: ReadonlyArray<readonly [number, number]>;
}): PortfolioSnapshot {
  const positions: Record<string, string> = {};
  for (const [ticker, hundredths] of input.positionsHundredths)
    positions[ticker] = formatHundredths(hundredths);
  return {
    free_cash: formatMicros(input.freeCashMicros),
    reserved_cash: formatMicros(input.reservedCashMicros),
    ...(input.shardCashMicros && input.shardCashMicros.length > 0
      ? {
          shards: input.shardCashMicros.map(([free, reserved], k) => ({
            exchange_index: k,
            free_cash: formatMicros(free),
            reserved_cash: formatMicros(reserved),
          })),
        }
      : {}),
    positions,
  };
}

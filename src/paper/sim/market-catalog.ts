/**
 * Deterministic catalogue of simulated markets: tickers, events, price structures and fee types.
 * A mix of Kalshi's price grids (price-grid.ts) and both fee types (kalshi-api-notes.md), so the
 * engine meets every kind of book in every run. The first six markets cover the six grids (cent,
 * $0.001, tapered, $0.0001 at the edges, $0.0001 in the centre, full $0.0001); after that the mix
 * repeats every 20 markets with Kalshi-like weights — half cent markets, a few $0.001 and tapered
 * ones, and a few with $0.0001 ticks — which is what the 5,000-market memory rows measure.
 */
import { createHash } from "node:crypto";
import type { FeeType, MarketSpec, PriceLevelStructure } from "../exchange/index.js";

const STRUCTURES: readonly PriceLevelStructure[] = [
  "linear_cent",
  "deci_cent",
  "tapered_deci_cent",
  "center_deci_edge_centi_cent",
  "center_centi_edge_cent",
  "centi_cent",
  ...Array.from({ length: 9 }, () => "linear_cent" as const),
  "deci_cent",
  "deci_cent",
  "tapered_deci_cent",
  "tapered_deci_cent",
  "center_deci_edge_centi_cent",
];

export interface CatalogOptions {
  count: number;
  /** exchange shards the events are spread over, round robin by event; default 3 */
  shards?: number;
  /** series prefix, upper case; default "KXPAPER" */
  series?: string;
}

/** Markets per event: small, so even a handful of markets spans every shard. */
export const MARKETS_PER_EVENT = 2;
export const DEFAULT_SHARDS = 3;
const COMBO_SERIES = "KXMVEPAPER";
/** The plain series: suffix of the series ticker, category, fee schedule. */
const SERIES_KINDS: readonly { suffix: string; category: string; feeType: FeeType; feeMultiplier: number }[] =
  [
    { suffix: "", category: "Economics", feeType: "quadratic", feeMultiplier: 1 },
    { suffix: "MM", category: "Sports", feeType: "quadratic_with_maker_fees", feeMultiplier: 1 },
    { suffix: "HALF", category: "Climate", feeType: "quadratic", feeMultiplier: 0.5 },
  ];
const COMBO_COLLECTION = "KXMVEPAPER-SHARD1-R";

/**
 * `count` markets, 2 per event: KXPAPER-E0001-M00001 … (tickers match ^[A-Z0-9.-]+$). Every
 * event and its markets live on one exchange shard; events go round robin over the shards
 * (E0001 → 0, E0002 → 1, E0003 → 2, …) as Kalshi pins events to one matching engine.
 */
export function makeMarketSpecs(opts: CatalogOptions): MarketSpec[] {
  const series = opts.series ?? "KXPAPER";
  const shards = opts.shards ?? DEFAULT_SHARDS;
  if (!Number.isSafeInteger(shards) || shards < 1) throw new Error("shards must be a positive integer");
  const specs: MarketSpec[] = [];
  for (let i = 0; i < opts.count; i++) {
    const eventIndex = Math.floor(i / MARKETS_PER_EVENT);
    // Every tenth event is a combo (multivariate) event, on shard 1 as Kalshi's combos are.
    const combo = isComboMarket(i);
    // Fees are per series (Kalshi: fee_type, fee_multiplier on the series): three plain series
    // with different schedules and categories, taken in turn every three events.
    const plain = SERIES_KINDS[Math.floor(eventIndex / 3) % SERIES_KINDS.length]!;
    const seriesTicker = combo ? COMBO_SERIES : `${series}${plain.suffix}`;
    const event = `${seriesTicker}-E${String(eventIndex + 1).padStart(4, "0")}`;
    specs.push({
      ticker: `${event}-M${String(i + 1).padStart(5, "0")}`,
      eventTicker: event,
      seriesTicker,
      category: combo ? "Combos" : plain.category,
      exchangeIndex: combo ? Math.min(1, shards - 1) : eventIndex % shards,
      ...(combo ? { mveCollectionTicker: COMBO_COLLECTION } : {}),
      // combos trade on $0.001 with $0.0001 at the edges, as Kalshi's do (kalshi-api-notes.md)
      priceLevelStructure: combo ? "center_deci_edge_centi_cent" : STRUCTURES[i % STRUCTURES.length]!,
      feeType: combo ? "quadratic" : plain.feeType,
      feeMultiplier: combo ? 1 : plain.feeMultiplier,
      fractionalTradingEnabled: i % 5 !== 4,
    });
  }
  return specs;
}

/** True when the catalogue's market `i` belongs to a combo (multivariate) event. */
function isComboMarket(i: number): boolean {
  return Math.floor(i / MARKETS_PER_EVENT) % 10 === 9;
}

/**
 * The catalogue size whose first markets include `plain` non-combo ones: what a paper exchange
 * must list for a run that selects `plain` markets with `mve_filter=exclude`.
 */
export function catalogSizeFor(plain: number): number {
  let count = 0;
  for (let found = 0; found < plain; count++) if (!isComboMarket(count)) found++;
  return count;
}

/** A stable UUID-shaped market_id derived from the ticker (the core has no market ids). */
export function marketIdFor(ticker: string): string {
  const h = createHash("sha1").update(`paper-market:${ticker}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

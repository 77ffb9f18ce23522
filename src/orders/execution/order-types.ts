/**
 * Types shared by the order manager, its writer and its reconciler (orders thread): the REST
 * calls it needs, the market catalogue and book source it reads, decisions in, events out.
 */

import type { PriceGrid } from "../../kalshi/price-grid.js";
import type { KalshiRestClient } from "../../kalshi/rest-client.js";
import type { OrderRoute } from "../../kalshi/rest-types.js";
import type { BookSide } from "../../kalshi/vocabulary.js";
import type { EngineAction, Ledger } from "../accounts/ledger.js";
import type { PortfolioWriter } from "../accounts/portfolio-publisher.js";
import type { CircuitBreakers } from "../risk/breakers.js";
import type { FreshnessGate, MarketThrottle, RiskGate } from "../risk/risk.js";
import type { OrderJournal } from "./journal.js";
import type { BookTop, PriceStrategy } from "./limit-price.js";
import type { OrderGroups } from "./order-group.js";
import type { CreateOrderOptions } from "./order-mapping.js";
import type { ShardTransfers } from "./transfers.js";
import type { OrderOp } from "./working-orders.js";

/** The REST calls the order manager needs (KalshiRestClient has them all). */
export type OrdersRestApi = Pick<
  KalshiRestClient,
  | "createOrder"
  | "cancelOrder"
  | "amendOrder"
  | "getOrder"
  | "findOrderByClientId"
  | "getOrders"
  | "getFills"
  | "getPositions"
  | "getSettlements"
  | "getBalance"
  | "collectAll"
>;

/** Ticker ↔ dense market index (the io thread's MarketDirectory numbering) + tick grid. */
export interface MarketCatalog {
  tickerOf(market: number): string;
  indexOf(ticker: string): number;
  /** valid prices of the market (its `price_ranges`) */
  gridOf(market: number): PriceGrid;
  /** the market's exchange shard (`exchange_index`) */
  shardOf(market: number): number;
  /** where a cancel or decrease of this market's orders must go (kalshi-api-notes.md) */
  routeOf(market: number): OrderRoute;
  /** markets known (indices 0 … size−1), when the catalogue can tell */
  readonly size?: number;
}

/** Top of book for a market; false when the book is stale or has no snapshot (rule 2). */
export interface BookTopSource {
  readTop(market: number, out: BookTop): boolean;
}

export interface OrderDecision {
  market: number;
  action: EngineAction | "HOLD";
  sizeHundredths: number;
  /** receive time of the frame that triggered the decision (the loop budget starts there) */
  frameRecvMs: number;
  /** seq of the latest book message the observation saw (DecisionRing word 3) */
  bookSeq?: number;
  /** rows in the policy run that produced it (DecisionRing word 7) */
  batchSize?: number;
  /** the market's applied-update count the observation saw (DecisionRing word 6) */
  appliedCount?: number;
  /** when the policy returned (DecisionRing word 5) */
  decidedMs?: number;
}

export type OrderEvent =
  | {
      /** one per non-HOLD decision, before any write it causes */
      kind: "decision";
      market: number;
      action: EngineAction;
      sizeHundredths: number;
      /** the limit price on the order's own side; 0 when none was computed */
      ownLimitTicks: number;
      bookSeq: number;
      batchSize: number;
      appliedCount: number;
      /** receive time of the triggering frame and when the policy returned (runtime/clock.ts ms) */
      frameRecvMs: number;
      decidedMs: number;
      /** "" when it goes ahead, else why not (e.g. "throttle", "stale_book") */
      skipped: string;
    }
  | {
      /** the engine's own risk or ledger check refused a write; nothing reached the exchange */
      kind: "order_refused";
      market: number;
      reason: string;
      action?: EngineAction;
      ownLimitTicks?: number;
      countHundredths?: number;
    }
  | { kind: "order_sent"; market: number; op: OrderOp["op"]; clientOrderId: string }
  | { kind: "order_outcome"; market: number; clientOrderId: string; result: string; code?: string }
  | { kind: "outcome_resolved"; market: number; clientOrderId: string; status: string }
  | {
      kind: "fill_applied";
      market: number;
      fillId: string;
      /** our order's id ("" when the fill names an order the ledger does not know) */
      clientOrderId: string;
      exchangeOrderId: string;
      side: BookSide;
      sizeHundredths: number;
      yesPriceTicks: number;
      feeMicros: number;
    }
  | {
      /** a market settled: its position paid out and closed (the exchange canceled its orders) */
      kind: "settled";
      market: number;
      /** payout of one YES contract in micros; < 0: void, returned at cost */
      yesPayoutMicros: number;
      closedHundredths: number;
      proceedsMicros: number;
      realizedMicros: number;
    }
  | {
      /** the exchange refused this key for the market's category: it trades no more (said once) */
      kind: "market_disabled";
      market: number;
      reason: string;
    }
  | {
      /** funds moved between exchange shards before an order (transfers.ts), whatever the outcome */
      kind: "transfer";
      id: string;
      fromShard: number;
      toShard: number;
      amountMicros: number;
      result: "ok" | "refused" | "unknown";
      /** ok: the exchange's transfer id; refused: its code; unknown: why */
      detail: string;
    }
  | { kind: "breaker"; tripped: boolean; reason: string }
  | { kind: "kill_switch"; engaged: boolean; cancels: number }
  | { kind: "reconcile"; detail: string; market?: number };

export interface OrderManagerDeps {
  rest: OrdersRestApi;
  journal: OrderJournal;
  ledger: Ledger;
  catalog: MarketCatalog;
  book: BookTopSource;
  risk: RiskGate;
  throttle: MarketThrottle;
  freshness: FreshnessGate;
  breakers: CircuitBreakers;
  /** moves funds to a shard that cannot pay an order (transfers.ts); absent: such orders are refused */
  transfers?: ShardTransfers;
  /** a Kalshi order group every order joins (optional; order-group.ts) */
  orderGroups?: OrderGroups;
  /** exchange status per shard: creates/amends wait out a pause (exchange-status.ts) */
  exchangeStatus?: { isPaused(shard: number): boolean };
  portfolio?: PortfolioWriter;
  onEvent?: (e: OrderEvent) => void;
  now?: () => number;
  newClientOrderId?: () => string;
}

export interface OrderManagerConfig {
  strategy: PriceStrategy;
  order: CreateOrderOptions;
}

export const DEFAULT_ORDER_MANAGER_CONFIG: Readonly<OrderManagerConfig> = Object.freeze({
  strategy: "aggressive" as const,
  order: { timeInForce: "good_till_canceled" as const, selfTradePrevention: "taker_at_cross" as const },
});

/** Counters of the order manager (exported to /stats by the worker). */
export function newOrderStats() {
  return {
    decisions: 0,
    notReady: 0,
    stale: 0,
    hold: 0,
    killBlocked: 0,
    breakerBlocked: 0,
    busy: 0,
    unknownMarket: 0,
    marketSettled: 0,
    marketRefused: 0,
    exchangePaused: 0,
    throttled: 0,
    bookStale: 0,
    noPrice: 0,
    sizeRefused: 0,
    waits: 0,
    /** of `waits`: an order of the market has an outcome still unknown */
    outcomeUnknownWaits: 0,
    riskRefused: 0,
    ledgerRefused: 0,
    /** the market's shard lacked free cash and no transfer was made (policy off, or no shard could cover it) */
    shardCashRefused: 0,
    /** a transfer to fund the order failed (refused, 429, or its outcome unknown) */
    transferFailed: 0,
    sent: 0,
    rejected: 0,
    unknown: 0,
    resolved: 0,
    fillsApplied: 0,
    fillsDuplicate: 0,
  };
}

export type OrderStats = ReturnType<typeof newOrderStats>;
export type OrderStatKey = keyof OrderStats;

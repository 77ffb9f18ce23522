/**
 * What crosses between io and the orders thread: the thread's start data (workerData), the
 * requests io may make over the request channel (runtime/request-channel.ts), the stats report and
 * what the thread says unasked. Plain data only: everything here goes through structured clone.
 */
import type { BookTableShared } from "../../book/book-table.js";
import type { OpenOrder } from "../../events/engine-event.js";
import type { PriceRangeTicks } from "../../kalshi/price-grid.js";
import type { BucketConfig } from "../../kalshi/token-bucket.js";
import type { LogLevel } from "../../log/logger.js";
import type { BytesRingShared } from "../../shm/bytes-ring.js";
import type { DoorbellShared } from "../../shm/doorbell.js";
import type { SpscRingShared } from "../../shm/spsc-ring.js";
import type { HeartbeatsShared } from "../../stats/heartbeats.js";
import type { EncodedStageHistograms } from "../../stats/stage-histograms.js";
import type { PnlReport } from "../accounts/pnl.js";
import type { PortfolioTableShared } from "../accounts/portfolio-table.js";
import type { PriceStrategy } from "../execution/limit-price.js";
import type { TransferPolicy } from "../execution/transfers.js";
import type { ReconcileReport } from "../reconcile/reconcile-target.js";
import type { BreakerConfig } from "../risk/breakers.js";
import type { RiskLimits } from "../risk/risk.js";

export interface OrdersWorkerMarket {
  m: number;
  ticker: string;
  /** `price_level_structure` of the market (a name for logs: prices come from priceRanges) */
  structure?: string;
  /** the market's exchange shard (`exchange_index`); 0 when not given */
  exchangeIndex?: number;
  /** the market's series: its fee schedule is read at start (absent: the standard schedule) */
  seriesTicker?: string;
  /** the market's valid prices, from its `price_ranges` (plain data: crosses the thread boundary) */
  priceRanges: PriceRangeTicks[];
}

export interface OrdersWorkerInit {
  decisionRings: SpscRingShared[];
  fillRing: BytesRingShared;
  eventRing: BytesRingShared;
  bookTable: BookTableShared;
  portfolio: PortfolioTableShared;
  markets: OrdersWorkerMarket[];
  rest: {
    baseUrl: string;
    keyId: string;
    keyFile: string;
    readBucket?: BucketConfig;
    writeBucket?: BucketConfig;
    readTimeoutMs?: number;
    writeTimeoutMs?: number;
  };
  journalPath: string;
  strategy?: PriceStrategy;
  risk?: RiskLimits;
  /** before an order whose shard lacks free cash: move funds there (`auto`, default) or refuse it */
  transferPolicy?: TransferPolicy;
  /** this thread's log level (its own logger, stderr); default info */
  logLevel?: LogLevel;
  /** whole contracts per rolling 15 s for a Kalshi order group every order joins (absent: none) */
  orderGroupContracts?: number;
  breakers?: BreakerConfig;
  throttleMs?: number;
  budgetMs?: number;
  reconcileEveryMs?: number;
  /** the doorbell every DecisionRing and the FillRing ring on commit; lets this thread sleep on all */
  doorbell?: DoorbellShared;
  /** io's shared metrics (Counters over ENGINE_METRICS); this thread writes the ones it owns */
  counters?: SharedArrayBuffer;
  /** the state counts block this thread writes for io's /stats (orders-state.ts; set by orders-thread.ts) */
  state?: SharedArrayBuffer;
  /** how often the thread writes its state counts and P&L gauges and sends io its report (default 500 ms) */
  statsEveryMs?: number;
  /** the loop stamps slot HEARTBEAT_ORDERS every turn (io's watchdog) */
  heartbeats?: HeartbeatsShared;
}

/**
 * What this thread sends io on its stats schedule. Not metrics — those it writes into shared
 * memory itself (orders-metrics.ts, orders-state.ts) — but the P&L per market, a list for /stats,
 * and its stage histograms since the last report (why a message: stats/stage-histograms.ts).
 */
export interface OrdersReport {
  /** P&L with every position marked at its last book mid, per market and in total */
  pnl: PnlReport;
  /** this thread's stage histograms since the last report (then reset) */
  histograms: EncodedStageHistograms;
}

/** The answer to a stats request: the report, and the thread's own counts and cash at that moment. */
export interface OrdersStats extends OrdersReport {
  stats: Record<string, number>;
  freeCashMicros: number;
  reservedCashMicros: number;
}

/** What io may ask this thread, over the request channel (runtime/request-channel.ts). */
export type OrdersRequests = {
  /** engage the kill switch; the reply is the number of orders canceled */
  kill: { request: null; reply: number };
  release: { request: null; reply: null };
  stats: { request: null; reply: OrdersStats };
  /** the ledger's open orders now (a dashboard's starting snapshot) */
  openOrders: { request: null; reply: OpenOrder[] };
  /** one reconciliation pass (after any already running); rejects when the pass failed */
  reconcile: { request: null; reply: ReconcileReport };
  /** the reply comes once the loop has ended and the journal is closed */
  stop: { request: null; reply: null };
};

/** What this thread tells io unasked (beside the channel's replies). */
export type OrdersNotice =
  | { type: "ready" }
  | { type: "report"; report: OrdersReport }
  | { type: "error"; message: string };

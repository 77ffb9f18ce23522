/**
 * Public API of the paper exchange core (pure, synchronous, in-memory, deterministic).
 *
 * The HTTP/WS server codes against `PaperExchangeApi`; `PaperExchange` (exchange.ts) implements it.
 * Inputs are already-parsed integers in the units of `src/kalshi/units.ts`:
 * - prices: integer ticks of $0.0001 (1..9999), on the market's grid (its `price_ranges`). Order prices are ALWAYS the YES leg (V2 `price`);
 * - counts: integer hundredths of a contract;
 * - money: integer micros ($0.000001); times: epoch milliseconds from the injected clock.
 *
 * Every method either returns a value or `{ ok: false, error }` with a Kalshi-style REST error
 * (kalshi-api-notes.md): the server turns `error.status` into the HTTP status and
 * `{ error: { code, message } }` into the body. Nothing here throws on bad client input.
 *
 * Events are delivered synchronously, in causal order, to the listener. The objects passed to the
 * listener (and returned by reads) are LIVE views of internal state: render them immediately
 * (renderers in render.ts) instead of keeping the reference.
 *
 * Ledger model (documented deviations from Kalshi):
 * - Balances stay exact in micros; Kalshi's sub-cent "rounding fee" flooring is not simulated
 *   (kalshi-api-notes.md). The fee itself follows the per-order accumulator exactly.
 * - Placing an order holds (removes from the available balance) the cost of its *opening*
 *   part at its limit on its own leg: bid → p, ask → $1 − p per contract. The part that closes
 *   the user's current opposite position at placement time holds nothing (selling held
 *   contracts needs no collateral, correctness-rules.md rule 8). Fees are not held; they are taken from
 *   the balance at each fill (the create check requires balance ≥ hold + worst-case taker fee).
 * - YES/NO netting (kalshi-api-notes.md): a fill first closes the opposite position; each
 *   closed YES+NO pair pays $1 immediately, so long 10 YES then buy 4 NO at $0.30 → 6 YES and
 *   +4 × $0.70 cash.
 */

import type { KnownStructure, PriceRangeDollars } from "../../kalshi/price-grid.js";
import type {
  BookSide,
  ContractSide,
  OrderStatus,
  SelfTradePrevention,
  TimeInForce,
} from "../../kalshi/vocabulary.js";

/** Kalshi market-level price grids the paper exchange offers (price-grid.ts STRUCTURE_RANGES). */
export type PriceLevelStructure = KnownStructure;
/** Series fee types the paper exchange implements (kalshi-api-notes.md; `flat` is not). */
export type FeeType = "quadratic" | "quadratic_with_maker_fees";
/** Kalshi's market response vocabulary (kalshi-api-notes.md). Orders are accepted only when `active`. */
export type MarketStatus =
  | "initialized"
  | "inactive"
  | "active"
  | "closed"
  | "determined"
  | "disputed"
  | "amended"
  | "finalized";

export interface MarketSpec {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  /** Exchange shard (`exchange_index`) the market and its event live on; default 0. */
  exchangeIndex?: number;
  priceLevelStructure: PriceLevelStructure;
  feeType: FeeType;
  /** Series `fee_multiplier`; default 1. Must be a multiple of 0.0001 (kept as basis points). */
  feeMultiplier?: number;
  /** Default "active". */
  status?: MarketStatus;
  /** Category (Kalshi groups series by category; some are refused to keys without a location attestation). */
  category?: string;
  /** Multivariate (combo) collection the market belongs to; undefined for a plain market. */
  mveCollectionTicker?: string;
  /** Scheduled close (epoch ms); default: none (far future). */
  closeTsMs?: number;
  /** Whole contracts only when false (counts must be multiples of 100 hundredths). Default true. */
  fractionalTradingEnabled?: boolean;
}

/** Kalshi's `price_ranges` entry, as rendered: dollar strings with 4 decimals. */
export type PriceRange = PriceRangeDollars;

export interface FeeConfig {
  /** Taker rate in parts per million of C × P × (1 − P); Kalshi's general schedule: 70_000 (0.07). */
  takerRatePpm?: number;
  /** Maker rate on `quadratic_with_maker_fees` series; Kalshi: 17_500 (0.0175). */
  makerRatePpm?: number;
}

/** A maintenance (trading) pause: creates and amends refused, cancels allowed. */
export interface PauseWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** the one shard paused; undefined = every shard */
  readonly shard?: number;
}

/** `GET /exchange/status` for one shard. */
export interface ExchangeStatusView {
  readonly exchangeActive: boolean;
  readonly tradingActive: boolean;
  /** end of the pause in effect, epoch ms */
  readonly resumeTsMs: number | undefined;
}

export interface PaperExchangeOptions {
  markets: MarketSpec[];
  /** Epoch milliseconds. Expirations and the order-group window are evaluated lazily against it. */
  clock: () => number;
  feeConfig?: FeeConfig;
  listener?: ExchangeListener;
  /** Exchange shards; default: one more than the highest market `exchangeIndex` (at least 1). */
  shardCount?: number;
  /** Scheduled maintenance pauses (GET /exchange/schedule); default none. */
  pauses?: readonly PauseWindow[];
}

// ---------------------------------------------------------------------------------------------
// Results and errors
// ---------------------------------------------------------------------------------------------

export type ErrorStatus = 400 | 403 | 404 | 409;

/**
 * Error codes (lower snake case, kalshi-api-notes.md FIX vocabulary):
 * 400 invalid_order | invalid_price | invalid_count | market_closed | market_inactive |
 *     insufficient_balance | reduce_only_would_increase_position | exceeded_order_group_risk_limit |
 *     order_not_resting | invalid_order_group
 * 404 market_not_found | order_not_found | user_not_found | order_group_not_found
 * 409 order_already_exists
 */
export interface ExchangeError {
  status: ErrorStatus;
  code: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ExchangeError };

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

/** The venue's vocabulary, shared with the engine's parsers (src/kalshi/vocabulary.ts). */
export type { BookSide, OrderStatus, SelfTradePrevention, TimeInForce };
/** Outcome side of a book: the YES bids and the NO bids (kalshi-api-notes.md). */
export type OutcomeSide = ContractSide;

/**
 * Why an order last changed (rendered as `last_update_reason`). `PostOnlyCrossCancel` is Kalshi's
 * string; the others follow its style.
 */
export type OrderUpdateReason =
  | "Created"
  | "Filled"
  | "PartiallyFilled"
  | "UserCanceled"
  | "Amended"
  | "Decreased"
  | "ImmediateOrCancel"
  | "FillOrKillInsufficientVolume"
  | "PostOnlyCrossCancel"
  | "SelfTradePreventionTaker"
  | "SelfTradePreventionMaker"
  | "Expired"
  | "OrderGroupTriggered"
  | "OrderGroupDeleted"
  | "MarketPaused"
  | "MarketClosed"
  | "MarketSettled";

export interface CreateOrderRequest {
  ticker: string;
  /** Idempotency key, unique per user over all the user's orders (409 otherwise). */
  clientOrderId: string;
  side: BookSide;
  /** YES-leg price on the market's grid. */
  yesPriceTicks: number;
  /** > 0, hundredths; multiple of 100 when the market is not fractional. */
  countHundredths: number;
  timeInForce: TimeInForce;
  selfTradePrevention: SelfTradePrevention;
  /** Only with good_till_canceled (kalshi-api-notes.md). Epoch ms (the wire has seconds). */
  expirationTsMs?: number;
  postOnly?: boolean;
  reduceOnly?: boolean;
  cancelOrderOnPause?: boolean;
  orderGroupId?: string;
}

/** Read-only view of an order; carries every field of Kalshi's Order object. */
export interface OrderView {
  readonly orderId: string;
  readonly userId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  /** Shard of the order's market. */
  readonly exchangeIndex: number;
  readonly side: BookSide;
  readonly yesPriceTicks: number;
  readonly status: OrderStatus;
  /** Total count requested (after an amend: the amended total incl. filled). */
  readonly initialHundredths: number;
  readonly fillHundredths: number;
  readonly remainingHundredths: number;
  /** Fill cost on the order's own leg (bid: YES price; ask: NO price), micros. */
  readonly takerFillCostMicros: number;
  readonly makerFillCostMicros: number;
  readonly takerFeesMicros: number;
  readonly makerFeesMicros: number;
  readonly timeInForce: TimeInForce;
  readonly selfTradePrevention: SelfTradePrevention;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly cancelOrderOnPause: boolean;
  readonly expirationTsMs: number | undefined;
  readonly orderGroupId: string | undefined;
  readonly createdTsMs: number;
  readonly lastUpdateTsMs: number;
  readonly lastUpdateReason: OrderUpdateReason;
  /** Cash currently held for this order (0 once not resting). */
  readonly heldMicros: number;
  /** Monotonic creation sequence: a stable pagination key (newest first = descending seq). */
  readonly seq: number;
}

export interface CancelResult {
  order: OrderView;
  /** Hundredths actually canceled (0 ⇒ it had already filled / was already canceled). */
  reducedByHundredths: number;
}

export interface AmendRequest {
  /** Optional consistency checks against the order (400 invalid_order on mismatch). */
  ticker?: string;
  side?: BookSide;
  yesPriceTicks: number;
  /** New TOTAL count incl. already filled (kalshi-api-notes.md). Must exceed the filled count. */
  countHundredths: number;
  /** If given, must equal the order's current client_order_id. */
  clientOrderId?: string;
  /** If given, becomes the order's client_order_id (409 when already used by this user). */
  updatedClientOrderId?: string;
}

/** Exactly one of the two (400 invalid_order otherwise). `reduceToHundredths` is the new remaining. */
export interface DecreaseRequest {
  reduceByHundredths?: number;
  reduceToHundredths?: number;
}

export interface OrderFilter {
  ticker?: string;
  eventTicker?: string;
  status?: OrderStatus;
  /** Inclusive bounds on createdTsMs. */
  minTsMs?: number;
  maxTsMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Fills, positions, balance, settlements
// ---------------------------------------------------------------------------------------------

export interface FillView {
  readonly fillId: string;
  /** Shared by the taker's and the maker's fill of one execution. */
  readonly tradeId: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly userId: string;
  readonly ticker: string;
  readonly exchangeIndex: number;
  readonly side: BookSide;
  /** Execution price = the resting order's price (YES leg). */
  readonly yesPriceTicks: number;
  readonly countHundredths: number;
  readonly isTaker: boolean;
  readonly action: FillAction;
  readonly feeMicros: number;
  /** Signed position after this fill (+YES / −NO), hundredths. */
  readonly postPositionHundredths: number;
  readonly tsMs: number;
  readonly seq: number;
}

/**
 * The fill's `action` (docs websockets fill: buy, sell, sell_partial, sell_to_close, or "" for an
 * action Kalshi cannot name). The paper exchange's model: `buy` opens only; `sell_to_close`
 * closes the whole opposite position; `sell_partial` closes part of it; `sell` closes it and
 * opens the other side; every 7th fill reports "" so clients never depend on it (book side,
 * price and counts are authoritative).
 */
export type FillAction = "buy" | "sell" | "sell_partial" | "sell_to_close" | "";

export interface FillFilter {
  ticker?: string;
  orderId?: string;
  minTsMs?: number;
  maxTsMs?: number;
}

export interface PositionView {
  readonly ticker: string;
  readonly eventTicker: string;
  /** +YES / −NO, hundredths. */
  readonly positionHundredths: number;
  /** What the open contracts cost (on their own leg), micros; `market_exposure_dollars`. */
  readonly costBasisMicros: number;
  readonly realizedPnlMicros: number;
  readonly feesPaidMicros: number;
  /** Σ fill cost on the order's own leg, micros (`total_traded_dollars`). */
  readonly totalTradedMicros: number;
  /** Σ filled hundredths. */
  readonly volumeHundredths: number;
  readonly restingOrdersCount: number;
  readonly lastUpdatedTsMs: number;
}

export interface BalanceView {
  /** Available cash (Kalshi `balance`), micros. */
  readonly balanceMicros: number;
  /** Cash held for resting orders, micros (not part of `balance`). */
  readonly heldMicros: number;
  /** Σ positions marked at the last trade price (cost basis if never traded), micros. */
  readonly portfolioValueMicros: number;
  readonly depositsMicros: number;
  readonly updatedTsMs: number;
  /** Available / held cash per shard (index = `exchange_index`); sums are the totals above. */
  readonly shardBalanceMicros: readonly number[];
  readonly shardHeldMicros: readonly number[];
}

/** An intra-exchange-instance transfer (moves available cash between shards at once). */
export interface TransferView {
  readonly transferId: string;
  readonly fromShard: number;
  readonly toShard: number;
  readonly amountMicros: number;
  readonly tsMs: number;
}

export type MarketResult = "yes" | "no";
/** market_lifecycle_v2 `event_type` values the paper exchange emits. */
export type LifecycleEvent = "activated" | "deactivated" | "close_date_updated" | "determined" | "settled";

export interface SettlementView {
  readonly ticker: string;
  readonly eventTicker: string;
  readonly marketResult: MarketResult;
  readonly yesCountHundredths: number;
  readonly yesTotalCostMicros: number;
  readonly noCountHundredths: number;
  readonly noTotalCostMicros: number;
  /** Payout, micros ($1 per winning contract). */
  readonly revenueMicros: number;
  readonly settledTsMs: number;
}

// ---------------------------------------------------------------------------------------------
// Markets and books
// ---------------------------------------------------------------------------------------------

export interface MarketView {
  readonly ticker: string;
  readonly eventTicker: string;
  readonly seriesTicker: string;
  readonly exchangeIndex: number;
  readonly mveCollectionTicker: string | undefined;
  readonly category: string;
  readonly status: MarketStatus;
  readonly priceLevelStructure: PriceLevelStructure;
  readonly feeType: FeeType;
  readonly feeMultiplierBp: number;
  readonly fractionalTradingEnabled: boolean;
  /** Best YES bid / best YES ask (= $1 − best NO bid) in YES ticks; 0 when the side is empty. */
  readonly yesBidTicks: number;
  readonly yesAskTicks: number;
  readonly yesBidSizeHundredths: number;
  readonly yesAskSizeHundredths: number;
  /** 0 before the first trade. */
  readonly lastPriceTicks: number;
  readonly volumeHundredths: number;
  /** Outstanding YES+NO pairs, hundredths. */
  readonly openInterestHundredths: number;
  readonly result: MarketResult | undefined;
  readonly settledTsMs: number | undefined;
  /** Scheduled (or actual, once closed) close time, epoch ms; undefined = none scheduled. */
  readonly closeTsMs: number | undefined;
  readonly determinedTsMs: number | undefined;
}

/** One level: [priceTicks on that side's own scale, sizeHundredths]. */
export type BookLevel = [priceTicks: number, sizeHundredths: number];

/** Bids only, ascending (best last); `no` levels on the NO price scale (kalshi-api-notes.md). */
export interface OrderbookView {
  ticker: string;
  yes: BookLevel[];
  no: BookLevel[];
}

// ---------------------------------------------------------------------------------------------
// Order groups (rolling 15 s contract limit, kalshi-api-notes.md)
// ---------------------------------------------------------------------------------------------

export interface OrderGroupView {
  readonly orderGroupId: string;
  readonly userId: string;
  readonly exchangeIndex: number;
  readonly contractsLimitHundredths: number;
  readonly isTriggered: boolean;
  /** Filled hundredths inside the rolling window at the time of the call. */
  readonly windowFilledHundredths: number;
  readonly orderIds: readonly string[];
}

export const ORDER_GROUP_WINDOW_MS = 15_000;

/** `order_group_updates` event types (docs changelog 2026-01-22). */
export type GroupEvent = "created" | "triggered" | "reset" | "deleted" | "limit_updated";

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export interface TradeEvent {
  tradeId: string;
  yesPriceTicks: number;
  countHundredths: number;
  /** `yes` when the taker was a bid (bought YES), `no` when an ask. */
  takerSide: OutcomeSide;
  tsMs: number;
}

/**
 * All callbacks are optional and called synchronously inside the mutating call, in causal order.
 * A fill emits: bookDelta(maker level −) → trade → fill(taker) → fill(maker) → positionUpdate(s)
 * → orderUpdate(maker); the taker's orderUpdate (and its resting bookDelta +) come after its
 * matching ends. Listeners must not call back into the exchange's mutating methods.
 */
export interface ExchangeListener {
  /**
   * Signed change of resting size at (side, price). `priceTicks` is on that side's own scale
   * (NO bids at $1 − YES price). The cause is the order whose resting size changed (the maker on
   * a fill); the server shows `client_order_id` only to `userIdOfCause`.
   */
  bookDelta?(
    ticker: string,
    side: OutcomeSide,
    priceTicks: number,
    deltaHundredths: number,
    causedByClientOrderId: string | undefined,
    userIdOfCause: string | undefined,
    tsMs: number,
  ): void;
  trade?(ticker: string, trade: TradeEvent): void;
  fill?(userId: string, fill: FillView): void;
  orderUpdate?(userId: string, order: OrderView): void;
  positionUpdate?(userId: string, ticker: string, position: PositionView): void;
  /** An order group was created, triggered, reset, deleted or had its limit changed (order_group_updates). */
  groupUpdate?(userId: string, group: OrderGroupView, event: GroupEvent): void;
  /**
   * Market status, close time, result or settlement changed. `event` is the market_lifecycle_v2
   * `event_type` Kalshi sends for it, or undefined for a transition Kalshi makes without an event
   * (a market closing at its close_time, docs getting_started/market_lifecycle).
   */
  marketUpdate?(market: MarketView, event: LifecycleEvent | undefined): void;
}

// ---------------------------------------------------------------------------------------------
// The exchange
// ---------------------------------------------------------------------------------------------

export interface AccountOptions {
  /** Default true. */
  keepHistory?: boolean;
  /**
   * Categories this account's key may not trade (its location attestation has lapsed): a create
   * in such a market is refused with 403 `location_attestation_required`. Default none.
   */
  refusedCategories?: readonly string[];
}

export interface PaperExchangeApi {
  setListener(listener: ExchangeListener | undefined): void;

  // Accounts. Users are opaque strings (the server maps API key ids to users).
  /**
   * 409 account_already_exists when the user exists. `keepHistory: false` (simulator users):
   * finished orders and fills are not retained, so memory stays flat under load — such orders
   * vanish from getOrder/listOrders once finished and their client_order_id can be reused.
   */
  openAccount(userId: string, depositMicros: number, options?: AccountOptions): Result<BalanceView>;
  /** Deposits land on shard 0 (the default exchange instance) unless `shard` is given. */
  deposit(userId: string, amountMicros: number, shard?: number): Result<BalanceView>;
  /**
   * POST /portfolio/intra_exchange_instance_transfer: moves available cash between shards without
   * delay. 400 insufficient_balance when the source shard lacks it; 400 invalid_parameters for a
   * bad shard, the same shard twice or a non-positive amount.
   */
  transfer(userId: string, fromShard: number, toShard: number, amountMicros: number): Result<TransferView>;
  hasAccount(userId: string): boolean;
  /** Exchange shards: markets live on 0..shardCount()-1. */
  shardCount(): number;
  /** Trading status of one shard now (a pause in effect → tradingActive false). */
  exchangeStatus(shard: number): ExchangeStatusView;
  /** The scheduled maintenance pauses. */
  pauses(): readonly PauseWindow[];

  // Writes (V2 semantics, kalshi-api-notes.md).
  /**
   * An order that is accepted but cannot rest or fill (post-only cross, FOK short of volume, IOC
   * remainder, STP) is still a success (HTTP 201) returning the order with status `canceled` and
   * its `lastUpdateReason`; it stays findable and its client_order_id stays taken.
   */
  createOrder(userId: string, req: CreateOrderRequest): Result<OrderView>;
  /**
   * Cancel, amend and decrease are served by ONE shard (`shard`, default 0, as Kalshi routes a
   * request without `market_ticker`/`exchange_index`): an order living on another shard is
   * unknown there (404 order_not_found), exactly like an unknown id.
   * 404 for unknown / other users' orders; a known order no longer resting → ok, reducedBy 0.
   */
  cancelOrder(userId: string, orderId: string, shard?: number): Result<CancelResult>;
  amendOrder(userId: string, orderId: string, req: AmendRequest, shard?: number): Result<OrderView>;
  decreaseOrder(userId: string, orderId: string, req: DecreaseRequest, shard?: number): Result<OrderView>;
  /** Items are independent: one failing does not stop the others. */
  batchCreate(userId: string, reqs: readonly CreateOrderRequest[]): Result<OrderView>[];
  /** Each item is routed to its own shard (default 0). */
  batchCancel(userId: string, items: readonly { orderId: string; shard?: number }[]): Result<CancelResult>[];

  /** Order groups live on one shard (default 0) and hold only that shard's orders. */
  createOrderGroup(userId: string, contractsLimitHundredths: number, shard?: number): Result<OrderGroupView>;
  getOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView>;
  listOrderGroups(userId: string): OrderGroupView[];
  /** Clears the trigger and the window; orders may be placed in the group again. */
  resetOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView>;
  /** Triggers now: cancels the group's resting orders and blocks new ones until reset. */
  triggerOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView>;
  setOrderGroupLimit(
    userId: string,
    orderGroupId: string,
    contractsLimitHundredths: number,
  ): Result<OrderGroupView>;
  /** Cancels the group's resting orders and forgets the group. */
  deleteOrderGroup(userId: string, orderGroupId: string): Result<OrderGroupView>;

  // Reads. Lists are fresh arrays, newest first (descending `seq`); the server paginates them
  // (a cursor can be the last returned `seq`).
  getOrder(userId: string, orderId: string): Result<OrderView>;
  listOrders(userId: string, filter?: OrderFilter): OrderView[];
  /** Hundredths resting ahead of the order at its price level (GET .../queue_position); 400 if not resting. */
  queuePosition(userId: string, orderId: string): Result<number>;
  listFills(userId: string, filter?: FillFilter): FillView[];
  /** Markets the user has ever traded (position 0 included once traded), ticker order. */
  positions(userId: string, ticker?: string): PositionView[];
  balance(userId: string): Result<BalanceView>;
  settlements(userId: string): SettlementView[];
  market(ticker: string): Result<MarketView>;
  markets(): MarketView[];
  /** depth 0 = all levels; otherwise the best `depth` levels per side (still ascending). */
  orderbook(ticker: string, depth: number): Result<OrderbookView>;

  // Market lifecycle (simulator / control).
  /** Leaving `active` cancels resting orders that asked for cancel_order_on_pause. */
  setMarketStatus(ticker: string, status: MarketStatus): Result<MarketView>;
  /** Moves the scheduled close (event close_date_updated). */
  setCloseTime(ticker: string, closeTsMs: number): Result<MarketView>;
  /** Closes (if still open) and sets the result: status determined (event determined). */
  determineMarket(ticker: string, result: MarketResult): Result<MarketView>;
  /**
   * Cancels all resting orders, pays $1 per winning contract, clears positions, status finalized
   * (event settled). Without a result the determined one is used.
   */
  settleMarket(ticker: string, result?: MarketResult): Result<MarketView>;
  /** Expires every order whose expiration has passed (also done lazily on every call). */
  expireDue(): number;
}

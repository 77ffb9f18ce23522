/**
 * Typed server messages of the Kalshi WebSocket v2 (kalshi-api-notes.md), as produced by
 * `parseServerMessage` in `messages.ts`. Pure data shared by every thread; no state.
 *
 * Units follow units.ts: prices are integer ticks of $0.0001, counts integer hundredths of a
 * contract, money integer micros ($0.000001), times integer milliseconds since the Unix epoch.
 * A field that the wire may omit is optional here; `null` on the wire reads as absent.
 */

import type { BookSide, ContractSide, FillAction } from "./vocabulary.js";

export type { BookSide, ContractSide, FillAction, OrderAction } from "./vocabulary.js";

/** One resting bid level of a snapshot side. */
export interface BookLevel {
  priceTicks: number;
  sizeHundredths: number;
}

/** `subscribed`: one per channel of a `subscribe` command (kalshi-api-notes.md). */
export interface SubscribedMessage {
  kind: "subscribed";
  id: number;
  /** Absent from old servers, which sent `{"type":"subscribed","id":1}` with no msg. */
  channel?: string;
  sid?: number;
}

export interface SubscriptionEntry {
  channel: string;
  sid: number;
}

/** `ok`: reply to update_subscription or list_subscriptions (kalshi-api-notes.md). */
export interface OkMessage {
  kind: "ok";
  id: number;
  sid?: number;
  /** The sid's current seq (kalshi-api-notes.md). */
  seq?: number;
  /** From top-level `market_tickers` or the newer `msg.market_tickers`. */
  marketTickers?: string[];
  /** list_subscriptions reply: msg is an array of {channel, sid}. */
  subscriptions?: SubscriptionEntry[];
}

export interface UnsubscribedMessage {
  kind: "unsubscribed";
  id: number;
  sid?: number;
  seq?: number;
}

/** `error` (kalshi-api-notes.md, codes table). */
export interface ErrorMessage {
  kind: "error";
  /** Absent when the server could not tie the error to a command. */
  id?: number;
  /** The subscription the error is about, when the envelope names one. */
  sid?: number;
  code: number;
  /** `msg.msg`; "" when the server sent no text. */
  message: string;
  marketTicker?: string;
  marketId?: string;
}

/**
 * Book messages (observation-v1.md §3). `sid`/`seq` are undefined unless the envelope holds an
 * integer JSON number there (as in frame-scanner.ts): such messages are still book messages but are
 * not seq-checked (observation-v1.md §3.6). Fields other than ticker, side, price and change never
 * reject a book message; a malformed extra (market_id, client_order_id, …) reads as absent.
 * `tsMs` is `msg.ts_ms` when it is an integer, else undefined and the caller uses its receive time
 * (observation-v1.md §3.5).
 */
export interface OrderbookSnapshotMessage {
  kind: "orderbook_snapshot";
  sid?: number;
  seq?: number;
  marketTicker: string;
  marketId?: string;
  /** YES bids, unique prices, ascending (best bid last). */
  yes: BookLevel[];
  /** NO bids on the NO price scale, unique prices, ascending (best bid last). */
  no: BookLevel[];
  /** Levels dropped as invalid price, invalid count or count ≤ 0 (observation-v1.md §3.3). */
  skippedLevels: number;
  /** Levels whose price repeated an earlier level of the same side; the later one won. */
  replacedLevels: number;
  tsMs?: number;
}

export interface OrderbookDeltaMessage {
  kind: "orderbook_delta";
  sid?: number;
  seq?: number;
  marketTicker: string;
  marketId?: string;
  side: ContractSide;
  priceTicks: number;
  /** Signed change of the resting size at (side, price), not an absolute size. */
  deltaHundredths: number;
  tsMs?: number;
  /** Present only when one of our own orders caused the change (kalshi-api-notes.md). */
  clientOrderId?: string;
  subaccount?: number;
}

/** `fill`: one of our executions (kalshi-api-notes.md). Current and legacy shapes. */
export interface FillMessage {
  kind: "fill";
  sid?: number;
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  marketTicker: string;
  isTaker: boolean;
  /**
   * The contract side the exchange reports as traded: `outcome_side`, else `purchased_side`,
   * else the legacy `side`. A sell of YES may come back as outcome side "no".
   */
  side?: ContractSide;
  /** The raw `side` field when present (the order's side on older shapes). */
  orderSide?: ContractSide;
  /** Any of FILL_ACTIONS; an action outside them reads as "" (kalshi-api-notes.md). */
  action: FillAction;
  /** `book_side`, else derived by the field rules (adapter/field-rules.ts `bookSideField`). */
  bookSide: BookSide;
  /** Always on the YES scale; a NO fill costs 10000 − yesPriceTicks per contract (correctness-rules.md rule 10). */
  yesPriceTicks: number;
  countHundredths: number;
  /** `fee_cost` when present; REST fills are the fee source of truth. */
  feeCostMicros?: number;
  /** Signed position after the fill: + YES, − NO. */
  postPositionHundredths?: number;
  subaccount?: number;
  tsMs: number;
}

/** `user_order` (channel user_orders, kalshi-api-notes.md). */
export interface UserOrderMessage {
  kind: "user_order";
  sid?: number;
  orderId: string;
  clientOrderId?: string;
  ticker: string;
  /** Seen: resting, canceled, executed. Kept as text so a new status is not a parse error. */
  status: string;
  side?: ContractSide;
  outcomeSide?: ContractSide;
  bookSide?: BookSide;
  yesPriceTicks: number;
  fillCountHundredths: number;
  remainingCountHundredths: number;
  initialCountHundredths?: number;
  takerFeesMicros?: number;
  makerFeesMicros?: number;
  createdTsMs?: number;
  expirationTsMs?: number;
  lastUpdateReason?: string;
}

/** `market_position` (channel market_positions, kalshi-api-notes.md). */
export interface MarketPositionMessage {
  kind: "market_position";
  sid?: number;
  userId?: string;
  marketTicker: string;
  /** Signed: + YES, − NO. */
  positionHundredths: number;
  /** Current value of the position (≈ REST market_exposure), not the entry cost. */
  positionCostMicros?: number;
  realizedPnlMicros?: number;
  feesPaidMicros?: number;
  positionFeeCostMicros?: number;
  volumeHundredths?: number;
  subaccount?: number;
}

/** `trade`: a public print (kalshi-api-notes.md). */
export interface TradeMessage {
  kind: "trade";
  sid?: number;
  seq?: number;
  tradeId: string;
  marketTicker: string;
  yesPriceTicks: number;
  noPriceTicks?: number;
  countHundredths: number;
  /** `taker_outcome_side`, else the deprecated `taker_side`. */
  takerSide: ContractSide;
  takerBookSide?: BookSide;
  tsMs: number;
}

/**
 * `ticker` (kalshi-api-notes.md). A price that is `""` (nothing traded), $0 (no bid) or $1
 * (no ask) is absent.
 */
export interface TickerMessage {
  kind: "ticker";
  sid?: number;
  marketTicker: string;
  marketId?: string;
  lastPriceTicks?: number;
  yesBidTicks?: number;
  yesAskTicks?: number;
  yesBidSizeHundredths?: number;
  yesAskSizeHundredths?: number;
  lastTradeSizeHundredths?: number;
  volumeHundredths?: number;
  openInterestHundredths?: number;
  dollarVolumeMicros?: number;
  dollarOpenInterestMicros?: number;
  tsMs?: number;
}

/** `market_lifecycle_v2` (kalshi-api-notes.md). Wire times are Unix seconds. */
export interface MarketLifecycleMessage {
  kind: "market_lifecycle_v2";
  sid?: number;
  seq?: number;
  marketTicker: string;
  /** created, activated, deactivated, close_date_updated, determined, settled, … */
  eventType: string;
  openTsMs?: number;
  closeTsMs?: number;
  determinationTsMs?: number;
  settledTsMs?: number;
  result?: string;
  /** Dollar string, $0..$1 per contract. */
  settlementValueMicros?: number;
  isDeactivated?: boolean;
  /** Passed through as sent (its shape is not specified). */
  priceLevelStructure?: unknown;
  additionalMetadata?: Record<string, unknown>;
}

/**
 * `order_group_updates` (private): the lifecycle of one of our order groups — `created`,
 * `triggered`, `reset`, `deleted`, `limit_updated` — with the channel's own `seq`. The REST group
 * object has no `is_triggered`; a trigger is seen here (kalshi-api-notes.md).
 */
export interface OrderGroupUpdateMessage {
  kind: "order_group_updates";
  sid?: number;
  seq?: number;
  eventType: string;
  orderGroupId: string;
  contractsLimitHundredths?: number;
  exchangeIndex?: number;
}

/** `event_lifecycle`, sent on the market_lifecycle_v2 channel (kalshi-api-notes.md). */
export interface EventLifecycleMessage {
  kind: "event_lifecycle";
  sid?: number;
  seq?: number;
  eventTicker: string;
  title?: string;
  subtitle?: string;
  collateralReturnType?: string;
  seriesTicker?: string;
  strikeDateTsMs?: number;
  strikePeriod?: string;
}

export type ServerMessage =
  | SubscribedMessage
  | OkMessage
  | UnsubscribedMessage
  | ErrorMessage
  | OrderbookSnapshotMessage
  | OrderbookDeltaMessage
  | FillMessage
  | UserOrderMessage
  | MarketPositionMessage
  | TradeMessage
  | TickerMessage
  | MarketLifecycleMessage
  | OrderGroupUpdateMessage
  | EventLifecycleMessage;

export type ServerMessageKind = ServerMessage["kind"];

export type MessageParseReason =
  | "not_json"
  | "not_object"
  | "unknown_type"
  | "missing_field"
  | "invalid_price"
  | "invalid_count"
  | "invalid_field";

export interface MessageParseErrorDetails {
  reason: MessageParseReason;
  /** Wire path of the offending field, e.g. "msg.price_dollars" or "sid". */
  field?: string;
  /** The envelope `type` when it was readable. */
  messageType?: string;
  /**
   * Envelope sid/seq and msg.market_ticker when readable, so a seq tracker can still count a
   * rejected book message (observation-v1.md §3.6: an invalid delta still counts for gaps).
   */
  sid?: number;
  seq?: number;
  marketTicker?: string;
}

/** Why a frame could not be turned into a ServerMessage; `message` names the field and the value. */
export class MessageParseError extends Error {
  readonly reason: MessageParseReason;
  readonly field?: string;
  readonly messageType?: string;
  readonly sid?: number;
  readonly seq?: number;
  readonly marketTicker?: string;

  constructor(message: string, details: MessageParseErrorDetails) {
    super(message);
    this.name = "MessageParseError";
    this.reason = details.reason;
    this.field = details.field;
    this.messageType = details.messageType;
    this.sid = details.sid;
    this.seq = details.seq;
    this.marketTicker = details.marketTicker;
  }
}

/**
 * Typed parser for every Kalshi WebSocket server message (kalshi-api-notes.md). Pure, no state;
 * used by io for the cold path (command replies, fills, orders, positions, public data) and as the
 * readable reference for book messages, whose hot path is the byte scanner in frame-scanner.ts.
 *
 * Shape: JSON.parse, then one small function per message type built from the field readers in
 * `FieldReader`. Both the current wire (`*_dollars` / `*_fp`) and the legacy integer-cent wire are
 * accepted, numbers or strings alike (kalshi-api-notes.md; observation-v1.md §3.2).
 */

import { bookSideField } from "./adapter/field-rules.js";
import { FieldReader, integerNumber, type ReaderContext, withoutUndefined } from "./message-fields.js";
import {
  type ErrorMessage,
  type EventLifecycleMessage,
  type FillMessage,
  type MarketLifecycleMessage,
  type MarketPositionMessage,
  MessageParseError,
  type MessageParseErrorDetails,
  type OkMessage,
  type OrderbookDeltaMessage,
  type OrderbookSnapshotMessage,
  type OrderGroupUpdateMessage,
  type ServerMessage,
  type SubscribedMessage,
  type SubscriptionEntry,
  type TickerMessage,
  type TradeMessage,
  type UnsubscribedMessage,
  type UserOrderMessage,
} from "./message-types.js";
import { BOOK_SIDES, fillActionOf, CONTRACT_SIDES as SIDES } from "./vocabulary.js";

export * from "./message-types.js";

type MessageParser = (envelope: FieldReader, ctx: ReaderContext) => ServerMessage;

/** A Map, not an object literal, so a `type` such as "constructor" cannot reach a prototype. */
const PARSERS = new Map<string, MessageParser>([
  ["subscribed", parseSubscribed],
  ["ok", parseOk],
  ["unsubscribed", parseUnsubscribed],
  ["error", parseError],
  ["orderbook_snapshot", parseSnapshot],
  ["orderbook_delta", parseDelta],
  ["fill", parseFill],
  ["user_order", parseUserOrder],
  ["market_position", parseMarketPosition],
  ["trade", parseTrade],
  ["ticker", parseTicker],
  ["market_lifecycle_v2", parseMarketLifecycle],
  ["event_lifecycle", parseEventLifecycle],
  ["order_group_updates", parseOrderGroupUpdate],
]);

/** Parses one text frame. Throws MessageParseError (and nothing else) when the frame is unusable. */
export function parseServerMessage(text: string): ServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new MessageParseError(`frame is not JSON: ${why}`, { reason: "not_json" });
  }
  if (!isPlainObject(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new MessageParseError(`frame is not a JSON object (got ${got})`, { reason: "not_object" });
  }
  const envelope = value;
  const type = Object.hasOwn(envelope, "type") ? envelope.type : undefined;
  if (type === undefined || type === null) {
    throw new MessageParseError("missing type", { reason: "missing_field", field: "type" });
  }
  if (typeof type !== "string") {
    const shown = JSON.stringify(type).slice(0, 40);
    throw new MessageParseError(`type ${shown} is not a string`, { reason: "invalid_field", field: "type" });
  }
  const parser = PARSERS.get(type);
  if (parser === undefined) {
    throw new MessageParseError(`unknown message type ${JSON.stringify(type).slice(0, 60)}`, {
      reason: "unknown_type",
      messageType: type,
    });
  }
  const ctx = errorContext(envelope, type);
  return parser(new FieldReader(envelope, "", ctx), ctx);
}

/** For loops that count errors instead of unwinding: returns the error instead of throwing it. */
export function tryParseServerMessage(text: string): ServerMessage | MessageParseError {
  try {
    return parseServerMessage(text);
  } catch (err) {
    if (err instanceof MessageParseError) return err;
    throw err; // a bug in this module, not a bad frame: keep it loud
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * sid, seq and market ticker as far as they are readable, attached to every error of this frame.
 * sid/seq count only as integer JSON numbers, as in frame-scanner.ts (observation-v1.md §3.6).
 */
function errorContext(envelope: Record<string, unknown>, type: string): ReaderContext {
  const details: MessageParseErrorDetails = { reason: "invalid_field", messageType: type };
  const sid = integerNumber(envelope.sid);
  const seq = integerNumber(envelope.seq);
  if (sid !== undefined) details.sid = sid;
  if (seq !== undefined) details.seq = seq;
  const msg = Object.hasOwn(envelope, "msg") ? envelope.msg : undefined;
  if (isPlainObject(msg) && Object.hasOwn(msg, "market_ticker") && typeof msg.market_ticker === "string") {
    if (msg.market_ticker !== "") details.marketTicker = msg.market_ticker;
  }
  return { type, details };
}

// ---- command replies (kalshi-api-notes.md) ----

function parseSubscribed(env: FieldReader): SubscribedMessage {
  const id = env.requireInt("id");
  const msg = env.optionalObject("msg"); // old servers send no msg
  return withoutUndefined({
    kind: "subscribed",
    id,
    channel: msg?.optionalString("channel"),
    sid: msg?.optionalInt("sid") ?? env.optionalInt("sid"),
  });
}

function parseOk(env: FieldReader): OkMessage {
  const id = env.requireInt("id");
  let marketTickers = env.optionalStringArray("market_tickers");
  let subscriptions: SubscriptionEntry[] | undefined;
  const list = env.optionalObjectArray("msg");
  if (list !== undefined) {
    // list_subscriptions reply: msg is an array of {channel, sid}
    subscriptions = list.map((entry) => ({
      channel: entry.requireString("channel"),
      sid: entry.requireInt("sid"),
    }));
  } else {
    marketTickers ??= env.optionalObject("msg")?.optionalStringArray("market_tickers");
  }
  return withoutUndefined({
    kind: "ok",
    id,
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
    marketTickers,
    subscriptions,
  });
}

function parseUnsubscribed(env: FieldReader): UnsubscribedMessage {
  return withoutUndefined({
    kind: "unsubscribed",
    id: env.requireInt("id"),
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
  });
}

function parseError(env: FieldReader): ErrorMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "error",
    id: env.optionalInt("id"),
    sid: env.optionalInt("sid") ?? msg.optionalInt("sid"),
    code: msg.requireInt("code"),
    message: msg.optionalString("msg") ?? "",
    marketTicker: msg.optionalString("market_ticker"),
    marketId: msg.optionalString("market_id"),
  });
}

// ---- book messages (kalshi-api-notes.md, observation-v1.md §3) ----

/** A snapshot is always applied (observation-v1.md §3.3): only msg and its ticker can reject it. */
function parseSnapshot(env: FieldReader, ctx: ReaderContext): OrderbookSnapshotMessage {
  const msg = env.requireObject("msg");
  const marketTicker = msg.requireString("market_ticker");
  const yes = msg.snapshotSide(["yes_dollars_fp", "yes_dollars", "yes"]);
  const no = msg.snapshotSide(["no_dollars_fp", "no_dollars", "no"]);
  return withoutUndefined({
    kind: "orderbook_snapshot",
    sid: ctx.details.sid,
    seq: ctx.details.seq,
    marketTicker,
    marketId: msg.lenientString("market_id"),
    yes: yes.levels,
    no: no.levels,
    skippedLevels: yes.skipped + no.skipped,
    replacedLevels: yes.replaced + no.replaced,
    tsMs: msg.lenientInt("ts_ms"),
  });
}

/**
 * Only side, price and change can reject a delta (observation-v1.md §3.4); the other fields are
 * read leniently so a valid book update is never lost to a malformed extra.
 */
function parseDelta(env: FieldReader, ctx: ReaderContext): OrderbookDeltaMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "orderbook_delta",
    sid: ctx.details.sid,
    seq: ctx.details.seq,
    marketTicker: msg.requireString("market_ticker"),
    marketId: msg.lenientString("market_id"),
    side: msg.requireEnum("side", SIDES),
    priceTicks: msg.requirePriceTicks("price_dollars", "price"),
    deltaHundredths: msg.requireCount("delta_fp", "delta", "bookChange"),
    tsMs: msg.lenientInt("ts_ms"), // else the receive time (observation-v1.md §3.5)
    clientOrderId: msg.lenientString("client_order_id"),
    subaccount: msg.lenientInt("subaccount"),
  });
}

// ---- private channels (kalshi-api-notes.md) ----

/**
 * The fill's `action` never rejects it (kalshi-api-notes.md: buy, sell, sell_partial,
 * sell_to_close or "", and more may come): book side, price and counts are what a ledger uses.
 */
function parseFill(env: FieldReader): FillMessage {
  const msg = env.requireObject("msg");
  const orderSide = msg.optionalEnum("side", SIDES);
  msg.optionalEnum("book_side", BOOK_SIDES);
  const side =
    msg.optionalEnum("outcome_side", SIDES) ?? msg.optionalEnum("purchased_side", SIDES) ?? orderSide;
  const bookSide = bookSideField(msg.record) || msg.missing("book_side", "side");
  return withoutUndefined({
    kind: "fill",
    sid: env.optionalInt("sid"),
    tradeId: msg.requireString("trade_id"),
    orderId: msg.requireString("order_id"),
    clientOrderId: msg.optionalString("client_order_id"),
    marketTicker: msg.requireString("market_ticker"),
    isTaker: msg.requireBool("is_taker"),
    side,
    orderSide,
    action: fillActionOf(msg.raw("action")),
    bookSide,
    yesPriceTicks: msg.requirePriceTicks("yes_price_dollars", "yes_price"),
    countHundredths: msg.requireCount("count_fp", "count", "positive"),
    feeCostMicros: msg.optionalMicros("fee_cost"),
    postPositionHundredths: msg.optionalCount("post_position_fp", "post_position", "signed"),
    subaccount: msg.optionalInt("subaccount"),
    tsMs: msg.requireTimestampMs("ts_ms", "ts"),
  });
}

function parseUserOrder(env: FieldReader): UserOrderMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "user_order",
    sid: env.optionalInt("sid"),
    orderId: msg.requireString("order_id"),
    clientOrderId: msg.optionalString("client_order_id"),
    ticker: msg.requireString("ticker", "market_ticker"),
    status: msg.requireString("status"),
    side: msg.optionalEnum("side", SIDES),
    outcomeSide: msg.optionalEnum("outcome_side", SIDES),
    bookSide: msg.optionalEnum("book_side", BOOK_SIDES),
    yesPriceTicks: msg.requirePriceTicks("yes_price_dollars", "yes_price"),
    fillCountHundredths: msg.requireCount("fill_count_fp", "fill_count", "nonNegative"),
    remainingCountHundredths: msg.requireCount("remaining_count_fp", "remaining_count", "nonNegative"),
    initialCountHundredths: msg.optionalCount("initial_count_fp", "initial_count", "nonNegative"),
    takerFeesMicros: msg.optionalMicros("taker_fees_dollars"),
    makerFeesMicros: msg.optionalMicros("maker_fees_dollars"),
    createdTsMs: msg.optionalInt("created_ts_ms"),
    expirationTsMs: msg.optionalInt("expiration_ts_ms"),
    lastUpdateReason: msg.optionalString("last_update_reason"),
  });
}

function parseMarketPosition(env: FieldReader): MarketPositionMessage {
  const msg = env.requireObject("msg");
  // Legacy money fields are integer centi-cents (1/10,000 $) — kalshi-api-notes.md
  return withoutUndefined({
    kind: "market_position",
    sid: env.optionalInt("sid"),
    userId: msg.optionalString("user_id"),
    marketTicker: msg.requireString("market_ticker"),
    positionHundredths: msg.requireCount("position_fp", "position", "signed"),
    positionCostMicros: msg.optionalMicros("position_cost_dollars", "position_cost"),
    realizedPnlMicros: msg.optionalMicros("realized_pnl_dollars", "realized_pnl"),
    feesPaidMicros: msg.optionalMicros("fees_paid_dollars", "fees_paid"),
    positionFeeCostMicros: msg.optionalMicros("position_fee_cost_dollars"),
    volumeHundredths: msg.optionalCount("volume_fp", "volume", "nonNegative"),
    subaccount: msg.optionalInt("subaccount"),
  });
}

// ---- public data channels (kalshi-api-notes.md) ----

function parseTrade(env: FieldReader): TradeMessage {
  const msg = env.requireObject("msg");
  const takerSide =
    msg.optionalEnum("taker_outcome_side", SIDES) ??
    msg.optionalEnum("taker_side", SIDES) ??
    msg.missing("taker_outcome_side", "taker_side");
  return withoutUndefined({
    kind: "trade",
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
    tradeId: msg.requireString("trade_id"),
    marketTicker: msg.requireString("market_ticker"),
    yesPriceTicks: msg.requirePriceTicks("yes_price_dollars", "yes_price"),
    noPriceTicks: msg.optionalPriceTicks("no_price_dollars", "no_price"),
    countHundredths: msg.requireCount("count_fp", "count", "positive"),
    takerSide,
    takerBookSide: msg.optionalEnum("taker_book_side", BOOK_SIDES),
    tsMs: msg.requireTimestampMs("ts_ms", "ts"),
  });
}

function parseTicker(env: FieldReader): TickerMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "ticker",
    sid: env.optionalInt("sid"),
    marketTicker: msg.requireString("market_ticker"),
    marketId: msg.optionalString("market_id"),
    lastPriceTicks: msg.optionalQuoteTicks("price_dollars", "price"),
    yesBidTicks: msg.optionalQuoteTicks("yes_bid_dollars", "yes_bid"),
    yesAskTicks: msg.optionalQuoteTicks("yes_ask_dollars", "yes_ask"),
    yesBidSizeHundredths: msg.optionalCount("yes_bid_size_fp", undefined, "nonNegative"),
    yesAskSizeHundredths: msg.optionalCount("yes_ask_size_fp", undefined, "nonNegative"),
    lastTradeSizeHundredths: msg.optionalCount("last_trade_size_fp", undefined, "nonNegative"),
    volumeHundredths: msg.optionalCount("volume_fp", "volume", "nonNegative"),
    openInterestHundredths: msg.optionalCount("open_interest_fp", "open_interest", "nonNegative"),
    dollarVolumeMicros: msg.optionalMicros("dollar_volume"),
    dollarOpenInterestMicros: msg.optionalMicros("dollar_open_interest"),
    tsMs: msg.optionalTimestampMs("ts_ms", "ts"),
  });
}

function parseMarketLifecycle(env: FieldReader): MarketLifecycleMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "market_lifecycle_v2",
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
    marketTicker: msg.requireString("market_ticker"),
    eventType: msg.requireString("event_type"),
    openTsMs: msg.optionalTimestampMs(undefined, "open_ts"),
    closeTsMs: msg.optionalTimestampMs(undefined, "close_ts"),
    determinationTsMs: msg.optionalTimestampMs(undefined, "determination_ts"),
    settledTsMs: msg.optionalTimestampMs(undefined, "settled_ts"),
    result: msg.optionalString("result"),
    settlementValueMicros: msg.optionalMicros("settlement_value"),
    isDeactivated: msg.optionalBool("is_deactivated"),
    priceLevelStructure: msg.raw("price_level_structure"),
    additionalMetadata: msg.optionalObject("additional_metadata")?.record,
  });
}

function parseOrderGroupUpdate(env: FieldReader): OrderGroupUpdateMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "order_group_updates",
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
    eventType: msg.requireString("event_type"),
    orderGroupId: msg.requireString("order_group_id"),
    contractsLimitHundredths: msg.optionalCount("contracts_limit_fp", "contracts_limit", "positive"),
    exchangeIndex: msg.lenientInt("exchange_index"),
  });
}

function parseEventLifecycle(env: FieldReader): EventLifecycleMessage {
  const msg = env.requireObject("msg");
  return withoutUndefined({
    kind: "event_lifecycle",
    sid: env.optionalInt("sid"),
    seq: env.optionalInt("seq"),
    eventTicker: msg.requireString("event_ticker"),
    title: msg.optionalString("title"),
    subtitle: msg.optionalString("subtitle"),
    collateralReturnType: msg.optionalString("collateral_return_type"),
    seriesTicker: msg.optionalString("series_ticker"),
    strikeDateTsMs: msg.optionalTimestampMs(undefined, "strike_date"),
    strikePeriod: msg.optionalString("strike_period"),
  });
}

// ---- field readers ----

/**
 * Typed parser for every Kalshi WebSocket server message (kalshi-protocol.md §2). Pure, no state;
 * used by io for the cold path (command replies, fills, orders, positions, public data) and as the
 * readable reference for book messages, whose hot path is the byte scanner in frame-scanner.ts.
 *
 * Shape: JSON.parse, then one small function per message type built from the field readers in
 * `FieldReader`. Both the current wire (`*_dollars` / `*_fp`) and the legacy integer-cent wire are
 * accepted, numbers or strings alike (kalshi-protocol.md §2.5, §3.1; observation-v1.md §3.2).
 */
import {
  type BookLevel,
  type BookSide,
  type ContractSide,
  type ErrorMessage,
  type EventLifecycleMessage,
  type FillMessage,
  type MarketLifecycleMessage,
  type MarketPositionMessage,
  MessageParseError,
  type MessageParseErrorDetails,
  type MessageParseReason,
  type OkMessage,
  type OrderAction,
  type OrderbookDeltaMessage,
  type OrderbookSnapshotMessage,
  type ServerMessage,
  type SubscribedMessage,
  type SubscriptionEntry,
  type TickerMessage,
  type TradeMessage,
  type UnsubscribedMessage,
  type UserOrderMessage,
} from "./message-types.js";
import {
  centsToTicks,
  countToHundredths,
  dollarsToMicros,
  dollarsToTicks,
  parseScaledDecimal,
  scaleJsonNumber,
} from "./units.js";

export * from "./message-types.js";

const SIDES: readonly ContractSide[] = ["yes", "no"];
const ACTIONS: readonly OrderAction[] = ["buy", "sell"];
const BOOK_SIDES: readonly BookSide[] = ["bid", "ask"];

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

// ---- command replies (kalshi-protocol.md §2.3) ----

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
    code: msg.requireInt("code"),
    message: msg.optionalString("msg") ?? "",
    marketTicker: msg.optionalString("market_ticker"),
    marketId: msg.optionalString("market_id"),
  });
}

// ---- book messages (kalshi-protocol.md §2.5, observation-v1.md §3) ----

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

// ---- private channels (kalshi-protocol.md §2.7) ----

function parseFill(env: FieldReader): FillMessage {
  const msg = env.requireObject("msg");
  const orderSide = msg.optionalEnum("side", SIDES);
  const side =
    msg.optionalEnum("outcome_side", SIDES) ??
    msg.optionalEnum("purchased_side", SIDES) ??
    orderSide ??
    msg.missing("outcome_side", "side");
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
    action: msg.requireEnum("action", ACTIONS),
    bookSide: msg.optionalEnum("book_side", BOOK_SIDES),
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
  // Legacy money fields are integer centi-cents (1/10,000 $) — kalshi-protocol.md §2.7.
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

// ---- public data channels (kalshi-protocol.md §2.7) ----

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

interface ReaderContext {
  type: string;
  /** sid/seq/market ticker of the frame, copied into every error (MessageParseErrorDetails). */
  details: MessageParseErrorDetails;
}

/** "bookChange": signed, within the int32 size of a BookTable level. */
type CountSign = "signed" | "nonNegative" | "positive" | "bookChange";
type PriceUnit = "dollars" | "cents";
interface SnapshotSide {
  levels: BookLevel[];
  skipped: number;
  replaced: number;
}

/** BookTable holds level sizes as int32 hundredths (MAX_LEVEL_HUNDREDTHS); frame-scanner.ts agrees. */
const MAX_BOOK_SIZE_HUNDREDTHS = 0x7fffffff;
const INT_TEXT = /^\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const RFC3339_START = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Reads typed fields of one JSON object of a frame (the envelope, `msg`, or a list entry).
 * Absent and `null` read the same; a present value of the wrong kind throws MessageParseError
 * naming the wire path (`msg.price_dollars`) and the value.
 */
class FieldReader {
  constructor(
    readonly record: Record<string, unknown>,
    private readonly prefix: string,
    private readonly ctx: ReaderContext,
  ) {}

  raw(key: string): unknown {
    const v = Object.hasOwn(this.record, key) ? this.record[key] : undefined;
    return v === null ? undefined : v;
  }

  missing(key: string, legacyKey?: string): never {
    const legacy = legacyKey === undefined ? "" : ` (or legacy ${this.prefix}${legacyKey})`;
    throw this.error("missing_field", key, `missing ${this.prefix}${key}${legacy}`);
  }

  invalid(reason: MessageParseReason, key: string, problem: string): never {
    throw this.error(reason, key, `${this.prefix}${key} ${show(this.raw(key))} ${problem}`);
  }

  requireString(key: string, altKey?: string): string {
    const used = this.raw(key) === undefined && altKey !== undefined ? altKey : key;
    const v = this.raw(used);
    if (v === undefined) return this.missing(key);
    if (typeof v !== "string" || v === "")
      return this.invalid("invalid_field", used, "is not a non-empty string");
    return v;
  }

  /** A non-empty string, else absent: for extras that must not reject a book message. */
  lenientString(key: string): string | undefined {
    const v = this.raw(key);
    return typeof v === "string" && v !== "" ? v : undefined;
  }

  /** "" reads as absent. */
  optionalString(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === "") return undefined;
    return typeof v === "string" ? v : this.invalid("invalid_field", key, "is not a string");
  }

  optionalStringArray(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
      return this.invalid("invalid_field", key, "is not an array of strings");
    }
    return v;
  }

  /** An integer JSON number or digit string; anything else reads as absent (observation-v1.md §3.5). */
  lenientInt(key: string): number | undefined {
    return lenientInt(this.raw(key));
  }

  requireInt(key: string): number {
    return this.optionalInt(key) ?? this.missing(key);
  }

  optionalInt(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    return lenientInt(v) ?? this.invalid("invalid_field", key, "is not an integer");
  }

  requireBool(key: string): boolean {
    return this.optionalBool(key) ?? this.missing(key);
  }

  optionalBool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === "boolean") return v;
    return this.invalid("invalid_field", key, "is not true or false");
  }

  requireEnum<T extends string>(key: string, allowed: readonly T[]): T {
    return this.optionalEnum(key, allowed) ?? this.missing(key);
  }

  optionalEnum<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (allowed.includes(v as T)) return v as T;
    return this.invalid("invalid_field", key, `must be ${allowed.map((a) => `"${a}"`).join(" or ")}`);
  }

  requireObject(key: string): FieldReader {
    return this.optionalObject(key) ?? this.missing(key);
  }

  optionalObject(key: string): FieldReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || Array.isArray(v))
      return this.invalid("invalid_field", key, "is not an object");
    return new FieldReader(v as Record<string, unknown>, `${this.prefix}${key}.`, this.ctx);
  }

  /** undefined when the value is not an array, so the caller can try another shape. */
  optionalObjectArray(key: string): FieldReader[] | undefined {
    const v = this.raw(key);
    if (!Array.isArray(v)) return undefined;
    return v.map((entry, i) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        return this.invalid("invalid_field", key, `has entry ${i} that is not an object`);
      }
      return new FieldReader(entry as Record<string, unknown>, `${this.prefix}${key}[${i}].`, this.ctx);
    });
  }

  /** Current dollar field if present and not null, else the legacy integer-cent field. */
  requirePriceTicks(dollarsKey: string, centsKey: string): number {
    return this.optionalPriceTicks(dollarsKey, centsKey) ?? this.missing(dollarsKey, centsKey);
  }

  optionalPriceTicks(dollarsKey: string, centsKey: string): number | undefined {
    const [key, unit] =
      this.raw(dollarsKey) !== undefined ? [dollarsKey, "dollars" as const] : [centsKey, "cents" as const];
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const ticks = priceToTicks(v, unit);
    return Number.isNaN(ticks) ? this.invalid("invalid_price", key, priceProblem(v, unit)) : ticks;
  }

  /** A quote that may be empty: "" (nothing traded), $0 (no bid) and $1 (no ask) read as absent. */
  optionalQuoteTicks(dollarsKey: string, centsKey: string): number | undefined {
    const unit: PriceUnit = this.raw(dollarsKey) !== undefined ? "dollars" : "cents";
    const v = this.raw(unit === "dollars" ? dollarsKey : centsKey);
    const scale = unit === "dollars" ? 3 : 0;
    const full = unit === "dollars" ? 1000 : 100;
    if (v === "" || scaled(v, scale) === 0 || scaled(v, scale) === full) return undefined;
    return this.optionalPriceTicks(dollarsKey, centsKey);
  }

  requireCount(fpKey: string, legacyKey: string | undefined, sign: CountSign): number {
    return this.optionalCount(fpKey, legacyKey, sign) ?? this.missing(fpKey, legacyKey);
  }

  /** `*_fp` if present and not null, else the legacy integer count; both → hundredths. */
  optionalCount(fpKey: string, legacyKey: string | undefined, sign: CountSign): number | undefined {
    const key = this.raw(fpKey) === undefined && legacyKey !== undefined ? legacyKey : fpKey;
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const hundredths = typeof v === "string" || typeof v === "number" ? countToHundredths(v) : Number.NaN;
    if (Number.isNaN(hundredths)) {
      return this.invalid("invalid_count", key, decimalProblem(v, 2, "has more than 2 decimals"));
    }
    if (sign === "positive" && hundredths <= 0) return this.invalid("invalid_count", key, "is not positive");
    if (sign === "nonNegative" && hundredths < 0) return this.invalid("invalid_count", key, "is negative");
    if (sign === "bookChange" && Math.abs(hundredths) > MAX_BOOK_SIZE_HUNDREDTHS) {
      return this.invalid("invalid_count", key, "is beyond the int32 size of a book level");
    }
    return hundredths;
  }

  /** A dollar amount → micros; else the legacy integer centi-cent field (1/10,000 $) → micros. */
  optionalMicros(dollarsKey: string, centiCentsKey?: string): number | undefined {
    if (this.raw(dollarsKey) === undefined && centiCentsKey !== undefined) {
      const v = this.raw(centiCentsKey);
      if (v === undefined) return undefined;
      const micros = scaled(v, 0) * 100;
      if (Number.isSafeInteger(micros)) return micros;
      return this.invalid(
        "invalid_field",
        centiCentsKey,
        decimalProblem(v, 0, "is not a whole number of centi-cents"),
      );
    }
    const v = this.raw(dollarsKey);
    if (v === undefined) return undefined;
    const micros = typeof v === "string" || typeof v === "number" ? dollarsToMicros(v) : Number.NaN;
    if (!Number.isNaN(micros)) return micros;
    return this.invalid("invalid_field", dollarsKey, decimalProblem(v, 6, "has more than 6 decimals"));
  }

  requireTimestampMs(msKey: string, secondsKey: string): number {
    return this.optionalTimestampMs(msKey, secondsKey) ?? this.missing(msKey, secondsKey);
  }

  /** `msKey` as integer ms, else `secondsKey` as integer Unix seconds or an RFC 3339 string. */
  optionalTimestampMs(msKey: string | undefined, secondsKey: string | undefined): number | undefined {
    if (msKey !== undefined && this.raw(msKey) !== undefined) {
      return this.lenientInt(msKey) ?? this.invalid("invalid_field", msKey, "is not an integer time in ms");
    }
    if (secondsKey === undefined) return undefined;
    const v = this.raw(secondsKey);
    if (v === undefined) return undefined;
    const seconds = lenientInt(v);
    if (seconds !== undefined && Number.isSafeInteger(seconds * 1000)) return seconds * 1000;
    const parsed = typeof v === "string" && RFC3339_START.test(v) ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(parsed)) return parsed;
    return this.invalid("invalid_field", secondsKey, "is not a Unix time in seconds or an RFC 3339 time");
  }

  /**
   * One side of a snapshot (observation-v1.md §3.3): the first key present and not null decides,
   * even when its value is not an array (then the side is empty). Invalid levels and counts ≤ 0
   * (or beyond int32) are skipped; a repeated price replaces the earlier level. Levels come out ascending by price.
   */
  snapshotSide(keys: readonly [dollarsFp: string, dollars: string, cents: string]): SnapshotSide {
    const index = keys.findIndex((key) => this.raw(key) !== undefined);
    const v = index < 0 ? undefined : this.raw(keys[index]);
    if (!Array.isArray(v)) return { levels: [], skipped: 0, replaced: 0 };
    const unit: PriceUnit = index === 2 ? "cents" : "dollars";
    const sizeByPrice = new Map<number, number>();
    let skipped = 0;
    let replaced = 0;
    for (const level of v) {
      const pair = Array.isArray(level) && level.length >= 2;
      const priceTicks = pair ? priceToTicks(level[0], unit) : Number.NaN;
      const count = pair ? level[1] : undefined;
      const sizeHundredths =
        typeof count === "string" || typeof count === "number" ? countToHundredths(count) : Number.NaN;
      if (Number.isNaN(priceTicks) || !(sizeHundredths > 0 && sizeHundredths <= MAX_BOOK_SIZE_HUNDREDTHS)) {
        skipped++;
        continue;
      }
      if (sizeByPrice.has(priceTicks)) replaced++;
      sizeByPrice.set(priceTicks, sizeHundredths);
    }
    const levels = [...sizeByPrice]
      .sort((a, b) => a[0] - b[0])
      .map(([priceTicks, sizeHundredths]) => ({ priceTicks, sizeHundredths }));
    return { levels, skipped, replaced };
  }

  private error(reason: MessageParseReason, key: string, text: string): MessageParseError {
    return new MessageParseError(`${this.ctx.type}: ${text}`, {
      ...this.ctx.details,
      reason,
      field: `${this.prefix}${key}`,
    });
  }
}

/** An integer JSON number, else undefined. */
function integerNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
}

/** An integer JSON number or a digit string, else undefined (observation-v1.md §3.5). */
function lenientInt(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== "string" || !INT_TEXT.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** ticks, or NaN when invalid (observation-v1.md §3.2). */
function priceToTicks(v: unknown, unit: PriceUnit): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  return unit === "dollars" ? dollarsToTicks(v) : centsToTicks(v);
}

/** The exact decimal value of a string or JSON number scaled by 10^scale, or NaN. */
function scaled(v: unknown, scale: number): number {
  if (typeof v === "number") return scaleJsonNumber(v, scale);
  return typeof v === "string" ? parseScaledDecimal(v, scale) : Number.NaN;
}

function priceProblem(v: unknown, unit: PriceUnit): string {
  if (unit === "dollars") {
    return Number.isNaN(scaled(v, 3))
      ? decimalProblem(v, 3, "is not on the $0.001 grid")
      : "is outside $0.001..$0.999";
  }
  const wholeCents = typeof v === "number" ? Number.isInteger(v) : !Number.isNaN(scaled(v, 0));
  return wholeCents ? "is outside 1..99 cents" : decimalProblem(v, 0, "is not a whole number of cents");
}

/** Why `v` is not a decimal with at most `scale` decimals; `offGrid` when only the grid is wrong. */
function decimalProblem(v: unknown, scale: number, offGrid: string): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "is not a finite number";
    return Math.abs(v) * 10 ** scale > Number.MAX_SAFE_INTEGER ? "is too large" : offGrid;
  }
  if (typeof v !== "string") return "is not a number or a decimal string";
  if (!DECIMAL_TEXT.test(v)) return "is not a decimal number";
  const dot = v.indexOf(".");
  if (dot >= 0 && /[1-9]/.test(v.slice(dot + 1 + scale))) return offGrid;
  return "is too large or too long";
}

function show(v: unknown): string {
  const text = typeof v === "number" ? String(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Drops keys whose value is undefined so absent wire fields are absent, not `undefined`, here. */
function withoutUndefined<T extends object>(message: T): T {
  const record = message as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return message;
}

/**
 * Kalshi REST v2 wire types and their parsed, integer-unit forms (pure; cold path).
 *
 * Writes use the V2 order-entry endpoints (kalshi-api-notes.md): book side `bid|ask` and one
 * YES-leg `price`. Reads parse defensively (§ "Read this first"): current `*_dollars` / `*_fp`
 * strings first, legacy integer fields if present, numbers or strings. Everything is converted
 * to ticks ($0.0001), hundredths of a contract and micros ($0.000001) (units.ts).
 */
import { bookSideField, countField, type Json, moneyField, yesPriceField } from "./adapter/field-rules.js";
import { type PriceGrid, parsePriceRanges } from "./price-grid.js";
import { countToHundredths, dollarsToMicros, dollarsToTicks } from "./units.js";
import type { BookSide, OrderStatus, SelfTradePrevention, TimeInForce } from "./vocabulary.js";

/** `POST /portfolio/events/orders` body (kalshi-api-notes.md). */
export interface V2CreateOrderBody {
  ticker: string;
  client_order_id: string;
  side: BookSide;
  /** fixed-point count, 2 decimals: "10.00" */
  count: string;
  /** YES-leg price in dollars, 4 decimals: "0.5600" */
  price: string;
  time_in_force: TimeInForce;
  self_trade_prevention_type: SelfTradePrevention;
  expiration_time?: number;
  post_only?: boolean;
  reduce_only?: boolean;
  cancel_order_on_pause?: boolean;
  order_group_id?: string;
  subaccount?: number;
}

/** `POST /portfolio/events/orders/{id}/amend` body: `count` is the new TOTAL count. */
export interface V2AmendOrderBody {
  ticker: string;
  side: BookSide;
  price: string;
  count: string;
  client_order_id: string;
  updated_client_order_id: string;
}

/**
 * Where an existing order lives (kalshi-api-notes.md): cancel, decrease and batch-cancel items
 * are routed by the order's market (and its exchange shard when known). Without a route Kalshi
 * sends them to shard 0, where an order of another shard is unknown and keeps resting.
 */
export interface OrderRoute {
  marketTicker: string;
  /** the market's `exchange_index`, when known */
  exchangeIndex?: number;
}

/** Parsed create / amend response. */
export interface OrderAck {
  orderId: string;
  clientOrderId: string;
  fillCountHundredths: number;
  remainingCountHundredths: number;
  tsMs: number;
  /** 0 when absent (no fills yet) */
  averageFillPriceTicks: number;
  averageFeePaidMicros: number;
}

/** Parsed cancel / batch-cancel item. */
export interface CancelAck {
  orderId: string;
  clientOrderId: string;
  reducedByHundredths: number;
  tsMs: number;
}

/** An order group (kalshi-api-notes.md): a contract limit over a rolling 15 s window. */
export interface OrderGroupState {
  orderGroupId: string;
  contractsLimitHundredths: number;
  /** the shard the group lives on (groups do not work across shards) */
  exchangeIndex: number;
}

export interface DecreaseAck {
  orderId: string;
  clientOrderId: string;
  remainingCountHundredths: number;
  tsMs: number;
}

/** Parsed Order object of `GET /portfolio/orders` (kalshi-api-notes.md). */
export interface RestOrder {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  side: BookSide;
  status: OrderStatus | string;
  yesPriceTicks: number;
  fillCountHundredths: number;
  remainingCountHundredths: number;
  initialCountHundredths: number;
  takerFeesMicros: number;
  makerFeesMicros: number;
  createdTime: string;
}

/** Parsed Fill of `GET /portfolio/fills`. */
export interface RestFill {
  fillId: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  ticker: string;
  /** "" when the wire says nothing that gives a book side */
  side: BookSide | "";
  yesPriceTicks: number;
  countHundredths: number;
  isTaker: boolean;
  feeMicros: number;
  createdTime: string;
  tsMs: number;
}

/** Parsed market position of `GET /portfolio/positions`. */
export interface RestPosition {
  ticker: string;
  /** signed: + YES, − NO */
  positionHundredths: number;
  marketExposureMicros: number;
  realizedPnlMicros: number;
  feesPaidMicros: number;
  restingOrdersCount: number;
}

/** Parsed settlement of `GET /portfolio/settlements`. */
export interface RestSettlement {
  ticker: string;
  /** yes, no, scalar or void */
  marketResult: string;
  /** `value`: the payout of one YES contract (integer cents on the wire), when given */
  yesValueMicros?: number;
  yesCountHundredths: number;
  noCountHundredths: number;
  revenueMicros: number;
  settledTsMs: number;
}

/** Parsed `GET /portfolio/balance`: `balance` is integer cents; `balance_dollars` keeps sub-cents. */
export interface RestBalance {
  balanceMicros: number;
  /**
   * `balance_breakdown`: available cash per exchange shard, index = `exchange_index` (shards the
   * answer does not name hold 0); empty when the answer has no breakdown (a pre-sharding exchange:
   * everything is shard 0's).
   */
  shardBalanceMicros: number[];
  portfolioValueMicros: number;
  updatedTs: number;
}

export interface RestMarket {
  ticker: string;
  eventTicker: string;
  status: string;
  priceLevelStructure: string;
  /** the exchange shard the market lives on (`exchange_index`; 0 when absent) */
  exchangeIndex: number;
  /**
   * its series (`series_ticker`; when absent, the event ticker up to its first "-", the form
   * Kalshi's event tickers take): the per-series fee schedule is read by it
   */
  seriesTicker: string;
  /**
   * The market's valid prices, from `price_ranges` (never from the structure's name); null when
   * the exchange did not send them.
   */
  priceGrid: PriceGrid | null;
  /** why `price_ranges` could not be read ("" when it could, or was absent) */
  priceRangesProblem: string;
  yesBidTicks: number;
  yesAskTicks: number;
  fractionalTradingEnabled: boolean;
}

/** Bids only, both sides, best LAST on the wire; parsed as [priceTicks, sizeHundredths][]. */
export interface RestOrderbook {
  yes: Array<[number, number]>;
  no: Array<[number, number]>;
}

/** A page of a cursor-paginated list; `cursor` is "" on the last page. */
export interface Page<T> {
  items: T[];
  cursor: string;
}

/** The error shapes of kalshi-api-notes.md, flattened. */
export interface RestErrorInfo {
  status: number;
  code: string;
  message: string;
  details: string;
}

/** Outcome of a write. Only `unknown` leaves the exchange state in doubt. */
export type WriteResult<T> =
  | { kind: "ok"; status: number; value: T }
  /** a definite refusal: 4xx other than 409 / 429; nothing was done */
  | { kind: "rejected"; error: RestErrorInfo }
  /** 409: the client_order_id already exists — look it up, it is ours */
  | { kind: "conflict"; error: RestErrorInfo }
  /** 429: not executed; back off */
  | { kind: "rate_limited"; error: RestErrorInfo }
  /** timeout, connection reset or 5xx: resolve by client_order_id (rule 15) */
  | { kind: "unknown"; reason: string };

export interface OrdersQuery {
  ticker?: string;
  eventTicker?: string;
  status?: "resting" | "canceled" | "executed";
  minTs?: number;
  maxTs?: number;
  cursor?: string;
  limit?: number;
}

export interface FillsQuery {
  ticker?: string;
  orderId?: string;
  minTs?: number;
  maxTs?: number;
  cursor?: string;
  limit?: number;
}

export interface MarketsQuery {
  status?: string;
  /** `mve_filter`: "exclude" leaves combo (multivariate) markets out (kalshi-api-notes.md) */
  mveFilter?: "exclude" | "only";
  eventTicker?: string;
  seriesTicker?: string;
  tickers?: string[];
  cursor?: string;
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Parsers: wire JSON → integer units. They never throw on a missing optional field; a required
// field that is missing or off-grid becomes NaN / "" and the caller decides.

function str(o: Json, ...keys: string[]): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
  }
  return "";
}

function num(o: Json, key: string): number {
  const v = o[key];
  if (typeof v === "number") return v;
  if (typeof v === "string" && v !== "") return Number(v);
  return Number.NaN;
}

export function parseOrderAck(o: Json): OrderAck {
  const avg = o.average_fill_price;
  return {
    orderId: str(o, "order_id"),
    clientOrderId: str(o, "client_order_id"),
    fillCountHundredths: countField(o, "fill_count_fp", "fill_count") || 0,
    remainingCountHundredths: countField(o, "remaining_count_fp", "remaining_count"),
    tsMs: num(o, "ts_ms"),
    averageFillPriceTicks: typeof avg === "string" || typeof avg === "number" ? dollarsToTicks(avg) : 0,
    averageFeePaidMicros: moneyField(o, "average_fee_paid"),
  };
}

export function parseCancelAck(o: Json): CancelAck {
  return {
    orderId: str(o, "order_id"),
    clientOrderId: str(o, "client_order_id"),
    reducedByHundredths: countField(o, "reduced_by_fp", "reduced_by"),
    tsMs: num(o, "ts_ms"),
  };
}

export function parseOrderGroup(o: Json): OrderGroupState {
  return {
    orderGroupId: str(o, "order_group_id", "id"),
    contractsLimitHundredths: countField(o, "contracts_limit_fp", "contracts_limit"),
    exchangeIndex: shardOf(o.exchange_index),
  };
}

export function parseDecreaseAck(o: Json): DecreaseAck {
  return {
    orderId: str(o, "order_id"),
    clientOrderId: str(o, "client_order_id"),
    remainingCountHundredths: countField(o, "remaining_count_fp", "remaining_count"),
    tsMs: num(o, "ts_ms"),
  };
}

export function parseRestOrder(o: Json): RestOrder {
  return {
    orderId: str(o, "order_id"),
    clientOrderId: str(o, "client_order_id"),
    ticker: str(o, "ticker", "market_ticker"),
    side: bookSideField(o) || "bid",
    status: str(o, "status"),
    yesPriceTicks: yesPriceField(o),
    fillCountHundredths: countField(o, "fill_count_fp", "fill_count"),
    remainingCountHundredths: countField(o, "remaining_count_fp", "remaining_count"),
    initialCountHundredths: countField(o, "initial_count_fp", "initial_count"),
    takerFeesMicros: moneyField(o, "taker_fees_dollars"),
    makerFeesMicros: moneyField(o, "maker_fees_dollars"),
    createdTime: str(o, "created_time"),
  };
}

export function parseRestFill(o: Json): RestFill {
  const ts = num(o, "ts_ms");
  const tsSec = num(o, "ts");
  return {
    fillId: str(o, "fill_id", "trade_id"),
    tradeId: str(o, "trade_id", "fill_id"),
    orderId: str(o, "order_id"),
    clientOrderId: str(o, "client_order_id"),
    ticker: str(o, "ticker", "market_ticker"),
    side: bookSideField(o),
    yesPriceTicks: yesPriceField(o),
    countHundredths: countField(o, "count_fp", "count"),
    isTaker: o.is_taker === true,
    feeMicros: moneyField(o, "fee_cost"),
    createdTime: str(o, "created_time"),
    tsMs: Number.isFinite(ts) ? ts : Number.isFinite(tsSec) ? tsSec * 1000 : Number.NaN,
  };
}

export function parseRestSettlement(o: Json): RestSettlement {
  const value = num(o, "value");
  const settled = Date.parse(str(o, "settled_time"));
  const s: RestSettlement = {
    ticker: str(o, "ticker", "market_ticker"),
    marketResult: str(o, "market_result"),
    yesCountHundredths: countField(o, "yes_count_fp", "yes_count") || 0,
    noCountHundredths: countField(o, "no_count_fp", "no_count") || 0,
    revenueMicros: (num(o, "revenue") || 0) * 10_000,
    settledTsMs: Number.isFinite(settled) ? settled : 0,
  };
  if (Number.isSafeInteger(value)) s.yesValueMicros = value * 10_000;
  return s;
}

export function parseRestPosition(o: Json): RestPosition {
  return {
    ticker: str(o, "ticker", "market_ticker"),
    positionHundredths: countField(o, "position_fp", "position"),
    marketExposureMicros: moneyField(o, "market_exposure_dollars"),
    realizedPnlMicros: moneyField(o, "realized_pnl_dollars"),
    feesPaidMicros: moneyField(o, "fees_paid_dollars"),
    restingOrdersCount: num(o, "resting_orders_count") || 0,
  };
}

/** `balance_dollars` keeps sub-cents; `balance` is integer cents (kalshi-api-notes.md). */
export function parseRestBalance(o: Json): RestBalance {
  const bd = o.balance_dollars;
  const balanceMicros =
    typeof bd === "string" || typeof bd === "number" ? dollarsToMicros(bd) : num(o, "balance") * 10_000;
  const pv = num(o, "portfolio_value");
  return {
    balanceMicros,
    shardBalanceMicros: parseBalanceBreakdown(o.balance_breakdown),
    portfolioValueMicros: Number.isFinite(pv) ? pv * 10_000 : 0,
    updatedTs: num(o, "updated_ts"),
  };
}

export function parseRestMarket(o: Json): RestMarket {
  const bid = o.yes_bid_dollars;
  const ask = o.yes_ask_dollars;
  let priceGrid: PriceGrid | null = null;
  let priceRangesProblem = "";
  try {
    priceGrid = parsePriceRanges(o.price_ranges);
  } catch (e) {
    priceRangesProblem = e instanceof Error ? e.message : String(e);
  }
  return {
    ticker: str(o, "ticker"),
    eventTicker: str(o, "event_ticker"),
    status: str(o, "status"),
    priceLevelStructure: str(o, "price_level_structure") || "linear_cent",
    exchangeIndex: shardOf(o.exchange_index),
    seriesTicker: str(o, "series_ticker") || str(o, "event_ticker").split("-")[0]!,
    priceGrid,
    priceRangesProblem,
    yesBidTicks: typeof bid === "string" || typeof bid === "number" ? dollarsToTicks(bid) || 0 : 0,
    yesAskTicks: typeof ask === "string" || typeof ask === "number" ? dollarsToTicks(ask) || 0 : 0,
    fractionalTradingEnabled: o.fractional_trading_enabled === true,
  };
}

function levels(v: unknown): Array<[number, number]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[number, number]> = [];
  for (const l of v) {
    if (!Array.isArray(l) || l.length < 2) continue;
    const p = dollarsToTicks(l[0] as string | number);
    const c = countToHundredths(l[1] as string | number);
    if (!Number.isNaN(p) && !Number.isNaN(c)) out.push([p, c]);
  }
  // best LAST on the wire; sort defensively ascending (kalshi-api-notes.md, book wire)
  return out.sort((a, b) => a[0] - b[0]);
}

export function parseRestOrderbook(o: Json): RestOrderbook {
  const ob = (o.orderbook_fp ?? o.orderbook ?? {}) as Json;
  return { yes: levels(ob.yes_dollars ?? ob.yes), no: levels(ob.no_dollars ?? ob.no) };
}

/** Flattens the three error shapes and the 429 string body (kalshi-api-notes.md). */
export function parseErrorBody(status: number, text: string): RestErrorInfo {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return { status, code: "", message: text.slice(0, 200), details: "" };
  }
  if (o === null || typeof o !== "object") return { status, code: "", message: String(o), details: "" };
  const j = o as Json;
  const e = j.error;
  if (e !== null && typeof e === "object") {
    const n = e as Json;
    return { status, code: str(n, "code"), message: str(n, "message"), details: str(n, "details") };
  }
  if (typeof e === "string") return { status, code: "", message: e, details: "" };
  return { status, code: str(j, "code"), message: str(j, "message", "msg"), details: str(j, "details") };
}

/** An `exchange_index` (a non-negative integer); absent or malformed reads as the default shard 0. */
/**
 * `balance_breakdown` entries `{exchange_index, balance}`: `balance` a dollar string (or
 * `balance_dollars`), an integer count of cents when a number, like the top-level `balance`.
 * Malformed entries are skipped; an absent breakdown is [].
 */
function parseBalanceBreakdown(v: unknown): number[] {
  const shards: number[] = [];
  if (!Array.isArray(v)) return shards;
  for (const e of v) {
    if (typeof e !== "object" || e === null) continue;
    const entry = e as Json;
    const k = shardOf(entry.exchange_index);
    const text = entry.balance_dollars ?? entry.balance;
    const micros =
      typeof text === "string"
        ? dollarsToMicros(text)
        : typeof text === "number"
          ? text * 10_000
          : Number.NaN;
    if (!Number.isSafeInteger(micros) || k > 1023) continue;
    while (shards.length <= k) shards.push(0);
    shards[k] = micros;
  }
  return shards;
}

function shardOf(v: unknown): number {
  const n = typeof v === "string" && v !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * Kalshi REST v2 wire types and their parsed, integer-unit forms (pure; cold path).
 *
 * Writes use the V2 order-entry endpoints (kalshi-protocol.md §3.3): book side `bid|ask` and one
 * YES-leg `price`. Reads parse defensively (§ "Read this first"): current `*_dollars` / `*_fp`
 * strings first, legacy integer fields if present, numbers or strings. Everything is converted
 * to ticks ($0.001), hundredths of a contract and micros ($0.000001) (units.ts).
 */

export type V2Side = "bid" | "ask";
export type TimeInForce = "fill_or_kill" | "good_till_canceled" | "immediate_or_cancel";
export type SelfTradePrevention = "taker_at_cross" | "maker";

/** `POST /portfolio/events/orders` body (kalshi-protocol.md §3.3). */
export interface V2CreateOrderBody {
  ticker: string;
  client_order_id: string;
  side: V2Side;
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
  subaccount?: number;
}

/** `POST /portfolio/events/orders/{id}/amend` body: `count` is the new TOTAL count. */
export interface V2AmendOrderBody {
  ticker: string;
  side: V2Side;
  price: string;
  count: string;
  client_order_id: string;
  updated_client_order_id: string;
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

export interface DecreaseAck {
  orderId: string;
  clientOrderId: string;
  remainingCountHundredths: number;
  tsMs: number;
}

export type OrderStatus = "resting" | "canceled" | "executed";

/** Parsed Order object of `GET /portfolio/orders` (kalshi-protocol.md §3.5). */
export interface RestOrder {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  side: V2Side;
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
  side: V2Side;
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

/** Parsed `GET /portfolio/balance`: `balance` is integer cents; `balance_dollars` keeps sub-cents. */
export interface RestBalance {
  balanceMicros: number;
  portfolioValueMicros: number;
  updatedTs: number;
}

export interface RestMarket {
  ticker: string;
  eventTicker: string;
  status: string;
  priceLevelStructure: string;
  yesBidTicks: number;
  yesAskTicks: number;
  fractionalTradingEnabled: boolean;
}

/** Bids only, both sides, best LAST on the wire; parsed as [priceTicks, sizeHundredths][]. */
export interface RestOrderbook {
  yes: Array<[number, number]>;
  no: Array<[number, number]>;
}

/** A page of a cursor-paginated list; `cursor` is "" on the last page (§3.1). */
export interface Page<T> {
  items: T[];
  cursor: string;
}

/** The error shapes of kalshi-protocol.md §3.6, flattened. */
export interface RestErrorInfo {
  status: number;
  code: string;
  message: string;
  details: string;
}

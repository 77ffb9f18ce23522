/**
 * Kalshi JSON renderers for the paper exchange's views: the ONE place dollar strings are made
 * (kalshi-api-notes.md). Prices `*_dollars` with 4 decimals, counts `*_fp` with 2,
 * money from exact micros; `balance`/`portfolio_value` are integer cents (truncated).
 */
import { formatHundredths, formatMicros, formatTicks, TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type {
  BalanceView,
  ExchangeError,
  FillView,
  MarketView,
  OrderbookView,
  OrderView,
  PositionView,
  SettlementView,
  TransferView,
} from "./api.js";
import { priceRanges } from "./grid.js";

const iso = (tsMs: number): string => new Date(tsMs).toISOString();
const seconds = (tsMs: number): number => Math.floor(tsMs / 1000);
const cents = (micros: number): number => Math.trunc(micros / 10_000);

/** Deprecated `side`/`action` pair and current `outcome_side`/`book_side` (bid ≡ yes, ask ≡ no). */
function sides(side: "bid" | "ask"): Record<string, string> {
  const outcome = side === "bid" ? "yes" : "no";
  return { side: outcome, action: "buy", outcome_side: outcome, book_side: side, purchased_side: outcome };
}

/** Average per contract from a total over hundredths, rounded to the micro. */
function perContractMicros(totalMicros: number, hundredths: number): number {
  return Math.round((totalMicros * 100) / hundredths);
}

/** Average fill price on the YES leg (V2 `price` convention) of an order with fills. */
function averageYesPriceMicros(o: OrderView): number {
  const legAverage = perContractMicros(o.takerFillCostMicros + o.makerFillCostMicros, o.fillHundredths);
  return o.side === "bid" ? legAverage : 1_000_000 - legAverage;
}

export function renderOrder(o: OrderView): Record<string, unknown> {
  return {
    order_id: o.orderId,
    user_id: o.userId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    ...sides(o.side),
    type: "limit",
    status: o.status,
    yes_price_dollars: formatTicks(o.yesPriceTicks),
    no_price_dollars: formatTicks(TICKS_PER_DOLLAR - o.yesPriceTicks),
    fill_count_fp: formatHundredths(o.fillHundredths),
    remaining_count_fp: formatHundredths(o.remainingHundredths),
    initial_count_fp: formatHundredths(o.initialHundredths),
    taker_fill_cost_dollars: formatMicros(o.takerFillCostMicros),
    maker_fill_cost_dollars: formatMicros(o.makerFillCostMicros),
    taker_fees_dollars: formatMicros(o.takerFeesMicros),
    maker_fees_dollars: formatMicros(o.makerFeesMicros),
    time_in_force: o.timeInForce,
    post_only: o.postOnly,
    reduce_only: o.reduceOnly,
    expiration_time: o.expirationTsMs === undefined ? null : iso(o.expirationTsMs),
    expiration_ts_ms: o.expirationTsMs ?? null,
    created_time: iso(o.createdTsMs),
    created_ts_ms: o.createdTsMs,
    last_update_time: iso(o.lastUpdateTsMs),
    last_update_reason: o.lastUpdateReason,
    self_trade_prevention_type: o.selfTradePrevention,
    order_group_id: o.orderGroupId ?? null,
    cancel_order_on_pause: o.cancelOrderOnPause,
    subaccount_number: 0,
    exchange_index: o.exchangeIndex,
  };
}

/** `POST /portfolio/events/orders` response (201). */
export function renderCreateOrderResponse(o: OrderView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    fill_count: formatHundredths(o.fillHundredths),
    remaining_count: formatHundredths(o.remainingHundredths),
    ts_ms: o.lastUpdateTsMs,
  };
  if (o.fillHundredths > 0) {
    out.average_fill_price = formatMicros(averageYesPriceMicros(o));
    out.average_fee_paid = formatMicros(
      perContractMicros(o.takerFeesMicros + o.makerFeesMicros, o.fillHundredths),
    );
  }
  return out;
}

/** `DELETE /portfolio/events/orders/{id}` response (also one batch-cancel item). */
export function renderCancelResponse(o: OrderView, reducedByHundredths: number): Record<string, unknown> {
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    reduced_by: formatHundredths(reducedByHundredths),
    ts_ms: o.lastUpdateTsMs,
  };
}

/** `POST .../amend` response. */
export function renderAmendResponse(o: OrderView): Record<string, unknown> {
  return renderCreateOrderResponse(o);
}

/** `POST .../decrease` response. */
export function renderDecreaseResponse(o: OrderView): Record<string, unknown> {
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    remaining_count: formatHundredths(o.remainingHundredths),
    ts_ms: o.lastUpdateTsMs,
  };
}

/** REST Fill object; add `post_position_fp` (included) for the WS `fill` message too. */
export function renderFill(f: FillView): Record<string, unknown> {
  return {
    fill_id: f.fillId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    client_order_id: f.clientOrderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    exchange_index: f.exchangeIndex,
    ...sides(f.side),
    action: f.action,
    count_fp: formatHundredths(f.countHundredths),
    yes_price_dollars: formatTicks(f.yesPriceTicks),
    no_price_dollars: formatTicks(TICKS_PER_DOLLAR - f.yesPriceTicks),
    is_taker: f.isTaker,
    fee_cost: formatMicros(f.feeMicros),
    post_position_fp: formatHundredths(f.postPositionHundredths),
    created_time: iso(f.tsMs),
    ts: seconds(f.tsMs),
    ts_ms: f.tsMs,
  };
}

/** REST MarketPosition (`market_exposure_dollars` = cost basis of the open contracts). */
export function renderPosition(p: PositionView): Record<string, unknown> {
  return {
    ticker: p.ticker,
    position_fp: formatHundredths(p.positionHundredths),
    total_traded_dollars: formatMicros(p.totalTradedMicros),
    market_exposure_dollars: formatMicros(p.costBasisMicros),
    realized_pnl_dollars: formatMicros(p.realizedPnlMicros),
    fees_paid_dollars: formatMicros(p.feesPaidMicros),
    resting_orders_count: p.restingOrdersCount,
    last_updated_ts: iso(p.lastUpdatedTsMs),
  };
}

/** WS `market_position` payload (kalshi-api-notes.md). */
export function renderMarketPositionMsg(userId: string, p: PositionView): Record<string, unknown> {
  return {
    user_id: userId,
    market_ticker: p.ticker,
    position_fp: formatHundredths(p.positionHundredths),
    position_cost_dollars: formatMicros(p.costBasisMicros),
    realized_pnl_dollars: formatMicros(p.realizedPnlMicros),
    fees_paid_dollars: formatMicros(p.feesPaidMicros),
    position_fee_cost_dollars: formatMicros(p.feesPaidMicros),
    volume_fp: formatHundredths(p.volumeHundredths),
    subaccount: 0,
  };
}

/**
 * `GET /portfolio/balance`: totals plus `balance_breakdown`, one entry per exchange shard with its
 * available cash as a dollar string (the entry shape follows public clients that read it; the
 * docs only say "balance broken down per exchange index").
 */
export function renderBalance(b: BalanceView): Record<string, unknown> {
  return {
    balance: cents(b.balanceMicros),
    balance_dollars: formatMicros(b.balanceMicros),
    portfolio_value: cents(b.portfolioValueMicros),
    updated_ts: seconds(b.updatedTsMs),
    balance_breakdown: b.shardBalanceMicros.map((micros, k) => ({
      exchange_index: k,
      balance: formatMicros(micros),
    })),
  };
}

/** `POST /portfolio/intra_exchange_instance_transfer` response. */
export function renderTransfer(t: TransferView): Record<string, unknown> {
  return { transfer_id: t.transferId };
}

export function renderSettlement(s: SettlementView): Record<string, unknown> {
  return {
    ticker: s.ticker,
    event_ticker: s.eventTicker,
    market_result: s.marketResult,
    yes_count_fp: formatHundredths(s.yesCountHundredths),
    yes_total_cost_dollars: formatMicros(s.yesTotalCostMicros),
    no_count_fp: formatHundredths(s.noCountHundredths),
    no_total_cost_dollars: formatMicros(s.noTotalCostMicros),
    revenue: cents(s.revenueMicros),
    value: s.marketResult === "yes" ? 100 : 0,
    fee_cost: "0.0000",
    settled_time: iso(s.settledTsMs),
  };
}

/** Market status in Kalshi's response vocabulary (kalshi-api-notes.md). */
export function renderMarket(m: MarketView): Record<string, unknown> {
  const bid = m.yesBidTicks;
  const ask = m.yesAskTicks;
  return {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    series_ticker: m.seriesTicker,
    category: m.category,
    exchange_index: m.exchangeIndex,
    ...(m.mveCollectionTicker === undefined ? {} : { mve_collection_ticker: m.mveCollectionTicker }),
    market_type: "binary",
    status: m.status,
    yes_bid_dollars: formatTicks(bid),
    yes_ask_dollars: formatTicks(ask === 0 ? TICKS_PER_DOLLAR : ask),
    no_bid_dollars: formatTicks(ask === 0 ? 0 : TICKS_PER_DOLLAR - ask),
    no_ask_dollars: formatTicks(TICKS_PER_DOLLAR - bid),
    yes_bid_size_fp: formatHundredths(m.yesBidSizeHundredths),
    yes_ask_size_fp: formatHundredths(m.yesAskSizeHundredths),
    last_price_dollars: formatTicks(m.lastPriceTicks),
    volume_fp: formatHundredths(m.volumeHundredths),
    open_interest_fp: formatHundredths(m.openInterestHundredths),
    notional_value_dollars: "1.0000",
    price_level_structure: m.priceLevelStructure,
    price_ranges: priceRanges(m.priceLevelStructure),
    fractional_trading_enabled: m.fractionalTradingEnabled,
    can_close_early: false,
    result: m.result ?? "",
    settlement_value_dollars: m.result === undefined ? null : m.result === "yes" ? "1.0000" : "0.0000",
    settlement_ts: m.settledTsMs === undefined ? null : iso(m.settledTsMs),
    close_time: m.closeTsMs === undefined ? null : iso(m.closeTsMs),
  };
}

/** `GET /markets/{ticker}/orderbook` body: bids only, ascending, NO on the NO scale. */
export function renderOrderbook(b: OrderbookView): Record<string, unknown> {
  const levels = (side: [number, number][]) => side.map(([p, s]) => [formatTicks(p), formatHundredths(s)]);
  return { orderbook_fp: { yes_dollars: levels(b.yes), no_dollars: levels(b.no) } };
}

/** Error body in Kalshi's nested shape (kalshi-api-notes.md); the HTTP status is `e.status`. */
export function renderError(e: ExchangeError): Record<string, unknown> {
  return { error: { code: e.code, message: e.message, details: "", service: "paper" } };
}

/**
 * WS frames of the private channels (`fill`, `user_orders`, `market_positions`) from the core's
 * views (kalshi-protocol.md §2.7). These are one per execution, not the hot path, so they are
 * rendered with JSON.stringify for correct escaping of client-chosen strings.
 *
 * A V2 `ask` fill is a NO purchase: side/outcome_side "no", action "buy", book_side "ask"
 * (kalshi-protocol.md §3.5 "A sell comes back on the opposite side").
 */
import { formatMicros } from "../../kalshi/units.js";
import type { FillView, OrderView, PositionView } from "../exchange/index.js";
import { countFp, countLegacy, priceDollars } from "./wire-format.js";

export function fillFrame(sid: number, f: FillView, legacy: boolean): string {
  const isBid = f.side === "bid";
  const side = isBid ? "yes" : "no";
  const sec = Math.floor(f.tsMs / 1000);
  const msg = legacy
    ? {
        trade_id: f.tradeId,
        order_id: f.orderId,
        client_order_id: f.clientOrderId,
        market_ticker: f.ticker,
        is_taker: f.isTaker,
        side,
        action: "buy",
        yes_price: f.yesPriceTicks / 10,
        no_price: (1000 - f.yesPriceTicks) / 10,
        count: Number(countLegacy(f.countHundredths)),
        post_position: Number(countLegacy(f.postPositionHundredths)),
        purchased_side: side,
        ts: sec,
      }
    : {
        trade_id: f.tradeId,
        order_id: f.orderId,
        client_order_id: f.clientOrderId,
        market_ticker: f.ticker,
        is_taker: f.isTaker,
        side,
        action: "buy",
        outcome_side: side,
        book_side: f.side,
        yes_price_dollars: priceDollars(f.yesPriceTicks),
        no_price_dollars: priceDollars(1000 - f.yesPriceTicks),
        count_fp: countFp(f.countHundredths),
        fee_cost: formatMicros(f.feeMicros),
        post_position_fp: countFp(f.postPositionHundredths),
        purchased_side: side,
        subaccount: 0,
        ts: sec,
        ts_ms: f.tsMs,
      };
  return `{"type":"fill","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

export function userOrderFrame(sid: number, o: OrderView): string {
  const side = o.side === "bid" ? "yes" : "no";
  const msg = {
    order_id: o.orderId,
    user_id: o.userId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    status: o.status,
    side,
    outcome_side: side,
    book_side: o.side,
    yes_price_dollars: priceDollars(o.yesPriceTicks),
    no_price_dollars: priceDollars(1000 - o.yesPriceTicks),
    fill_count_fp: countFp(o.fillHundredths),
    remaining_count_fp: countFp(o.remainingHundredths),
    initial_count_fp: countFp(o.initialHundredths),
    taker_fill_cost_dollars: formatMicros(o.takerFillCostMicros),
    maker_fill_cost_dollars: formatMicros(o.makerFillCostMicros),
    taker_fees_dollars: formatMicros(o.takerFeesMicros),
    maker_fees_dollars: formatMicros(o.makerFeesMicros),
    created_ts_ms: o.createdTsMs,
    last_update_ts_ms: o.lastUpdateTsMs,
    expiration_ts_ms: o.expirationTsMs ?? null,
    last_update_reason: o.lastUpdateReason,
    subaccount: 0,
  };
  return `{"type":"user_order","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

export function marketPositionFrame(sid: number, userId: string, p: PositionView, legacy: boolean): string {
  // Legacy money fields were centi-cents (1/10,000 $) = micros / 100 (§2.7).
  const msg = legacy
    ? {
        user_id: userId,
        market_ticker: p.ticker,
        position: Number(countLegacy(p.positionHundredths)),
        position_cost: Math.round(p.costBasisMicros / 100),
        realized_pnl: Math.round(p.realizedPnlMicros / 100),
        fees_paid: Math.round(p.feesPaidMicros / 100),
        volume: Number(countLegacy(p.volumeHundredths)),
      }
    : {
        user_id: userId,
        market_ticker: p.ticker,
        position_fp: countFp(p.positionHundredths),
        position_cost_dollars: formatMicros(p.costBasisMicros),
        realized_pnl_dollars: formatMicros(p.realizedPnlMicros),
        fees_paid_dollars: formatMicros(p.feesPaidMicros),
        position_fee_cost_dollars: formatMicros(p.feesPaidMicros),
        volume_fp: countFp(p.volumeHundredths),
        subaccount: 0,
      };
  return `{"type":"market_position","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

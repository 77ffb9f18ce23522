/**
 * WS frames of the private channels (`fill`, `user_orders`, `market_positions`) from the core's
 * views (kalshi-api-notes.md). These are one per execution, not the hot path, so they are
 * rendered with JSON.stringify for correct escaping of client-chosen strings.
 *
 * A V2 `ask` fill is a NO purchase: side/outcome_side "no", action "buy", book_side "ask"
 * (kalshi-api-notes.md).
 */
import { TICKS_PER_CENT, TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { FillView, GroupEvent, OrderGroupView, OrderView, PositionView } from "../exchange/index.js";
import { renderFill, renderMarketPositionMsg, renderOrder } from "../exchange/index.js";
import { countLegacy } from "./wire-format.js";

export function fillFrame(sid: number, f: FillView, legacy: boolean): string {
  const side = f.side === "bid" ? "yes" : "no";
  // Current wire: the core's REST Fill rendering (it carries post_position_fp) + subaccount.
  const msg = legacy
    ? {
        trade_id: f.tradeId,
        order_id: f.orderId,
        client_order_id: f.clientOrderId,
        market_ticker: f.ticker,
        is_taker: f.isTaker,
        side,
        action: "buy",
        yes_price: f.yesPriceTicks / TICKS_PER_CENT,
        no_price: (TICKS_PER_DOLLAR - f.yesPriceTicks) / TICKS_PER_CENT,
        count: Number(countLegacy(f.countHundredths)),
        post_position: Number(countLegacy(f.postPositionHundredths)),
        purchased_side: side,
        ts: Math.floor(f.tsMs / 1000),
      }
    : { ...renderFill(f), subaccount: 0 };
  return `{"type":"fill","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

/** `user_order`: the core's Order rendering, which carries every field seen on the wire. */
export function userOrderFrame(sid: number, o: OrderView): string {
  const msg = { ...renderOrder(o), last_update_ts_ms: o.lastUpdateTsMs };
  return `{"type":"user_order","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

export function marketPositionFrame(sid: number, userId: string, p: PositionView, legacy: boolean): string {
  // Legacy money fields were centi-cents (1/10,000 $) = micros / 100.
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
    : renderMarketPositionMsg(userId, p);
  return `{"type":"market_position","sid":${sid},"msg":${JSON.stringify(msg)}}`;
}

/**
 * `order_group_updates` (docs changelog 2026-01-22): lifecycle of the user's order groups with
 * the channel's own `seq`; `contracts_limit_fp` on created and limit_updated.
 */
export function groupUpdateFrame(sid: number, seq: number, g: OrderGroupView, event: GroupEvent): string {
  const msg: Record<string, unknown> = {
    event_type: event,
    order_group_id: g.orderGroupId,
    exchange_index: g.exchangeIndex,
  };
  if (event === "created" || event === "limit_updated")
    msg.contracts_limit_fp = (g.contractsLimitHundredths / 100).toFixed(2);
  return JSON.stringify({ type: "order_group_updates", sid, seq, msg });
}

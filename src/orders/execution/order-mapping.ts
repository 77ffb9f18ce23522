/**
 * Engine actions → Kalshi V2 order bodies (orders thread; pure).
 *
 * kalshi-api-notes.md mapping (V2 `price` is always the YES leg):
 *   BUY_YES at p  → bid @ p        SELL_YES at p → ask @ p
 *   BUY_NO  at q  → ask @ 1 − q    SELL_NO  at q → bid @ 1 − q
 * A sell closes held contracts only (correctness-rules.md rule 9): its size is clipped to what the ledger
 * says is held and not yet committed to another sell; nothing held → the sell is refused.
 */
import type { V2CreateOrderBody } from "../../kalshi/rest-types.js";
import { formatHundredths, formatTicks } from "../../kalshi/units.js";
import type { SelfTradePrevention, TimeInForce } from "../../kalshi/vocabulary.js";
import { bookSideOf, type EngineAction, isBuy, type Ledger, yesLegTicks } from "../accounts/ledger.js";

export interface CreateOrderOptions {
  timeInForce?: TimeInForce;
  selfTradePrevention?: SelfTradePrevention;
  postOnly?: boolean;
  subaccount?: number;
  /** every order joins this Kalshi order group (order-group.ts) */
  orderGroupId?: string;
}

export function toV2CreateBody(
  ticker: string,
  clientOrderId: string,
  action: EngineAction,
  ownPriceTicks: number,
  countHundredths: number,
  options: CreateOrderOptions = {},
): V2CreateOrderBody {
  const body: V2CreateOrderBody = {
    ticker,
    client_order_id: clientOrderId,
    side: bookSideOf(action),
    count: formatHundredths(countHundredths),
    price: formatTicks(yesLegTicks(action, ownPriceTicks)),
    time_in_force: options.timeInForce ?? "good_till_canceled",
    self_trade_prevention_type: options.selfTradePrevention ?? "taker_at_cross",
  };
  if (options.postOnly !== undefined) body.post_only = options.postOnly;
  if (options.subaccount !== undefined) body.subaccount = options.subaccount;
  if (options.orderGroupId) body.order_group_id = options.orderGroupId;
  return body;
}

export type SizeDecision =
  | { ok: true; countHundredths: number; clipped: boolean }
  | { ok: false; reason: "nothing_to_sell" | "zero_size" };

/**
 * How much of a decision can be sent: buys as asked; sells clipped to the sellable holding.
 * `workingSameActionHundredths` is what our own working order of the same action still has
 * resting: re-pricing it must not count it as "already committed" against itself.
 * `BUY_*` of the opposite side nets on Kalshi and needs no check here (risk does the limits).
 */
export function decideSize(
  ledger: Ledger,
  market: number,
  action: EngineAction,
  desiredHundredths: number,
  workingSameActionHundredths = 0,
): SizeDecision {
  if (desiredHundredths <= 0) return { ok: false, reason: "zero_size" };
  if (isBuy(action)) return { ok: true, countHundredths: desiredHundredths, clipped: false };
  const sellable =
    ledger.sellableHundredths(market, action as "SELL_YES" | "SELL_NO") + workingSameActionHundredths;
  if (sellable <= 0) return { ok: false, reason: "nothing_to_sell" };
  const count = Math.min(sellable, desiredHundredths);
  return { ok: true, countHundredths: count, clipped: count < desiredHundredths };
}

/**
 * Market lifecycle: pauses, closes and settlement (kalshi-api-notes.md).
 * Settlement at a chosen result pays $1 per winning contract, realises P&L against the cost
 * basis and clears positions; plain yes/no settlement carries no fee.
 */
import type { LifecycleEvent, MarketResult, MarketStatus, SettlementView } from "./api.js";
import { addCash } from "./cash.js";
import { MICROS_PER_HUNDREDTH_PAYOUT } from "./ledger.js";
import { cancelMarketOrders } from "./ops.js";
import type { ExchangeState, MarketState } from "./state.js";
import { marketView } from "./views.js";

/**
 * Leaving `active` for a pause (`inactive`/`initialized`) cancels only orders that asked for
 * cancel_order_on_pause (they rest through pauses otherwise); any other non-active status closes
 * the market and cancels every resting order.
 */
export function statusChanged(state: ExchangeState, market: MarketState, status: MarketStatus): void {
  const previous = market.status;
  market.status = status;
  if (previous === "active" && status !== "active") {
    if (status === "inactive" || status === "initialized") {
      cancelMarketOrders(state, market, "MarketPaused", (o) => o.cancelOrderOnPause);
    } else {
      cancelMarketOrders(state, market, "MarketClosed", () => true);
    }
  }
  if (previous === status) return;
  // Kalshi sends deactivated/activated for pauses; closing at close_time has no event.
  const event: LifecycleEvent | undefined =
    status === "inactive" ? "deactivated" : status === "active" ? "activated" : undefined;
  if (status === "closed" && market.closeTsMs === undefined) market.closeTsMs = state.clock();
  state.listener?.marketUpdate?.(marketView(market), event);
}

/** Moves the close time (close_date_updated); a close time now or earlier also closes the market. */
export function setCloseTime(state: ExchangeState, market: MarketState, closeTsMs: number): void {
  market.closeTsMs = closeTsMs;
  state.listener?.marketUpdate?.(marketView(market), "close_date_updated");
  if (closeTsMs <= state.clock() && (market.status === "active" || market.status === "inactive")) {
    statusChanged(state, market, "closed");
  }
}

/** Closes the market if still open, then records its result (status determined). */
export function determine(state: ExchangeState, market: MarketState, result: MarketResult): void {
  if (market.status === "active" || market.status === "inactive" || market.status === "initialized") {
    statusChanged(state, market, "closed");
  }
  market.result = result;
  market.determinedTsMs = state.clock();
  market.status = "determined";
  state.listener?.marketUpdate?.(marketView(market), "determined");
}

export function settle(state: ExchangeState, market: MarketState, result: MarketResult): void {
  cancelMarketOrders(state, market, "MarketSettled", () => true);
  const tsMs = state.clock();
  for (const account of market.holders) {
    const pos = account.positions.get(market.ticker);
    if (pos === undefined || pos.positionHundredths === 0) continue;
    const p = pos.positionHundredths;
    const wins = (result === "yes" && p > 0) || (result === "no" && p < 0);
    const revenueMicros = wins ? Math.abs(p) * MICROS_PER_HUNDREDTH_PAYOUT : 0;
    const record: SettlementView = {
      ticker: market.ticker,
      eventTicker: market.eventTicker,
      marketResult: result,
      yesCountHundredths: Math.max(p, 0),
      yesTotalCostMicros: p > 0 ? pos.costBasisMicros : 0,
      noCountHundredths: Math.max(-p, 0),
      noTotalCostMicros: p < 0 ? pos.costBasisMicros : 0,
      revenueMicros,
      settledTsMs: tsMs,
    };
    addCash(account, market.exchangeIndex, revenueMicros);
    pos.realizedPnlMicros += revenueMicros - pos.costBasisMicros;
    pos.costBasisMicros = 0;
    pos.positionHundredths = 0;
    pos.lastUpdatedTsMs = tsMs;
    account.updatedTsMs = tsMs;
    account.settlements.push(record);
    state.listener?.positionUpdate?.(account.userId, market.ticker, pos);
  }
  market.openInterestHundredths = 0;
  market.result = result;
  market.settledTsMs = tsMs;
  market.status = "finalized";
  state.listener?.marketUpdate?.(marketView(market), "settled");
}

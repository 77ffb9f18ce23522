/**
 * Trading pauses (docs getting_started/maintenance_and_pauses): during a trading pause creates
 * and amends are refused and cancels still work; resting orders stay unless they asked for
 * `cancel_order_on_pause`, which are cancelled when the pause begins. A pause covers every shard
 * or one (`shard`), since exchange status can differ per shard. Evaluated lazily on the clock.
 */
import type { ExchangeStatusView, PauseWindow } from "./api.js";
import { cancelMarketOrders } from "./ops.js";
import type { ExchangeState } from "./state.js";

/** Error code of a create/amend refused by a pause (the docs name no code; see kalshi-api-notes). */
export const TRADING_PAUSED = "trading_is_paused";

export function pauseCovers(p: PauseWindow, shard: number, nowMs: number): boolean {
  return nowMs >= p.startMs && nowMs < p.endMs && (p.shard === undefined || p.shard === shard);
}

export function tradingPaused(state: ExchangeState, shard: number): boolean {
  if (state.pauses.length === 0) return false;
  const now = state.clock();
  for (const p of state.pauses) if (pauseCovers(p, shard, now)) return true;
  return false;
}

/** Cancels the cancel-on-pause orders of every pause that has begun since the last call. */
export function applyPauseStarts(state: ExchangeState): void {
  const now = state.clock();
  for (let i = 0; i < state.pauses.length; i++) {
    const p = state.pauses[i]!;
    if (now < p.startMs || state.pausesBegun.has(i)) continue;
    state.pausesBegun.add(i);
    if (now >= p.endMs) continue;
    for (const market of state.markets.values()) {
      if (p.shard !== undefined && market.exchangeIndex !== p.shard) continue;
      cancelMarketOrders(state, market, "MarketPaused", (o) => o.cancelOrderOnPause);
    }
  }
}

export function exchangeStatus(state: ExchangeState, shard: number): ExchangeStatusView {
  const now = state.clock();
  let resumeTsMs: number | undefined;
  for (const p of state.pauses) {
    if (pauseCovers(p, shard, now)) resumeTsMs = Math.max(resumeTsMs ?? 0, p.endMs);
  }
  return { exchangeActive: true, tradingActive: resumeTsMs === undefined, resumeTsMs };
}

/**
 * `market_lifecycle_v2` messages (docs websockets/market-and-event-lifecycle,
 * getting_started/market_lifecycle): one per explicit transition — deactivated / activated for a
 * pause, close_date_updated, determined (with the result), settled. Closing at close_time has no
 * message. Times are Unix seconds, as on the channel; `exchange_index` names the market's shard.
 */
import type { LifecycleEvent, MarketView } from "../exchange/index.js";

const seconds = (tsMs: number | undefined): number | null =>
  tsMs === undefined ? null : Math.floor(tsMs / 1000);

export function lifecycleFrame(sid: number, seq: number, m: MarketView, event: LifecycleEvent): string {
  const msg: Record<string, unknown> = {
    market_ticker: m.ticker,
    event_type: event,
    exchange_index: m.exchangeIndex,
  };
  if (event === "close_date_updated") msg.close_ts = seconds(m.closeTsMs);
  if (event === "determined" || event === "settled") {
    msg.result = m.result ?? "";
    msg.determination_ts = seconds(m.determinedTsMs);
    msg.settlement_value = m.result === "yes" ? "1.0000" : "0.0000";
  }
  if (event === "settled") msg.settled_ts = seconds(m.settledTsMs);
  return JSON.stringify({ type: "market_lifecycle_v2", sid, seq, msg });
}

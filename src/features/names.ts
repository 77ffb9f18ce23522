/** observation v1 identity: version tag, size and feature names in index order (observation-v1.md §1). */

export const OBSERVATION_VERSION = "observation-v1";
export const OBSERVATION_SIZE = 52;

export const MARKET_OFFSET = 0;
export const TEMPORAL_OFFSET = 26;
export const PORTFOLIO_OFFSET = 36;
export const ORDER_OFFSET = 47;

export const FEATURE_NAMES: readonly string[] = Object.freeze([
  // market block §5
  "best_yes_bid",
  "best_yes_ask",
  "best_no_bid",
  "best_no_ask",
  "yes_mid",
  "no_mid",
  "spread",
  "touch_microprice",
  "yes_spread_pct",
  "no_spread_pct",
  "spread_regime",
  "touch_imbalance",
  "bid_touch_size",
  "ask_touch_size",
  "total_volume",
  "near_depth_imbalance",
  "book_imbalance",
  "near_bid_depth",
  "near_ask_depth",
  "bid_depth_distance",
  "book_microprice",
  "no_book_microprice",
  "book_levels",
  "ask_depth_distance",
  "liquidity_concentration",
  "touch_share",
  // temporal block §6
  "time_since_last_update",
  "time_of_day",
  "activity_score",
  "activity_change",
  "update_frequency",
  "activity_burst",
  "activity_trend",
  "price_momentum",
  "volatility_regime",
  "price_stability",
  // portfolio block §7
  "cash_ratio",
  "position_ratio",
  "position_count",
  "average_position_size",
  "long_position_ratio",
  "short_position_ratio",
  "net_position_bias",
  "position_concentration",
  "largest_position",
  "unrealized_pnl_ratio",
  "settlement_leverage",
  // order block §8
  "has_open_buy",
  "has_open_sell",
  "buy_distance_from_mid",
  "sell_distance_from_mid",
  "time_since_order",
]);

/** §9: NaN → 0, +∞ → 1, −∞ → −1, then clip to [−2, 2]; the float32 store rounds to nearest. */
export function postProcess(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x === Number.NEGATIVE_INFINITY) return -1;
  return Math.min(Math.max(x, -2), 2);
}

/** Read-side views computed on demand (market tops, balance, positions). */
import { MICROS_PER_TICK_HUNDREDTH, TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { BalanceView, MarketView, PositionView } from "./api.js";
import type { Account, ExchangeState, MarketState, PositionRecord } from "./state.js";

export function marketView(m: MarketState): MarketView {
  const book = m.book;
  const hasBid = book.bestBidTicks > 0;
  const hasAsk = book.bestAskTicks < TICKS_PER_DOLLAR;
  return {
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    seriesTicker: m.seriesTicker,
    exchangeIndex: m.exchangeIndex,
    mveCollectionTicker: m.mveCollectionTicker,
    category: m.category,
    status: m.status,
    priceLevelStructure: m.priceLevelStructure,
    feeType: m.feeType,
    feeMultiplierBp: m.feeMultiplierBp,
    fractionalTradingEnabled: m.fractionalTradingEnabled,
    yesBidTicks: hasBid ? book.bestBidTicks : 0,
    yesAskTicks: hasAsk ? book.bestAskTicks : 0,
    yesBidSizeHundredths: hasBid ? book.sizeAt("bid", book.bestBidTicks) : 0,
    yesAskSizeHundredths: hasAsk ? book.sizeAt("ask", book.bestAskTicks) : 0,
    lastPriceTicks: m.lastPriceTicks,
    volumeHundredths: m.volumeHundredths,
    openInterestHundredths: m.openInterestHundredths,
    result: m.result,
    settledTsMs: m.settledTsMs,
    closeTsMs: m.closeTsMs,
    determinedTsMs: m.determinedTsMs,
  };
}

/** Value of a position marked at the market's last trade (cost basis before any trade). */
export function positionMarkMicros(pos: PositionRecord, market: MarketState | undefined): number {
  const p = pos.positionHundredths;
  if (p === 0) return 0;
  const last = market?.lastPriceTicks ?? 0;
  if (last === 0) return pos.costBasisMicros;
  return p > 0
    ? p * last * MICROS_PER_TICK_HUNDREDTH
    : -p * (TICKS_PER_DOLLAR - last) * MICROS_PER_TICK_HUNDREDTH;
}

export function balanceView(state: ExchangeState, account: Account): BalanceView {
  let portfolio = 0;
  for (const pos of account.positions.values())
    portfolio += positionMarkMicros(pos, state.markets.get(pos.ticker));
  return {
    balanceMicros: account.balanceMicros,
    heldMicros: account.heldMicros,
    portfolioValueMicros: portfolio,
    depositsMicros: account.depositsMicros,
    updatedTsMs: account.updatedTsMs,
    shardBalanceMicros: [...account.shardBalanceMicros],
    shardHeldMicros: [...account.shardHeldMicros],
  };
}

export function positionList(account: Account, ticker?: string): PositionView[] {
  const out: PositionView[] = [];
  for (const pos of account.positions.values()) {
    if (ticker !== undefined && pos.ticker !== ticker) continue;
    if (pos.volumeHundredths === 0 && pos.restingOrdersCount === 0) continue;
    out.push(pos);
  }
  out.sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
  return out;
}

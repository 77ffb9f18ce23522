/**
 * WS frame serialisers of the paper exchange, hot path of the load source: frames are built with
 * template strings from precomputed price strings, never with JSON.stringify of objects. Tickers
 * match `^[A-Z0-9.-]+$` and market ids are UUIDs, so they are inserted unescaped; anything a
 * client chose (client_order_id) goes through JSON.stringify.
 *
 * Current wire (kalshi-api-notes.md): levels `[price_dollars, count_fp]` strings, bids only,
 * ascending with the best bid last; NO levels on the NO-leg scale unless `use_yes_price`, in which
 * case a NO bid at q is reported at 1 − q and the array keeps best-last order (descending YES
 * price). Legacy wire: `yes`/`no` `[[price_cents, qty]]`, delta `price`
 * (cents) and `delta` (contracts) — meant for cent markets; sub-cent ticks print as decimals.
 */
import { formatHundredths, formatTicks, TICKS_PER_CENT, TICKS_PER_DOLLAR } from "../../kalshi/units.js";

/** "0.0000".."1.0000" indexed by ticks 0..10000. */
const PRICE_DOLLARS: readonly string[] = Array.from({ length: TICKS_PER_DOLLAR + 1 }, (_, t) =>
  formatTicks(t),
);
/** legacy integer cents (or decimal cents for sub-cent ticks) indexed by ticks. */
const PRICE_CENTS: readonly string[] = Array.from({ length: TICKS_PER_DOLLAR + 1 }, (_, t) =>
  t % TICKS_PER_CENT === 0 ? String(t / TICKS_PER_CENT) : (t / TICKS_PER_CENT).toFixed(2),
);

export function priceDollars(ticks: number): string {
  return PRICE_DOLLARS[ticks] ?? formatTicks(ticks);
}

/** hundredths → "12.50", allocation-light (one template string). */
export function countFp(hundredths: number): string {
  if (hundredths < 0) return `-${countFp(-hundredths)}`;
  const whole = Math.floor(hundredths / 100);
  const frac = hundredths - whole * 100;
  return `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

/** hundredths → legacy contract count (integer when whole). */
export function countLegacy(hundredths: number): string {
  return hundredths % 100 === 0 ? String(hundredths / 100) : formatHundredths(hundredths);
}

let isoCacheSec = -1;
let isoCache = "";
/** RFC3339 second-resolution time; cached per second (the deprecated `ts` field). */
export function isoSeconds(tsMs: number): string {
  const sec = Math.floor(tsMs / 1000);
  if (sec !== isoCacheSec) {
    isoCacheSec = sec;
    isoCache = `${new Date(sec * 1000).toISOString().slice(0, 19)}Z`;
  }
  return isoCache;
}

/** One side's bids: [priceTicks on that side's own scale, sizeHundredths], ascending. */
export type SideLevels = ReadonlyArray<readonly [number, number]>;

function levelsCurrent(side: SideLevels, flipToYes: boolean): string {
  let out = "[";
  for (let i = 0; i < side.length; i++) {
    const level = side[i]!;
    const p = flipToYes ? TICKS_PER_DOLLAR - level[0] : level[0];
    out += `${i === 0 ? "" : ","}["${PRICE_DOLLARS[p]}","${countFp(level[1])}"]`;
  }
  return `${out}]`;
}

function levelsLegacy(side: SideLevels, flipToYes: boolean): string {
  let out = "[";
  for (let i = 0; i < side.length; i++) {
    const level = side[i]!;
    const p = flipToYes ? TICKS_PER_DOLLAR - level[0] : level[0];
    out += `${i === 0 ? "" : ","}[${PRICE_CENTS[p]},${countLegacy(level[1])}]`;
  }
  return `${out}]`;
}

export interface WireFlags {
  legacy: boolean;
  useYesPrice: boolean;
}

export function snapshotFrame(
  sid: number,
  seq: number,
  ticker: string,
  marketId: string,
  yes: SideLevels,
  no: SideLevels,
  flags: WireFlags,
): string {
  if (flags.legacy) {
    return `{"type":"orderbook_snapshot","sid":${sid},"seq":${seq},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","yes":${levelsLegacy(yes, false)},"no":${levelsLegacy(no, flags.useYesPrice)}}}`;
  }
  return `{"type":"orderbook_snapshot","sid":${sid},"seq":${seq},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","yes_dollars_fp":${levelsCurrent(yes, false)},"no_dollars_fp":${levelsCurrent(no, flags.useYesPrice)}}}`;
}

/**
 * One orderbook_delta frame. `priceTicks` is on the side's own scale; `clientOrderIdJson` is the
 * JSON-encoded client_order_id of the subscriber's own order that caused the change, or "".
 */
export function deltaFrame(
  sid: number,
  seq: number,
  ticker: string,
  marketId: string,
  isYes: boolean,
  priceTicks: number,
  deltaHundredths: number,
  tsMs: number,
  clientOrderIdJson: string,
  flags: WireFlags,
): string {
  const p = !isYes && flags.useYesPrice ? TICKS_PER_DOLLAR - priceTicks : priceTicks;
  const own = clientOrderIdJson === "" ? "" : `"client_order_id":${clientOrderIdJson},"subaccount":0,`;
  if (flags.legacy) {
    return `{"type":"orderbook_delta","sid":${sid},"seq":${seq},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","price":${PRICE_CENTS[p]},"delta":${countLegacy(deltaHundredths)},"side":"${isYes ? "yes" : "no"}",${own}"ts":"${isoSeconds(tsMs)}","ts_ms":${tsMs}}}`;
  }
  return `{"type":"orderbook_delta","sid":${sid},"seq":${seq},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","price_dollars":"${PRICE_DOLLARS[p]}","delta_fp":"${countFp(deltaHundredths)}","side":"${isYes ? "yes" : "no"}",${own}"ts":"${isoSeconds(tsMs)}","ts_ms":${tsMs}}}`;
}

export interface TickerValues {
  lastPriceTicks: number; // 0 = nothing traded
  yesBidTicks: number; // 0 = none
  yesAskTicks: number; // 0 = none
  yesBidSizeHundredths: number;
  yesAskSizeHundredths: number;
  lastTradeSizeHundredths?: number;
  volumeHundredths: number;
  openInterestHundredths: number;
}

export function tickerFrame(
  sid: number,
  ticker: string,
  marketId: string,
  v: TickerValues,
  tsMs: number,
  legacy: boolean,
): string {
  const sec = Math.floor(tsMs / 1000);
  if (legacy) {
    return `{"type":"ticker","sid":${sid},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","price":${PRICE_CENTS[v.lastPriceTicks]},"yes_bid":${PRICE_CENTS[v.yesBidTicks]},"yes_ask":${PRICE_CENTS[v.yesAskTicks]},"volume":${countLegacy(v.volumeHundredths)},"open_interest":${countLegacy(v.openInterestHundredths)},"ts":${sec}}}`;
  }
  const price = v.lastPriceTicks > 0 ? PRICE_DOLLARS[v.lastPriceTicks] : "";
  return `{"type":"ticker","sid":${sid},"msg":{"market_ticker":"${ticker}","market_id":"${marketId}","price_dollars":"${price}","yes_bid_dollars":"${PRICE_DOLLARS[v.yesBidTicks]}","yes_ask_dollars":"${PRICE_DOLLARS[v.yesAskTicks === 0 ? TICKS_PER_DOLLAR : v.yesAskTicks]}","yes_bid_size_fp":"${countFp(v.yesBidSizeHundredths)}","yes_ask_size_fp":"${countFp(v.yesAskSizeHundredths)}","last_trade_size_fp":"${countFp(v.lastTradeSizeHundredths ?? 0)}","volume_fp":"${countFp(v.volumeHundredths)}","open_interest_fp":"${countFp(v.openInterestHundredths)}","ts":${sec},"ts_ms":${tsMs},"time":"${isoSeconds(tsMs)}"}}`;
}

export interface TradeValues {
  tradeId: string;
  yesPriceTicks: number;
  countHundredths: number;
  /** taker bought YES (book side bid) or NO (ask) */
  takerIsYes: boolean;
}

export function tradeFrame(
  sid: number,
  seq: number,
  ticker: string,
  t: TradeValues,
  tsMs: number,
  legacy: boolean,
): string {
  const sec = Math.floor(tsMs / 1000);
  const side = t.takerIsYes ? "yes" : "no";
  if (legacy) {
    return `{"type":"trade","sid":${sid},"seq":${seq},"msg":{"trade_id":"${t.tradeId}","market_ticker":"${ticker}","yes_price":${PRICE_CENTS[t.yesPriceTicks]},"no_price":${PRICE_CENTS[TICKS_PER_DOLLAR - t.yesPriceTicks]},"count":${countLegacy(t.countHundredths)},"taker_side":"${side}","ts":${sec}}}`;
  }
  return `{"type":"trade","sid":${sid},"seq":${seq},"msg":{"trade_id":"${t.tradeId}","market_ticker":"${ticker}","yes_price_dollars":"${PRICE_DOLLARS[t.yesPriceTicks]}","no_price_dollars":"${PRICE_DOLLARS[1000 - t.yesPriceTicks]}","count_fp":"${countFp(t.countHundredths)}","taker_side":"${side}","taker_outcome_side":"${side}","taker_book_side":"${t.takerIsYes ? "bid" : "ask"}","ts":${sec},"ts_ms":${tsMs}}}`;
}

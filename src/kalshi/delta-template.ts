/**
 * Fast path of the frame scanner for the layout Kalshi actually sends for `orderbook_delta`
 * (kalshi-api-notes.md), in this key order:
 *
 *   {"type":"orderbook_delta","sid":N,"seq":N,"msg":{"market_ticker":"…"[,"market_id":"…"],
 *    "price_dollars":"…","delta_fp":"…","side":"yes|no"[,"client_order_id":"…"][,"subaccount":N]
 *    [,"ts":"…"][,"ts_ms":N]}}
 *
 * The fixed parts are compared with native `startsWith`, strings are skipped with native
 * `indexOf('"')` (the caller guarantees the frame has no backslash), and only digits are read in
 * JS. Anything that does not fit — other key order, whitespace, a number with a fraction or an
 * exponent, an unknown key — returns false and the general scanner reads the frame instead, so the
 * template only ever accepts frames JSON.parse accepts (up to the control-character note in
 * frame-scanner.ts) and reports the same values.
 */

import { MAX_TICK, MIN_TICK, PRICE_DECIMALS } from "./units.js";

const HEAD = '{"type":"orderbook_delta","sid":';
const SEQ = ',"seq":';
const MSG = ',"msg":{"market_ticker":"';
const MARKET_ID = '","market_id":"';
const PRICE = '","price_dollars":"';
const DELTA = '","delta_fp":"';
const SIDE = '","side":"';
const COID = '"client_order_id":"';
const SUBACCOUNT = '"subaccount":';
const TS = '"ts":"';
const TS_MS = '"ts_ms":';

/** The fields the template fills (a FrameScanner). */
export interface DeltaFields {
  sid: number;
  seq: number;
  tickerStart: number;
  tickerEnd: number;
  side: number;
  priceTicks: number;
  deltaHundredths: number;
  tsMs: number;
}

const MAX_SIZE_HUNDREDTHS = 0x7fffffff;

/** Scratch for the end index of the last number read (module-private, single-threaded use). */
class Cursor {
  at = 0;
}

/** Unsigned JSON integer at i (no leading zeros, no fraction/exponent); NaN if not one. */
function uint(text: string, i: number, cur: Cursor): number {
  let c = text.charCodeAt(i);
  if (c < 48 || c > 57) return Number.NaN;
  if (c === 48) {
    cur.at = i + 1;
    c = text.charCodeAt(i + 1);
    return c >= 48 && c <= 57 ? Number.NaN : 0;
  }
  let v = 0;
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    c = text.charCodeAt(++i);
  }
  cur.at = i;
  // A fraction or exponent makes it something the general scanner must read.
  if (c === 46 || c === 101 || c === 69 || v > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return v;
}

/**
 * Decimal inside a string starting at i and ending at the next quote, scaled by 10^scale; NaN when
 * invalid (same rules as units.parseScaledDecimal). Sets cur.at to the closing quote, or −1 if
 * there is none.
 */
function decimalInString(text: string, i: number, scale: number, cur: Cursor): number {
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    c = text.charCodeAt(++i);
  }
  let v = 0;
  let digits = 0;
  while (c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    digits++;
    c = text.charCodeAt(++i);
  }
  let frac = 0;
  let bad = false;
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      if (frac < scale) v = v * 10 + (c - 48);
      else if (c !== 48) bad = true;
      frac++;
      digits++;
      c = text.charCodeAt(++i);
    }
  }
  if (c !== 34) {
    // Not a plain decimal: find the closing quote so the caller can still walk on.
    cur.at = text.indexOf('"', i);
    return Number.NaN;
  }
  cur.at = i;
  if (bad || digits === 0 || frac > 24) return Number.NaN;
  for (let k = frac; k < scale; k++) v *= 10;
  if (v > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative && v !== 0 ? -v : v;
}

export class DeltaTemplate {
  private readonly cur = new Cursor();

  /** Fills `out` and returns true when `text` is a delta in the template layout. */
  match(text: string, out: DeltaFields): boolean {
    if (!text.startsWith(HEAD)) return false;
    const cur = this.cur;
    const sid = uint(text, HEAD.length, cur);
    if (Number.isNaN(sid) || !text.startsWith(SEQ, cur.at)) return false;
    const seq = uint(text, cur.at + SEQ.length, cur);
    if (Number.isNaN(seq) || !text.startsWith(MSG, cur.at)) return false;
    const tickerStart = cur.at + MSG.length;
    let i = text.indexOf('"', tickerStart);
    if (i <= tickerStart) return false;
    const tickerEnd = i;
    if (text.startsWith(MARKET_ID, i)) {
      i = text.indexOf('"', i + MARKET_ID.length);
      if (i < 0) return false;
    }
    if (!text.startsWith(PRICE, i)) return false;
    let ticks = decimalInString(text, i + PRICE.length, PRICE_DECIMALS, cur);
    if (cur.at < 0 || !text.startsWith(DELTA, cur.at)) return false;
    if (!(ticks >= MIN_TICK && ticks <= MAX_TICK)) ticks = Number.NaN;
    let change = decimalInString(text, cur.at + DELTA.length, 2, cur);
    if (cur.at < 0 || !text.startsWith(SIDE, cur.at)) return false;
    if (!(change >= -MAX_SIZE_HUNDREDTHS && change <= MAX_SIZE_HUNDREDTHS)) change = Number.NaN;
    i = cur.at + SIDE.length;
    const s0 = text.charCodeAt(i);
    const sideEnd = text.indexOf('"', i);
    if (sideEnd < 0) return false;
    let side = -1;
    if (sideEnd - i === 3 && s0 === 121 && text.charCodeAt(i + 1) === 101 && text.charCodeAt(i + 2) === 115)
      side = 0;
    else if (sideEnd - i === 2 && s0 === 110 && text.charCodeAt(i + 1) === 111) side = 1;
    i = sideEnd + 1;
    let tsMs = Number.NaN;
    // Optional tail keys, then "}}" at the very end.
    while (text.charCodeAt(i) === 44) {
      i++;
      if (text.startsWith(TS_MS, i)) {
        tsMs = uint(text, i + TS_MS.length, cur);
        if (Number.isNaN(tsMs)) return false;
        i = cur.at;
      } else if (text.startsWith(COID, i) || text.startsWith(TS, i)) {
        const open = text.charCodeAt(i + 3) === 34 ? i + TS.length - 1 : i + COID.length - 1; // at the value's quote
        i = text.indexOf('"', open + 1);
        if (i < 0) return false;
        i++;
      } else if (text.startsWith(SUBACCOUNT, i)) {
        if (Number.isNaN(uint(text, i + SUBACCOUNT.length, cur))) return false;
        i = cur.at;
      } else return false;
    }
    if (i + 2 !== text.length || text.charCodeAt(i) !== 125 || text.charCodeAt(i + 1) !== 125) return false;
    out.sid = sid;
    out.seq = seq;
    out.tickerStart = tickerStart;
    out.tickerEnd = tickerEnd;
    out.side = side;
    out.priceTicks = ticks;
    out.deltaHundredths = change;
    out.tsMs = tsMs;
    return true;
  }
}

/**
 * The field rules of Kalshi's wire, one set for WebSocket frames and REST bodies (pure; cold path).
 *
 * Each rule reads one meaning from a parsed JSON object whatever wire generation wrote it
 * (kalshi-api-notes.md):
 *   - prices: current `*_dollars` strings (or JSON numbers) first, then legacy integer cents;
 *     a YES-leg price may also be given as its NO complement;
 *   - counts: `*_fp` fixed-point first, then the legacy integer count;
 *   - money: dollar strings, or legacy integer centi-cents ($0.0001);
 *   - book side: `book_side`, then a V2 `side` of bid/ask, then the legacy side × action table
 *     (any sell variant sells), then the purchased outcome side.
 * They never throw: an absent or malformed value reads as NaN / "" and the caller decides whether
 * that rejects the message (the WS parser throws a MessageParseError, REST readers count it).
 */
import {
  centsToTicks,
  countToHundredths,
  dollarsToMicros,
  dollarsToTicks,
  parseScaledDecimal,
  scaleJsonNumber,
  TICKS_PER_DOLLAR,
} from "../units.js";
import {
  type BookSide,
  bookSideOfContract,
  fillActionOf,
  isBookSide,
  isContractSide,
} from "../vocabulary.js";

export type Json = Record<string, unknown>;

function numeric(v: unknown): v is string | number {
  return typeof v === "string" || typeof v === "number";
}

/** `*_fp` fixed-point count first, then a legacy integer count; NaN when neither reads. */
export function countField(o: Json, fpKey: string, legacyKey: string): number {
  const fp = o[fpKey];
  if (numeric(fp)) return countToHundredths(fp);
  const legacy = o[legacyKey];
  if (numeric(legacy)) return countToHundredths(legacy);
  return Number.NaN;
}

/** A dollar amount → micros; else a legacy integer centi-cent field; absent → 0. */
export function moneyField(o: Json, dollarsKey: string, centiCentsKey?: string): number {
  const v = o[dollarsKey];
  if (v !== "" && numeric(v)) return dollarsToMicros(v);
  if (centiCentsKey !== undefined) {
    const c = o[centiCentsKey];
    if (c !== "" && numeric(c)) {
      const centiCents = typeof c === "number" ? scaleJsonNumber(c, 0) : parseScaledDecimal(c, 0);
      return centiCents * 100;
    }
  }
  return 0;
}

/** The YES-leg price: `yes_price_dollars`, legacy `yes_price` cents, or $1 − `no_price_dollars`. */
export function yesPriceField(o: Json): number {
  const d = o.yes_price_dollars;
  if (numeric(d)) return dollarsToTicks(d);
  const c = o.yes_price;
  if (numeric(c)) return centsToTicks(c);
  const n = o.no_price_dollars;
  if (numeric(n)) {
    const t = dollarsToTicks(n);
    return Number.isNaN(t) ? t : TICKS_PER_DOLLAR - t;
  }
  return Number.NaN;
}

/**
 * The V2 book side of an order or fill (kalshi-api-notes.md): `book_side`; a V2 `side`
 * of bid/ask; the legacy side × action table (buy YES / sell NO → bid; buy NO / sell YES → ask,
 * `sell_partial` and `sell_to_close` are sells); with an unknown action, the purchased side
 * (`outcome_side`, `purchased_side`) as a purchase; "" when nothing says.
 */
export function bookSideField(o: Json): BookSide | "" {
  if (isBookSide(o.book_side)) return o.book_side;
  const side = o.side;
  if (isBookSide(side)) return side;
  const action = fillActionOf(o.action);
  if (isContractSide(side) && action !== "") return bookSideOfContract(side, action);
  const purchased = isContractSide(o.outcome_side) ? o.outcome_side : o.purchased_side;
  if (isContractSide(purchased)) return bookSideOfContract(purchased, "buy");
  if (isContractSide(side)) return bookSideOfContract(side, "buy");
  return "";
}

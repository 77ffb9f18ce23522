/** Test fixture: a paper exchange over a few markets with a settable clock and an event log. */
import type {
  CreateOrderRequest,
  ExchangeListener,
  MarketSpec,
  OrderView,
  Result,
} from "../../../src/paper/exchange/index.js";
import { PaperExchange } from "../../../src/paper/exchange/index.js";

export const DOLLAR = 1_000_000;

export const MARKETS: MarketSpec[] = [
  {
    ticker: "LIN",
    eventTicker: "EV",
    seriesTicker: "S",
    priceLevelStructure: "linear_cent",
    feeType: "quadratic",
  },
  {
    ticker: "MAKER",
    eventTicker: "EV",
    seriesTicker: "SM",
    priceLevelStructure: "linear_cent",
    feeType: "quadratic_with_maker_fees",
  },
  {
    ticker: "DECI",
    eventTicker: "EV2",
    seriesTicker: "S",
    priceLevelStructure: "deci_cent",
    feeType: "quadratic",
  },
  {
    ticker: "TAPER",
    eventTicker: "EV2",
    seriesTicker: "S",
    priceLevelStructure: "tapered_deci_cent",
    feeType: "quadratic",
  },
  {
    ticker: "WHOLE",
    eventTicker: "EV3",
    seriesTicker: "S",
    priceLevelStructure: "linear_cent",
    feeType: "quadratic",
    fractionalTradingEnabled: false,
  },
];

export interface Fixture {
  ex: PaperExchange;
  now: { ms: number };
  events: string[];
}

/** Users a, b, c with $1,000 each; `events` records listener calls in order. */
export function makeExchange(markets: MarketSpec[] = MARKETS, withFees = true): Fixture {
  const now = { ms: 1_700_000_000_000 };
  const events: string[] = [];
  const listener: ExchangeListener = {
    bookDelta: (t, side, p, d, cid) => events.push(`delta ${t} ${side} ${p} ${d} ${cid ?? "-"}`),
    trade: (t, tr) => events.push(`trade ${t} ${tr.yesPriceTicks} ${tr.countHundredths} ${tr.takerSide}`),
    fill: (u, f) => events.push(`fill ${u} ${f.yesPriceTicks} ${f.countHundredths} ${f.isTaker ? "T" : "M"}`),
    orderUpdate: (u, o) => events.push(`order ${u} ${o.clientOrderId} ${o.status} ${o.lastUpdateReason}`),
    positionUpdate: (u, t, p) => events.push(`position ${u} ${t} ${p.positionHundredths}`),
  };
  const ex = new PaperExchange({
    markets,
    clock: () => now.ms,
    listener,
    feeConfig: withFees ? {} : { takerRatePpm: 0, makerRatePpm: 0 },
  });
  for (const u of ["a", "b", "c"]) ex.openAccount(u, 1000 * DOLLAR);
  return { ex, now, events };
}

let cid = 0;
/** A GTC taker_at_cross order; `price` in ticks, `count` in whole contracts. */
export function req(
  ticker: string,
  side: "bid" | "ask",
  price: number,
  count: number,
  extra: Partial<CreateOrderRequest> = {},
): CreateOrderRequest {
  return {
    ticker,
    clientOrderId: `c${++cid}`,
    side,
    yesPriceTicks: price,
    countHundredths: count * 100,
    timeInForce: "good_till_canceled",
    selfTradePrevention: "taker_at_cross",
    ...extra,
  };
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected error ${r.error.status} ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export function place(f: Fixture, user: string, r: CreateOrderRequest): OrderView {
  return unwrap(f.ex.createOrder(user, r));
}

/** Σ over users: balance + held, in micros. */
export function cashOf(f: Fixture, user: string): number {
  const b = unwrap(f.ex.balance(user));
  return b.balanceMicros + b.heldMicros;
}

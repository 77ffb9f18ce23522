/**
 * The backtest's venue: the paper exchange's core (src/paper/exchange: order book, matching,
 * fees, accounts, settlement) and its REST routes, reached in-process. No simulator runs: the
 * exchange's books hold only the engine's own orders, and the recorded liquidity they meet is put
 * there by the fill model (fill-model.ts) at the moment it trades:
 *
 * - an engine order that arrives (create, amend) first gets the recorded liquidity it can cross
 *   placed on the other side by a `feed` account, as resting orders; the exchange then matches it
 *   (taker prices, taker fees) and the feed orders left are withdrawn — what was taken is
 *   depleted in the fill model;
 * - a resting engine order that the model fills meets an immediate-or-cancel order of the feed
 *   account at its own price (maker side, maker fees as the series charges them).
 *
 * The engine talks to it through its own `KalshiRestClient` (the `fetch` here routes the request
 * to the paper exchange's route table, no socket) and hears its private frames — `fill`,
 * `user_order` — rendered exactly as the paper server renders them for its WebSocket, fed to the
 * engine's own private-frame path (PrivateReports → FillRing → drainReports).
 */

import { SIDE_NO, SIDE_YES, type Side } from "../book/book-table.js";
import type { MarketDirectory } from "../book/market-directory.js";
import { TICKS_PER_DOLLAR } from "../kalshi/units.js";
import type { BookSide, MarketSpec, OrderView } from "../paper/exchange/api.js";
import { PaperExchange } from "../paper/exchange/exchange.js";
import { RateLimiter } from "../paper/faults/rate-limiter.js";
import { parseAmend, parseCreateOrder } from "../paper/server/order-bodies.js";
import { REST_PREFIX } from "../paper/server/rest-dispatch.js";
import type { Router } from "../paper/server/rest-router.js";
import { buildRoutes } from "../paper/server/rest-routes.js";
import { fillFrame, userOrderFrame } from "../paper/server/user-frames.js";
import type { Clock } from "../runtime/clock.js";
import type { FillModel, TrackedOrder } from "./fill-model.js";

export const ENGINE_USER = "engine";
const FEED_USER = "feed";
/** the feed account's cash: it only ever stands in for recorded liquidity */
const FEED_DEPOSIT_MICROS = 10 ** 15;
const FEED_TOP_UP_BELOW_MICROS = 10 ** 14;
/** sid the private frames carry (any: the engine does not track private sids) */
const PRIVATE_SID = 2;

export interface BacktestVenueOptions {
  clock: Clock;
  directory: MarketDirectory;
  model: FillModel;
  /** the engine account's starting cash, micros */
  cashMicros: number;
  feeType: MarketSpec["feeType"];
  /** private frames for the engine (fill, user_order), in the order the exchange made them */
  onPrivateFrame(text: string): void;
}

export interface VenueStats {
  /** engine fills, taking / resting */
  takerFills: number;
  makerFills: number;
  /** notional of the engine's fills on their own leg, micros */
  turnoverMicros: number;
  /** REST requests the engine sent */
  requests: number;
}

function sideOf(bookSide: BookSide): Side {
  return bookSide === "bid" ? SIDE_YES : SIDE_NO;
}

function ownTicksOf(bookSide: BookSide, yesPriceTicks: number): number {
  return bookSide === "bid" ? yesPriceTicks : TICKS_PER_DOLLAR - yesPriceTicks;
}

export class BacktestVenue {
  readonly exchange: PaperExchange;
  readonly stats: VenueStats = { takerFills: 0, makerFills: 0, turnoverMicros: 0, requests: 0 };
  private readonly router: Router;
  private readonly tickers = new Set<string>();
  /** engine orders resting, by id: their price, to tell a move from a resize */
  private readonly restingYesTicks = new Map<string, number>();
  private feedSeq = 0;

  constructor(private readonly o: BacktestVenueOptions) {
    this.exchange = new PaperExchange({
      markets: [],
      clock: () => o.clock.nowMs(),
      listener: {
        fill: (userId, f) => {
          if (userId !== ENGINE_USER) return;
          if (f.isTaker) this.stats.takerFills++;
          else this.stats.makerFills++;
          this.stats.turnoverMicros += ownTicksOf(f.side, f.yesPriceTicks) * f.countHundredths;
          o.onPrivateFrame(fillFrame(PRIVATE_SID, f, false));
        },
        orderUpdate: (userId, view) => {
          if (userId !== ENGINE_USER) return;
          this.track(view);
          o.onPrivateFrame(userOrderFrame(PRIVATE_SID, view));
        },
      },
    });
    this.exchange.openAccount(ENGINE_USER, o.cashMicros);
    this.exchange.openAccount(FEED_USER, FEED_DEPOSIT_MICROS);
    this.router = buildRoutes({ core: this.exchange, marketIds: new Map(), limiter: new RateLimiter("off") });
  }

  /** Lists a market (every $0.0001 price valid: the engine keeps its own orders on the market's grid). */
  addMarket(ticker: string): void {
    if (this.tickers.has(ticker)) return;
    this.tickers.add(ticker);
    const dash = ticker.lastIndexOf("-");
    const event = dash > 0 ? ticker.slice(0, dash) : ticker;
    this.exchange.addMarket({
      ticker,
      eventTicker: event,
      seriesTicker: event.split("-")[0] ?? event,
      priceLevelStructure: "centi_cent",
      feeType: this.o.feeType,
    });
  }

  /** `fetch` for the engine's KalshiRestClient: the paper exchange's routes, in-process. */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    this.stats.requests++;
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const method = (init?.method ?? "GET").toUpperCase();
    const path = url.pathname.slice(url.pathname.indexOf(REST_PREFIX) + REST_PREFIX.length) || "/";
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const match = this.router.match(method, path);
    let status = 404;
    let text = '{"error":{"code":"not_found","message":"no route"}}';
    if (match !== undefined && match !== "method_not_allowed") {
      const placed = method === "POST" ? this.placeCrossingLiquidity(path, body) : [];
      const reply = match.route.handler({
        userId: ENGINE_USER,
        params: match.params,
        query: url.searchParams,
        body,
      });
      this.withdraw(placed);
      status = reply.status;
      text = reply.body;
    }
    return { status, text: async () => text } as Response;
  }) as typeof fetch;

  /**
   * Fills `sizeHundredths` of a resting engine order at its own price: the feed account sends an
   * immediate-or-cancel order that meets it.
   */
  fillResting(order: TrackedOrder, sizeHundredths: number, ticker: string): void {
    const yes = order.side === SIDE_YES ? order.ownTicks : TICKS_PER_DOLLAR - order.ownTicks;
    this.feedOrder(
      ticker,
      order.side === SIDE_YES ? "ask" : "bid",
      yes,
      sizeHundredths,
      "immediate_or_cancel",
    );
  }

  /** A market settled in the log: the exchange settles it too (pays out, cancels what rests). */
  settle(ticker: string, result: "yes" | "no"): void {
    if (!this.tickers.has(ticker)) return;
    this.exchange.determineMarket(ticker, result);
    this.exchange.settleMarket(ticker, result);
  }

  private track(view: OrderView): void {
    const m = this.o.directory.indexOf(view.ticker);
    if (m < 0) return;
    if (view.status !== "resting" || view.remainingHundredths <= 0) {
      this.restingYesTicks.delete(view.orderId);
      this.o.model.onGone(view.orderId);
      return;
    }
    const before = this.restingYesTicks.get(view.orderId);
    if (before === view.yesPriceTicks) this.o.model.onResize(view.orderId, view.remainingHundredths);
    else {
      this.restingYesTicks.set(view.orderId, view.yesPriceTicks);
      this.o.model.onRest(
        view.orderId,
        m,
        sideOf(view.side),
        ownTicksOf(view.side, view.yesPriceTicks),
        view.remainingHundredths,
      );
    }
  }

  /**
   * Before an engine create / amend: the recorded liquidity its price crosses, as feed orders on
   * the other side (best price first is the exchange's own matching order).
   */
  private placeCrossingLiquidity(
    path: string,
    body: unknown,
  ): Array<{ id: string; m: number; side: Side; ownTicks: number; count: number }> {
    let ticker: string;
    let side: BookSide;
    let yes: number;
    if (path === "/portfolio/events/orders") {
      const req = parseCreateOrder(body);
      if (!req.ok) return [];
      ({ ticker, side, yesPriceTicks: yes } = req.value);
    } else if (path.endsWith("/amend")) {
      const req = parseAmend(body);
      const id = decodeURIComponent(path.split("/")[4] ?? "");
      const current = this.exchange.getOrder(ENGINE_USER, id);
      if (!req.ok || !current.ok) return [];
      ({ ticker, side } = current.value);
      yes = req.value.yesPriceTicks;
    } else return [];
    const m = this.o.directory.indexOf(ticker);
    if (m < 0 || !this.tickers.has(ticker)) return [];
    // own bid at YES price p crosses NO bids at NO ticks ≥ 10000 − p; an ask at p crosses YES bids ≥ p
    const opposite = side === "bid" ? SIDE_NO : SIDE_YES;
    const limit = side === "bid" ? TICKS_PER_DOLLAR - yes : yes;
    const placed: Array<{ id: string; m: number; side: Side; ownTicks: number; count: number }> = [];
    const model = this.o.model;
    for (let t = TICKS_PER_DOLLAR - 1; t >= limit && t > 0; t--) {
      const count = model.availableHundredths(m, opposite, t);
      if (count <= 0) continue;
      const feedSide: BookSide = opposite === SIDE_YES ? "bid" : "ask";
      const feedYes = opposite === SIDE_YES ? t : TICKS_PER_DOLLAR - t;
      const id = this.feedOrder(ticker, feedSide, feedYes, count, "good_till_canceled");
      if (id !== null) placed.push({ id, m, side: opposite, ownTicks: t, count });
    }
    return placed;
  }

  /** Withdraws the feed orders left after an engine order matched; what was taken is depleted. */
  private withdraw(
    placed: ReadonlyArray<{ id: string; m: number; side: Side; ownTicks: number; count: number }>,
  ): void {
    for (const p of placed) {
      const got = this.exchange.getOrder(FEED_USER, p.id);
      const filled = got.ok ? got.value.fillHundredths : 0;
      if (got.ok && got.value.status === "resting") this.exchange.cancelOrder(FEED_USER, p.id);
      this.o.model.consume(p.m, p.side, p.ownTicks, filled);
    }
  }

  private feedOrder(
    ticker: string,
    side: BookSide,
    yesPriceTicks: number,
    countHundredths: number,
    timeInForce: "good_till_canceled" | "immediate_or_cancel",
  ): string | null {
    const bal = this.exchange.balance(FEED_USER);
    if (bal.ok && bal.value.balanceMicros < FEED_TOP_UP_BELOW_MICROS)
      this.exchange.deposit(FEED_USER, FEED_DEPOSIT_MICROS);
    const r = this.exchange.createOrder(FEED_USER, {
      ticker,
      clientOrderId: `feed-${++this.feedSeq}`,
      side,
      yesPriceTicks,
      countHundredths,
      timeInForce,
      selfTradePrevention: "maker",
    });
    return r.ok ? r.value.orderId : null;
  }
}

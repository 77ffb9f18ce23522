/**
 * A real order book from npm (tardis-dev's `OrderBook`, a red-black tree per side) behind a small
 * Kalshi adapter, fed the same raw frames as the engine: JSON.parse each frame, turn YES bids into
 * bids and NO bids into YES asks at $1 − p, and — because tardis books take absolute level sizes
 * while Kalshi sends signed changes — keep the current size per level to compute the new amount.
 */
import { type BookChange, OrderBook } from "tardis-dev";

interface KalshiFrame {
  type: string;
  msg: {
    market_ticker: string;
    yes_dollars_fp?: [string, string][];
    no_dollars_fp?: [string, string][];
    price_dollars?: string;
    delta_fp?: string;
    side?: string;
    ts_ms?: number;
  };
}

interface Market {
  book: OrderBook;
  sizes: Map<string, number>; // "y0.4200" / "n0.5500" → contracts
}

export class TardisKalshiBooks {
  readonly markets = new Map<string, Market>();
  applied = 0;

  apply(text: string): void {
    const f = JSON.parse(text) as KalshiFrame;
    const msg = f.msg;
    if (f.type === "orderbook_snapshot") {
      const m: Market = { book: new OrderBook(), sizes: new Map() };
      const bids = (msg.yes_dollars_fp ?? []).map(([p, c]) => {
        m.sizes.set(`y${p}`, Number(c));
        return { price: Number(p), amount: Number(c) };
      });
      const asks = (msg.no_dollars_fp ?? []).map(([p, c]) => {
        m.sizes.set(`n${p}`, Number(c));
        return { price: Math.round((1 - Number(p)) * 1e4) / 1e4, amount: Number(c) };
      });
      const now = new Date();
      m.book.update({
        type: "book_change",
        symbol: msg.market_ticker,
        exchange: "kalshi" as BookChange["exchange"],
        isSnapshot: true,
        bids,
        asks,
        timestamp: now,
        localTimestamp: now,
      });
      this.markets.set(msg.market_ticker, m);
      this.applied++;
      return;
    }
    if (f.type !== "orderbook_delta" || msg.price_dollars === undefined || msg.delta_fp === undefined) return;
    const m = this.markets.get(msg.market_ticker);
    if (!m) return;
    const yes = msg.side === "yes";
    const key = `${yes ? "y" : "n"}${msg.price_dollars}`;
    const amount = Math.max(0, Math.round(((m.sizes.get(key) ?? 0) + Number(msg.delta_fp)) * 100) / 100);
    if (amount === 0) m.sizes.delete(key);
    else m.sizes.set(key, amount);
    const p = Number(msg.price_dollars);
    const level = [{ price: yes ? p : Math.round((1 - p) * 1e4) / 1e4, amount }];
    const ts = new Date(msg.ts_ms ?? 0);
    m.book.update({
      type: "book_change",
      symbol: msg.market_ticker,
      exchange: "kalshi" as BookChange["exchange"],
      isSnapshot: false,
      bids: yes ? level : [],
      asks: yes ? [] : level,
      timestamp: ts,
      localTimestamp: ts,
    });
    this.applied++;
  }

  bestBid(ticker: string): number {
    return this.markets.get(ticker)?.book.bestBid()?.price ?? 0;
  }
}

/**
 * Baseline for the book bench: the straightforward implementation — JSON.parse every frame and keep
 * books in Maps keyed by price string, with the same seq check. What a first version usually is.
 */
interface MapBook {
  yes: Map<string, number>;
  no: Map<string, number>;
}

interface Frame {
  type: string;
  sid?: number;
  seq?: number;
  msg: {
    market_ticker: string;
    yes_dollars_fp?: [string, string][];
    no_dollars_fp?: [string, string][];
    price_dollars?: string;
    delta_fp?: string;
    side?: string;
  };
}

export class MapBookBaseline {
  readonly books = new Map<string, MapBook>();
  private readonly lastSeq = new Map<number, number>();
  applied = 0;

  apply(text: string): void {
    const f = JSON.parse(text) as Frame;
    if (f.sid !== undefined && f.seq !== undefined) this.lastSeq.set(f.sid, f.seq);
    const msg = f.msg;
    if (f.type === "orderbook_snapshot") {
      const b: MapBook = { yes: new Map(), no: new Map() };
      for (const [p, c] of msg.yes_dollars_fp ?? []) b.yes.set(p, Math.round(Number(c) * 100));
      for (const [p, c] of msg.no_dollars_fp ?? []) b.no.set(p, Math.round(Number(c) * 100));
      this.books.set(msg.market_ticker, b);
      this.applied++;
    } else if (f.type === "orderbook_delta") {
      const b = this.books.get(msg.market_ticker);
      if (!b || msg.price_dollars === undefined || msg.delta_fp === undefined) return;
      const side = msg.side === "yes" ? b.yes : b.no;
      const next = (side.get(msg.price_dollars) ?? 0) + Math.round(Number(msg.delta_fp) * 100);
      if (next <= 0) side.delete(msg.price_dollars);
      else side.set(msg.price_dollars, next);
      this.applied++;
    }
  }

  bestYes(ticker: string): number {
    const b = this.books.get(ticker);
    let best = 0;
    if (b) for (const p of b.yes.keys()) best = Math.max(best, Number(p));
    return best;
  }
}

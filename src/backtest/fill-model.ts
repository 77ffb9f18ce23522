/**
 * Fill models of the backtest (docs/backtest.md): when do the engine's orders fill against a
 * recorded book that does not contain them? The backtest driver asks a `FillModel`; the paper
 * exchange's matching core then executes what the model says (src/backtest/venue.ts), so prices,
 * fees and the account follow the exchange's own code.
 *
 * `QueueFillModel` (the default):
 * - **Taking.** An order that crosses the recorded book takes the recorded liquidity at the
 *   book's prices, best level first, up to the size there (`availableHundredths`). What it took is
 *   remembered as *depleted* at that level and is not offered again: a level's available size is
 *   its recorded size minus what the engine took there, the depletion never exceeding what the
 *   level still holds (a recorded decrease eats into it first, an increase adds fresh size on top).
 * - **Resting.** An order that rests joins the back of its level's queue: the size ahead of it is
 *   the level's available size when it arrived. A recorded decrease at that level consumes the
 *   size ahead first (a cancel or a trade ahead of us, the feed cannot tell). What a decrease takes
 *   beyond the size ahead fills the order, but only while its level is the best of its side (only
 *   the top of the book trades; a decrease deeper in the book is a cancel behind us). Increases
 *   join behind the order. An amend that moves the price rejoins at the back.
 * - **Crossed.** When the recorded opposite side moves through a resting order's price (the
 *   market traded through it), the order fills at its own price against the crossing size.
 * - **Snapshots** replace a book: the size ahead is capped at the level's new size; depletion of
 *   that market is capped level by level the same way.
 *
 * Sides are the BookTable's: SIDE_YES = YES bids (Kalshi V2 `bid`, own price = YES price),
 * SIDE_NO = NO bids (V2 `ask`, own price = NO price = 10000 − YES price). Prices in ticks of
 * $0.0001, sizes in hundredths.
 */
import { type BookTable, SIDE_NO, SIDE_YES, type Side } from "../book/book-table.js";
import { TICKS_PER_DOLLAR } from "../kalshi/units.js";

/** One of the engine's resting orders, as the fill model tracks it. */
export interface TrackedOrder {
  readonly orderId: string;
  readonly market: number;
  /** BookTable side of the order's own leg */
  readonly side: Side;
  /** own-leg price in ticks (YES price for SIDE_YES, NO price for SIDE_NO) */
  readonly ownTicks: number;
  remainingHundredths: number;
  /** recorded size still ahead of the order in its level's queue */
  aheadHundredths: number;
}

/** Receives a fill of a resting order at its own price (the venue executes it). */
export type RestingFillSink = (order: TrackedOrder, sizeHundredths: number) => void;

export interface FillModel {
  /** Size an incoming order can take at (m, side, own-leg tick): recorded minus depleted. */
  availableHundredths(m: number, side: Side, ticks: number): number;
  /** The engine took `sizeHundredths` of the recorded liquidity at (m, side, ticks). */
  consume(m: number, side: Side, ticks: number, sizeHundredths: number): void;
  /** An order of the engine rests (new, or moved to another price): it joins the back. */
  onRest(orderId: string, m: number, side: Side, ownTicks: number, remainingHundredths: number): void;
  /** Its resting size changed without moving (partial fill, decrease). */
  onResize(orderId: string, remainingHundredths: number): void;
  /** It no longer rests (filled, canceled). */
  onGone(orderId: string): void;
  /** A delta was applied to the recorded book (the BookTable already holds it). */
  onDelta(m: number, side: Side, ticks: number, changeHundredths: number, fill: RestingFillSink): void;
  /** A snapshot replaced market m's recorded book. */
  onSnapshot(m: number, fill: RestingFillSink): void;
  /** How many orders it tracks (tests, report). */
  readonly trackedCount: number;
}

/** The depletion key of a level: fits a double exactly for any market index in use. */
function levelKey(m: number, side: Side, ticks: number): number {
  return (m * 2 + side) * (TICKS_PER_DOLLAR + 1) + ticks;
}

export class QueueFillModel implements FillModel {
  private readonly byId = new Map<string, TrackedOrder>();
  /** per market, its tracked orders (few: the engine keeps one working order per direction) */
  private readonly byMarket = new Map<number, TrackedOrder[]>();
  private readonly depleted = new Map<number, number>();

  constructor(private readonly book: BookTable) {}

  get trackedCount(): number {
    return this.byId.size;
  }

  availableHundredths(m: number, side: Side, ticks: number): number {
    const recorded = this.book.sizeAt(m, side, ticks);
    const gone = this.depleted.get(levelKey(m, side, ticks)) ?? 0;
    return recorded > gone ? recorded - gone : 0;
  }

  consume(m: number, side: Side, ticks: number, sizeHundredths: number): void {
    if (sizeHundredths <= 0) return;
    const key = levelKey(m, side, ticks);
    this.depleted.set(
      key,
      Math.min(this.book.sizeAt(m, side, ticks), (this.depleted.get(key) ?? 0) + sizeHundredths),
    );
  }

  onRest(orderId: string, m: number, side: Side, ownTicks: number, remainingHundredths: number): void {
    this.onGone(orderId);
    const o: TrackedOrder = {
      orderId,
      market: m,
      side,
      ownTicks,
      remainingHundredths,
      aheadHundredths: this.availableHundredths(m, side, ownTicks),
    };
    this.byId.set(orderId, o);
    const list = this.byMarket.get(m);
    if (list === undefined) this.byMarket.set(m, [o]);
    else list.push(o);
  }

  onResize(orderId: string, remainingHundredths: number): void {
    const o = this.byId.get(orderId);
    if (o !== undefined) o.remainingHundredths = remainingHundredths;
  }

  onGone(orderId: string): void {
    const o = this.byId.get(orderId);
    if (o === undefined) return;
    this.byId.delete(orderId);
    const list = this.byMarket.get(o.market)!;
    list.splice(list.indexOf(o), 1);
    if (list.length === 0) this.byMarket.delete(o.market);
  }

  onDelta(m: number, side: Side, ticks: number, changeHundredths: number, fill: RestingFillSink): void {
    this.capDepletion(m, side, ticks);
    const list = this.byMarket.get(m);
    if (list === undefined) return;
    // a copy: a fill may end an order, which removes it from the list
    for (const o of [...list]) {
      if (changeHundredths < 0 && o.side === side && o.ownTicks === ticks) {
        const taken = -changeHundredths;
        const ahead = Math.min(o.aheadHundredths, taken);
        o.aheadHundredths -= ahead;
        const beyond = taken - ahead;
        if (beyond > 0 && this.isTopOfSide(m, side, ticks)) fill(o, Math.min(beyond, o.remainingHundredths));
      } else if (o.side !== side) this.fillCrossed(o, fill);
    }
  }

  onSnapshot(m: number, fill: RestingFillSink): void {
    for (const key of [...this.depleted.keys()]) {
      const km = Math.floor(key / ((TICKS_PER_DOLLAR + 1) * 2));
      if (km !== m) continue;
      const rest = key - km * 2 * (TICKS_PER_DOLLAR + 1);
      const side = (rest > TICKS_PER_DOLLAR ? SIDE_NO : SIDE_YES) as Side;
      this.capDepletion(m, side, rest - side * (TICKS_PER_DOLLAR + 1));
    }
    const list = this.byMarket.get(m);
    if (list === undefined) return;
    for (const o of [...list]) {
      o.aheadHundredths = Math.min(o.aheadHundredths, this.availableHundredths(m, o.side, o.ownTicks));
      this.fillCrossed(o, fill);
    }
  }

  /** True when no recorded size rests at a better price than `ticks` on this side. */
  private isTopOfSide(m: number, side: Side, ticks: number): boolean {
    const best = side === SIDE_YES ? this.book.bestYesTick(m) : this.book.bestNoTick(m);
    return best <= ticks;
  }

  /**
   * The opposite side at or through the order's price: own price p crosses opposite bids at
   * ticks ≥ 10000 − p. Fills at the order's own price against the crossing size (consumed).
   */
  private fillCrossed(o: TrackedOrder, fill: RestingFillSink): void {
    const m = o.market;
    const opposite = (1 - o.side) as Side;
    const limit = TICKS_PER_DOLLAR - o.ownTicks;
    let t = opposite === SIDE_YES ? this.book.bestYesTick(m) : this.book.bestNoTick(m);
    for (; t >= limit && t > 0 && o.remainingHundredths > 0 && this.byId.has(o.orderId); t--) {
      const size = Math.min(this.availableHundredths(m, opposite, t), o.remainingHundredths);
      if (size <= 0) continue;
      this.consume(m, opposite, t, size);
      fill(o, size);
    }
  }

  private capDepletion(m: number, side: Side, ticks: number): void {
    const key = levelKey(m, side, ticks);
    const gone = this.depleted.get(key);
    if (gone === undefined) return;
    const recorded = this.book.sizeAt(m, side, ticks);
    if (recorded <= 0) this.depleted.delete(key);
    else if (gone > recorded) this.depleted.set(key, recorded);
  }
}

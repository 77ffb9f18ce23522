/**
 * One order book per market, in YES space (kalshi-api-notes.md). Pure data structure: no
 * events, no money.
 *
 * Both sides are sparse arrays over YES ticks 0..10000 ($0.0001) of price levels; a level is a FIFO
 * (doubly-linked through the orders, so a cancel is O(1)) plus its total size. `bid` orders
 * (YES bids) rest at their YES price; `ask` orders (NO bids at $1 − p) rest at their YES price
 * p on the ask side. Best prices are cached; when a best level empties the next one is found by
 * scanning toward the far end (amortised cheap: books are dense near the top).
 */
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { BookSide } from "./api.js";
import type { OrderRecord } from "./state.js";

export class PriceLevel {
  totalHundredths = 0;
  head: OrderRecord | null = null;
  tail: OrderRecord | null = null;
}

const NO_BID = 0;
const NO_ASK = TICKS_PER_DOLLAR;

export class Book {
  /** Indexed by YES tick; levels are created lazily and reused. */
  readonly bids: (PriceLevel | undefined)[] = new Array(TICKS_PER_DOLLAR + 1);
  readonly asks: (PriceLevel | undefined)[] = new Array(TICKS_PER_DOLLAR + 1);
  /** Highest YES bid with size, or 0. */
  bestBidTicks = NO_BID;
  /** Lowest YES ask (= $1 − best NO bid) with size, or 10000. */
  bestAskTicks = NO_ASK;

  /** The level that an incoming order on `side` at `yesPriceTicks` would trade against first. */
  crossingLevel(side: BookSide, yesPriceTicks: number): PriceLevel | undefined {
    if (side === "bid") {
      return this.bestAskTicks <= yesPriceTicks ? this.asks[this.bestAskTicks] : undefined;
    }
    return this.bestBidTicks >= yesPriceTicks ? this.bids[this.bestBidTicks] : undefined;
  }

  /** Appends at the back of its price level's queue (time priority). */
  append(order: OrderRecord): void {
    const levels = order.side === "bid" ? this.bids : this.asks;
    const p = order.yesPriceTicks;
    let level = levels[p];
    if (level === undefined) levels[p] = level = new PriceLevel();
    order.prev = level.tail;
    order.next = null;
    if (level.tail !== null) level.tail.next = order;
    else level.head = order;
    level.tail = order;
    level.totalHundredths += order.remainingHundredths;
    if (order.side === "bid") {
      if (p > this.bestBidTicks) this.bestBidTicks = p;
    } else if (p < this.bestAskTicks) this.bestAskTicks = p;
  }

  /** Reduces the resting size of an order that stays in the book (fill or decrease). */
  shrink(order: OrderRecord, byHundredths: number): void {
    const levels = order.side === "bid" ? this.bids : this.asks;
    levels[order.yesPriceTicks]!.totalHundredths -= byHundredths;
  }

  /** Unlinks an order; its `remainingHundredths` must still be the size it rests with. */
  remove(order: OrderRecord): void {
    const isBid = order.side === "bid";
    const levels = isBid ? this.bids : this.asks;
    const p = order.yesPriceTicks;
    const level = levels[p]!;
    if (order.prev !== null) order.prev.next = order.next;
    else level.head = order.next;
    if (order.next !== null) order.next.prev = order.prev;
    else level.tail = order.prev;
    order.prev = order.next = null;
    level.totalHundredths -= order.remainingHundredths;
    if (level.head !== null) return;
    if (isBid && p === this.bestBidTicks) {
      let q = p - 1;
      while (q > NO_BID && (this.bids[q] === undefined || this.bids[q]!.head === null)) q--;
      this.bestBidTicks = q;
    } else if (!isBid && p === this.bestAskTicks) {
      let q = p + 1;
      while (q < NO_ASK && (this.asks[q] === undefined || this.asks[q]!.head === null)) q++;
      this.bestAskTicks = q;
    }
  }

  sizeAt(side: BookSide, yesPriceTicks: number): number {
    const level = (side === "bid" ? this.bids : this.asks)[yesPriceTicks];
    return level === undefined ? 0 : level.totalHundredths;
  }

  /**
   * YES bids ascending and NO bids ascending on the NO scale (best last), at most `depth` best
   * levels per side (0 = all). kalshi-api-notes.md
   */
  levels(depth: number): { yes: [number, number][]; no: [number, number][] } {
    const limit = depth > 0 ? depth : TICKS_PER_DOLLAR;
    const yes: [number, number][] = [];
    for (let p = this.bestBidTicks; p > NO_BID && yes.length < limit; p--) {
      const level = this.bids[p];
      if (level !== undefined && level.totalHundredths > 0) yes.push([p, level.totalHundredths]);
    }
    yes.reverse();
    const no: [number, number][] = [];
    for (let p = this.bestAskTicks; p < NO_ASK && no.length < limit; p++) {
      const level = this.asks[p];
      if (level !== undefined && level.totalHundredths > 0)
        no.push([TICKS_PER_DOLLAR - p, level.totalHundredths]);
    }
    no.reverse();
    return { yes, no };
  }
}

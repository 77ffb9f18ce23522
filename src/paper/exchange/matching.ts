/**
 * Price-time matching of one incoming order against its market's book (kalshi-api-notes.md).
 *
 * A bid at p crosses asks at YES prices ≤ p (YES bid + NO bid ≥ $1); an ask at p crosses bids
 * ≥ p. Executions print at the RESTING order's price, best level first, FIFO inside a level.
 * Self-trade prevention: `taker_at_cross` stops the incoming order (its remainder is canceled,
 * fills already done stay), `maker` cancels the resting own order and keeps matching.
 */
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { OrderUpdateReason } from "./api.js";
import { recordGroupFill } from "./groups.js";
import { applyFill } from "./ledger.js";
import {
  cancelResting,
  emitOrderUpdate,
  emitPositionUpdate,
  finishOrder,
  restOrder,
  takeFromBook,
} from "./ops.js";
import type { ExchangeState, OrderRecord } from "./state.js";
import { ID_TRADE, makeId } from "./state.js";

/** True when the order would execute against anything on arrival (post-only check). */
export function wouldCross(order: OrderRecord): boolean {
  return order.market.book.crossingLevel(order.side, order.yesPriceTicks) !== undefined;
}

/**
 * Volume the order could take right now, stopping at `neededHundredths` (FOK pre-check). Mirrors
 * the match loop: own orders are skipped under `maker` STP and end the sweep under
 * `taker_at_cross`.
 */
export function fillableHundredths(order: OrderRecord, neededHundredths: number): number {
  const book = order.market.book;
  const isBid = order.side === "bid";
  const levels = isBid ? book.asks : book.bids;
  let total = 0;
  let p = isBid ? book.bestAskTicks : book.bestBidTicks;
  while (isBid ? p <= order.yesPriceTicks && p < TICKS_PER_DOLLAR : p >= order.yesPriceTicks && p > 0) {
    for (let o = levels[p]?.head ?? null; o !== null; o = o.next) {
      if (o.userId === order.userId) {
        if (order.selfTradePrevention === "taker_at_cross") return total;
        continue;
      }
      total += o.remainingHundredths;
      if (total >= neededHundredths) return total;
    }
    p += isBid ? 1 : -1;
  }
  return total;
}

/** Executes `sizeHundredths` between an incoming order and the head resting order. */
function execute(state: ExchangeState, taker: OrderRecord, maker: OrderRecord, sizeHundredths: number): void {
  const tsMs = state.clock();
  const market = taker.market;
  const priceTicks = maker.yesPriceTicks;
  const tradeId = makeId(ID_TRADE, ++state.tradeSeq);
  const makerDone = sizeHundredths === maker.remainingHundredths;
  takeFromBook(state, maker, sizeHundredths);
  market.lastPriceTicks = priceTicks;
  market.volumeHundredths += sizeHundredths;
  state.listener?.trade?.(market.ticker, {
    tradeId,
    yesPriceTicks: priceTicks,
    countHundredths: sizeHundredths,
    takerSide: taker.side === "bid" ? "yes" : "no",
    tsMs,
  });
  const takerFill = applyFill(state, taker, priceTicks, sizeHundredths, true, tradeId, tsMs);
  const makerFill = applyFill(state, maker, priceTicks, sizeHundredths, false, tradeId, tsMs);
  const l = state.listener;
  l?.fill?.(taker.userId, takerFill);
  l?.fill?.(maker.userId, makerFill);
  emitPositionUpdate(state, taker);
  emitPositionUpdate(state, maker);
  if (makerDone) finishOrder(state, maker, "executed", "Filled");
  else {
    maker.lastUpdateReason = "PartiallyFilled";
    emitOrderUpdate(state, maker);
  }
  // Groups last: a trigger may cancel resting orders, including this maker's remainder.
  recordGroupFill(state, maker, sizeHundredths, tsMs);
  recordGroupFill(state, taker, sizeHundredths, tsMs);
}

/**
 * Matches an incoming order (not in the book, status "resting", `remainingHundredths` > 0), then
 * rests, cancels or completes it according to its time in force. Emits the taker's final
 * orderUpdate.
 */
export function matchAndPlace(state: ExchangeState, taker: OrderRecord): void {
  const book = taker.market.book;
  const group = taker.orderGroupId === undefined ? undefined : state.groupsById.get(taker.orderGroupId);
  let stopReason: OrderUpdateReason | undefined;
  const fillBefore = taker.fillHundredths;
  while (taker.remainingHundredths > 0) {
    const level = book.crossingLevel(taker.side, taker.yesPriceTicks);
    if (level === undefined) break;
    const maker = level.head!;
    if (maker.userId === taker.userId) {
      if (taker.selfTradePrevention === "maker") {
        cancelResting(state, maker, "SelfTradePreventionMaker");
        continue;
      }
      stopReason = "SelfTradePreventionTaker";
      break;
    }
    execute(state, taker, maker, Math.min(taker.remainingHundredths, maker.remainingHundredths));
    if (group?.isTriggered) {
      stopReason = "OrderGroupTriggered";
      break;
    }
  }
  if (taker.remainingHundredths === 0) {
    finishOrder(state, taker, "executed", "Filled");
  } else if (stopReason !== undefined) {
    finishOrder(state, taker, "canceled", stopReason);
  } else if (taker.timeInForce === "immediate_or_cancel") {
    finishOrder(state, taker, "canceled", "ImmediateOrCancel");
  } else if (taker.timeInForce === "fill_or_kill") {
    // Unreachable after the pre-check unless a group trigger interrupted the sweep.
    finishOrder(state, taker, "canceled", "FillOrKillInsufficientVolume");
  } else {
    if (taker.fillHundredths > fillBefore) taker.lastUpdateReason = "PartiallyFilled";
    taker.lastUpdateTsMs = state.clock();
    restOrder(state, taker);
    emitOrderUpdate(state, taker);
  }
}

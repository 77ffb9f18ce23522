/**
 * Resting-order lifecycle shared by every write: put an order in the book, take size out of it,
 * finish it. Each step keeps the book, the per-position resting counters, the cash held for the
 * order and the expiry set consistent, and emits the matching events (api.ts ExchangeListener).
 */
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { OrderStatus, OrderUpdateReason } from "./api.js";
import { releaseCash } from "./cash.js";
import type { ExchangeState, MarketState, OrderRecord } from "./state.js";

function emitBookDelta(state: ExchangeState, order: OrderRecord, deltaHundredths: number): void {
  const l = state.listener;
  if (l?.bookDelta === undefined) return;
  const isBid = order.side === "bid";
  l.bookDelta(
    order.ticker,
    isBid ? "yes" : "no",
    isBid ? order.yesPriceTicks : TICKS_PER_DOLLAR - order.yesPriceTicks,
    deltaHundredths,
    order.clientOrderId === "" ? undefined : order.clientOrderId,
    order.userId,
    state.clock(),
  );
}

export function emitOrderUpdate(state: ExchangeState, order: OrderRecord): void {
  state.listener?.orderUpdate?.(order.userId, order);
}

export function emitPositionUpdate(state: ExchangeState, order: OrderRecord): void {
  state.listener?.positionUpdate?.(order.userId, order.ticker, order.position);
}

/** Puts an order with `remainingHundredths` > 0 at the back of its level. */
export function restOrder(state: ExchangeState, order: OrderRecord): void {
  order.market.book.append(order);
  order.inBook = true;
  const pos = order.position;
  pos.restingOrdersCount++;
  if (order.side === "bid") pos.restingBidHundredths += order.remainingHundredths;
  else pos.restingAskHundredths += order.remainingHundredths;
  if (order.expirationTsMs !== undefined) {
    state.expiring.add(order);
    if (order.expirationTsMs < state.nextExpiryTsMs) state.nextExpiryTsMs = order.expirationTsMs;
  }
  emitBookDelta(state, order, order.remainingHundredths);
}

/** Removes `byHundredths` of a resting order's size from the book (not from the order itself). */
export function takeFromBook(state: ExchangeState, order: OrderRecord, byHundredths: number): void {
  const pos = order.position;
  if (byHundredths >= order.remainingHundredths) {
    order.market.book.remove(order);
    order.inBook = false;
    pos.restingOrdersCount--;
    state.expiring.delete(order);
  } else order.market.book.shrink(order, byHundredths);
  if (order.side === "bid") pos.restingBidHundredths -= byHundredths;
  else pos.restingAskHundredths -= byHundredths;
  emitBookDelta(state, order, -byHundredths);
}

/** Returns up to `amountMicros` of the order's held cash to the available balance. */
export function releaseHold(order: OrderRecord, amountMicros: number): void {
  const amount = Math.min(amountMicros, order.heldMicros);
  if (amount <= 0) return;
  order.heldMicros -= amount;
  releaseCash(order.account, order.market.exchangeIndex, amount);
}

/**
 * Ends an order that is NOT in the book (take it out first): returns any cash still held,
 * zeroes the remainder of a canceled order, leaves its group and emits the order update.
 */
export function finishOrder(
  state: ExchangeState,
  order: OrderRecord,
  status: Exclude<OrderStatus, "resting">,
  reason: OrderUpdateReason,
): void {
  releaseHold(order, order.heldMicros);
  order.status = status;
  order.remainingHundredths = 0;
  order.lastUpdateReason = reason;
  order.lastUpdateTsMs = state.clock();
  order.account.updatedTsMs = order.lastUpdateTsMs;
  if (order.orderGroupId !== undefined) state.groupsById.get(order.orderGroupId)?.orders.delete(order);
  emitOrderUpdate(state, order);
  if (!order.account.keepHistory) {
    // Simulator accounts: finished orders are forgotten so memory stays flat under load.
    state.ordersById.delete(order.orderId);
    if (order.clientOrderId !== "") order.account.ordersByClientId.delete(order.clientOrderId);
  }
}

/** Cancels a resting order; returns the hundredths canceled. */
export function cancelResting(state: ExchangeState, order: OrderRecord, reason: OrderUpdateReason): number {
  if (order.status !== "resting" || !order.inBook) return 0;
  const reduced = order.remainingHundredths;
  takeFromBook(state, order, reduced);
  finishOrder(state, order, "canceled", reason);
  return reduced;
}

/** Cancels every resting order of a market matching `pick` (pause, close, settlement). */
export function cancelMarketOrders(
  state: ExchangeState,
  market: MarketState,
  reason: OrderUpdateReason,
  pick: (order: OrderRecord) => boolean,
): number {
  const victims: OrderRecord[] = [];
  const { bids, asks } = market.book;
  for (let p = 1; p < TICKS_PER_DOLLAR; p++) {
    for (let o = bids[p]?.head ?? null; o !== null; o = o.next) if (pick(o)) victims.push(o);
    for (let o = asks[p]?.head ?? null; o !== null; o = o.next) if (pick(o)) victims.push(o);
  }
  for (const order of victims) cancelResting(state, order, reason);
  return victims.length;
}

/** Cancels every resting order whose expiration has passed (lazy expiry on the clock). */
export function expireDue(state: ExchangeState): number {
  const now = state.clock();
  if (now < state.nextExpiryTsMs) return 0;
  let expired = 0;
  let next = Number.POSITIVE_INFINITY;
  for (const order of state.expiring) {
    const at = order.expirationTsMs!;
    if (at <= now) {
      cancelResting(state, order, "Expired");
      expired++;
    } else if (at < next) next = at;
  }
  state.nextExpiryTsMs = next;
  return expired;
}

/**
 * Order creation and amendment (V2 semantics, kalshi-api-notes.md): validation in the
 * order Kalshi's errors imply, cash hold, post-only / FOK pre-checks, then matching.
 */
import { MICROS_PER_TICK_HUNDREDTH } from "../../kalshi/units.js";
import type { AmendRequest, CreateOrderRequest, ExchangeError, OrderView, Result } from "./api.js";
import { holdCash } from "./cash.js";
import { oneShotFeeMicros } from "./fees.js";
import { isOnGrid } from "./grid.js";
import { findGroup } from "./groups.js";
import { holdMicrosFor } from "./ledger.js";
import { fillableHundredths, matchAndPlace, wouldCross } from "./matching.js";
import { emitOrderUpdate, finishOrder, releaseHold, takeFromBook } from "./ops.js";
import { TRADING_PAUSED, tradingPaused } from "./pauses.js";
import type {
  Account,
  ExchangeState,
  MarketState,
  OrderGroupRecord,
  OrderRecord,
  PositionRecord,
} from "./state.js";
import { ID_ORDER, legTicks, makeId } from "./state.js";

export function fail(
  status: 400 | 403 | 404 | 409,
  code: string,
  message: string,
): { ok: false; error: ExchangeError } {
  return { ok: false, error: { status, code, message } };
}

export function positionOf(account: Account, market: MarketState): PositionRecord {
  let pos = account.positions.get(market.ticker);
  if (pos === undefined) {
    pos = {
      ticker: market.ticker,
      eventTicker: market.eventTicker,
      positionHundredths: 0,
      costBasisMicros: 0,
      realizedPnlMicros: 0,
      feesPaidMicros: 0,
      totalTradedMicros: 0,
      volumeHundredths: 0,
      restingOrdersCount: 0,
      lastUpdatedTsMs: 0,
      restingBidHundredths: 0,
      restingAskHundredths: 0,
    };
    account.positions.set(market.ticker, pos);
  }
  return pos;
}

function validCount(market: MarketState, countHundredths: number): boolean {
  return (
    Number.isSafeInteger(countHundredths) &&
    countHundredths > 0 &&
    (market.fractionalTradingEnabled || countHundredths % 100 === 0)
  );
}

/** Worst fee the order could pay as a taker at its limit: part of the balance check, not held. */
function takerFeeEstimate(
  state: ExchangeState,
  market: MarketState,
  order: OrderRecord,
  count: number,
): number {
  return oneShotFeeMicros(
    state.takerRatePpm,
    market.feeMultiplierBp,
    count,
    legTicks(order.side, order.yesPriceTicks),
  );
}

export function createOrder(
  state: ExchangeState,
  account: Account,
  req: CreateOrderRequest,
): Result<OrderView> {
  const clientOrderId = req.clientOrderId ?? "";
  // Idempotency first: a retried create must never make a second order (correctness-rules.md rule 15).
  if (clientOrderId !== "" && account.ordersByClientId.has(clientOrderId)) {
    return fail(409, "order_already_exists", `client_order_id ${clientOrderId} already used`);
  }
  const market = state.markets.get(req.ticker);
  if (market === undefined) return fail(404, "market_not_found", `market ${req.ticker} not found`);
  if (market.status !== "active") {
    const inactive = market.status === "initialized" || market.status === "inactive";
    return fail(
      400,
      inactive ? "market_inactive" : "market_closed",
      `market ${req.ticker} is ${market.status}`,
    );
  }
  if (tradingPaused(state, market.exchangeIndex)) {
    return fail(400, TRADING_PAUSED, `trading is paused on exchange shard ${market.exchangeIndex}`);
  }
  if (account.refusedCategories.has(market.category)) {
    return fail(
      403,
      "location_attestation_required",
      `this API key's location attestation has expired: it cannot trade ${market.category} markets`,
    );
  }
  if (req.side !== "bid" && req.side !== "ask") return fail(400, "invalid_order", "side must be bid or ask");
  if (!isOnGrid(market.priceLevelStructure, req.yesPriceTicks)) {
    return fail(400, "invalid_price", `price is off the ${market.priceLevelStructure} grid`);
  }
  if (!validCount(market, req.countHundredths)) return fail(400, "invalid_count", "count must be positive");
  const tif = req.timeInForce;
  if (tif !== "good_till_canceled" && tif !== "immediate_or_cancel" && tif !== "fill_or_kill") {
    return fail(400, "invalid_order", "unknown time_in_force");
  }
  if (req.selfTradePrevention !== "taker_at_cross" && req.selfTradePrevention !== "maker") {
    return fail(400, "invalid_order", "unknown self_trade_prevention_type");
  }
  const nowMs = state.clock();
  if (req.expirationTsMs !== undefined) {
    if (tif !== "good_till_canceled")
      return fail(400, "invalid_order", "expiration_time needs good_till_canceled");
    if (!Number.isSafeInteger(req.expirationTsMs) || req.expirationTsMs <= nowMs) {
      return fail(400, "invalid_order", "expiration_time is in the past");
    }
  }
  let group: OrderGroupRecord | undefined;
  if (req.orderGroupId !== undefined) {
    const found = findGroup(account, req.orderGroupId);
    if (!found.ok) return found;
    group = found.value;
    // Order groups do not work across exchange instances: the market's shard does not know it.
    if (group.exchangeIndex !== market.exchangeIndex) {
      return fail(404, "order_group_not_found", `order group ${req.orderGroupId} not found`);
    }
    if (group.isTriggered) return fail(400, "exceeded_order_group_risk_limit", "order group is triggered");
  }
  const position = positionOf(account, market);
  let count = req.countHundredths;
  if (req.reduceOnly === true) {
    const p = position.positionHundredths;
    const closable = req.side === "bid" ? Math.max(0, -p) : Math.max(0, p);
    if (closable === 0)
      return fail(400, "reduce_only_would_increase_position", "reduce_only order has nothing to reduce");
    count = Math.min(count, closable);
  }

  const order: OrderRecord = {
    orderId: "",
    userId: account.userId,
    clientOrderId,
    ticker: market.ticker,
    exchangeIndex: market.exchangeIndex,
    side: req.side,
    yesPriceTicks: req.yesPriceTicks,
    status: "resting",
    initialHundredths: count,
    fillHundredths: 0,
    remainingHundredths: count,
    takerFillCostMicros: 0,
    makerFillCostMicros: 0,
    takerFeesMicros: 0,
    makerFeesMicros: 0,
    timeInForce: tif,
    selfTradePrevention: req.selfTradePrevention,
    postOnly: req.postOnly === true,
    reduceOnly: req.reduceOnly === true,
    cancelOrderOnPause: req.cancelOrderOnPause === true,
    expirationTsMs: req.expirationTsMs,
    orderGroupId: req.orderGroupId,
    createdTsMs: nowMs,
    lastUpdateTsMs: nowMs,
    lastUpdateReason: "Created",
    heldMicros: 0,
    seq: 0,
    prev: null,
    next: null,
    inBook: false,
    feeRoundingMicros: 0,
    market,
    account,
    position,
  };
  const holdMicros = holdMicrosFor(order, count, false);
  // Collateral is checked on the market's own shard (Kalshi exchange sharding).
  const shard = market.exchangeIndex;
  if (account.shardBalanceMicros[shard]! < holdMicros + takerFeeEstimate(state, market, order, count)) {
    return fail(400, "insufficient_balance", "insufficient balance for this order");
  }

  order.seq = ++state.orderSeq;
  order.orderId = makeId(ID_ORDER, order.seq);
  state.ordersById.set(order.orderId, order);
  if (account.keepHistory) account.orders.push(order);
  if (clientOrderId !== "") account.ordersByClientId.set(clientOrderId, order);
  group?.orders.add(order);
  holdCash(account, shard, holdMicros);
  order.heldMicros = holdMicros;
  account.updatedTsMs = nowMs;

  if (order.postOnly && wouldCross(order)) {
    finishOrder(state, order, "canceled", "PostOnlyCrossCancel");
  } else if (tif === "fill_or_kill" && fillableHundredths(order, count) < count) {
    finishOrder(state, order, "canceled", "FillOrKillInsufficientVolume");
  } else {
    matchAndPlace(state, order);
  }
  return { ok: true, value: order };
}

/**
 * Amend: `countHundredths` is the new TOTAL incl. filled. Only a size decrease at the same price
 * keeps queue priority; anything else leaves the book and re-enters (it may cross and trade as
 * taker) at the back of its level (kalshi-api-notes.md).
 */
export function amendOrder(
  state: ExchangeState,
  account: Account,
  order: OrderRecord,
  req: AmendRequest,
): Result<OrderView> {
  if (order.status !== "resting" || !order.inBook)
    return fail(400, "order_not_resting", "order is not resting");
  if (req.ticker !== undefined && req.ticker !== order.ticker)
    return fail(400, "invalid_order", "ticker mismatch");
  if (req.side !== undefined && req.side !== order.side) return fail(400, "invalid_order", "side mismatch");
  if (req.clientOrderId !== undefined && req.clientOrderId !== order.clientOrderId) {
    return fail(400, "invalid_order", "client_order_id mismatch");
  }
  const market = order.market;
  if (market.status !== "active")
    return fail(400, "market_closed", `market ${market.ticker} is ${market.status}`);
  if (tradingPaused(state, market.exchangeIndex)) {
    return fail(400, TRADING_PAUSED, `trading is paused on exchange shard ${market.exchangeIndex}`);
  }
  if (!isOnGrid(market.priceLevelStructure, req.yesPriceTicks)) {
    return fail(400, "invalid_price", `price is off the ${market.priceLevelStructure} grid`);
  }
  if (!validCount(market, req.countHundredths) || req.countHundredths <= order.fillHundredths) {
    return fail(400, "invalid_count", "count must exceed the filled count");
  }
  const newClientId = req.updatedClientOrderId;
  if (
    newClientId !== undefined &&
    newClientId !== order.clientOrderId &&
    account.ordersByClientId.has(newClientId)
  ) {
    return fail(409, "order_already_exists", `client_order_id ${newClientId} already used`);
  }
  const newRemaining = req.countHundredths - order.fillHundredths;
  const samePrice = req.yesPriceTicks === order.yesPriceTicks;
  if (samePrice && newRemaining <= order.remainingHundredths) {
    renameClientId(account, order, newClientId);
    if (newRemaining < order.remainingHundredths) shrinkInPlace(state, order, newRemaining);
    order.initialHundredths = req.countHundredths;
    order.lastUpdateReason = "Amended";
    order.lastUpdateTsMs = state.clock();
    emitOrderUpdate(state, order);
    return { ok: true, value: order };
  }

  // Re-entry: size the new hold with the order's own resting size excluded, check, then move.
  const oldPrice = order.yesPriceTicks;
  order.yesPriceTicks = req.yesPriceTicks;
  const newHold = holdMicrosFor(order, newRemaining, true);
  const fee = takerFeeEstimate(state, market, order, newRemaining);
  if (account.shardBalanceMicros[market.exchangeIndex]! + order.heldMicros < newHold + fee) {
    order.yesPriceTicks = oldPrice;
    return fail(400, "insufficient_balance", "insufficient balance for this amend");
  }
  order.yesPriceTicks = oldPrice;
  takeFromBook(state, order, order.remainingHundredths);
  releaseHold(order, order.heldMicros);
  order.yesPriceTicks = req.yesPriceTicks;
  order.remainingHundredths = newRemaining;
  order.initialHundredths = req.countHundredths;
  holdCash(account, market.exchangeIndex, newHold);
  order.heldMicros = newHold;
  renameClientId(account, order, newClientId);
  order.lastUpdateReason = "Amended";
  order.lastUpdateTsMs = state.clock();
  if (order.postOnly && wouldCross(order)) finishOrder(state, order, "canceled", "PostOnlyCrossCancel");
  else matchAndPlace(state, order);
  return { ok: true, value: order };
}

function renameClientId(account: Account, order: OrderRecord, newClientId: string | undefined): void {
  if (newClientId === undefined || newClientId === order.clientOrderId) return;
  // The old id stays taken: a late retry of the original create must still get 409.
  order.clientOrderId = newClientId;
  if (newClientId !== "") account.ordersByClientId.set(newClientId, order);
}

/** Lowers a resting order's remainder keeping its queue position; returns its surplus hold. */
export function shrinkInPlace(state: ExchangeState, order: OrderRecord, newRemaining: number): void {
  takeFromBook(state, order, order.remainingHundredths - newRemaining);
  order.remainingHundredths = newRemaining;
  const maxHold = legTicks(order.side, order.yesPriceTicks) * newRemaining * MICROS_PER_TICK_HUNDREDTH;
  releaseHold(order, order.heldMicros - Math.min(order.heldMicros, maxHold));
}

/**
 * Cash, fees and positions for one fill of one order (kalshi-api-notes.md; correctness-rules.md
 * rules 7–11). Exact integers: micros for money, hundredths for counts.
 *
 * Identity kept per account (checked by the property test):
 *   balance + held == deposits − Σ fees − Σ costBasis + Σ realizedPnl
 * Buying on a leg costs legPrice per contract; the part of a fill that closes an opposite
 * position merges YES+NO pairs into $1 each right away (netting), realising
 *   P&L = $1 × closed − cost of the closing part − cost basis removed.
 * The basis removed is proportional (floored when not exact) so the identity stays exact.
 */
import { MICROS_PER_TICK_HUNDREDTH } from "../../kalshi/units.js";
import type { FillAction, FillView } from "./api.js";
import { addCash } from "./cash.js";
import { chargeFillFee } from "./fees.js";
import { releaseHold } from "./ops.js";
import type { ExchangeState, OrderRecord } from "./state.js";
import { ID_FILL, legTicks, makeId } from "./state.js";

/** Every n-th fill reports action "" (api.ts FillAction). */
const BLANK_ACTION_EVERY = 7;

/** $1 per contract = 10,000 micros per hundredth. */
export const MICROS_PER_HUNDREDTH_PAYOUT = 10_000;

/**
 * Applies a fill of `sizeHundredths` at the resting order's YES price to `order`'s account,
 * position, fee accumulator and counters, and returns the fill record. No events.
 */
export function applyFill(
  state: ExchangeState,
  order: OrderRecord,
  yesPriceTicks: number,
  sizeHundredths: number,
  isTaker: boolean,
  tradeId: string,
  tsMs: number,
): FillView {
  const market = order.market;
  const account = order.account;
  const pos = order.position;
  const fillLegTicks = legTicks(order.side, yesPriceTicks);
  const costMicros = fillLegTicks * sizeHundredths * MICROS_PER_TICK_HUNDREDTH;

  // Fee: trade fee, rounding fee and rebates of kalshi-api-notes.md, on the order's own leg price.
  const ratePpm = isTaker
    ? state.takerRatePpm
    : market.feeType === "quadratic_with_maker_fees"
      ? state.makerRatePpm
      : 0;
  const feeMicros = chargeFillFee(order, ratePpm, market.feeMultiplierBp, sizeHundredths, fillLegTicks);
  const shard = market.exchangeIndex;
  addCash(account, shard, -feeMicros);

  // Position: close the opposite side first (netting), then open (rule 11).
  const direction = order.side === "bid" ? 1 : -1;
  const oldPos = pos.positionHundredths;
  const opposite = direction > 0 ? Math.max(0, -oldPos) : Math.max(0, oldPos);
  const closeHundredths = Math.min(sizeHundredths, opposite);

  // Cash held at the limit pays for the opening part; price improvement goes back (rule 8).
  const openLimitMicros =
    legTicks(order.side, order.yesPriceTicks) *
    (sizeHundredths - closeHundredths) *
    MICROS_PER_TICK_HUNDREDTH;
  releaseHold(order, openLimitMicros);
  addCash(account, shard, -costMicros);
  if (closeHundredths > 0) {
    const basisRemoved =
      closeHundredths === opposite
        ? pos.costBasisMicros
        : Number((BigInt(pos.costBasisMicros) * BigInt(closeHundredths)) / BigInt(opposite));
    const payoutMicros = closeHundredths * MICROS_PER_HUNDREDTH_PAYOUT;
    addCash(account, shard, payoutMicros);
    pos.realizedPnlMicros +=
      payoutMicros - fillLegTicks * closeHundredths * MICROS_PER_TICK_HUNDREDTH - basisRemoved;
    pos.costBasisMicros -= basisRemoved;
  }
  pos.costBasisMicros += fillLegTicks * (sizeHundredths - closeHundredths) * MICROS_PER_TICK_HUNDREDTH;
  pos.positionHundredths = oldPos + direction * sizeHundredths;
  pos.feesPaidMicros += feeMicros;
  pos.totalTradedMicros += costMicros;
  pos.volumeHundredths += sizeHundredths;
  pos.lastUpdatedTsMs = tsMs;
  market.openInterestHundredths += Math.max(0, pos.positionHundredths) - Math.max(0, oldPos);
  market.holders.add(account);
  account.updatedTsMs = tsMs;

  order.fillHundredths += sizeHundredths;
  order.remainingHundredths -= sizeHundredths;
  // Never hold more than the remainder can cost (a fill that closed instead of opening frees it).
  const maxHoldMicros =
    legTicks(order.side, order.yesPriceTicks) * order.remainingHundredths * MICROS_PER_TICK_HUNDREDTH;
  if (order.heldMicros > maxHoldMicros) releaseHold(order, order.heldMicros - maxHoldMicros);
  if (isTaker) {
    order.takerFillCostMicros += costMicros;
    order.takerFeesMicros += feeMicros;
  } else {
    order.makerFillCostMicros += costMicros;
    order.makerFeesMicros += feeMicros;
  }
  order.lastUpdateTsMs = tsMs;

  const seq = ++state.fillSeq;
  const opened = sizeHundredths - closeHundredths;
  const action: FillAction =
    seq % BLANK_ACTION_EVERY === 0
      ? ""
      : closeHundredths === 0
        ? "buy"
        : opened > 0
          ? "sell"
          : closeHundredths === opposite
            ? "sell_to_close"
            : "sell_partial";
  const fill: FillView = {
    fillId: makeId(ID_FILL, seq),
    tradeId,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    userId: order.userId,
    ticker: order.ticker,
    exchangeIndex: shard,
    side: order.side,
    yesPriceTicks,
    countHundredths: sizeHundredths,
    isTaker,
    action,
    feeMicros,
    postPositionHundredths: pos.positionHundredths,
    tsMs,
    seq,
  };
  if (account.keepHistory) account.fills.push(fill);
  return fill;
}

/**
 * Cash to hold for an order's opening part: what it does not close of the user's opposite
 * position, net of the user's other resting orders that already claim that position.
 */
export function holdMicrosFor(order: OrderRecord, remainingHundredths: number, excludeOwn: boolean): number {
  const pos = order.position;
  const p = pos.positionHundredths;
  const ownResting = excludeOwn ? order.remainingHundredths : 0;
  const claimed =
    order.side === "bid" ? pos.restingBidHundredths - ownResting : pos.restingAskHundredths - ownResting;
  const closable = Math.max(0, (order.side === "bid" ? -p : p) - claimed);
  const opening = Math.max(0, remainingHundredths - closable);
  return legTicks(order.side, order.yesPriceTicks) * opening * MICROS_PER_TICK_HUNDREDTH;
}

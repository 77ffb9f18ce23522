/**
 * Types and tiny pure helpers of the ledger (orders thread): engine actions and their V2 book
 * side (kalshi-api-notes.md), orders as the ledger tracks them, fills in, events out.
 */

import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type { BookSide } from "../../kalshi/vocabulary.js";
import type { FeeSchedule, OrderFeeAccumulator } from "./fees.js";

export type EngineAction = "BUY_YES" | "SELL_YES" | "BUY_NO" | "SELL_NO";

/** The V2 book side of an engine action (kalshi-api-notes.md, "V2 orders"). */
export function bookSideOf(action: EngineAction): BookSide {
  return action === "BUY_YES" || action === "SELL_NO" ? "bid" : "ask";
}

export function isBuy(action: EngineAction): boolean {
  return action === "BUY_YES" || action === "BUY_NO";
}

/** A price on the action's own scale (NO actions on the NO scale) → the V2 YES-leg price. */
export function yesLegTicks(action: EngineAction, ownPriceTicks: number): number {
  return action === "BUY_YES" || action === "SELL_YES" ? ownPriceTicks : TICKS_PER_DOLLAR - ownPriceTicks;
}

export interface LedgerOrder {
  readonly clientOrderId: string;
  readonly market: number;
  /** the market's exchange shard: the order reserves from, and pays with, this shard's cash */
  readonly shard: number;
  readonly action: EngineAction;
  readonly side: BookSide;
  /** limit on the action's own scale (NO actions on the NO scale) */
  ownLimitTicks: number;
  countHundredths: number;
  filledHundredths: number;
  reservedCostMicros: number;
  reservedFeeMicros: number;
  feesPaidMicros: number;
  exchangeOrderId: string;
  open: boolean;
  readonly fees: OrderFeeAccumulator;
}

export type LedgerEvent =
  | { kind: "fee_mismatch"; fillId: string; modelMicros: number; exchangeMicros: number }
  | { kind: "fee_over_reservation"; clientOrderId: string; excessMicros: number }
  | { kind: "fill_unknown_order"; fillId: string; market: number }
  | { kind: "overfill"; clientOrderId: string; excessHundredths: number }
  | { kind: "negative_free_cash"; freeCashMicros: number; shard: number };

export interface PlaceRequest {
  clientOrderId: string;
  market: number;
  action: EngineAction;
  ownLimitTicks: number;
  countHundredths: number;
}

export type PlaceResult =
  | { ok: true; reservedMicros: number }
  | {
      ok: false;
      /**
       * `shard_cash_short`: the market's shard cannot pay it but all shards together could (move
       * funds first); `insufficient_cash`: not even all shards together
       */
      reason:
        | "insufficient_cash"
        | "shard_cash_short"
        | "nothing_to_sell"
        | "duplicate_client_order_id"
        | "bad_order";
    };

export interface LedgerFill {
  /** trade_id / fill_id: the dedupe key (correctness-rules.md rule 13) */
  fillId: string;
  market: number;
  /** our order, if known; fills of unknown orders still move cash and position */
  clientOrderId?: string;
  exchangeOrderId?: string;
  side: BookSide;
  yesPriceTicks: number;
  sizeHundredths: number;
  isTaker: boolean;
  /** `fee_cost` of the fill message, if present (authoritative) */
  exchangeFeeMicros?: number;
}

export interface LedgerOptions {
  /** fill ids remembered for dedupe (oldest forgotten first); default 1,000,000 */
  maxSeenFills?: number;
  /** finished orders kept for late fills (oldest forgotten first); default 100,000 */
  maxClosedOrders?: number;
  feeScheduleOf?: (market: number) => FeeSchedule;
  /** a market's exchange shard (`exchange_index`); default: every market on shard 0 */
  shardOf?: (market: number) => number;
  onEvent?: (event: LedgerEvent) => void;
}

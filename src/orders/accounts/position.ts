/**
 * One market's position with YES/NO netting, exact micros (orders thread; pure arithmetic).
 *
 * Kalshi keeps ONE signed number per market (+YES / −NO) and nets opposite sides: holding 10 YES
 * and buying 4 NO at $0.30 leaves 6 YES and pays 4 × $0.70 (kalshi-api-notes.md "Positions and
 * cash"). So every fill is, on the YES book, a `bid` (YES-buy direction) or an `ask` (NO-buy
 * direction) at a YES-leg price p, and:
 *   - a bid fill first closes held NO at the NO price 1 − p (correctness-rules.md rules 9, 10), then opens
 *     or adds YES at p;
 *   - an ask fill first closes held YES at p, then opens or adds NO at 1 − p;
 *   - a fill that goes through zero is split: close (realise P&L against the old basis), then
 *     open the rest with its own basis (correctness-rules.md rule 11).
 * Cost basis is the money paid for the contracts still held, on their own side's scale.
 */
import {
  HALF_TICKS_PER_DOLLAR,
  MICROS_PER_DOLLAR,
  MICROS_PER_TICK_HUNDREDTH,
  TICKS_PER_DOLLAR,
} from "../../kalshi/units.js";

import type { BookSide } from "../../kalshi/vocabulary.js";

/** What a fill did to cash and to the position (micros are signed cash changes). */
export interface FillEffect {
  /** contracts (hundredths) closed on the side previously held */
  closedHundredths: number;
  /** contracts (hundredths) opened on the fill's own side */
  openedHundredths: number;
  /** cash received for the closed part (≥ 0) */
  closeProceedsMicros: number;
  /** cash paid for the opened part (≥ 0) */
  openCostMicros: number;
  /** realised P&L of the closed part (before fees) */
  realizedMicros: number;
}

/**
 * a × b / c rounded down, exact even when a × b passes 2^53 (a, b ≥ 0, c > 0). The share of cost
 * basis a partial close removes is rounded down, as the exchange's own position ledger does, so
 * realised P&L agrees with the exchange's `realized_pnl_dollars` to the micro.
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  const p = a * b;
  if (Number.isSafeInteger(p)) return (p - (p % c)) / c; // exact: p − p mod c is a multiple of c
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** a × b / c rounded half away from zero, exact even when a × b passes 2^53. */
export function mulDivRound(a: number, b: number, c: number): number {
  const p = a * b;
  if (Number.isSafeInteger(p)) return Math.round(p / c);
  const big = BigInt(a) * BigInt(b);
  const bc = BigInt(c);
  const q = big / bc;
  const r = big % bc;
  const twice = (r < 0n ? -r : r) * 2n;
  const adj = twice >= (bc < 0n ? -bc : bc) ? (big < 0n !== bc < 0n ? -1n : 1n) : 0n;
  return Number(q + adj);
}

export class MarketPosition {
  /** signed hundredths: + YES, − NO */
  contractsHundredths = 0;
  /** money paid for the contracts still held (≥ 0) */
  costBasisMicros = 0;
  realizedPnlMicros = 0;
  feesPaidMicros = 0;
  /** last YES mid in half-ticks (bid + ask); 0 = never marked (correctness-rules.md rule 12) */
  yesMarkHalfTicks = 0;

  /** Applies a fill of `sizeHundredths` at YES-leg price `yesPriceTicks` on `side`. */
  applyFill(side: BookSide, yesPriceTicks: number, sizeHundredths: number): FillEffect {
    const held = this.contractsHundredths;
    // contracts held on the side this fill closes: NO for a bid, YES for an ask
    const opposite = side === "bid" ? Math.max(0, -held) : Math.max(0, held);
    const closeH = Math.min(sizeHundredths, opposite);
    const openH = sizeHundredths - closeH;
    // a bid closes NO at the NO price 1 − p; an ask closes YES at p (rule 10)
    const closePriceTicks = side === "bid" ? TICKS_PER_DOLLAR - yesPriceTicks : yesPriceTicks;
    const openPriceTicks = side === "bid" ? yesPriceTicks : TICKS_PER_DOLLAR - yesPriceTicks;

    let closeProceedsMicros = 0;
    let realizedMicros = 0;
    if (closeH > 0) {
      closeProceedsMicros = closePriceTicks * closeH * MICROS_PER_TICK_HUNDREDTH;
      const basisOut =
        closeH === opposite ? this.costBasisMicros : mulDivFloor(this.costBasisMicros, closeH, opposite);
      realizedMicros = closeProceedsMicros - basisOut;
      this.costBasisMicros -= basisOut;
      this.realizedPnlMicros += realizedMicros;
      this.contractsHundredths += side === "bid" ? closeH : -closeH;
    }
    let openCostMicros = 0;
    if (openH > 0) {
      openCostMicros = openPriceTicks * openH * MICROS_PER_TICK_HUNDREDTH;
      this.costBasisMicros += openCostMicros;
      this.contractsHundredths += side === "bid" ? openH : -openH;
    }
    return {
      closedHundredths: closeH,
      openedHundredths: openH,
      closeProceedsMicros,
      openCostMicros,
      realizedMicros,
    };
  }

  /**
   * Settlement (kalshi-api-notes.md): every held contract pays out — a YES contract
   * `yesPayoutMicros`, a NO contract the rest of $1; `yesPayoutMicros` < 0 (void) returns the
   * cost basis. Realises P&L against the basis and closes the position; returns the cash paid and
   * the position that closed (signed: + YES, − NO).
   */
  settle(yesPayoutMicros: number): {
    proceedsMicros: number;
    realizedMicros: number;
    closedHundredths: number;
  } {
    const h = this.contractsHundredths;
    const perContractMicros = h > 0 ? yesPayoutMicros : MICROS_PER_DOLLAR - yesPayoutMicros;
    const proceedsMicros =
      yesPayoutMicros < 0 ? this.costBasisMicros : mulDivRound(Math.abs(h), perContractMicros, 100);
    const realizedMicros = proceedsMicros - this.costBasisMicros;
    this.realizedPnlMicros += realizedMicros;
    this.costBasisMicros = 0;
    this.contractsHundredths = 0;
    return { proceedsMicros, realizedMicros, closedHundredths: h };
  }

  /**
   * Marks from the top of book (ticks, 0 = side empty). Only a two-sided book moves the mark; an
   * empty or one-sided book keeps the last one (rule 12). YES mid = (best YES bid + YES ask) / 2
   * with YES ask = 10000 − best NO bid (rule 1).
   */
  mark(bestYesBidTicks: number, bestNoBidTicks: number): void {
    if (bestYesBidTicks > 0 && bestNoBidTicks > 0) {
      this.yesMarkHalfTicks = bestYesBidTicks + (TICKS_PER_DOLLAR - bestNoBidTicks);
    }
  }

  /**
   * Value of the held contracts at the mark: YES at the YES mid, NO at the NO mid (1 − YES mid).
   * Never marked → valued at cost, so the position never vanishes from valuation.
   */
  markValueMicros(): number {
    const h = this.contractsHundredths;
    if (h === 0) return 0;
    if (this.yesMarkHalfTicks === 0) return this.costBasisMicros;
    const halfTicks = h > 0 ? this.yesMarkHalfTicks : HALF_TICKS_PER_DOLLAR - this.yesMarkHalfTicks;
    // half-ticks × hundredths / 2 = micros: a mid between two ticks can leave half a micro, exact
    // in binary64 (a valuation, never cash, so it is not rounded).
    return (halfTicks * Math.abs(h) * MICROS_PER_TICK_HUNDREDTH) / 2;
  }

  unrealizedPnlMicros(): number {
    return this.markValueMicros() - this.costBasisMicros;
  }
}

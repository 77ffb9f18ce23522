/**
 * The portfolio's P&L from the ledger (orders thread; pure reads). Micros throughout:
 * - realised: closed contracts' proceeds − their cost basis, before fees (as Kalshi's
 *   `realized_pnl_dollars`);
 * - fees: every fee paid (Kalshi's `fees_paid_dollars`);
 * - unrealised: held contracts at their last book mid − their cost basis (a position never
 *   marked is valued at cost, so it contributes 0).
 * Net = realised − fees + unrealised. Callers mark positions from the book first.
 */
import type { Ledger } from "./ledger.js";

export interface PnlTotals {
  realisedMicros: number;
  unrealisedMicros: number;
  feesMicros: number;
}

export interface MarketPnl extends PnlTotals {
  /** dense market index */
  m: number;
  contractsHundredths: number;
  costBasisMicros: number;
  /** last YES mid in half-ticks; 0 = never marked */
  yesMarkHalfTicks: number;
}

export interface PnlReport extends PnlTotals {
  /** every market with a position or any realised P&L or fees */
  markets: MarketPnl[];
}

export function pnlTotals(ledger: Ledger): PnlTotals {
  let realisedMicros = 0;
  let unrealisedMicros = 0;
  let feesMicros = 0;
  for (const m of ledger.markets()) {
    const p = ledger.position(m);
    realisedMicros += p.realizedPnlMicros;
    feesMicros += p.feesPaidMicros;
    unrealisedMicros += p.unrealizedPnlMicros();
  }
  return { realisedMicros, unrealisedMicros, feesMicros };
}

export function pnlReport(ledger: Ledger): PnlReport {
  const markets: MarketPnl[] = [];
  for (const m of ledger.markets()) {
    const p = ledger.position(m);
    if (p.contractsHundredths === 0 && p.realizedPnlMicros === 0 && p.feesPaidMicros === 0) continue;
    markets.push({
      m,
      contractsHundredths: p.contractsHundredths,
      costBasisMicros: p.costBasisMicros,
      yesMarkHalfTicks: p.yesMarkHalfTicks,
      realisedMicros: p.realizedPnlMicros,
      feesMicros: p.feesPaidMicros,
      unrealisedMicros: p.unrealizedPnlMicros(),
    });
  }
  return { ...pnlTotals(ledger), markets };
}

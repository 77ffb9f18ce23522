/**
 * Reconciliation as pure functions (orders thread): from the engine's state and the exchange's
 * reports to the corrections that make the engine agree with the exchange. They change nothing;
 * the order manager applies what they return (execution/apply-corrections.ts), the one owner of
 * orders and cash.
 *
 * REST lags the fill channel by ~1 s (kalshi-api-notes.md, "Positions"), so a position or a shard's
 * cash that differs is corrected only when a second pass sees the same exchange number: the
 * first sighting is returned as a suspect for the caller to keep until the next pass.
 */
import type { RestOrder } from "../../kalshi/rest-types.js";

export type Correction =
  /** startup: a fill the exchange's positions already include (never applied again) */
  | { kind: "fill_seen"; fillId: string }
  /** startup: a market that settled before; the exchange's balance has its payout */
  | { kind: "settled_before"; market: number }
  /** set a market's position to the exchange's */
  | { kind: "position"; market: number; contractsHundredths: number; costBasisMicros: number }
  /** set a shard's free cash */
  | { kind: "free_cash"; shard: number; freeCashMicros: number }
  /** startup: an order the exchange rests, reserved for and worked (the exchange holds its cost) */
  | { kind: "adopt_resting"; market: number; order: RestOrder }
  /** an open ledger order the exchange no longer rests and nothing works: release its reservation */
  | { kind: "release"; clientOrderId: string; market: number };

/** Numbers seen differ once, by key (market or shard): the exchange's number that pass saw. */
export type Suspects = ReadonlyMap<number, number>;

export interface Compared<C> {
  corrections: C[];
  /** differences seen for the first time (or changed since): corrected if the next pass agrees */
  suspects: Map<number, number>;
}

/** One difference check: agree → forget it; seen once (or changed) → suspect; seen twice → correct. */
function secondSighting(
  key: number,
  ours: number,
  exchange: number,
  before: Suspects,
  after: Map<number, number>,
): boolean {
  if (ours === exchange) return false;
  if (before.get(key) === exchange) return true;
  after.set(key, exchange);
  return false;
}

export interface ExchangePosition {
  market: number;
  contractsHundredths: number;
  /** REST has no entry cost; market exposure is the closest number it gives */
  costBasisMicros: number;
}

/**
 * Positions against the exchange's. A market the ledger holds that the exchange does not list is
 * flat on the exchange.
 */
export function positionCorrections(
  ours: (market: number) => number,
  ourMarkets: Iterable<number>,
  exchange: readonly ExchangePosition[],
  before: Suspects,
): Compared<Extract<Correction, { kind: "position" }>> {
  const out: Compared<Extract<Correction, { kind: "position" }>> = { corrections: [], suspects: new Map() };
  const seen = new Set<number>();
  const check = (p: ExchangePosition) => {
    seen.add(p.market);
    if (secondSighting(p.market, ours(p.market), p.contractsHundredths, before, out.suspects))
      out.corrections.push({ kind: "position", ...p });
  };
  for (const p of exchange) check(p);
  for (const m of [...ourMarkets])
    if (!seen.has(m)) check({ market: m, contractsHundredths: 0, costBasisMicros: 0 });
  return out;
}

export interface ShardCashView {
  freeCashMicros: number;
  /** worst-case fees our open orders reserve on the shard (the exchange does not hold them) */
  reservedFeesMicros: number;
}

/**
 * Each shard's cash against its balance in `balance_breakdown`: the exchange's balance already
 * excludes the cost of resting buys, our ledger reserves that cost and each order's worst-case
 * fee out of free cash, so balance = free + reserved fees.
 */
export function cashCorrections(
  ours: readonly ShardCashView[],
  balances: readonly number[],
  before: Suspects,
): Compared<Extract<Correction, { kind: "free_cash" }>> {
  const out: Compared<Extract<Correction, { kind: "free_cash" }>> = { corrections: [], suspects: new Map() };
  for (let k = 0; k < Math.max(ours.length, balances.length); k++) {
    const { freeCashMicros = 0, reservedFeesMicros = 0 } = ours[k] ?? {};
    const exchange = balances[k] ?? 0;
    if (secondSighting(k, freeCashMicros + reservedFeesMicros, exchange, before, out.suspects))
      out.corrections.push({ kind: "free_cash", shard: k, freeCashMicros: exchange - reservedFeesMicros });
  }
  return out;
}

/** Startup: every shard's free cash is its balance less the fees its adopted orders reserve. */
export function startupCash(
  reservedFeesMicros: readonly number[],
  balances: readonly number[],
): Array<Extract<Correction, { kind: "free_cash" }>> {
  const out: Array<Extract<Correction, { kind: "free_cash" }>> = [];
  for (let k = 0; k < Math.max(reservedFeesMicros.length, balances.length); k++)
    out.push({
      kind: "free_cash",
      shard: k,
      freeCashMicros: (balances[k] ?? 0) - (reservedFeesMicros[k] ?? 0),
    });
  return out;
}

export interface OpenLedgerOrder {
  clientOrderId: string;
  exchangeOrderId: string;
  market: number;
  /** a working order stands for it */
  worked: boolean;
}

/** Resting on the exchange, ours in no way the engine tracks (`tracked`): to cancel. */
export function orphansOf(resting: readonly RestOrder[], tracked: (o: RestOrder) => boolean): RestOrder[] {
  return resting.filter((o) => !tracked(o));
}

/** Worked as resting by us, no longer resting on the exchange: to resolve by their order id. */
export function goneOf<W extends { state: string; exchangeOrderId: string }>(
  resting: readonly RestOrder[],
  worked: readonly W[],
): W[] {
  const onExchange = new Set(resting.map((o) => o.orderId));
  return worked.filter((w) => w.state === "resting" && !onExchange.has(w.exchangeOrderId));
}

/**
 * Open ledger orders nothing works any more and the exchange does not rest — e.g. the kill switch
 * dropped the working order while a fill or cancel answer was lost: their fills are to be fetched,
 * then what the ledger still reserves for them released.
 */
export function staleLedgerOrders(
  resting: readonly RestOrder[],
  openLedger: readonly OpenLedgerOrder[],
): OpenLedgerOrder[] {
  const onExchange = new Set(resting.map((o) => o.orderId));
  return openLedger.filter(
    (lo) => !lo.worked && lo.exchangeOrderId !== "" && !onExchange.has(lo.exchangeOrderId),
  );
}

/** Each shard's balance from `balance_breakdown`; without one, the whole balance is shard 0's. */
export function shardBalancesOf(b: { balanceMicros: number; shardBalanceMicros: number[] }): number[] {
  return b.shardBalanceMicros.length > 0 ? b.shardBalanceMicros : [b.balanceMicros];
}

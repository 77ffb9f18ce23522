/**
 * What reconciliation sees of the order manager (the one owner of orders and cash: it reads
 * through this, and asks for every change), and the report of one pass.
 */
import type { SettlementReport } from "../../kalshi/adapter/reports.js";
import type { Ledger, LedgerFill } from "../accounts/ledger.js";
import type { OrderLookup } from "../accounts/order-registry.js";
import type { Applied } from "../execution/apply-corrections.js";
import type { OrderJournal } from "../execution/journal.js";
import type { MarketCatalog, OrderEvent, OrdersRestApi } from "../execution/order-types.js";
import type { ReadonlyWorkingOrders, WorkingOrder } from "../execution/working-orders.js";
import type { Correction } from "./corrections.js";

/** What reconciliation reads of the ledger. */
export type LedgerView = Pick<
  Ledger,
  "position" | "markets" | "freeCashOn" | "reservedFeesOn" | "shardCount"
> & {
  readonly orders: OrderLookup;
};

/** The order manager as reconciliation sees it: what it may read, and what it may ask of it. */
export interface ReconcileTarget {
  readonly rest: OrdersRestApi;
  readonly catalog: MarketCatalog;
  readonly journal: Pick<OrderJournal, "append">;
  readonly accounts: LedgerView;
  readonly working: ReadonlyWorkingOrders;
  readonly killSwitchEngaged: boolean;
  timeNow(): number;
  tell(e: OrderEvent): void;
  onFill(fill: LedgerFill): boolean;
  onSettlement(s: SettlementReport): boolean;
  resolveCreate(m: number, w: WorkingOrder): Promise<void>;
  resolveByOrderId(m: number, w: WorkingOrder): Promise<void>;
  cancelResting(): Promise<number>;
  applyCorrections(corrections: readonly Correction[]): Applied;
  markReady(): void;
  publishAll(): void;
}

export interface ReconcileOptions {
  /** how far back startup reads fills to mark them as already reflected (s) */
  startupFillLookbackSec?: number;
  maxPages?: number;
}

export interface ReconcileReport {
  fillsApplied: number;
  /** settlements of our markets applied from `GET /portfolio/settlements` (the WS lifecycle missed) */
  settlementsApplied: number;
  unknownResolved: number;
  /**
   * orphan exchange orders canceled + stale ledger orders released (the exchange no longer rests
   * them) + our resting orders canceled because the kill switch is engaged
   */
  orphansCanceled: number;
  positionCorrections: number;
  /** Σ of the signed corrections applied to shards' free cash */
  cashCorrectionMicros: number;
  /** shards whose free cash was corrected (corrections of opposite sign may sum to 0) */
  cashCorrections: number;
  /**
   * What this pass could not settle yet: writes in flight or of unknown outcome, open ledger
   * orders no resting working order stands for (their fills or cancel still to come), orphans
   * whose cancel failed, resting orders while the kill switch is engaged, and differences seen
   * once (corrected only when a second pass sees them too). Zero, with nothing corrected, means
   * the ledger is the exchange's state.
   */
  unsettled: number;
}

/** A pass that changed nothing and left nothing unsettled: the ledger is the exchange's state. */
export function isSettledPass(r: ReconcileReport): boolean {
  return (
    r.unsettled === 0 &&
    r.fillsApplied === 0 &&
    r.settlementsApplied === 0 &&
    r.unknownResolved === 0 &&
    r.orphansCanceled === 0 &&
    r.positionCorrections === 0 &&
    r.cashCorrectionMicros === 0 &&
    r.cashCorrections === 0
  );
}

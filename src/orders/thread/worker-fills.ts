/**
 * FillRing records (venue reports written by io, src/kalshi/adapter/report-records.ts) → the
 * order manager (orders thread). No JSON here: io parsed the frame once.
 *
 * A fill is applied once by its trade id, the same key REST reconciliation uses (correctness-rules.md
 * rule 13); an order the exchange canceled (expiry, self-trade prevention, market pause) stops
 * reserving; a settled market pays out and closes once.
 */
import { readReportRecord } from "../../kalshi/adapter/report-records.js";
import { ledgerFillOf, type VenueReport } from "../../kalshi/adapter/reports.js";
import type { BytesRing } from "../../shm/bytes-ring.js";
import type { OrderManager } from "../execution/order-manager.js";

/** Applies every record in the ring; returns how many were read. `onBadRecord` hears the rest. */
export function drainReports(ring: BytesRing, om: OrderManager, onBadRecord: (why: string) => void): number {
  return ring.drain((tag, bytes) => {
    const report = readReportRecord(tag, bytes);
    if (report === null) return onBadRecord(`FillRing record with unknown tag ${tag} or short length`);
    const why = applyReport(report, om);
    if (why !== null) onBadRecord(why);
  });
}

/** One report into the order manager; the reason when it could not be applied. */
export function applyReport(report: VenueReport, om: OrderManager): string | null {
  if (report.kind === "fill") {
    const fill = ledgerFillOf(report.fill);
    if (fill === null) return `fill ${report.fill.tradeId} has no size or price`;
    om.onFill(fill);
  } else if (report.kind === "orderStatus") {
    const s = report.status;
    if (s.status === "canceled") om.onExchangeCancel(s.clientOrderId, s.orderId, s.fillCountHundredths);
  } else if (report.kind === "settlement") om.onSettlement(report.settlement);
  else om.onOrderGroupUpdate(report.group);
  return null;
}

/**
 * Normalised venue reports (pure, shared): what the Kalshi adapter hands the engine after reading a
 * WebSocket frame or a REST body, in integer units (units.ts), the shared vocabulary and engine
 * market indices (a `MarketIndexOf` resolves the wire's ticker; -1 = not a market of ours). One
 * mapping per report whatever wire it came from, and one mapping from a fill report to the
 * ledger's fill, so the WS fill channel, REST reconciliation and the tests cannot disagree.
 */
import type { LedgerFill } from "../../orders/ledger-types.js";
import type { FillMessage, UserOrderMessage } from "../message-types.js";
import type { RestFill } from "../rest-types.js";
import type { BookSide, OrderStatus } from "../vocabulary.js";

/** One execution of one of our orders (fill channel or `GET /portfolio/fills`). */
export interface FillReport {
  /** trade_id: the dedupe key on both paths (lessons.md rule 13) */
  tradeId: string;
  orderId: string;
  /** "" when the wire did not carry it */
  clientOrderId: string;
  market: number;
  bookSide: BookSide;
  yesPriceTicks: number;
  countHundredths: number;
  isTaker: boolean;
  /** the exchange's `fee_cost`, authoritative when present */
  feeMicros?: number;
  tsMs: number;
}

/** A change of one order's status on the exchange (`user_order`). */
export interface OrderStatusReport {
  orderId: string;
  clientOrderId: string;
  market: number;
  status: OrderStatus;
  fillCountHundredths: number;
  remainingCountHundredths: number;
}

/** A report the orders thread acts on, as it travels through the FillRing. */
export type VenueReport =
  | { kind: "fill"; fill: FillReport }
  | { kind: "orderStatus"; status: OrderStatusReport };

/** A private frame that does not become a report, and why. */
export type NoReport = "unknown_market" | "unknown_status";

/** The report of a parsed `fill` or `user_order` frame. */
export function reportOfMessage(
  msg: FillMessage | UserOrderMessage,
  indexOf: MarketIndexOf,
): VenueReport | NoReport {
  if (msg.kind === "fill") {
    const fill = fillReportOfWs(msg, indexOf);
    return fill === null ? "unknown_market" : { kind: "fill", fill };
  }
  if (indexOf(msg.ticker) < 0) return "unknown_market";
  const status = orderStatusReportOfWs(msg, indexOf);
  return status === null ? "unknown_status" : { kind: "orderStatus", status };
}

/** Resolves a market ticker to the engine's market index; -1 when the engine does not trade it. */
export type MarketIndexOf = (ticker: string) => number;

/** null when the market is not one of ours. */
export function fillReportOfWs(msg: FillMessage, indexOf: MarketIndexOf): FillReport | null {
  const market = indexOf(msg.marketTicker);
  if (market < 0) return null;
  const report: FillReport = {
    tradeId: msg.tradeId,
    orderId: msg.orderId,
    clientOrderId: msg.clientOrderId ?? "",
    market,
    bookSide: msg.bookSide,
    yesPriceTicks: msg.yesPriceTicks,
    countHundredths: msg.countHundredths,
    isTaker: msg.isTaker,
    tsMs: msg.tsMs,
  };
  if (msg.feeCostMicros !== undefined) report.feeMicros = msg.feeCostMicros;
  return report;
}

/** The dedupe key of a REST fill: trade_id, the id the fill channel carries too (rule 13). */
export function restFillKey(f: RestFill): string {
  return f.tradeId || f.fillId;
}

/** null when the market is not one of ours or the wire gave no book side. */
export function fillReportOfRest(f: RestFill, indexOf: MarketIndexOf): FillReport | null {
  const market = indexOf(f.ticker);
  if (market < 0 || f.side === "") return null;
  return {
    tradeId: restFillKey(f),
    orderId: f.orderId,
    clientOrderId: f.clientOrderId,
    market,
    bookSide: f.side,
    yesPriceTicks: f.yesPriceTicks,
    countHundredths: f.countHundredths,
    isTaker: f.isTaker,
    feeMicros: f.feeMicros,
    tsMs: f.tsMs,
  };
}

/** A `user_order` frame as a status report; null for a status outside the vocabulary or a market not ours. */
export function orderStatusReportOfWs(
  msg: UserOrderMessage,
  indexOf: MarketIndexOf,
): OrderStatusReport | null {
  const status = msg.status;
  if (status !== "resting" && status !== "canceled" && status !== "executed") return null;
  const market = indexOf(msg.ticker);
  if (market < 0) return null;
  return {
    orderId: msg.orderId,
    clientOrderId: msg.clientOrderId ?? "",
    market,
    status,
    fillCountHundredths: msg.fillCountHundredths,
    remainingCountHundredths: msg.remainingCountHundredths,
  };
}

/**
 * The ledger's fill for a report; null when the report cannot move a ledger
 * (no size or no price). The exchange's fee is authoritative; the ledger finds our order by the
 * client order id or, failing that, by the exchange's order id.
 */
export function ledgerFillOf(report: FillReport): LedgerFill | null {
  if (!(report.countHundredths > 0) || !(report.yesPriceTicks > 0)) return null;
  const fill: LedgerFill = {
    fillId: report.tradeId,
    market: report.market,
    exchangeOrderId: report.orderId,
    side: report.bookSide,
    yesPriceTicks: report.yesPriceTicks,
    sizeHundredths: report.countHundredths,
    isTaker: report.isTaker,
  };
  if (report.clientOrderId !== "") fill.clientOrderId = report.clientOrderId;
  if (report.feeMicros !== undefined) fill.exchangeFeeMicros = report.feeMicros;
  return fill;
}

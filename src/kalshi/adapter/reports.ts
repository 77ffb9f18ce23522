/**
 * Normalised venue reports (pure, shared): what the Kalshi adapter hands the engine after reading a
 * WebSocket frame or a REST body, in integer units (units.ts), the shared vocabulary and engine
 * market indices (a `MarketIndexOf` resolves the wire's ticker; -1 = not a market of ours). One
 * mapping per report whatever wire it came from, and one mapping from a fill report to the
 * ledger's fill, so the WS fill channel, REST reconciliation and the tests cannot disagree.
 */
import type { LedgerFill } from "../../orders/accounts/ledger-types.js";
import type {
  FillMessage,
  MarketLifecycleMessage,
  OrderGroupUpdateMessage,
  UserOrderMessage,
} from "../message-types.js";
import type { RestFill, RestSettlement } from "../rest-types.js";
import { MICROS_PER_DOLLAR } from "../units.js";
import type { BookSide, OrderStatus } from "../vocabulary.js";

/** One execution of one of our orders (fill channel or `GET /portfolio/fills`). */
export interface FillReport {
  /** trade_id: the dedupe key on both paths (correctness-rules.md rule 13) */
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

/** The payout of a voided market: every position is returned at its cost. */
export const VOID_PAYOUT = -1;

/**
 * A market settled (`market_lifecycle_v2` "settled", `GET /portfolio/settlements`): every held
 * contract pays out and the position closes (kalshi-api-notes.md).
 */
export interface SettlementReport {
  market: number;
  /** payout of one YES contract in micros, 0..1,000,000 (a NO contract gets the rest); VOID_PAYOUT: returned at cost */
  yesPayoutMicros: number;
  tsMs: number;
}

/** Order-group events the engine acts on (`created` and `limit_updated` change nothing it holds). */
export const ORDER_GROUP_EVENTS = ["triggered", "reset", "deleted"] as const;
export type OrderGroupEvent = (typeof ORDER_GROUP_EVENTS)[number];

/** One of our order groups changed state (`order_group_updates`). */
export interface OrderGroupReport {
  orderGroupId: string;
  event: OrderGroupEvent;
}

/** A report the orders thread acts on, as it travels through the FillRing. */
export type VenueReport =
  | { kind: "fill"; fill: FillReport }
  | { kind: "orderStatus"; status: OrderStatusReport }
  | { kind: "settlement"; settlement: SettlementReport }
  | { kind: "orderGroup"; group: OrderGroupReport };

/** A private frame that does not become a report, and why. */
export type NoReport = "unknown_market" | "unknown_status" | "unknown_result";

/**
 * A YES contract's payout for a market result: `yes` $1, `no` $0, `void` returned at cost, and a
 * scalar (or any other result) the settlement value when one is given; null when nothing says.
 */
export function yesPayoutOf(result: string | undefined, valueMicros: number | undefined): number | null {
  if (result === "yes") return MICROS_PER_DOLLAR;
  if (result === "no") return 0;
  if (result === "void") return VOID_PAYOUT;
  return valueMicros !== undefined && valueMicros >= 0 && valueMicros <= MICROS_PER_DOLLAR
    ? valueMicros
    : null;
}

/** A private frame the adapter turns into reports. */
export type PrivateMessage =
  | FillMessage
  | UserOrderMessage
  | MarketLifecycleMessage
  | OrderGroupUpdateMessage;

/** The report of a parsed private frame; null for an event that changes nothing the engine holds. */
export function reportOfMessage(msg: PrivateMessage, indexOf: MarketIndexOf): VenueReport | NoReport | null {
  if (msg.kind === "order_group_updates") {
    const event = ORDER_GROUP_EVENTS.find((e) => e === msg.eventType);
    return event === undefined
      ? null
      : { kind: "orderGroup", group: { orderGroupId: msg.orderGroupId, event } };
  }
  if (msg.kind === "market_lifecycle_v2") {
    if (msg.eventType !== "settled") return null;
    const market = indexOf(msg.marketTicker);
    if (market < 0) return null; // the channel carries every market; only ours matter
    const payout = yesPayoutOf(msg.result, msg.settlementValueMicros);
    if (payout === null) return "unknown_result";
    return {
      kind: "settlement",
      settlement: { market, yesPayoutMicros: payout, tsMs: msg.settledTsMs ?? 0 },
    };
  }
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

/** A REST settlement as a report; null for a market not ours or a result that names no payout. */
export function settlementReportOfRest(s: RestSettlement, indexOf: MarketIndexOf): SettlementReport | null {
  const market = indexOf(s.ticker);
  const payout = yesPayoutOf(s.marketResult, s.yesValueMicros);
  if (market < 0 || payout === null) return null;
  return { market, yesPayoutMicros: payout, tsMs: s.settledTsMs };
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

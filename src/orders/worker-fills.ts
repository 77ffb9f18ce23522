/**
 * WebSocket `fill` messages → ledger fills (orders thread; pure).
 *
 * The dedupe key is `trade_id`, the same key REST reconciliation uses (reconciler.ts `fillKey`),
 * so a fill seen on both paths is applied once (lessons.md rule 13). The book side comes from
 * `book_side` when present, else from our own order, else from the legacy side × action table
 * (kalshi-protocol.md §3.4); prices are always the YES leg (rule 10).
 */
import type { FillMessage } from "../kalshi/message-types.js";
import type { Ledger, LedgerFill } from "./ledger.js";
import type { MarketCatalog } from "./order-types.js";
import type { BookSide } from "./position.js";

export function toLedgerFill(msg: FillMessage, catalog: MarketCatalog, ledger: Ledger): LedgerFill | null {
  const market = catalog.indexOf(msg.marketTicker);
  if (market < 0 || !(msg.countHundredths > 0) || !(msg.yesPriceTicks > 0)) return null;
  const cid = msg.clientOrderId || ledger.clientOrderIdOf(msg.orderId);
  const order = cid ? ledger.order(cid) : undefined;
  let side: BookSide;
  if (msg.bookSide === "bid" || msg.bookSide === "ask") side = msg.bookSide;
  else if (order !== undefined) side = order.side;
  else {
    const contract = msg.orderSide ?? msg.side;
    side = (contract === "yes") === (msg.action === "buy") ? "bid" : "ask";
  }
  const fill: LedgerFill = {
    fillId: msg.tradeId,
    market,
    exchangeOrderId: msg.orderId,
    side,
    yesPriceTicks: msg.yesPriceTicks,
    sizeHundredths: msg.countHundredths,
    isTaker: msg.isTaker,
  };
  if (cid) fill.clientOrderId = cid;
  if (msg.feeCostMicros !== undefined) fill.exchangeFeeMicros = msg.feeCostMicros;
  return fill;
}

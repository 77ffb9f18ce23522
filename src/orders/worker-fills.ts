/**
 * WebSocket `fill` and `user_order` messages → the order manager (orders thread).
 *
 * The dedupe key is `trade_id`, the same key REST reconciliation uses (reconciler.ts `fillKey`),
 * so a fill seen on both paths is applied once (lessons.md rule 13). The book side comes from
 * `book_side` when present, else from our own order, else from the legacy side × action table
 * (kalshi-protocol.md §3.4); prices are always the YES leg (rule 10).
 */
import type { FillMessage, MessageParseError } from "../kalshi/message-types.js";
import { tryParseServerMessage } from "../kalshi/messages.js";
import type { Ledger, LedgerFill } from "./ledger.js";
import type { OrderManager } from "./order-manager.js";
import type { MarketCatalog } from "./order-types.js";
import type { BookSide } from "./position.js";

/**
 * One private frame: a fill is applied once by trade id; an order the exchange canceled (expiry,
 * self-trade prevention, market pause) stops reserving. Returns the parse error of a bad frame.
 */
export function applyPrivateFrame(
  text: string,
  om: OrderManager,
  catalog: MarketCatalog,
): MessageParseError | null {
  const msg = tryParseServerMessage(text);
  if (msg instanceof Error) return msg;
  if (msg.kind === "fill") {
    const fill = toLedgerFill(msg, catalog, om.deps.ledger);
    if (fill !== null) om.onFill(fill);
  } else if (msg.kind === "user_order" && msg.status === "canceled") {
    om.onExchangeCancel(msg.clientOrderId ?? "", msg.orderId, msg.fillCountHundredths);
  }
  return null;
}

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

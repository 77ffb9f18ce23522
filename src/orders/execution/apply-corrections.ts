/**
 * Applies reconciliation's corrections (reconcile/corrections.ts) to the ledger and the working
 * orders (orders thread). Called by the order manager only: the one owner of orders and cash.
 */
import type { RestOrder } from "../../kalshi/rest-types.js";
import type { EngineAction, Ledger } from "../accounts/ledger.js";
import { yesLegTicks } from "../accounts/ledger-types.js";
import type { Correction } from "../reconcile/corrections.js";
import type { OrderLifecycle } from "./order-lifecycle.js";
import type { WorkingOrder } from "./working-orders.js";

/** What applying a list changed (the reconciliation report counts it). */
export interface Applied {
  /** Σ of the signed changes to shards' free cash */
  cashChangeMicros: number;
  /** ledger orders released */
  released: number;
}

/** The engine action a resting exchange order stands for, given the position (rule 9). */
export function actionOfRestingOrder(side: "bid" | "ask", positionHundredths: number): EngineAction {
  if (side === "bid") return positionHundredths < 0 ? "SELL_NO" : "BUY_YES";
  return positionHundredths > 0 ? "SELL_YES" : "BUY_NO";
}

export function applyCorrections(
  corrections: readonly Correction[],
  ledger: Ledger,
  orders: OrderLifecycle,
  say: (detail: string, market?: number) => void,
): Applied {
  const applied: Applied = { cashChangeMicros: 0, released: 0 };
  for (const c of corrections) {
    switch (c.kind) {
      case "fill_seen":
        ledger.markFillSeen(c.fillId);
        break;
      case "settled_before":
        ledger.markSettled(c.market);
        break;
      case "position":
        ledger.setPositionFromExchange(c.market, c.contractsHundredths, c.costBasisMicros);
        break;
      case "free_cash":
        applied.cashChangeMicros += ledger.correctFreeCash(c.freeCashMicros, c.shard);
        break;
      case "adopt_resting":
        adoptResting(c.market, c.order, ledger, orders, say);
        break;
      case "release":
        if (ledger.orders.get(c.clientOrderId)?.open && ledger.cancelRemainder(c.clientOrderId)) {
          say(`ledger order ${c.clientOrderId} no longer rests on the exchange: released`, c.market);
          applied.released++;
        }
        break;
    }
  }
  return applied;
}

/** One order the exchange rests at startup: reserved, and worked unless its side already is. */
function adoptResting(
  m: number,
  o: RestOrder,
  ledger: Ledger,
  orders: OrderLifecycle,
  say: (detail: string, market?: number) => void,
): void {
  const cid = o.clientOrderId || o.orderId;
  // one working order per market and side: a second one is reserved for, and canceled as orphan
  const second = orders.working.get(m, o.side) !== undefined;
  const adopt = (action: EngineAction) => {
    const w: WorkingOrder = {
      clientOrderId: cid,
      exchangeOrderId: o.orderId,
      side: o.side,
      action,
      yesPriceTicks: o.yesPriceTicks,
      countHundredths: o.remainingCountHundredths,
      filledHundredths: 0,
      placedMs: Date.parse(o.createdTime) || 0,
      state: "resting",
    };
    const req = {
      clientOrderId: cid,
      market: m,
      action,
      ownLimitTicks: yesLegTicks(action, o.yesPriceTicks),
      countHundredths: o.remainingCountHundredths,
    };
    const placed = orders.adoptResting(m, second ? null : w, req);
    if (placed.ok) orders.link(w, o.orderId);
    return placed;
  };
  let placed = adopt(actionOfRestingOrder(o.side, ledger.position(m).contractsHundredths));
  // a resting ask/bid larger than the holding opens the other side: reserve it as a buy
  if (!placed.ok && placed.reason === "nothing_to_sell")
    placed = adopt(o.side === "bid" ? "BUY_YES" : "BUY_NO");
  if (!placed.ok) say(`resting order ${cid} not adoptable: ${placed.reason}`, m);
  else if (second)
    say(`second resting ${o.side} in market ${o.ticker}: ${cid} (will be canceled as orphan)`, m);
}

/**
 * Order-manager events → engine events for io's event stream (orders thread; pure mapping).
 * engine-event.ts defines the shapes; the worker encodes them with EventCodec into the EventRing.
 * Prices in order/fill events are on the order's own side (a NO order's price is a NO price).
 */
import type { DecisionAction, EngineEvent, OpenOrder } from "../../events/engine-event.js";
import { type EngineAction, isBuy, type Ledger, yesLegTicks } from "../accounts/ledger.js";
import { pnlTotals } from "../accounts/pnl.js";
import type { MarketCatalog, OrderEvent } from "../execution/order-types.js";

const DECISION_ACTION_OF: Record<EngineAction, DecisionAction> = {
  BUY_YES: "buy_yes",
  SELL_YES: "sell_yes",
  BUY_NO: "buy_no",
  SELL_NO: "sell_no",
};
const sideOf = (a: EngineAction) => (a === "BUY_YES" || a === "SELL_YES" ? "yes" : "no");
const actionOf = (a: EngineAction) => (isBuy(a) ? "buy" : "sell");

export class EngineEventMapper {
  /** last write op per client order id, to name what an "accepted" outcome was */
  private readonly lastOp = new Map<string, "create" | "amend" | "cancel">();

  constructor(
    private readonly ledger: Ledger,
    private readonly catalog: MarketCatalog,
    private readonly nowUs: () => number,
  ) {}

  /** The engine events for one order-manager event (possibly none). */
  map(e: OrderEvent): EngineEvent[] {
    const tsUs = this.nowUs();
    switch (e.kind) {
      case "order_sent": {
        this.lastOp.set(e.clientOrderId, e.op === "wait" ? "create" : e.op);
        return e.op === "create" ? [this.order(tsUs, e.market, e.clientOrderId, "sent", "")] : [];
      }
      case "order_outcome": {
        if (e.result === "unknown")
          return [this.order(tsUs, e.market, e.clientOrderId, "sent", `unknown: ${e.code ?? ""}`)];
        if (e.result === "rejected")
          return [this.order(tsUs, e.market, e.clientOrderId, "rejected", e.code ?? "")];
        if (e.result !== "accepted") return [];
        const op = this.lastOp.get(e.clientOrderId) ?? "create";
        const status = op === "create" ? "acked" : op === "amend" ? "amended" : "canceled";
        return [this.order(tsUs, e.market, e.clientOrderId, status, "")];
      }
      case "outcome_resolved":
        return [
          this.order(
            tsUs,
            e.market,
            e.clientOrderId,
            e.status === "not_found" ? "rejected" : "acked",
            `resolved: ${e.status}`,
          ),
        ];
      case "decision":
        return [
          {
            kind: "decision",
            seq: 0,
            tsUs,
            market: this.catalog.tickerOf(e.market),
            action: DECISION_ACTION_OF[e.action],
            sizeHundredths: e.sizeHundredths,
            bookSeq: e.bookSeq,
            recvTsUs: Math.round(e.frameRecvMs * 1000),
            decisionTsUs: Math.round(e.decidedMs * 1000),
            skippedReason: e.skipped,
            priceTicks: e.ownLimitTicks,
            batchSize: e.batchSize,
            appliedCount: e.appliedCount,
          },
        ];
      case "order_refused": {
        const a = e.action ?? "BUY_YES";
        return [
          {
            kind: "order",
            seq: 0,
            tsUs,
            status: "refused",
            clientOrderId: "",
            orderId: "",
            market: this.catalog.tickerOf(e.market),
            side: sideOf(a),
            action: actionOf(a),
            priceTicks: e.ownLimitTicks ?? 0,
            countHundredths: e.countHundredths ?? 0,
            reason: e.reason,
          },
        ];
      }
      case "fill_applied": {
        const p = this.ledger.position(e.market);
        // a fill of an order we do not know: its book side is a YES buy (bid) or a NO buy (ask)
        const a =
          this.ledger.orders.get(e.clientOrderId)?.action ?? (e.side === "bid" ? "BUY_YES" : "BUY_NO");
        return [
          {
            kind: "fill",
            seq: 0,
            tsUs,
            fillId: e.fillId,
            orderId: e.exchangeOrderId,
            market: this.catalog.tickerOf(e.market),
            side: sideOf(a),
            action: actionOf(a),
            priceTicks: yesLegTicks(a, e.yesPriceTicks), // the YES/NO mapping is its own inverse
            countHundredths: e.sizeHundredths,
            feeMicros: e.feeMicros,
          },
          {
            kind: "position",
            seq: 0,
            tsUs,
            market: this.catalog.tickerOf(e.market),
            contractsHundredths: p.contractsHundredths,
            costBasisMicros: p.costBasisMicros,
          },
        ];
      }
      case "breaker":
        return [
          {
            kind: "breaker",
            seq: 0,
            tsUs,
            name: "orders",
            state: e.tripped ? "tripped" : "armed",
            reason: e.reason,
          },
        ];
      case "settled": {
        const p = this.ledger.position(e.market);
        const market = this.catalog.tickerOf(e.market);
        return [
          {
            kind: "settlement",
            seq: 0,
            tsUs,
            market,
            yesPayoutMicros: e.yesPayoutMicros,
            closedHundredths: e.closedHundredths,
            proceedsMicros: e.proceedsMicros,
            realisedMicros: e.realizedMicros,
          },
          {
            kind: "position",
            seq: 0,
            tsUs,
            market,
            contractsHundredths: 0,
            costBasisMicros: p.costBasisMicros,
          },
        ];
      }
      case "market_disabled":
        return [
          {
            kind: "breaker",
            seq: 0,
            tsUs,
            name: `market:${this.catalog.tickerOf(e.market)}`,
            state: "tripped",
            reason: e.reason,
          },
        ];
      case "kill_switch":
        return [{ kind: "kill", seq: 0, tsUs, engaged: e.engaged, reason: `cancels: ${e.cancels}` }];
      case "transfer": {
        const { kind: _kind, ...transfer } = e;
        return [{ kind: "transfer", seq: 0, tsUs, ...transfer }];
      }
      case "reconcile":
        return [];
    }
  }

  private order(
    tsUs: number,
    m: number,
    cid: string,
    status: "sent" | "acked" | "rejected" | "canceled" | "amended",
    reason: string,
  ): EngineEvent {
    const o = this.ledger.orders.get(cid);
    return {
      kind: "order",
      seq: 0,
      tsUs,
      status,
      clientOrderId: cid,
      orderId: o?.exchangeOrderId ?? "",
      market: this.catalog.tickerOf(m),
      side: o ? sideOf(o.action) : "yes",
      action: o ? actionOf(o.action) : "buy",
      priceTicks: o?.ownLimitTicks ?? 0,
      countHundredths: o?.countHundredths ?? 0,
      reason,
    };
  }

  /** The ledger's open orders, in event vocabulary (a client's starting point before `/events`). */
  openOrders(): OpenOrder[] {
    return this.ledger.orders.openOrders().map((o) => ({
      clientOrderId: o.clientOrderId,
      orderId: o.exchangeOrderId,
      market: this.catalog.tickerOf(o.market),
      side: sideOf(o.action),
      action: actionOf(o.action),
      priceTicks: o.ownLimitTicks,
      countHundredths: o.countHundredths,
      filledHundredths: o.filledHundredths,
    }));
  }

  /** Portfolio P&L snapshot (see `pnlTotals`). */
  pnl(): EngineEvent {
    const t = pnlTotals(this.ledger);
    return {
      kind: "pnl",
      seq: 0,
      tsUs: this.nowUs(),
      realisedMicros: t.realisedMicros,
      unrealisedMicros: Math.round(t.unrealisedMicros), // a half-tick mid leaves half micros
      feesMicros: t.feesMicros,
    };
  }
}

/**
 * The orders thread's stage latencies (docs/architecture.md "Timing"): decision_to_orders when a
 * decision is read from its ring, then — from stamps kept per market of the decision being
 * executed — orders_to_request_sent and tick_to_order at its order_sent event, request_to_ack at
 * the order_outcome. Reconciliation cancels carry no decision stamp and time no decision stage.
 */
import { nowMs } from "../../runtime/clock.js";
import { StageHistograms } from "../../stats/stage-histograms.js";
import { Stage } from "../../stats/stages.js";
import type { OrderEvent } from "../execution/order-types.js";

export class OrderStageTiming {
  readonly histograms: StageHistograms;
  private readonly frameRecvMs: Float64Array;
  private readonly pickupMs: Float64Array;
  private readonly sentMs: Float64Array;

  constructor(markets: number, budgetMs: number) {
    this.histograms = new StageHistograms({ budgetNs: budgetMs * 1e6 });
    this.frameRecvMs = new Float64Array(markets);
    this.pickupMs = new Float64Array(markets);
    this.sentMs = new Float64Array(markets);
  }

  /** A decision was read from its ring: stamps its market; returns the pickup time. */
  pickedUp(market: number, frameRecvMs: number, decidedMs: number): number {
    const pickup = nowMs();
    this.histograms.record(Stage.decision_to_orders, (pickup - decidedMs) * 1e6);
    this.frameRecvMs[market] = frameRecvMs;
    this.pickupMs[market] = pickup;
    return pickup;
  }

  /** The decision picked up at `pickup` settled: one that sent nothing leaves no stamp behind. */
  decisionSettled(market: number, pickup: number): void {
    if (this.pickupMs[market] === pickup) this.pickupMs[market] = 0;
  }

  /** Closes the stages an order event ends. */
  onOrderEvent(e: OrderEvent): void {
    if (e.kind === "order_sent") {
      const now = nowMs();
      // only sends caused by a decision (reconciliation cancels have no decision stamp)
      if (this.pickupMs[e.market]! > 0) {
        this.histograms.record(Stage.orders_to_request_sent, (now - this.pickupMs[e.market]!) * 1e6);
        this.histograms.record(Stage.tick_to_order, (now - this.frameRecvMs[e.market]!) * 1e6);
        this.pickupMs[e.market] = 0;
      }
      this.sentMs[e.market] = now;
    } else if (e.kind === "order_outcome" && this.sentMs[e.market]! > 0) {
      this.histograms.record(Stage.request_to_ack, (nowMs() - this.sentMs[e.market]!) * 1e6);
      this.sentMs[e.market] = 0;
    }
  }
}

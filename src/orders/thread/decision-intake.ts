/**
 * DecisionRings → the order manager. Each decision runs async (the order manager serialises per
 * market) and counts as in flight until it settles; a decision its freshness gate refused is
 * counted as dropped on the ring it came from.
 */
import { DecisionRecord, readDecision } from "../../decide/decision-ring.js";
import type { SpscRing } from "../../shm/spsc-ring.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { InFlightWork } from "./in-flight.js";
import type { OrderStageTiming } from "./stage-timing.js";

const ACTIONS = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;

export class DecisionIntake {
  private readonly record = new DecisionRecord();

  constructor(
    private readonly rings: readonly SpscRing[],
    private readonly om: OrderManager,
    private readonly timing: OrderStageTiming,
    private readonly inFlight: InFlightWork,
    private readonly onFailure: (e: unknown) => void,
  ) {}

  /** Starts every decision waiting in the rings; returns how many were read. */
  drain(): number {
    let work = 0;
    for (const ring of this.rings) work += ring.poll((slot) => this.start(ring, slot));
    return work;
  }

  private start(ring: SpscRing, slot: number): void {
    const { record, om, timing, inFlight } = this;
    readDecision(ring, slot, record);
    const m = record.market;
    const pickup = timing.pickedUp(m, record.frameRecvMs, record.decidedMs);
    const staleBefore = om.stats.stale;
    // the freshness check runs synchronously, before the first await of onDecision; a decision
    // that sent nothing leaves no stamp behind for a later reconciliation write
    inFlight.started();
    // a fresh object: the decision outlives this record (onDecision awaits the exchange)
    om.onDecision({
      market: m,
      action: ACTIONS[record.action] ?? "HOLD",
      sizeHundredths: record.sizeHundredths,
      frameRecvMs: record.frameRecvMs,
      bookSeq: record.bookSeq,
      batchSize: record.batchSize,
      appliedCount: record.appliedCount,
      decidedMs: record.decidedMs,
    })
      .then(() => timing.decisionSettled(m, pickup))
      .catch(this.onFailure)
      .finally(inFlight.settled);
    if (om.stats.stale !== staleBefore) ring.countDropped();
  }
}

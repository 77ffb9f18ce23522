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
  private readonly decision = {
    market: 0,
    action: "HOLD" as (typeof ACTIONS)[number],
    sizeHundredths: 0,
    frameRecvMs: 0,
    bookSeq: 0,
    batchSize: 0,
    appliedCount: 0,
    decidedMs: 0,
  };

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
    const { record, decision, om, timing, inFlight } = this;
    readDecision(ring, slot, record);
    decision.market = record.market;
    decision.action = ACTIONS[record.action] ?? "HOLD";
    decision.sizeHundredths = record.sizeHundredths;
    decision.frameRecvMs = record.frameRecvMs;
    decision.bookSeq = record.bookSeq;
    decision.batchSize = record.batchSize;
    decision.appliedCount = record.appliedCount;
    decision.decidedMs = record.decidedMs;
    const m = decision.market;
    const pickup = timing.pickedUp(m, record.frameRecvMs, record.decidedMs);
    const staleBefore = om.stats.stale;
    // the freshness check runs synchronously, before the first await of onDecision; a decision
    // that sent nothing leaves no stamp behind for a later reconciliation write
    inFlight.started();
    om.onDecision({ ...decision })
      .then(() => timing.decisionSettled(m, pickup))
      .catch(this.onFailure)
      .finally(inFlight.settled);
    if (om.stats.stale !== staleBefore) ring.countDropped();
  }
}

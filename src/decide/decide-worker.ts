/**
 * decide worker (piscina) — one task = one batch of markets → observations → ONE policy run →
 * decision records into this worker's DecisionRing.
 *
 * The loop, top to bottom, for a task:
 *   rows of the task slot → skip stale books (lessons.md rule 2) and rows already older than the
 *   loop budget (counted) → observation v1 of every remaining row into one Float32Array →
 *   policy.decide(batch) once → decode actions → non-HOLD decisions into the DecisionRing.
 *
 * Stateless between tasks except for the policy session (loaded once, shapes validated at load)
 * and scratch buffers. Reads BookTable / TemporalTable / PortfolioTable through their seqlocks;
 * writes only its own DecisionRing. Histograms are kept here and shipped to io inside task
 * results (encoded, reset) at most every `statsIntervalMs`.
 */
import { workerData } from "node:worker_threads";
import { BookTable, type BookTableShared } from "../book/book-table.js";
import { TemporalTable, type TemporalTableShared } from "../book/temporal-table.js";
import { ObservationBuilder } from "../features/observation.js";
import { PortfolioTable, type PortfolioTableShared } from "../orders/portfolio-table.js";
import { ActionKind, decodeAction, packedKind, packedSizeHundredths } from "../policy/action-space.js";
import { createPolicy, type PolicyConfig } from "../policy/create-policy.js";
import { OBSERVATION_V1_SIZE, type Policy } from "../policy/policy.js";
import { nowMs } from "../runtime/clock.js";
import { SpscRing, type SpscRingShared } from "../shm/spsc-ring.js";
import { type EncodedStageHistograms, StageHistograms } from "../stats/stage-histograms.js";
import { Stage } from "../stats/stages.js";
import { writeDecision } from "./decision-ring.js";
import { TaskSlots, type TaskSlotsShared } from "./task-slots.js";

export interface DecideWorkerData {
  book: BookTableShared;
  temporal: TemporalTableShared;
  portfolio: PortfolioTableShared;
  /** one DecisionRing per worker; a worker claims the next free index at start */
  rings: SpscRingShared[];
  /** Int32 counter for ring claims */
  ringClaim: SharedArrayBuffer;
  slots: TaskSlotsShared;
  policy: PolicyConfig;
  loopBudgetMs: number;
  statsIntervalMs: number;
}

export interface DecideTaskResult {
  /** decisions written to the ring, by ActionKind (index 0 = HOLD, never written) */
  actions: number[];
  stale: number;
  overBudget: number;
  ringFull: number;
  /** encoded histograms since the last shipment (then reset), or null */
  histograms: EncodedStageHistograms | null;
}

class DecideWorker {
  private readonly slots: TaskSlots;
  private readonly book: BookTable;
  private readonly builder: ObservationBuilder;
  private readonly ring: SpscRing;
  private readonly hist: StageHistograms;
  private obs: Float32Array;
  private actionsOut: Int32Array;
  private rowMarket: Int32Array;
  private rowRecv: Float64Array;
  private lastShipMs = 0;

  constructor(
    private readonly data: DecideWorkerData,
    private readonly policy: Policy,
  ) {
    this.book = BookTable.attach(data.book);
    this.builder = new ObservationBuilder({
      book: this.book,
      temporal: TemporalTable.attach(data.temporal),
      portfolio: PortfolioTable.attach(data.portfolio),
    });
    this.slots = TaskSlots.attach(data.slots);
    const claim = new Int32Array(data.ringClaim);
    const index = Atomics.add(claim, 0, 1);
    if (index >= data.rings.length) {
      throw new Error(`decide worker ${index} has no DecisionRing (${data.rings.length} rings for the pool)`);
    }
    this.ring = SpscRing.attach(data.rings[index]);
    this.hist = new StageHistograms({ budgetNs: data.loopBudgetMs * 1e6 });
    const rows = data.slots.rowsPerSlot;
    this.obs = new Float32Array(rows * OBSERVATION_V1_SIZE);
    this.actionsOut = new Int32Array(rows);
    this.rowMarket = new Int32Array(rows);
    this.rowRecv = new Float64Array(rows);
  }

  async run(slot: number): Promise<DecideTaskResult> {
    const t0 = nowMs();
    const result: DecideTaskResult = {
      actions: [0, 0, 0, 0, 0],
      stale: 0,
      overBudget: 0,
      ringFull: 0,
      histograms: null,
    };
    const n = this.slots.rowsOf(slot);
    const base = slot * this.slots.rowsPerSlot;
    const book = this.book;
    const budget = this.data.loopBudgetMs;
    let rows = 0;
    for (let k = 0; k < n; k++) {
      const m = this.slots.market[base + k];
      const recv = this.slots.recvMs[base + k];
      this.hist.record(Stage.dispatch_wait, (t0 - recv) * 1e6);
      if (!book.isTradable(m)) {
        result.stale++;
        continue;
      }
      if (t0 - recv > budget) {
        result.overBudget++;
        continue;
      }
      this.builder.build(m, this.obs, rows * OBSERVATION_V1_SIZE);
      this.rowMarket[rows] = m;
      this.rowRecv[rows] = recv;
      rows++;
    }
    if (rows > 0) {
      const t1 = nowMs();
      this.hist.record(Stage.features, ((t1 - t0) * 1e6) / rows);
      await this.policy.decide(this.obs, rows, this.actionsOut);
      const t2 = nowMs();
      this.hist.record(Stage.inference, ((t2 - t1) * 1e6) / rows);
      const space = this.policy.actionSpace;
      for (let r = 0; r < rows; r++) {
        const packed = decodeAction(space, this.actionsOut[r]);
        const kind = packedKind(packed);
        result.actions[kind]++;
        this.hist.record(Stage.tick_to_decision, (t2 - this.rowRecv[r]) * 1e6);
        if (kind === ActionKind.HOLD) continue;
        const m = this.rowMarket[r];
        const ok = writeDecision(
          this.ring,
          m,
          kind,
          packedSizeHundredths(packed),
          book.lastSeq(m),
          this.rowRecv[r],
          t2,
          book.appliedCount(m),
          rows,
        );
        if (!ok) result.ringFull++;
      }
    }
    const now = nowMs();
    if (now - this.lastShipMs >= this.data.statsIntervalMs) {
      this.lastShipMs = now;
      result.histograms = this.hist.encode({ reset: true });
    }
    return result;
  }
}

const data = workerData as DecideWorkerData;
const worker = new DecideWorker(data, await createPolicy(data.policy));

/** piscina task entry: `{ slot }` → the batch's counts. */
export default function decide(task: { slot: number }): Promise<DecideTaskResult> {
  return worker.run(task.slot);
}

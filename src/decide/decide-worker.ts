/**
 * decide worker (piscina) — pulls dirty markets from its own queue, builds their observations and
 * runs the policy ONCE per batch, writing decisions into its own DecisionRing.
 *
 * The loop, top to bottom (one long-running piscina task per worker, until io sets stop):
 *   markets decided again (updated while running) + everything queued (up to `batchSize`, by
 *   default more than a worker's markets, so one policy run covers the whole queue) → skip stale
 *   books (correctness-rules.md rule 2) and markets whose oldest undecided frame is already older than the
 *   loop budget (counted) → observation v1 of every remaining row into one Float32Array →
 *   policy.decide(batch) once → decode → non-HOLD decisions into the DecisionRing → finish each
 *   market (MarketStates) → nothing queued: when work is expected (a batch ended less than 2 ms
 *   ago) and the machine has a core to spare, poll the queue for up to 50 µs first
 *   (runtime/spin.ts), else (or then) sleep on the queue (a blocking Atomics.wait of at most
 *   IDLE_WAIT_MS) → every YIELD_EVERY_MS, and after a sleep that timed out, one event-loop turn.
 *
 * Why batch everything queued: the policy costs ~16 µs per call at batch 1 and ~0.5 µs per row at
 * batch 32 (ONNX Runtime), so one run over the whole queue is what lets decide keep up with io in
 * a burst. Why spin briefly: at a live feed's rates the next market is usually queued within tens
 * of µs, and a wake-up costs tens of µs (more on a busy core); the spin is bounded and only
 * follows work, so an idle engine does not burn a core. Why a blocking wait: nothing on the
 * decide path needs this thread's event loop (the policy runs synchronously, the queue, rings and
 * counters are shared memory, reports are posted), and a futex wake goes straight back into the
 * loop where `Atomics.waitAsync` resolves through an event-loop turn first. The loop still gives
 * its event loop a turn every YIELD_EVERY_MS and when idle, for the pool's messages and timers.
 *
 * Pulling work from shared memory, instead of io posting a task per batch, keeps io's event loop
 * out of the decision path: a batch starts as soon as a market is queued and io never waits for a
 * task to come back. Counts go into the worker's own lane of the shared counters as they happen
 * (decide-metrics.ts); its stage histograms and busy/idle time go to io as a message every
 * `statsIntervalMs` (why a message for histograms: stats/stage-histograms.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { BookTable, type BookTableShared } from "../book/book-table.js";
import { TemporalTable, type TemporalTableShared } from "../book/temporal-table.js";
import { ObservationBuilder } from "../features/observation.js";
import { PortfolioTable, type PortfolioTableShared } from "../orders/accounts/portfolio-table.js";
import { ActionKind, decodeAction, packedKind, packedSizeHundredths } from "../policy/action-space.js";
import { createPolicy, type PolicyConfig } from "../policy/create-policy.js";
import { OBSERVATION_V1_SIZE, type Policy } from "../policy/policy.js";
import { DecisionLogWriter } from "../record/decision-log.js";
import { FrameRing, type FrameRingShared } from "../record/frame-ring.js";
import { nowMs } from "../runtime/clock.js";
import { pollBriefly, spinBudgetMs } from "../runtime/spin.js";
import { SpscRing, type SpscRingShared } from "../shm/spsc-ring.js";
import { decideHeartbeatSlot, Heartbeats, type HeartbeatsShared } from "../stats/heartbeats.js";
import { type EncodedStageHistograms, StageHistograms } from "../stats/stage-histograms.js";
import { Stage } from "../stats/stages.js";
import { DecideMetrics } from "./decide-metrics.js";
import { writeDecision } from "./decision-ring.js";
import {
  CONTROL_INJECT_FAULTS,
  CONTROL_PAUSED,
  CONTROL_STARTED,
  CONTROL_STOP,
  MarketStates,
  type MarketStatesShared,
} from "./market-states.js";

export interface DecideWorkerData {
  book: BookTableShared;
  temporal: TemporalTableShared;
  portfolio: PortfolioTableShared;
  states: MarketStatesShared;
  /** per worker: its queue of market ids (io → worker) and its DecisionRing (worker → orders) */
  queues: SpscRingShared[];
  rings: SpscRingShared[];
  policy: PolicyConfig;
  batchSize: number;
  loopBudgetMs: number;
  statsIntervalMs: number;
  /** recording: per worker, the FrameRing its decisions are logged into (record/decision-log.ts) */
  decisionLogs?: FrameRingShared[];
  /** each loop stamps its slot every turn (io's watchdog) */
  heartbeats: HeartbeatsShared;
  /** the engine's shared counters (engine-metrics.ts); each worker writes its own lane */
  counters?: SharedArrayBuffer;
}

/**
 * What a worker reports to io (as a message on the pool) every `statsIntervalMs`, since the
 * previous report: not metrics (those the worker writes itself, decide-metrics.ts) but the
 * dispatcher's busy/idle time and the stage histograms.
 */
export interface DecideWorkerStats {
  type: "decide-stats";
  worker: number;
  rows: number;
  /** milliseconds spent deciding batches / asleep waiting for work */
  busyMs: number;
  idleMs: number;
  histograms: EncodedStageHistograms | null;
}

/** Longest blocking sleep on the queue: bounds how late the stop flag is seen when idle. */
const IDLE_WAIT_MS = 50;
/** Longest run of the loop without an event-loop turn (the pool's messages, timers). */
const YIELD_EVERY_MS = 20;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class DecideWorker {
  private readonly book: BookTable;
  private readonly builder: ObservationBuilder;
  private readonly states: MarketStates;
  private readonly hist: StageHistograms;
  private readonly obs: Float32Array;
  private readonly actionsOut: Int32Array;
  private readonly rowMarket: Int32Array;
  private readonly rowRecv: Float64Array;
  /** book seq and applied count each row's observation was built from */
  private readonly rowSeq: Float64Array;
  private readonly rowApplied: Float64Array;
  private readonly decisionLog: DecisionLogWriter | null;
  private decisionLogDroppedCounted = 0;
  private readonly metrics: DecideMetrics;
  /** markets to decide again (updated while their decision ran), with their stamps */
  private again: Int32Array;
  private againRecv: Float64Array;
  private againCount = 0;
  private batchMarket: Int32Array;
  private batchRecv: Float64Array;
  private report: DecideWorkerStats;
  private lastReportMs = 0;
  private readonly heartbeats: Heartbeats;
  private lastBatchEndMs = 0;
  private readonly queueSources: readonly SpscRing[];
  /** poll budget after a batch (spin.ts): io, every decide thread and orders need a core each */
  private readonly spinMs: number;

  constructor(
    private readonly index: number,
    private readonly data: DecideWorkerData,
    private readonly policy: Policy,
    private readonly queue: SpscRing,
    private readonly ring: SpscRing,
  ) {
    this.book = BookTable.attach(data.book);
    this.builder = new ObservationBuilder({
      book: this.book,
      temporal: TemporalTable.attach(data.temporal),
      portfolio: PortfolioTable.attach(data.portfolio),
    });
    this.states = MarketStates.attach(data.states);
    this.queueSources = [queue];
    this.spinMs = spinBudgetMs(data.queues.length + 2);
    this.heartbeats = Heartbeats.attach(data.heartbeats);
    this.hist = new StageHistograms({ budgetNs: data.loopBudgetMs * 1e6 });
    this.metrics = new DecideMetrics(data.counters, index);
    // A market is queued at most once, so a worker never holds more than its share of markets.
    const rows = Math.max(1, Math.min(data.batchSize, Math.ceil(data.book.capacity / data.queues.length)));
    this.obs = new Float32Array(rows * OBSERVATION_V1_SIZE);
    this.actionsOut = new Int32Array(rows);
    this.rowMarket = new Int32Array(rows);
    this.rowRecv = new Float64Array(rows);
    this.rowSeq = new Float64Array(rows);
    this.rowApplied = new Float64Array(rows);
    const logRing = data.decisionLogs?.[index];
    this.decisionLog = logRing ? new DecisionLogWriter(FrameRing.attach(logRing)) : null;
    this.batchMarket = new Int32Array(rows);
    this.batchRecv = new Float64Array(rows);
    this.again = new Int32Array(rows);
    this.againRecv = new Float64Array(rows);
    this.report = this.emptyReport();
  }

  async loop(): Promise<number> {
    const control = this.states.control;
    let batches = 0;
    const beat = decideHeartbeatSlot(this.index);
    let lastTurnMs = nowMs();
    while (Atomics.load(control, CONTROL_STOP) === 0) {
      this.heartbeats.beat(beat);
      if (Atomics.load(control, CONTROL_PAUSED) === 1) {
        this.maybeReport(); // what was decided before the pause is still told
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const n = this.takeBatch();
      if (n === 0) {
        this.maybeReport();
        if (pollBriefly(this.queueSources, this.lastBatchEndMs, this.spinMs)) continue;
        const w0 = nowMs();
        const woke = this.queue.waitForRecords(IDLE_WAIT_MS);
        this.report.idleMs += nowMs() - w0;
        if (!woke) {
          await nextTurn();
          lastTurnMs = nowMs();
        }
        continue;
      }
      if (takeInjectedFault(control)) throw new Error(`decide worker ${this.index}: injected fault`);
      const b0 = nowMs();
      await this.decide(n);
      this.lastBatchEndMs = nowMs();
      this.report.busyMs += this.lastBatchEndMs - b0;
      batches++;
      this.maybeReport();
      if (this.lastBatchEndMs - lastTurnMs >= YIELD_EVERY_MS) {
        await nextTurn();
        lastTurnMs = nowMs();
      }
    }
    this.sendReport();
    return batches;
  }

  /** Markets decided again first, then the queue, up to batchSize; marks queued ones RUNNING. */
  private takeBatch(): number {
    let n = 0;
    for (let k = 0; k < this.againCount; k++) {
      this.batchMarket[n] = this.again[k];
      this.batchRecv[n++] = this.againRecv[k];
    }
    this.againCount = 0;
    const q = this.queue;
    for (let slot = q.peek(); slot >= 0 && n < this.batchMarket.length; slot = q.peek()) {
      const m = q.i32[slot * 2];
      q.release();
      this.batchMarket[n] = m;
      this.batchRecv[n++] = this.states.start(m);
    }
    return n;
  }

  private async decide(n: number): Promise<void> {
    const t0 = nowMs();
    const book = this.book;
    const budget = this.data.loopBudgetMs;
    const report = this.report;
    let rows = 0;
    this.builder.beginBatch();
    for (let k = 0; k < n; k++) {
      const m = this.batchMarket[k];
      const recv = this.batchRecv[k];
      this.hist.record(Stage.dispatch_wait, (t0 - recv) * 1e6);
      if (!book.isTradable(m)) this.metrics.staleBook.inc();
      else if (t0 - recv > budget) this.metrics.overBudget.inc();
      else {
        this.rowMarket[rows] = m;
        this.rowRecv[rows++] = recv;
      }
    }
    if (rows > 0) {
      // the features stage times the builds alone (not the dispatch-wait records above)
      const tf = nowMs();
      for (let r = 0; r < rows; r++) {
        this.builder.build(this.rowMarket[r], this.obs, r * OBSERVATION_V1_SIZE);
        this.rowSeq[r] = this.builder.lastBookState[0];
        this.rowApplied[r] = this.builder.lastBookState[1];
      }
      const t1 = nowMs();
      this.hist.record(Stage.features, ((t1 - tf) * 1e6) / rows);
      await this.policy.decide(this.obs, rows, this.actionsOut);
      const t2 = nowMs();
      this.hist.record(Stage.inference, ((t2 - t1) * 1e6) / rows);
      const space = this.policy.actionSpace;
      for (let r = 0; r < rows; r++) {
        const packed = decodeAction(space, this.actionsOut[r]);
        const kind = packedKind(packed);
        this.metrics.decisions[kind]!.inc();
        this.hist.record(Stage.tick_to_decision, (t2 - this.rowRecv[r]) * 1e6);
        const m = this.rowMarket[r];
        // the book state the observation was built from (not the book now: io may have moved on)
        this.decisionLog?.write(
          m,
          this.actionsOut[r],
          kind,
          packedSizeHundredths(packed),
          this.rowSeq[r],
          this.rowApplied[r],
          this.rowRecv[r],
          t2,
          this.obs,
          r * OBSERVATION_V1_SIZE,
        );
        if (kind === ActionKind.HOLD) continue;
        const ok = writeDecision(
          this.ring,
          m,
          kind,
          packedSizeHundredths(packed),
          this.rowSeq[r],
          this.rowRecv[r],
          t2,
          this.rowApplied[r],
          rows,
        );
        if (!ok) this.metrics.ringFull.inc();
      }
    }
    this.metrics.batches.inc();
    report.rows += rows;
    // Release every market of the batch; one updated meanwhile is decided again next batch.
    for (let k = 0; k < n; k++) {
      const m = this.batchMarket[k];
      const again = this.states.finish(m);
      if (again !== 0) {
        this.again[this.againCount] = m;
        this.againRecv[this.againCount++] = again;
      }
    }
  }

  private maybeReport(): void {
    const now = nowMs();
    if (now - this.lastReportMs < this.data.statsIntervalMs) return;
    this.lastReportMs = now;
    this.sendReport();
  }

  private sendReport(): void {
    this.report.histograms = this.hist.encode({ reset: true });
    if (this.decisionLog) {
      this.metrics.recordDropped.inc(this.decisionLog.dropped - this.decisionLogDroppedCounted);
      this.decisionLogDroppedCounted = this.decisionLog.dropped;
    }
    parentPort?.postMessage(this.report);
    this.report = this.emptyReport();
  }

  private emptyReport(): DecideWorkerStats {
    return {
      type: "decide-stats",
      worker: this.index,
      rows: 0,
      busyMs: 0,
      idleMs: 0,
      histograms: null,
    };
  }
}

/** One injected fault, if any is left (one Atomics load per batch otherwise). */
function takeInjectedFault(control: Int32Array): boolean {
  for (;;) {
    const left = Atomics.load(control, CONTROL_INJECT_FAULTS);
    if (left <= 0) return false;
    if (Atomics.compareExchange(control, CONTROL_INJECT_FAULTS, left, left - 1) === left) return true;
  }
}

const data = workerData as DecideWorkerData;
const policy = await createPolicy(data.policy);

/**
 * piscina task entry: `{ worker }` runs that worker's loop until io sets stop; resolves with the
 * number of batches decided. One task per worker thread; io's supervisor (dispatcher.ts) starts it
 * again after it failed.
 */
export default async function decideLoop(task: { worker: number }): Promise<number> {
  const queue = SpscRing.attach(data.queues[task.worker]);
  const ring = SpscRing.attach(data.rings[task.worker]);
  const worker = new DecideWorker(task.worker, data, policy, queue, ring);
  Atomics.add(MarketStates.attach(data.states).control, CONTROL_STARTED, 1);
  return worker.loop();
}

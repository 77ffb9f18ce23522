/**
 * The orders thread's loop, each turn:
 *   stamp its heartbeat (io's watchdog)
 *   drain the DecisionRings (decision-intake.ts: each decision runs async, the order manager
 *     serialises per market)
 *   drain the FillRing (venue reports io parsed into fixed-layout records, worker-fills.ts; a
 *     fill is applied once by its trade id)
 *   its counts into io's shared metrics; every `statsEveryMs` its state counts and P&L gauges,
 *     and its report to io (P&L per market, stage histograms)
 *   every `reconcileEveryMs`: a periodic reconciliation pass, then P&L marks and event
 *   nothing done → wait for work (idle-wait.ts); work done → one setImmediate so REST callbacks
 *     run between batches
 * Reconciliation passes run one at a time: the periodic ones and those io asks for.
 */
import { nowMs } from "../../runtime/clock.js";
import type { BytesRing } from "../../shm/bytes-ring.js";
import { HEARTBEAT_ORDERS, type Heartbeats } from "../../stats/heartbeats.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { ReconcileReport } from "../reconcile/reconcile-target.js";
import type { Reconciler } from "../reconcile/reconciler.js";
import type { DecisionIntake } from "./decision-intake.js";
import type { IdleWait } from "./idle-wait.js";
import type { InFlightWork } from "./in-flight.js";
import type { OrdersReport } from "./orders-protocol.js";
import type { OrdersStatsReport } from "./stats-report.js";
import { drainReports } from "./worker-fills.js";

export interface OrdersLoopParts {
  decisions: DecisionIntake;
  fillRing: BytesRing;
  om: OrderManager;
  reconciler: Reconciler;
  idle: IdleWait;
  inFlight: InFlightWork;
  stats: OrdersStatsReport;
  heartbeats: Heartbeats | null;
  /** after each periodic reconciliation pass (marks positions, writes the P&L event) */
  afterReconcile(): void;
  /** a decision, report or pass that failed: counted and told to io */
  onFailure(e: unknown): void;
  /** sends io the periodic report */
  sendReport(report: OrdersReport): void;
  reconcileEveryMs: number;
  statsEveryMs: number;
}

export class OrdersLoop {
  private running = true;
  private reconciliation: Promise<unknown> = Promise.resolve();
  private reconciling = false;

  constructor(private readonly p: OrdersLoopParts) {}

  /** ends the loop after its current turn */
  stop(): void {
    this.running = false;
  }

  /** one reconciliation pass, after any already running */
  reconcileOnce(): Promise<ReconcileReport> {
    const pass = this.reconciliation.then(() => this.p.reconciler.periodic());
    this.reconciliation = pass.catch(() => undefined);
    return pass;
  }

  /** runs until `stop()` */
  async run(): Promise<void> {
    const p = this.p;
    const onBadRecord = (why: string) => p.onFailure(new Error(why));
    let lastWorkMs = 0;
    let nextReconcileMs = nowMs() + p.reconcileEveryMs;
    let nextStatsMs = nowMs() + p.statsEveryMs;
    while (this.running) {
      p.heartbeats?.beat(HEARTBEAT_ORDERS);
      let work = p.decisions.drain();
      work += drainReports(p.fillRing, p.om, onBadRecord);
      p.stats.publishMetrics();
      const now = nowMs();
      if (now >= nextStatsMs) {
        nextStatsMs = now + p.statsEveryMs;
        p.sendReport(p.stats.report());
      }
      if (now >= nextReconcileMs && !this.reconciling) {
        nextReconcileMs = now + p.reconcileEveryMs;
        this.reconcilePeriodically();
      }
      if (work > 0) {
        lastWorkMs = nowMs();
        await new Promise((r) => setImmediate(r)); // let REST callbacks run between batches
      } else {
        const wait = p.idle.wait(lastWorkMs, p.inFlight.count, nextReconcileMs);
        if (wait !== null) await wait;
      }
    }
  }

  private reconcilePeriodically(): void {
    const p = this.p;
    this.reconciling = true;
    p.inFlight.started();
    this.reconcileOnce()
      .then(() => p.afterReconcile())
      .catch(p.onFailure)
      .finally(() => {
        this.reconciling = false;
        p.inFlight.settled();
      });
  }
}

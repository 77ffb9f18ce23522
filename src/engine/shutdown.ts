/**
 * The engine's shutdown sequence, in order, and the summary it ends with:
 *
 *   stop timers and the watchdog, pause decisions → close the feed → cancel all (policy
 *   `cancel_all`) → reconcile until two clean passes in a row → the orders thread's last stats →
 *   stop the event pump, take the final snapshot → stop the decide workers → stop the orders
 *   thread (terminated when any step failed) → its last events → close the recorder, the server
 *   and the audit trail
 *
 * Every step is bounded: an unreachable exchange must not keep the engine from stopping, and the
 * summary names each step that failed or ran out of time. When the orders thread is already gone,
 * io has canceled over REST (Supervisor.ordersDied) and nothing is asked of the thread.
 */

import type { DecisionDispatcher } from "../decide/dispatcher.js";
import type { KalshiWsClient } from "../kalshi/ws-client.js";
import { isSettledPass } from "../orders/reconcile/reconcile-target.js";
import type { OrdersThread } from "../orders/thread/orders-thread.js";
import type { FeedRecorder, RecorderSummary } from "../record/recorder.js";
import type { LimitedLog } from "../runtime/limited-log.js";
import type { EngineServer } from "../server/types.js";
import type { PnlSnapshot, portfolioSnapshot } from "../stats/snapshot.js";
import type { StageHistograms } from "../stats/stage-histograms.js";
import type { AuditTrail } from "./audit.js";
import type { EmergencyCancelReport } from "./emergency-cancel.js";
import { type EngineStats, flatCounters, type ProcessStats, processStats } from "./engine-stats.js";
import type { EventPump } from "./event-pump.js";
import type { Supervisor } from "./supervisor.js";
import type { Watchdog } from "./watchdog.js";

export interface EngineSummary {
  reason: string;
  uptime_s: number;
  process: ProcessStats;
  portfolio: ReturnType<typeof portfolioSnapshot>;
  /** after the final reconciliation: realised, fees, unrealised at the last book mids */
  pnl: PnlSnapshot;
  /** fills applied and orders sent over the run */
  trades: { fills: number; orders_sent: number; orders_rejected: number };
  canceled_at_shutdown: number;
  /** shutdown steps that failed or timed out (e.g. the exchange was unreachable) */
  incomplete_at_shutdown: string[];
  counters: Record<string, number>;
  orders: Record<string, number>;
  histograms: ReturnType<StageHistograms["summary"]>;
  /** why trading stopped before the shutdown (a supervisor trip, the orders thread died), or null */
  halted: string | null;
  /** the kill switch io pulled over REST after the orders thread died */
  emergency_cancel: EmergencyCancelReport | null;
  /** present when recording */
  recording?: RecorderSummary;
}

export interface ShutdownParts {
  log: { info(fields: object, msg: string): void; warn(fields: object, msg: string): void };
  shutdownPolicy: "cancel_all" | "leave_resting";
  client: KalshiWsClient;
  dispatcher: DecisionDispatcher;
  orders: OrdersThread;
  supervisor: Supervisor;
  watchdog: Watchdog;
  warnings: LimitedLog;
  events: EventPump;
  stats: EngineStats;
  audit: AuditTrail;
  server: EngineServer | null;
  recorder?: FeedRecorder;
}

/** Stops everything in order; resolves with the final summary. */
export async function shutdownEngine(p: ShutdownParts, reason: string): Promise<EngineSummary> {
  p.events.stopHolds();
  p.watchdog.stop();
  p.warnings.maybeSummarise(true);
  p.dispatcher.setPaused(true);
  const steps = new BoundedSteps();
  await steps.run("feed close", 3_000, () => p.client.close().then(() => true));
  let canceled = 0;
  if (p.orders.exited) {
    // nothing to ask the orders thread: io has canceled over REST (ordersDied)
    steps.incomplete.push(`orders thread: ${p.supervisor.halted ?? "exited"}`);
    canceled = p.supervisor.emergencyCancel?.canceled ?? 0;
  } else {
    if (p.shutdownPolicy === "cancel_all")
      canceled = (await steps.run("cancel all", 10_000, () => p.orders.kill())) ?? 0;
    const settled = await steps.run("final reconciliation", 30_000, () => settleWithExchange(p));
    if (settled === false)
      steps.incomplete.push("final reconciliation: did not reach two clean passes in a row");
    await steps.run("orders stats", 3_000, () => p.orders.stats().then(() => true));
  }
  p.events.stop();
  p.events.drain();
  const snapshot = p.stats.snapshot();
  await steps.run("decide workers", 5_000, () => p.dispatcher.close().then(() => true));
  await steps.run("orders thread", 5_000, () => p.orders.stop().then(() => true));
  if (steps.incomplete.length > 0) {
    await p.orders.worker.terminate();
    p.log.warn({ incomplete: steps.incomplete }, "shutdown steps did not complete");
  }
  p.events.drain(); // the orders thread's last events, into the log too
  const recorder = p.recorder;
  const recording = recorder ? await steps.run("recorder", 30_000, () => recorder.close()) : undefined;
  p.server?.close();
  await p.audit.close();
  const orders = p.stats.ordersState();
  return {
    reason,
    uptime_s: p.stats.uptimeS,
    process: processStats(),
    portfolio: snapshot.portfolio,
    pnl: snapshot.pnl,
    trades: {
      fills: orders.fillsApplied ?? 0,
      orders_sent: orders.sent ?? 0,
      orders_rejected: orders.rejected ?? 0,
    },
    canceled_at_shutdown: canceled,
    incomplete_at_shutdown: steps.incomplete,
    counters: flatCounters(snapshot),
    orders,
    histograms: snapshot.histograms,
    halted: p.supervisor.halted,
    emergency_cancel: p.supervisor.emergencyCancel,
    ...(recording ? { recording } : {}),
  };
}

/** Runs each step under its own deadline; what failed or timed out is listed, never thrown. */
class BoundedSteps {
  readonly incomplete: string[] = [];

  /** The step's result, or undefined when it failed or had no answer within `ms`. */
  async run<T>(name: string, ms: number, work: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      const r = await Promise.race([work(), timeout]);
      if (r === undefined) this.incomplete.push(`${name}: no answer within ${ms} ms`);
      return r;
    } catch (e) {
      this.incomplete.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Before the final summary: reconcile with the exchange until two passes in a row find nothing
 * to change and nothing unsettled — no write in flight or of unknown outcome, no ledger order
 * still waiting for its fills or cancel, no difference seen only once (bounded) — so the
 * summary is the exchange's state. The feed is closed by then: fills come from REST.
 */
async function settleWithExchange(p: ShutdownParts): Promise<boolean> {
  // Generous: with faults a single pass can wait out read timeouts and retries.
  const deadline = Date.now() + 25_000;
  let clean = 0;
  while (clean < 2 && Date.now() < deadline) {
    try {
      const report = await p.orders.reconcile();
      p.log.info({ ...report }, "final reconciliation pass");
      clean = isSettledPass(report) ? clean + 1 : 0;
    } catch (e) {
      p.log.warn({ err: String(e) }, "final reconciliation pass failed; retrying");
      clean = 0;
    }
  }
  return clean >= 2;
}

/**
 * Supervisor — io's authority over whether the engine may trade: the pause / resume / kill state
 * the operator sets (through control.ts), and the halts supervision decides (the decide workers'
 * restart breaker tripped, the orders thread died). A halt is loud and sticky: an error line, a breaker and a kill event on
 * /events, decisions paused, every resting order canceled, and /healthz 503 with the reason until
 * the engine is restarted. /healthz is also 503 while the feed is down or a thread is stale.
 */
import type { DecisionDispatcher } from "../decide/dispatcher.js";
import type { EngineEvent } from "../events/engine-event.js";
import type { KalshiRestClient } from "../kalshi/rest-client.js";
import type { OrdersThread } from "../orders/thread/orders-thread.js";
import type { HealthReport } from "../server/types.js";
import type { Counters } from "../stats/counters.js";
import { cancelAllResting, type EmergencyCancelReport } from "./emergency-cancel.js";
import type { EngineLogger } from "./engine.js";
import type { Watchdog } from "./watchdog.js";

export interface SupervisorDeps {
  log: EngineLogger;
  dispatcher: DecisionDispatcher;
  orders: OrdersThread;
  counters: Counters;
  /** io's own REST client: the kill switch left when the orders thread is gone */
  rest: KalshiRestClient;
  watchdog: Watchdog;
  feedConnected(): boolean;
  stopping(): boolean;
  /** an event of io's own to the /events stream */
  emit(event: EngineEvent): void;
}

export class Supervisor {
  paused = false;
  killEngaged = false;
  /** why trading stopped (supervision), or null while trading may go on */
  halted: string | null = null;
  /** what io canceled over REST after the orders thread died */
  emergencyCancel: EmergencyCancelReport | null = null;
  private ordersGone = false;
  private resolveFailed: (reason: string) => void = () => undefined;
  /** resolves when the orders thread died and io has canceled what rested */
  readonly failed = new Promise<string>((resolve) => {
    this.resolveFailed = resolve;
  });

  constructor(private readonly d: SupervisorDeps) {}

  /** /healthz: ok only while the feed is up, every thread's loop turns and trading is allowed. */
  health(): HealthReport {
    const problems: string[] = [];
    if (!this.d.feedConnected()) problems.push("feed disconnected");
    const stale = this.d.watchdog.staleThreads();
    if (stale.length > 0) problems.push(`stale threads: ${stale.join(", ")}`);
    if (this.killEngaged) problems.push("kill switch engaged");
    if (this.halted !== null) problems.push(`trading halted: ${this.halted}`);
    if (this.d.stopping()) problems.push("stopping");
    return {
      ok: problems.length === 0,
      reason: problems.join("; "),
      feed_connected: this.d.feedConnected(),
      kill_engaged: this.killEngaged,
      halted: this.halted,
      stale_threads: stale,
    };
  }

  /**
   * Supervision stops trading loudly: an error line, a breaker event, decisions paused, the kill
   * switch (every resting order canceled), a kill event, and /healthz 503 with the reason until
   * the engine is restarted.
   */
  async halt(breaker: string, reason: string): Promise<void> {
    if (this.halted !== null || this.d.stopping()) return;
    this.halted = `${breaker}: ${reason}`;
    this.d.log.error(
      { breaker, reason },
      "trading halted: kill switch engaged; restart the engine once fixed",
    );
    const tsUs = Math.round(Date.now() * 1000);
    this.d.emit({ kind: "breaker", seq: 0, tsUs, name: breaker, state: "tripped", reason });
    this.pause();
    this.killEngaged = true;
    this.d.counters.gauge("kill_engaged").set(1);
    this.d.emit({ kind: "kill", seq: 0, tsUs, engaged: true, reason: this.halted });
    if (!this.d.orders.exited) {
      const canceled = await this.d.orders.kill().catch((e: unknown) => {
        this.d.log.error({ err: String(e) }, "kill switch through the orders thread failed");
        return -1;
      });
      this.d.log.warn({ canceled }, "kill switch: resting orders canceled");
    }
  }

  /**
   * The orders thread ended on its own: nothing trades or cancels through it any more. io pulls
   * the kill switch it still can — cancel every resting order over REST with its own client —
   * and `failed` resolves so the caller stops the engine and exits non-zero.
   */
  async ordersDied(code: number, lastError: string | null): Promise<void> {
    if (this.d.stopping() || this.ordersGone) return;
    this.ordersGone = true;
    const reason = `orders thread exited (code ${code})${lastError ? `: ${lastError}` : ""}`;
    await this.halt("orders_thread", reason);
    this.halted = `orders_thread: ${reason}`;
    this.emergencyCancel = await cancelAllResting(this.d.rest);
    this.d.log.error(
      { ...this.emergencyCancel },
      "orders thread gone: resting orders canceled over REST from io",
    );
    this.resolveFailed(reason);
  }

  /** Pause: keep books current but dispatch no decisions. */
  pause(): void {
    this.paused = true;
    this.d.dispatcher.setPaused(true);
    this.d.counters.gauge("paused").set(1);
  }

  /** Resume deciding and release the kill switch; refused while supervision has halted trading. */
  async resume(): Promise<void> {
    if (this.halted !== null) throw new Error(`trading halted (${this.halted}); restart the engine`);
    this.paused = false;
    this.d.dispatcher.setPaused(false);
    this.d.counters.gauge("paused").set(0);
    await this.d.orders.release();
    this.killEngaged = false;
    this.d.counters.gauge("kill_engaged").set(0);
  }

  /** Kill: cancel every resting order and block new ones; resolves with the number canceled. */
  async kill(): Promise<number> {
    const canceled = await this.d.orders.kill();
    this.killEngaged = true;
    this.d.counters.gauge("kill_engaged").set(1);
    return canceled;
  }
}

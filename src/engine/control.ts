/**
 * Control handling — the operator's actions from the engine server's control endpoint (token
 * checked there): pause, resume, kill, reconcile. Each runs against the Supervisor's trading state
 * or the orders thread, and each is audited with who asked and what came of it (an error too).
 */

import type { OrdersThread } from "../orders/thread/orders-thread.js";
import type { ControlAction, ControlCaller } from "../server/types.js";
import type { AuditTrail } from "./audit.js";
import type { Supervisor } from "./supervisor.js";

export interface EngineControlDeps {
  supervisor: Supervisor;
  orders: OrdersThread;
  audit: AuditTrail;
}

export class EngineControl {
  constructor(private readonly d: EngineControlDeps) {}

  /**
   * Pause: keep books current but dispatch no decisions. Resume: decide again and release the
   * kill switch (refused after a supervision halt). Kill: cancel everything and block.
   * Reconcile: one pass with the exchange now, after any pass already running.
   */
  async handle(action: ControlAction, caller?: ControlCaller): Promise<object> {
    try {
      const result = await this.run(action);
      this.d.audit.control(action, caller, result);
      return result;
    } catch (e) {
      this.d.audit.control(action, caller, e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }

  private async run(action: ControlAction): Promise<object> {
    const s = this.d.supervisor;
    switch (action) {
      case "pause":
        s.pause();
        return { paused: true };
      case "resume":
        await s.resume();
        return { paused: false, kill: false };
      case "kill":
        return { kill: true, canceled: await s.kill() };
      case "reconcile":
        // its report is the answer
        return { reconciled: await this.d.orders.reconcile() };
    }
  }
}

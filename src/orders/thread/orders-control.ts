/**
 * The orders thread's answers to io's requests (OrdersRequests, over runtime/request-channel.ts):
 * kill switch on/off, stats, open orders, one reconciliation pass, stop. Each handler settles its
 * own reply; async ones count as in flight, so the loop sleeps on its event loop until they settle.
 */
import type { RequestHandlers } from "../../runtime/request-channel.js";
import type { CounterHandle } from "../../stats/counters.js";
import type { OrderManager } from "../execution/order-manager.js";
import type { EngineEventMapper } from "./engine-events.js";
import type { InFlightWork } from "./in-flight.js";
import type { OrdersLoop } from "./orders-loop.js";
import type { OrdersRequests } from "./orders-protocol.js";
import type { OrdersStatsReport } from "./stats-report.js";

export interface OrdersControlParts {
  om: OrderManager;
  loop: OrdersLoop;
  inFlight: InFlightWork;
  stats: OrdersStatsReport;
  mapper: EngineEventMapper;
  /** marks every held position from the book (before a stats report) */
  markPositions(): void;
  errors: CounterHandle;
  /** resolves once the loop has ended and the journal is closed */
  loopEnded: Promise<unknown>;
}

export function ordersRequestHandlers(c: OrdersControlParts): RequestHandlers<OrdersRequests> {
  return {
    kill: () =>
      c.inFlight.while(c.om.engageKillSwitch()).catch((e: unknown) => {
        c.errors.inc();
        throw e;
      }),
    release: () => {
      c.om.releaseKillSwitch();
      return null;
    },
    stats: () => {
      c.markPositions();
      c.stats.publishMetrics();
      return c.stats.reply();
    },
    openOrders: () => c.mapper.openOrders(),
    reconcile: () =>
      c.inFlight.while(c.loop.reconcileOnce()).catch((e: unknown) => {
        throw new Error(`reconciliation pass failed: ${e instanceof Error ? e.message : String(e)}`);
      }),
    stop: () => {
      c.loop.stop();
      return c.loopEnded.then(() => null);
    },
  };
}

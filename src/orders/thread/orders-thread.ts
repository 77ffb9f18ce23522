/**
 * Starts the orders worker_thread from io (main thread) and asks it for things over one typed
 * request channel (runtime/request-channel.ts): kill switch, release, stats,
 * reconciliation, stop. The worker owns money; io only sends requests and reads the EventRing /
 * PortfolioTable. What the thread announces on its own — "ready", an error it counted, its
 * periodic report — arrives as plain messages beside the replies.
 */
import { Worker } from "node:worker_threads";
import type { OpenOrder } from "../../events/engine-event.js";
import { workerModuleUrl } from "../../runtime/module-file.js";
import { RequestChannel } from "../../runtime/request-channel.js";
import type { ReconcileReport } from "../reconcile/reconcile-target.js";
import type {
  OrdersNotice,
  OrdersReport,
  OrdersRequests,
  OrdersStats,
  OrdersWorkerInit,
} from "./orders-protocol.js";
import { OrdersState } from "./orders-state.js";

export interface OrdersThread {
  worker: Worker;
  /** resolves after the startup reconciliation; rejects if the worker fails first */
  ready: Promise<void>;
  /** engages the kill switch and resolves with the number of orders canceled */
  kill(): Promise<number>;
  release(): Promise<void>;
  stats(): Promise<OrdersStats>;
  /** the ledger's open orders now (asked on demand: a dashboard's starting snapshot) */
  openOrders(): Promise<OpenOrder[]>;
  /** one reconciliation pass; rejects when the pass failed (e.g. a read failed past its retries) */
  reconcile(): Promise<ReconcileReport>;
  /** stops the loop, closes the journal, terminates the thread */
  stop(): Promise<void>;
  /** true once the thread has ended */
  readonly exited: boolean;
  /** replies that came after their request had timed out (or matched none) */
  readonly unknownReplies: number;
  /** the thread's state counts, which it writes and io reads (orders-state.ts) */
  readonly state: OrdersState;
}

export interface OrdersThreadHooks {
  /** an error the thread reported (and counted) after ready: a failed REST call, a bad frame */
  onError?(message: string): void;
  /**
   * The thread ended after ready without being asked to stop (its loop failed, it crashed): the
   * engine can no longer trade or cancel through it. `lastError` is its last reported error.
   */
  onExit?(code: number, lastError: string | null): void;
  /** every report (sent by the thread on its own schedule, or within the answer to `stats()`) */
  onReport?(report: OrdersReport): void;
}

/**
 * Deadlines per request. Generous: a kill or a reconciliation pass waits out REST retries and
 * read timeouts when the exchange is slow; the shutdown sequence bounds its own steps tighter.
 */
const REQUEST_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 60_000;
const RECONCILE_TIMEOUT_MS = 120_000;

export function startOrdersWorker(init: OrdersWorkerInit, hooks: OrdersThreadHooks = {}): OrdersThread {
  const stateBlock = OrdersState.allocate();
  const workerData: OrdersWorkerInit = { ...init, state: stateBlock };
  const worker = new Worker(workerModuleUrl(import.meta.url, "./orders-worker"), { workerData });
  const channel = new RequestChannel<OrdersRequests>(worker, {
    peer: "orders thread",
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  let lastError: string | null = null;
  let stopRequested = false;
  let exited = false;
  let isReady = false;
  worker.once("exit", (code) => {
    // nobody waits forever on a thread that is gone
    exited = true;
    channel.close(`the thread has exited (code ${code})`);
    if (isReady && !stopRequested) hooks.onExit?.(code, lastError);
  });
  // an uncaught exception in the thread: it exits next (handled above)
  worker.on("error", (e: Error) => {
    lastError = e.message;
  });
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!isReady) reject(new Error(`orders worker exited (${code}) before ready`));
    });
    worker.on("message", (m: unknown) => {
      if (channel.accept(m)) return;
      const r = m as OrdersNotice;
      if (r.type === "ready") {
        isReady = true;
        resolve();
      } else if (r.type === "error") {
        lastError = r.message;
        if (!isReady) reject(new Error(`orders worker: ${r.message}`));
        else hooks.onError?.(r.message);
      } else if (r.type === "report") hooks.onReport?.(r.report);
    });
  });
  return {
    worker,
    ready,
    state: new OrdersState(stateBlock),
    get exited() {
      return exited;
    },
    get unknownReplies() {
      return channel.unknownReplies;
    },
    kill: () => channel.request("kill", null, KILL_TIMEOUT_MS),
    release: async () => {
      await channel.request("release", null);
    },
    stats: async () => {
      const stats = await channel.request("stats", null);
      hooks.onReport?.(stats);
      return stats;
    },
    openOrders: () => channel.request("openOrders", null),
    reconcile: () => channel.request("reconcile", null, RECONCILE_TIMEOUT_MS),
    stop: async () => {
      stopRequested = true;
      if (exited) return;
      await channel.request("stop", null);
      await worker.terminate();
    },
  };
}

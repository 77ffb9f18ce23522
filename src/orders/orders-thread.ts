/**
 * Starts the orders worker_thread from io (main thread) and wraps its control messages.
 * The worker owns money; io only sends commands and reads the EventRing / PortfolioTable.
 */
import { Worker } from "node:worker_threads";
import { workerModuleUrl } from "../runtime/module-file.js";
import type {
  OrdersWorkerCommand,
  OrdersWorkerInit,
  OrdersWorkerMarket,
  OrdersWorkerReply,
} from "./orders-worker.js";
import type { ReconcileReport } from "./reconciler.js";

export interface OrdersThread {
  worker: Worker;
  /** resolves after the startup reconciliation; rejects if the worker fails first */
  ready: Promise<void>;
  /** engages the kill switch and resolves with the number of orders canceled */
  kill(): Promise<number>;
  release(): void;
  addMarkets(markets: OrdersWorkerMarket[]): void;
  stats(): Promise<OrdersStatsReply>;
  /** one reconciliation pass; rejects when the pass failed (e.g. a read failed past its retries) */
  reconcile(): Promise<ReconcileReport>;
  /** stops the loop, closes the journal, terminates the thread */
  stop(): Promise<void>;
  /** true once the thread has ended */
  readonly exited: boolean;
}

export type OrdersStatsReply = Extract<OrdersWorkerReply, { type: "stats" }>;

export interface OrdersThreadHooks {
  /** an error the thread reported (and counted) after ready: a failed REST call, a bad frame */
  onError?(message: string): void;
  /**
   * The thread ended after ready without being asked to stop (its loop failed, it crashed): the
   * engine can no longer trade or cancel through it. `lastError` is its last reported error.
   */
  onExit?(code: number, lastError: string | null): void;
  /** every stats message (sent by the thread on its own schedule, or the answer to `stats()`) */
  onStats?(stats: OrdersStatsReply): void;
}

export function startOrdersWorker(init: OrdersWorkerInit, hooks: OrdersThreadHooks = {}): OrdersThread {
  const worker = new Worker(workerModuleUrl(import.meta.url, "./orders-worker"), { workerData: init });
  let lastError: string | null = null;
  let stopRequested = false;
  type Waiter = { resolve: (r: OrdersWorkerReply) => void; reject: (e: Error) => void };
  const waiters = new Map<OrdersWorkerReply["type"], Waiter[]>();
  let exited = false;
  const waitFor = <T extends OrdersWorkerReply["type"]>(type: T) =>
    new Promise<Extract<OrdersWorkerReply, { type: T }>>((resolve, reject) => {
      if (exited) return reject(new Error("orders worker has exited"));
      const list = waiters.get(type) ?? [];
      list.push({ resolve: resolve as (r: OrdersWorkerReply) => void, reject });
      waiters.set(type, list);
    });
  let isReady = false;
  worker.once("exit", (code) => {
    // nobody waits forever on a thread that is gone
    exited = true;
    for (const list of waiters.values())
      for (const w of list.splice(0)) w.reject(new Error("orders worker has exited"));
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
    worker.on("message", (r: OrdersWorkerReply) => {
      if (r.type === "ready") {
        isReady = true;
        resolve();
      } else if (r.type === "error") {
        lastError = r.message;
        if (!isReady) reject(new Error(`orders worker: ${r.message}`));
        else hooks.onError?.(r.message);
      } else if (r.type === "stats") hooks.onStats?.(r);
      const list = waiters.get(r.type);
      if (list !== undefined && list.length > 0) list.shift()!.resolve(r);
    });
  });
  const send = (cmd: OrdersWorkerCommand) => worker.postMessage(cmd);
  return {
    worker,
    ready,
    get exited() {
      return exited;
    },
    kill: async () => {
      const reply = waitFor("killed");
      send({ type: "kill", engaged: true });
      return (await reply).cancels;
    },
    release: () => send({ type: "kill", engaged: false }),
    addMarkets: (markets) => send({ type: "markets", markets }),
    stats: () => {
      const reply = waitFor("stats");
      send({ type: "stats" });
      return reply;
    },
    reconcile: async () => {
      const reply = waitFor("reconciled");
      send({ type: "reconcile" });
      const r = await reply;
      if (r.report === null) throw new Error(`reconciliation pass failed: ${r.error}`);
      return r.report;
    },
    stop: async () => {
      stopRequested = true;
      if (exited) return;
      const stopped = waitFor("stopped");
      send({ type: "stop" });
      await stopped;
      await worker.terminate();
    },
  };
}

/**
 * Runs a fuzz worker and watches its progress word: a worker that stops advancing for `stallMs`
 * is terminated and the frame it was on is named (tests and `make fuzz` only).
 */
import type { Worker } from "node:worker_threads";

export interface StallWatchOptions {
  worker: Worker;
  /** Int32 words the worker advances before every input */
  progress: Int32Array;
  stallMs: number;
  /** what the stalled input was, from the progress words */
  describe(progress: Int32Array): string;
}

export function watchWorker<T>(o: StallWatchOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    let last = "";
    let lastChange = Date.now();
    const watch = setInterval(() => {
      const now = o.progress.join(",");
      if (now !== last) {
        last = now;
        lastChange = Date.now();
        return;
      }
      if (Date.now() - lastChange < o.stallMs) return;
      clearInterval(watch);
      const what = o.describe(o.progress);
      void o.worker.terminate();
      reject(new Error(`${what} did not return within ${o.stallMs} ms`));
    }, 1000);
    o.worker.once("message", (result: T) => {
      clearInterval(watch);
      void o.worker.terminate();
      resolve(result);
    });
    o.worker.once("error", (err) => {
      clearInterval(watch);
      reject(err);
    });
  });
}

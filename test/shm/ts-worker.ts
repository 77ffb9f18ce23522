/**
 * Starts a worker_thread on a module URL from a test. Under Node 20 a worker does not run the
 * parent's `--import tsx` (the loader hooks are not re-registered in the worker), so a `.ts` entry
 * fails with "Unknown file extension". For `.ts` entries this boots the worker through a tiny
 * eval module that registers tsx first; compiled `.js` entries start directly.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

export function startModuleWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * Resolves once `cond()` holds, checking every few ms; rejects after `limitMs`. For waiting on a
 * worker's state (its boot takes seconds on a loaded machine): bounded by time, not by a count of
 * event-loop turns, which a busy machine runs through before the worker is up.
 */
export async function until(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

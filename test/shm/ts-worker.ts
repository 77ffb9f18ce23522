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

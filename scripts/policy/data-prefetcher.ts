/**
 * Runs `data-worker.ts` and hands out observation rows by seed: `request` starts a generation in
 * the worker, `take` awaits it. The trainer requests epoch e + 1 before training epoch e.
 */
import { Worker } from "node:worker_threads";
import { workerModuleUrl } from "../../src/runtime/module-file.js";
import type { DataReply, DataRequest } from "./data-worker.js";
import type { ObservationSource } from "./observation-sources.js";

export class DataPrefetcher {
  private readonly worker = new Worker(workerModuleUrl(import.meta.url, "./data-worker"));
  private readonly pending = new Map<
    number,
    { resolve: (x: Float32Array) => void; reject: (e: Error) => void }
  >();
  private readonly results = new Map<number, Promise<Float32Array>>();
  private nextId = 0;

  constructor(
    private readonly source: ObservationSource,
    private readonly rows: number,
  ) {
    this.worker.on("message", (reply: DataReply) => {
      this.pending.get(reply.id)?.resolve(reply.x);
      this.pending.delete(reply.id);
    });
    this.worker.on("error", (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Starts generating the rows of `seed` (idempotent per seed). */
  request(seed: number): void {
    if (this.results.has(seed)) return;
    const id = this.nextId++;
    const promise = new Promise<Float32Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.results.set(seed, promise);
    const req: DataRequest = { id, source: this.source, seed, rows: this.rows };
    this.worker.postMessage(req);
  }

  /** The rows of `seed` (requesting them first if needed). */
  async take(seed: number): Promise<Float32Array> {
    this.request(seed);
    const x = await this.results.get(seed)!;
    this.results.delete(seed);
    return x;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

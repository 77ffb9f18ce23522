/**
 * DecisionDispatcher — io's side of the decision pipeline: a dirty set with conflation and a
 * piscina pool of decide workers (ARCHITECTURE.md; lessons.md rules 19 and 24).
 *
 * - Every applied book update marks its market dirty (`markDirty`); a market is queued at most
 *   once, so updates arriving faster than decisions coalesce into one decision on the newest book.
 * - At most one decision per market is in flight. A market that changes while in flight is decided
 *   again, on its newest book, when the running task returns.
 * - Dispatch runs in a microtask after the frames of one socket read, so a burst becomes one batch
 *   of up to `batchSize` markets; `maxInFlight` tasks bound the work queued in the pool.
 * - io never waits: `markDirty` is O(1) and dispatching is `pool.run` (async).
 * Each worker gets its own DecisionRing (single producer); the orders thread drains them all.
 */
import { Piscina } from "piscina";
import type { BookTableShared } from "../book/book-table.js";
import type { TemporalTableShared } from "../book/temporal-table.js";
import type { PortfolioTableShared } from "../orders/portfolio-table.js";
import type { PolicyConfig } from "../policy/create-policy.js";
import { workerModuleUrl } from "../runtime/module-file.js";
import type { DoorbellShared } from "../shm/doorbell.js";
import type { SpscRing } from "../shm/spsc-ring.js";
import type { DecideTaskResult, DecideWorkerData } from "./decide-worker.js";
import { createDecisionRing } from "./decision-ring.js";
import { TaskSlots } from "./task-slots.js";

export interface DispatcherOptions {
  capacity: number;
  threads: number;
  batchSize: number;
  /** tasks in flight at once (default 2 × threads) */
  maxInFlight?: number;
  policy: PolicyConfig;
  loopBudgetMs: number;
  /** how often workers ship histograms (default 500 ms) */
  statsIntervalMs?: number;
  ringCapacity?: number;
  /** rings the orders thread's doorbell when a decision is committed */
  doorbell?: DoorbellShared;
}

export interface DispatcherTables {
  book: BookTableShared;
  temporal: TemporalTableShared;
  portfolio: PortfolioTableShared;
}

export interface DispatcherHooks {
  onResult?(result: DecideTaskResult, rows: number): void;
  onError?(error: Error): void;
}

export class DispatcherStats {
  tasks = 0;
  rows = 0;
  /** dirty marks absorbed by a market already queued or in flight */
  conflated = 0;
  taskErrors = 0;
}

export class DecisionDispatcher {
  readonly stats = new DispatcherStats();
  /** one DecisionRing per decide worker, consumed by the orders thread */
  readonly rings: SpscRing[];
  private readonly pool: Piscina<{ slot: number }, DecideTaskResult>;
  private readonly slots: TaskSlots;
  private readonly freeSlots: number[];
  private readonly queued: Uint8Array;
  private readonly inFlight: Uint8Array;
  private readonly again: Uint8Array;
  private readonly dirtySinceMs: Float64Array;
  private readonly queue: Int32Array;
  private qHead = 0;
  private qLen = 0;
  private scheduled = false;
  private closed = false;
  private paused = false;
  private readonly batchSize: number;
  private readonly flushBound = () => this.flush();

  constructor(
    tables: DispatcherTables,
    private readonly options: DispatcherOptions,
    private readonly hooks: DispatcherHooks = {},
  ) {
    const { capacity, threads, batchSize } = options;
    const maxInFlight = options.maxInFlight ?? threads * 2;
    this.batchSize = batchSize;
    this.rings = Array.from({ length: threads }, () =>
      createDecisionRing(options.ringCapacity ?? 4096, options.doorbell),
    );
    this.slots = TaskSlots.create(maxInFlight, batchSize);
    this.freeSlots = Array.from({ length: maxInFlight }, (_, i) => maxInFlight - 1 - i);
    this.queued = new Uint8Array(capacity);
    this.inFlight = new Uint8Array(capacity);
    this.again = new Uint8Array(capacity);
    this.dirtySinceMs = new Float64Array(capacity);
    this.queue = new Int32Array(capacity);
    const workerData: DecideWorkerData = {
      ...tables,
      rings: this.rings.map((r) => r.shared),
      ringClaim: new SharedArrayBuffer(4),
      slots: this.slots.shared,
      policy: options.policy,
      loopBudgetMs: options.loopBudgetMs,
      statsIntervalMs: options.statsIntervalMs ?? 500,
    };
    this.pool = new Piscina({
      filename: workerModuleUrl(import.meta.url, "./decide-worker").href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      workerData,
    });
    this.pool.on("error", (err: Error) => this.hooks.onError?.(err));
  }

  /** Tasks currently running or queued in the pool. */
  get inFlightTasks(): number {
    return this.slots.slots - this.freeSlots.length;
  }

  /** Markets waiting for a decision (not yet dispatched). */
  get backlog(): number {
    return this.qLen;
  }

  /** io, after every applied update of m. `recvMs` = receive stamp (clock.ts) of the frame. */
  markDirty(m: number, recvMs: number): void {
    if (this.dirtySinceMs[m] === 0) this.dirtySinceMs[m] = recvMs;
    if (this.inFlight[m] === 1) {
      this.again[m] = 1;
      this.stats.conflated++;
      return;
    }
    if (this.queued[m] === 1) {
      this.stats.conflated++;
      return;
    }
    this.enqueue(m);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  /** Resolves when every worker has loaded its policy (surfaces model errors at start). */
  async ready(): Promise<void> {
    // piscina starts workers eagerly (minThreads); one empty task per worker proves them alive.
    const slot = this.freeSlots.pop();
    if (slot === undefined) return;
    this.slots.publish(slot, 0);
    try {
      await Promise.all(Array.from({ length: this.options.threads }, () => this.pool.run({ slot })));
    } finally {
      this.freeSlots.push(slot);
    }
  }

  /** Paused: books and the dirty set stay current, nothing is dispatched until resumed. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused && this.qLen > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool.destroy();
  }

  private enqueue(m: number): void {
    const cap = this.queue.length;
    this.queue[(this.qHead + this.qLen) % cap] = m;
    this.qLen++;
    this.queued[m] = 1;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed || this.paused) return;
    const cap = this.queue.length;
    while (this.qLen > 0 && this.freeSlots.length > 0) {
      const slot = this.freeSlots.pop() as number;
      const base = slot * this.slots.rowsPerSlot;
      const rows = Math.min(this.qLen, this.batchSize);
      for (let k = 0; k < rows; k++) {
        const m = this.queue[this.qHead];
        this.qHead = (this.qHead + 1) % cap;
        this.queued[m] = 0;
        this.inFlight[m] = 1;
        this.slots.market[base + k] = m;
        this.slots.recvMs[base + k] = this.dirtySinceMs[m];
        this.dirtySinceMs[m] = 0;
      }
      this.qLen -= rows;
      this.slots.publish(slot, rows);
      this.stats.tasks++;
      this.stats.rows += rows;
      this.pool.run({ slot }).then(
        (result) => this.done(slot, rows, result),
        (err: Error) => {
          this.stats.taskErrors++;
          this.hooks.onError?.(err);
          this.done(slot, rows, null);
        },
      );
    }
  }

  private done(slot: number, rows: number, result: DecideTaskResult | null): void {
    const base = slot * this.slots.rowsPerSlot;
    for (let k = 0; k < rows; k++) {
      const m = this.slots.market[base + k];
      this.inFlight[m] = 0;
      if (this.again[m] === 1) {
        this.again[m] = 0;
        if (this.queued[m] === 0) this.enqueue(m);
      }
    }
    this.freeSlots.push(slot);
    if (result) this.hooks.onResult?.(result, rows);
    if (this.qLen > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushBound);
    }
  }
}

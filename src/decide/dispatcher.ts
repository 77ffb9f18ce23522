/**
 * DecisionDispatcher — io's side of the decision pipeline (docs/architecture.md; correctness-rules.md rules 19
 * and 24): conflation state in shared memory (MarketStates), one queue of market ids per decide
 * worker, and the piscina pool that hosts the workers' loops.
 *
 * - Every applied book update calls `markDirty`; a market is queued at most once and at most one
 *   decision per market runs, so updates arriving faster than decisions coalesce into one decision
 *   on the newest book. An update during a running decision makes the same worker decide again.
 * - A market always goes to the same worker (m mod threads), whose queue is single-producer /
 *   single-consumer; the worker wakes on the queue (Atomics), so a decision starts microseconds
 *   after the frame, without a task message and without waiting for io's event loop.
 * - io never waits: `markDirty` is a compare-and-swap and, on the first dirty mark, one ring write.
 * Each worker has its own DecisionRing (single producer); the orders thread drains them all.
 *
 * Supervision: a worker loop that fails (its policy threw, its thread died) is started again —
 * piscina replaces a dead thread — after io, the only party left touching that worker's queue,
 * empties it and resets the worker's markets to IDLE; every market that was queued or being
 * decided is marked dirty again, so nothing waits forever on a loop that is gone. Each restart is
 * counted and reported. `maxRestarts` failures within `restartWindowMs` (a model that always
 * throws) trip the supervisor instead: no more restarts, and `onTripped` tells the engine, which
 * stops trading loudly.
 */
import { Piscina } from "piscina";
import type { BookTableShared } from "../book/book-table.js";
import type { TemporalTableShared } from "../book/temporal-table.js";
import type { PortfolioTableShared } from "../orders/accounts/portfolio-table.js";
import type { PolicyConfig } from "../policy/create-policy.js";
import type { FrameRingShared } from "../record/frame-ring.js";
import { nowMs } from "../runtime/clock.js";
import { workerModuleUrl } from "../runtime/module-file.js";
import type { DoorbellShared } from "../shm/doorbell.js";
import { SpscRing } from "../shm/spsc-ring.js";
import { Heartbeats, type HeartbeatsShared } from "../stats/heartbeats.js";
import type { DecideWorkerData, DecideWorkerStats } from "./decide-worker.js";
import { createDecisionRing } from "./decision-ring.js";
import {
  CONTROL_INJECT_FAULTS,
  CONTROL_PAUSED,
  CONTROL_STARTED,
  CONTROL_STOP,
  MarketStates,
} from "./market-states.js";

export interface DispatcherOptions {
  capacity: number;
  threads: number;
  batchSize: number;
  policy: PolicyConfig;
  loopBudgetMs: number;
  /** how often workers report their histograms and busy/idle time (default 500 ms) */
  statsIntervalMs?: number;
  ringCapacity?: number;
  /** rings the orders thread's doorbell when a decision is committed */
  doorbell?: DoorbellShared;
  /** the workers' heartbeat slots (stats/heartbeats.ts; default: a table of the dispatcher's own) */
  heartbeats?: HeartbeatsShared;
  /** loop failures within `restartWindowMs` that trip the supervisor (default 3 in 60 s) */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** recording: one decision-log ring per worker (record/decision-log.ts) */
  decisionLogs?: FrameRingShared[];
  /** the engine's shared counters, with a lane per worker (engine-metrics.ts `decideLane`) */
  counters?: SharedArrayBuffer;
}

export interface DispatcherTables {
  book: BookTableShared;
  temporal: TemporalTableShared;
  portfolio: PortfolioTableShared;
}

export interface DispatcherHooks {
  onStats?(stats: DecideWorkerStats): void;
  onError?(error: Error): void;
  /** a failed worker loop was started again (its markets reset and queued again) */
  onRestart?(worker: number, error: Error, requeued: number): void;
  /** too many loop failures: no more restarts; decisions have stopped until the engine restarts */
  onTripped?(reason: string): void;
}

export class DispatcherStats {
  /** markets handed to a worker queue */
  queued = 0;
  /** dirty marks absorbed by a market already queued or running */
  conflated = 0;
  /** a worker queue refused a market (cannot happen while queues hold every market; counted) */
  queueFull = 0;
  /** summed over workers: time deciding batches, and asleep waiting for work */
  workerBusyMs = 0;
  workerIdleMs = 0;
  /** worker loops started again after a failure */
  restarts = 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

export class DecisionDispatcher {
  readonly stats = new DispatcherStats();
  /** one DecisionRing per decide worker, consumed by the orders thread */
  readonly rings: SpscRing[];
  /** io's producer view of each worker's queue (replaced after the worker's loop failed) */
  private readonly queues: SpscRing[];
  private readonly states: MarketStates;
  private readonly pool: Piscina<{ worker: number }, number>;
  private readonly loops: Promise<number>[] = [];
  private readonly threads: number;
  private failure: Error | null = null;
  private started = false;
  private closing = false;
  private readonly failuresMs: number[] = [];
  /** why the supervisor stopped restarting workers, or null */
  tripped: string | null = null;

  constructor(
    tables: DispatcherTables,
    private readonly options: DispatcherOptions,
    private readonly hooks: DispatcherHooks = {},
  ) {
    const { capacity, threads } = options;
    this.threads = threads;
    this.states = MarketStates.create(capacity);
    // Each market is in at most one queue at most once, so a queue of `capacity` never fills.
    const queueCapacity = nextPowerOfTwo(capacity);
    this.queues = Array.from({ length: threads }, () =>
      SpscRing.create({ recordWords: 1, capacity: queueCapacity }),
    );
    this.rings = Array.from({ length: threads }, () =>
      createDecisionRing(options.ringCapacity ?? 4096, options.doorbell),
    );
    const workerData: DecideWorkerData = {
      ...tables,
      states: this.states.shared,
      queues: this.queues.map((q) => q.shared),
      rings: this.rings.map((r) => r.shared),
      policy: options.policy,
      batchSize: options.batchSize,
      loopBudgetMs: options.loopBudgetMs,
      statsIntervalMs: options.statsIntervalMs ?? 500,
      heartbeats: options.heartbeats ?? Heartbeats.create(threads).shared,
      ...(options.decisionLogs ? { decisionLogs: options.decisionLogs } : {}),
      ...(options.counters ? { counters: options.counters } : {}),
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
    this.pool.on("message", (msg: DecideWorkerStats) => {
      if (msg?.type !== "decide-stats") return;
      this.stats.workerBusyMs += msg.busyMs;
      this.stats.workerIdleMs += msg.idleMs;
      this.hooks.onStats?.(msg);
    });
    for (let w = 0; w < threads; w++) this.startLoop(w);
  }

  private startLoop(w: number): void {
    const loop = this.pool.run({ worker: w });
    loop.catch((err: Error) => this.loopFailed(w, err));
    this.loops[w] = loop;
  }

  private loopFailed(w: number, err: Error): void {
    this.hooks.onError?.(err);
    // before ready() a failure is a startup error (a model that does not load): no restart
    if (!this.started) this.failure ??= err;
    if (!this.started || this.closing || this.tripped !== null) return;
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    this.failuresMs.push(now);
    while (this.failuresMs.length > 0 && now - this.failuresMs[0]! > window) this.failuresMs.shift();
    const max = this.options.maxRestarts ?? 3;
    if (this.failuresMs.length >= max) {
      this.tripped = `decide worker loop failed ${this.failuresMs.length} times within ${window} ms (last: ${err.message})`;
      this.hooks.onTripped?.(this.tripped);
      return;
    }
    const requeued = this.resetWorker(w);
    this.stats.restarts++;
    this.startLoop(w);
    this.hooks.onRestart?.(w, err, requeued);
  }

  /**
   * Worker w's loop is gone, so io is the only thread touching its queue: empty it, reset its
   * markets to IDLE, and mark every one that was queued or being decided dirty again (on a fresh
   * stamp, so the loop budget does not count the time lost). Returns how many were requeued.
   */
  private resetWorker(w: number): number {
    const queue = SpscRing.attach(this.queues[w]!.shared);
    while (queue.peek() >= 0) queue.release();
    const lost: number[] = [];
    for (let m = w; m < this.options.capacity; m += this.threads) if (this.states.reset(m)) lost.push(m);
    // a fresh producer view: its cached head must see the slots just released
    this.queues[w] = SpscRing.attach(this.queues[w]!.shared);
    const stamp = nowMs();
    for (const m of lost) this.markDirty(m, stamp);
    return lost.length;
  }

  /** Fault injection (tests, soak): the next `count` batches fail their worker's loop. */
  injectFaults(count: number): void {
    Atomics.add(this.states.control, CONTROL_INJECT_FAULTS, count);
  }

  /** Resolves when every worker has loaded its policy and started; rejects with a load error. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.states.control, CONTROL_STARTED) < this.threads) {
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error("decide workers did not start in time");
      await new Promise((r) => setTimeout(r, 5));
    }
    this.started = true;
  }

  /** Markets queued and not yet taken by a worker. */
  get backlog(): number {
    let n = 0;
    for (const q of this.queues) n += q.depth();
    return n;
  }

  /** True when market m is neither queued nor being decided. */
  isIdle(m: number): boolean {
    return this.states.isIdle(m);
  }

  /** True when no market is queued or being decided (scans every market; for tests and benches). */
  idle(): boolean {
    for (let m = 0; m < this.options.capacity; m++) if (!this.states.isIdle(m)) return false;
    return true;
  }

  /**
   * Receive stamp (clock.ts) of the frame io is applying; io sets `frameStamp[0]` once per frame
   * and `markDirtyNow` reads it, so no epoch-ms double is passed per update.
   */
  readonly frameStamp = new Float64Array(1);

  /** io, after every applied update of m. `recvMs` = receive stamp (clock.ts) of the frame. */
  markDirty(m: number, recvMs: number): void {
    this.frameStamp[0] = recvMs;
    this.markDirtyNow(m);
  }

  /** io's hot path: `markDirty` with the stamp in `frameStamp[0]`. */
  markDirtyNow(m: number): void {
    if (!this.states.markDirtyStamped(m, this.frameStamp)) {
      this.stats.conflated++;
      return;
    }
    const q = this.queues[m % this.threads];
    const slot = q.tryClaim();
    if (slot < 0) {
      this.stats.queueFull++;
      return;
    }
    q.i32[slot * 2] = m;
    q.commit();
    this.stats.queued++;
  }

  /** Paused: books and conflation stay current, workers decide nothing until resumed. */
  setPaused(paused: boolean): void {
    Atomics.store(this.states.control, CONTROL_PAUSED, paused ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closing = true;
    Atomics.store(this.states.control, CONTROL_STOP, 1);
    await Promise.allSettled(this.loops);
    await this.pool.destroy();
  }
}

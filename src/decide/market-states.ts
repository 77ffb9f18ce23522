/**
 * MarketStates — the decision state of every market, shared by io and the decide workers. It
 * carries conflation (correctness-rules.md rule 19): a market is queued at most once, and at most one
 * decision per market is running; an update that lands while its decision runs is decided again,
 * on the newest book, by the same worker, right after.
 *
 * Layout (one SharedArrayBuffer, capacity C):
 *   Int32   state[C]         IDLE 0 · QUEUED 1 · RUNNING 2 · RUNNING_DIRTY 3   (Atomics only)
 *   Float64 dirtySinceMs[C]  receive stamp (clock.ts) of the oldest frame not yet decided
 *   Int32   control[16]      [0] stop, [1] paused, [2] worker loops started,
 *                            [3] decide faults still to inject (tests, soak) (Atomics only)
 *
 * Transitions and their only writer:
 *   io      IDLE → QUEUED (then pushes m to its worker's queue)   RUNNING → RUNNING_DIRTY
 *   worker  QUEUED → RUNNING   RUNNING → IDLE   RUNNING_DIRTY → RUNNING (decide again)
 * io writes `dirtySinceMs[m]` just before its CAS that makes the state QUEUED or RUNNING_DIRTY; the
 * worker reads it after observing that state through an Atomics operation, so the stamp it reads
 * is the one published with the transition (Atomics are sequentially consistent).
 */
export const IDLE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const RUNNING_DIRTY = 3;

const CONTROL_WORDS = 16;
export const CONTROL_STOP = 0;
export const CONTROL_PAUSED = 1;
export const CONTROL_STARTED = 2;
/** a worker that finds this above 0 takes one and fails its loop (fault injection: tests, soak) */
export const CONTROL_INJECT_FAULTS = 3;

export interface MarketStatesShared {
  sab: SharedArrayBuffer;
  capacity: number;
}

export class MarketStates {
  readonly shared: MarketStatesShared;
  readonly state: Int32Array;
  readonly dirtySinceMs: Float64Array;
  readonly control: Int32Array;

  static create(capacity: number): MarketStates {
    const stateBytes = ((capacity * 4 + 7) >> 3) << 3;
    const sab = new SharedArrayBuffer(stateBytes + capacity * 8 + CONTROL_WORDS * 4);
    return new MarketStates({ sab, capacity });
  }

  static attach(shared: MarketStatesShared): MarketStates {
    return new MarketStates(shared);
  }

  private constructor(shared: MarketStatesShared) {
    this.shared = shared;
    const c = shared.capacity;
    const stateBytes = ((c * 4 + 7) >> 3) << 3;
    this.state = new Int32Array(shared.sab, 0, c);
    this.dirtySinceMs = new Float64Array(shared.sab, stateBytes, c);
    this.control = new Int32Array(shared.sab, stateBytes + c * 8, CONTROL_WORDS);
  }

  /**
   * io: records an update of m received at `recvMs`. Returns true when m must be pushed to its
   * worker's queue (it went IDLE → QUEUED); false when the update is conflated into a queued or
   * running decision.
   */
  markDirty(m: number, recvMs: number): boolean {
    this.stampIn[0] = recvMs;
    return this.markDirtyStamped(m, this.stampIn);
  }

  private readonly stampIn = new Float64Array(1);

  /** `markDirty` with the stamp in `stamp[0]` (io's hot path: no double argument to box). */
  markDirtyStamped(m: number, stamp: Float64Array): boolean {
    const recvMs = stamp[0];
    const s = this.state;
    for (;;) {
      const cur = Atomics.load(s, m);
      if (cur === QUEUED || cur === RUNNING_DIRTY) return false;
      this.dirtySinceMs[m] = recvMs;
      if (cur === IDLE) {
        if (Atomics.compareExchange(s, m, IDLE, QUEUED) === IDLE) return true;
      } else if (Atomics.compareExchange(s, m, RUNNING, RUNNING_DIRTY) === RUNNING) return false;
    }
  }

  /** worker: takes a queued market; returns the receive stamp of its oldest undecided frame. */
  start(m: number): number {
    Atomics.store(this.state, m, RUNNING);
    return this.dirtySinceMs[m];
  }

  /**
   * worker: a decision of m finished. Returns the receive stamp of the update that arrived while
   * it ran (m stays RUNNING and must be decided again), or 0 when m is now IDLE.
   */
  finish(m: number): number {
    const s = this.state;
    for (;;) {
      if (Atomics.compareExchange(s, m, RUNNING, IDLE) === RUNNING) return 0;
      if (Atomics.compareExchange(s, m, RUNNING_DIRTY, RUNNING) === RUNNING_DIRTY)
        return this.dirtySinceMs[m];
    }
  }

  /**
   * io, only while no worker loop serves m (its loop failed): forgets any queued or running
   * decision of m. Returns true when m was not idle, i.e. a decision of it was lost.
   */
  reset(m: number): boolean {
    return Atomics.exchange(this.state, m, IDLE) !== IDLE;
  }

  isIdle(m: number): boolean {
    return Atomics.load(this.state, m) === IDLE;
  }
}

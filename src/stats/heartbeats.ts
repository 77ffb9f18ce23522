/**
 * Heartbeats — each long-running thread stamps its slot on every turn of its loop; io's watchdog
 * reads the age of each stamp (a thread whose loop stopped turning — dead, stuck in a call that
 * never returns, or spinning — goes stale), shows it in /stats and /metrics, and /healthz
 * answers 503 while a thread is stale.
 *
 * Layout (one SharedArrayBuffer, Int32 words, Atomics only; slot s has ONE writer, its thread):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |  slot 0: orders thread — last turn, clock.ts ms mod 2^32      |
 *  4 |  slot 1: decide worker 0                                      |
 *    |  ...                                                          |
 *4·n |  slot n: decide worker n-1                                    |
 *    +---------------------------------------------------------------+
 *
 * A stamp is the integer millisecond of `nowMs()` wrapped to 32 bits: ages are computed with the
 * same wrap (`(now - stamp) | 0`), exact for any age below 24 days, and an Int32 store cannot be
 * torn the way a Float64 store may be. 0 means "never beat" (the thread has not started).
 */
import { nowMs } from "../runtime/clock.js";

export const HEARTBEAT_ORDERS = 0;

/** slot of decide worker w */
export function decideHeartbeatSlot(w: number): number {
  return 1 + w;
}

export interface HeartbeatsShared {
  sab: SharedArrayBuffer;
}

export class Heartbeats {
  readonly shared: HeartbeatsShared;
  private readonly words: Int32Array;

  private constructor(shared: HeartbeatsShared) {
    this.shared = { sab: shared.sab };
    this.words = new Int32Array(shared.sab);
  }

  /** one slot for the orders thread and one per decide worker */
  static create(decideThreads: number): Heartbeats {
    return new Heartbeats({ sab: new SharedArrayBuffer(4 * (1 + decideThreads)) });
  }

  static attach(shared: HeartbeatsShared): Heartbeats {
    return new Heartbeats(shared);
  }

  get slots(): number {
    return this.words.length;
  }

  /** the owner of `slot`, once per loop turn */
  beat(slot: number, atMs: number = nowMs()): void {
    // never store 0 (= never beat); a 1 ms error once every 49 days is harmless
    Atomics.store(this.words, slot, Math.floor(atMs) | 0 || 1);
  }

  /** milliseconds since the slot's last beat, or -1 when it never beat */
  ageMs(slot: number, atMs: number = nowMs()): number {
    const stamp = Atomics.load(this.words, slot);
    if (stamp === 0) return -1;
    return ((Math.floor(atMs) | 0) - stamp) | 0;
  }
}

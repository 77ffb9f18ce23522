/**
 * Doorbell — lets ONE consumer thread sleep on several SpscRings at once (e.g. the orders thread
 * draining one DecisionRing per decide worker plus the FillRing). `Atomics.wait` watches a single
 * address, so rings created with the same doorbell also ring it on commit, and the consumer waits
 * on the doorbell instead of on one ring.
 *
 * Layout (one small SharedArrayBuffer; Int32 words; written by any producer of the group and by
 * the one consumer):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |  rings: incremented by a producer that found the consumer asleep|
 *  4 |  ... padding to byte 64 ...                                  |
 *    +---------------------------------------------------------------+
 * 64 |  consumerWaiting: 1 while the consumer is (about to be) asleep |
 * 68 |  ... padding to byte 128 ...                                 |
 *    +---------------------------------------------------------------+
 *
 * Same protocol as a single ring (spsc-ring.ts): the consumer sets `consumerWaiting`, reads
 * `rings`, re-checks every ring, and only then waits on `rings`; a producer publishes its tail,
 * then pays for `Atomics.add` + `Atomics.notify` only if `consumerWaiting` is set, clearing it as
 * it does. With SC atomics either the producer sees the flag (and the wait returns, or never
 * sleeps because `rings` moved) or the consumer's re-check sees the new record. No wake-up is
 * lost, and a sleeping consumer is woken once however many commits follow before it runs.
 */
import { waitWhileEqual } from "./wait-async.js";

const RINGS = 0;
const CONSUMER_WAITING = 16;
const DOORBELL_BYTES = 128;

/** Structured-cloneable; pass it in `SpscRing.create({ …, doorbell })` for every ring of a group. */
export interface DoorbellShared {
  sab: SharedArrayBuffer;
}

/** Anything whose emptiness the consumer can re-check with a fresh load (an SpscRing). */
export interface DoorbellSource {
  available(): number;
}

export class Doorbell {
  readonly shared: DoorbellShared;
  private readonly words: Int32Array;

  private constructor(shared: DoorbellShared) {
    this.shared = { sab: shared.sab };
    this.words = new Int32Array(shared.sab, 0, DOORBELL_BYTES / 4);
  }

  static create(): Doorbell {
    return new Doorbell({ sab: new SharedArrayBuffer(DOORBELL_BYTES) });
  }

  static attach(shared: DoorbellShared): Doorbell {
    if (!(shared.sab instanceof SharedArrayBuffer) || shared.sab.byteLength !== DOORBELL_BYTES) {
      throw new TypeError("Doorbell.attach: not a doorbell SharedArrayBuffer");
    }
    return new Doorbell(shared);
  }

  /**
   * Producer side, after publishing: wakes the consumer only if it declared it is waiting, and
   * clears the flag as it does (`Atomics.exchange`, so of two producers racing to wake it one
   * notifies). Until the woken thread runs — tens of µs on a busy machine — further commits from
   * any ring of the group find the flag clear and publish without another futex wake: one wake-up
   * per consumer sleep, not one per commit.
   */
  ring(): void {
    const words = this.words;
    if (Atomics.load(words, CONSUMER_WAITING) !== 0 && Atomics.exchange(words, CONSUMER_WAITING, 0) !== 0) {
      Atomics.add(words, RINGS, 1);
      Atomics.notify(words, RINGS);
    }
  }

  /** True while the consumer has declared it is waiting (diagnostic, tests). */
  consumerWaiting(): boolean {
    return Atomics.load(this.words, CONSUMER_WAITING) !== 0;
  }

  /** Times a producer found the consumer asleep and woke it (diagnostic). */
  ringCount(): number {
    return Atomics.load(this.words, RINGS) >>> 0;
  }

  /** Blocking wait (worker threads) until any source has records; returns whether one has. */
  waitForAny(sources: readonly DoorbellSource[], timeoutMs: number): boolean {
    const seen = this.prepareWait(sources);
    if (seen === undefined) return true;
    Atomics.wait(this.words, RINGS, seen, timeoutMs);
    Atomics.store(this.words, CONSUMER_WAITING, 0);
    return anyAvailable(sources);
  }

  /** Event-loop wait (`Atomics.waitAsync`) until any source has records or `timeoutMs` passes. */
  async waitForAnyAsync(sources: readonly DoorbellSource[], timeoutMs: number): Promise<boolean> {
    const seen = this.prepareWait(sources);
    if (seen === undefined) return true;
    await waitWhileEqual(this.words, RINGS, seen, timeoutMs);
    Atomics.store(this.words, CONSUMER_WAITING, 0);
    return anyAvailable(sources);
  }

  private prepareWait(sources: readonly DoorbellSource[]): number | undefined {
    Atomics.store(this.words, CONSUMER_WAITING, 1);
    const seen = Atomics.load(this.words, RINGS);
    if (anyAvailable(sources)) {
      Atomics.store(this.words, CONSUMER_WAITING, 0);
      return undefined;
    }
    return seen;
  }
}

function anyAvailable(sources: readonly DoorbellSource[]): boolean {
  for (let i = 0; i < sources.length; i++) if (sources[i].available() > 0) return true;
  return false;
}

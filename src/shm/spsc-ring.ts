/**
 * SpscRing — a single-producer / single-consumer ring of fixed-size records in ONE
 * SharedArrayBuffer (DecisionRing, FillRing and EventRing are instances of it; their record
 * layouts live next to the code that owns each ring).
 *
 * RULE: exactly one producer thread and one consumer thread per ring. Each thread attaches its
 * own `SpscRing` view (`SpscRing.attach(ring.shared)`) and uses only its side of the API:
 * the producer `tryClaim`/`commit`, the consumer `peek`/`release`/`poll`/`waitFor*`. Any thread
 * may read the counters.
 *
 * Layout (Aeron-style; all offsets in bytes, header words are Int32, little-endian host order):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |  tail: records published (producer writes, Atomics.store)     |  producer
 *  4 |  ... padding to byte 64 ...                                   |  cache line
 *    +---------------------------------------------------------------+
 * 64 |  head: records released (consumer writes, Atomics.store)      |  consumer
 * 68 |  ... padding to byte 128 ...                                  |  cache line
 *    +---------------------------------------------------------------+
 *128 |  consumerWaiting: 1 while the consumer is (about to be) asleep |  notify line
 *132 |  ... padding to byte 192 ...                                  |
 *    +---------------------------------------------------------------+
 *192 |  magic 0x52494e47 ("RING")                                    |  cold line:
 *196 |  layoutVersion                                                |  constants
 *200 |  recordWords (8-byte words per record)                        |  and rarely
 *204 |  capacity (records, power of two)                             |  written
 *208 |  overflowCount: claims refused because the ring was full      |  counters
 *212 |  notifyCount: Atomics.notify calls made by the producer       |
 *216 |  droppedCount: records the consumer discarded (countDropped)  |
 *220 |  ... padding to byte 256 ...                                  |
 *    +---------------------------------------------------------------+
 *256 |  record 0: recordWords × 8 bytes                              |  data region,
 *    |  record 1                                                     |  viewed as f64
 *    |  ...                                                          |  and i32
 *    |  record capacity-1                                            |
 *    +---------------------------------------------------------------+
 *
 * `tail` and `head` live on separate 64-byte cache lines so the two threads do not false-share;
 * the notify word has a line of its own because the producer reads it on every commit and the
 * consumer only writes it when it goes to sleep. The counters are written only on slow paths
 * (full ring, wake-up, drop), so they sit on the cold line and never invalidate `tail`/`head`.
 *
 * Positions (`tail`, `head`) are free-running Int32 counters that wrap at 2^32; the number of
 * unread records is `(tail - head) | 0`, which is exact because capacity ≤ 2^30. A record's slot
 * is `(position & (capacity - 1)) * recordWords`, an index into `f64`; the same record's Int32
 * words start at `slot * 2` in `i32`.
 *
 * Memory ordering: the producer writes a record with plain typed-array stores and then publishes
 * it with `Atomics.store(tail)`; the consumer reads `tail` with `Atomics.load` before reading the
 * record. Atomics are sequentially consistent, so the store/load pair is a synchronizes-with
 * edge and every plain write before the publish happens-before every plain read after it. The
 * same argument with `head` protects a slot from being overwritten before it is released.
 *
 * Waiting: the consumer sets `consumerWaiting = 1`, re-reads `tail`, and only if still empty
 * calls `Atomics.wait(tail, seenTail)` (or `waitAsync`). The producer stores `tail` and then
 * loads `consumerWaiting`; only if it is set does it clear it (`Atomics.exchange`, so of two
 * racing clears one notifies) and pay for `Atomics.notify`. Both sides use SC atomics, so either
 * the producer sees the flag (and notifies; a wait that has not started yet returns "not-equal"
 * because `tail` moved) or the consumer's re-read sees the new `tail`. No wake-up is lost, a
 * sleeping consumer is woken once however many records follow before it runs, and the fast path
 * costs one extra plain-cost load.
 *
 * Several rings, one consumer: create them with a shared Doorbell (doorbell.ts) and wait with
 * `doorbell.waitForAny(rings, timeoutMs)`; `commit` then also rings the doorbell (same rule:
 * only when that consumer declared it is waiting).
 *
 * Full ring: `tryClaim` returns -1 and increments `overflowCount` in the SAB — never silent,
 * never overwriting unread data.
 */

import { Doorbell, type DoorbellShared } from "./doorbell.js";
import { waitWhileEqual } from "./wait-async.js";

const MAGIC = 0x52494e47;
const LAYOUT_VERSION = 1;

/** Int32 word indexes of the header fields (byte offset / 4). */
const TAIL = 0;
const HEAD = 16;
const CONSUMER_WAITING = 32;
const MAGIC_WORD = 48;
const LAYOUT_WORD = 49;
const RECORD_WORDS_WORD = 50;
const CAPACITY_WORD = 51;
const OVERFLOW = 52;
const NOTIFY_COUNT = 53;
const DROPPED = 54;

export const SPSC_RING_HEADER_BYTES = 256;
export const SPSC_RING_MAX_CAPACITY = 2 ** 30;

/** Structured-cloneable description of a ring: post it to a worker and `SpscRing.attach` it. */
export interface SpscRingShared {
  sab: SharedArrayBuffer;
  recordWords: number;
  capacity: number;
  /** set when the ring belongs to a group whose consumer waits on a Doorbell */
  doorbell?: DoorbellShared;
}

export interface SpscRingOptions {
  /** record size in 8-byte words (≥ 1) */
  recordWords: number;
  /** number of records, a power of two (2 .. 2^30) */
  capacity: number;
  /**
   * Optional: a Doorbell shared by several rings with the same consumer thread, which then waits
   * with `doorbell.waitForAny(rings)` instead of `ring.waitForRecords`. Commits also ring it.
   */
  doorbell?: DoorbellShared;
}

/** Consumer callback of `poll`: `slot` is the record's first index into `ring.f64`. */
export type SpscRecordHandler = (slot: number) => void;

export class SpscRing {
  /** Data region as 8-byte words: record fields at `f64[slot + k]`. */
  readonly f64: Float64Array;
  /** Same data region as 4-byte words: record Int32 fields at `i32[slot * 2 + k]`. */
  readonly i32: Int32Array;
  readonly recordWords: number;
  readonly capacity: number;
  readonly shared: SpscRingShared;

  private readonly header: Int32Array;
  private readonly mask: number;
  private readonly doorbell: Doorbell | null;
  // Producer-side private state (only meaningful in the producer thread's view).
  private claimPos: number;
  private headCache: number;
  // Consumer-side private state (only meaningful in the consumer thread's view).
  private readPos: number;
  private tailCache: number;

  private constructor(shared: SpscRingShared) {
    const { sab, recordWords, capacity, doorbell } = shared;
    this.shared =
      doorbell === undefined ? { sab, recordWords, capacity } : { sab, recordWords, capacity, doorbell };
    this.doorbell = doorbell === undefined ? null : Doorbell.attach(doorbell);
    this.recordWords = recordWords;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.header = new Int32Array(sab, 0, SPSC_RING_HEADER_BYTES / 4);
    this.f64 = new Float64Array(sab, SPSC_RING_HEADER_BYTES, capacity * recordWords);
    this.i32 = new Int32Array(sab, SPSC_RING_HEADER_BYTES, capacity * recordWords * 2);
    this.claimPos = Atomics.load(this.header, TAIL);
    this.headCache = Atomics.load(this.header, HEAD);
    this.readPos = this.headCache;
    this.tailCache = this.claimPos;
  }

  /** Allocates a new ring. Call once (usually in the thread that creates the workers). */
  static create(options: SpscRingOptions): SpscRing {
    const { recordWords, capacity } = options;
    if (!Number.isInteger(recordWords) || recordWords < 1 || recordWords > 1 << 20) {
      throw new RangeError(`recordWords must be an integer in 1..2^20, got ${recordWords}`);
    }
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > SPSC_RING_MAX_CAPACITY) {
      throw new RangeError(`capacity must be a power of two in 2..2^30, got ${capacity}`);
    }
    if ((capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`capacity must be a power of two, got ${capacity}`);
    }
    const bytes = SPSC_RING_HEADER_BYTES + capacity * recordWords * 8;
    const sab = new SharedArrayBuffer(bytes);
    const header = new Int32Array(sab, 0, SPSC_RING_HEADER_BYTES / 4);
    header[RECORD_WORDS_WORD] = recordWords;
    header[CAPACITY_WORD] = capacity;
    header[LAYOUT_WORD] = LAYOUT_VERSION;
    Atomics.store(header, MAGIC_WORD, MAGIC);
    return new SpscRing({ sab, recordWords, capacity, doorbell: options.doorbell });
  }

  /** Attaches to a ring created elsewhere (e.g. in another thread); validates the header. */
  static attach(shared: SpscRingShared): SpscRing {
    const { sab } = shared;
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < SPSC_RING_HEADER_BYTES) {
      throw new TypeError("SpscRing.attach: not a ring SharedArrayBuffer");
    }
    const header = new Int32Array(sab, 0, SPSC_RING_HEADER_BYTES / 4);
    if (Atomics.load(header, MAGIC_WORD) !== MAGIC || header[LAYOUT_WORD] !== LAYOUT_VERSION) {
      throw new TypeError("SpscRing.attach: bad magic or layout version");
    }
    const recordWords = header[RECORD_WORDS_WORD];
    const capacity = header[CAPACITY_WORD];
    if (recordWords !== shared.recordWords || capacity !== shared.capacity) {
      throw new TypeError(
        `SpscRing.attach: header says ${recordWords} words × ${capacity}, descriptor says ${shared.recordWords} × ${shared.capacity}`,
      );
    }
    if (sab.byteLength < SPSC_RING_HEADER_BYTES + capacity * recordWords * 8) {
      throw new TypeError("SpscRing.attach: buffer too small for its header");
    }
    return new SpscRing({ sab, recordWords, capacity, doorbell: shared.doorbell });
  }

  // ---------------------------------------------------------------- producer side

  /**
   * Claims the next free record and returns its slot (index of its first word in `f64`), or -1
   * when the ring is full (then `overflowCount` is incremented and nothing is written). Several
   * records may be claimed before one `commit` publishes them all.
   */
  tryClaim(): number {
    const pos = this.claimPos;
    if (((pos - this.headCache) | 0) >= this.capacity) {
      // Only re-read the consumer's line when our cached view says full: keeps the fast path
      // free of cross-core traffic.
      this.headCache = Atomics.load(this.header, HEAD);
      if (((pos - this.headCache) | 0) >= this.capacity) {
        Atomics.add(this.header, OVERFLOW, 1);
        return -1;
      }
    }
    this.claimPos = (pos + 1) | 0;
    return (pos & this.mask) * this.recordWords;
  }

  /**
   * Publishes every record claimed so far and wakes the consumer if it declared it is waiting.
   * The producer clears the flag as it wakes the consumer: until the woken thread runs (tens of
   * µs on a busy machine) further commits find it clear and publish without another futex wake —
   * one wake-up per sleep, not one per record.
   */
  commit(): void {
    const header = this.header;
    Atomics.store(header, TAIL, this.claimPos);
    if (Atomics.load(header, CONSUMER_WAITING) !== 0 && Atomics.exchange(header, CONSUMER_WAITING, 0) !== 0) {
      Atomics.notify(header, TAIL);
      Atomics.add(header, NOTIFY_COUNT, 1);
    }
    if (this.doorbell !== null) this.doorbell.ring();
  }

  /** Records claimed but not yet committed by this producer view. */
  claimedUncommitted(): number {
    return (this.claimPos - Atomics.load(this.header, TAIL)) | 0;
  }

  // ---------------------------------------------------------------- consumer side

  /** Slot of the oldest unread record, or -1 when the ring is empty. Does not consume it. */
  peek(): number {
    const pos = this.readPos;
    if (pos === this.tailCache) {
      this.tailCache = Atomics.load(this.header, TAIL);
      if (pos === this.tailCache) return -1;
    }
    return (pos & this.mask) * this.recordWords;
  }

  /** Frees the record returned by the last successful `peek` (its slot may be reused at once). */
  release(): void {
    if (this.readPos === this.tailCache && this.readPos === Atomics.load(this.header, TAIL)) {
      throw new RangeError("SpscRing.release: nothing to release");
    }
    this.readPos = (this.readPos + 1) | 0;
    Atomics.store(this.header, HEAD, this.readPos);
  }

  /**
   * Batch drain: calls `handler(slot)` for up to `maxRecords` unread records in order, then
   * releases them all with one `head` store. Returns how many were handled. If the handler
   * throws, the records before it and the one that threw are released (a poison record is not
   * redelivered) and the error propagates.
   */
  poll(handler: SpscRecordHandler, maxRecords: number = this.capacity): number {
    const start = this.readPos;
    let available = (this.tailCache - start) | 0;
    if (available === 0) {
      this.tailCache = Atomics.load(this.header, TAIL);
      available = (this.tailCache - start) | 0;
      if (available === 0) return 0;
    }
    const n = Math.min(available, maxRecords);
    const mask = this.mask;
    const recordWords = this.recordWords;
    let i = 0;
    try {
      for (; i < n; i++) handler(((start + i) & mask) * recordWords);
    } finally {
      const done = i < n ? i + 1 : n;
      this.readPos = (start + done) | 0;
      Atomics.store(this.header, HEAD, this.readPos);
    }
    return n;
  }

  /** Unread records as seen by the consumer (fresh load of `tail`). */
  available(): number {
    this.tailCache = Atomics.load(this.header, TAIL);
    return (this.tailCache - this.readPos) | 0;
  }

  /**
   * Blocks the calling thread (a worker; allowed on Node's main thread too, but io must not
   * use it) until a record is available or `timeoutMs` passes. Returns whether records are
   * available.
   */
  waitForRecords(timeoutMs: number): boolean {
    const seenTail = this.prepareWait();
    if (seenTail === undefined) return true;
    Atomics.wait(this.header, TAIL, seenTail, timeoutMs);
    Atomics.store(this.header, CONSUMER_WAITING, 0);
    return this.available() > 0;
  }

  /**
   * Event-loop friendly wait (`Atomics.waitAsync`): resolves true as soon as a record is
   * available, false after `timeoutMs` with the ring still empty. No busy spinning. At most one
   * wait (sync or async) at a time: the consumer is one thread with one waiting flag.
   */
  async waitForRecordsAsync(timeoutMs: number): Promise<boolean> {
    const seenTail = this.prepareWait();
    if (seenTail === undefined) return true;
    await waitWhileEqual(this.header, TAIL, seenTail, timeoutMs);
    Atomics.store(this.header, CONSUMER_WAITING, 0);
    return this.available() > 0;
  }

  /** Lets a consumer account for records it read but chose to discard (e.g. stale decisions). */
  countDropped(records = 1): void {
    Atomics.add(this.header, DROPPED, records);
  }

  // ---------------------------------------------------------------- counters (any thread)

  /** Claims refused because the ring was full (uint32, wraps). */
  overflowCount(): number {
    return Atomics.load(this.header, OVERFLOW) >>> 0;
  }

  /** Records discarded by the consumer through `countDropped` (uint32, wraps). */
  droppedCount(): number {
    return Atomics.load(this.header, DROPPED) >>> 0;
  }

  /** Times the producer called Atomics.notify (diagnostic: how often the consumer slept). */
  notifyCount(): number {
    return Atomics.load(this.header, NOTIFY_COUNT) >>> 0;
  }

  /** True while the consumer has declared it is waiting (or about to wait) for records. */
  consumerWaiting(): boolean {
    return Atomics.load(this.header, CONSUMER_WAITING) !== 0;
  }

  /** Records published so far (uint32, wraps). */
  publishedCount(): number {
    return Atomics.load(this.header, TAIL) >>> 0;
  }

  /** Records released so far (uint32, wraps). */
  releasedCount(): number {
    return Atomics.load(this.header, HEAD) >>> 0;
  }

  /** Published but not yet released records, from any thread. */
  depth(): number {
    return (Atomics.load(this.header, TAIL) - Atomics.load(this.header, HEAD)) | 0;
  }

  /** Declares the consumer waiting; returns the tail to wait on, or undefined if data arrived. */
  private prepareWait(): number | undefined {
    if (this.readPos !== this.tailCache) return undefined;
    Atomics.store(this.header, CONSUMER_WAITING, 1);
    const seenTail = Atomics.load(this.header, TAIL);
    if (seenTail !== this.readPos) {
      Atomics.store(this.header, CONSUMER_WAITING, 0);
      this.tailCache = seenTail;
      return undefined;
    }
    return seenTail;
  }
}

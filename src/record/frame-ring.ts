/**
 * FrameRing — io → recorder writer thread: variable-length byte records (raw frames, engine
 * events) with their receive time, in ONE SharedArrayBuffer. Unlike BytesRing (fixed-size slots),
 * records take only the bytes they need, so a rare 1 MB snapshot and a million 200-byte deltas
 * share one buffer. One producer thread (io), one consumer thread (the writer). This module owns
 * the layout.
 *
 * Layout (bytes; header words Int32, host order; capacity a power of two, multiple of 16):
 *
 *     0 +--------------------------------------------------------------+
 *       | writePos: bytes published (producer; free-running, wraps 2^32)|  producer line
 *    64 +--------------------------------------------------------------+
 *       | readPos: bytes released (consumer; free-running)             |  consumer line
 *   128 +--------------------------------------------------------------+
 *       | consumerWaiting: 1 while the writer is (about to be) asleep   |  notify line
 *   192 +--------------------------------------------------------------+
 *       | capacity | stopped (consumer sets: the writer has given up)   |  cold line
 *   256 +--------------------------------------------------------------+
 *       | data: capacity bytes of records                               |
 *       +--------------------------------------------------------------+
 *
 * Record (starts 16-byte aligned, length rounded up to 16):
 *   bytes 0..3   Int32    payload length n (PAD_TAG records: bytes to skip after the header)
 *   bytes 4..7   Int32    tag (RecordTag; PAD_TAG = -1 pads to the end of the data region)
 *   bytes 8..15  Float64  receive time, µs since the epoch (an integer)
 *   bytes 16..   payload (n bytes)
 * A record never wraps: when it does not fit before the end, a PAD record fills the rest and the
 * record starts at offset 0, so the consumer always gets one contiguous view. Records larger than
 * half the capacity are refused (`tooLarge`), never truncated.
 *
 * Ordering as in SpscRing: plain stores, then Atomics.store(writePos) publishes; the consumer
 * Atomics.load(writePos)s before reading. Positions are u32 counters; used = (w - r) >>> 0 is
 * exact because capacity ≤ 2^30.
 *
 * Waking the consumer: publishing a record never notifies (a futex wake per frame cost io more
 * than the whole parse + apply). The consumer sets consumerWaiting before a long sleep; the
 * producer sees it (`doorbellWanted`) and rings once per batch (`ringDoorbell`, FeedRecorder does
 * it once per io turn). A consumer that was busy a moment ago naps briefly without asking to be
 * woken, so a steady feed rings no doorbell at all. The wait re-checks writePos after setting the
 * flag, so no record is ever left unseen: at worst it waits for its timeout.
 */
const W_WRITE = 0;
const W_READ = 16;
const W_WAITING = 32;
const W_CAPACITY = 48;
const W_STOPPED = 49;
const HEADER_BYTES = 256;
const RECORD_HEADER = 16;
const PAD_TAG = -1;

/** Record tags: low 2 bits the kind; a feed frame's tag carries its connection number above. */
export const RecordTag = { feedFrame: 1, engineEvent: 2, decision: 3 } as const;

export function frameTag(connection: number): number {
  return RecordTag.feedFrame | (connection << 2);
}

export interface FrameRingShared {
  sab: SharedArrayBuffer;
}

const align16 = (n: number): number => (n + 15) & ~15;

export class FrameRing {
  readonly shared: FrameRingShared;
  readonly capacity: number;
  /** producer-side counts of refused records */
  full = 0;
  tooLarge = 0;
  /** producer-side count of doorbells rung (Atomics.notify calls) */
  doorbells = 0;
  /** producer: readPos as last loaded; reloaded only when it says the record does not fit */
  private readSeen = 0;
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly encoder = new TextEncoder();

  static create(capacityBytes: number): FrameRing {
    if (capacityBytes < 4096 || capacityBytes > 2 ** 30 || (capacityBytes & (capacityBytes - 1)) !== 0)
      throw new Error(`FrameRing capacity must be a power of two in [4 KiB, 1 GiB], got ${capacityBytes}`);
    const sab = new SharedArrayBuffer(HEADER_BYTES + capacityBytes);
    new Int32Array(sab, 0, HEADER_BYTES / 4)[W_CAPACITY] = capacityBytes;
    return new FrameRing({ sab });
  }

  static attach(shared: FrameRingShared): FrameRing {
    return new FrameRing(shared);
  }

  private constructor(shared: FrameRingShared) {
    this.shared = shared;
    this.header = new Int32Array(shared.sab, 0, HEADER_BYTES / 4);
    this.readSeen = Atomics.load(this.header, W_READ);
    this.capacity = this.header[W_CAPACITY];
    this.data = new Uint8Array(shared.sab, HEADER_BYTES, this.capacity);
    this.i32 = new Int32Array(shared.sab, HEADER_BYTES, this.capacity / 4);
    this.f64 = new Float64Array(shared.sab, HEADER_BYTES, this.capacity / 8);
  }

  /** True once the consumer gave up (write error): the producer stops copying. */
  get stopped(): boolean {
    return Atomics.load(this.header, W_STOPPED) !== 0;
  }

  /** Consumer: stop accepting records (after a write error or at close). */
  stop(): void {
    Atomics.store(this.header, W_STOPPED, 1);
  }

  /** Unread bytes (either side). */
  get usedBytes(): number {
    return (Atomics.load(this.header, W_WRITE) - Atomics.load(this.header, W_READ)) >>> 0;
  }

  /**
   * Producer: reserves room for `maxBytes` of payload and returns the payload's byte offset in
   * `data`, or -1 (full or too large; counted). Finish with `commit(length)`.
   */
  private reserve(maxBytes: number): number {
    const need = align16(RECORD_HEADER + maxBytes);
    if (need > this.capacity / 2) {
      this.tooLarge++;
      return -1;
    }
    const h = this.header;
    const write = h[W_WRITE]; // only this thread writes it
    const at = write & (this.capacity - 1);
    const tail = this.capacity - at;
    const room = need <= tail ? need : tail + need;
    // the cached readPos can only understate the free space: reload it (touching the consumer's
    // cache line) only when the record seems not to fit
    if (room > this.capacity - ((write - this.readSeen) >>> 0)) {
      this.readSeen = Atomics.load(h, W_READ);
      if (room > this.capacity - ((write - this.readSeen) >>> 0)) return this.refuseFull();
    }
    if (need <= tail) return at + RECORD_HEADER;
    this.i32[at >> 2] = tail - RECORD_HEADER;
    this.i32[(at >> 2) + 1] = PAD_TAG;
    Atomics.store(h, W_WRITE, (write + tail) | 0);
    return RECORD_HEADER;
  }

  private refuseFull(): number {
    this.full++;
    return -1;
  }

  private commit(payloadAt: number, length: number, tag: number, recvUs: number): void {
    const at = payloadAt - RECORD_HEADER;
    this.i32[at >> 2] = length;
    this.i32[(at >> 2) + 1] = tag;
    this.f64[(at >> 3) + 1] = recvUs;
    const h = this.header;
    Atomics.store(h, W_WRITE, (h[W_WRITE] + align16(RECORD_HEADER + length)) | 0);
  }

  /** Producer: true when the consumer sleeps until woken (ring the doorbell after this batch). */
  get doorbellWanted(): boolean {
    return Atomics.load(this.header, W_WAITING) !== 0;
  }

  /** Producer: wakes the consumer if it sleeps; call once per batch of records, not per record. */
  ringDoorbell(): void {
    if (Atomics.load(this.header, W_WAITING) === 0) return;
    this.doorbells++;
    Atomics.notify(this.header, W_WRITE);
  }

  /** Producer: copies `bytes`; false when refused (full / too large, counted) or stopped. */
  tryWrite(tag: number, recvUs: number, bytes: Uint8Array): boolean {
    if (this.stopped) return false;
    const p = this.reserve(bytes.length);
    if (p < 0) return false;
    this.data.set(bytes, p);
    this.commit(p, bytes.length, tag, recvUs);
    return true;
  }

  /** Producer: writes a string as UTF-8 straight into the ring (no intermediate buffer). */
  tryWriteText(tag: number, recvUs: number, text: string): boolean {
    if (this.stopped) return false;
    const maxBytes = text.length * 3;
    const p = this.reserve(maxBytes);
    if (p < 0) return false;
    const { written } = this.encoder.encodeInto(text, this.data.subarray(p, p + maxBytes));
    this.commit(p, written, tag, recvUs);
    return true;
  }

  /**
   * Consumer: hands every published record to `handler` (the view is valid only during the call),
   * then releases them; returns how many were read.
   */
  drain(handler: (tag: number, recvUs: number, bytes: Uint8Array) => void): number {
    const h = this.header;
    const write = Atomics.load(h, W_WRITE);
    let read = h[W_READ];
    let n = 0;
    while (read !== write) {
      const at = read & (this.capacity - 1);
      const length = this.i32[at >> 2];
      const tag = this.i32[(at >> 2) + 1];
      if (tag !== PAD_TAG) {
        const p = at + RECORD_HEADER;
        handler(tag, this.f64[(at >> 3) + 1], this.data.subarray(p, p + length));
        n++;
      }
      read = (read + align16(RECORD_HEADER + length)) | 0;
    }
    Atomics.store(h, W_READ, read);
    return n;
  }

  /** Any thread: wakes a sleeping consumer (e.g. to make it see a close request). */
  wake(): void {
    Atomics.notify(this.header, W_WRITE);
  }

  /**
   * Consumer (a worker thread, may block): sleeps until the producer rings the doorbell after
   * publishing, or `timeoutMs`.
   */
  waitForRecords(timeoutMs: number): void {
    const h = this.header;
    const seen = Atomics.load(h, W_WRITE);
    if (seen !== Atomics.load(h, W_READ)) return;
    Atomics.store(h, W_WAITING, 1);
    if (Atomics.load(h, W_WRITE) === seen) Atomics.wait(h, W_WRITE, seen, timeoutMs);
    Atomics.store(h, W_WAITING, 0);
  }

  /**
   * Consumer: sleeps `ms` without asking to be woken (the producer rings no doorbell for it) —
   * for a consumer that expects more records any moment.
   */
  nap(ms: number): void {
    const h = this.header;
    const seen = Atomics.load(h, W_WRITE);
    if (seen !== Atomics.load(h, W_READ)) return;
    Atomics.wait(h, W_WRITE, seen, ms);
  }
}

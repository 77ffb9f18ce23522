/**
 * FrameRing — io → recorder writer thread: variable-length byte records (raw frames, engine
 * events) with their receive time, in ONE SharedArrayBuffer. Unlike BytesRing (fixed-size slots),
 * records take only the bytes they need, so a rare 1 MB snapshot and a million 200-byte deltas
 * share one buffer. One producer thread (io), one consumer thread (the writer). This module owns
 * the layout.
 *
 * Two regions, one stream. A small HOT region (default 1 MiB: it stays in io's cache as io
 * cycles through it) and a big OVERFLOW region (the room a stalled writer has, 64 MiB for the
 * feed). The producer puts a record in the hot region whenever it fits there, else in the
 * overflow region, else refuses it (counted): the room is always hot + overflow, never less than
 * the overflow region alone. Every accepted record carries a sequence number; the consumer takes
 * records in sequence order from the heads of both regions, so the stream it reads is exactly
 * the order io wrote, whichever region each record went to. While the writer keeps up, every
 * record goes to the hot region and io's copy lands in cache lines it wrote a moment ago (a copy
 * into cold memory cost io more than the parse of the frame it copied).
 *
 * Layout (bytes; header words Int32, host order; region capacities powers of two):
 *
 *     0 +--------------------------------------------------------------+
 *       | hotWrite | overflowWrite (bytes published, free-running u32) |  producer line
 *       | nextSeq (sequence number of the next record to publish)       |
 *    64 +--------------------------------------------------------------+
 *       | hotRead | overflowRead (bytes released) | readSeq (next to read)|  consumer line
 *   128 +--------------------------------------------------------------+
 *       | bell: doorbells rung (producer adds 1, then notifies)          |  bell line
 *   192 +--------------------------------------------------------------+
 *       | consumerWaiting: 1 while the writer is (about to be) asleep   |  waiting line
 *   256 +--------------------------------------------------------------+
 *       | hotCapacity | overflowCapacity | stopped (consumer sets)      |  cold line
 *   320 +--------------------------------------------------------------+
 *       | hot region: hotCapacity bytes of records                      |
 *       +--------------------------------------------------------------+
 *       | overflow region: overflowCapacity bytes of records            |
 *       +--------------------------------------------------------------+
 *
 * Record (starts 8-byte aligned; size = align8(24 + s + n + 4)):
 *   bytes 0..3    Int32    payload length n (PAD_TAG records: see below)
 *   bytes 4..7    Int32    tag (RecordTag; PAD_TAG = -1 pads to the end of its region)
 *   bytes 8..15   Float64  receive time, µs since the epoch (an integer)
 *   bytes 16..19  Int32    sequence number (u32, wraps; consecutive over both regions)
 *   bytes 20..23  Int32    payload shift s (0..7)
 *   bytes 24+s..  payload (n bytes), then at least 4 zero bytes (NUL_TAIL)
 * The shift puts the payload at the source's address modulo 8: V8 copies into shared memory
 * word by word only between equally aligned addresses and byte by byte otherwise (3× slower for
 * a 227-byte frame; a WebSocket frame is a slice of a socket read, at any offset).
 * The zero bytes after the payload let io parse a frame in place, from its record, with the byte
 * template's bounds argument (kalshi/byte-delta-template.ts: every 4-byte read ends within them):
 * io copies a frame once, into the ring, not once more into the parser's scratch. A record never
 * wraps: when it does not fit before the end of its region, a PAD record (8 bytes of header
 * written, length = rest − 28) fills the rest and the record starts at the region's offset 0, so
 * the consumer always gets one contiguous view. A record larger than half a region does not go
 * there; larger than half the overflow region it is refused (`tooLarge`), never truncated.
 *
 * Ordering as in SpscRing: plain stores, then Atomics.store(write position) publishes — once per
 * batch of records (`publish`, FeedRecorder calls it once per io turn), the overflow position
 * before the hot one; the consumer Atomics.loads the hot then the overflow write position before
 * reading. A record's predecessors are published no later than it, so when the hot head holds
 * sequence s, every record before s is visible in the overflow region; when the overflow head is
 * ahead of the next sequence, the next record is in the hot region, published after that
 * position was loaded: the consumer loads the positions again (or leaves it to its next drain). Positions are u32 counters; used = (w − r) >>> 0 is exact because
 * capacities are ≤ 2^30.
 *
 * Waking the consumer: publishing a record never notifies (a futex wake per frame cost io more
 * than the whole parse + apply). The consumer sets consumerWaiting before a long sleep on the
 * bell word; the producer sees it (`doorbellWanted`) and rings once per batch (`ringDoorbell`,
 * FeedRecorder does it once per io turn). The consumer reads the bell before it checks for
 * records and sleeps only while the bell is unchanged, and the producer reads consumerWaiting
 * after publishing: no record is ever left unseen (at worst the consumer waits for its timeout).
 * A consumer that was busy a moment ago naps briefly without asking to be woken, so a steady
 * feed rings no doorbell at all.
 */
const W_HOT_WRITE = 0;
const W_OVER_WRITE = 1;
const W_NEXT_SEQ = 2;
const W_HOT_READ = 16;
const W_OVER_READ = 17;
const W_READ_SEQ = 18;
const W_BELL = 32;
const W_WAITING = 48;
const W_HOT_CAPACITY = 64;
const W_OVER_CAPACITY = 65;
const W_STOPPED = 66;
const HEADER_BYTES = 320;
const RECORD_HEADER = 24;
/** zero bytes after every payload (the byte template reads up to 4 bytes past a frame's end) */
const NUL_TAIL = 4;
const PAD_TAG = -1;
/** region numbers: which write/read words and base a record uses */
const HOT = 0;
const OVERFLOW = 1;

/** Record tags: low 2 bits the kind; a feed frame's tag carries its connection number above. */
export const RecordTag = { feedFrame: 1, engineEvent: 2, decision: 3 } as const;

export function frameTag(connection: number): number {
  return RecordTag.feedFrame | (connection << 2);
}

export interface FrameRingShared {
  sab: SharedArrayBuffer;
}

/** bytes a record of an n-byte payload takes (header, payload, NUL_TAIL, rounded up to 8) */
const recordBytes = (n: number): number => (RECORD_HEADER + n + NUL_TAIL + 7) & ~7;

export class FrameRing {
  readonly shared: FrameRingShared;
  /** bytes of the overflow region (the room a stalled consumer has besides the hot region) */
  readonly capacity: number;
  /** bytes of the hot region (used whenever a record fits there) */
  readonly hotCapacity: number;
  /** producer-side counts of refused records */
  full = 0;
  tooLarge = 0;
  /** producer-side count of records written to the overflow region (no room in the hot one) */
  overflowRecords = 0;
  /** producer-side count of doorbells rung (Atomics.notify calls) */
  doorbells = 0;
  /**
   * Both regions as one byte array and one DataView (offsets are absolute in them): the last
   * record written by `tryWrite` lies at data[lastStart, lastEnd), 4 zero bytes after it, until
   * the consumer releases it — io parses it there (FeedApplier.applyFrameBytesAt).
   */
  readonly data: Uint8Array;
  readonly view: DataView;
  lastStart = 0;
  lastEnd = 0;
  private readonly header: Int32Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly encoder = new TextEncoder();
  /** producer: per region, readPos as last loaded; reloaded only when a record seems not to fit */
  private readonly readSeen = new Int32Array(2);
  /** producer: region of the record being written (set by reserve, used by commit) */
  private region = HOT;
  /** producer: write positions including records not yet published, and the next sequence */
  private hotCursor: number;
  private overCursor: number;
  private nextSeq: number;

  /**
   * `capacityBytes`: the overflow region; `hotBytes`: the hot region (both powers of two in
   * [4 KiB, 1 GiB]).
   */
  static create(capacityBytes: number, hotBytes: number): FrameRing {
    for (const [name, bytes] of [
      ["capacity", capacityBytes],
      ["hot region", hotBytes],
    ] as const)
      if (bytes < 4096 || bytes > 2 ** 30 || (bytes & (bytes - 1)) !== 0)
        throw new Error(`FrameRing ${name} must be a power of two in [4 KiB, 1 GiB], got ${bytes}`);
    const sab = new SharedArrayBuffer(HEADER_BYTES + hotBytes + capacityBytes);
    const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
    header[W_HOT_CAPACITY] = hotBytes;
    header[W_OVER_CAPACITY] = capacityBytes;
    return new FrameRing({ sab });
  }

  static attach(shared: FrameRingShared): FrameRing {
    return new FrameRing(shared);
  }

  private constructor(shared: FrameRingShared) {
    this.shared = shared;
    const h = new Int32Array(shared.sab, 0, HEADER_BYTES / 4);
    this.header = h;
    this.hotCapacity = h[W_HOT_CAPACITY];
    this.capacity = h[W_OVER_CAPACITY];
    this.readSeen[HOT] = Atomics.load(h, W_HOT_READ);
    this.readSeen[OVERFLOW] = Atomics.load(h, W_OVER_READ);
    this.hotCursor = Atomics.load(h, W_HOT_WRITE);
    this.overCursor = Atomics.load(h, W_OVER_WRITE);
    this.nextSeq = h[W_NEXT_SEQ];
    const bytes = this.hotCapacity + this.capacity;
    this.data = new Uint8Array(shared.sab, HEADER_BYTES, bytes);
    this.view = new DataView(shared.sab, HEADER_BYTES, bytes);
    this.i32 = new Int32Array(shared.sab, HEADER_BYTES, bytes / 4);
    this.f64 = new Float64Array(shared.sab, HEADER_BYTES, bytes / 8);
  }

  /** True once the consumer gave up (write error): the producer stops copying. */
  get stopped(): boolean {
    return Atomics.load(this.header, W_STOPPED) !== 0;
  }

  /** Consumer: stop accepting records (after a write error or at close). */
  stop(): void {
    Atomics.store(this.header, W_STOPPED, 1);
  }

  /** Unread bytes in both regions (either side). */
  get usedBytes(): number {
    const h = this.header;
    return (
      ((Atomics.load(h, W_HOT_WRITE) - Atomics.load(h, W_HOT_READ)) >>> 0) +
      ((Atomics.load(h, W_OVER_WRITE) - Atomics.load(h, W_OVER_READ)) >>> 0)
    );
  }

  /**
   * Producer: reserves room for `maxBytes` of payload, in the hot region if it fits there, else
   * in the overflow region, and returns the payload's byte offset in `data`, or -1 (full or too
   * large; counted). Finish with `commit`.
   */
  private reserve(maxBytes: number): number {
    const need = recordBytes(maxBytes);
    if (need <= this.hotCapacity / 2) {
      const p = this.place(HOT, need, 0, this.hotCapacity, this.hotCursor, W_HOT_READ);
      if (p >= 0) return p;
    }
    if (need > this.capacity / 2) {
      this.tooLarge++;
      return -1;
    }
    const p = this.place(OVERFLOW, need, this.hotCapacity, this.capacity, this.overCursor, W_OVER_READ);
    if (p < 0) this.full++;
    else this.overflowRecords++;
    return p;
  }

  /** Room for `need` bytes in one region (padding its end first when needed), or -1. */
  private place(
    region: number,
    need: number,
    base: number,
    capacity: number,
    write: number,
    rWord: number,
  ): number {
    const h = this.header;
    const at = write & (capacity - 1);
    const tail = capacity - at;
    const room = need <= tail ? need : tail + need;
    // the cached readPos can only understate the free space: reload it (touching the consumer's
    // cache line) only when the record seems not to fit
    if (room > capacity - ((write - this.readSeen[region]) >>> 0)) {
      this.readSeen[region] = Atomics.load(h, rWord);
      if (room > capacity - ((write - this.readSeen[region]) >>> 0)) return -1;
    }
    this.region = region;
    if (need <= tail) return base + at + RECORD_HEADER;
    const pad = (base + at) >> 2;
    this.i32[pad] = tail - RECORD_HEADER - NUL_TAIL;
    this.i32[pad + 1] = PAD_TAG;
    if (region === HOT) this.hotCursor = (write + tail) | 0;
    else this.overCursor = (write + tail) | 0;
    return base + RECORD_HEADER;
  }

  /** The record's header at recordAt − RECORD_HEADER; its payload at recordAt + shift. */
  private commit(recordAt: number, shift: number, length: number, tag: number, recvUs: number): void {
    const at = recordAt - RECORD_HEADER;
    const w = at >> 2;
    this.i32[w] = length;
    this.i32[w + 1] = tag;
    this.f64[(at >> 3) + 1] = recvUs;
    this.i32[w + 4] = this.nextSeq;
    this.i32[w + 5] = shift;
    this.view.setInt32(recordAt + shift + length, 0); // NUL_TAIL
    this.nextSeq = (this.nextSeq + 1) | 0;
    const size = recordBytes(shift + length);
    if (this.region === HOT) this.hotCursor = (this.hotCursor + size) | 0;
    else this.overCursor = (this.overCursor + size) | 0;
  }

  /**
   * Producer: makes every record written so far visible to the consumer. Call once per batch
   * (FeedRecorder: once per io turn): each publish is a sequentially consistent store, a full
   * barrier that waits for the batch's copies to reach memory, which per record cost io more
   * than the copy itself.
   */
  publish(): void {
    const h = this.header;
    h[W_NEXT_SEQ] = this.nextSeq;
    if (h[W_OVER_WRITE] !== this.overCursor) Atomics.store(h, W_OVER_WRITE, this.overCursor);
    if (h[W_HOT_WRITE] !== this.hotCursor) Atomics.store(h, W_HOT_WRITE, this.hotCursor);
  }

  /** Producer: bytes written and not yet published. */
  get unpublishedBytes(): number {
    const h = this.header;
    return ((this.hotCursor - h[W_HOT_WRITE]) >>> 0) + ((this.overCursor - h[W_OVER_WRITE]) >>> 0);
  }

  /** Producer: true when the consumer sleeps until woken (ring the doorbell after this batch). */
  get doorbellWanted(): boolean {
    return Atomics.load(this.header, W_WAITING) !== 0;
  }

  /** Producer: wakes the consumer if it sleeps; call once per batch of records, not per record. */
  ringDoorbell(): void {
    if (Atomics.load(this.header, W_WAITING) === 0) return;
    this.doorbells++;
    this.wake();
  }

  /**
   * Producer: copies `bytes`; false when refused (full / too large, counted) or stopped. When
   * accepted, the copy lies at data[lastStart, lastEnd) with 4 zero bytes after it; the consumer
   * sees it after the next `publish`.
   */
  tryWrite(tag: number, recvUs: number, bytes: Uint8Array): boolean {
    if (this.stopped) return false;
    const shift = bytes.byteOffset & 7;
    const p = this.reserve(shift + bytes.length);
    if (p < 0) return false;
    this.data.set(bytes, p + shift);
    this.commit(p, shift, bytes.length, tag, recvUs);
    this.lastStart = p + shift;
    this.lastEnd = p + shift + bytes.length;
    return true;
  }

  /** Producer: writes a string as UTF-8 straight into the ring (no intermediate buffer; seen
   * after the next `publish`). */
  tryWriteText(tag: number, recvUs: number, text: string): boolean {
    if (this.stopped) return false;
    const maxBytes = text.length * 3;
    const p = this.reserve(maxBytes);
    if (p < 0) return false;
    const { written } = this.encoder.encodeInto(text, this.data.subarray(p, p + maxBytes));
    this.commit(p, 0, written, tag, recvUs);
    return true;
  }

  /**
   * Consumer: hands every published record to `handler` in the order the producer wrote them
   * (the view is valid only during the call), then releases them; returns how many were read.
   */
  drain(handler: (tag: number, recvUs: number, bytes: Uint8Array) => void): number {
    const h = this.header;
    const i32 = this.i32;
    const hotMask = this.hotCapacity - 1;
    const overMask = this.capacity - 1;
    const overBase = this.hotCapacity;
    let hotWrite = Atomics.load(h, W_HOT_WRITE);
    let overWrite = Atomics.load(h, W_OVER_WRITE);
    let hotRead = h[W_HOT_READ];
    let overRead = h[W_OVER_READ];
    let seq = h[W_READ_SEQ];
    let reloaded = false;
    let n = 0;
    for (;;) {
      let hotAt = -1;
      while (hotRead !== hotWrite) {
        hotAt = hotRead & hotMask;
        if (i32[(hotAt >> 2) + 1] !== PAD_TAG) break;
        hotRead = (hotRead + recordBytes(i32[hotAt >> 2])) | 0;
        hotAt = -1;
      }
      let overAt = -1;
      while (overRead !== overWrite) {
        overAt = overBase + (overRead & overMask);
        if (i32[(overAt >> 2) + 1] !== PAD_TAG) break;
        overRead = (overRead + recordBytes(i32[overAt >> 2])) | 0;
        overAt = -1;
      }
      let at: number;
      if (hotAt >= 0 && i32[(hotAt >> 2) + 4] === seq) at = hotAt;
      else if (overAt >= 0 && i32[(overAt >> 2) + 4] === seq) at = overAt;
      else {
        // the next record is not at a head we can see: none published, or (one region holding
        // later records) it went to the other region after that region's position was loaded
        if ((hotAt < 0 && overAt < 0) || reloaded) break;
        hotWrite = Atomics.load(h, W_HOT_WRITE);
        overWrite = Atomics.load(h, W_OVER_WRITE);
        reloaded = true;
        continue;
      }
      const length = i32[at >> 2];
      const shift = i32[(at >> 2) + 5];
      const p = at + RECORD_HEADER + shift;
      handler(i32[(at >> 2) + 1], this.f64[(at >> 3) + 1], this.data.subarray(p, p + length));
      if (at === hotAt) hotRead = (hotRead + recordBytes(shift + length)) | 0;
      else overRead = (overRead + recordBytes(shift + length)) | 0;
      seq = (seq + 1) | 0;
      n++;
    }
    h[W_READ_SEQ] = seq;
    Atomics.store(h, W_HOT_READ, hotRead);
    Atomics.store(h, W_OVER_READ, overRead);
    return n;
  }

  /** Any thread: wakes a sleeping consumer (e.g. to make it see a close request). */
  wake(): void {
    Atomics.add(this.header, W_BELL, 1);
    Atomics.notify(this.header, W_BELL);
  }

  /** Consumer: no published record unread in either region. */
  private get empty(): boolean {
    const h = this.header;
    return (
      Atomics.load(h, W_HOT_WRITE) === Atomics.load(h, W_HOT_READ) &&
      Atomics.load(h, W_OVER_WRITE) === Atomics.load(h, W_OVER_READ)
    );
  }

  /**
   * Consumer (a worker thread, may block): sleeps until the producer rings the doorbell after
   * publishing, or `timeoutMs`.
   */
  waitForRecords(timeoutMs: number): void {
    const h = this.header;
    const bell = Atomics.load(h, W_BELL);
    if (!this.empty) return;
    Atomics.store(h, W_WAITING, 1);
    if (this.empty) Atomics.wait(h, W_BELL, bell, timeoutMs);
    Atomics.store(h, W_WAITING, 0);
  }

  /**
   * Consumer: sleeps `ms` without asking to be woken (the producer rings no doorbell for it) —
   * for a consumer that expects more records any moment.
   */
  nap(ms: number): void {
    const h = this.header;
    const bell = Atomics.load(h, W_BELL);
    if (!this.empty) return;
    Atomics.wait(h, W_BELL, bell, ms);
  }
}

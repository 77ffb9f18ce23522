/**
 * BytesRing — variable-length byte messages (up to a fixed maximum) over an SpscRing, for the
 * cold cross-thread paths that carry text or FlatBuffers: FillRing (io → orders: raw `fill` /
 * `user_order` frames) and EventRing (orders → io: encoded engine events). Same rule as SpscRing:
 * one producer thread, one consumer thread.
 *
 * Record (recordWords × 8 bytes):
 *   bytes 0..3   Int32  length of the message in bytes
 *   bytes 4..7   Int32  tag (caller-defined kind of message)
 *   bytes 8..    the message bytes (length ≤ maxBytes)
 * A message longer than maxBytes is refused and counted (`tooLong`), never truncated.
 */
import type { DoorbellShared } from "./doorbell.js";
import { SpscRing, type SpscRingShared } from "./spsc-ring.js";

export interface BytesRingShared {
  ring: SpscRingShared;
  maxBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class BytesRing {
  readonly ring: SpscRing;
  readonly maxBytes: number;
  readonly shared: BytesRingShared;
  /** producer-side count of refused over-long messages */
  tooLong = 0;
  private readonly u8: Uint8Array;
  private readonly recordBytes: number;

  static create(maxBytes: number, capacity: number, doorbell?: DoorbellShared): BytesRing {
    const recordWords = 1 + Math.ceil(maxBytes / 8);
    const ring = SpscRing.create({ recordWords, capacity, ...(doorbell ? { doorbell } : {}) });
    return new BytesRing({ ring: ring.shared, maxBytes });
  }

  static attach(shared: BytesRingShared): BytesRing {
    return new BytesRing(shared);
  }

  private constructor(shared: BytesRingShared) {
    this.shared = shared;
    this.ring = SpscRing.attach(shared.ring);
    this.maxBytes = shared.maxBytes;
    this.recordBytes = this.ring.recordWords * 8;
    this.u8 = new Uint8Array(this.ring.f64.buffer, this.ring.f64.byteOffset, this.ring.f64.byteLength);
  }

  /** Producer: writes `bytes`; false when full (ring counts it) or too long (counted here). */
  tryWrite(tag: number, bytes: Uint8Array): boolean {
    if (bytes.length > this.maxBytes) {
      this.tooLong++;
      return false;
    }
    const slot = this.ring.tryClaim();
    if (slot < 0) return false;
    const at = slot * 8;
    this.ring.i32[slot * 2] = bytes.length;
    this.ring.i32[slot * 2 + 1] = tag;
    this.u8.set(bytes, at + 8);
    this.ring.commit();
    return true;
  }

  /** Producer: writes a string as UTF-8. */
  tryWriteText(tag: number, text: string): boolean {
    if (text.length * 3 <= this.maxBytes) {
      const slot = this.ring.tryClaim();
      if (slot < 0) return false;
      const at = slot * 8;
      const { written } = encoder.encodeInto(text, this.u8.subarray(at + 8, at + this.recordBytes));
      this.ring.i32[slot * 2] = written;
      this.ring.i32[slot * 2 + 1] = tag;
      this.ring.commit();
      return true;
    }
    return this.tryWrite(tag, encoder.encode(text));
  }

  /**
   * Consumer: hands every available message to `handler(tag, bytes)` (a view valid only during
   * the call) and releases it; returns how many were read.
   */
  drain(handler: (tag: number, bytes: Uint8Array) => void, max = this.ring.capacity): number {
    let n = 0;
    for (let slot = this.ring.peek(); slot >= 0 && n < max; slot = this.ring.peek()) {
      const len = this.ring.i32[slot * 2];
      const tag = this.ring.i32[slot * 2 + 1];
      const at = slot * 8 + 8;
      handler(tag, this.u8.subarray(at, at + len));
      this.ring.release();
      n++;
    }
    return n;
  }

  /** Consumer: like `drain` but decodes each message as UTF-8 text. */
  drainText(handler: (tag: number, text: string) => void, max?: number): number {
    return this.drain((tag, bytes) => handler(tag, decoder.decode(bytes)), max);
  }
}

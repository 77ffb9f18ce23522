/**
 * Recorded-feed log records (schemas/feed-log.fbs): one size-prefixed FeedRecord per received
 * frame, appended back to back in a segment file (src/record/segments.ts owns the files).
 * Pure encoding and decoding.
 *
 * Segment layout:
 *   +----------+---------------------------+----------+-----------------------  …
 *   | u32 LE n | FeedRecord (n bytes, KFLG) | u32 LE n | FeedRecord …
 *   +----------+---------------------------+----------+-----------------------  …
 *
 * A crash mid-append leaves a torn last record (its prefix says more bytes than the file holds,
 * or the prefix itself is cut): readers stop there and report the torn bytes.
 */
import * as flatbuffers from "flatbuffers";
import { FeedRecord } from "./generated/feed-log_generated.js";

const TWO_32 = 2 ** 32;

export class FeedRecordEncoder {
  private readonly builder: flatbuffers.Builder;

  constructor(initialBytes = 4096) {
    this.builder = new flatbuffers.Builder(initialBytes);
  }

  /**
   * Size-prefixed record bytes; the view is valid until the next call (write or copy it first).
   * `recvUs` is an integer (µs since the epoch, exact as a double until the year 2255).
   */
  encode(recvUs: number, frame: Uint8Array, connection = 0): Uint8Array {
    const b = this.builder;
    b.clear();
    const bytes = b.createByteVector(frame);
    FeedRecord.finishSizePrefixedFeedRecordBuffer(
      b,
      FeedRecord.createFeedRecord(b, BigInt(recvUs), bytes, connection),
    );
    return b.asUint8Array();
  }
}

/**
 * The recorder's writer thread writes a FeedRecord straight into its staging buffer with this
 * fixed layout instead of running a flatbuffers.Builder per frame (a BigInt, a byte vector copy
 * and the builder's bookkeeping for every frame). It is an ordinary FlatBuffer — the generated
 * accessors and `scanFeedLog` read it — with every field present; the 8-byte `recv_us` sits
 * 8-aligned and every record is a multiple of 8 bytes long, as the Builder makes them:
 *
 *   0 u32 size (bytes after this word)   4 u32 root offset = 24 (table at 28)   8 "KFLG"
 *  12 u32 0 (padding)   16 u16 0 (padding)
 *  18 vtable: u16 10 (its size), u16 20 (table size), u16 12 recv_us, u16 8 frame, u16 4 connection
 *  28 table: i32 10 (to the vtable)   32 u32 connection   36 u32 12 (frame vector at 48)
 *  40 u64 recv_us   48 u32 n   52 n frame bytes   52 + n: zero padding to a multiple of 8
 */
export const FEED_RECORD_FIXED_BYTES = 52;

/** Bytes of a FeedRecord written by `writeFeedRecord` for an `n`-byte frame. */
export function feedRecordBytes(n: number): number {
  return (FEED_RECORD_FIXED_BYTES + n + 7) & ~7;
}

/** FeedRecords written into one buffer at given offsets (the writer thread's staging buffer). */
export class FeedRecordWriter {
  private readonly view: DataView;

  constructor(private readonly target: Uint8Array) {
    this.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  }

  /** Writes one size-prefixed record at `at`; returns its length (`feedRecordBytes(frame.length)`). */
  write(at: number, recvUs: number, frame: Uint8Array, connection: number): number {
    const n = frame.length;
    const total = feedRecordBytes(n);
    const v = this.view;
    v.setUint32(at, total - 4, true);
    v.setUint32(at + 4, 24, true);
    v.setUint32(at + 8, 0x474c464b, true); // "KFLG"
    v.setUint32(at + 12, 0, true);
    v.setUint32(at + 16, 0x000a0000, true); // u16 0 padding, u16 10 vtable size
    v.setUint32(at + 20, 0x000c0014, true); // table size 20, recv_us at 12
    v.setUint32(at + 24, 0x00040008, true); // frame at 8, connection at 4
    v.setInt32(at + 28, 10, true);
    v.setUint32(at + 32, connection, true);
    v.setUint32(at + 36, 12, true);
    // recv_us (an integer < 2^53) as two u32 halves: no BigInt
    v.setUint32(at + 40, recvUs % TWO_32, true);
    v.setUint32(at + 44, Math.floor(recvUs / TWO_32), true);
    v.setUint32(at + 48, n, true);
    this.target.set(frame, at + FEED_RECORD_FIXED_BYTES);
    this.target.fill(0, at + FEED_RECORD_FIXED_BYTES + n, at + total);
    return total;
  }
}

/** Called for every whole record; `frame` is a view into the input valid during the call. */
export type FeedRecordVisitor = (recvUs: number, frame: Uint8Array, connection: number) => void;

export interface FeedLogScan {
  records: number;
  /** bytes after the last whole record (a torn tail); 0 for a cleanly closed segment */
  tornTailBytes: number;
}

/**
 * Visits every whole record of a segment's bytes in order, without allocating per record beyond
 * the frame view. Throws if a whole record is not a FeedRecord (wrong file, not a torn tail).
 * Progress: every iteration advances `pos` by 4 + n ≥ 4 bytes or stops.
 *
 * The table is read by hand (FlatBuffers binary layout: root offset → table → vtable of u16 field
 * offsets) rather than through the generated accessors: the log tools read millions of records
 * per second, and the accessors' ByteBuffer calls and BigInt for `recv_us` cost several times more.
 */
export function scanFeedLog(bytes: Uint8Array, visit: FeedRecordVisitor): FeedLogScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let records = 0;
  while (bytes.length - pos >= 4) {
    const size = view.getUint32(pos, true);
    if (size > bytes.length - pos - 4) break;
    const start = pos + 4;
    const end = start + size;
    if (
      size < 8 ||
      bytes[start + 4] !== 0x4b /* K */ ||
      bytes[start + 5] !== 0x46 /* F */ ||
      bytes[start + 6] !== 0x4c /* L */ ||
      bytes[start + 7] !== 0x47 /* G */
    ) {
      throw new Error(`feed log: record at byte ${pos} is not a FeedRecord (identifier)`);
    }
    const root = start + view.getUint32(start, true);
    const vtable = root - view.getInt32(root, true);
    if (root + 4 > end || vtable < start || vtable + 4 > end) throw corrupt(pos);
    const vtableBytes = view.getUint16(vtable, true);
    const field = (k: number): number =>
      4 + 2 * k < vtableBytes ? view.getUint16(vtable + 4 + 2 * k, true) : 0;
    const recvAt = field(0);
    const frameAt = field(1);
    const connectionAt = field(2);
    // recv_us is a ulong: read as two u32 halves so no BigInt is made per record
    const recvUs = recvAt
      ? view.getUint32(root + recvAt, true) + view.getUint32(root + recvAt + 4, true) * TWO_32
      : 0;
    let frame: Uint8Array = EMPTY;
    if (frameAt) {
      const vec = root + frameAt + view.getUint32(root + frameAt, true);
      const length = view.getUint32(vec, true);
      if (vec + 4 + length > end) throw corrupt(pos);
      frame = bytes.subarray(vec + 4, vec + 4 + length);
    }
    visit(recvUs, frame, connectionAt ? view.getUint32(root + connectionAt, true) : 0);
    records++;
    pos = end;
  }
  return { records, tornTailBytes: bytes.length - pos };
}

function corrupt(pos: number): Error {
  return new Error(`feed log: record at byte ${pos} is corrupt (offsets outside the record)`);
}

const EMPTY = new Uint8Array(0);

export interface FeedLogEntry {
  recvUs: number;
  connection: number;
  /** a view into the input buffer */
  frame: Uint8Array;
}

/** Every whole record as an array (tests and small logs; `scanFeedLog` streams). */
export function readFeedLog(bytes: Uint8Array): { entries: FeedLogEntry[]; tornTailBytes: number } {
  const entries: FeedLogEntry[] = [];
  const { tornTailBytes } = scanFeedLog(bytes, (recvUs, frame, connection) =>
    entries.push({ recvUs, frame, connection }),
  );
  return { entries, tornTailBytes };
}

/**
 * Visits every whole record of an events segment (size-prefixed EngineEvent FlatBuffers,
 * schemas/events.fbs): `body` is a view of one EngineEvent (decode with event-codec.ts).
 */
export function scanEventLog(bytes: Uint8Array, visit: (body: Uint8Array) => void): FeedLogScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let records = 0;
  while (bytes.length - pos >= 4) {
    const size = view.getUint32(pos, true);
    if (size > bytes.length - pos - 4) break;
    visit(bytes.subarray(pos + 4, pos + 4 + size));
    records++;
    pos += 4 + size;
  }
  return { records, tornTailBytes: bytes.length - pos };
}

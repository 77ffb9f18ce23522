/**
 * Recorded-feed log records (schemas/feed-log.fbs): one size-prefixed FeedRecord per received
 * frame, appended back to back. Pure encoding; the recorder that owns the file lives elsewhere.
 *
 * File layout:
 *   +----------+---------------------------+----------+-----------------------  …
 *   | u32 LE n | FeedRecord (n bytes, KFLG) | u32 LE n | FeedRecord …
 *   +----------+---------------------------+----------+-----------------------  …
 */
import * as flatbuffers from "flatbuffers";
import { FeedRecord } from "./generated/feed-log_generated.js";

export class FeedRecordEncoder {
  private readonly builder: flatbuffers.Builder;

  constructor(initialBytes = 4096) {
    this.builder = new flatbuffers.Builder(initialBytes);
  }

  /** Size-prefixed record bytes; the view is valid until the next call (write or copy it first). */
  encode(recvNs: bigint, frame: Uint8Array): Uint8Array {
    const b = this.builder;
    b.clear();
    const bytes = FeedRecord.createFrameVector(b, frame);
    FeedRecord.finishSizePrefixedFeedRecordBuffer(b, FeedRecord.createFeedRecord(b, recvNs, bytes));
    return b.asUint8Array();
  }
}

export interface FeedLogEntry {
  recvNs: bigint;
  /** a view into the input buffer */
  frame: Uint8Array;
}

/**
 * Reads records in order. A truncated last record (a crash mid-append) ends the iteration;
 * `result.tornTailBytes` then says how many trailing bytes were ignored.
 */
export function readFeedLog(bytes: Uint8Array): { entries: FeedLogEntry[]; tornTailBytes: number } {
  const entries: FeedLogEntry[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 4) break;
    const size = view.getUint32(pos, true);
    if (size + 4 > bytes.length - pos) break;
    const bb = new flatbuffers.ByteBuffer(bytes.subarray(pos, pos + 4 + size));
    bb.setPosition(4);
    if (!FeedRecord.bufferHasIdentifier(bb)) {
      throw new Error(`feed log: record at byte ${pos} is not a FeedRecord (identifier)`);
    }
    bb.setPosition(0);
    const rec = FeedRecord.getSizePrefixedRootAsFeedRecord(bb);
    entries.push({ recvNs: rec.recvNs(), frame: rec.frameArray() ?? new Uint8Array(0) });
    pos += 4 + size;
  }
  return { entries, tornTailBytes: bytes.length - pos };
}

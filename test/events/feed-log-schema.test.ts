import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as flatbuffers from "flatbuffers";
import { FeedRecord } from "../../src/events/generated/feed-log_generated.js";

// capture-format.md "Example", second line
const FRAME =
  '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXEX-26MAR10-A","price_dollars":"0.4200","delta_fp":"-12.50","side":"yes","ts_ms":1773153000007}}';

describe("feed-log schema (generated TS)", () => {
  it("size-prefixed FeedRecords written back to back read back in order, byte for byte", () => {
    const frames = [FRAME, "{}", "é ü — multi-byte"];
    const recvNs = [1_773_153_000_041_000_123n, 1_773_153_000_052_000_000n, 18_446_744_073_709_551_615n];
    const builder = new flatbuffers.Builder(256);
    const chunks: Uint8Array[] = [];
    frames.forEach((f, i) => {
      builder.clear();
      const bytes = FeedRecord.createFrameVector(builder, new TextEncoder().encode(f));
      FeedRecord.finishSizePrefixedFeedRecordBuffer(
        builder,
        FeedRecord.createFeedRecord(builder, recvNs[i]!, bytes),
      );
      chunks.push(builder.asUint8Array().slice());
    });
    const file = Buffer.concat(chunks);

    const got: Array<[bigint, string]> = [];
    let pos = 0;
    while (pos < file.length) {
      const size = file.readUInt32LE(pos);
      const bb = new flatbuffers.ByteBuffer(new Uint8Array(file.buffer, file.byteOffset + pos, size + 4));
      const rec = FeedRecord.getSizePrefixedRootAsFeedRecord(bb);
      got.push([rec.recvNs(), new TextDecoder().decode(rec.frameArray()!)]);
      pos += size + 4;
    }
    assert.deepEqual(
      got,
      frames.map((f, i) => [recvNs[i]!, f]),
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as flatbuffers from "flatbuffers";
import {
  FeedRecordEncoder,
  FeedRecordWriter,
  feedRecordBytes,
  readFeedLog,
} from "../../src/events/feed-log-codec.js";
import { FeedRecord } from "../../src/events/generated/feed-log_generated.js";

// capture-format.md "Example", second line
const FRAME =
  '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXEX-26MAR10-A","price_dollars":"0.4200","delta_fp":"-12.50","side":"yes","ts_ms":1773153000007}}';
const FRAMES = [FRAME, "{}", "é ü — multi-byte", ""];
const RECV_US = [1_773_153_000_041_123, 1_773_153_000_052_000, Number.MAX_SAFE_INTEGER, 0];
const CONNECTIONS = [1, 2, 4_294_967_295, 0];

function logOf(encoder: FeedRecordEncoder): Buffer {
  return Buffer.concat(
    FRAMES.map((f, i) => encoder.encode(RECV_US[i]!, new TextEncoder().encode(f), CONNECTIONS[i]).slice()),
  );
}

describe("feed log (schemas/feed-log.fbs)", () => {
  it("records appended back to back read back in order, byte for byte", () => {
    const { entries, tornTailBytes } = readFeedLog(logOf(new FeedRecordEncoder(16)));
    assert.equal(tornTailBytes, 0);
    assert.deepEqual(
      entries.map((e) => [e.recvUs, new TextDecoder().decode(e.frame), e.connection]),
      FRAMES.map((f, i) => [RECV_US[i]!, f, CONNECTIONS[i]]),
    );
  });

  it("a torn last record is ignored and reported", () => {
    const log = logOf(new FeedRecordEncoder());
    for (const cut of [1, 3, 5, 20]) {
      const { entries, tornTailBytes } = readFeedLog(log.subarray(0, log.length - cut));
      assert.equal(entries.length, FRAMES.length - 1);
      assert.ok(tornTailBytes > 0);
    }
  });

  it("refuses bytes that are not feed records", () => {
    const junk = Buffer.alloc(16);
    junk.writeUInt32LE(12, 0);
    assert.throws(() => readFeedLog(junk), /not a FeedRecord/);
  });

  it("records written in place (the recorder's layout) are FlatBuffers every reader reads alike", () => {
    const target = new Uint8Array(1 << 16).fill(0xee); // stale bytes where the records go
    const writer = new FeedRecordWriter(target);
    const frames = Array.from({ length: 41 }, (_, n) => new Uint8Array(n).map((_, i) => 65 + ((i * 7) % 26)));
    frames.push(new TextEncoder().encode(FRAME));
    let at = 3 * 8;
    const starts: number[] = [];
    frames.forEach((f, i) => {
      starts.push(at);
      const n = writer.write(at, RECV_US[i % RECV_US.length]!, f, CONNECTIONS[i % CONNECTIONS.length]!);
      assert.equal(n, feedRecordBytes(f.length));
      assert.equal(n % 8, 0, "a multiple of 8 bytes, so the next record stays 8-aligned");
      at += n;
    });
    const log = target.subarray(3 * 8, at);
    const { entries, tornTailBytes } = readFeedLog(log);
    assert.equal(tornTailBytes, 0);
    const want = frames.map((f, i) => [
      RECV_US[i % RECV_US.length]!,
      [...f],
      CONNECTIONS[i % CONNECTIONS.length]!,
    ]);
    assert.deepEqual(
      entries.map((e) => [e.recvUs, [...e.frame], e.connection]),
      want,
    );
    // the generated accessors agree, and recv_us sits 8-aligned in the record
    frames.forEach((f, i) => {
      const r = FeedRecord.getSizePrefixedRootAsFeedRecord(
        new flatbuffers.ByteBuffer(target.subarray(starts[i]!)),
      );
      assert.equal(Number(r.recvUs()), RECV_US[i % RECV_US.length]);
      assert.deepEqual([...(r.frameArray() ?? [])], [...f]);
      assert.equal(r.connection(), CONNECTIONS[i % CONNECTIONS.length]);
    });
    // where the Builder lays a record out the same way (frames of 4 mod 8 bytes), the bytes match
    const builder = new FeedRecordEncoder();
    const f = new TextEncoder().encode(FRAME.slice(0, 156));
    const own = new Uint8Array(feedRecordBytes(f.length));
    new FeedRecordWriter(own).write(0, RECV_US[0]!, f, 1);
    assert.deepEqual([...own], [...builder.encode(RECV_US[0]!, f, 1)]);
  });
});

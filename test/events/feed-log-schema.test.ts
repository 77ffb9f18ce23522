import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeedRecordEncoder, readFeedLog } from "../../src/events/feed-log-codec.js";

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
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeedRecordEncoder, readFeedLog } from "../../src/events/feed-log-codec.js";

// capture-format.md "Example", second line
const FRAME =
  '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXEX-26MAR10-A","price_dollars":"0.4200","delta_fp":"-12.50","side":"yes","ts_ms":1773153000007}}';
const FRAMES = [FRAME, "{}", "é ü — multi-byte", ""];
const RECV_NS = [1_773_153_000_041_000_123n, 1_773_153_000_052_000_000n, 18_446_744_073_709_551_615n, 0n];

function logOf(encoder: FeedRecordEncoder): Buffer {
  return Buffer.concat(
    FRAMES.map((f, i) => encoder.encode(RECV_NS[i]!, new TextEncoder().encode(f)).slice()),
  );
}

describe("feed log (schemas/feed-log.fbs)", () => {
  it("records appended back to back read back in order, byte for byte", () => {
    const { entries, tornTailBytes } = readFeedLog(logOf(new FeedRecordEncoder(16)));
    assert.equal(tornTailBytes, 0);
    assert.deepEqual(
      entries.map((e) => [e.recvNs, new TextDecoder().decode(e.frame)]),
      FRAMES.map((f, i) => [RECV_NS[i]!, f]),
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

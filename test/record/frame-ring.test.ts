import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FrameRing, RecordTag } from "../../src/record/frame-ring.js";

function drainAll(ring: FrameRing): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  ring.drain((tag, recvUs, bytes) => out.push([tag, recvUs, new TextDecoder().decode(bytes)]));
  return out;
}

/** bytes a record of an n-byte payload at an 8-aligned source takes (frame-ring.ts: 24-byte
 * header, 4 zero bytes, 8-aligned) */
const recordBytes = (n: number) => (24 + n + 4 + 7) & ~7;

describe("FrameRing", () => {
  it("carries text and byte records in order with their tags and times, across many wraps", () => {
    const ring = FrameRing.create(4096, 4096);
    const consumer = FrameRing.attach(ring.shared);
    const seen: Array<[number, number, string]> = [];
    const sent: Array<[number, number, string]> = [];
    for (let i = 0; i < 5000; i++) {
      const text = `{"i":${i},"s":"${"é".repeat(i % 97)}"}`;
      const recvUs = 1_773_153_000_000_000 + i;
      const ok =
        i % 3 === 0
          ? ring.tryWrite(RecordTag.engineEvent, recvUs, new TextEncoder().encode(text))
          : ring.tryWriteText(RecordTag.feedFrame | (i << 2), recvUs, text);
      assert.ok(ok, `record ${i} accepted`);
      sent.push([i % 3 === 0 ? RecordTag.engineEvent : RecordTag.feedFrame | (i << 2), recvUs, text]);
      if (i % 2 === 0) ring.publish();
      if (i % 7 === 0) seen.push(...drainAll(consumer));
    }
    ring.publish();
    seen.push(...drainAll(consumer));
    assert.deepEqual(seen, sent);
    assert.equal(ring.usedBytes, 0);
  });

  it("a record is seen only after publish", () => {
    const ring = FrameRing.create(4096, 4096);
    const consumer = FrameRing.attach(ring.shared);
    assert.ok(ring.tryWriteText(1, 7, "a"));
    assert.equal(ring.unpublishedBytes, recordBytes(1));
    assert.deepEqual(drainAll(consumer), []);
    ring.publish();
    assert.equal(ring.unpublishedBytes, 0);
    assert.deepEqual(drainAll(consumer), [[1, 7, "a"]]);
  });

  it("with the consumer stalled, fills the hot region, then the overflow region, then refuses; drains in order", () => {
    const hot = 4096;
    const overflow = 8192;
    const ring = FrameRing.create(overflow, hot);
    const payload = 100;
    const size = recordBytes(payload);
    let accepted = 0;
    for (let i = 0; i < 1000; i++) {
      const bytes = new Uint8Array(payload).fill(i & 0xff);
      new DataView(bytes.buffer).setInt32(0, i, true);
      if (!ring.tryWrite(1, i, bytes)) continue;
      accepted++;
      ring.publish();
      // the hot region first, the overflow region only once the hot one is full
      assert.equal(ring.overflowRecords, Math.max(0, accepted - Math.floor(hot / size)), `record ${i}`);
    }
    // never less room than a single ring of the overflow region's size: both regions' records
    assert.equal(accepted, Math.floor(hot / size) + Math.floor(overflow / size));
    assert.ok(accepted > overflow / size);
    assert.equal(ring.full, 1000 - accepted, "every refusal counted");
    assert.equal(ring.tooLarge, 0);
    const order: number[] = [];
    const n = FrameRing.attach(ring.shared).drain((_tag, recvUs, bytes) => {
      order.push(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true));
      assert.equal(recvUs, order.at(-1));
      assert.equal(bytes.length, payload);
    });
    assert.equal(n, accepted);
    assert.deepEqual(
      order,
      Array.from({ length: accepted }, (_, k) => k),
    );
    assert.equal(ring.usedBytes, 0);
    // room again, in the hot region
    assert.ok(ring.tryWrite(1, 0, new Uint8Array(payload)));
    assert.equal(ring.overflowRecords, accepted - Math.floor(hot / size));
  });

  it("merges the regions in write order whatever the consumer's timing (records written during drains)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              weight: 6,
              arbitrary: fc.record({ op: fc.constant("write" as const), size: fc.nat({ max: 700 }) }),
            },
            {
              weight: 1,
              arbitrary: fc.record({
                op: fc.constant("big" as const),
                size: fc.integer({ min: 2100, max: 4000 }),
              }),
            },
            {
              weight: 2,
              arbitrary: fc.record({ op: fc.constant("publish" as const), size: fc.constant(0) }),
            },
            {
              weight: 1,
              arbitrary: fc.record({ op: fc.constant("drain" as const), size: fc.nat({ max: 3 }) }),
            },
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const ring = FrameRing.create(16384, 4096);
          const consumer = FrameRing.attach(ring.shared);
          const accepted: number[] = [];
          const seen: number[] = [];
          let id = 0;
          let refused = 0;
          const write = (size: number) => {
            const bytes = new Uint8Array(Math.max(4, size) + 8).subarray(
              id % 8,
              (id % 8) + Math.max(4, size),
            );
            new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, id, true);
            if (ring.tryWrite(1, id, bytes)) accepted.push(id);
            else refused++;
            id++;
          };
          let k = 0;
          for (const { op, size } of ops) {
            if (op === "write" || op === "big") write(size);
            else if (op === "publish") ring.publish();
            else
              consumer.drain((_t, recvUs, bytes) => {
                seen.push(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true));
                assert.equal(recvUs, seen.at(-1));
                // the producer goes on while the consumer reads (records land in the region
                // that has room: the hot one is not released until the drain ends)
                if (k++ % (size + 2) === 0) {
                  write(300);
                  ring.publish();
                }
              });
          }
          ring.publish();
          consumer.drain((_t, _us, bytes) =>
            seen.push(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true)),
          );
          assert.deepEqual(seen, accepted);
          assert.equal(ring.full + ring.tooLarge, refused);
          assert.equal(ring.usedBytes, 0);
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });

  it("leaves each byte record in one piece with 4 zero bytes after it, over stale bytes, aligned as its source", () => {
    const ring = FrameRing.create(4096, 4096);
    const consumer = FrameRing.attach(ring.shared);
    const socketRead = new Uint8Array(2000);
    for (let i = 0; i < 300; i++) {
      const stale = new Uint8Array(1000 + (i % 50)).fill(0xff);
      assert.ok(ring.tryWrite(1, 0, stale));
      ring.publish();
      consumer.drain(() => {});
      // a frame as a WebSocket hands it: a slice of a socket read, at any offset
      const frame = socketRead.subarray(i % 11, (i % 11) + 1 + ((i * 37) % 1500)).fill(0x61 + (i % 26));
      assert.ok(ring.tryWrite(1, 0, frame));
      assert.equal(ring.lastEnd - ring.lastStart, frame.length);
      assert.equal(ring.lastStart & 7, frame.byteOffset & 7, "the copy is aligned as its source");
      assert.deepEqual(ring.data.subarray(ring.lastStart, ring.lastEnd), frame);
      assert.equal(ring.view.getInt32(ring.lastEnd, true), 0, `record ${i}: zero bytes after the frame`);
      ring.publish();
      let read: Uint8Array | undefined;
      consumer.drain((_t, _us, bytes) => {
        read = bytes.slice();
      });
      assert.deepEqual(read, frame);
    }
  });

  it("refuses and counts records too large for either region, never truncates", () => {
    const ring = FrameRing.create(4096, 4096);
    assert.equal(ring.tryWrite(1, 0, new Uint8Array(3000)), false);
    assert.equal(ring.tooLarge, 1);
    const big = FrameRing.create(8192, 4096);
    assert.ok(big.tryWrite(1, 0, new Uint8Array(3000)), "too large for the hot region: the overflow one");
    assert.equal(big.overflowRecords, 1);
  });

  it("once the consumer stops it, the producer copies nothing", () => {
    const ring = FrameRing.create(4096, 4096);
    FrameRing.attach(ring.shared).stop();
    assert.equal(ring.tryWriteText(1, 0, "x"), false);
    ring.publish();
    assert.equal(ring.usedBytes, 0);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FrameRing, RecordTag } from "../../src/record/frame-ring.js";

function drainAll(ring: FrameRing): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  ring.drain((tag, recvUs, bytes) => out.push([tag, recvUs, new TextDecoder().decode(bytes)]));
  return out;
}

describe("FrameRing", () => {
  it("carries text and byte records in order with their tags and times, across many wraps", () => {
    const ring = FrameRing.create(4096);
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
      if (i % 7 === 0) seen.push(...drainAll(consumer));
    }
    seen.push(...drainAll(consumer));
    assert.deepEqual(seen, sent);
    assert.equal(ring.usedBytes, 0);
  });

  it("refuses and counts records when full or too large, never truncates", () => {
    const ring = FrameRing.create(4096);
    let accepted = 0;
    while (ring.tryWrite(1, 0, new Uint8Array(100))) accepted++;
    assert.equal(ring.full, 1);
    assert.equal(accepted, 4096 / 128);
    assert.equal(ring.tryWrite(1, 0, new Uint8Array(3000)), false);
    assert.equal(ring.tooLarge, 1);
    assert.equal(
      FrameRing.attach(ring.shared).drain(() => {}),
      accepted,
    );
  });

  it("once the consumer stops it, the producer copies nothing", () => {
    const ring = FrameRing.create(4096);
    FrameRing.attach(ring.shared).stop();
    assert.equal(ring.tryWriteText(1, 0, "x"), false);
    assert.equal(ring.usedBytes, 0);
  });
});

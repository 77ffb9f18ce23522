import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BytesRing } from "../../src/shm/bytes-ring.js";

describe("BytesRing", () => {
  it("carries text and bytes with their tags in order", () => {
    const ring = BytesRing.create(64, 8);
    const reader = BytesRing.attach(ring.shared);
    assert.ok(ring.tryWriteText(1, "héllo"));
    assert.ok(ring.tryWrite(2, Uint8Array.of(1, 2, 3)));
    const got: Array<[number, string]> = [];
    reader.drain((tag, bytes) =>
      got.push([tag, tag === 1 ? new TextDecoder().decode(bytes) : bytes.join(",")]),
    );
    assert.deepEqual(got, [
      [1, "héllo"],
      [2, "1,2,3"],
    ]);
  });

  it("refuses over-long messages and counts them; a full ring counts an overflow", () => {
    const ring = BytesRing.create(16, 2);
    assert.equal(ring.tryWriteText(1, "x".repeat(40)), false);
    assert.equal(ring.tooLong, 1);
    assert.ok(ring.tryWriteText(1, "a"));
    assert.ok(ring.tryWriteText(1, "b"));
    assert.equal(ring.tryWriteText(1, "c"), false);
    assert.equal(ring.ring.overflowCount(), 1);
    const texts: string[] = [];
    BytesRing.attach(ring.shared).drainText((_t, s) => texts.push(s));
    assert.deepEqual(texts, ["a", "b"]);
  });
});

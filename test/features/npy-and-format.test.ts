import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { float32ToShortestString } from "../../src/features/float32-format.js";
import { NpyWriter, npyHeader, readNpy } from "../../src/features/npy.js";

describe("float32ToShortestString", () => {
  const table: Array<[number, string]> = [
    [0.42, "0.42"],
    [1 / 7, "0.14285715"],
    [0, "0"],
    [1, "1"],
    [-2, "-2"],
    [0.1, "0.1"],
    [0.016666668, "0.016666668"],
    [1e-7, "1e-7"],
  ];
  for (const [x, text] of table)
    it(`prints float32(${x}) as ${text}`, () => assert.equal(float32ToShortestString(x), text));

  it("always round-trips and is never longer than 9 significant digits", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const f = Math.fround(x);
        const text = float32ToShortestString(f);
        assert.ok(Object.is(Math.fround(Number(text)), f) || (f === 0 && Number(text) === 0), text);
        const digits = text
          .replace(/^-/, "")
          .replace(/e.*$/, "")
          .replace(".", "")
          .replace(/^0+/, "")
          .replace(/0+$/, "");
        assert.ok(digits.length <= 9, text);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe(".npy writer", () => {
  it("writes a 128-byte v1.0 header that numpy accepts (64-byte aligned, newline-terminated)", () => {
    const h = npyHeader(12345, 52);
    assert.equal(h.length, 128);
    assert.equal(h.toString("latin1", 1, 6), "NUMPY");
    assert.equal(h.readUInt16LE(8), 118);
    assert.equal(h[127], 0x0a);
    assert.match(
      h.toString("latin1", 10),
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(12345, 52\), \} +\n$/,
    );
  });

  it("streams rows in chunks and patches the row count at close", () => {
    const dir = mkdtempSync(join(tmpdir(), "npy-"));
    try {
      const path = join(dir, "x.npy");
      const w = new NpyWriter(path, 3, 4);
      const row = new Float32Array(3);
      for (let r = 0; r < 10; r++) {
        row.set([r, r + 0.5, -r / 3]);
        w.writeRow(row);
      }
      w.close();
      assert.equal(readFileSync(path).length, 128 + 10 * 3 * 4);
      const back = readNpy(path);
      assert.equal(back.rows, 10);
      assert.equal(back.cols, 3);
      assert.equal(back.data[9 * 3 + 2], Math.fround(-9 / 3));
      assert.equal(back.data[4 * 3 + 1], 4.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import ort from "onnxruntime-node";
import { mlpForward } from "../../src/policy/mlp.js";
import { writeMlpOnnx } from "../../src/policy/onnx-writer.js";
import { ProtoWriter } from "../../src/policy/protobuf-writer.js";
import { randomMlp, randomObservations } from "./helpers.js";

test("protobuf varints and tags follow the wire format", () => {
  // field 1 varint 150 → 08 96 01 (the protobuf encoding guide's example)
  assert.deepEqual([...new ProtoWriter().intField(1, 150).finish()], [0x08, 0x96, 0x01]);
  // field 2 string "testing" → 12 07 74 65 73 74 69 6e 67
  assert.deepEqual(
    [...new ProtoWriter().stringField(2, "testing").finish()],
    [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67],
  );
  // field 2 float 1.0 → 15 00 00 80 3f
  assert.deepEqual([...new ProtoWriter().floatField(2, 1).finish()], [0x15, 0x00, 0x00, 0x80, 0x3f]);
});

for (const widths of [
  [52, 64, 64, 5],
  [52, 32, 21],
  [52, 16, 16, 16, 5],
]) {
  test(`an MLP ${widths.join("→")} written by the writer runs in onnxruntime like the TS forward pass`, async () => {
    const mlp = randomMlp(widths.length * 7 + widths[1], widths);
    const session = await ort.InferenceSession.create(writeMlpOnnx(mlp));
    try {
      assert.deepEqual(session.inputNames, ["obs"]);
      assert.deepEqual(session.outputNames, ["logits"]);
      const out = widths[widths.length - 1];
      for (const n of [1, 3, 17]) {
        const obs = randomObservations(n * 31, n);
        const result = await session.run({ obs: new ort.Tensor("float32", obs, [n, 52]) });
        const logits = result.logits;
        assert.deepEqual(logits.dims, [n, out]);
        const expected = new Float32Array(n * out);
        mlpForward(mlp, obs, n, expected);
        const got = logits.data as Float32Array;
        for (let i = 0; i < expected.length; i++) {
          assert.ok(Math.abs(got[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])), `logit ${i}`);
        }
      }
    } finally {
      await session.release();
    }
  });
}

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { argmaxRows, mlpForward } from "../../src/policy/mlp.js";
import { encodeOnnxModel, OnnxDataType, writeMlpOnnx } from "../../src/policy/onnx-writer.js";
import { PolicyContractError, PolicySession } from "../../src/policy/policy-session.js";
import { randomLayer, randomMlp, randomObservations, seededRandom } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "policy-session-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function modelFile(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Graph whose input is int64 [N,52], cast to float before an otherwise valid MLP layer. */
function int64InputModel(): Uint8Array {
  const layer = randomLayer(seededRandom(5), 52, 5);
  return encodeOnnxModel({
    name: "int64_input",
    nodes: [
      {
        name: "cast",
        opType: "Cast",
        inputs: ["obs"],
        outputs: ["x"],
        attributes: [{ name: "to", kind: "int", value: 1 }],
      },
      {
        name: "gemm",
        opType: "Gemm",
        inputs: ["x", "w", "b"],
        outputs: ["logits"],
        attributes: [{ name: "transB", kind: "int", value: 1 }],
      },
    ],
    initializers: [
      { name: "w", dims: [5, 52], data: layer.weights },
      { name: "b", dims: [5], data: layer.bias },
    ],
    inputs: [{ name: "obs", elemType: OnnxDataType.INT64, dims: ["N", 52] }],
    outputs: [{ name: "logits", elemType: OnnxDataType.FLOAT, dims: ["N", 5] }],
  });
}

/** Graph with a second input "mask" [N,5] added to the logits. */
function twoInputModel(): Uint8Array {
  const layer = randomLayer(seededRandom(6), 52, 5);
  return encodeOnnxModel({
    name: "two_inputs",
    nodes: [
      {
        name: "gemm",
        opType: "Gemm",
        inputs: ["obs", "w", "b"],
        outputs: ["raw"],
        attributes: [{ name: "transB", kind: "int", value: 1 }],
      },
      { name: "add", opType: "Add", inputs: ["raw", "mask"], outputs: ["logits"] },
    ],
    initializers: [
      { name: "w", dims: [5, 52], data: layer.weights },
      { name: "b", dims: [5], data: layer.bias },
    ],
    inputs: [
      { name: "obs", elemType: OnnxDataType.FLOAT, dims: ["N", 52] },
      { name: "mask", elemType: OnnxDataType.FLOAT, dims: ["N", 5] },
    ],
    outputs: [{ name: "logits", elemType: OnnxDataType.FLOAT, dims: ["N", 5] }],
  });
}

const wrongModels: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
  {
    name: "input [N,48]",
    bytes: () => writeMlpOnnx(randomMlp(1, [48, 16, 5])),
    message: /input "obs" has shape \[N,48\] but observation v1 needs \[N,52\]/,
  },
  {
    name: "output [N,7]",
    bytes: () => writeMlpOnnx(randomMlp(2, [52, 16, 7])),
    message: /output "logits" has shape \[N,7\] but the engine needs \[N,5\] or \[N,21\]/,
  },
  {
    name: "int64 input",
    bytes: int64InputModel,
    message: /input "obs" has type int64 but observation v1 needs float32/,
  },
  {
    name: "two inputs",
    bytes: twoInputModel,
    message:
      /has 2 inputs \("obs" is float32 \[N,52\], "mask" is float32 \[N,5\]\) but the engine feeds exactly one/,
  },
  {
    name: "fixed batch [1,52]",
    bytes: () => writeMlpOnnx(randomMlp(3, [52, 8, 5]), { batchDim: 1 }),
    message: /fixed batch dimension \[1,52\]/,
  },
  {
    name: "bytes that are not ONNX",
    bytes: () => new TextEncoder().encode("not a model"),
    message: /onnxruntime cannot load it/,
  },
];

for (const wrong of wrongModels) {
  test(`a model with ${wrong.name} is rejected at load with a message naming the file`, async () => {
    const path = modelFile(`${wrong.name.replace(/\W+/g, "_")}.onnx`, wrong.bytes());
    await assert.rejects(PolicySession.load(path), (err: unknown) => {
      assert.ok(err instanceof PolicyContractError);
      assert.ok(err.message.startsWith(`model ${path}: `), err.message);
      assert.match(err.message, wrong.message);
      assert.match(err.message, /docs\/model-contract\.md/);
      return true;
    });
  });
}

test("a 21-action model is rejected when the configuration requires 5 actions", async () => {
  const bytes = writeMlpOnnx(randomMlp(4, [52, 8, 21]));
  await assert.rejects(
    PolicySession.fromBytes(bytes, "m21.onnx", { expectedActionCount: 5 }),
    /has 21 actions/,
  );
});

test("valid 5- and 21-action models load and expose their action space", async () => {
  for (const [out, name] of [
    [5, "discrete5"],
    [21, "discrete21"],
  ] as const) {
    const policy = await PolicySession.load(
      modelFile(`ok${out}.onnx`, writeMlpOnnx(randomMlp(out, [52, 8, out]))),
    );
    assert.equal(policy.actionCount, out);
    assert.equal(policy.actionSpace.name, name);
    await policy.release();
  }
});

test("a batch of N rows gives the same actions and logits as N single-row runs", async () => {
  const mlp = randomMlp(11, [52, 64, 64, 21]);
  const policy = await PolicySession.fromBytes(writeMlpOnnx(mlp), "batch.onnx", { initialBatchRows: 4 });
  try {
    for (const n of [1, 2, 7, 33]) {
      const obs = randomObservations(100 + n, n);
      const batch = new Int32Array(n);
      await policy.run(obs, n, batch);
      const batchLogits = policy.lastLogits(n).slice();
      const expected = new Float32Array(n * 21);
      mlpForward(mlp, obs, n, expected);
      const expectedActions = new Int32Array(n);
      argmaxRows(expected, n, 21, expectedActions);
      const single = new Int32Array(1);
      for (let r = 0; r < n; r++) {
        await policy.run(obs.subarray(r * 52, (r + 1) * 52), 1, single);
        assert.equal(single[0], batch[r], `row ${r} of batch ${n}`);
        const rowLogits = policy.lastLogits(1);
        for (let k = 0; k < 21; k++) assert.ok(Math.abs(rowLogits[k] - batchLogits[r * 21 + k]) <= 1e-5);
      }
      assert.deepEqual([...batch], [...expectedActions]);
    }
  } finally {
    await policy.release();
  }
});

test("observations written into inputBuffer are used without a copy", async () => {
  const policy = await PolicySession.fromBytes(writeMlpOnnx(randomMlp(12, [52, 8, 5])), "buf.onnx");
  try {
    const obs = randomObservations(7, 3);
    const viaCopy = new Int32Array(3);
    await policy.run(obs, 3, viaCopy);
    const buf = policy.inputBuffer(3);
    buf.set(obs);
    const direct = new Int32Array(3);
    await policy.run(buf, 3, direct);
    assert.deepEqual([...direct], [...viaCopy]);
  } finally {
    await policy.release();
  }
});

test("argmax picks the lowest index on ties and never picks NaN over a number", () => {
  const logits = Float32Array.from([
    1,
    3,
    3,
    0,
    2,
    /**/ 0,
    0,
    0,
    0,
    0,
    /**/ NaN,
    -1,
    5,
    5,
    NaN,
    /**/ NaN,
    NaN,
    NaN,
    NaN,
    NaN,
  ]);
  const out = new Int32Array(4);
  argmaxRows(logits, 4, 5, out);
  assert.deepEqual([...out], [1, 0, 2, 0]);
});

test("an overlapping deferred run is refused instead of overwriting the pending batch", async () => {
  const policy = await PolicySession.fromBytes(writeMlpOnnx(randomMlp(13, [52, 8, 5])), "overlap.onnx", {
    inline: false,
  });
  assert.equal(policy.runsInline, false);
  try {
    const obs = randomObservations(9, 2);
    const first = policy.run(obs, 2, new Int32Array(2));
    await assert.rejects(policy.run(obs, 2, new Int32Array(2)), /not re-entrant/);
    await first;
    await policy.run(obs, 2, new Int32Array(2));
  } finally {
    await policy.release();
  }
});

test("the inline run has its actions when run returns, and agrees with the deferred run", async () => {
  const bytes = writeMlpOnnx(randomMlp(14, [52, 16, 21]));
  const inline = await PolicySession.fromBytes(bytes, "inline.onnx");
  const deferred = await PolicySession.fromBytes(bytes, "deferred.onnx", { inline: false });
  try {
    assert.equal(inline.runsInline, true, "onnxruntime-node's native session loads");
    for (const n of [1, 3, 40]) {
      const obs = randomObservations(200 + n, n);
      const a = new Int32Array(n).fill(-1);
      const pending = inline.run(obs, n, a);
      assert.equal(
        a.every((v) => v >= 0),
        true,
        "actions written before the promise is awaited",
      );
      await pending;
      const b = new Int32Array(n);
      await deferred.run(obs, n, b);
      assert.deepEqual([...a], [...b]);
      assert.deepEqual([...inline.lastLogits(n)], [...deferred.lastLogits(n)]);
    }
  } finally {
    await inline.release();
    await deferred.release();
  }
});

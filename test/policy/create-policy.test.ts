import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createPolicy } from "../../src/policy/create-policy.js";
import { PolicyContractError } from "../../src/policy/policy-session.js";

const bundled = fileURLToPath(new URL("../../models/policy-v1.onnx", import.meta.url));

test("configuration selects the ONNX policy or the rule selector behind one interface", async () => {
  const onnx = await createPolicy({ kind: "onnx", modelPath: bundled });
  const rule = await createPolicy({ kind: "rule", actionCount: 21 });
  try {
    assert.match(onnx.description, /^onnx:.*policy-v1\.onnx$/);
    assert.equal(onnx.actionSpace.actionCount, 5);
    assert.equal(rule.description, "rule:microprice-v1");
    assert.equal(rule.actionSpace.actionCount, 21);
    const obs = new Float32Array(52 * 2);
    const actions = new Int32Array(2).fill(-1);
    await onnx.decide(obs, 2, actions);
    assert.ok(actions.every((a) => a >= 0 && a < 5));
    await rule.decide(obs, 2, actions);
    assert.deepEqual([...actions], [0, 0]); // empty books → HOLD
  } finally {
    await onnx.release();
    await rule.release();
  }
});

test("a missing model file stops startup with a contract error naming it", async () => {
  await assert.rejects(
    createPolicy({ kind: "onnx", modelPath: "models/does-not-exist.onnx" }),
    (err: unknown) => {
      assert.ok(err instanceof PolicyContractError);
      assert.match(err.message, /^model models\/does-not-exist\.onnx: onnxruntime cannot load it/);
      return true;
    },
  );
});

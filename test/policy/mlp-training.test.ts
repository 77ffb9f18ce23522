import assert from "node:assert/strict";
import { test } from "node:test";
import { type Dataset, MlpTrainer, type TrainingConfig } from "../../scripts/policy/mlp-training.js";
import { Prng } from "../../scripts/policy/prng.js";
import { syntheticObservations } from "../../scripts/policy/synthetic-observations.js";
import { argmaxRows, mlpForward } from "../../src/policy/mlp.js";

function dataset(seed: number, rows: number, label: (o: Float32Array, base: number) => number): Dataset {
  const x = syntheticObservations(new Prng(seed), rows);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) y[r] = label(x, r * 52);
  return { x, y, rows, inputSize: 52 };
}

// A small-difference target like the rule's edges: is the touch microprice (7) above the mid (4)?
const aboveMid = (o: Float32Array, b: number) => (o[b + 7] - o[b + 4] > 0.001 ? 1 : 0);

test("the exported float32 model folds the whitening into layer 1 and matches the trainer", () => {
  const data = dataset(1, 2000, aboveMid);
  const rng = new Prng(2);
  const trainer = new MlpTrainer([52, 16, 16, 2], rng);
  trainer.fitWhitening(data);
  const config: TrainingConfig = {
    epochs: 1,
    batchSize: 64,
    learningRate: 3e-3,
    finalLearningRate: 3e-3,
    classWeights: Float64Array.from([1, 1]),
  };
  trainer.trainEpoch(data, config, 0, rng);
  const reference = trainer.logits(data);
  const exported = new Float32Array(data.rows * 2);
  mlpForward(trainer.toMlpModel(), data.x, data.rows, exported);
  for (let i = 0; i < reference.length; i++) {
    assert.ok(Math.abs(exported[i] - reference[i]) <= 1e-3 * (1 + Math.abs(reference[i])), `logit ${i}`);
  }
});

test("training learns a small price difference from observation rows", () => {
  const train = dataset(3, 6000, aboveMid);
  const holdout = dataset(4, 2000, aboveMid);
  const rng = new Prng(5);
  const trainer = new MlpTrainer([52, 16, 2], rng);
  trainer.fitWhitening(train);
  const config: TrainingConfig = {
    epochs: 4,
    batchSize: 64,
    learningRate: 5e-3,
    finalLearningRate: 5e-4,
    classWeights: Float64Array.from([1, 1]),
  };
  for (let e = 0; e < config.epochs; e++) trainer.trainEpoch(train, config, e, rng);
  const logits = new Float32Array(holdout.rows * 2);
  mlpForward(trainer.toMlpModel(), holdout.x, holdout.rows, logits);
  const actions = new Int32Array(holdout.rows);
  argmaxRows(logits, holdout.rows, 2, actions);
  let right = 0;
  for (let r = 0; r < holdout.rows; r++) if (actions[r] === holdout.y[r]) right++;
  assert.ok(right / holdout.rows > 0.9, `holdout accuracy ${right / holdout.rows}`);
});

test("the PRNG is deterministic per seed", () => {
  const a = new Prng(42);
  const b = new Prng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
  assert.notEqual(new Prng(1).next(), new Prng(2).next());
});

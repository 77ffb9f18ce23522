/**
 * Trains the bundled policy: an MLP 52→64→64→5 that imitates the rule selector
 * (src/policy/rule-selector.ts) over observation v1, and writes it as ONNX plus a JSON card.
 *
 *   node --import tsx scripts/train-policy.ts --seed 1 --out models/policy-v1.onnx
 *
 * Data: observation rows labelled by `ruleActionKind`. `--source feed` (default) builds them with
 * the engine's real feature code from generated Kalshi book frames (scripts/policy/
 * feed-observations.ts); `--source synthetic` uses consistent random vectors; `--source mix` uses
 * both halves. Deterministic for a given seed. The holdout is generated with a different seed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { Command } from "commander";
import { ACTION_KIND_NAMES } from "../src/policy/action-space.js";
import { argmaxRows, type MlpModel, mlpForward } from "../src/policy/mlp.js";
import { writeMlpOnnx } from "../src/policy/onnx-writer.js";
import { OBSERVATION_V1_SIZE } from "../src/policy/policy.js";
import { PolicySession } from "../src/policy/policy-session.js";
import { DEFAULT_RULE_PARAMS, ruleActionKind } from "../src/policy/rule-selector.js";
import { DataPrefetcher } from "./policy/data-prefetcher.js";
import { type Dataset, MlpTrainer, type TrainingConfig } from "./policy/mlp-training.js";
import { generateObservations, type ObservationSource } from "./policy/observation-sources.js";
import { Prng } from "./policy/prng.js";

const CLASSES = 5;

interface Options {
  seed: number;
  out: string;
  rows: number;
  holdoutRows: number;
  epochs: number;
  source: ObservationSource;
  classWeightPower: number;
}

function parseOptions(): Options {
  const program = new Command()
    .option("--seed <n>", "PRNG seed", "1")
    .option("--out <path>", "ONNX output path (the JSON card goes next to it)", "models/policy-v1.onnx")
    .option("--rows <n>", "training rows per epoch (fresh rows every epoch)", "60000")
    .option("--holdout-rows <n>", "holdout rows", "30000")
    .option("--epochs <n>", "epochs", "16")
    .option("--source <s>", "feed | synthetic | mix", "feed")
    .option("--class-weight-power <p>", "class weight = (rows / (classes · count))^p", "0.5")
    .parse(process.argv);
  const o = program.opts();
  const source = String(o.source);
  if (source !== "feed" && source !== "synthetic" && source !== "mix")
    throw new Error(`bad --source ${source}`);
  return {
    seed: Number(o.seed),
    out: String(o.out),
    rows: Number(o.rows),
    holdoutRows: Number(o.holdoutRows),
    epochs: Number(o.epochs),
    source,
    classWeightPower: Number(o.classWeightPower),
  };
}

function labelled(x: Float32Array, rows: number): Dataset {
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) y[r] = ruleActionKind(x, r * OBSERVATION_V1_SIZE, DEFAULT_RULE_PARAMS);
  return { x, y, rows, inputSize: OBSERVATION_V1_SIZE };
}

function classCounts(data: Dataset): number[] {
  const counts = new Array<number>(CLASSES).fill(0);
  for (let r = 0; r < data.rows; r++) counts[data.y[r]]++;
  return counts;
}

interface Evaluation {
  accuracy: number;
  perClass: Record<string, { rows: number; accuracy: number }>;
  balancedAccuracy: number;
}

function evaluate(mlp: MlpModel, data: Dataset): Evaluation {
  const logits = new Float32Array(data.rows * CLASSES);
  mlpForward(mlp, data.x, data.rows, logits);
  const actions = new Int32Array(data.rows);
  argmaxRows(logits, data.rows, CLASSES, actions);
  const right = new Array<number>(CLASSES).fill(0);
  const total = new Array<number>(CLASSES).fill(0);
  for (let r = 0; r < data.rows; r++) {
    total[data.y[r]]++;
    if (actions[r] === data.y[r]) right[data.y[r]]++;
  }
  const perClass: Evaluation["perClass"] = {};
  let balanced = 0;
  let present = 0;
  for (let k = 0; k < CLASSES; k++) {
    const accuracy = total[k] > 0 ? right[k] / total[k] : Number.NaN;
    perClass[ACTION_KIND_NAMES[k]] = { rows: total[k], accuracy: round(accuracy) };
    if (total[k] > 0) {
      balanced += accuracy;
      present++;
    }
  }
  const correct = right.reduce((a, b) => a + b, 0);
  return { accuracy: round(correct / data.rows), perClass, balancedAccuracy: round(balanced / present) };
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/** The written bytes must give the TS forward pass's actions in onnxruntime too. */
async function checkOnnx(bytes: Uint8Array, mlp: MlpModel, data: Dataset): Promise<number> {
  const rows = Math.min(data.rows, 4096);
  const policy = await PolicySession.fromBytes(bytes, "trained model");
  try {
    const fromOnnx = new Int32Array(rows);
    await policy.run(data.x.subarray(0, rows * OBSERVATION_V1_SIZE), rows, fromOnnx);
    const logits = new Float32Array(rows * CLASSES);
    mlpForward(mlp, data.x, rows, logits);
    const fromTs = new Int32Array(rows);
    argmaxRows(logits, rows, CLASSES, fromTs);
    let same = 0;
    for (let r = 0; r < rows; r++) if (fromOnnx[r] === fromTs[r]) same++;
    return same / rows;
  } finally {
    await policy.release();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const started = performance.now();
  // Every epoch sees fresh rows from a fresh simulator (seed·1000 + epoch): the model cannot
  // memorise one run's markets, and the holdout (another seed) measures generalisation. A worker
  // thread generates epoch e + 1 while this thread trains on epoch e.
  const prefetcher = new DataPrefetcher(options.source, options.rows);
  try {
    await train(options, prefetcher, started);
  } finally {
    await prefetcher.close();
  }
}

async function train(options: Options, prefetcher: DataPrefetcher, started: number): Promise<void> {
  const epochSeed = (epoch: number): number => options.seed * 1000 + epoch;
  prefetcher.request(epochSeed(0));
  const holdout = labelled(
    generateObservations(options.source, new Prng(options.seed + 0x5eed), options.holdoutRows),
    options.holdoutRows,
  );
  let rows = labelled(await prefetcher.take(epochSeed(0)), options.rows);
  const generatedMs = performance.now() - started;
  const counts = classCounts(rows);
  // Balanced class weights (rows / (classes · count)), capped so a handful of rows cannot dominate.
  const classWeights = Float64Array.from(counts, (c) =>
    c > 0 ? Math.min(20, (rows.rows / (CLASSES * c)) ** options.classWeightPower) : 0,
  );
  process.stderr.write(
    `data: ${rows.rows} train rows per epoch / ${holdout.rows} holdout rows from "${options.source}" in ` +
      `${(generatedMs / 1000).toFixed(1)} s; train classes ${counts.join(" / ")}\n`,
  );

  const config: TrainingConfig = {
    epochs: options.epochs,
    batchSize: 128,
    learningRate: 3e-3,
    finalLearningRate: 5e-5,
    classWeights,
  };
  const rng = new Prng(options.seed ^ 0x7a11);
  const trainer = new MlpTrainer([OBSERVATION_V1_SIZE, 64, 64, CLASSES], rng);
  trainer.fitWhitening(rows);
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    if (epoch > 0) rows = labelled(await prefetcher.take(epochSeed(epoch)), options.rows);
    if (epoch + 1 < config.epochs) prefetcher.request(epochSeed(epoch + 1));
    const loss = trainer.trainEpoch(rows, config, epoch, rng);
    if (epoch % 4 === 3 || epoch === config.epochs - 1) {
      const ev = evaluate(trainer.toMlpModel(), holdout);
      process.stderr.write(
        `epoch ${epoch + 1}/${config.epochs} loss ${loss.toFixed(4)} holdout ${ev.accuracy} ` +
          `balanced ${ev.balancedAccuracy} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    }
  }
  const mlp = trainer.toMlpModel();
  const trainEval = evaluate(mlp, rows);
  const holdoutEval = evaluate(mlp, holdout);
  const bytes = writeMlpOnnx(mlp, { producerName: "kalshi-engine scripts/train-policy.ts" });
  const onnxAgreement = await checkOnnx(bytes, mlp, holdout);
  const trainingSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, bytes);
  const card = {
    model: options.out.split("/").pop(),
    contract: {
      input: "obs float32 [N,52] (observation v1)",
      output: "logits float32 [N,5]",
      actionSpace: "discrete5",
    },
    architecture:
      "MLP 52→64→64→5, ReLU, Gemm(transB=1); input whitening (regularised Cholesky) folded into layer 1",
    imitates: { policy: "rule:microprice-v1 (src/policy/rule-selector.ts)", params: DEFAULT_RULE_PARAMS },
    seed: options.seed,
    data: {
      source: options.source,
      generator:
        options.source === "synthetic"
          ? "scripts/policy/synthetic-observations.ts"
          : "scripts/policy/feed-observations.ts: 48 simulated markets per run (cent and $0.001 ticks, " +
            "drifting fair values, quotes/cancels/takes/snapshots as Kalshi orderbook frames) through " +
            "FeedApplier → BookTable → TemporalTable → ObservationBuilder; portfolio redrawn every 300 frames",
      trainRowsPerEpoch: rows.rows,
      trainRowsTotal: rows.rows * config.epochs,
      trainSeeds: `seed·1000 + epoch (${options.seed * 1000}…${options.seed * 1000 + config.epochs - 1})`,
      holdoutRows: holdout.rows,
      holdoutSeed: options.seed + 0x5eed,
      firstEpochClassRows: Object.fromEntries(counts.map((c, k) => [ACTION_KIND_NAMES[k], c])),
    },
    training: {
      epochs: config.epochs,
      batchSize: config.batchSize,
      optimizer: "Adam (β1 0.9, β2 0.999), cosine learning rate 3e-3 → 5e-5",
      loss: `softmax cross-entropy, class weights (rows / (classes · count))^${options.classWeightPower} capped at 20`,
      classWeights: [...classWeights].map(round),
      wallSeconds: Math.round(trainingSeconds * 10) / 10,
      cpuSeconds: Math.round(cpuSeconds * 10) / 10,
      loadAverageAtEnd: Math.round(loadavg()[0] * 10) / 10,
    },
    /** on the last epoch's rows, which the model was trained on */
    train: trainEval,
    holdout: holdoutEval,
    onnxruntimeAgreement: onnxAgreement,
    bytes: bytes.length,
    date: new Date().toISOString(),
  };
  const cardPath = `${options.out.replace(/\.onnx$/, "")}.json`;
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  process.stderr.write(
    `wrote ${options.out} (${bytes.length} bytes) and ${cardPath}: holdout accuracy ${holdoutEval.accuracy}, ` +
      `balanced ${holdoutEval.balancedAccuracy}, per class ${JSON.stringify(holdoutEval.perClass)}, ` +
      `onnxruntime agreement ${onnxAgreement}, ${trainingSeconds.toFixed(1)} s\n`,
  );
}

await main();

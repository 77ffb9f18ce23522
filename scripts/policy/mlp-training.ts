/**
 * Plain-TypeScript MLP training: ReLU hidden layers, softmax cross-entropy with class weights,
 * mini-batch Adam with a cosine learning-rate schedule. Binary64 math in Float64Arrays; no
 * libraries. Used by scripts/train-policy.ts only (offline, not on any engine thread).
 *
 * Inputs are standardised with the training set's per-feature mean and standard deviation; the
 * standardisation is folded into the first layer on export (`toMlpModel`), so the exported model
 * takes raw observation v1 rows like any other policy.
 */
import type { DenseLayer, MlpModel } from "../../src/policy/mlp.js";
import type { Prng } from "./prng.js";

export interface Dataset {
  /** rows × inputSize, row-major */
  x: Float32Array;
  /** class index per row */
  y: Uint8Array;
  rows: number;
  inputSize: number;
}

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  /** per-class loss weights (length = classes) */
  classWeights: Float64Array;
}

interface Layer {
  inSize: number;
  outSize: number;
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;
/** a feature whose spread is below this is treated as constant (scale 1) */
const MIN_STD = 1e-6;

export class MlpTrainer {
  readonly layers: Layer[] = [];
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
  private step = 0;

  /** widths e.g. [52, 64, 64, 5]; He-normal weights, zero biases */
  constructor(
    readonly widths: readonly number[],
    rng: Prng,
  ) {
    for (let l = 0; l + 1 < widths.length; l++) {
      const inSize = widths[l];
      const outSize = widths[l + 1];
      const w = new Float64Array(inSize * outSize);
      const scale = Math.sqrt(2 / inSize);
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
      const n = w.length;
      this.layers.push({
        inSize,
        outSize,
        w,
        b: new Float64Array(outSize),
        gw: new Float64Array(n),
        gb: new Float64Array(outSize),
        mw: new Float64Array(n),
        vw: new Float64Array(n),
        mb: new Float64Array(outSize),
        vb: new Float64Array(outSize),
      });
    }
    this.mean = new Float64Array(widths[0]);
    this.invStd = new Float64Array(widths[0]).fill(1);
  }

  /** Sets the input standardisation from a dataset (call once, before training). */
  fitStandardisation(data: Dataset): void {
    const k = data.inputSize;
    const sum = new Float64Array(k);
    const sumSq = new Float64Array(k);
    for (let r = 0; r < data.rows; r++) {
      for (let i = 0; i < k; i++) {
        const v = data.x[r * k + i];
        sum[i] += v;
        sumSq[i] += v * v;
      }
    }
    for (let i = 0; i < k; i++) {
      const m = sum[i] / data.rows;
      const variance = Math.max(0, sumSq[i] / data.rows - m * m);
      const std = Math.sqrt(variance);
      this.mean[i] = m;
      this.invStd[i] = std > MIN_STD ? 1 / std : 1;
    }
  }

  /** One pass over `data` in shuffled mini-batches; returns the mean weighted loss. */
  trainEpoch(data: Dataset, config: TrainingConfig, epoch: number, rng: Prng): number {
    const order = new Uint32Array(data.rows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    rng.shuffle(order);
    const progress = config.epochs > 1 ? epoch / (config.epochs - 1) : 1;
    const lr =
      config.finalLearningRate +
      0.5 * (config.learningRate - config.finalLearningRate) * (1 + Math.cos(Math.PI * progress));
    const acts = this.widths.map((w) => new Float64Array(config.batchSize * w));
    const deltas = this.widths.map((w) => new Float64Array(config.batchSize * w));
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < data.rows; start += config.batchSize) {
      const n = Math.min(config.batchSize, data.rows - start);
      this.loadBatch(data, order, start, n, acts[0]);
      this.forward(acts, n);
      const out = this.layers.length;
      const classes = this.widths[out];
      // Softmax cross-entropy gradient, weighted, normalised by the batch's total weight.
      let batchWeight = 0;
      for (let r = 0; r < n; r++) batchWeight += config.classWeights[data.y[order[start + r]]];
      const logits = acts[out];
      const d = deltas[out];
      for (let r = 0; r < n; r++) {
        const label = data.y[order[start + r]];
        const weight = config.classWeights[label];
        const base = r * classes;
        let max = logits[base];
        for (let k = 1; k < classes; k++) max = Math.max(max, logits[base + k]);
        let z = 0;
        for (let k = 0; k < classes; k++) z += Math.exp(logits[base + k] - max);
        for (let k = 0; k < classes; k++) {
          const p = Math.exp(logits[base + k] - max) / z;
          d[base + k] = ((p - (k === label ? 1 : 0)) * weight) / batchWeight;
        }
        lossSum += weight * (Math.log(z) + max - logits[base + label]);
        weightSum += weight;
      }
      this.backward(acts, deltas, n);
      this.adamStep(lr);
    }
    return lossSum / weightSum;
  }

  private loadBatch(data: Dataset, order: Uint32Array, start: number, n: number, out: Float64Array): void {
    const k = data.inputSize;
    for (let r = 0; r < n; r++) {
      const src = order[start + r] * k;
      for (let i = 0; i < k; i++) out[r * k + i] = (data.x[src + i] - this.mean[i]) * this.invStd[i];
    }
  }

  private forward(acts: Float64Array[], n: number): void {
    for (let l = 0; l < this.layers.length; l++) {
      const { inSize, outSize, w, b } = this.layers[l];
      const relu = l < this.layers.length - 1;
      const x = acts[l];
      const y = acts[l + 1];
      for (let r = 0; r < n; r++) {
        const xb = r * inSize;
        for (let o = 0; o < outSize; o++) {
          let acc = b[o];
          const wb = o * inSize;
          for (let i = 0; i < inSize; i++) acc += w[wb + i] * x[xb + i];
          y[r * outSize + o] = relu && acc < 0 ? 0 : acc;
        }
      }
    }
  }

  private backward(acts: Float64Array[], deltas: Float64Array[], n: number): void {
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { inSize, outSize, w, gw, gb } = this.layers[l];
      gw.fill(0);
      gb.fill(0);
      const x = acts[l];
      const d = deltas[l + 1];
      const dPrev = deltas[l];
      const needPrev = l > 0;
      if (needPrev) dPrev.fill(0, 0, n * inSize);
      for (let r = 0; r < n; r++) {
        const xb = r * inSize;
        for (let o = 0; o < outSize; o++) {
          const g = d[r * outSize + o];
          if (g === 0) continue;
          gb[o] += g;
          const wb = o * inSize;
          for (let i = 0; i < inSize; i++) {
            gw[wb + i] += g * x[xb + i];
            if (needPrev) dPrev[xb + i] += w[wb + i] * g;
          }
        }
      }
      // ReLU derivative of the layer below: zero where its activation was clipped.
      if (needPrev) for (let i = 0; i < n * inSize; i++) if (x[i] <= 0) dPrev[i] = 0;
    }
  }

  private adamStep(lr: number): void {
    this.step++;
    const c1 = 1 - BETA1 ** this.step;
    const c2 = 1 - BETA2 ** this.step;
    for (const layer of this.layers) {
      adam(layer.w, layer.gw, layer.mw, layer.vw, lr, c1, c2);
      adam(layer.b, layer.gb, layer.mb, layer.vb, lr, c1, c2);
    }
  }

  /** Float32 model taking raw (unstandardised) inputs: the standardisation is folded in. */
  toMlpModel(): MlpModel {
    const layers: DenseLayer[] = this.layers.map((layer, l) => {
      const weights = new Float32Array(layer.w.length);
      const bias = new Float32Array(layer.outSize);
      for (let o = 0; o < layer.outSize; o++) {
        let b = layer.b[o];
        for (let i = 0; i < layer.inSize; i++) {
          const wi = layer.w[o * layer.inSize + i];
          if (l === 0) {
            // w·((x − μ)·s) = (w·s)·x − w·s·μ
            weights[o * layer.inSize + i] = wi * this.invStd[i];
            b -= wi * this.invStd[i] * this.mean[i];
          } else weights[o * layer.inSize + i] = wi;
        }
        bias[o] = b;
      }
      return { inSize: layer.inSize, outSize: layer.outSize, weights, bias };
    });
    return { layers };
  }
}

function adam(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
    v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
    p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPSILON);
  }
}

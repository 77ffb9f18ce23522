/**
 * Plain-TypeScript MLP training: ReLU hidden layers, softmax cross-entropy with class weights,
 * mini-batch Adam with a cosine learning-rate schedule. Binary64 math in Float64Arrays; no
 * libraries. Used by scripts/train-policy.ts only (offline, not on any engine thread).
 *
 * Inputs are whitened: z = M·(x − μ) with M = L⁻¹·diag(1/σ), where L·Lᵀ is the Cholesky factor of
 * the training rows' correlation matrix plus ε·I. Observation v1 holds nearly collinear features
 * whose small differences carry the signal (touch microprice 7 vs mid 4: a few ticks on a price
 * that spans the whole (0, 1) range); whitening turns such a difference into a unit-variance input
 * direction that gradient descent finds quickly, while ε keeps exact identities (e.g. 5 = 1 − 4)
 * from amplifying float32 noise. The transform is linear, so it is folded into the first layer on
 * export (`toMlpModel`): the exported model takes raw observation v1 rows like any other policy.
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
/** ridge added to the correlation matrix before whitening */
const WHITENING_EPSILON = 1e-5;

export class MlpTrainer {
  readonly layers: Layer[] = [];
  readonly mean: Float64Array;
  /** k × k, row-major, lower triangular: z = transform · (x − mean) */
  readonly transform: Float64Array;
  private step = 0;
  private readonly centred: Float64Array;

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
    const k = widths[0];
    this.mean = new Float64Array(k);
    this.transform = new Float64Array(k * k);
    for (let i = 0; i < k; i++) this.transform[i * k + i] = 1;
    this.centred = new Float64Array(k);
  }

  /** Sets the input whitening from a dataset (call once, before training). */
  fitWhitening(data: Dataset, epsilon = WHITENING_EPSILON): void {
    const k = data.inputSize;
    const mean = this.mean;
    mean.fill(0);
    for (let r = 0; r < data.rows; r++) for (let i = 0; i < k; i++) mean[i] += data.x[r * k + i];
    for (let i = 0; i < k; i++) mean[i] /= data.rows;
    const cov = new Float64Array(k * k);
    const centred = new Float64Array(k);
    for (let r = 0; r < data.rows; r++) {
      for (let i = 0; i < k; i++) centred[i] = data.x[r * k + i] - mean[i];
      for (let i = 0; i < k; i++) {
        const ci = centred[i];
        if (ci === 0) continue;
        for (let j = 0; j <= i; j++) cov[i * k + j] += ci * centred[j];
      }
    }
    const invStd = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const std = Math.sqrt(cov[i * k + i] / data.rows);
      invStd[i] = std > MIN_STD ? 1 / std : 0;
    }
    // Regularised correlation matrix (lower triangle), then its Cholesky factor L in place.
    const c = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) c[i * k + j] = (cov[i * k + j] / data.rows) * invStd[i] * invStd[j];
      c[i * k + i] += epsilon;
    }
    for (let j = 0; j < k; j++) {
      let d = c[j * k + j];
      for (let p = 0; p < j; p++) d -= c[j * k + p] * c[j * k + p];
      const ljj = Math.sqrt(Math.max(d, epsilon));
      c[j * k + j] = ljj;
      for (let i = j + 1; i < k; i++) {
        let v = c[i * k + j];
        for (let p = 0; p < j; p++) v -= c[i * k + p] * c[j * k + p];
        c[i * k + j] = v / ljj;
      }
    }
    // transform = L⁻¹ · diag(invStd): forward substitution column by column.
    const t = this.transform;
    t.fill(0);
    for (let col = 0; col < k; col++) {
      for (let i = col; i < k; i++) {
        let v = i === col ? 1 : 0;
        for (let p = col; p < i; p++) v -= c[i * k + p] * t[p * k + col];
        t[i * k + col] = v / c[i * k + i];
      }
    }
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) t[i * k + j] *= invStd[j];
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
      const centred = this.centred;
      for (let i = 0; i < k; i++) centred[i] = data.x[src + i] - this.mean[i];
      const t = this.transform;
      for (let i = 0; i < k; i++) {
        let z = 0;
        for (let j = 0; j <= i; j++) z += t[i * k + j] * centred[j];
        out[r * k + i] = z;
      }
    }
  }

  /** Logits of the training-time network (whitening applied in binary64), rows back to back. */
  logits(data: Dataset): Float64Array {
    const classes = this.widths[this.widths.length - 1];
    const out = new Float64Array(data.rows * classes);
    const acts = this.widths.map((w) => new Float64Array(w));
    const order = new Uint32Array(1);
    for (let r = 0; r < data.rows; r++) {
      order[0] = r;
      this.loadBatch(data, order, 0, 1, acts[0]);
      this.forward(acts, 1);
      out.set(acts[acts.length - 1], r * classes);
    }
    return out;
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

  /** Float32 model taking raw inputs: the whitening is folded into the first layer. */
  toMlpModel(): MlpModel {
    const k = this.widths[0];
    const t = this.transform;
    const layers: DenseLayer[] = this.layers.map((layer, l) => {
      const { inSize, outSize } = layer;
      const weights = new Float32Array(layer.w.length);
      const bias = new Float32Array(outSize);
      for (let o = 0; o < outSize; o++) {
        if (l > 0) {
          for (let i = 0; i < inSize; i++) weights[o * inSize + i] = layer.w[o * inSize + i];
          bias[o] = layer.b[o];
          continue;
        }
        // w·(T·(x − μ)) + b = (w·T)·x + (b − (w·T)·μ)
        let b = layer.b[o];
        for (let j = 0; j < k; j++) {
          let folded = 0;
          for (let i = j; i < k; i++) folded += layer.w[o * k + i] * t[i * k + j];
          weights[o * k + j] = folded;
          b -= folded * this.mean[j];
        }
        bias[o] = b;
      }
      return { inSize, outSize, weights, bias };
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

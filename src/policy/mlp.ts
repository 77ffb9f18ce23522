/**
 * Multi-layer perceptron weights and a pure-TypeScript forward pass (pure, shared).
 *
 * The forward pass is the reference the ONNX writer is checked against, and the trainer's
 * evaluation path. Layout matches PyTorch `nn.Linear` and the ONNX Gemm with transB = 1:
 * `weights[o * inSize + i]`, `y = W·x + b`; ReLU after every layer except the last.
 */

export interface DenseLayer {
  inSize: number;
  outSize: number;
  /** outSize × inSize, row-major ([out][in]) */
  weights: Float32Array;
  bias: Float32Array;
}

export interface MlpModel {
  layers: DenseLayer[];
}

export function mlpInputSize(mlp: MlpModel): number {
  return mlp.layers[0].inSize;
}

export function mlpOutputSize(mlp: MlpModel): number {
  return mlp.layers[mlp.layers.length - 1].outSize;
}

/** Scratch for `mlpForward`, sized for `maxRows` rows; allocate once, reuse. */
export class MlpScratch {
  readonly a: Float32Array;
  readonly b: Float32Array;
  constructor(
    mlp: MlpModel,
    readonly maxRows: number,
  ) {
    let width = 0;
    for (const l of mlp.layers) width = Math.max(width, l.outSize);
    this.a = new Float32Array(maxRows * width);
    this.b = new Float32Array(maxRows * width);
  }
}

/**
 * logitsOut[r * A + k] for rows r < n of `obs` (row-major [n, inSize]). Accumulates in binary64
 * and stores float32 per layer, which stays within ~1e-5 of onnxruntime's float32 Gemm.
 */
export function mlpForward(
  mlp: MlpModel,
  obs: Float32Array,
  n: number,
  logitsOut: Float32Array,
  scratch: MlpScratch = new MlpScratch(mlp, n),
): void {
  if (n > scratch.maxRows) throw new RangeError(`mlpForward: ${n} rows exceed scratch of ${scratch.maxRows}`);
  let input = obs;
  for (let li = 0; li < mlp.layers.length; li++) {
    const layer = mlp.layers[li];
    const last = li === mlp.layers.length - 1;
    const out = last ? logitsOut : li % 2 === 0 ? scratch.a : scratch.b;
    const { inSize, outSize, weights, bias } = layer;
    for (let r = 0; r < n; r++) {
      const xBase = r * inSize;
      for (let o = 0; o < outSize; o++) {
        let acc = bias[o];
        const wBase = o * inSize;
        for (let i = 0; i < inSize; i++) acc += weights[wBase + i] * input[xBase + i];
        out[r * outSize + o] = last || acc > 0 ? acc : 0;
      }
    }
    input = out;
  }
}

/**
 * Deterministic row-wise argmax: the first (lowest) index wins ties. A NaN logit never beats a
 * number, and a row of NaNs yields action 0 = HOLD in both action spaces.
 */
export function argmaxRows(logits: Float32Array, n: number, width: number, actionsOut: Int32Array): void {
  for (let r = 0; r < n; r++) {
    const base = r * width;
    let best = 0;
    let bestValue = logits[base];
    for (let k = 1; k < width; k++) {
      const v = logits[base + k];
      if (v > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(v))) {
        best = k;
        bestValue = v;
      }
    }
    actionsOut[r] = best;
  }
}

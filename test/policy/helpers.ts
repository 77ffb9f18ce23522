/** Deterministic fixtures for the policy tests (seeded, no I/O). */
import type { DenseLayer, MlpModel } from "../../src/policy/mlp.js";

/** mulberry32: small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomLayer(rand: () => number, inSize: number, outSize: number): DenseLayer {
  const scale = 1 / Math.sqrt(inSize);
  return {
    inSize,
    outSize,
    weights: Float32Array.from({ length: inSize * outSize }, () => (rand() * 2 - 1) * scale * 2),
    bias: Float32Array.from({ length: outSize }, () => rand() * 0.2 - 0.1),
  };
}

/** MLP with the given layer widths, e.g. [52, 64, 64, 5]. */
export function randomMlp(seed: number, widths: readonly number[]): MlpModel {
  const rand = seededRandom(seed);
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < widths.length; i++) layers.push(randomLayer(rand, widths[i], widths[i + 1]));
  return { layers };
}

export function randomObservations(seed: number, rows: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: rows * 52 }, () => rand() * 2 - 1);
}

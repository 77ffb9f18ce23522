/**
 * Where the trainer's observation rows come from (see scripts/train-policy.ts).
 */
import type { Prng } from "./prng.js";
import { syntheticObservations } from "./synthetic-observations.js";

export type ObservationSource = "feed" | "synthetic" | "mix";

export function generateObservations(source: ObservationSource, rng: Prng, rows: number): Float32Array {
  if (source === "synthetic") return syntheticObservations(rng, rows);
  throw new Error(`observation source "${source}" is not available yet`);
}

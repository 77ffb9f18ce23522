/**
 * Where the trainer's observation rows come from (see scripts/train-policy.ts).
 */
import { feedObservations } from "./feed-observations.js";
import type { Prng } from "./prng.js";
import { syntheticObservations } from "./synthetic-observations.js";

export type ObservationSource = "feed" | "synthetic" | "mix";

export function generateObservations(source: ObservationSource, rng: Prng, rows: number): Float32Array {
  if (source === "synthetic") return syntheticObservations(rng, rows);
  if (source === "feed") return feedObservations(rng, rows);
  const feedRows = Math.ceil(rows / 2);
  const x = new Float32Array(rows * 52);
  x.set(feedObservations(rng, feedRows), 0);
  x.set(syntheticObservations(rng, rows - feedRows), feedRows * 52);
  return x;
}

/**
 * The decision policy interface used by the decide workers (decide thread).
 *
 * Both the ONNX policy (`policy-session.ts`) and the rule selector (`rule-selector.ts`) implement
 * it, so the worker does not know which one it runs. One call decides a whole batch: `obs` holds
 * `n` observation-v1 rows of 52 float32 values back to back (observation-v1.md §1), and
 * `actionsOut[r]` receives the action index of row r in `actionSpace` (decode it with
 * `decodeAction`). The returned promise resolves when `actionsOut` is filled.
 */
import type { ActionSpace } from "./action-space.js";

/** Values per observation row (observation-v1.md §1). */
export const OBSERVATION_V1_SIZE = 52;

export interface Policy {
  /** "onnx:<model file>" or "rule:<rule name>", for logs and /stats */
  readonly description: string;
  readonly actionSpace: ActionSpace;
  decide(obs: Float32Array, n: number, actionsOut: Int32Array): Promise<void>;
  /** frees native resources (ONNX session); the policy must not be used afterwards */
  release(): Promise<void>;
}

/**
 * Builds the configured policy (decide thread: called once in the worker's init).
 *
 * `kind: "onnx"` loads and validates a model file (policy-session.ts); `kind: "rule"` runs the
 * rule selector (rule-selector.ts). Both return the same `Policy`, so the decide worker is
 * identical for either.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Policy } from "./policy.js";
import { PolicySession } from "./policy-session.js";
import { RuleSelector, type RuleSelectorParams } from "./rule-selector.js";

export const DEFAULT_MODEL_PATH = "models/policy-v1.onnx";

export type PolicyConfig =
  | {
      kind: "onnx";
      modelPath: string;
      /** trade size of the 5-action space in contracts (default 10) */
      size5Contracts?: number;
      /** reject a model whose action count differs */
      expectedActionCount?: 5 | 21;
    }
  | {
      kind: "rule";
      actionCount?: 5 | 21;
      size5Contracts?: number;
      size21Index?: number;
      params?: Partial<RuleSelectorParams>;
    };

export async function createPolicy(config: PolicyConfig): Promise<Policy> {
  if (config.kind === "onnx") {
    return PolicySession.load(config.modelPath, {
      size5Contracts: config.size5Contracts,
      expectedActionCount: config.expectedActionCount,
    });
  }
  return new RuleSelector({
    actionCount: config.actionCount,
    size5Contracts: config.size5Contracts,
    size21Index: config.size21Index,
    params: config.params,
  });
}

/**
 * What identifies the policy for a recording: the model file's SHA-256 (or the rule selector's
 * settings), so a replay can check it runs the policy that decided live.
 */
export function policyIdentity(config: PolicyConfig): Record<string, unknown> {
  if (config.kind === "onnx") {
    const sha256 = createHash("sha256").update(readFileSync(config.modelPath)).digest("hex");
    return {
      kind: "onnx",
      model_path: config.modelPath,
      model_sha256: sha256,
      size5_contracts: config.size5Contracts,
    };
  }
  return { ...config };
}

/**
 * Builds the configured policy (decide thread: called once in the worker's init).
 *
 * `kind: "onnx"` loads and validates a model file (policy-session.ts); `kind: "rule"` runs the
 * rule selector (rule-selector.ts). Both return the same `Policy`, so the decide worker is
 * identical for either.
 */
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

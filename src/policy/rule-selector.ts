/**
 * Rule selector: a hand-written microstructure policy over observation v1 (decide thread; pure).
 *
 * It implements the same `Policy` interface as the ONNX session and is what the bundled model
 * (models/policy-v1.onnx) is trained to imitate. It reads only the observation vector, so its
 * decisions are reproducible from a capture (observation-v1.md §1). Indices below are those of
 * observation-v1.md §5, §7 and §8.
 *
 * Rule, per row (first match wins):
 * 1. HOLD if either side of the book is empty: best YES bid (0) == 0 or best NO bid (2) == 0.
 * 2. HOLD unless the spread is positive (6) and narrow: spread_regime (10) ≤ maxSpreadRegime
 *    (default 0.25, i.e. spread < $0.05 — regime compares integer ticks, so no float edge case).
 * 3. Signal. UP when the touch microprice (7) and the book microprice (20) both sit at least
 *    `minEdgeDollars` above the YES mid (4) and touch_imbalance (11) ≥ minTouchImbalance.
 *    DOWN is the mirror (both microprices ≥ edge below the mid, imbalance ≤ −minTouchImbalance).
 *    No signal → HOLD.
 * 4. Reduce first. The observation has no per-market position, only the account-wide
 *    net_position_bias (42). On UP while the account is net NO (42 ≤ −reduceBias) → SELL_NO; on
 *    DOWN while it is net YES (42 ≥ reduceBias) → SELL_YES; unless a sell already rests in this
 *    market (48 == 1) → HOLD.
 * 5. Otherwise open: UP → BUY_YES, DOWN → BUY_NO; but HOLD when cash_ratio (36) < minCashRatio
 *    or a buy already rests in this market (47 == 1), so orders are not stacked.
 *
 * Executability (correctness-rules.md rule 22): a SELL is emitted from an account-wide signal, so the order
 * thread must cap it at the contracts actually held in that market (a SELL with nothing held
 * there is dropped by risk, not sent).
 *
 * In the 21-action space the rule trades `size21Index` of [5, 10, 20, 50, 100] (default 1 → 10).
 */
import { ActionKind, type ActionSpace, actionSpace5, actionSpace21 } from "./action-space.js";
import { OBSERVATION_V1_SIZE, type Policy } from "./policy.js";

/** Observation-v1 indices the rule reads (observation-v1.md §5, §7, §8). */
export const RuleObs = {
  BEST_YES_BID: 0,
  BEST_NO_BID: 2,
  YES_MID: 4,
  SPREAD: 6,
  TOUCH_MICROPRICE: 7,
  SPREAD_REGIME: 10,
  TOUCH_IMBALANCE: 11,
  BOOK_MICROPRICE: 20,
  CASH_RATIO: 36,
  NET_POSITION_BIAS: 42,
  HAS_OPEN_BUY: 47,
  HAS_OPEN_SELL: 48,
} as const;

export interface RuleSelectorParams {
  /** widest spread_regime (index 10) that may trade; 0.25 = spread < $0.05 */
  maxSpreadRegime: number;
  /** both microprices must be this many dollars beyond the mid */
  minEdgeDollars: number;
  /** |touch_imbalance| needed, same sign as the edge */
  minTouchImbalance: number;
  /** below this cash_ratio no new position is opened (reductions still are) */
  minCashRatio: number;
  /** |net_position_bias| from which a reversal sells instead of opening the other side */
  reduceBias: number;
}

export const DEFAULT_RULE_PARAMS: Readonly<RuleSelectorParams> = Object.freeze({
  maxSpreadRegime: 0.25,
  minEdgeDollars: 0.002,
  minTouchImbalance: 0.2,
  minCashRatio: 0.05,
  reduceBias: 0.1,
});

/** The rule's action kind for the observation row starting at obs[offset]. */
export function ruleActionKind(obs: Float32Array, offset: number, p: RuleSelectorParams): ActionKind {
  if (obs[offset + RuleObs.BEST_YES_BID] === 0 || obs[offset + RuleObs.BEST_NO_BID] === 0)
    return ActionKind.HOLD;
  if (!(obs[offset + RuleObs.SPREAD] > 0) || !(obs[offset + RuleObs.SPREAD_REGIME] <= p.maxSpreadRegime)) {
    return ActionKind.HOLD;
  }
  const mid = obs[offset + RuleObs.YES_MID];
  const touchEdge = obs[offset + RuleObs.TOUCH_MICROPRICE] - mid;
  const bookEdge = obs[offset + RuleObs.BOOK_MICROPRICE] - mid;
  const imbalance = obs[offset + RuleObs.TOUCH_IMBALANCE];
  let up: boolean;
  if (touchEdge >= p.minEdgeDollars && bookEdge >= p.minEdgeDollars && imbalance >= p.minTouchImbalance) {
    up = true;
  } else if (
    touchEdge <= -p.minEdgeDollars &&
    bookEdge <= -p.minEdgeDollars &&
    imbalance <= -p.minTouchImbalance
  ) {
    up = false;
  } else {
    return ActionKind.HOLD;
  }
  const bias = obs[offset + RuleObs.NET_POSITION_BIAS];
  if (up ? bias <= -p.reduceBias : bias >= p.reduceBias) {
    if (obs[offset + RuleObs.HAS_OPEN_SELL] !== 0) return ActionKind.HOLD;
    return up ? ActionKind.SELL_NO : ActionKind.SELL_YES;
  }
  if (obs[offset + RuleObs.CASH_RATIO] < p.minCashRatio || obs[offset + RuleObs.HAS_OPEN_BUY] !== 0) {
    return ActionKind.HOLD;
  }
  return up ? ActionKind.BUY_YES : ActionKind.BUY_NO;
}

export interface RuleSelectorOptions {
  params?: Partial<RuleSelectorParams>;
  /** 5 (default) or 21 */
  actionCount?: 5 | 21;
  /** trade size of the 5-action space in contracts (default 10) */
  size5Contracts?: number;
  /** index into [5, 10, 20, 50, 100] for the 21-action space (default 1 → 10 contracts) */
  size21Index?: number;
}

export class RuleSelector implements Policy {
  readonly description = "rule:microprice-v1";
  readonly actionSpace: ActionSpace;
  readonly params: Readonly<RuleSelectorParams>;
  /** action index of each ActionKind in this space */
  private readonly actionOfKind: Int32Array;

  constructor(options: RuleSelectorOptions = {}) {
    this.params = Object.freeze({ ...DEFAULT_RULE_PARAMS, ...options.params });
    const count = options.actionCount ?? 5;
    this.actionSpace = count === 21 ? actionSpace21() : actionSpace5(options.size5Contracts);
    const tier = options.size21Index ?? 1;
    if (!(tier >= 0 && tier <= 4) || (tier | 0) !== tier)
      throw new RangeError(`size21Index must be 0..4, got ${tier}`);
    this.actionOfKind = new Int32Array(5);
    // 21-action layout (correctness-rules.md rule 22): a = (kind − 1)·5 + sizeIndex + 1.
    for (let k = 1; k < 5; k++) this.actionOfKind[k] = count === 21 ? (k - 1) * 5 + tier + 1 : k;
  }

  /** Synchronous core of `decide`, for benches and the trainer. */
  decideSync(obs: Float32Array, n: number, actionsOut: Int32Array): void {
    for (let r = 0; r < n; r++) {
      actionsOut[r] = this.actionOfKind[ruleActionKind(obs, r * OBSERVATION_V1_SIZE, this.params)];
    }
  }

  decide(obs: Float32Array, n: number, actionsOut: Int32Array): Promise<void> {
    this.decideSync(obs, n, actionsOut);
    return Promise.resolve();
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}

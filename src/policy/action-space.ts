/**
 * Discrete action spaces of the policy (pure, shared; decoded in the decide workers).
 *
 * correctness-rules.md rule 22, exactly:
 * - 5 actions: 0 HOLD, 1 BUY_YES, 2 SELL_YES, 3 BUY_NO, 4 SELL_NO, every trade of one configurable
 *   size (default 10 contracts).
 * - 21 actions: 0 HOLD; a ≥ 1 → kind = ⌊(a−1)/5⌋ + 1 (1 BUY_YES, 2 SELL_YES, 3 BUY_NO,
 *   4 SELL_NO), size = [5, 10, 20, 50, 100][(a−1) mod 5] contracts.
 *
 * Decoding is a table lookup into Int32Arrays built once per space, and the result is a packed
 * int (`sizeHundredths * 8 + kind`), so the hot path allocates nothing.
 */
import { HUNDREDTHS_PER_CONTRACT } from "../kalshi/units.js";

export const ActionKind = {
  HOLD: 0,
  BUY_YES: 1,
  SELL_YES: 2,
  BUY_NO: 3,
  SELL_NO: 4,
} as const;
export type ActionKind = (typeof ActionKind)[keyof typeof ActionKind];

export const ACTION_KIND_NAMES = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;

/** Contract sizes of the 21-action space, in the order of (a−1) mod 5 (correctness-rules.md rule 22). */
export const SIZES_21_CONTRACTS = [5, 10, 20, 50, 100] as const;

export const DEFAULT_SIZE_5_CONTRACTS = 10;

export interface ActionSpace {
  readonly name: "discrete5" | "discrete21";
  /** number of logits the model must output */
  readonly actionCount: number;
  /** kind of action a (ActionKind) */
  readonly kinds: Int32Array;
  /** order size of action a in hundredths of a contract (0 for HOLD) */
  readonly sizesHundredths: Int32Array;
}

/** The 5-action space; every trade is `sizeContracts` contracts (rule 22; default 10). */
export function actionSpace5(sizeContracts: number = DEFAULT_SIZE_5_CONTRACTS): ActionSpace {
  const sizeHundredths = Math.round(sizeContracts * HUNDREDTHS_PER_CONTRACT);
  if (!(sizeHundredths >= 1) || Math.abs(sizeHundredths - sizeContracts * HUNDREDTHS_PER_CONTRACT) > 1e-6) {
    throw new RangeError(`5-action size must be a positive multiple of 0.01 contracts, got ${sizeContracts}`);
  }
  const kinds = Int32Array.from([0, 1, 2, 3, 4]);
  const sizes = Int32Array.from([0, sizeHundredths, sizeHundredths, sizeHundredths, sizeHundredths]);
  return Object.freeze({ name: "discrete5", actionCount: 5, kinds, sizesHundredths: sizes });
}

/** The 21-action space (rule 22). */
export function actionSpace21(): ActionSpace {
  const kinds = new Int32Array(21);
  const sizes = new Int32Array(21);
  for (let a = 1; a < 21; a++) {
    kinds[a] = Math.floor((a - 1) / 5) + 1;
    sizes[a] = SIZES_21_CONTRACTS[(a - 1) % 5] * HUNDREDTHS_PER_CONTRACT;
  }
  return Object.freeze({ name: "discrete21", actionCount: 21, kinds, sizesHundredths: sizes });
}

/** The space matching a model's output width; any other width is a contract violation. */
export function actionSpaceForCount(actionCount: number, size5Contracts?: number): ActionSpace {
  if (actionCount === 5) return actionSpace5(size5Contracts);
  if (actionCount === 21) return actionSpace21();
  throw new RangeError(`no action space has ${actionCount} actions (supported: 5 and 21)`);
}

const KIND_BITS = 3;
const KIND_MASK = 7;

/**
 * Decodes action index `a` into a packed int `sizeHundredths << 3 | kind`; read it back with
 * `packedKind` / `packedSizeHundredths`. Throws on an index outside the space (a policy bug).
 */
export function decodeAction(space: ActionSpace, a: number): number {
  if (!(a >= 0 && a < space.actionCount) || (a | 0) !== a) {
    throw new RangeError(`action ${a} is outside the ${space.name} space (0..${space.actionCount - 1})`);
  }
  return (space.sizesHundredths[a] << KIND_BITS) | space.kinds[a];
}

export function packedKind(packed: number): ActionKind {
  return (packed & KIND_MASK) as ActionKind;
}

export function packedSizeHundredths(packed: number): number {
  return packed >>> KIND_BITS;
}

/** Writes `kind` at out[offset] and `sizeHundredths` at out[offset + 1]. */
export function decodeActionInto(space: ActionSpace, a: number, out: Int32Array, offset = 0): void {
  const packed = decodeAction(space, a);
  out[offset] = packed & KIND_MASK;
  out[offset + 1] = packed >>> KIND_BITS;
}

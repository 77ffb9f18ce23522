import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ActionKind,
  actionSpace21,
  decodeAction,
  packedKind,
  packedSizeHundredths,
} from "../../src/policy/action-space.js";
import { DEFAULT_RULE_PARAMS, RuleSelector, ruleActionKind } from "../../src/policy/rule-selector.js";

const { HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO } = ActionKind;

interface Book {
  yesBidTicks: number; // 0 = empty side
  noBidTicks: number;
  qB: number; // contracts at the best YES bid
  qA: number; // contracts at the best NO bid (= best YES ask)
  vB?: number; // total YES bid contracts (default qB)
  vA?: number;
}

interface Account {
  cashRatio?: number; // index 36, default 1 (all cash)
  netBias?: number; // index 42
  openBuy?: boolean; // index 47
  openSell?: boolean; // index 48
}

/** Observation v1 with the market block indices the rule reads, computed as observation-v1.md §5. */
function observation(book: Book, account: Account = {}): Float32Array {
  const o = new Float32Array(52);
  o[1] = 1;
  o[3] = 1;
  o[4] = 0.5;
  o[6] = 1;
  o[7] = 0.5;
  o[10] = 1;
  o[20] = 0.5;
  o[36] = account.cashRatio ?? 1;
  o[42] = account.netBias ?? 0;
  o[47] = account.openBuy ? 1 : 0;
  o[48] = account.openSell ? 1 : 0;
  const { yesBidTicks, noBidTicks, qB, qA } = book;
  const vB = book.vB ?? qB;
  const vA = book.vA ?? qA;
  if (yesBidTicks > 0) o[0] = yesBidTicks / 1000;
  if (noBidTicks > 0) o[2] = noBidTicks / 1000;
  if (qB + qA > 0) o[11] = (qB - qA) / (qB + qA);
  if (yesBidTicks > 0 && noBidTicks > 0) {
    const bY = yesBidTicks / 1000;
    const aY = 1 - noBidTicks / 1000;
    const spreadTicks = 1000 - noBidTicks - yesBidTicks;
    const mid = (bY + aY) / 2;
    o[1] = aY;
    o[4] = mid;
    o[6] = spreadTicks / 1000;
    o[7] = (bY * qA + aY * qB) / (qA + qB);
    o[10] =
      spreadTicks < 20 ? 0 : spreadTicks < 50 ? 0.25 : spreadTicks < 100 ? 0.5 : spreadTicks < 200 ? 0.75 : 1;
    o[20] = (bY * vA + aY * vB) / (vA + vB);
  }
  return o;
}

// Tight cent market: YES bid 0.40, YES ask 0.42 (NO bid 0.58), mid 0.41, spread 0.02.
const bullish: Book = { yesBidTicks: 400, noBidTicks: 580, qB: 300, qA: 50, vB: 900, vA: 200 };
const bearish: Book = { yesBidTicks: 400, noBidTicks: 580, qB: 50, qA: 300, vB: 200, vA: 900 };

const cases: [name: string, obs: Float32Array, expected: ActionKind][] = [
  ["bullish touch and book on a narrow spread buy YES", observation(bullish), BUY_YES],
  ["bearish touch and book on a narrow spread buy NO", observation(bearish), BUY_NO],
  ["a balanced book holds", observation({ yesBidTicks: 400, noBidTicks: 580, qB: 100, qA: 100 }), HOLD],
  ["an empty YES side holds", observation({ ...bullish, yesBidTicks: 0, qB: 0, vB: 0 }), HOLD],
  ["an empty NO side holds", observation({ ...bearish, noBidTicks: 0, qA: 0, vA: 0 }), HOLD],
  ["a wide spread (0.06, regime 0.5) holds", observation({ ...bullish, noBidTicks: 540 }), HOLD],
  ["a spread of 0.049 (regime 0.25) still trades", observation({ ...bullish, noBidTicks: 551 }), BUY_YES],
  ["a locked book (spread 0) holds", observation({ ...bullish, noBidTicks: 600 }), HOLD],
  [
    "touch bullish but whole book bearish holds",
    observation({ yesBidTicks: 400, noBidTicks: 580, qB: 300, qA: 50, vB: 300, vA: 2000 }),
    HOLD,
  ],
  [
    "an edge below 2 ticks holds (spread 0.002)",
    observation({ yesBidTicks: 400, noBidTicks: 598, qB: 300, qA: 50, vB: 900, vA: 200 }),
    HOLD,
  ],
  ["bearish while the account is net YES sells YES", observation(bearish, { netBias: 0.3 }), SELL_YES],
  ["bullish while the account is net NO sells NO", observation(bullish, { netBias: -0.3 }), SELL_NO],
  ["bullish while the account is net YES buys more YES", observation(bullish, { netBias: 0.3 }), BUY_YES],
  [
    "a reduction with a sell already resting holds",
    observation(bearish, { netBias: 0.3, openSell: true }),
    HOLD,
  ],
  ["a buy with a buy already resting holds", observation(bullish, { openBuy: true }), HOLD],
  ["a buy with too little cash holds", observation(bullish, { cashRatio: 0.01 }), HOLD],
  [
    "a reduction with little cash still sells",
    observation(bullish, { netBias: -0.3, cashRatio: 0.01 }),
    SELL_NO,
  ],
];

for (const [name, obs, expected] of cases) {
  test(`rule: ${name}`, () => {
    assert.equal(ruleActionKind(obs, 0, DEFAULT_RULE_PARAMS), expected);
  });
}

test("the rule selector decides a batch row by row in the 5-action space", async () => {
  const rows = cases.map((c) => c[1]);
  const obs = new Float32Array(rows.length * 52);
  for (const [i, r] of rows.entries()) obs.set(r, i * 52);
  const actions = new Int32Array(rows.length);
  const policy = new RuleSelector();
  await policy.decide(obs, rows.length, actions);
  assert.deepEqual(
    [...actions],
    cases.map((c) => c[2]),
  );
  assert.equal(policy.actionSpace.actionCount, 5);
});

test("in the 21-action space the rule trades the configured size tier", async () => {
  const policy = new RuleSelector({ actionCount: 21, size21Index: 3 });
  const actions = new Int32Array(2);
  const obs = new Float32Array(104);
  obs.set(observation(bullish), 0);
  obs.set(observation(bearish, { netBias: 0.5 }), 52);
  await policy.decide(obs, 2, actions);
  const space = actionSpace21();
  assert.deepEqual([...actions], [4, 9]);
  assert.equal(packedKind(decodeAction(space, actions[0])), BUY_YES);
  assert.equal(packedSizeHundredths(decodeAction(space, actions[0])), 5000);
  assert.equal(packedKind(decodeAction(space, actions[1])), SELL_YES);
});

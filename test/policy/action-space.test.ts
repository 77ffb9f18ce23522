import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ActionKind,
  actionSpace5,
  actionSpace21,
  actionSpaceForCount,
  decodeAction,
  decodeActionInto,
  packedKind,
  packedSizeHundredths,
} from "../../src/policy/action-space.js";

const { HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO } = ActionKind;

// correctness-rules.md rule 22: a ≥ 1 → kind ⌊(a−1)/5⌋+1, size [5,10,20,50,100][(a−1) mod 5] contracts.
const table21: [action: number, kind: ActionKind, contracts: number][] = [
  [0, HOLD, 0],
  [1, BUY_YES, 5],
  [2, BUY_YES, 10],
  [3, BUY_YES, 20],
  [4, BUY_YES, 50],
  [5, BUY_YES, 100],
  [6, SELL_YES, 5],
  [7, SELL_YES, 10],
  [8, SELL_YES, 20],
  [9, SELL_YES, 50],
  [10, SELL_YES, 100],
  [11, BUY_NO, 5],
  [12, BUY_NO, 10],
  [13, BUY_NO, 20],
  [14, BUY_NO, 50],
  [15, BUY_NO, 100],
  [16, SELL_NO, 5],
  [17, SELL_NO, 10],
  [18, SELL_NO, 20],
  [19, SELL_NO, 50],
  [20, SELL_NO, 100],
];

test("the 21-action space decodes every action as correctness-rules.md rule 22 says", () => {
  const space = actionSpace21();
  assert.equal(space.actionCount, 21);
  const out = new Int32Array(2);
  for (const [a, kind, contracts] of table21) {
    const packed = decodeAction(space, a);
    assert.equal(packedKind(packed), kind, `kind of ${a}`);
    assert.equal(packedSizeHundredths(packed), contracts * 100, `size of ${a}`);
    decodeActionInto(space, a, out);
    assert.deepEqual([...out], [kind, contracts * 100]);
  }
});

test("the 5-action space is HOLD, BUY_YES, SELL_YES, BUY_NO, SELL_NO of 10 contracts by default", () => {
  const space = actionSpace5();
  const expected: [number, ActionKind, number][] = [
    [0, HOLD, 0],
    [1, BUY_YES, 1000],
    [2, SELL_YES, 1000],
    [3, BUY_NO, 1000],
    [4, SELL_NO, 1000],
  ];
  for (const [a, kind, hundredths] of expected) {
    const packed = decodeAction(space, a);
    assert.equal(packedKind(packed), kind);
    assert.equal(packedSizeHundredths(packed), hundredths);
  }
});

test("the 5-action trade size is configurable in contracts, down to 0.01", () => {
  assert.equal(packedSizeHundredths(decodeAction(actionSpace5(25), 3)), 2500);
  assert.equal(packedSizeHundredths(decodeAction(actionSpace5(0.5), 1)), 50);
  assert.throws(() => actionSpace5(0), RangeError);
  assert.throws(() => actionSpace5(1.005), RangeError);
});

test("actions outside the space are rejected", () => {
  assert.throws(() => decodeAction(actionSpace5(), 5), /outside the discrete5 space/);
  assert.throws(() => decodeAction(actionSpace21(), -1), RangeError);
  assert.throws(() => decodeAction(actionSpace21(), 1.5), RangeError);
});

test("the action space follows the model's output width", () => {
  assert.equal(actionSpaceForCount(5).name, "discrete5");
  assert.equal(actionSpaceForCount(21).name, "discrete21");
  assert.throws(() => actionSpaceForCount(7), /no action space has 7 actions/);
});

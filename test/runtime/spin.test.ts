import assert from "node:assert/strict";
import { test } from "node:test";
import { nowMs } from "../../src/runtime/clock.js";
import { pollBriefly, spinBudgetMs } from "../../src/runtime/spin.js";

test("the poll budget is zero unless the engine's busy threads leave a core to spare", () => {
  assert.equal(spinBudgetMs(3, 2), 0);
  assert.equal(spinBudgetMs(3, 3), 0);
  assert.ok(spinBudgetMs(3, 4) > 0);
});

test("pollBriefly: records found after recent work; never with no budget or no recent work", () => {
  const full = { available: () => 1 };
  const empty = { available: () => 0 };
  assert.equal(pollBriefly([empty, full], nowMs(), 0.05), true);
  assert.equal(pollBriefly([full], nowMs(), 0), false, "zero budget: sleep at once");
  assert.equal(pollBriefly([full], nowMs() - 1000, 0.05), false, "no recent work");
  let polls = 0;
  const counting = { available: () => (++polls >= 3 ? 1 : 0) };
  assert.equal(pollBriefly([counting], nowMs(), 1000), true, "stops at the first record");
  assert.equal(polls, 3);
  assert.equal(pollBriefly([empty], nowMs(), 0.05), false, "gives up after the budget");
});

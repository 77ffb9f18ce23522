import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runSoak } from "./soak.js";

/** The short form of `make soak` (≈ 2 minutes): the same faults, kills and checks, shorter lives. */
describe("soak, short form", () => {
  it("ends with the exchange's ledger, nothing resting, no duplicate ids, counters accounted for", {
    timeout: 300_000,
  }, async () => {
    const report = await runSoak({
      minutes: 1.6,
      lifeSeconds: [20, 30],
      settleEverySeconds: 15,
      seed: 5,
      minKills: 2,
    });
    assert.deepEqual(report.failures, [], JSON.stringify(report));
    assert.ok(report.kills >= 2, `kills ${report.kills}`);
    assert.equal(report.decideRestarts, 1);
  });
});

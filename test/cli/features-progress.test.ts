import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProgressLines } from "../../src/cli/features-command.js";

describe("features export progress without a terminal", () => {
  it("writes one line per interval, none before the first, with the percentage and MB done", () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const progress = new ProgressLines(
      (line) => lines.push(line),
      () => now,
      5000,
    );
    progress.update(1e6, 8e6);
    now += 4999;
    progress.update(2e6, 8e6);
    assert.deepEqual(lines, [], "nothing before the first interval");
    now += 1;
    progress.update(3e6, 8e6);
    assert.deepEqual(lines, ["features export: 38% (3 of 8 MB)\n"]);
    now += 2000;
    progress.update(4e6, 8e6);
    assert.equal(lines.length, 1, "at most one line per interval");
    now += 3000;
    progress.update(8e6, 8e6);
    now += 5000;
    progress.update(0, 0); // an empty source: done
    assert.deepEqual(lines.slice(1), [
      "features export: 100% (8 of 8 MB)\n",
      "features export: 100% (0 of 0 MB)\n",
    ]);
  });
});

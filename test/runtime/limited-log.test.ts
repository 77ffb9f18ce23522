import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LimitedLog } from "../../src/runtime/limited-log.js";

describe("LimitedLog", () => {
  it("logs the first N of each reason, then one summary per interval with the count left out", () => {
    const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
    let now = 0;
    const log = new LimitedLog({
      firstN: 3,
      summaryEveryMs: 60_000,
      now: () => now,
      write: (level, fields, msg) => lines.push({ level, fields: fields as Record<string, unknown>, msg }),
    });
    for (let i = 0; i < 11_139; i++) log.log("warn", "bad_frame", "unparseable feed frame", { i });
    log.log("error", "orders_error", "orders thread error");
    assert.equal(lines.length, 4, "3 bad frames and 1 orders error, nothing else yet");
    assert.match(lines[2]!.msg, /further ones summarised every 60 s/);
    now = 60_000;
    log.log("warn", "bad_frame", "unparseable feed frame");
    const summary = lines.at(-1)!;
    assert.equal(summary.fields.suppressed, 11_137);
    assert.equal(summary.fields.reason, "bad_frame");
    assert.equal(lines.length, 5, "one summary line; the quiet reason has nothing to summarise");
    log.log("warn", "bad_frame", "unparseable feed frame");
    now = 70_000;
    log.maybeSummarise(true); // at shutdown: whatever is left is told, even before the interval
    assert.equal(lines.length, 6);
    assert.equal(lines.at(-1)!.fields.suppressed, 1);
  });
});

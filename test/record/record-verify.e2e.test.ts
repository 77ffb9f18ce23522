/**
 * Whole program: `run --record` against the embedded paper exchange for a few seconds, then
 * `verify` (zero mismatches, at least one non-HOLD decision), a corrupted copy that verify must
 * refuse, and a recorder killed mid-segment: the log still reads and a torn tail is counted.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listSegments } from "../../src/record/segments.js";
import { spawnCli } from "../engine/helpers.js";
import { recordPaperRun } from "./paper-run.js";

function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

describe("run --record → verify", () => {
  it("every recorded decision replays to the same observation and action", { timeout: 240_000 }, async () => {
    const base = mkdtempSync(join(tmpdir(), "record-verify-"));
    const run = await recordPaperRun(base);
    const log = run.log;
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.lines.at(-1) ?? "{}").summary as {
      recording: { decision_records: number; dropped: number; write_errors: number };
    };
    assert.ok(summary.recording.decision_records > 0);
    assert.equal(summary.recording.dropped, 0);

    const verify = cli(["verify", "--log", log]);
    const result = JSON.parse(verify.stdout.trim().split("\n").at(-1) ?? "{}");
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.equal(result.mismatches, 0);
    assert.equal(result.decisions, summary.recording.decision_records);
    assert.equal(result.verified, result.decisions);
    assert.ok(result.non_hold >= 1, `non-HOLD decisions: ${result.non_hold}`);

    // a different feed (one size changed in one delta) must not verify
    const bad = join(base, "bad");
    cpSync(log, bad, { recursive: true });
    const seg = listSegments(bad, "feed")[0]!;
    const bytes = readFileSync(seg.path);
    const text = bytes.toString("latin1");
    const key = '"delta_fp":"';
    let at = text.indexOf(key, text.length >> 2);
    assert.ok(at > 0);
    at += key.length;
    while (!(bytes[at]! >= 0x31 && bytes[at]! <= 0x38)) at++; // a digit 1..8, not a sign or point
    bytes[at] = bytes[at]! + 1;
    writeFileSync(seg.path, bytes);
    const refused = cli(["verify", "--log", bad]);
    assert.equal(refused.status, 1);
    const r2 = JSON.parse(refused.stdout.trim());
    assert.ok(r2.mismatches > 0);
    assert.ok(r2.first_mismatches.length > 0);

    // the writer killed mid-record: the torn tail is skipped and counted, the rest still reads
    const torn = join(base, "torn");
    cpSync(log, torn, { recursive: true });
    const last = listSegments(torn, "feed").at(-1)!;
    truncateSync(last.path, last.bytes - 7);
    const info = cli(["log", "info", torn]);
    assert.equal(info.status, 0, info.stderr);
    const i = JSON.parse(info.stdout);
    assert.equal(i.torn_tails.length, 1);
    assert.ok(i.frames > 0);
  });

  it("record killed with SIGKILL mid-segment leaves a log that reads", { timeout: 120_000 }, async () => {
    const log = join(mkdtempSync(join(tmpdir(), "record-kill-")), "log");
    const p = await spawnCli([
      "record",
      "--out",
      log,
      "--markets",
      "5",
      "--log-level",
      "warn",
      "--status-every",
      "0",
    ]);
    await new Promise((r) => setTimeout(r, 1500));
    p.child.kill("SIGKILL");
    await p.exited;
    const info = cli(["log", "info", log]);
    assert.equal(info.status, 0, info.stderr);
    const i = JSON.parse(info.stdout);
    assert.ok(i.frames > 0);
    assert.ok(i.torn_tails.length <= 1);
  });
});

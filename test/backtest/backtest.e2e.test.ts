/**
 * Whole program: `run --record` against the embedded paper exchange for a few seconds, then
 * `backtest` twice over the log — the same printed report (the last stdout line) byte for byte,
 * with fills; the measured wall time apart on stderr — plus the chart and report files, and the
 * CLI's usage errors (missing log, bad model: one line, exit 2).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { recordPaperRun } from "../record/paper-run.js";

function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

const lastLine = (out: string): string => out.trim().split("\n").at(-1) ?? "";

describe("run --record → backtest", () => {
  it("gives the same report twice, with fills, a chart and clear usage errors", {
    timeout: 240_000,
  }, async () => {
    const base = mkdtempSync(join(tmpdir(), "backtest-e2e-"));
    const run = await recordPaperRun(base);
    const log = run.log;
    assert.equal(run.code, 0, run.stderr);
    const sessions = readFileSync(join(log, "sessions.ndjson"), "utf8");
    assert.match(sessions, /"market_grids":\{"KX/, "the session names each market's grid");

    const out = join(base, "out");
    const first = cli(["backtest", "--log", log, "--json", "--seed", "7", "--out", out]);
    assert.equal(first.status, 0, first.stderr);
    const second = cli(["backtest", "--log", log, "--json", "--seed", "7"]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(lastLine(first.stdout), lastLine(second.stdout));
    assert.doesNotMatch(lastLine(first.stdout), /"wall"|elapsed/);
    const wall = JSON.parse(lastLine(first.stderr)) as { wall: { elapsed_s: number } };
    assert.ok(wall.wall.elapsed_s > 0, "the measured wall time goes to stderr");
    assert.ok(JSON.parse(readFileSync(join(out, "wall.json"), "utf8")).stages);

    const report = JSON.parse(first.stdout.trim().split("\n").at(-1)!) as {
      book_updates: number;
      decisions: { total: number; by_action: Record<string, number> };
      fills: { total: number; taker: number; maker: number };
      pnl: { net_micros: number; realised_micros: number; unrealised_micros: number; fees_micros: number };
      pnl_curve: { t_ms: number[]; net_micros: number[] };
    };
    assert.ok(report.book_updates > 100, `book updates: ${report.book_updates}`);
    assert.ok(report.decisions.total > 0);
    // the bundled policy buys on these paper books within seconds (the live run above fills too)
    assert.ok(report.fills.total >= 1, `fills: ${JSON.stringify(report.fills)}`);
    assert.equal(report.fills.taker + report.fills.maker, report.fills.total);
    assert.ok(report.pnl.fees_micros > 0, "fills pay the exchange's fees");
    const p = report.pnl;
    assert.equal(p.net_micros, p.realised_micros - p.fees_micros + p.unrealised_micros);
    assert.ok(report.pnl_curve.t_ms.length >= 2);
    assert.equal(report.pnl_curve.net_micros.at(-1), p.net_micros, "the curve ends at the final P&L");

    const html = readFileSync(join(out, "pnl.html"), "utf8");
    assert.match(html, /uPlot/);
    assert.doesNotMatch(html, /<script[^>]+src=/, "self-contained: no external script");
    assert.deepEqual(
      JSON.parse(readFileSync(join(out, "report.json"), "utf8")).pnl,
      JSON.parse(first.stdout.trim().split("\n").at(-1)!).pnl,
    );

    const missing = cli(["backtest", "--log", join(base, "nope")]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
    assert.match(missing.stderr, /--log .*nope/);
    const badModel = join(base, "bad.onnx");
    writeFileSync(badModel, "not a model");
    const bad = cli(["backtest", "--log", log, "--model", badModel]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    assert.match(bad.stderr, /--model .*bad\.onnx/);
    const noModel = cli(["backtest", "--log", log, "--model", join(base, "absent.onnx")]);
    assert.equal(noModel.status, 2);
    assert.match(noModel.stderr, /absent\.onnx: no such file/);
  });
});

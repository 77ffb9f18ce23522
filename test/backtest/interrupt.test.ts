/**
 * A backtest interrupted by Ctrl-C (SIGINT) or SIGTERM leaves no temporary directory behind (its
 * order journal lives in one while it runs) and still ends by that signal.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const cliArgs = ["--import", "tsx", "src/cli/main.ts"];

/** A log of two frames ten minutes apart: at --speed 1 the backtest waits between them. */
function slowLog(base: string): string {
  const [snapshot] = readFileSync("test/fixtures/ex1.ndjson", "utf8").trim().split("\n");
  const first = JSON.parse(snapshot!) as { recv_ms: number; frame: string };
  const delta = `{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXEX-26MAR10-A","price_dollars":"0.4200","delta_fp":"5.00","side":"yes"}}`;
  const capture = join(base, "capture.ndjson");
  writeFileSync(
    capture,
    `${JSON.stringify(first)}\n${JSON.stringify({ recv_ms: first.recv_ms + 600_000, frame: delta })}\n`,
  );
  const log = join(base, "log");
  const imported = spawnSync(process.execPath, [...cliArgs, "log", "import", capture, "--out", log], {
    encoding: "utf8",
  });
  assert.equal(imported.status, 0, imported.stderr);
  return log;
}

const journalDirs = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("kalshi-backtest-"));

describe("backtest interrupted", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`by ${signal}: its temporary directory is removed`, { timeout: 240_000 }, async () => {
      const base = mkdtempSync(join(tmpdir(), "backtest-interrupt-"));
      const log = slowLog(base);
      const childTmp = join(base, "tmp");
      mkdirSync(childTmp);
      const child = spawn(process.execPath, [...cliArgs, "backtest", "--log", log, "--speed", "1"], {
        env: { ...process.env, TMPDIR: childTmp },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, sig) => resolve(sig)),
      );
      // wait (bounded) until the backtest runs: its journal directory exists
      for (let i = 0; i < 1200 && journalDirs(childTmp).length === 0 && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(journalDirs(childTmp).length, 1, `the backtest started: ${stderr}`);
      child.kill(signal);
      assert.equal(await exited, signal, stderr);
      assert.deepEqual(journalDirs(childTmp), []);
    });
  }
});

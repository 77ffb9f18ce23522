import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { startPaperChild } from "../../src/engine/paper-child.js";

/**
 * The embedded paper exchange of `kalshi-engine run`: a Ctrl-C reaches the whole process group,
 * but the engine still needs its exchange to cancel and reconcile, so the child ignores SIGINT,
 * stops on the engine's SIGTERM, and exits by itself when the engine dies (its stdin closes).
 */
const exited = (p: ChildProcess) =>
  new Promise<void>((resolve) =>
    p.exitCode !== null || p.signalCode !== null ? resolve() : p.once("exit", () => resolve()),
  );

async function answers(restUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${restUrl}/exchange/status`)).ok;
  } catch {
    return false;
  }
}

describe("embedded paper exchange child", () => {
  it("keeps serving through SIGINT and stops on SIGTERM", { timeout: 60_000 }, async () => {
    const child = await startPaperChild({ markets: 2, ratePerSec: 0, seed: 1, stderr: "ignore" });
    try {
      child.process.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(child.process.exitCode, null, "still running after SIGINT");
      assert.equal(await answers(child.endpoints.rest), true);
    } finally {
      await child.stop();
    }
    assert.notEqual(child.process.exitCode ?? child.process.signalCode, null);
    assert.equal(existsSync(dirname(child.endpoints.key_file)), false, "its generated key directory is gone");
  });

  it("removes its key directory on a SIGTERM that arrives at once", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) {
      const child = await startPaperChild({ markets: 2, ratePerSec: 0, seed: 1, stderr: "ignore" });
      child.process.kill("SIGTERM");
      await exited(child.process);
      assert.equal(existsSync(dirname(child.endpoints.key_file)), false);
    }
  });

  it("exits when its parent's end of stdin closes", { timeout: 60_000 }, async () => {
    const child = await startPaperChild({ markets: 2, ratePerSec: 0, seed: 1, stderr: "ignore" });
    child.process.stdin?.end();
    await exited(child.process);
    assert.equal(child.process.exitCode, 0);
    assert.equal(existsSync(dirname(child.endpoints.key_file)), false);
  });
});

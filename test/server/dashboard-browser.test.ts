/**
 * The dashboard in a real browser: playwright-core drives Debian's Chromium (.ci/run installs the
 * `chromium` package; never a browser download) against `kalshi-engine run` with its embedded
 * paper exchange. The page loads without console errors, P&L and positions move while the engine
 * trades, the Kill button (confirmation, token asked once) engages the kill switch and the banner
 * shows it; a screenshot is saved in the test's temp directory, which is kept (and named) only
 * when the test fails.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Spawned, spawnCli, waitFor } from "../engine/helpers.js";
import { chromiumMissing, launchChromium, openDashboard } from "./chromium.js";

const TOKEN = "dashboard-test-token-42";
const tmp = mkdtempSync(join(tmpdir(), "kalshi-engine-dashboard-"));
const procs: Spawned[] = [];
let passed = false;
after(() => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  const keep = !passed && chromiumMissing === false;
  rmSync(keep ? join(tmp, "journal") : tmp, { recursive: true, force: true });
  if (keep) process.stderr.write(`dashboard test: screenshot and temp files kept in ${tmp}\n`);
});

describe("dashboard in Chromium", () => {
  it("loads cleanly, shows P&L and positions moving, and engages the kill switch from the Kill button", {
    timeout: 180_000,
    skip: chromiumMissing,
  }, async () => {
    const engine = await spawnCli([
      "run",
      "--markets",
      "10",
      "--policy",
      "rules",
      "--throttle-ms",
      "100",
      "--stats-port",
      "0",
      "--control-token",
      TOKEN,
      "--journal-dir",
      join(tmp, "journal"),
      "--duration",
      "150",
    ]);
    procs.push(engine);
    const url = String(engine.first.dashboard);
    const browser = await launchChromium();
    try {
      const { page, errors, dialogs } = await openDashboard(browser, url, TOKEN);
      await page.waitForSelector("#banner.ok, #banner.warn", { timeout: 30_000 });

      // P&L and positions move while the engine trades
      const firstPnl = await page.textContent("#pnlnow");
      await waitFor(
        async () => ((await page.locator("#positions tr").count()) > 1 ? true : undefined),
        "a position on the dashboard",
        90_000,
      );
      await waitFor(
        async () => ((await page.textContent("#pnlnow")) !== firstPnl ? true : undefined),
        "the P&L line to change",
        60_000,
      );
      const points = await page.locator("#pnl canvas").count();
      assert.ok(points > 0, "the P&L chart is drawn");

      // the Kill button asks for confirmation and the token (once), then the banner shows it
      await page.click("#btn-kill");
      await waitFor(
        async () => ((await page.textContent("#banner"))?.includes("KILL SWITCH ENGAGED") ? true : undefined),
        "the banner to show the kill switch",
        30_000,
      );
      assert.equal(await page.getAttribute("#banner", "class"), "bad");
      assert.deepEqual(dialogs, ["confirm", "prompt"]);
      const stats = (await (await fetch(url.replace(/\/$/, "/stats"))).json()) as {
        counters: Array<{ name: string; value: number }>;
      };
      assert.equal(stats.counters.find((c) => c.name === "kill_engaged")?.value, 1);

      const shot = join(tmp, "dashboard.png");
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000, `screenshot saved: ${shot}`);
      assert.deepEqual(errors, [], "no console errors");
      passed = true;
    } finally {
      await browser.close();
      engine.child.kill("SIGTERM");
      await engine.exited;
    }
  });
});

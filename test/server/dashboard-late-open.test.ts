/**
 * A dashboard opened while the engine trades (Chromium, as dashboard-browser.test.ts): the
 * open-orders table matches the engine's own open orders (`/snapshot`, then `/events`); the banner
 * names the exchange shards and the one the exchange paused, in the warning colour; Pause, Resume
 * and Reconcile ask for the control token once. (dashboard-snapshot.test.ts shows, without an
 * engine, that orders placed before the page opened are in the table.)
 *
 * The paper exchange runs on its own with two shards, shard 1 inside a maintenance pause.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { DashboardSnapshot } from "../../src/server/types.js";
import { type Spawned, spawnCli, waitFor } from "../engine/helpers.js";
import { chromiumMissing, launchChromium, openDashboard } from "./chromium.js";

const TOKEN = "dashboard-late-open-token-7";
const tmp = mkdtempSync(join(tmpdir(), "kalshi-engine-dashboard-late-"));
const procs: Spawned[] = [];
after(() => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

async function snapshot(base: string): Promise<DashboardSnapshot> {
  const r = await fetch(`${base}snapshot`);
  assert.equal(r.status, 200);
  return (await r.json()) as DashboardSnapshot;
}

describe("dashboard opened after orders were placed", () => {
  it("shows the resting orders, the shards and the exchange pause; the token is asked once", {
    timeout: 180_000,
    skip: chromiumMissing,
  }, async () => {
    const paper = await spawnCli([
      "paper",
      "--markets",
      "10",
      "--shards",
      "2",
      "--pause-at",
      new Date(Date.now() - 60_000).toISOString(),
      "--pause-for",
      "3600",
      "--pause-shard",
      "1",
      "--stats-every-ms",
      "0",
      "--log-level",
      "warn",
    ]);
    procs.push(paper);
    const ex = paper.first as { rest: string; ws: string; key_id: string; key_file: string };
    const engine = await spawnCli([
      "run",
      "--rest-url",
      ex.rest,
      "--ws-url",
      ex.ws,
      "--key-id",
      ex.key_id,
      "--key-file",
      ex.key_file,
      "--markets",
      "10",
      "--policy",
      "rules",
      "--price-strategy",
      "passive",
      "--throttle-ms",
      "100",
      "--stats-port",
      "0",
      "--control-token",
      TOKEN,
      "--journal-dir",
      join(tmp, "journal"),
      "--log-level",
      "warn",
      "--duration",
      "150",
    ]);
    procs.push(engine);
    const base = String(engine.first.dashboard);

    await waitFor(
      async () => (await snapshot(base)).open_orders.length > 0,
      "a resting order in /snapshot",
      90_000,
    );

    const browser = await launchChromium();
    try {
      const { page, errors, dialogs } = await openDashboard(browser, base, TOKEN);

      // the table equals the engine's open orders at some moment (both change as the engine trades)
      const shown = async () =>
        (await page.locator("#open tr td:first-child").allTextContents()).sort().join(",");
      let last = "";
      const shownIds = await waitFor(
        async () => {
          const ids = (await snapshot(base)).open_orders.map((o) => o.clientOrderId.slice(0, 8));
          const text = await shown();
          last = `table [${text}], engine [${ids.sort().join(",")}]`;
          return ids.length > 0 && text === ids.join(",") ? text : undefined;
        },
        "the open-orders table to show the engine's resting orders",
        60_000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${last}; page error: ${errors.join(" | ")}`);
      });
      assert.ok(shownIds.length >= 8, "at least one order row");

      // the banner: both shards and the exchange pause on one, in the warning colour
      const banner = await waitFor(
        async () => {
          const text = (await page.textContent("#banner")) ?? "";
          return text.includes("exchange paused on 1 of 2 shard(s)") ? text : undefined;
        },
        "the banner to show the exchange pause",
        30_000,
      );
      assert.match(banner, /10 markets on 2 shard\(s\)/);
      assert.equal(await page.getAttribute("#banner", "class"), "warn");

      // controls: the token is asked for once, then kept for the tab
      await page.click("#btn-pause");
      await waitFor(
        async () => ((await page.textContent("#banner")) ?? "").includes("· paused"),
        "the banner to show the engine pause after Pause",
        30_000,
      );
      const stats = (await (await fetch(`${base}stats`)).json()) as { state: { paused: boolean } };
      assert.equal(stats.state.paused, true, "the engine itself is paused");
      await page.click("#btn-resume");
      await waitFor(
        async () => !((await page.textContent("#banner")) ?? "").includes("· paused"),
        "the banner to drop the engine pause after Resume",
        30_000,
      );
      await page.click("#btn-reconcile");
      await waitFor(
        async () => (await page.textContent("#ctl")) === "reconcile: ok",
        "the reconcile result",
        60_000,
      );
      assert.deepEqual(dialogs, ["prompt"], "one token prompt for three controls");
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await browser.close();
      engine.child.kill("SIGTERM");
      await engine.exited;
      paper.child.kill("SIGTERM");
      await paper.exited;
    }
  });
});

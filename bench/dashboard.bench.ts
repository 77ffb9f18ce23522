/**
 * Does an open dashboard load the engine? The engine (`kalshi-engine run`, its own process)
 * trades against the paper exchange; its CPU time is read from /proc/<pid>/stat over the same
 * window with no dashboard and with one headless-Chromium dashboard open (the page polls /stats
 * once a second, reloads /snapshot every 5 s and follows /events). Rounds alternate (without,
 * with, without, with) so a neighbour's load on the machine hits both sides alike.
 * Durations: BENCH_DASHBOARD_SECONDS per measuring window (default 20; 8 with --quick).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { chromiumMissing, launchChromium, openDashboard } from "../test/server/chromium.js";
import { paperArgs, start } from "./e2e.bench.js";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const MARKETS = 200;
const RATE = 2_000;
const WARMUP_S = 8;

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (every thread), in clock ticks (proc(5): fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One engine run; the engine's CPU in cores over `seconds` after the warm-up (and the page load). */
async function round(seconds: number, browser: Browser | null, tick: number): Promise<number> {
  const paper = await start(paperArgs(MARKETS, RATE, "poisson"));
  const journal = mkdtempSync(join(tmpdir(), "bench-dashboard-journal-"));
  try {
    const ex = paper.first as { rest: string; ws: string; key_id: string; key_file: string };
    const engine = await start([
      "run",
      ...["--rest-url", ex.rest, "--ws-url", ex.ws, "--key-id", ex.key_id, "--key-file", ex.key_file],
      ...["--markets", String(MARKETS), "--duration", String(WARMUP_S + seconds + 30)],
      ...["--log-level", "warn", "--stats-port", "0", "--journal-dir", journal],
    ]);
    try {
      await sleep(WARMUP_S * 1000);
      const page = browser ? await openDashboard(browser, String(engine.first.dashboard)) : null;
      if (page) {
        await page.page.waitForSelector("#banner.ok, #banner.warn, #banner.bad", { timeout: 30_000 });
        await sleep(2_000); // the page's first snapshot and charts
      }
      const t0 = performance.now();
      const c0 = cpuTicks(engine.pid);
      await sleep(seconds * 1000);
      const cores = (cpuTicks(engine.pid) - c0) / tick / ((performance.now() - t0) / 1000);
      if (page && page.errors.length > 0) throw new Error(`dashboard errors: ${page.errors.join(" | ")}`);
      await page?.page.close();
      return cores;
    } finally {
      engine.kill("SIGTERM");
      await engine.done;
    }
  } finally {
    paper.kill("SIGTERM");
    await paper.done;
    rmSync(journal, { recursive: true, force: true });
  }
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const seconds = Number(process.env.BENCH_DASHBOARD_SECONDS ?? (options.quick ? 8 : 20));
  const title = `Dashboard cost: engine CPU with and without one open dashboard (${MARKETS} markets @ ${RATE} updates/s, ${seconds} s windows)`;
  if (chromiumMissing)
    return {
      title,
      rows: [{ name: "engine CPU with one dashboard open", note: `not measured: ${chromiumMissing}` }],
    };
  const tick = clockTicksPerSecond();
  const browser = await launchChromium();
  const without: number[] = [];
  const withPage: number[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      without.push(await round(seconds, null, tick));
      withPage.push(await round(seconds, browser, tick));
    }
  } finally {
    await browser.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const a = mean(without);
  const b = mean(withPage);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(", ");
  const rows: BenchRow[] = [
    {
      name: "engine CPU, no dashboard",
      note: `${a.toFixed(3)} cores (rounds: ${list(without)})`,
    },
    {
      name: "engine CPU, one headless-Chromium dashboard open",
      target: "≤ +0.05 cores",
      met: b - a <= 0.05,
      note: `${b.toFixed(3)} cores (rounds: ${list(withPage)}); the dashboard adds ${(b - a).toFixed(3)} cores (${(((b - a) / Math.max(a, 1e-9)) * 100).toFixed(1)}%)`,
    },
  ];
  return { title, rows, extra: { withoutCores: without, withDashboardCores: withPage, clockTicks: tick } };
}

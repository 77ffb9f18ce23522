/**
 * The `GET /` dashboard: one self-contained HTML page — uPlot (from its npm package, inlined
 * when this module loads, so nothing is fetched from a CDN and it works offline) and the page
 * script of dashboard-script.ts. Built once; the server sends the same bytes every time.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { LATENCY_BUCKET_BOUNDS_S } from "../stats/stage-histograms.js";
import { STAGE_NAMES } from "../stats/stages.js";
import { DASHBOARD_SCRIPT } from "./dashboard-script.js";

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
const UPLOT_CSS = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");

const STYLE = `
body{font:13px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2937}
main{padding:12px 16px}h2{font-size:14px;margin:14px 0 4px}
#banner{padding:10px 16px;font-weight:600;color:#fff}#banner.ok{background:#15803d}
#banner.warn{background:#b45309}#banner.bad{background:#b91c1c}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px;overflow:auto}
table{border-collapse:collapse;font:12px ui-monospace,Menlo,Consolas,monospace}
td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}
button{margin-right:6px;padding:4px 12px}#btn-kill{background:#b91c1c;color:#fff;border:0;border-radius:4px}
#err{color:#b91c1c}`;

function page(): string {
  const stages = STAGE_NAMES.map(
    (s) => `<option${s === "tick_to_decision" ? " selected" : ""}>${s}</option>`,
  ).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kalshi-engine</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${UPLOT_CSS}${STYLE}</style></head><body>
<div id="banner" class="warn">connecting…</div>
<main>
<div><button id="btn-pause">Pause</button><button id="btn-resume">Resume</button><button id="btn-reconcile">Reconcile</button><button id="btn-kill">Kill</button>
<span id="ctl"></span> <span id="err"></span></div>
<h2>P&amp;L</h2><div id="pnlnow"></div>
<div class="grid"><div class="card" id="pnl"></div><div class="card"><h2>Positions</h2><table id="positions"></table></div></div>
<div class="grid"><div class="card" id="decisions"></div><div class="card" id="throughput"></div></div>
<div class="grid"><div class="card"><select id="stage">${stages}</select> <span id="latnow"></span><div id="latency"></div></div>
<div class="card"><h2>Open orders</h2><table id="open"></table></div></div>
<div class="grid"><div class="card"><h2>Recent fills</h2><table id="fills"></table></div>
<div class="card"><h2>Recent orders <span id="conn"></span></h2><table id="orders"></table></div></div>
</main>
<script>${UPLOT_JS}</script>
<script>const BOUNDS_S = ${JSON.stringify(LATENCY_BUCKET_BOUNDS_S)};</script>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>`;
}

export const DASHBOARD_HTML = page();

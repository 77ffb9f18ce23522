/**
 * The `GET /` dashboard: one self-contained HTML page (no external assets, inline script and
 * style) that polls `/stats` once a second and follows `/events?format=json`.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kalshi-engine</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;margin:16px;background:#fafafa;color:#222}
h1{font-size:16px;margin:0 0 8px}h2{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}
th:first-child,td:first-child{text-align:left}.bad{color:#b00}.grid{display:flex;gap:32px;flex-wrap:wrap}
#events{max-height:320px;overflow:auto;white-space:pre;background:#fff;border:1px solid #ddd;padding:4px}
</style></head><body>
<h1>kalshi-engine <span id="state"></span></h1>
<div class="grid"><div><h2>Stage latency (µs)</h2><table id="stages"></table></div>
<div><h2>Portfolio</h2><table id="portfolio"></table></div>
<div><h2>Counters</h2><table id="counters"></table></div></div>
<h2>Recent events <span id="conn"></span></h2><div id="events"></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const row = (cells, tag) => "<tr>" + cells.map((c) => "<" + (tag || "td") + ">" + c + "</" + (tag || "td") + ">").join("") + "</tr>";
function render(s) {
  $("state").textContent = Object.entries(s.state || {}).map(([k, v]) => k + "=" + v).join(" ");
  let h = row(["stage", "count", "p50", "p90", "p99", "p99.9", "max", "mean", "over budget"], "th");
  for (const [name, v] of Object.entries(s.histograms || {})) {
    h += row([esc(name), v.count, v.p50, v.p90, v.p99, v.p999, v.max, v.mean.toFixed(1),
      v.budget_breaches > 0 ? '<span class="bad">' + v.budget_breaches + "</span>" : 0]);
  }
  $("stages").innerHTML = h;
  const p = s.portfolio || { positions: {} };
  h = row(["free cash", esc(p.free_cash)]) + row(["reserved cash", esc(p.reserved_cash)]);
  for (const [m, c] of Object.entries(p.positions || {})) h += row([esc(m), esc(c)]);
  $("portfolio").innerHTML = h;
  h = "";
  for (const c of s.counters || []) {
    const labels = Object.entries(c.labels || {}).map(([k, v]) => k + "=" + v).join(",");
    h += row([esc(c.name + (labels ? "{" + labels + "}" : "")), c.value]);
  }
  $("counters").innerHTML = h;
}
const tokenMatch = /[?&]token=([^&]*)/.exec(location.search || "");
const tokenQuery = tokenMatch ? "token=" + tokenMatch[1] : "";
async function poll() {
  try { const r = await fetch("stats" + (tokenQuery ? "?" + tokenQuery : ""), { cache: "no-store" }); if (r.ok) render(await r.json()); } catch (e) {}
  setTimeout(poll, 1000);
}
const recent = [];
function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/events?format=json" + (tokenQuery ? "&" + tokenQuery : ""));
  ws.onopen = () => { $("conn").textContent = "(live)"; };
  ws.onclose = () => { $("conn").textContent = "(reconnecting)"; setTimeout(connect, 2000); };
  ws.onmessage = (m) => {
    recent.unshift(m.data);
    if (recent.length > 100) recent.length = 100;
    $("events").textContent = recent.join("\\n");
  };
}
poll();
connect();
</script></body></html>
`;

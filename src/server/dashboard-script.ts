/**
 * The dashboard's page script (runs in the browser; plain ES2020, no build step). It polls
 * `/stats` once a second, loads `/snapshot` and follows `/events?format=json`, draws with uPlot (inlined by
 * dashboard.ts) and posts control actions with the control token, asked for once per tab.
 */
export const DASHBOARD_SCRIPT = `"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const row = (cells, tag) => "<tr>" + cells.map((c) => "<" + (tag || "td") + ">" + c + "</" + (tag || "td") + ">").join("") + "</tr>";
// a read token given in the page's URL (?token=…) goes along to /stats and /events
const tokenMatch = /[?&]token=([^&]*)/.exec(location.search || "");
const tokenQuery = tokenMatch ? "token=" + tokenMatch[1] : "";
const KEEP = 600; // points per chart (10 minutes at 1 s)
const ACTIONS = ["buy_yes", "sell_yes", "buy_no", "sell_no", "hold"];
const counter = (s, name, label) => s.counters.filter((c) => c.name === name && (!label || Object.values(c.labels).includes(label))).reduce((a, c) => a + c.value, 0);
function chart(el, title, series, extra) {
  const opts = Object.assign({ title, width: el.clientWidth || 480, height: 200, series: [{}].concat(series.map((label, i) => ({ label, stroke: ["#2563eb", "#dc2626", "#d97706", "#059669", "#7c3aed"][i % 5], width: 1.5 }))), axes: [{}, { size: 70 }] }, extra || {});
  const data = [[]].concat(series.map(() => []));
  return { plot: new uPlot(opts, data, el), data };
}
function push(c, t, values) {
  c.data[0].push(t);
  values.forEach((v, i) => c.data[i + 1].push(v));
  if (c.data[0].length > KEEP) for (const d of c.data) d.shift();
  c.plot.setData(c.data);
}
const pnlChart = chart($("pnl"), "P&L ($)", ["realised", "unrealised (mid)", "fees", "net"]);
const decChart = chart($("decisions"), "Decisions / s by action", ACTIONS);
const thrChart = chart($("throughput"), "Throughput / s", ["frames", "book updates", "orders", "fills"]);
const latChart = new uPlot({ title: "Latency histogram", width: $("latency").clientWidth || 480, height: 200,
  scales: { x: { time: false } }, axes: [{ values: (u, v) => v.map((i) => BOUNDS[i] === undefined ? "" : BOUNDS[i] < 0.001 ? Math.round(BOUNDS[i] * 1e6) + "µs" : BOUNDS[i] < 1 ? BOUNDS[i] * 1000 + "ms" : BOUNDS[i] + "s") }, {}],
  series: [{}, { label: "count", stroke: "#2563eb", fill: "rgba(37,99,235,.3)", paths: uPlot.paths.bars({ size: [0.8] }) }] }, [[], []], $("latency"));
let BOUNDS = [];
let prev = null;
let stage = "tick_to_decision";
function banner(s) {
  const st = s.state || {};
  const kill = counter(s, "kill_engaged") > 0;
  const breakers = counter(s, "breakers_tripped");
  const problems = [];
  if (kill) problems.push("KILL SWITCH ENGAGED");
  if (st.halted) problems.push("HALTED: " + st.halted);
  if (!st.feed_connected) problems.push("feed disconnected");
  if (breakers > 0) problems.push(breakers + " breaker(s) tripped");
  if (st.paused) problems.push("paused");
  // the orders thread reads each shard's exchange status and schedule (orders_shards*)
  const shards = st.orders_shards || 0;
  const shardsPaused = st.orders_shardsPaused || 0;
  if (shardsPaused > 0) problems.push("exchange paused on " + shardsPaused + " of " + shards + " shard(s)");
  const b = $("banner");
  b.className = kill || st.halted || !st.feed_connected || (shards > 0 && shardsPaused === shards) ? "bad" : problems.length ? "warn" : "ok";
  b.textContent = (st.exchange || "?") + " · feed " + (st.feed_connected ? "connected" : "down") + " · " + (st.markets || 0) + " markets on " + shards + " shard(s) · up " + (st.uptime_s || 0) + " s" + (problems.length ? " · " + problems.join(" · ") : " · trading");
}
function tables(s) {
  const p = s.pnl || { markets: {} };
  $("pnlnow").textContent = "net $" + p.net + " = realised $" + p.realised + " − fees $" + p.fees + " + unrealised $" + p.unrealised + " · free cash $" + s.portfolio.free_cash + " · reserved $" + s.portfolio.reserved_cash;
  let h = row(["market", "contracts", "mark", "realised", "unrealised", "fees"], "th");
  for (const [m, v] of Object.entries(p.markets)) h += row([esc(m), v.contracts, v.yes_mark || "-", v.realised, v.unrealised, v.fees]);
  $("positions").innerHTML = h;
  const st = s.histograms[stage];
  $("latnow").textContent = st ? stage + ": n=" + st.count + " p50 " + st.p50 + " µs · p99 " + st.p99 + " µs · p99.9 " + st.p999 + " µs · max " + st.max + " µs" : "";
}
async function poll() {
  try {
    const s = await (await fetch("stats" + (tokenQuery ? "?" + tokenQuery : ""), { cache: "no-store" })).json();
    const t = s.ts_ms / 1000;
    banner(s);
    tables(s);
    const p = s.pnl;
    push(pnlChart, t, [p.realised_micros / 1e6, p.unrealised_micros / 1e6, p.fees_micros / 1e6, p.net_micros / 1e6]);
    if (prev) {
      const dt = Math.max(0.001, t - prev.t);
      const rate = (name, label) => Math.max(0, (counter(s, name, label) - counter(prev.s, name, label)) / dt);
      push(decChart, t, ACTIONS.map((a) => rate("decisions", a)));
      push(thrChart, t, [rate("frames"), rate("book_updates"), rate("orders"), rate("fills")]);
    }
    prev = { t, s };
    const lb = s.latency_buckets && s.latency_buckets[stage];
    if (lb) {
      const per = lb.le_counts.map((c, i) => c - (i ? lb.le_counts[i - 1] : 0));
      per.push(lb.count - (lb.le_counts[lb.le_counts.length - 1] || 0));
      BOUNDS = BOUNDS_S.concat([Infinity]);
      latChart.setData([per.map((_, i) => i), per]);
    }
    $("err").textContent = "";
  } catch (e) { $("err").textContent = "stats unavailable: " + e; }
}
// Open orders and recent fills/orders: loaded from /snapshot (what happened before the page
// opened), then kept current by /events; reloaded every few seconds and on every reconnect, since
// a full fill or an exchange-side cancel changes the ledger without an order event.
const orders = new Map();
let recent = { fill: [], order: [] };
let snapSeq = 0;
let loading = null; // events received while a snapshot is in flight, replayed on top of it
const price = (ticks) => (ticks / 10000).toFixed(4);
const contracts = (h) => (h / 100).toFixed(2);
function applyEvent(e) {
  if (e.kind === "order" && e.clientOrderId) {
    const had = orders.get(e.clientOrderId);
    if (["sent", "acked", "amended"].includes(e.status)) orders.set(e.clientOrderId, Object.assign({}, e, { filledHundredths: had ? had.filledHundredths : 0 }));
    else orders.delete(e.clientOrderId);
  }
  if (e.kind === "fill") {
    for (const [id, o] of orders) if (o.orderId && o.orderId === e.orderId) {
      o.filledHundredths += e.countHundredths;
      if (o.filledHundredths >= o.countHundredths) orders.delete(id);
    }
  }
  if ((e.kind === "fill" || e.kind === "order") && !recent[e.kind].some((r) => r.seq === e.seq)) {
    recent[e.kind].unshift(e);
    recent[e.kind].length = Math.min(recent[e.kind].length, 20);
  }
}
function onEvent(e) {
  if (loading) loading.push(e);
  if (e.seq > snapSeq) applyEvent(e);
  if (e.kind === "kill" || e.kind === "breaker") poll();
}
async function loadSnapshot() {
  if (loading) return;
  loading = [];
  try {
    const r = await fetch("snapshot" + (tokenQuery ? "?" + tokenQuery : ""), { cache: "no-store" });
    if (!r.ok) throw new Error(r.status + " " + (await r.text()));
    const s = await r.json();
    orders.clear();
    for (const o of s.open_orders) orders.set(o.clientOrderId, Object.assign({ status: o.orderId ? "resting" : "sent" }, o));
    recent = { fill: s.recent_fills.slice(0, 20), order: s.recent_orders.slice(0, 20) };
    snapSeq = s.seq;
    for (const e of loading) if (e.seq > snapSeq) applyEvent(e);
    drawEvents();
  } catch (e) { $("err").textContent = "snapshot unavailable: " + e; }
  finally { loading = null; }
}
function drawEvents() {
  let h = row(["order", "market", "side", "action", "price", "count", "filled", "status"], "th");
  for (const o of orders.values()) h += row([esc(o.clientOrderId.slice(0, 8)), esc(o.market), o.side, o.action, price(o.priceTicks), contracts(o.countHundredths), contracts(o.filledHundredths), o.status]);
  $("open").innerHTML = h;
  h = row(["fill", "market", "side", "action", "price", "count", "fee"], "th");
  for (const f of recent.fill) h += row([esc(f.fillId.slice(-8)), esc(f.market), f.side, f.action, price(f.priceTicks), contracts(f.countHundredths), (f.feeMicros / 1e6).toFixed(4)]);
  $("fills").innerHTML = h;
  h = row(["order", "market", "side", "action", "price", "count", "status", "reason"], "th");
  for (const o of recent.order) h += row([esc(o.clientOrderId.slice(0, 8)), esc(o.market), o.side, o.action, price(o.priceTicks), contracts(o.countHundredths), o.status, esc(o.reason)]);
  $("orders").innerHTML = h;
}
function follow() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/events?format=json" + (tokenQuery ? "&" + tokenQuery : ""));
  ws.onmessage = (m) => { try { onEvent(JSON.parse(m.data)); } catch (e) { /* not an event */ } };
  // the server adds this socket before the page sees it open: every event after the snapshot arrives
  ws.onopen = () => { $("conn").textContent = "live"; loadSnapshot(); };
  ws.onclose = () => { $("conn").textContent = "reconnecting"; setTimeout(follow, 2000); };
}
function token() {
  let t = sessionStorage.getItem("kalshi-engine-token");
  if (!t) { t = prompt("Control token (from the engine's journal directory or KALSHI_ENGINE_CONTROL_TOKEN)") || ""; if (t) sessionStorage.setItem("kalshi-engine-token", t); }
  return t;
}
async function control(action) {
  if (action === "kill" && !confirm("Engage the kill switch? Every resting order is canceled and no new order is sent until resume.")) return;
  const t = token();
  if (!t) return;
  const r = await fetch("control/" + action, { method: "POST", headers: { authorization: "Bearer " + t } });
  if (r.status === 401) sessionStorage.removeItem("kalshi-engine-token");
  $("ctl").textContent = action + ": " + (r.ok ? "ok" : r.status + " " + (await r.text()));
  poll();
}
for (const a of ["pause", "resume", "kill", "reconcile"]) $("btn-" + a).onclick = () => control(a);
$("stage").onchange = (e) => { stage = e.target.value; poll(); };
follow();
poll();
setInterval(poll, 1000);
setInterval(drawEvents, 1000);
setInterval(loadSnapshot, 5000);
`;

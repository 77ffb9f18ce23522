/**
 * The backtest's report (docs/backtest.md): one JSON object, a table for people, and a
 * self-contained HTML chart of the P&L curve (uPlot inlined from node_modules, no network).
 *
 * Everything in the report (the JSON and the table) is a function of the log, the model and the
 * seed, so two runs print the same bytes. The measured wall time per stage and throughput are
 * not: they are a separate object (`wallJson`, `wallTable`) that the command prints to stderr.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { formatMicros } from "../kalshi/units.js";
import { type BacktestResult, STAGES } from "./backtest.js";

export interface BacktestIdentity {
  log: string;
  model: string;
  model_sha256: string | null;
  seed: number;
  fill_model: string;
  strategy: string;
  decide_every_ms: number;
}

const dollars = (micros: number) => formatMicros(micros);

/** The report object: deterministic (no measured time in it). */
export function reportJson(id: BacktestIdentity, r: BacktestResult): Record<string, unknown> {
  return {
    backtest: id,
    frames: r.frames,
    book_updates: r.bookUpdates,
    markets: r.markets,
    log_start_ms: r.firstMs,
    log_end_ms: r.lastMs,
    torn_tails: r.tornTails,
    decisions: { total: r.decisions, by_action: r.byAction, skipped: r.skipped },
    orders: { sent: r.ordersSent, rejected: r.ordersRejected },
    fills: { total: r.fills, taker: r.takerFills, maker: r.makerFills },
    settlements: r.settlements,
    pnl: {
      realised: dollars(r.realisedMicros),
      unrealised: dollars(r.unrealisedMicros),
      fees: dollars(r.feesMicros),
      net: dollars(r.netMicros),
      turnover: dollars(r.turnoverMicros),
      max_drawdown: dollars(r.maxDrawdownMicros),
      realised_micros: r.realisedMicros,
      unrealised_micros: r.unrealisedMicros,
      fees_micros: r.feesMicros,
      net_micros: r.netMicros,
      turnover_micros: r.turnoverMicros,
      max_drawdown_micros: r.maxDrawdownMicros,
    },
    pnl_curve: { t_ms: r.curve.map((p) => p.tMs), net_micros: r.curve.map((p) => p.netMicros) },
  };
}

/** Measured wall time — NOT deterministic, hence not part of the report. */
export function wallJson(r: BacktestResult): Record<string, unknown> {
  const wallS = r.wall.elapsedMs / 1000;
  const stages: Record<string, { total_ms: number; calls: number; mean_us: number }> = {};
  for (const s of STAGES) {
    const calls = r.wall.stageCalls[s];
    stages[s] = {
      total_ms: round3(r.wall.stageMs[s]),
      calls,
      mean_us: calls > 0 ? round3((r.wall.stageMs[s] * 1000) / calls) : 0,
    };
  }
  return {
    elapsed_s: round3(wallS),
    book_updates_per_s: wallS > 0 ? Math.round(r.bookUpdates / wallS) : 0,
    stages,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A fixed-width table of the report for a terminal. */
export function reportTable(id: BacktestIdentity, r: BacktestResult): string {
  const rows: Array<[string, string]> = [
    ["log", id.log],
    ["model", `${id.model}${id.model_sha256 ? ` (${id.model_sha256.slice(0, 12)})` : ""}`],
    ["seed / fill model", `${id.seed} / ${id.fill_model}, ${id.strategy}`],
    ["frames / book updates", `${r.frames} / ${r.bookUpdates} over ${r.markets} markets`],
    ["log time", `${((r.lastMs - r.firstMs) / 1000).toFixed(1)} s`],
    [
      "decisions",
      `${r.decisions} (${Object.entries(r.byAction)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`,
    ],
    [
      "skipped",
      Object.entries(r.skipped)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none",
    ],
    ["orders sent / rejected", `${r.ordersSent} / ${r.ordersRejected}`],
    ["fills (taker / maker)", `${r.fills} (${r.takerFills} / ${r.makerFills})`],
    ["turnover", `$${dollars(r.turnoverMicros)}`],
    ["realised P&L", `$${dollars(r.realisedMicros)}`],
    ["unrealised P&L", `$${dollars(r.unrealisedMicros)}`],
    ["fees", `$${dollars(r.feesMicros)}`],
    ["net P&L", `$${dollars(r.netMicros)}`],
    ["max drawdown", `$${dollars(r.maxDrawdownMicros)}`],
    ["settlements", String(r.settlements)],
  ];
  return table(rows);
}

/** The measured wall time as a table (not deterministic). */
export function wallTable(r: BacktestResult): string {
  const rows: Array<[string, string]> = [
    [
      "wall time",
      `${(r.wall.elapsedMs / 1000).toFixed(2)} s, ${Math.round(r.bookUpdates / Math.max(r.wall.elapsedMs / 1000, 1e-9))} book updates/s`,
    ],
  ];
  for (const s of STAGES) {
    const calls = r.wall.stageCalls[s];
    rows.push([
      `  ${s}`,
      `${r.wall.stageMs[s].toFixed(1)} ms in ${calls} calls${calls > 0 ? `, ${((r.wall.stageMs[s] * 1000) / calls).toFixed(2)} µs each` : ""}`,
    ]);
  }
  return table(rows);
}

function table(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n")}\n`;
}

/** A self-contained HTML page charting the P&L curve (uPlot and its CSS inlined). */
export function curveHtml(id: BacktestIdentity, r: BacktestResult): string {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
  const js = readFileSync(join(dist, "uPlot.iife.min.js"), "utf8");
  const css = readFileSync(join(dist, "uPlot.min.css"), "utf8");
  const data = JSON.stringify([r.curve.map((p) => p.tMs / 1000), r.curve.map((p) => p.netMicros / 1e6)]);
  const title = `Backtest net P&L — ${id.log}`;
  const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${css}
body{font-family:system-ui,sans-serif;margin:16px}</style></head>
<body><h3>${esc(title)}</h3>
<p>net $${dollars(r.netMicros)} · realised $${dollars(r.realisedMicros)} · unrealised $${dollars(r.unrealisedMicros)} · fees $${dollars(r.feesMicros)} · max drawdown $${dollars(r.maxDrawdownMicros)} · fills ${r.fills}</p>
<div id="chart"></div>
<script>${js.replace(/<\/script/gi, "<\\/script")}</script>
<script>
const data = ${data};
new uPlot({width: Math.min(1100, window.innerWidth - 40), height: 420,
  series: [{}, {label: "net P&L ($)", stroke: "#2a6ad8", width: 2}],
  axes: [{}, {label: "$"}]}, data, document.getElementById("chart"));
</script></body></html>
`;
}

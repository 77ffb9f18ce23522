/**
 * Renders a StatsSnapshot in the Prometheus text exposition format 0.0.4 (pure).
 *
 * - stage latencies: one `summary` family with `quantile` labels (microseconds), plus max and
 *   budget-breach families;
 * - Counters: `counter` kind gets the `_total` suffix, gauges keep their name;
 * - portfolio: dollars as gauges, positions per market;
 * - state: numbers/booleans as gauges, strings as an info-style gauge with the value as a label.
 * Every family has exactly one HELP and one TYPE line and all its samples together.
 */
import type { StatsSnapshot } from "./snapshot.js";
import { STAGE_NAMES } from "./stages.js";

export const METRIC_PREFIX = "kalshi_engine_";
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const QUANTILES = [
  ["0.5", "p50"],
  ["0.9", "p90"],
  ["0.99", "p99"],
  ["0.999", "p999"],
] as const;

export function renderPrometheus(snapshot: StatsSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): string => {
    const full = METRIC_PREFIX + sanitizeName(name);
    out.push(`# HELP ${full} ${escapeHelp(help)}`, `# TYPE ${full} ${type}`);
    return full;
  };

  const lat = family("stage_latency_microseconds", "summary", "Engine stage latency, microseconds");
  for (const stage of STAGE_NAMES) {
    const s = snapshot.histograms[stage];
    if (s === undefined) continue;
    // An empty summary's quantiles are NaN (Prometheus convention), not a misleading 0.
    for (const [q, key] of QUANTILES) {
      out.push(`${lat}{stage="${stage}",quantile="${q}"} ${s.count === 0 ? "NaN" : num(s[key])}`);
    }
    out.push(
      `${lat}_sum{stage="${stage}"} ${num(s.mean * s.count)}`,
      `${lat}_count{stage="${stage}"} ${s.count}`,
    );
  }
  const max = family("stage_latency_max_microseconds", "gauge", "Largest stage latency seen, microseconds");
  for (const stage of STAGE_NAMES) {
    const s = snapshot.histograms[stage];
    if (s !== undefined) out.push(`${max}{stage="${stage}"} ${num(s.max)}`);
  }
  const breaches = family(
    "stage_budget_breaches_total",
    "counter",
    "Stage measurements above the stage's latency budget",
  );
  for (const stage of STAGE_NAMES) {
    const s = snapshot.histograms[stage];
    if (s !== undefined) out.push(`${breaches}{stage="${stage}"} ${num(s.budget_breaches)}`);
  }

  // Group samples by family so HELP/TYPE appear once, in first-seen order.
  const families = new Map<string, { kind: string; help: string; lines: string[] }>();
  for (const m of snapshot.counters) {
    const name = m.kind === "counter" ? `${m.name}_total` : m.name;
    let f = families.get(name);
    if (f === undefined) {
      f = { kind: m.kind, help: m.help, lines: [] };
      families.set(name, f);
    }
    f.lines.push(`${labels(m.labels)} ${num(m.value)}`);
  }
  for (const [name, f] of families) {
    const full = family(name, f.kind, f.help);
    for (const l of f.lines) out.push(full + l);
  }

  const p = snapshot.portfolio;
  out.push(`${family("free_cash_dollars", "gauge", "Free cash, dollars")} ${decimal(p.free_cash)}`);
  out.push(
    `${family("reserved_cash_dollars", "gauge", "Cash reserved by resting buy orders, dollars")} ${decimal(p.reserved_cash)}`,
  );
  const pos = family("position_contracts", "gauge", "Signed position per market, contracts");
  for (const [market, contracts] of Object.entries(p.positions)) {
    out.push(`${pos}${labels({ market })} ${decimal(contracts)}`);
  }

  const strings: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(snapshot.state)) {
    if (typeof value === "string") strings.push([key, value]);
    else {
      const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
      out.push(`${family(`state_${key}`, "gauge", `Engine state: ${key}`)} ${num(v)}`);
    }
  }
  if (strings.length > 0) {
    const info = family("state_info", "gauge", "Engine state strings (value in the label)");
    for (const [key, value] of strings) out.push(`${info}${labels({ key, value })} 1`);
  }
  return `${out.join("\n")}\n`;
}

function labels(l: Readonly<Record<string, string>>): string {
  const keys = Object.keys(l);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${sanitizeName(k)}="${escapeLabel(l[k]!)}"`).join(",")}}`;
}

function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, "_");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** Dollar/contract strings are already plain decimals; anything else renders NaN, never garbage. */
function decimal(v: string): string {
  return /^-?\d+(\.\d+)?$/.test(v) ? v : "NaN";
}

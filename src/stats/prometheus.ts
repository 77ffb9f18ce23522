/**
 * Renders a StatsSnapshot in the Prometheus text exposition format 0.0.4 (pure).
 *
 * - stage latencies: one `histogram` family in seconds (`kalshi_engine_stage_latency_seconds`,
 *   buckets at LATENCY_BUCKET_BOUNDS_S per `stage`), plus max and budget-breach families;
 * - names are snake_case with their unit in base units (`_seconds`, `_bytes`, `_dollars`: a
 *   `_micros` gauge renders in dollars, `_ms`/`_us`/`_s` in seconds, `_mb` in bytes);
 * - Counters: `counter` kind gets the `_total` suffix, gauges keep their name;
 * - portfolio and P&L: dollars as gauges, positions and P&L per market;
 * - state: numbers/booleans as gauges (counters with `_total` where they only grow), strings as
 *   an info-style gauge with the value as a label.
 * Every family has exactly one HELP and one TYPE line and all its samples together.
 */
import type { StatsSnapshot } from "./snapshot.js";
import { LATENCY_BUCKET_BOUNDS_S } from "./stage-histograms.js";
import { STAGE_NAMES } from "./stages.js";

export const METRIC_PREFIX = "kalshi_engine_";
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function renderPrometheus(snapshot: StatsSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): string => {
    const full = METRIC_PREFIX + snakeCase(name);
    out.push(`# HELP ${full} ${escapeHelp(help)}`, `# TYPE ${full} ${type}`);
    return full;
  };

  const buckets = snapshot.latency_buckets;
  if (buckets !== undefined) {
    const lat = family("stage_latency_seconds", "histogram", "Engine stage latency, seconds");
    for (const stage of STAGE_NAMES) {
      const b = buckets[stage];
      const s = snapshot.histograms[stage];
      if (b === undefined || s === undefined) continue;
      for (let k = 0; k < LATENCY_BUCKET_BOUNDS_S.length; k++) {
        out.push(`${lat}_bucket{stage="${stage}",le="${LATENCY_BUCKET_BOUNDS_S[k]}"} ${b.le_counts[k]}`);
      }
      out.push(`${lat}_bucket{stage="${stage}",le="+Inf"} ${b.count}`);
      // the summary's mean is in µs; the sum is in seconds
      out.push(`${lat}_sum{stage="${stage}"} ${num((s.mean * b.count) / 1e6)}`);
      out.push(`${lat}_count{stage="${stage}"} ${b.count}`);
    }
  }
  const max = family("stage_latency_max_seconds", "gauge", "Largest stage latency seen, seconds");
  for (const stage of STAGE_NAMES) {
    const s = snapshot.histograms[stage];
    if (s !== undefined) out.push(`${max}{stage="${stage}"} ${num(s.max / 1e6)}`);
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
  const add = (name: string, kind: string, help: string, line: string) => {
    let f = families.get(name);
    if (f === undefined) {
      f = { kind, help, lines: [] };
      families.set(name, f);
    }
    f.lines.push(line);
  };
  for (const m of snapshot.counters) {
    const u = inBaseUnits(snakeCase(m.name), m.value);
    const name = m.kind === "counter" ? `${u.name}_total` : u.name;
    add(name, m.kind, m.help, `${labels(m.labels)} ${num(u.value)}`);
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
  if (p.shards !== undefined && p.shards.length > 0) {
    const shardFree = family("shard_free_cash_dollars", "gauge", "Free cash per exchange shard, dollars");
    for (const s of p.shards)
      out.push(`${shardFree}${labels({ exchange_index: String(s.exchange_index) })} ${decimal(s.free_cash)}`);
  }
  const pos = family("position_contracts", "gauge", "Signed position per market, contracts");
  for (const [market, contracts] of Object.entries(p.positions)) {
    out.push(`${pos}${labels({ market })} ${decimal(contracts)}`);
  }
  const pnl = snapshot.pnl;
  out.push(
    `${family("pnl_net_dollars", "gauge", "Net P&L: realised − fees + unrealised at the book mid, dollars")} ${decimal(pnl.net)}`,
  );
  const marketPnl = family(
    "market_pnl_dollars",
    "gauge",
    "P&L per market and kind (realised, unrealised, fees), dollars",
  );
  for (const [market, m] of Object.entries(pnl.markets)) {
    out.push(`${marketPnl}${labels({ market, kind: "realised" })} ${decimal(m.realised)}`);
    out.push(`${marketPnl}${labels({ market, kind: "unrealised" })} ${decimal(m.unrealised)}`);
    out.push(`${marketPnl}${labels({ market, kind: "fees" })} ${decimal(m.fees)}`);
  }

  const strings: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(snapshot.state)) {
    if (typeof value === "string") {
      strings.push([key, value]);
      continue;
    }
    const raw = typeof value === "boolean" ? (value ? 1 : 0) : value;
    const u = inBaseUnits(`state_${snakeCase(key)}`, raw);
    const monotonic = isMonotonicStateKey(key) && !u.name.endsWith("_dollars");
    const name = monotonic ? `${u.name}_total` : u.name;
    out.push(`${family(name, monotonic ? "counter" : "gauge", `Engine state: ${key}`)} ${num(u.value)}`);
  }
  if (strings.length > 0) {
    const info = family("state_info", "gauge", "Engine state strings (value in the label)");
    for (const [key, value] of strings) out.push(`${info}${labels({ key, value })} 1`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * State numbers that only ever grow: rendered as counters (`_total`). The orders thread's counts
 * (`orders_*`) are all monotonic except its cash figures.
 */
function isMonotonicStateKey(key: string): boolean {
  if (key.startsWith("orders_")) return !key.endsWith("_micros");
  return MONOTONIC_STATE_KEYS.has(key);
}
const MONOTONIC_STATE_KEYS = new Set([
  "dispatch_queued",
  "decide_busy_ms",
  "decide_idle_ms",
  "conflated",
  "process_cpu_user_s",
  "process_cpu_system_s",
]);

/** Prometheus base units: a name's unit suffix becomes seconds, bytes or dollars. */
export function inBaseUnits(name: string, value: number): { name: string; value: number } {
  const m = /^(.*)_(micros|us|ms|s|mb)$/.exec(name);
  if (m === null) return { name, value };
  const base = m[1]!;
  switch (m[2]) {
    case "micros":
      return { name: `${base}_dollars`, value: value / 1e6 };
    case "us":
      return { name: `${base}_seconds`, value: value / 1e6 };
    case "ms":
      return { name: `${base}_seconds`, value: value / 1e3 };
    case "s":
      return { name: `${base}_seconds`, value };
    default:
      return { name: `${base}_bytes`, value: Math.round(value * 2 ** 20) };
  }
}

/** `fillsApplied` → `fills_applied`; anything outside [a-z0-9_:] → `_`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_:]/g, "_");
}

function labels(l: Readonly<Record<string, string>>): string {
  const keys = Object.keys(l);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${snakeCase(k)}="${escapeLabel(l[k]!)}"`).join(",")}}`;
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

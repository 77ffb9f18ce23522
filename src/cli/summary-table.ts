/**
 * The final summary of `kalshi-engine run` as a table for a person at a terminal (JSON goes to
 * pipes and to `--json`). Pure: returns the text.
 */
import type { EngineSummary } from "../engine/engine.js";

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i]!.length);
  // first column left-aligned (names), the rest right-aligned (numbers)
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))
    .join("\n");
}

const usd = (dollars: string) => (dollars.startsWith("-") ? `-$${dollars.slice(1)}` : `$${dollars}`);

export function summaryTable(s: EngineSummary): string {
  const out: string[] = [];
  out.push(`kalshi-engine stopped (${s.reason}) after ${s.uptime_s} s`);
  out.push("");
  out.push(
    table([
      ["P&L", ""],
      ["  realised", usd(s.pnl.realised)],
      ["  fees", usd(s.pnl.fees)],
      ["  unrealised (at mid)", usd(s.pnl.unrealised)],
      ["  net", usd(s.pnl.net)],
      ["Cash", ""],
      ["  free", usd(s.portfolio.free_cash)],
      ["  reserved", usd(s.portfolio.reserved_cash)],
      ...(s.portfolio.shards ?? []).map((sh) => [
        `  shard ${sh.exchange_index} free / reserved`,
        `${usd(sh.free_cash)} / ${usd(sh.reserved_cash)}`,
      ]),
      ["Trades", ""],
      ["  fills", String(s.trades.fills)],
      ["  orders sent", String(s.trades.orders_sent)],
      ["  orders rejected", String(s.trades.orders_rejected)],
      ["  canceled at shutdown", String(s.canceled_at_shutdown)],
    ]),
  );
  const markets = Object.entries(s.pnl.markets);
  if (markets.length > 0) {
    out.push("");
    const rows = [["market", "contracts", "mark", "realised", "unrealised", "fees"]];
    for (const [ticker, m] of markets) {
      rows.push([
        ticker,
        m.contracts,
        m.yes_mark === "" ? "-" : m.yes_mark,
        m.realised,
        m.unrealised,
        m.fees,
      ]);
    }
    out.push(table(rows));
  }
  if (s.incomplete_at_shutdown.length > 0) {
    out.push("");
    out.push("Incomplete at shutdown:");
    for (const i of s.incomplete_at_shutdown) out.push(`  ${i}`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * `make soak` (SOAK_MINUTES, default 10): runs the soak (test/soak/soak.ts) and writes its figures
 * to docs/reliability.md; exits 1 when any check failed.
 */
import { writeFileSync } from "node:fs";
import { runSoak, SOAK_SHARDS, type SoakReport } from "../test/soak/soak.js";

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
if (!(minutes > 0)) {
  process.stderr.write(
    `SOAK_MINUTES must be a positive number of minutes, got "${process.env.SOAK_MINUTES}"\n`,
  );
  process.exit(2);
}
const report = await runSoak({
  minutes,
  // lives of 1–2 minutes; a soak shorter than 5 minutes uses shorter ones so it still has several
  lifeSeconds: minutes >= 5 ? [60, 120] : [20, 40],
  settleEverySeconds: 30,
  seed: 11,
  log: (line) => process.stderr.write(`soak: ${line}\n`),
});
writeFileSync(new URL("../docs/reliability.md", import.meta.url), render(report));
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(report.failures.length === 0 ? 0 : 1);

function render(r: SoakReport): string {
  const ok = r.failures.length === 0;
  const row = (what: string, value: string | number, want: string) => `| ${what} | ${value} | ${want} |`;
  return `# Reliability

The figures of the last soak run — the engine and the paper exchange as real processes on a bad
day, for a bounded time — and how to reproduce them.

- Command: \`${r.command}\` (the test suite runs a 2-minute form of the same soak)
- Date: ${r.date}
- Result: **${ok ? "passed" : "FAILED"}**${ok ? "" : `\n- Failures: ${r.failures.map((f) => `\`${f}\``).join("; ")}`}

What the run does: a paper exchange with 20 markets on ${SOAK_SHARDS} exchange shards (the account's cash
deposited on shard 0, so the engine moves funds between shards as it trades; REST faults 20 % — 429, 5xx,
timeouts, resets after acceptance, slow answers — feed faults 1 % dropped or duplicated frames, a
WebSocket disconnect every 30,000 frames, a market settling every 30 s, one 20 s trading pause);
the engine \`kill -9\`ed and restarted every 1–2 minutes, a decide-thread crash injected into its
second life (\`KALSHI_INJECT_DECIDE_FAULTS=1\`), malformed frames and invalid capture lines
through \`/ingest\` in every life; the last life ends with SIGTERM and its summary is compared with
the exchange.

| Check | Measured | Required |
|---|---|---|
${[
  row("engine lives / kill -9", `${r.lives} / ${r.kills}`, "restarted every 1–2 min (20–40 s below 5 min)"),
  row("decide loop restarts after the injected crash", r.decideRestarts, "1, trading goes on"),
  row(
    "free cash: engine / exchange (µ$)",
    `${r.freeCashMicros.engine} / ${r.freeCashMicros.exchange}`,
    "equal",
  ),
  row(
    "free cash per exchange shard: engine / exchange (µ$)",
    r.shardFreeCashMicros.exchange
      .map((x, k) => `${k}: ${r.shardFreeCashMicros.engine[k] ?? 0} / ${x}`)
      .join(", "),
    "equal on every shard",
  ),
  row(
    "positions equal the exchange's",
    `${r.positionsEqual ? "yes" : "no"} (${r.positions} markets held)`,
    "yes",
  ),
  row("orders resting after the last stop", r.resting, "0"),
  row("duplicate client_order_ids", `${r.duplicateClientOrderIds} of ${r.orders} orders`, "0"),
  row("fills on the exchange", r.fills, "—"),
  row(
    `RSS peak in the last life, window 1 → window 2 (MB; after ${secs(r.rss.warmupSeconds)} s warm-up, windows of ${secs(r.rss.windowSeconds)} s)`,
    `${lastLife(r).window1PeakMb} → ${lastLife(r).window2PeakMb} (${signed(r.rss.inLifeGrowthPercent)} %)`,
    "≤ 5 %",
  ),
  row(
    "RSS peak per restart: first life → last life, window 1 (MB)",
    `${r.rss.lives[0]?.window1PeakMb} → ${lastLife(r).window1PeakMb} (${signed(r.rss.perRestartGrowthPercent)} %)`,
    "≤ 5 %",
  ),
  row(
    "/ingest malformed frames: sent / feed_rejects{malformed}",
    `${r.malformedSent} / ${r.ingestCounted.feedMalformed}`,
    "equal",
  ),
  row(
    "/ingest frames: sent / ingest_frames",
    `${r.malformedSent} / ${r.ingestCounted.ingestFrames}`,
    "equal",
  ),
  row(
    "/ingest invalid capture lines: sent / ingest_rejected",
    `${r.invalidSent} / ${r.ingestCounted.ingestRejected}`,
    "equal",
  ),
  row(
    "shutdown steps not completed",
    r.incompleteAtShutdown.length === 0 ? "none" : r.incompleteAtShutdown.join("; "),
    "none",
  ),
].join("\n")}

RSS of every life (MB, peak of each window; window 1 starts after the warm-up): ${r.rss.lives
    .map((l) =>
      l.window1PeakMb > 0 && l.window2PeakMb > 0
        ? `life ${l.life} ${l.window1PeakMb} → ${l.window2PeakMb} (${signed(l.growthPercent)} %)`
        : `life ${l.life} ${l.window1PeakMb || "—"} → ${l.window2PeakMb || "—"} (a window without samples: the life was busy with its checks)`,
    )
    .join("; ")}.

Why peaks after a warm-up rather than first and last sample: in its first minutes an engine's RSS
moves by ±10 % while its live objects do not grow. Measured on an 8-minute run of the same engine
against the same paper exchange without kills, per thread (V8 heap statistics every 5 s): RSS
fell from 284–292 MB at 60–90 s to 219 MB at 120 s (the start-up's garbage freed by the first full
GCs), then rose to 257 MB at 300 s and 267 MB at 480 s; of that +48 MB, +37 MB was V8 heap
*capacity* — young generations growing to the allocation rate (io 4 → 8 MB, the orders thread
2 → 32 MB) and old generations growing towards their next GC limit — while the old generation's
live size after GC stayed flat (io 19.8 → 20.2 MB, decide 8.8 → 9.6 MB, orders 13.1 → 13.2 MB).
A first-vs-last sample over the first two minutes therefore reads anywhere from −8 % to +8 %
depending on when the big GC lands. A leak raises every later peak; GC sawtooth and heap sizing
do not, so the check compares the peaks of equal windows, within the last life and across
restarts (state that grows with the trading history shows there).

The exchange's last fault counts: \`${r.exchangeFaults.replace(/`/g, "'") || "n/a"}\`
`;
}

function lastLife(r: SoakReport): SoakReport["rss"]["lives"][number] {
  return r.rss.lives.at(-1) as SoakReport["rss"]["lives"][number];
}

function signed(x: number): string {
  return x > 0 ? `+${x}` : String(x);
}

function secs(x: number): string {
  return String(Math.round(x * 10) / 10);
}

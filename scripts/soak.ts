/**
 * `make soak` (SOAK_MINUTES, default 10): runs the soak (test/soak/soak.ts) and writes its figures
 * to docs/reliability.md; exits 1 when any check failed.
 */
import { writeFileSync } from "node:fs";
import { runSoak, type SoakReport } from "../test/soak/soak.js";

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

What the run does: a paper exchange with 20 markets on one shard (REST faults 20 % — 429, 5xx,
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
    "positions equal the exchange's",
    `${r.positionsEqual ? "yes" : "no"} (${r.positions} markets held)`,
    "yes",
  ),
  row("orders resting after the last stop", r.resting, "0"),
  row("duplicate client_order_ids", `${r.duplicateClientOrderIds} of ${r.orders} orders`, "0"),
  row("fills on the exchange", r.fills, "—"),
  row(
    "RSS over the last life (MB)",
    `${r.rssMb.first} → ${r.rssMb.last} (${r.rssMb.growthPercent} %)`,
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

The exchange's last fault counts: \`${r.exchangeFaults.replace(/`/g, "'") || "n/a"}\`
`;
}

/**
 * End to end: the paper exchange and the engine as real processes on loopback. Checks that the
 * engine trades, serves /stats, /metrics, /healthz, /events, guards /control with its token,
 * kills (every resting order canceled on the exchange), shuts down on SIGTERM, and that its final
 * portfolio equals the exchange's balance and positions to the last unit.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { countToHundredths, dollarsToMicros } from "../../src/kalshi/units.js";
import { grafanaProblems } from "../server/fixtures/grafana.js";
import { conventionProblems, parsePrometheus, sample } from "../server/fixtures/prometheus-parse.js";
import { promtoolCheck, promtoolPath } from "../server/fixtures/promtool.js";
import { type Spawned, signedGet, signedGetAll, spawnCli, waitFor } from "./helpers.js";

const TOKEN = "test-control-token-123";
/**
 * REST fault probability of the paper exchange (429, 5xx, timeouts, resets after acceptance,
 * slow answers): the final portfolio must still equal the exchange's to the last unit.
 */
const FAULT_RATE = "0.2";

interface Stats {
  counters: Array<{ name: string; labels: Record<string, string>; value: number }>;
  portfolio: { free_cash: string; reserved_cash: string; positions: Record<string, string> };
  histograms: Record<string, { count: number; p50: number }>;
  state: Record<string, unknown>;
  pnl: { realised_micros: number };
}

function counter(s: Stats, name: string): number {
  return s.counters.filter((c) => c.name === name).reduce((a, c) => a + c.value, 0);
}

describe("kalshi-engine run against kalshi-engine paper (separate processes)", () => {
  const procs: Spawned[] = [];
  const dirs: string[] = [];
  after(() => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("trades, reports, obeys control, and ends with the exchange's exact portfolio", {
    timeout: 240_000,
  }, async () => {
    const paper = await spawnCli([
      "paper",
      "--markets",
      "30",
      "--rate",
      "1500",
      "--seed",
      "3",
      "--port",
      "0",
      "--fault-rate",
      FAULT_RATE,
    ]);
    procs.push(paper);
    const ex = paper.first as {
      rest: string;
      ws: string;
      key_id: string;
      key_file: string;
      markets: string[];
    };
    const journalDir = mkdtempSync(join(tmpdir(), "engine-e2e-journal-"));
    dirs.push(journalDir);
    const engine = await spawnCli([
      "run",
      "--exchange",
      "paper",
      "--rest-url",
      ex.rest,
      "--ws-url",
      ex.ws,
      "--key-id",
      ex.key_id,
      "--key-file",
      ex.key_file,
      "--markets",
      ex.markets.join(","),
      "--policy",
      "rules",
      "--control-token",
      TOKEN,
      "--duration",
      "120",
      "--throttle-ms",
      "100",
      "--stats-port",
      "0",
      "--journal-dir",
      journalDir,
    ]);
    procs.push(engine);
    const statsUrl = String(engine.first.stats);
    const base = statsUrl.replace(/\/stats$/, "");
    const getStats = async () => (await (await fetch(statsUrl)).json()) as Stats;

    // /events: JSON events arrive for orders and fills
    const events: Array<{ kind: string }> = [];
    const ws = new WebSocket(`${base.replace("http", "ws")}/events?format=json`);
    ws.on("message", (m) => events.push(JSON.parse(String(m))));
    await new Promise((r, j) => {
      ws.once("open", r);
      ws.once("error", j);
    });

    const traded = await waitFor(
      async () => {
        const s = await getStats();
        // decide workers' histograms reach /stats on their own schedule, after the counters
        const decided = s.histograms.tick_to_decision.count > 0;
        return counter(s, "orders") > 5 && counter(s, "fills") > 0 && decided ? s : undefined;
      },
      "orders and fills",
      90_000,
    );
    assert.ok(counter(traded, "frames") > 100);
    // a round trip: contracts bought and sold back, so the realised P&L compared at the end is not 0
    await waitFor(
      async () => (await getStats()).pnl.realised_micros !== 0,
      "a realised P&L (a position closed)",
      90_000,
    );
    assert.ok(traded.histograms.parse_apply.count > 0);
    await waitFor(async () => events.some((e) => e.kind === "order"), "an order event on /events");
    // every non-HOLD decision, with its price, book seq and batch; HOLDs as counts per second
    const executed = await waitFor(
      async () =>
        events.find(
          (e) => e.kind === "decision" && (e as unknown as { skippedReason: string }).skippedReason === "",
        ),
      "an executed decision on /events",
    );
    const d = executed as unknown as Record<string, number | string>;
    assert.notEqual(d.action, "hold");
    assert.ok(Number(d.priceTicks) > 0 && Number(d.sizeHundredths) > 0, JSON.stringify(d));
    assert.ok(Number(d.bookSeq) > 0 && Number(d.batchSize) > 0, JSON.stringify(d));
    assert.ok(Number(d.appliedCount) > 0, `the book the decision saw: ${JSON.stringify(d)}`);
    await waitFor(async () => events.some((e) => e.kind === "holds"), "a holds event on /events");

    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^kalshi_engine_frames_total \d+/m);
    assert.match(
      metrics,
      /^kalshi_engine_stage_latency_seconds_bucket\{stage="tick_to_decision",le="\+Inf"\} [1-9]/m,
    );
    assert.deepEqual(conventionProblems(metrics), []);
    // the Grafana dashboard's queries find their series in a real engine's exposition
    assert.deepEqual(grafanaProblems(metrics), []);
    const promtool = promtoolPath();
    if (promtool !== undefined) assert.equal(promtoolCheck(promtool, metrics).output, "");
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200, await health.text());

    // control needs the bearer token
    assert.equal((await fetch(`${base}/control/pause`, { method: "POST" })).status, 401);
    const wrong = await fetch(`${base}/control/pause`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(wrong.status, 401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await fetch(`${base}/control/pause`, { method: "POST", headers: auth })).status, 200);
    assert.equal((await getStats()).state.paused, true);
    assert.equal((await fetch(`${base}/control/resume`, { method: "POST", headers: auth })).status, 200);
    const reconciled = await fetch(`${base}/control/reconcile`, { method: "POST", headers: auth });
    assert.equal(reconciled.status, 200);
    assert.ok(((await reconciled.json()) as { result: { reconciled: object } }).result.reconciled);

    // kill: every resting order of the engine is canceled on the exchange
    const killed = await fetch(`${base}/control/kill`, { method: "POST", headers: auth });
    assert.equal(killed.status, 200);
    const resting = await waitFor(
      async () => {
        const open = await signedGetAll(
          ex.rest,
          ex.key_id,
          ex.key_file,
          "/portfolio/orders?status=resting",
          "orders",
        );
        return open.length === 0 ? open : undefined;
      },
      "no resting orders after kill",
      30_000,
    );
    assert.equal(resting.length, 0);
    ws.close();

    // nothing trades after the kill: /metrics shows the exchange's realised P&L and fees
    const exchangePnl = async () => {
      const held = await signedGetAll<{ realized_pnl_dollars: string; fees_paid_dollars: string }>(
        ex.rest,
        ex.key_id,
        ex.key_file,
        "/portfolio/positions",
        "market_positions",
      );
      const realised = held.reduce((a, p) => a + dollarsToMicros(p.realized_pnl_dollars), 0);
      return `${realised} ${held.reduce((a, p) => a + dollarsToMicros(p.fees_paid_dollars), 0)}`;
    };
    const metricsPnl = async () => {
      const { samples } = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
      const micros = (name: string) => Math.round(sample(samples, name) * 1e6);
      return `${micros("kalshi_engine_realised_pnl_dollars")} ${micros("kalshi_engine_fees_paid_dollars")}`;
    };
    let pnlSeen = "";
    await waitFor(
      async () => {
        const [a, b] = [await metricsPnl(), await exchangePnl()];
        pnlSeen = `/metrics ${a}, exchange ${b} (realised, fees in micros)`;
        return a === b && !a.startsWith("0 ") ? true : undefined;
      },
      "the realised P&L and fees in /metrics to equal the exchange's",
      30_000,
    ).catch((e: Error) => assert.fail(`${e.message}: ${pnlSeen}`));

    // SIGTERM: orderly shutdown with a final summary on stdout
    engine.child.kill("SIGTERM");
    assert.equal(await engine.exited, 0, engine.stderr.join("").slice(-3000));
    const summaryLine = engine.lines.find((l) => l.startsWith('{"summary"'));
    assert.ok(summaryLine, "final summary printed");
    const summary = JSON.parse(summaryLine).summary as {
      portfolio: Stats["portfolio"];
      pnl: { realised_micros: number; fees_micros: number; realised: string; fees: string };
      trades: { fills: number };
      incomplete_at_shutdown: string[];
      orders: Record<string, number>;
    };
    const context = JSON.stringify({
      portfolio: summary.portfolio,
      incomplete: summary.incomplete_at_shutdown,
      orders: summary.orders,
    });

    const balance = (await signedGet(ex.rest, ex.key_id, ex.key_file, "/portfolio/balance")) as {
      balance_dollars: string;
    };
    assert.deepEqual(summary.incomplete_at_shutdown, [], `shutdown completed; ${context}`);
    assert.equal(
      dollarsToMicros(summary.portfolio.free_cash),
      dollarsToMicros(balance.balance_dollars),
      `free cash = balance; ${context}`,
    );
    assert.equal(dollarsToMicros(summary.portfolio.reserved_cash), 0, `nothing reserved; ${context}`);
    const positions = await signedGetAll<{
      ticker: string;
      position_fp: string;
      realized_pnl_dollars: string;
      fees_paid_dollars: string;
    }>(ex.rest, ex.key_id, ex.key_file, "/portfolio/positions", "market_positions");
    const exchangePositions = Object.fromEntries(
      positions
        .filter((p) => countToHundredths(p.position_fp) !== 0)
        .map((p) => [p.ticker, countToHundredths(p.position_fp)]),
    );
    const enginePositions = Object.fromEntries(
      Object.entries(summary.portfolio.positions).map(([t, c]) => [t, countToHundredths(c)]),
    );
    assert.deepEqual(enginePositions, exchangePositions);
    // P&L: the summary's realised P&L and fees are the exchange's, to the micro
    const sum = (key: "realized_pnl_dollars" | "fees_paid_dollars") =>
      positions.reduce((a, p) => a + dollarsToMicros(p[key]), 0);
    assert.equal(summary.pnl.realised_micros, sum("realized_pnl_dollars"), `realised P&L; ${context}`);
    assert.equal(summary.pnl.fees_micros, sum("fees_paid_dollars"), `fees; ${context}`);
    // not vacuous: the run traded, paid fees and closed contracts at a profit or a loss
    assert.ok(summary.trades.fills > 0, `fills were applied; ${context}`);
    assert.ok(summary.pnl.fees_micros > 0, "fees were paid");
    assert.notEqual(summary.pnl.realised_micros, 0, `contracts were closed with a realised P&L; ${context}`);
    assert.equal(dollarsToMicros(summary.pnl.realised), summary.pnl.realised_micros, "dollars = micros");
    assert.equal(dollarsToMicros(summary.pnl.fees), summary.pnl.fees_micros, "dollars = micros");

    // audit trail: a log line per order, fill and control action (with who), fills.ndjson
    const audit = engine.stderr
      .join("")
      .split("\n")
      .filter((l) => l.includes('"audit"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const audited = (what: string, key?: string, value?: string) =>
      audit.filter((a) => a.audit === what && (key === undefined || a[key] === value));
    assert.ok(audited("order", "status", "sent").length > 0, "order sent audited");
    assert.ok(audited("order", "status", "acked").length > 0, "order acked audited");
    for (const a of audited("order"))
      assert.ok(["sent", "acked", "rejected", "refused", "canceled", "amended"].includes(String(a.status)));
    // the kill switch, and one canceled line per order it canceled (and any canceled before it)
    // (resume released it first: engaged false)
    const killSwitch = audited("kill_switch").find((a) => a.engaged === true);
    assert.ok(killSwitch, "the kill switch is audited");
    const killCancels = Number(/^cancels: (\d+)$/.exec(String(killSwitch?.reason))?.[1]);
    assert.ok(audited("order", "status", "canceled").length >= killCancels, `${killCancels} cancels audited`);
    for (const action of ["pause", "resume", "kill", "reconcile"]) {
      const [c] = audited("control", "action", action);
      assert.ok(c, `control ${action} audited`);
      assert.equal(c.remote, "127.0.0.1");
      assert.match(String(c.token_id), /^[0-9a-f]{8}$/);
      assert.ok(!JSON.stringify(c).includes(TOKEN), "the token itself is never logged");
    }
    const [run] = readdirSync(join(journalDir, "runs"));
    const fillLines = readFileSync(join(journalDir, "runs", String(run), "fills.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { fill_id: string; fee: string });
    assert.equal(audited("fill").length, fillLines.length, "one audit line per fill");
    assert.equal(fillLines.length, summary.trades.fills, "fills.ndjson holds every applied fill");
    assert.equal(
      fillLines.reduce((a, f) => a + dollarsToMicros(f.fee), 0),
      summary.pnl.fees_micros,
      "the fills' fees add up to the fees paid",
    );
    paper.child.kill("SIGTERM");
    assert.equal(await paper.exited, 0);
    assert.equal(existsSync(dirname(ex.key_file)), false, "the paper exchange removed its key directory");
  });
});

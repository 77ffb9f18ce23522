import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Engine } from "../../src/engine/engine.js";
import { DECISION_ACTIONS } from "../../src/events/engine-event.js";
import { loadPrivateKey } from "../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../src/kalshi/rest-client.js";
import type { RestFaultKind } from "../../src/paper/faults/fault-plan.js";
import { startPaperExchange } from "../../src/paper/index.js";
import { ORDER_DROP_REASONS } from "../../src/stats/engine-metrics.js";
import { prng } from "../shm/prng.js";
import { collectEvents, inProcessEngineOptions } from "./helpers.js";

/**
 * Every counter true: a paper run with REST faults (429s, 5xx), tight risk limits and a per-market
 * throttle, then each metric checked against an independent witness — the exchange's own count
 * (429s answered, fills), the event stream (refusals, breaker trips, rejects), the decide workers'
 * count against the orders thread's (no decision lost between threads), and the orders thread's
 * own counts (drops by reason).
 */
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The drop reasons whose decisions become an order event with status "refused". */
const REFUSED_REASONS = ["risk", "cash", "shard_cash", "transfer_failed"];

async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("engine metrics after a faulty paper run", () => {
  it("equal the exchange's, the event stream's and the threads' own counts", {
    timeout: 180_000,
  }, async () => {
    const px = await startPaperExchange({ markets: 6, ratePerSec: 300, seed: 21, rateLimitTier: "premier" });
    cleanups.push(() => px.close());
    const journalDir = mkdtempSync(join(tmpdir(), "counters-truth-"));
    dirs.push(journalDir);
    const audit: Array<{ audit: string; seq?: number; status?: string }> = [];
    const keepAudit = (fields: object) => {
      if ("audit" in fields) audit.push(fields as (typeof audit)[number]);
    };
    const engine = await Engine.start({
      ...inProcessEngineOptions(px, {
        batchSize: 8,
        controlToken: "t",
        orders: {
          strategy: "passive",
          throttleMs: 400,
          journalDir,
          reconcileEveryMs: 2_000,
          shutdownPolicy: "cancel_all",
          risk: {
            maxContractsPerMarketHundredths: 600,
            maxGrossExposureMicros: 30_000_000,
            minCashReserveMicros: 0,
            maxOrdersPerSecond: 4,
          },
        },
      }),
      log: { info: keepAudit, warn: keepAudit, error: keepAudit },
    });
    cleanups.push(() => engine.stop("test end"));
    const stream = await collectEvents(engine.statsUrl);
    cleanups.push(async () => stream.close());
    const events = stream.events;

    // From now on the exchange refuses 20 % of REST requests (429 or 5xx), and counts its 429s.
    const answered429 = { n: 0 };
    const random = prng(77);
    const injector = px.faults;
    const original = injector.drawRestFault.bind(injector);
    injector.drawRestFault = (): RestFaultKind | null => {
      const u = random();
      if (u < 0.15) {
        answered429.n++;
        return "429";
      }
      return u < 0.2 ? "5xx" : null;
    };
    const counter = (name: string, labels?: Record<string, string>) => engine.counters.get(name, labels);
    try {
      // (a refusal by risk or cash comes only as positions build: on a loaded machine that can take
      // longer than the orders, throttles and 429s, and the audit check below needs one)
      const refused = () => REFUSED_REASONS.reduce((sum, reason) => sum + counter("drops", { reason }), 0);
      await until(
        () =>
          counter("orders") >= 12 &&
          counter("drops", { reason: "throttle" }) > 0 &&
          counter("http_429") > 0 &&
          refused() > 0,
        "orders, throttles, 429s and a refused order",
      );
      // stop deciding; let every decision already made reach the orders thread and be counted
      await engine.control("pause");
      const decided = () =>
        DECISION_ACTIONS.slice(1).reduce((sum, action) => sum + counter("decisions", { action }), 0);
      let own = await engine.orders.stats();
      await until(async () => {
        own = await engine.orders.stats();
        return own.stats.decisions + counter("ring_overflows", { ring: "decision" }) === decided();
      }, "every decision the workers made to be counted by the orders thread");
      // a stats reply publishes the shared counters first: both views are of the same moment
      const drops: Record<string, number> = {};
      for (const reason of ORDER_DROP_REASONS) drops[reason] = counter("drops", { reason });
      const s = own.stats;
      assert.deepEqual(drops, {
        not_ready: s.notReady,
        late: s.stale,
        kill: s.killBlocked,
        breaker: s.breakerBlocked,
        write_in_flight: s.busy + s.waits - s.outcomeUnknownWaits,
        unknown_market: s.unknownMarket,
        market_settled: s.marketSettled,
        market_refused: s.marketRefused,
        exchange_paused: s.exchangePaused,
        throttle: s.throttled,
        no_book: s.bookStale,
        no_price: s.noPrice,
        size: s.sizeRefused,
        outcome_unknown: s.outcomeUnknownWaits,
        risk: s.riskRefused,
        cash: s.ledgerRefused,
        shard_cash: s.shardCashRefused,
        transfer_failed: s.transferFailed,
      });
      assert.equal(counter("orders"), s.sent);
      assert.ok(drops.throttle! > 0, "the throttle refused decisions");
    } finally {
      injector.drawRestFault = original;
    }
    await engine.stop("test end");

    // the exchange's count of 429 answers: all of them went to the orders thread
    assert.equal(counter("http_429"), answered429.n);
    // every fill of the account, applied once
    const client = new KalshiRestClient({
      baseUrl: px.restUrl,
      key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    });
    const fills = await client.collectAll((cursor) => client.getFills({ cursor, limit: 200 }));
    assert.equal(counter("fills"), fills.length);
    // the event stream as witness of refusals, breaker trips and exchange rejects
    const refusals = events.filter((e) => e.kind === "order" && e.status === "refused").length;
    assert.equal(
      REFUSED_REASONS.reduce((sum, reason) => sum + counter("drops", { reason }), 0),
      refusals,
    );
    // transfers between shards (the deposit is on shard 0, markets on 3 shards; how many depends
    // on which decisions passed risk): the 429s and 5xx injected here never execute a request, so
    // the exchange made exactly those answered ok
    assert.equal(px.core.transferCount(), counter("transfers", { result: "ok" }));
    const throttled = events.filter((e) => e.kind === "decision" && e.skippedReason === "throttle").length;
    assert.equal(counter("drops", { reason: "throttle" }), throttled);
    const trips = events.filter(
      (e) => e.kind === "breaker" && e.name === "orders" && e.state === "tripped",
    ).length;
    assert.equal(counter("breaker_trips"), trips);
    const rejects = events.filter(
      (e) => e.kind === "order" && e.status === "rejected" && !e.reason.startsWith("resolved:"),
    ).length;
    assert.equal(counter("rejects"), rejects);
    assert.equal(counter("events_dropped"), 0);
    // the audit trail: one line per order, fill, breaker, kill and settlement event, the same seq
    const AUDITED: Record<string, string> = { kill: "kill_switch" };
    for (const k of ["order", "fill", "breaker", "settlement", "transfer"]) AUDITED[k] = k;
    // (the stream's span: events before the client connected or after the server closed aside)
    const firstSeq = Math.min(...events.map((e) => e.seq));
    const lastSeq = Math.max(...events.map((e) => e.seq));
    const line = (what: string, seq: number | undefined, status = "") => `${seq} ${what} ${status}`;
    assert.deepEqual(
      audit
        .filter((a) => a.seq !== undefined && a.seq >= firstSeq && a.seq <= lastSeq)
        .map((a) => line(a.audit, a.seq, a.status)),
      events
        .filter((e) => AUDITED[e.kind] !== undefined)
        .map((e) => line(AUDITED[e.kind]!, e.seq, e.kind === "order" ? e.status : "")),
    );
    const statuses = new Set(audit.filter((a) => a.audit === "order").map((a) => a.status));
    for (const s of ["sent", "acked", "refused"]) assert.ok(statuses.has(s), `an order ${s} audited`);
    assert.ok(
      audit.some((a) => a.audit === "control"),
      "the pause is audited",
    );
  });
});

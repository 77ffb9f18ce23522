import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { Engine, type EngineLogger, type EngineOptions } from "../../src/engine/engine.js";
import { loadPrivateKey } from "../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../src/kalshi/rest-client.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";

/**
 * Supervision end to end, in process against the paper exchange: a decide loop that always fails
 * halts trading loudly (kill switch, breaker event, /healthz 503 with the reason); an orders
 * thread that dies makes io cancel every resting order over REST and report the engine failed.
 */
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function quietLog(lines: Array<{ level: string; msg: string; fields: object }>): EngineLogger {
  const at = (level: string) => (fields: object, msg: string) => lines.push({ level, msg, fields });
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

async function engineOn(
  px: PaperExchangeHandle,
  extra: Partial<EngineOptions>,
  lines: Array<{ level: string; msg: string; fields: object }>,
): Promise<Engine> {
  const journalDir = mkdtempSync(join(tmpdir(), "supervision-"));
  dirs.push(journalDir);
  const engine = await Engine.start({
    exchange: { name: "paper", restUrl: px.restUrl, wsUrl: px.wsUrl, keyId: px.keyId, keyFile: px.keyFile },
    markets: px.markets,
    policy: { kind: "rule" },
    decideThreads: 1,
    batchSize: 8,
    loopBudgetMs: 60_000,
    orders: {
      strategy: "passive",
      throttleMs: 0,
      journalDir,
      reconcileEveryMs: 600_000,
      shutdownPolicy: "cancel_all",
    },
    server: { host: "127.0.0.1", port: 0, controlToken: "t" },
    log: quietLog(lines),
    ...extra,
  });
  cleanups.push(() => engine.stop("test end"));
  return engine;
}

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("engine supervision", () => {
  it("halts trading loudly when every decide batch fails: kill switch, event, /healthz 503", {
    timeout: 120_000,
  }, async () => {
    const px = await startPaperExchange({ markets: 4, ratePerSec: 50, seed: 3, rateLimitTier: "premier" });
    cleanups.push(() => px.close());
    const lines: Array<{ level: string; msg: string; fields: object }> = [];
    const engine = await engineOn(px, { supervision: { maxRestarts: 3 } }, lines);
    const base = engine.statsUrl.replace(/\/stats$/, "");
    const events: Array<{
      kind: string;
      seq: number;
      name?: string;
      state?: string;
      engaged?: boolean;
      reason?: string;
    }> = [];
    const ws = new WebSocket(`${base.replace("http", "ws")}/events?format=json`);
    ws.on("message", (data) => events.push(JSON.parse(String(data))));
    cleanups.push(async () => ws.close());
    await new Promise((resolve) => ws.once("open", resolve));
    engine.dispatcher.injectFaults(1_000); // from now on every batch fails its loop
    const health = await until(async () => {
      const res = await fetch(`${base}/healthz`);
      const body = (await res.json()) as { reason: string; halted: string | null };
      return res.status === 503 && body.halted !== null ? body : undefined;
    }, "/healthz to report the halt");
    assert.match(health.reason, /trading halted: decide_supervisor: decide worker loop failed 3 times/);
    assert.match(health.reason, /kill switch engaged/);
    assert.ok(lines.some((l) => l.level === "error" && /trading halted/.test(l.msg)));
    await until(() => events.some((e) => e.kind === "kill" && e.engaged), "the kill event");
    const breaker = events.find((e) => e.kind === "breaker" && e.state === "tripped");
    assert.equal(breaker?.name, "decide_supervisor");
    assert.match(breaker?.reason ?? "", /failed 3 times/);
    // the trip and the kill switch are audit records, matched to their events by seq
    const audited = (what: string) =>
      lines.filter((l) => (l.fields as { audit?: string }).audit === what).map((l) => l.fields);
    assert.deepEqual(
      audited("breaker").map((f) => (f as { seq: number; name: string }).seq),
      [breaker?.seq],
      JSON.stringify(audited("breaker")),
    );
    const kill = events.find((e) => e.kind === "kill" && e.engaged);
    assert.ok(
      audited("kill_switch").some((f) => (f as { seq: number }).seq === kill?.seq),
      JSON.stringify(audited("kill_switch")),
    );
    assert.equal(lines.filter((l) => /loop restarted/.test(l.msg)).length, 2);
    const stats = (await (await fetch(`${base}/stats`)).json()) as {
      counters: Array<{ name: string; labels: Record<string, string>; value: number }>;
    };
    const metric = (name: string) => stats.counters.find((c) => c.name === name)?.value;
    assert.equal(metric("decide_restarts"), 2);
    assert.equal(metric("kill_engaged"), 1);
    await assert.rejects(engine.control("resume"), /trading halted/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /thread_heartbeat_age_seconds\{thread="orders"\} \d/);
    assert.match(metrics, /io_loop_lag_seconds \d/);
    const summary = await engine.stop("test end");
    assert.match(summary.halted ?? "", /decide_supervisor/);
  });

  it("cancels every resting order over REST from io when the orders thread dies, and fails", {
    timeout: 120_000,
  }, async () => {
    // three exchange shards, one resting order on each: io's cancel-all routes each by its market
    const px = await startPaperExchange({
      markets: 6, // two markets per event, events on shards 0, 1, 2 in turn
      ratePerSec: 0,
      seed: 4,
      rateLimitTier: "premier",
      shards: 3,
    });
    cleanups.push(() => px.close());
    const lines: Array<{ level: string; msg: string; fields: object }> = [];
    const engine = await engineOn(px, {}, lines);
    await engine.control("pause");
    const client = new KalshiRestClient({
      baseUrl: px.restUrl,
      key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    });
    for (let shard = 1; shard < 3; shard++)
      assert.equal((await client.transferBetweenShards(0, shard, 1_000_000)).kind, "ok");
    for (let k = 0; k < 3; k++) {
      const r = await client.createOrder({
        ticker: px.markets[2 * k]!,
        client_order_id: `resting-${k}`,
        side: "bid",
        count: "1.00",
        price: "0.0100",
        time_in_force: "good_till_canceled",
        self_trade_prevention_type: "taker_at_cross",
      });
      assert.equal(r.kind, "ok");
    }
    await engine.orders.worker.terminate(); // the thread dies without being asked to stop
    const reason = await engine.failed;
    assert.match(reason, /orders thread exited/);
    const resting = await client.collectAll((cursor) => client.getOrders({ status: "resting", cursor }));
    assert.equal(resting.length, 0);
    const summary = await engine.stop("failed");
    assert.equal(summary.emergency_cancel?.canceled, 3);
    assert.equal(summary.emergency_cancel?.stillResting, 0);
    assert.match(summary.halted ?? "", /orders_thread/);
    assert.ok(summary.incomplete_at_shutdown.some((s) => /orders thread/.test(s)));
    assert.ok(lines.some((l) => l.level === "error" && /canceled over REST from io/.test(l.msg)));
  });
});

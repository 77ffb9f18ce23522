import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Script } from "node:vm";
import type { FillEvent, OrderEvent } from "../../src/events/engine-event.js";
import { startEngineServer } from "../../src/server/engine-server.js";
import type { DashboardSnapshot, EngineServer } from "../../src/server/types.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { conventionProblems, familyOf, parsePrometheus, sample } from "./fixtures/prometheus-parse.js";
import { rawRequest } from "./fixtures/raw-http.js";

const TOKEN = "test-token-0123456789";

interface ErrorBody {
  error: { code: string; message: string };
}

interface ControlBody {
  ok: boolean;
  action: string;
}

async function errorOf(r: Response): Promise<ErrorBody["error"]> {
  return ((await r.json()) as ErrorBody).error;
}

describe("engine server HTTP routes", () => {
  const engine = new FakeEngine();
  let server: EngineServer;

  before(async () => {
    server = await startEngineServer({ port: 0, controlToken: TOKEN, maxRequestBytes: 1024 }, engine.deps());
  });
  after(() => server.close());

  const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(server.url + path, { method: "POST", headers, body });

  it("binds 127.0.0.1 by default and reports its URL", () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.ok(server.port > 0);
  });

  it("GET /stats returns the engine's snapshot as JSON", async () => {
    const r = await fetch(`${server.url}/stats`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/);
    const body = await r.json();
    assert.deepEqual(body, JSON.parse(JSON.stringify(engine.stats())));
    assert.equal(body.histograms.inference.count, 100);
    assert.equal(body.histograms.tick_to_order.budget_breaches, 1);
    assert.equal(body.portfolio.free_cash, "987.654321");
    assert.deepEqual(body.portfolio.positions, { "KXEX-26MAR10-A": "12.50", "KXEX-26MAR10-B": "-5.00" });
  });

  it("GET /snapshot: the engine's open orders, P&L by market and the events seen so far", async () => {
    const fill: FillEvent = {
      kind: "fill",
      seq: 41,
      tsUs: 1,
      fillId: "f-1",
      orderId: "ex-1",
      market: "KXEX-26MAR10-A",
      side: "yes",
      action: "buy",
      priceTicks: 4200,
      countHundredths: 300,
      feeMicros: 5_000,
    };
    const order: OrderEvent = {
      kind: "order",
      seq: 42,
      tsUs: 2,
      status: "acked",
      clientOrderId: "c-1",
      orderId: "ex-1",
      market: "KXEX-26MAR10-A",
      side: "yes",
      action: "buy",
      priceTicks: 4200,
      countHundredths: 1000,
      reason: "",
    };
    engine.emit(fill);
    engine.emit(order);
    engine.emit({ kind: "holds", seq: 43, tsUs: 3, count: 9, intervalMs: 1000 });
    engine.openOrders = [
      {
        clientOrderId: "c-1",
        orderId: "ex-1",
        market: "KXEX-26MAR10-A",
        side: "yes",
        action: "buy",
        priceTicks: 4200,
        countHundredths: 1000,
        filledHundredths: 300,
      },
    ];
    const r = await fetch(`${server.url}/snapshot`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as DashboardSnapshot;
    assert.equal(body.seq, 43, "newest event seen");
    assert.deepEqual(body.open_orders, engine.openOrders);
    assert.deepEqual(body.recent_fills, [fill]);
    assert.deepEqual(body.recent_orders, [order]);
    assert.deepEqual(body.pnl, engine.stats().pnl);
    assert.equal(body.pnl.markets["KXEX-26MAR10-A"]?.yes_mark, "0.0425");
    assert.deepEqual(body.portfolio, engine.stats().portfolio);

    engine.openOrdersError = new Error("orders worker has exited");
    const failed = await fetch(`${server.url}/snapshot`);
    assert.equal(failed.status, 503);
    assert.deepEqual(await errorOf(failed), {
      code: "snapshot_unavailable",
      message: "orders worker has exited",
    });
    engine.openOrdersError = undefined;
  });

  it("GET /metrics is Prometheus 0.0.4 text with kalshi_engine_ names, labels and values", async () => {
    const r = await fetch(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const { samples, families } = parsePrometheus(text);
    for (const s of samples) {
      assert.match(s.name, /^kalshi_engine_/);
      const f = familyOf(s.name, families);
      assert.ok(f !== undefined, `sample ${s.name} has HELP/TYPE`);
      assert.notEqual(families.get(f)!.help, "");
    }
    const inference = engine.stats().histograms.inference;
    const lat = "kalshi_engine_stage_latency_seconds";
    assert.equal(families.get(lat)!.type, "histogram");
    const bucket = (stage: string, le: string) => sample(samples, `${lat}_bucket`, { stage, le });
    assert.equal(bucket("inference", "+Inf"), 100);
    assert.equal(bucket("inference", "0.0025"), 100, "every value (10 µs … 1 ms) is ≤ 2.5 ms");
    assert.ok(bucket("inference", "0.00001") <= 1, "at most the 10 µs value is ≤ 10 µs");
    assert.ok(bucket("inference", "0.0005") >= 45 && bucket("inference", "0.0005") <= 50, "≈ half ≤ 500 µs");
    assert.equal(sample(samples, `${lat}_count`, { stage: "inference" }), 100);
    assert.equal(sample(samples, `${lat}_count`, { stage: "features" }), 0);
    assert.equal(bucket("features", "+Inf"), 0);
    assert.ok(
      Math.abs(sample(samples, `${lat}_sum`, { stage: "inference" }) - (inference.mean * 100) / 1e6) < 1e-9,
    );
    assert.equal(
      sample(samples, "kalshi_engine_stage_latency_max_seconds", { stage: "inference" }),
      inference.max / 1e6,
    );
    assert.deepEqual(conventionProblems(text), []);
    assert.equal(sample(samples, "kalshi_engine_stage_budget_breaches_total", { stage: "tick_to_order" }), 1);
    assert.equal(families.get("kalshi_engine_frames_total")!.type, "counter");
    assert.equal(sample(samples, "kalshi_engine_frames_total"), 7);
    assert.equal(sample(samples, "kalshi_engine_decisions_total", { action: "buy_yes" }), 3);
    assert.equal(sample(samples, "kalshi_engine_decisions_total", { action: "hold" }), 0);
    assert.equal(families.get("kalshi_engine_stale_markets")!.type, "gauge");
    assert.equal(sample(samples, "kalshi_engine_stale_markets"), 2);
    assert.equal(sample(samples, "kalshi_engine_realised_pnl_dollars"), -1.25);
    assert.equal(sample(samples, "kalshi_engine_fees_paid_dollars"), 0.07);
    assert.equal(sample(samples, "kalshi_engine_pnl_net_dollars"), -1.01);
    assert.equal(
      sample(samples, "kalshi_engine_market_pnl_dollars", { market: "KXEX-26MAR10-A", kind: "fees" }),
      0.07,
    );
    assert.equal(families.get("kalshi_engine_state_orders_fills_applied_total")!.type, "counter");
    assert.equal(sample(samples, "kalshi_engine_state_orders_fills_applied_total"), 19);
    assert.equal(sample(samples, "kalshi_engine_state_orders_free_cash_dollars"), 987.654321);
    assert.equal(sample(samples, "kalshi_engine_state_decide_busy_seconds_total"), 1.5);
    assert.equal(sample(samples, "kalshi_engine_state_process_rss_bytes"), 2 * 2 ** 20);
    assert.equal(sample(samples, "kalshi_engine_free_cash_dollars"), 987.654321);
    assert.equal(sample(samples, "kalshi_engine_reserved_cash_dollars"), 4.15);
    assert.equal(sample(samples, "kalshi_engine_position_contracts", { market: "KXEX-26MAR10-B" }), -5);
    assert.equal(sample(samples, "kalshi_engine_state_paused"), 0);
    assert.equal(sample(samples, "kalshi_engine_state_uptime_seconds"), 12);
    assert.equal(sample(samples, "kalshi_engine_state_info", { key: "mode", value: "running" }), 1);
  });

  it("GET /healthz is 200 when healthy and 503 when not", async () => {
    engine.health = { ok: true, feed: "connected" };
    let r = await fetch(`${server.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { ok: true, feed: "connected", event_clients: 0, ingest_clients: 0 });
    engine.health = { ok: false, feed: "stale" };
    r = await fetch(`${server.url}/healthz`);
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as { ok: boolean }).ok, false);
    engine.health = { ok: true };
  });

  it("POST /control without a token is 401 with a JSON error and does nothing", async () => {
    const r = await post("/control/kill");
    assert.equal(r.status, 401);
    assert.equal((await errorOf(r)).code, "unauthorized");
    assert.deepEqual(engine.controls, []);
  });

  it("POST /control with a wrong token (or wrong scheme) is 401", async () => {
    for (const auth of [`Bearer ${TOKEN}x`, "Bearer short", `Basic ${TOKEN}`, TOKEN]) {
      const r = await post("/control/pause", { Authorization: auth });
      assert.equal(r.status, 401, auth);
      await r.body?.cancel();
    }
    assert.deepEqual(engine.controls, []);
  });

  it("POST /control/<action> with the right token runs the action and returns its result", async () => {
    for (const action of ["pause", "resume", "kill"] as const) {
      const r = await post(`/control/${action}`, { Authorization: `Bearer ${TOKEN}` });
      assert.equal(r.status, 200);
      const body = (await r.json()) as ControlBody;
      assert.equal(body.ok, true);
      assert.equal(body.action, action);
    }
    assert.deepEqual(engine.controls, ["pause", "resume", "kill"]);
  });

  it("a POST without Content-Length (e.g. curl -X POST) runs the action", async () => {
    const before = engine.controls.length;
    const response = await rawRequest(
      server.port,
      `POST /control/resume HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(response, /^HTTP\/1\.1 200 OK/);
    assert.equal(engine.controls.length, before + 1);
  });

  it("unknown control actions are 404, GET on a control route is 405", async () => {
    let r = await post("/control/liquidate", { Authorization: `Bearer ${TOKEN}` });
    assert.equal(r.status, 404);
    assert.match((await errorOf(r)).message, /unknown control action "liquidate"/);
    r = await fetch(`${server.url}/control/pause`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 405);
    await r.body?.cancel();
  });

  it("a failing control action is a 500 with its message", async () => {
    engine.controlError = new Error("orders thread not responding");
    const r = await post("/control/kill", { Authorization: `Bearer ${TOKEN}` });
    engine.controlError = undefined;
    assert.equal(r.status, 500);
    assert.equal((await errorOf(r)).message, "orders thread not responding");
  });

  it("request bodies above maxRequestBytes are 413", async () => {
    const big = "x".repeat(4096);
    let r = await post("/control/pause", { Authorization: `Bearer ${TOKEN}` }, big);
    assert.equal(r.status, 413);
    await r.body?.cancel();
    r = await post("/anything", {}, big);
    assert.equal(r.status, 413);
    await r.body?.cancel();
    const raw = await rawRequest(
      server.port,
      "GET /stats HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
    );
    assert.match(raw, /^HTTP\/1\.1 413 /);
    // at the cap is fine
    r = await post("/control/resume", { Authorization: `Bearer ${TOKEN}` }, "y".repeat(1024));
    assert.equal(r.status, 200);
    await r.body?.cancel();
  });

  it("a chunked body (no Content-Length) is cut off at the cap with 413", async () => {
    const controlsBefore = engine.controls.length;
    const chunk = new TextEncoder().encode("z".repeat(800));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const r = await fetch(`${server.url}/control/pause`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(r.status, 413);
    await r.body?.cancel();
    assert.equal(engine.controls.length, controlsBefore, "the action did not run");
  });

  it("unknown paths are 404 JSON", async () => {
    const r = await fetch(`${server.url}/nope`);
    assert.equal(r.status, 404);
    assert.equal((await errorOf(r)).code, "not_found");
  });

  it("GET / serves a self-contained dashboard that follows /events and /stats", async () => {
    const r = await fetch(`${server.url}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/html/);
    const html = await r.text();
    assert.match(html, /\/events\?format=json/);
    assert.match(html, /fetch\("stats"/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    // nothing is loaded from another origin (uPlot's license comment names its home page)
    assert.doesNotMatch(html, /(fetch|url|import|WebSocket)\(\s*["'`]?(https?|wss?):\/\//);
    assert.deepEqual(html.match(/https?:\/\/[^\s"'*]+/g), ["https://github.com/leeoniya/uPlot"]);
    // every inline script at least compiles (a syntax error would leave a blank page); the page
    // itself is driven in Chromium by test/server/dashboard-browser.test.ts
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 3, "uPlot, the bucket bounds, the page script");
    for (const script of scripts) assert.doesNotThrow(() => new Script(script));
    assert.match(html, /uPlot/);
  });
});

describe("engine server startup", () => {
  it("refuses an empty control token", async () => {
    await assert.rejects(
      startEngineServer({ controlToken: "" }, new FakeEngine().deps()),
      /controlToken must be non-empty/,
    );
  });
});

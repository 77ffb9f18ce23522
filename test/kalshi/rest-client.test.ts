import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { verifyRequest } from "../../src/kalshi/auth-signer.js";
import { KalshiRestClient, RestError } from "../../src/kalshi/rest-client.js";
import { parseErrorBody } from "../../src/kalshi/rest-types.js";
import { TokenBucket } from "../../src/kalshi/token-bucket.js";

/**
 * A small Kalshi-shaped loopback server: verifies the RSA-PSS signature of every request with the
 * shared verifier, paginates orders, and answers with each error shape of kalshi-api-notes.md
 */
interface Fake {
  server: Server;
  url: string;
  orders: Array<Record<string, unknown>>;
  signedPaths: string[];
  /** every request's path with its query string */
  urls: string[];
  balanceCalls: number;
}

const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const KEY_ID = "key-1";

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function orderObject(cid: string, i: number): Record<string, unknown> {
  return {
    order_id: `ord-${i}`,
    client_order_id: cid,
    ticker: "KX-A",
    side: "yes",
    action: "buy",
    outcome_side: "yes",
    book_side: i % 2 === 0 ? "bid" : "ask",
    status: "resting",
    yes_price_dollars: "0.4500",
    no_price_dollars: "0.5500",
    fill_count_fp: "0.00",
    remaining_count_fp: "10.00",
    initial_count_fp: "10.00",
    taker_fees_dollars: "0.0000",
    maker_fees_dollars: "0.0000",
    created_time: "2026-11-24T10:00:00Z",
  };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function startFake(): Promise<Fake> {
  const keys = new Map<string, KeyObject>([[KEY_ID, pair.publicKey]]);
  const fake: Fake = {
    server: undefined as unknown as Server,
    url: "",
    orders: [],
    signedPaths: [],
    urls: [],
    balanceCalls: 0,
  };
  fake.server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const auth = verifyRequest(keys, req.method ?? "GET", url.pathname, req.headers);
    if (!auth.ok) return send(res, 401, auth.body);
    fake.signedPaths.push(`${req.method} ${url.pathname}`);
    fake.urls.push(`${url.pathname}${url.search}`);
    const p = url.pathname.replace("/trade-api/v2/", "");
    if (req.method === "POST" && p === "portfolio/events/orders") {
      const b = await body(req);
      const cid = String(b.client_order_id);
      if (cid === "bad")
        return send(res, 400, {
          error: { code: "invalid_order", message: "price off grid", details: "tick", service: "x" },
        });
      if (cid === "dup")
        return send(res, 409, { code: "order_already_exists", message: "duplicate client_order_id" });
      if (cid === "rl") return send(res, 429, { error: "too many requests" });
      if (cid === "boom") return send(res, 500, { msg: "internal" });
      // the order is taken; for these ids the answer is then lost
      fake.orders.unshift(orderObject(cid, fake.orders.length + 100));
      if (cid === "reset-me") return req.socket.destroy();
      if (cid === "slow") return; // never answers: the client's timeout fires
      return send(res, 201, {
        order_id: "ord-new",
        client_order_id: cid,
        fill_count: "2.00",
        remaining_count: "8.00",
        ts_ms: 1_700_000_000_123,
        average_fill_price: "0.4400",
        average_fee_paid: "0.0100",
      });
    }
    if (req.method === "DELETE" && p.startsWith("portfolio/events/orders/")) {
      return send(res, 200, {
        order_id: p.split("/").pop(),
        client_order_id: "c",
        reduced_by: "10.00",
        ts_ms: 5,
      });
    }
    if (req.method === "GET" && p === "portfolio/orders") {
      // pages of 2, newest first; cursor = next index
      const start = Number(url.searchParams.get("cursor") || "0");
      const limit = 2;
      const items = fake.orders.slice(start, start + limit);
      const next = start + limit < fake.orders.length ? String(start + limit) : "";
      return send(res, 200, { orders: items, cursor: next });
    }
    if (req.method === "GET" && p.startsWith("portfolio/orders/")) {
      return send(res, 404, { error: { code: "not_found", message: "order not found" } });
    }
    if (req.method === "GET" && p === "portfolio/balance") {
      fake.balanceCalls++;
      if (fake.balanceCalls === 1) return send(res, 503, { msg: "unavailable" });
      if (fake.balanceCalls === 2) return send(res, 429, { error: "too many requests" });
      return send(res, 200, {
        balance: 10000,
        balance_dollars: "100.0049",
        portfolio_value: 2500,
        updated_ts: 1,
        balance_breakdown: [
          { exchange_index: 0, balance: "60.0049" },
          { exchange_index: 2, balance: "40.0000" },
          { exchange_index: 1, balance: "not money" },
        ],
      });
    }
    if (req.method === "GET" && p === "portfolio/fills") {
      return send(res, 200, {
        fills: [
          {
            fill_id: "f1",
            trade_id: "t1",
            order_id: "o1",
            ticker: "KX-A",
            side: "no",
            action: "sell",
            outcome_side: "no",
            book_side: "bid",
            count_fp: "5.00",
            yes_price_dollars: "0.5600",
            no_price_dollars: "0.4400",
            is_taker: true,
            fee_cost: "0.0900",
            created_time: "x",
            ts: 1715793600,
          },
        ],
        cursor: "",
      });
    }
    if (req.method === "GET" && p === "markets/SLOW/orderbook") return; // never answers
    if (req.method === "GET" && p === "markets/KX-A/orderbook") {
      return send(res, 200, {
        orderbook_fp: {
          yes_dollars: [
            ["0.4100", "5.00"],
            ["0.4200", "13.00"],
          ],
          no_dollars: [["0.5500", "2.50"]],
        },
      });
    }
    if (req.method === "GET" && p === "portfolio/positions") {
      return send(res, 200, {
        market_positions: [
          {
            ticker: "KX-A",
            position_fp: "-25.00",
            market_exposure_dollars: "11.0000",
            realized_pnl_dollars: "0.0000",
            fees_paid_dollars: "0.4200",
            resting_orders_count: 0,
          },
        ],
        event_positions: [],
        cursor: "",
      });
    }
    send(res, 404, { msg: "no route" });
  });
  await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/trade-api/v2`;
  return fake;
}

let fake: Fake;
let client: KalshiRestClient;

before(async () => {
  fake = await startFake();
  client = new KalshiRestClient({
    baseUrl: fake.url,
    key: { keyId: KEY_ID, privateKey: pair.privateKey },
    sleep: async () => {},
    random: () => 0.5,
  });
});
after(async () => {
  fake.server.closeAllConnections();
  await new Promise<void>((r) => fake.server.close(() => r()));
});

const body0 = {
  ticker: "KX-A",
  client_order_id: "c-ok",
  side: "bid" as const,
  count: "10.00",
  price: "0.4500",
  time_in_force: "good_till_canceled" as const,
  self_trade_prevention_type: "taker_at_cross" as const,
};

describe("Kalshi REST client against a loopback server", () => {
  it("signs the full path without the query and parses a create ack into integer units", async () => {
    const r = await client.createOrder(body0);
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok") return;
    assert.equal(r.status, 201);
    assert.deepEqual(r.value, {
      orderId: "ord-new",
      clientOrderId: "c-ok",
      fillCountHundredths: 200,
      remainingCountHundredths: 800,
      tsMs: 1_700_000_000_123,
      averageFillPriceTicks: 4400,
      averageFeePaidMicros: 10_000,
    });
    assert.ok(fake.signedPaths.includes("POST /trade-api/v2/portfolio/events/orders"));
  });

  it("maps each error shape to a definite write result", async () => {
    const bad = await client.createOrder({ ...body0, client_order_id: "bad" });
    assert.deepEqual(bad, {
      kind: "rejected",
      error: { status: 400, code: "invalid_order", message: "price off grid", details: "tick" },
    });
    const dup = await client.createOrder({ ...body0, client_order_id: "dup" });
    assert.equal(dup.kind, "conflict");
    assert.equal(dup.kind === "conflict" && dup.error.code, "order_already_exists");
    const rl = await client.createOrder({ ...body0, client_order_id: "rl" });
    assert.deepEqual(rl, {
      kind: "rate_limited",
      error: { status: 429, code: "", message: "too many requests", details: "" },
    });
    const boom = await client.createOrder({ ...body0, client_order_id: "boom" });
    assert.deepEqual(boom, { kind: "unknown", reason: "HTTP 500" });
  });

  it("returns outcome-unknown on a connection reset, then finds the order by client_order_id across pages", async () => {
    const before = fake.orders.length;
    const r = await client.createOrder({ ...body0, client_order_id: "reset-me" });
    assert.equal(r.kind, "unknown");
    assert.equal(fake.orders.length, before + 1, "the exchange took the order; only the answer was lost");
    // push it off the first page: two newer orders arrive after it
    await client.createOrder({ ...body0, client_order_id: "n1" });
    await client.createOrder({ ...body0, client_order_id: "n2" });
    const found = await client.findOrderByClientId("KX-A", "reset-me");
    assert.equal(found?.clientOrderId, "reset-me");
    assert.equal(found?.yesPriceTicks, 4500);
    assert.equal(found?.remainingCountHundredths, 1000);
    assert.equal(await client.findOrderByClientId("KX-A", "never-sent"), null);
  });

  it("returns outcome-unknown on a timeout and never resends the write", async () => {
    const posts = () => fake.signedPaths.filter((p) => p.startsWith("POST")).length;
    const n = posts();
    // its own client: a one-second write timeout fires on a request the server never answers,
    // while the shared client keeps the default so a loaded machine cannot time out a good write
    const c = new KalshiRestClient({
      baseUrl: fake.url,
      key: { keyId: KEY_ID, privateKey: pair.privateKey },
      sleep: async () => {},
      random: () => 0.5,
      writeTimeoutMs: 1000,
    });
    const r = await c.createOrder({ ...body0, client_order_id: "slow" });
    assert.deepEqual(r, { kind: "unknown", reason: "timeout" });
    assert.equal(posts(), n + 1);
  });

  it("collects every page of a cursor-paginated list", async () => {
    const all = await client.collectAll((cursor) => client.getOrders({ ticker: "KX-A", cursor }));
    assert.equal(all.length, fake.orders.length);
    assert.ok(fake.orders.length > 2);
  });

  it("retries reads on 5xx and 429, then parses sub-cent balance_dollars and balance_breakdown", async () => {
    const bal = await client.getBalance();
    assert.deepEqual(bal, {
      balanceMicros: 100_004_900,
      // per shard from balance_breakdown; an unreadable entry is skipped (its shard reads 0)
      shardBalanceMicros: [60_004_900, 0, 40_000_000],
      portfolioValueMicros: 25_000_000,
      updatedTs: 1,
    });
    assert.equal(fake.balanceCalls, 3);
    assert.ok(client.stats.readRetries >= 2);
  });

  it("parses fills (book side, NO complement), positions, orderbooks and 404 order reads", async () => {
    const fills = await client.getFills({ ticker: "KX-A" });
    assert.deepEqual(fills.items[0], {
      fillId: "f1",
      tradeId: "t1",
      orderId: "o1",
      clientOrderId: "",
      ticker: "KX-A",
      side: "bid",
      yesPriceTicks: 5600,
      countHundredths: 500,
      isTaker: true,
      feeMicros: 90_000,
      createdTime: "x",
      tsMs: 1_715_793_600_000,
    });
    const pos = await client.getPositions();
    assert.equal(pos.items[0]?.positionHundredths, -2500);
    assert.equal(pos.items[0]?.feesPaidMicros, 420_000);
    const ob = await client.getOrderbook("KX-A");
    assert.deepEqual(ob, {
      yes: [
        [4100, 500],
        [4200, 1300],
      ],
      no: [[5500, 250]],
    });
    assert.equal(await client.getOrder("missing"), null);
  });

  it("cancels with the V2 path, routed by market and shard in the query", async () => {
    const r = await client.cancelOrder("ord-9", { marketTicker: "KX-B", exchangeIndex: 2 });
    assert.equal(r.kind, "ok");
    assert.equal(r.kind === "ok" && r.value.reducedByHundredths, 1000);
    assert.ok(fake.signedPaths.includes("DELETE /trade-api/v2/portfolio/events/orders/ord-9"));
    assert.ok(
      fake.urls.includes(
        "/trade-api/v2/portfolio/events/orders/ord-9?subaccount=0&market_ticker=KX-B&exchange_index=2",
      ),
    );
  });

  it("surfaces the nested 401 body when the signature is wrong", async () => {
    const wrong = new KalshiRestClient({
      baseUrl: fake.url,
      key: { keyId: KEY_ID, privateKey: other.privateKey },
      maxReadRetries: 0,
    });
    await assert.rejects(wrong.getBalance(), (e: unknown) => {
      assert.ok(e instanceof RestError);
      assert.equal(e.info.status, 401);
      assert.equal(e.info.code, "authentication_error");
      assert.equal(e.info.details, "INCORRECT_API_KEY_SIGNATURE");
      return true;
    });
  });
});

describe("Kalshi REST client pacing and timeouts", () => {
  it("times out a read per attempt, retries it, then reports a transport error", async () => {
    const c = new KalshiRestClient({
      baseUrl: fake.url,
      key: { keyId: KEY_ID, privateKey: pair.privateKey },
      readTimeoutMs: 1000,
      maxReadRetries: 1,
      sleep: async () => {},
    });
    await assert.rejects(c.getOrderbook("SLOW"), (e: unknown) => {
      assert.ok(e instanceof RestError);
      assert.deepEqual([e.info.status, e.info.code, e.info.message], [0, "transport", "timeout"]);
      return true;
    });
    assert.equal(c.stats.timeouts, 2);
    assert.equal(c.stats.readRetries, 1);
  });

  it("waits for write tokens before sending (kalshi-api-notes.md costs)", async () => {
    const t0 = Date.now(); // a frozen clock: no refill between the calls
    const sleeps: number[] = [];
    const c = new KalshiRestClient({
      baseUrl: fake.url,
      key: { keyId: KEY_ID, privateKey: pair.privateKey },
      writeBucket: { refillPerSec: 10, capacity: 12 },
      now: () => t0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await c.createOrder({ ...body0, client_order_id: "paced-1" }); // 10 of 12 tokens
    await c.cancelOrder("ord-1", { marketTicker: "KX-A" }); // V2 cancel costs 2: 0 left, no wait
    await c.createOrder({ ...body0, client_order_id: "paced-2" }); // 10 short at 10/s
    assert.deepEqual(sleeps, [1000]);
  });
});

describe("rest-types error parsing and token buckets", () => {
  it("parses all three error shapes and the 429 string (kalshi-api-notes.md)", () => {
    assert.deepEqual(parseErrorBody(400, '{"code":"invalid_content_type","message":"m"}'), {
      status: 400,
      code: "invalid_content_type",
      message: "m",
      details: "",
    });
    assert.deepEqual(parseErrorBody(500, '{"msg":"x"}'), {
      status: 500,
      code: "",
      message: "x",
      details: "",
    });
    assert.deepEqual(parseErrorBody(502, "<html>bad gateway</html>"), {
      status: 502,
      code: "",
      message: "<html>bad gateway</html>",
      details: "",
    });
  });

  it("reserves tokens FIFO with debt and empties on a 429", () => {
    const b = new TokenBucket({ refillPerSec: 100, capacity: 100 }, 0);
    assert.equal(b.reserve(60, 0), 0);
    assert.equal(b.reserve(60, 0), 200); // 20 short at 100/s
    assert.equal(b.reserve(10, 0), 300); // waits behind the previous one
    assert.equal(b.tryTake(10, 1000), true); // 100 refilled in 1 s: −30 + 100 = 70
    b.onRateLimited(1000);
    assert.equal(b.available(1000), 0);
    assert.equal(b.available(1500), 50);
    assert.equal(b.available(99_000), 100);
  });
});

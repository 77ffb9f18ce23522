import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FaultInjector, makeFaultPlan } from "../../../src/paper/faults/fault-plan.js";
import { Xoshiro128 } from "../../../src/paper/faults/prng.js";
import { RateLimiter, requestCost, TokenBucket } from "../../../src/paper/faults/rate-limiter.js";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

async function withExchange(
  options: Parameters<typeof startTestExchange>[0],
  fn: (ex: TestExchange) => Promise<void>,
): Promise<void> {
  const ex = await startTestExchange(options);
  try {
    await fn(ex);
  } finally {
    await ex.close();
  }
}

describe("fault plan and PRNG", () => {
  test("the same seed gives the same faults; another seed does not", () => {
    const draw = (seed: number): string[] => {
      const f = new FaultInjector(
        makeFaultPlan({
          seed,
          restFaultRate: 0.3,
          feedFaultRate: 0.2,
          restFaultKinds: { "429": 1, "5xx": 1 },
        }),
      );
      return Array.from({ length: 500 }, () => `${f.drawRestFault()}/${f.drawFeedFault()}`);
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  test("xoshiro128** stays in range and is reproducible", () => {
    const a = new Xoshiro128(9);
    const b = new Xoshiro128(9);
    for (let i = 0; i < 1000; i++) {
      const x = a.next();
      assert.ok(x >= 0 && x < 1);
      assert.equal(x, b.next());
    }
  });

  test("invalid plans are refused", () => {
    assert.throws(() => makeFaultPlan({ restFaultRate: 2 }));
    assert.throws(() => makeFaultPlan({ restFaultRate: 0.5, restFaultKinds: {} }));
    assert.throws(() => makeFaultPlan({ feedDisconnectEvery: 0 }));
  });
});

describe("token buckets (kalshi-api-notes.md)", () => {
  test("Basic read bucket: 20 default-cost requests, then empty; refills at 200 tokens/s", () => {
    const b = new TokenBucket({ refillRate: 200, bucketCapacity: 200 }, 0);
    for (let i = 0; i < 20; i++) assert.ok(b.take(10, 0));
    assert.equal(b.take(10, 0), false);
    assert.equal(b.take(10, 49), false);
    assert.ok(b.take(10, 50));
  });

  test("endpoint costs: V2 cancel 2, batch create 10/item, GET one order 2, V1 create 100", () => {
    assert.deepEqual(requestCost("DELETE", "/portfolio/events/orders/abc"), { bucket: "write", cost: 2 });
    assert.deepEqual(requestCost("POST", "/portfolio/events/orders/batched", 3), {
      bucket: "write",
      cost: 30,
    });
    assert.deepEqual(requestCost("DELETE", "/portfolio/events/orders/batched", 3), {
      bucket: "write",
      cost: 6,
    });
    assert.deepEqual(requestCost("POST", "/portfolio/events/orders"), { bucket: "write", cost: 10 });
    assert.deepEqual(requestCost("GET", "/portfolio/orders/abc"), { bucket: "read", cost: 2 });
    assert.deepEqual(requestCost("GET", "/portfolio/orders"), { bucket: "read", cost: 10 });
    assert.deepEqual(requestCost("POST", "/portfolio/orders"), { bucket: "write", cost: 100 });
    assert.deepEqual(requestCost("GET", "/markets"), { bucket: "read", cost: 10 });
  });

  test("read and write buckets are independent per key", () => {
    const l = new RateLimiter("basic");
    const read = requestCost("GET", "/markets");
    const write = requestCost("POST", "/portfolio/events/orders");
    for (let i = 0; i < 20; i++) assert.ok(l.allow("k", read, 0));
    assert.equal(l.allow("k", read, 0), false);
    assert.ok(l.allow("k", write, 0));
    assert.ok(l.allow("other", read, 0));
  });

  test("over HTTP an empty bucket answers 429 with Kalshi's string body", async () => {
    const frozen = Date.now();
    await withExchange({ rateLimitTier: "basic", clock: () => frozen }, async (ex) => {
      const statuses: number[] = [];
      let body: Json;
      for (let i = 0; i < 21; i++) {
        const r = await ex.call("GET", "/portfolio/balance");
        statuses.push(r.status);
        body = r.json;
      }
      assert.deepEqual(statuses, [...Array(20).fill(200), 429]);
      assert.deepEqual(body, { error: "too many requests" });
    });
  });
});

describe("REST faults", () => {
  test("rate 1 with only '429': every request gets 429 and nothing is applied", async () => {
    await withExchange({ faults: { restFaultRate: 1, restFaultKinds: { "429": 1 } } }, async (ex) => {
      for (const [method, path, body] of [
        ["GET", "/portfolio/balance", undefined],
        ["GET", "/markets", undefined],
        ["POST", "/portfolio/events/orders", orderBody(ex.px.markets[0]!, { price: "0.0200" })],
      ] as const) {
        const r = await ex.call(method, path, body);
        assert.equal(r.status, 429);
        assert.deepEqual(r.json, { error: "too many requests" });
      }
      assert.equal(ex.px.core.listOrders(ex.px.keyId).length, 0);
      assert.equal(ex.px.faults.counts.rest["429"], 3);
    });
  });

  test("the same seed faults the same requests over HTTP", async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const out: number[] = [];
      await withExchange(
        { faults: { seed, restFaultRate: 0.5, restFaultKinds: { "429": 1, "5xx": 1 } } },
        async (ex) => {
          for (let i = 0; i < 16; i++) out.push((await ex.call("GET", "/portfolio/balance")).status);
        },
      );
      return out;
    };
    const a = await statuses(11);
    assert.deepEqual(a, await statuses(11));
    assert.ok(a.includes(200) && a.some((s) => s !== 200), String(a));
  });

  test("'5xx' answers 500/502/503 without applying the write", async () => {
    await withExchange({ faults: { restFaultRate: 1, restFaultKinds: { "5xx": 1 } } }, async (ex) => {
      for (let i = 0; i < 5; i++) {
        const r = await ex.call(
          "POST",
          "/portfolio/events/orders",
          orderBody(ex.px.markets[0]!, { price: "0.0200" }),
        );
        assert.ok([500, 502, 503].includes(r.status));
      }
      assert.equal(ex.px.core.listOrders(ex.px.keyId).length, 0);
    });
  });

  test("reset_after_accept applies the order but the client sees a reset", async () => {
    await withExchange(
      { faults: { restFaultRate: 1, restFaultKinds: { reset_after_accept: 1 } } },
      async (ex) => {
        const body = orderBody(ex.px.markets[0]!, { client_order_id: "unknown-outcome", price: "0.0200" });
        await assert.rejects(ex.call("POST", "/portfolio/events/orders", body));
        const orders = ex.px.core.listOrders(ex.px.keyId);
        assert.deepEqual(
          orders.map((o) => [o.clientOrderId, o.status]),
          [["unknown-outcome", "resting"]],
        );
      },
    );
  });

  test("timeout never answers and closes the connection; the write is not applied", async () => {
    await withExchange(
      { faults: { restFaultRate: 1, restFaultKinds: { timeout: 1 }, timeoutCloseMs: 50 } },
      async (ex) => {
        await assert.rejects(ex.call("POST", "/portfolio/events/orders", orderBody(ex.px.markets[0]!)));
        assert.equal(ex.px.core.listOrders(ex.px.keyId).length, 0);
      },
    );
  });

  test("slow_ack applies and answers late", async () => {
    await withExchange(
      { faults: { restFaultRate: 1, restFaultKinds: { slow_ack: 1 }, slowAckMs: 30 } },
      async (ex) => {
        const r = await ex.call(
          "POST",
          "/portfolio/events/orders",
          orderBody(ex.px.markets[0]!, { price: "0.0200" }),
        );
        assert.equal(r.status, 201);
        assert.equal(ex.px.core.listOrders(ex.px.keyId).length, 1);
      },
    );
  });
});

describe("feed faults", () => {
  /** Subscribes, places `n` orders, and returns the received seqs once a control reply fences them. */
  async function seqsUnderFaults(seed: number, n: number): Promise<number[]> {
    let seqs: number[] = [];
    await withExchange(
      { seed, faults: { seed, feedFaultRate: 0.3, feedFaultKinds: { drop: 1, duplicate: 1 } } },
      async (ex) => {
        ex.px.core.openAccount("flow", 1e12);
        const c = await ex.openWs();
        const t = ex.px.markets[1]!;
        c.send({ id: 1, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_tickers: [t] } });
        await c.waitFor((f: Json) => f.type === "subscribed");
        for (let i = 0; i < n; i++) {
          const r = ex.px.core.createOrder("flow", {
            ticker: t,
            clientOrderId: `f${i}`,
            side: "bid",
            yesPriceTicks: 100 + 10 * i, // markets[1] trades on $0.001
            countHundredths: 100,
            timeInForce: "good_till_canceled",
            selfTradePrevention: "taker_at_cross",
          });
          assert.ok(r.ok);
        }
        // Control replies are never faulted and keep socket order: a fence for everything before.
        c.send({ id: 99, cmd: "list_subscriptions" });
        await c.waitFor((f: Json) => f.id === 99);
        seqs = c.frames.filter((f: Json) => f.seq !== undefined).map((f: Json) => f.seq as number);
      },
    );
    return seqs;
  }

  test("drops make seq gaps, duplicates repeat a seq, and both are reproducible from the seed", async () => {
    const a = await seqsUnderFaults(5, 40);
    const b = await seqsUnderFaults(5, 40);
    assert.deepEqual(a, b);
    const gaps = a.filter((s, i) => i > 0 && s > a[i - 1]! + 1).length;
    const dups = a.filter((s, i) => i > 0 && s === a[i - 1]).length;
    assert.ok(gaps > 0, `no gap in ${a}`);
    assert.ok(dups > 0, `no duplicate in ${a}`);
    assert.ok(Math.max(...a) <= 41);
  });

  test("forceGap drops exactly the next seq frame; emptySnapshotRate 1 sends empty snapshots", async () => {
    await withExchange({ faults: { emptySnapshotRate: 1 } }, async (ex) => {
      ex.px.core.openAccount("flow", 1e12);
      const t = ex.px.markets[0]!;
      const c = await ex.openWs();
      c.send({ id: 1, cmd: "subscribe", params: { channels: ["orderbook_delta"], market_tickers: [t] } });
      const [snap] = await c.waitFor((f: Json) => f.type === "orderbook_snapshot");
      assert.deepEqual([snap.seq, snap.msg.yes_dollars_fp, snap.msg.no_dollars_fp], [1, [], []]);
      ex.px.faults.forceGap(1);
      for (let i = 0; i < 2; i++) {
        const r = ex.px.core.createOrder("flow", {
          ticker: t,
          clientOrderId: `g${i}`,
          side: "bid",
          yesPriceTicks: 1000 + 100 * i, // markets[0] trades in whole cents
          countHundredths: 100,
          timeInForce: "good_till_canceled",
          selfTradePrevention: "taker_at_cross",
        });
        assert.ok(r.ok);
      }
      const [d] = await c.waitFor((f: Json) => f.type === "orderbook_delta");
      assert.equal(d.seq, 3);
    });
  });

  test("feedDisconnectEvery closes the connection after that many data frames", async () => {
    await withExchange({ faults: { feedDisconnectEvery: 3 } }, async (ex) => {
      const c = await ex.openWs();
      c.send({
        id: 1,
        cmd: "subscribe",
        params: { channels: ["orderbook_delta"], market_tickers: ex.px.markets },
      });
      await c.waitClose();
      assert.equal(ex.px.faults.counts.feedDisconnects, 1);
      const snapshots = c.frames.filter((f: Json) => f.type === "orderbook_snapshot").length;
      assert.equal(snapshots, 3);
    });
  });
});

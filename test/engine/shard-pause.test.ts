import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Engine } from "../../src/engine/engine.js";
import { startPaperExchange } from "../../src/paper/index.js";
import { inProcessEngineOptions, OPEN_RISK, waitFor } from "./helpers.js";

/**
 * A maintenance pause of ONE exchange shard while the others trade (docs
 * getting_started/maintenance_and_pauses; exchange status can differ per shard): the engine reads
 * the window from `GET /exchange/schedule` at start, sends no create or amend to the paused shard
 * while it lasts (`drops{reason=exchange_paused}`), keeps trading on the other shards, and its
 * cancels still reach the paused shard. The exchange (in process) is the witness of every request.
 */
const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Time for the engine to start and rest orders on every shard before the pause (loaded machine). */
const PAUSE_AT_MS = 45_000;
/**
 * Long enough for the other shards to trade meanwhile and for the rule policy to want a trade on a
 * paused market (on a loaded machine 25 s once passed without one), with time left for the kill switch.
 */
const PAUSE_FOR_MS = 60_000;
/** A request the engine sent just before the pause began may arrive just after it. */
const GRACE_MS = 3_000;
/** the shard the deposit lands on: the busiest, with orders resting when its pause begins */
const PAUSED = 0;
const OTHERS = [1, 2];

describe("engine with one exchange shard paused", () => {
  it("sends nothing but cancels to the paused shard and keeps trading on the others", {
    timeout: 300_000,
  }, async () => {
    const pauseStart = Date.now() + PAUSE_AT_MS;
    const pauseEnd = pauseStart + PAUSE_FOR_MS;
    const px = await startPaperExchange({
      markets: 18,
      ratePerSec: 400,
      seed: 11,
      shards: 3,
      rateLimitTier: "premier",
      pauses: [{ startMs: pauseStart, endMs: pauseEnd, shard: PAUSED }],
    });
    cleanups.push(() => px.close());
    const user = px.keyId;
    // every shard funded from the start: this test is about the pause, not transfers
    for (const k of OTHERS) assert.ok(px.core.deposit(user, 2_000_000_000, k).ok);
    const shardOf = new Map(px.core.markets().map((m) => [m.ticker, m.exchangeIndex]));
    // The exchange's record of our requests: creates and amends it carried out (time, shard),
    // creates and amends that reached the paused shard, cancels it carried out there.
    const accepted: Array<{ at: number; shard: number }> = [];
    const writesToPaused: number[] = [];
    const cancelsOnPaused: number[] = [];
    const core = px.core;
    const createOrder = core.createOrder.bind(core);
    core.createOrder = (userId, req) => {
      const r = createOrder(userId, req);
      if (userId !== user) return r;
      const shard = shardOf.get(req.ticker) ?? 0;
      if (shard === PAUSED) writesToPaused.push(Date.now());
      if (r.ok) accepted.push({ at: Date.now(), shard });
      return r;
    };
    const amendOrder = core.amendOrder.bind(core);
    core.amendOrder = (userId, orderId, req, shard) => {
      const r = amendOrder(userId, orderId, req, shard);
      const order = core.getOrder(userId, orderId);
      if (userId === user && order.ok && order.value.exchangeIndex === PAUSED)
        writesToPaused.push(Date.now());
      return r;
    };
    const cancelOrder = core.cancelOrder.bind(core);
    core.cancelOrder = (userId, orderId, shard) => {
      const r = cancelOrder(userId, orderId, shard);
      if (
        userId === user &&
        r.ok &&
        r.value.reducedByHundredths > 0 &&
        r.value.order.exchangeIndex === PAUSED
      )
        cancelsOnPaused.push(Date.now());
      return r;
    };
    // Another account's resting bids on the paused shard, pulled one by one during the pause (cancels
    // still work there): its books keep changing, so the engine keeps deciding for its markets.
    const mover = "shard-pause-book-mover";
    assert.ok(core.openAccount(mover, 1_000_000_000_000).ok);
    const moverOrders: string[] = [];
    for (const m of core.markets().filter((mk) => mk.exchangeIndex === PAUSED)) {
      for (let i = 0; i < 20 && m.yesBidTicks > 0; i++) {
        const r = core.createOrder(mover, {
          ticker: m.ticker,
          clientOrderId: `mover-${m.ticker}-${i}`,
          side: "bid",
          yesPriceTicks: m.yesBidTicks,
          countHundredths: 100,
          timeInForce: "good_till_canceled",
          selfTradePrevention: "maker",
        });
        if (r.ok && r.value.status === "resting") moverOrders.push(r.value.orderId);
      }
    }
    const pullOne = setInterval(() => {
      const id = Date.now() >= pauseStart ? moverOrders.pop() : undefined;
      if (id !== undefined) core.cancelOrder(mover, id, PAUSED);
    }, 250);
    cleanups.push(async () => clearInterval(pullOne));
    const journalDir = mkdtempSync(join(tmpdir(), "shard-pause-"));
    dirs.push(journalDir);
    const options = inProcessEngineOptions(px, {
      batchSize: 16,
      controlToken: "shard-pause-control",
      orders: {
        // passive orders rest: some are on the paused shard when its pause begins
        strategy: "passive",
        throttleMs: 200,
        journalDir,
        reconcileEveryMs: 2_000,
        shutdownPolicy: "cancel_all",
        transferPolicy: "auto",
        risk: OPEN_RISK,
      },
    });
    const engine = await Engine.start(options);
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await engine.stop("test end");
    });
    const restingOn = (shard: number) =>
      px.core.listOrders(user, { status: "resting" }).filter((o) => o.exchangeIndex === shard).length;
    const acceptedOn = (shard: number, from: number) =>
      accepted.filter((a) => a.shard === shard && a.at >= from).length;
    const progress = () =>
      JSON.stringify({
        acceptedByShard: [0, 1, 2].map((k) => acceptedOn(k, 0)),
        acceptedInPause: [0, 1, 2].map((k) => acceptedOn(k, pauseStart)),
        restingByShard: [0, 1, 2].map(restingOn),
        untilPauseMs: pauseStart - Date.now(),
        drops: engine.counters
          .snapshot()
          .filter((c) => c.name === "drops" && c.value > 0)
          .map((c) => `${c.labels.reason}=${c.value}`),
      });

    // Before the pause: orders on every shard, and one of ours resting on the shard to be paused.
    await waitFor(
      async () => OTHERS.every((k) => acceptedOn(k, 0) > 0) && restingOn(PAUSED) > 0,
      `orders on every shard before the pause ${progress()}`,
      Math.max(1_000, pauseStart - Date.now()),
    ).catch((e: unknown) => assert.fail(`${String(e)} ${progress()}`));
    assert.ok(Date.now() < pauseStart, "the engine was ready before the pause began");
    await new Promise((r) => setTimeout(r, pauseStart - Date.now()));
    const restingAtPause = restingOn(PAUSED);
    assert.ok(
      restingAtPause > 0,
      `an order of ours rests on the paused shard as the pause begins ${progress()}`,
    );

    // During the pause: the other shards keep trading; decisions for the paused shard are held back.
    const inPause = pauseStart + GRACE_MS;
    const pauseDrops = () => engine.counters.get("drops", { reason: "exchange_paused" });
    await waitFor(
      async () => Date.now() > inPause && OTHERS.some((k) => acceptedOn(k, inPause) > 0) && pauseDrops() > 0,
      "creates or amends carried out on another shard, and a decision held back, during the pause",
      pauseEnd - Date.now() - 12_000,
    ).catch((e: unknown) => assert.fail(`${String(e)} ${progress()}`));
    // Kill switch while the pause lasts: its cancels reach the paused shard, nothing rests there.
    await engine.orders.kill();
    await waitFor(
      async () => restingOn(PAUSED) === 0,
      "no order of ours resting on the paused shard",
      pauseEnd - Date.now() - 1_000,
    ).catch((e: unknown) => assert.fail(`${String(e)} ${progress()}`));
    assert.ok(Date.now() < pauseEnd, "the cancels went out during the pause");
    stopped = true;
    await engine.stop("test end");

    assert.deepEqual(
      writesToPaused.filter((t) => t >= inPause && t < pauseEnd),
      [],
      "no create or amend of ours reached the paused shard during its pause",
    );
    assert.ok(
      cancelsOnPaused.some((t) => t >= pauseStart && t < pauseEnd),
      "cancels of ours were carried out on the paused shard during its pause",
    );
    assert.ok(
      writesToPaused.some((t) => t < pauseStart),
      "the engine did send creates to that shard before its pause",
    );
  });
});

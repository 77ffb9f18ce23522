/**
 * The orders thread's view of exchange status and schedule, over real sockets against the paper
 * exchange: a shard whose status says trading is paused is paused; others are not; a scheduled
 * window pauses its shard by time alone; a failed read keeps the last answer.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadPrivateKey } from "../../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../../src/kalshi/rest-client.js";
import {
  ExchangeStatusWatch,
  PAUSED_STATUS_REFRESH_MS,
  STATUS_REFRESH_MS,
} from "../../../src/orders/risk/exchange-status.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../../src/paper/index.js";

const HOUR = 3_600_000;

describe("exchange status watch against the paper exchange", () => {
  let px: PaperExchangeHandle;
  let client: KalshiRestClient;
  const now = Date.now();
  before(async () => {
    px = await startPaperExchange({
      markets: 6,
      ratePerSec: 0,
      rateLimitTier: "off",
      pauses: [
        { startMs: now - 60_000, endMs: now + HOUR, shard: 2 },
        { startMs: now + 2 * HOUR, endMs: now + 3 * HOUR },
      ],
    });
    client = new KalshiRestClient({
      baseUrl: px.restUrl,
      key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
    });
  });
  after(async () => px.close());

  test("the paused shard is paused, the others trade; a later window pauses all by time", async () => {
    let wall = now;
    const watch = new ExchangeStatusWatch(client, () => wall);
    await watch.refresh([0, 1, 2]);
    assert.deepEqual([watch.isPaused(0), watch.isPaused(1), watch.isPaused(2)], [false, false, true]);
    assert.equal(watch.pausedCount([0, 1, 2]), 1);
    assert.equal(watch.failures, 0);
    wall = now + 2.5 * HOUR; // inside the all-shard window of the schedule
    assert.deepEqual([watch.isPaused(0), watch.isPaused(1)], [true, true]);
    assert.equal(watch.pausedCount([0, 1, 2]), 3);
  });

  test("a failed read is counted and keeps the last answer", async () => {
    const watch = new ExchangeStatusWatch(client, () => now);
    await watch.refresh([2]);
    assert.equal(watch.isPaused(2), true);
    const broken = new ExchangeStatusWatch(
      {
        getExchangeStatus: () => Promise.reject(new Error("down")),
        getMaintenanceWindows: () => Promise.reject(new Error("down")),
      },
      () => now,
    );
    await broken.refresh([0]);
    assert.equal(broken.failures, 2);
    assert.equal(broken.isPaused(0), false);
  });

  test("read every minute, and every few seconds while a shard says paused", async () => {
    let wall = now;
    let active = true;
    let reads = 0;
    let release = (): void => {};
    const watch = new ExchangeStatusWatch(
      {
        getExchangeStatus: async () => {
          reads++;
          return { tradingActive: active, exchangeActive: true };
        },
        getMaintenanceWindows: () => new Promise((resolve) => (release = () => resolve([]))),
      },
      () => wall,
    );
    assert.equal(watch.refreshDue(), true, "never read");
    const first = watch.refresh([0]);
    assert.equal(watch.refreshDue(), false, "not while a read is in flight");
    release();
    await first;
    wall += PAUSED_STATUS_REFRESH_MS;
    assert.equal(watch.refreshDue(), false, "trading: a minute between reads");
    wall = now + STATUS_REFRESH_MS;
    assert.equal(watch.refreshDue(), true);
    active = false;
    const paused = watch.refresh([0]);
    release();
    await paused;
    assert.equal(watch.isPaused(0), true);
    wall += PAUSED_STATUS_REFRESH_MS - 1;
    assert.equal(watch.refreshDue(), false);
    wall += 1;
    assert.equal(watch.refreshDue(), true, "paused: read again after a few seconds");
    assert.equal(reads, 2);
  });
});

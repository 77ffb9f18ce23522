/**
 * /healthz from io's supervisor and watchdog: 200 only while the feed is connected and every
 * thread's loop turns; a disconnected feed or a stale (or never started) thread makes it 503 with
 * the reason, and each thread's heartbeat age is a gauge for /stats and /metrics.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Supervisor, type SupervisorDeps } from "../../src/engine/supervisor.js";
import { Watchdog } from "../../src/engine/watchdog.js";
import { nowMs } from "../../src/runtime/clock.js";
import { decideHeartbeatSlot, HEARTBEAT_ORDERS, Heartbeats } from "../../src/stats/heartbeats.js";

/** far from any real gap between a beat and the check on a loaded machine */
const STALE_MS = 60_000;

function setUp() {
  const heartbeats = Heartbeats.create(1);
  const watchdog = new Watchdog(heartbeats, 1, { staleMs: STALE_MS });
  const feed = { connected: true };
  const deps = {
    watchdog,
    feedConnected: () => feed.connected,
    stopping: () => false,
  } as unknown as SupervisorDeps; // health() reads only these
  return { heartbeats, watchdog, feed, supervisor: new Supervisor(deps) };
}

describe("supervisor health and the watchdog", () => {
  it("is healthy while the feed is up and every thread beats", () => {
    const { heartbeats, supervisor } = setUp();
    heartbeats.beat(HEARTBEAT_ORDERS);
    heartbeats.beat(decideHeartbeatSlot(0));
    const h = supervisor.health();
    assert.equal(h.ok, true, String(h.reason));
    assert.deepEqual(h.stale_threads, []);
  });

  it("is unhealthy with the reason while the feed is down", () => {
    const { heartbeats, feed, supervisor } = setUp();
    heartbeats.beat(HEARTBEAT_ORDERS);
    heartbeats.beat(decideHeartbeatSlot(0));
    feed.connected = false;
    const h = supervisor.health();
    assert.equal(h.ok, false);
    assert.equal(h.reason, "feed disconnected");
    assert.equal(h.feed_connected, false);
  });

  it("names a thread whose loop stopped turning, and one that never started", () => {
    const { heartbeats, watchdog, supervisor } = setUp();
    heartbeats.beat(HEARTBEAT_ORDERS, nowMs() - 2 * STALE_MS);
    let h = supervisor.health();
    assert.equal(h.ok, false);
    assert.deepEqual(h.stale_threads, ["orders", "decide-0"]);
    assert.equal(h.reason, "stale threads: orders, decide-0");
    heartbeats.beat(HEARTBEAT_ORDERS);
    heartbeats.beat(decideHeartbeatSlot(0));
    h = supervisor.health();
    assert.equal(h.ok, true, String(h.reason));

    heartbeats.beat(decideHeartbeatSlot(0), nowMs() - 2 * STALE_MS);
    const ages = Object.fromEntries(
      watchdog
        .samples()
        .filter((s) => s.name === "thread_heartbeat_age_ms")
        .map((s) => [s.labels.thread, s.value]),
    );
    assert.ok(ages.orders! >= 0 && ages.orders! < STALE_MS, JSON.stringify(ages));
    assert.ok(ages["decide-0"]! >= 2 * STALE_MS, JSON.stringify(ages));
    assert.deepEqual(supervisor.health().stale_threads, ["decide-0"]);
  });
});

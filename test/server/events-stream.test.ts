import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EngineEvent } from "../../src/events/engine-event.js";
import { decodeEvent } from "../../src/events/event-codec.js";
import { startEngineServer } from "../../src/server/engine-server.js";
import type { EngineServer } from "../../src/server/types.js";
import { SAMPLE_EVENTS } from "../events/fixtures/sample-events.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { closed, closeWs, nextMessages, openWs } from "./fixtures/ws-client.js";

describe("/events WebSocket", () => {
  const engine = new FakeEngine();
  let server: EngineServer;
  let wsUrl: string;

  before(async () => {
    server = await startEngineServer(
      { port: 0, controlToken: "t0ken", maxEventBufferBytes: 64 * 1024 },
      engine.deps(),
    );
    wsUrl = `${server.url.replace("http", "ws")}/events`;
  });
  after(() => server.close());

  it("binary frames decode to the same events the ?format=json stream carries", {
    timeout: 10_000,
  }, async () => {
    const bin = await openWs(wsUrl);
    const json = await openWs(`${wsUrl}?format=json`);
    const binMsgs = nextMessages(bin, SAMPLE_EVENTS.length);
    const jsonMsgs = nextMessages(json, SAMPLE_EVENTS.length);
    for (const e of SAMPLE_EVENTS) engine.emit(e);
    const [b, j] = await Promise.all([binMsgs, jsonMsgs]);
    for (let i = 0; i < SAMPLE_EVENTS.length; i++) {
      assert.equal(b[i]!.isBinary, true);
      assert.equal(j[i]!.isBinary, false);
      const fromBytes = decodeEvent(new Uint8Array(b[i]!.data));
      const fromJson = JSON.parse(j[i]!.data.toString("utf8")) as EngineEvent;
      assert.deepEqual(fromBytes, fromJson);
      assert.deepEqual(fromBytes, SAMPLE_EVENTS[i]);
    }
    await Promise.all([closeWs(bin), closeWs(json)]);
  });

  it("a slow client loses events (counted) instead of growing io memory, and keeps its connection", {
    timeout: 30_000,
  }, async () => {
    const slow = await openWs(wsUrl);
    const fast = await openWs(`${wsUrl}?format=json`);
    // Stop reading: the kernel buffers fill, then uWS's queue passes the 64 KiB threshold.
    (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const droppedBefore = server.counts.eventsDropped;
    const big: EngineEvent = {
      ...SAMPLE_EVENTS[5]!,
      kind: "breaker",
      reason: "r".repeat(60_000),
    } as EngineEvent;
    const N = 600; // ≈ 36 MB offered to the slow client: far beyond loopback socket buffers
    // Paced by the fast client, so only the paused one falls behind.
    let fastGot = 0;
    for (let i = 0; i < N; i++) {
      const next = nextMessages(fast, 1);
      engine.emit({ ...big, seq: 1000 + i });
      fastGot += (await next).length;
    }
    assert.equal(fastGot, N, "the fast client gets every event");
    const dropped = server.counts.eventsDropped - droppedBefore;
    assert.ok(dropped > 0, "the slow client's excess is dropped");
    assert.ok(dropped < N, "the slow client still got the events that fit");
    assert.equal(engine.counters.get("events_dropped"), server.counts.eventsDropped);

    // Resume: the slow client reads what was queued, sees a gap in seq, and is still connected.
    const received: number[] = [];
    slow.on("message", (data: Buffer) => {
      received.push(decodeEvent(new Uint8Array(data)).seq);
    });
    const queued = nextMessages(slow, N - dropped);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await queued;
    const marker = nextMessages(slow, 1);
    engine.emit({ ...SAMPLE_EVENTS[6]!, seq: 99_999 });
    await marker;
    assert.equal(received.at(-1), 99_999);
    assert.equal(received.length, N - dropped + 1);
    await Promise.all([closeWs(slow), closeWs(fast)]);
  });

  it("close() ends event streams and unsubscribes from the engine", async () => {
    const engine2 = new FakeEngine();
    const server2 = await startEngineServer({ port: 0, controlToken: "x" }, engine2.deps());
    const ws = await openWs(`${server2.url.replace("http", "ws")}/events`);
    assert.equal(engine2.listenerCount, 1);
    const c = closed(ws);
    server2.close();
    assert.equal((await c).code, 1001);
    assert.equal(engine2.listenerCount, 0);
  });
});

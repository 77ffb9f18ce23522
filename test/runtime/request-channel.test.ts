import assert from "node:assert/strict";
import { afterEach, describe, it, mock } from "node:test";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import {
  ChannelClosedError,
  type PostPort,
  RequestChannel,
  RequestFailedError,
  RequestServer,
  RequestTimeoutError,
} from "../../src/runtime/request-channel.js";

type TestRequests = {
  add: { request: { a: number; b: number }; reply: number };
  slow: { request: null; reply: string };
  fail: { request: null; reply: null };
};

/** A caller and a server on the two ends of a real MessageChannel (structured clone included). */
function pair(handlers: ConstructorParameters<typeof RequestServer<TestRequests>>[1], timeoutMs = 30_000) {
  const { port1, port2 } = new MessageChannel();
  const caller = new RequestChannel<TestRequests>(port1, { peer: "test thread", timeoutMs });
  const server = new RequestServer<TestRequests>(port2, handlers);
  const others: unknown[] = [];
  port1.on("message", (m: unknown) => {
    if (!caller.accept(m)) others.push(m);
  });
  port2.on("message", (m: unknown) => server.accept(m));
  return { caller, port1, port2, others };
}

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
  mock.timers.reset();
});

describe("RequestChannel", () => {
  it("matches each reply to its request by id, whatever order the replies come in", async () => {
    let releaseSlow: (v: string) => void = () => undefined;
    const { caller, port1, port2 } = pair({
      add: ({ a, b }) => a + b,
      slow: () =>
        new Promise<string>((r) => {
          releaseSlow = r;
        }),
      fail: () => null,
    });
    open.push(port1, port2);
    const slow = caller.request("slow", null);
    const sums = await Promise.all([
      caller.request("add", { a: 1, b: 2 }),
      caller.request("add", { a: 40, b: 2 }),
    ]);
    assert.deepEqual(sums, [3, 42], "answered while an earlier request is still pending");
    assert.equal(caller.pendingCount, 1);
    releaseSlow("done");
    assert.equal(await slow, "done");
    assert.equal(caller.pendingCount, 0);
    assert.equal(caller.unknownReplies, 0);
  });

  it("rejects with the handler's own message when the handler throws or rejects", async () => {
    const { caller, port1, port2 } = pair({
      add: () => {
        throw new Error("adder broke");
      },
      slow: () => Promise.reject(new Error("kalshi REST 503")),
      fail: () => null,
    });
    open.push(port1, port2);
    await assert.rejects(caller.request("add", { a: 1, b: 1 }), (e: Error) => {
      assert.ok(e instanceof RequestFailedError);
      assert.equal(e.message, "adder broke");
      return true;
    });
    await assert.rejects(caller.request("slow", null), /^RequestFailedError: kalshi REST 503$/);
    assert.equal(caller.pendingCount, 0);
  });

  it("answers a request name the server does not know with an error", async () => {
    const { caller, port1, port2 } = pair({ add: () => 0, slow: () => "", fail: () => null });
    open.push(port1, port2);
    const untyped = caller as unknown as RequestChannel<{ nope: { request: null; reply: null } }>;
    await assert.rejects(untyped.request("nope", null), /unknown request "nope"/);
  });

  it("leaves messages that are not replies to the owner", async () => {
    const { caller, port1, port2, others } = pair({
      add: ({ a, b }) => a + b,
      slow: () => "",
      fail: () => null,
    });
    open.push(port1, port2);
    port2.postMessage({ type: "ready" });
    assert.equal(await caller.request("add", { a: 2, b: 2 }), 4); // the notice was delivered before the reply
    assert.deepEqual(others, [{ type: "ready" }]);
  });

  it("times out a request with no reply, names it, and counts the late reply as unknown", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    const sent: unknown[] = [];
    const port: PostPort = { postMessage: (m) => sent.push(m) };
    const caller = new RequestChannel<TestRequests>(port, { peer: "orders thread", timeoutMs: 10_000 });
    const slow = caller.request("slow", null);
    const add = caller.request("add", { a: 1, b: 1 }, 60_000);
    mock.timers.tick(10_000);
    await assert.rejects(slow, (e: Error) => {
      assert.ok(e instanceof RequestTimeoutError);
      assert.equal(e.message, "orders thread: no reply to slow within 10000 ms");
      return true;
    });
    assert.equal(caller.pendingCount, 1, "the request with its own longer deadline still waits");
    const [slowId, addId] = sent.map((m) => (m as { rq: number }).rq);
    assert.equal(caller.accept({ rp: slowId, ok: true, body: "late" }), true, "a reply, although late");
    assert.equal(caller.unknownReplies, 1);
    assert.equal(caller.accept({ rp: 999, ok: true, body: null }), true);
    assert.equal(caller.unknownReplies, 2, "a reply to an id never sent");
    caller.accept({ rp: addId, ok: true, body: 2 });
    assert.equal(await add, 2);
    assert.equal(caller.unknownReplies, 2);
  });

  it("rejects every pending request and every later one once the peer is gone", async () => {
    const sent: unknown[] = [];
    const caller = new RequestChannel<TestRequests>(
      { postMessage: (m) => sent.push(m) },
      { peer: "orders thread", timeoutMs: 30_000 },
    );
    const a = caller.request("slow", null);
    const b = caller.request("add", { a: 1, b: 2 });
    caller.close("the thread has exited (code 1)");
    await assert.rejects(a, (e: Error) => {
      assert.ok(e instanceof ChannelClosedError);
      assert.equal(e.message, "orders thread: slow unanswered: the thread has exited (code 1)");
      return true;
    });
    await assert.rejects(b, ChannelClosedError);
    await assert.rejects(caller.request("fail", null), /orders thread: fail not sent: the thread has exited/);
    assert.equal(sent.length, 2, "nothing is posted to a closed peer");
    assert.equal(caller.pendingCount, 0);
  });

  it("rejects at once when the port refuses the message", async () => {
    const caller = new RequestChannel<TestRequests>(
      {
        postMessage: () => {
          throw new Error("could not be cloned");
        },
      },
      { peer: "test thread", timeoutMs: 30_000 },
    );
    await assert.rejects(caller.request("fail", null), /could not be cloned/);
    assert.equal(caller.pendingCount, 0);
  });
});

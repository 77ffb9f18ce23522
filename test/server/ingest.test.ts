import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEngineServer } from "../../src/server/engine-server.js";
import { parseIngestMessage } from "../../src/server/ingest.js";
import type { EngineServer } from "../../src/server/types.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { closed, closeWs, nextMessages, openWs } from "./fixtures/ws-client.js";

const TOKEN = "ingest-secret";
const NOW_MS = 1_773_153_999_000;
// capture-format.md "Example"
const SNAPSHOT =
  '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"KXEX-26MAR10-A","yes_dollars_fp":[["0.4150","50.00"]],"no_dollars_fp":[["0.5500","80.00"]]}}';
const DELTA =
  '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KXEX-26MAR10-A","price_dollars":"0.4200","delta_fp":"-12.50","side":"yes","ts_ms":1773153000007}}';

describe("parseIngestMessage", () => {
  const cases: Array<[string, string, ReturnType<typeof parseIngestMessage>]> = [
    [
      "a raw Kalshi frame passes through with the server's clock",
      DELTA,
      { kind: "frame", text: DELTA, recvMs: NOW_MS },
    ],
    [
      "a capture line yields its frame and recv_ms",
      JSON.stringify({ recv_ms: 1773153000041, frame: DELTA }),
      { kind: "frame", text: DELTA, recvMs: 1773153000041 },
    ],
    [
      "a capture line with spaces and frame first",
      `{ "frame": ${JSON.stringify(SNAPSHOT)}, "recv_ms": 1773153000000, "extra": 1 }`,
      { kind: "frame", text: SNAPSHOT, recvMs: 1773153000000 },
    ],
    ["a comment line is ignored", "# capture of 2026-03-10", { kind: "ignored" }],
    ["an empty line is ignored", "  ", { kind: "ignored" }],
    [
      "a capture line without recv_ms is invalid",
      JSON.stringify({ frame: DELTA }),
      { kind: "invalid", reason: "capture line lacks an integer `recv_ms`" },
    ],
    [
      "a capture line with a fractional recv_ms is invalid",
      JSON.stringify({ recv_ms: 1.5, frame: DELTA }),
      { kind: "invalid", reason: "capture line lacks an integer `recv_ms`" },
    ],
    [
      "a capture line with a non-string frame is invalid",
      '{"recv_ms":1,"frame":{"type":"x"}}',
      { kind: "invalid", reason: "capture line lacks a string `frame`" },
    ],
    [
      "a truncated capture line is invalid",
      '{"recv_ms":1,"frame":"{',
      { kind: "invalid", reason: "capture line is not valid JSON" },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(parseIngestMessage(input, NOW_MS), expected));
  }
});

describe("/ingest WebSocket", () => {
  const engine = new FakeEngine();
  let server: EngineServer;
  let wsUrl: string;

  before(async () => {
    server = await startEngineServer(
      { port: 0, controlToken: TOKEN, maxIngestFrameBytes: 4096 },
      engine.deps(NOW_MS),
    );
    wsUrl = `${server.url.replace("http", "ws")}/ingest`;
  });
  after(() => server.close());

  it("refuses the upgrade without a token or with a wrong one (401)", async () => {
    await assert.rejects(openWs(wsUrl), /unexpected response 401/);
    await assert.rejects(openWs(`${wsUrl}?token=wrong`), /unexpected response 401/);
    await assert.rejects(openWs(wsUrl, { Authorization: "Bearer wrong" }), /unexpected response 401/);
    assert.equal(engine.frames.length, 0);
  });

  it("forwards raw frames and capture lines, in order, with their receive times", async () => {
    const ws = await openWs(`${wsUrl}?token=${TOKEN}`);
    const before = engine.frames.length;
    ws.send(SNAPSHOT);
    ws.send("# a comment");
    ws.send(JSON.stringify({ recv_ms: 1773153000041, frame: DELTA }));
    // an invalid line answers with an error message: awaiting it orders us after the frames above
    const reply = nextMessages(ws, 1);
    ws.send('{"recv_ms":"soon","frame":"x"}');
    const [err] = await reply;
    assert.match(err!.data.toString(), /invalid_ingest_message/);
    assert.deepEqual(engine.frames.slice(before), [
      { text: SNAPSHOT, recvMs: NOW_MS },
      { text: DELTA, recvMs: 1773153000041 },
    ]);
    assert.equal(server.counts.ingestRejected, 1);
    assert.equal(engine.counters.get("ingest_frames"), 2);
    assert.equal(engine.counters.get("ingest_rejected"), 1);
    await closeWs(ws);
  });

  it("accepts the token as an Authorization header", async () => {
    const ws = await openWs(wsUrl, { Authorization: `Bearer ${TOKEN}` });
    const reply = nextMessages(ws, 1);
    ws.send(DELTA);
    ws.send("not json, not a capture line either: forwarded raw, the parser decides");
    ws.send(Buffer.from([1, 2, 3])); // binary: refused with an error message
    await reply;
    assert.deepEqual(engine.frames.at(-1), {
      text: "not json, not a capture line either: forwarded raw, the parser decides",
      recvMs: NOW_MS,
    });
    await closeWs(ws);
  });

  it("closes the connection on a message above maxIngestFrameBytes, without forwarding it", async () => {
    const ws = await openWs(`${wsUrl}?token=${TOKEN}`);
    const before = engine.frames.length;
    const c = closed(ws);
    ws.send(JSON.stringify({ recv_ms: 1, frame: "x".repeat(8192) }));
    const { code } = await c;
    // uWS drops the TCP connection (1006) rather than sending a 1009 close frame
    assert.ok(code === 1009 || code === 1006, `close code ${code}`);
    assert.equal(engine.frames.length, before);
  });
});

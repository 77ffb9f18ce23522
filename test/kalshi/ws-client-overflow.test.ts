import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, describe, it } from "node:test";
import { WebSocketServer } from "ws";
import { tryParseServerMessage } from "../../src/kalshi/messages.js";
import { KalshiWsClient } from "../../src/kalshi/ws-client.js";

/**
 * WS conformance (kalshi-api-notes.md) against a scripted loopback server: `use_yes_price` is
 * sent explicitly on book subscriptions, and error 25 (subscription buffer overflow) ends that
 * subscription — the client subscribes its markets again (fresh snapshots follow) and counts it.
 */
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const servers: WebSocketServer[] = [];
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

describe("KalshiWsClient: use_yes_price and error 25", () => {
  it("sends use_yes_price explicitly and resubscribes the subscription error 25 ended", async () => {
    const commands: Array<{ id: number; cmd: string; params: Record<string, unknown> }> = [];
    let nextSid = 1;
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    servers.push(server);
    await new Promise((r) => server.once("listening", r));
    server.on("connection", (ws) => {
      ws.on("message", (data) => {
        const c = JSON.parse(String(data));
        commands.push(c);
        if (c.cmd !== "subscribe") return;
        for (const channel of c.params.channels as string[]) {
          ws.send(JSON.stringify({ id: c.id, type: "subscribed", msg: { channel, sid: nextSid++ } }));
        }
      });
    });
    const port = (server.address() as { port: number }).port;
    const overflows: number[][] = [];
    let client: KalshiWsClient | undefined;
    client = new KalshiWsClient(
      {
        url: `ws://127.0.0.1:${port}/trade-api/ws/v2`,
        keyId: "k",
        privateKey,
        markets: ["KX-A", "KX-B"],
        privateChannels: ["fill"],
      },
      {
        onFrame: (data) => {
          const msg = tryParseServerMessage(data.toString("utf8"));
          if (!(msg instanceof Error)) client?.handleReply(msg);
        },
        onSubscriptionOverflow: (sids) => overflows.push([...sids]),
      },
    );
    client.start();
    try {
      await until(() => client.tickersOf(1).length === 2 || client.tickersOf(2).length === 2, "subscribed");
      const book = commands.find((c) => (c.params.channels as string[]).includes("orderbook_delta"));
      assert.equal(book?.params.use_yes_price, false, "the NO-leg convention is asked for explicitly");
      const fill = commands.find((c) => (c.params.channels as string[]).includes("fill"));
      assert.equal(fill?.params.use_yes_price, undefined, "only book subscriptions carry it");
      const bookSid = client.tickersOf(1).length === 2 ? 1 : 2;

      const before = commands.length;
      for (const ws of server.clients) {
        ws.send(
          JSON.stringify({
            id: 0,
            sid: bookSid,
            type: "error",
            msg: { code: 25, msg: "Subscription buffer overflow" },
          }),
        );
      }
      await until(() => commands.length > before, "a new subscribe");
      const again = commands[before]!;
      assert.equal(again.cmd, "subscribe");
      assert.deepEqual(again.params.market_tickers, ["KX-A", "KX-B"]);
      assert.equal(again.params.use_yes_price, false);
      assert.equal(client.counters.overflowResubscribes, 1);
      assert.equal(client.counters.commandErrors, 0, "an overflow is not a failed command");
      assert.deepEqual(overflows, [[bookSid]]);
      await until(() => client.tickersOf(3).length === 2, "the markets live under the new sid");
      assert.equal(client.tickersOf(bookSid).length, 0);
    } finally {
      await client.close();
    }
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { PaperExchange } from "../../../src/paper/exchange/index.js";
import { FaultInjector, NO_FAULTS } from "../../../src/paper/faults/fault-plan.js";
import { type HubSocket, WsHub } from "../../../src/paper/server/ws-hub.js";
import { makeMarketSpecs, marketIdFor } from "../../../src/paper/sim/market-catalog.js";

class FakeSocket implements HubSocket {
  sent: string[] = [];
  buffered = 0;
  ended: number | undefined;
  send(message: string): number {
    this.sent.push(message);
    return 1;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  cork(cb: () => void): unknown {
    cb();
    return this;
  }
  end(code?: number): void {
    this.ended = code ?? 1000;
  }
  close(): void {
    this.ended = 1006;
  }
  ping(): number {
    return 1;
  }
}

function setup(): { hub: WsHub; core: PaperExchange; tickers: string[] } {
  const specs = makeMarketSpecs({ count: 2 });
  const core = new PaperExchange({ markets: specs, clock: () => 1_700_000_000_000 });
  const hub = new WsHub({
    core,
    marketIds: new Map(specs.map((s) => [s.ticker, marketIdFor(s.ticker)])),
    legacyWire: false,
    faults: new FaultInjector(NO_FAULTS),
    maxBufferedBytes: 1024,
  });
  core.setListener(hub);
  core.openAccount("u", 1e12);
  return { hub, core, tickers: specs.map((s) => s.ticker) };
}

test("a subscriber whose unsent bytes exceed the cap gets error 25, closed once its buffer drained", () => {
  const { hub, core, tickers } = setup();
  const socket = new FakeSocket();
  const conn = hub.open(socket, "reader");
  hub.message(
    conn,
    JSON.stringify({
      id: 1,
      cmd: "subscribe",
      params: { channels: ["orderbook_delta"], market_tickers: tickers },
    }),
  );
  hub.flush();
  assert.equal(socket.ended, undefined);
  socket.buffered = 4096; // the kernel stopped taking data: the reader fell behind
  core.createOrder("u", {
    ticker: tickers[0]!,
    clientOrderId: "x",
    side: "bid",
    yesPriceTicks: 1000, // $0.10
    countHundredths: 100,
    timeInForce: "good_till_canceled",
    selfTradePrevention: "taker_at_cross",
  });
  hub.flush();
  const last = JSON.parse(socket.sent.at(-1)!);
  assert.deepEqual([last.type, last.msg.code], ["error", 25]);
  assert.equal(hub.connectionCount, 0);
  // the close frame waits for uWS's buffer to drain (uWS drops a socket 2 s after end(): a close
  // still queued behind the data would be lost, and the error 25 with it)
  assert.equal(socket.ended, undefined);
  socket.buffered = 100;
  hub.drained(conn);
  assert.equal(socket.ended, undefined);
  socket.buffered = 0;
  hub.drained(conn);
  assert.equal(socket.ended, 1008);
  hub.socketClosed(conn);
  hub.drained(conn); // a late drain after the close touches nothing
  assert.equal(socket.sent.at(-1), JSON.stringify(last));
});

test("frames are queued and written in one flush, in order", () => {
  const { hub, tickers } = setup();
  const socket = new FakeSocket();
  const conn = hub.open(socket, "reader");
  hub.message(
    conn,
    JSON.stringify({
      id: 3,
      cmd: "subscribe",
      params: { channels: ["orderbook_delta"], market_tickers: tickers },
    }),
  );
  assert.equal(socket.sent.length, 0);
  hub.flush();
  assert.deepEqual(
    socket.sent.map((f) => JSON.parse(f).type),
    ["subscribed", "orderbook_snapshot", "orderbook_snapshot"],
  );
});

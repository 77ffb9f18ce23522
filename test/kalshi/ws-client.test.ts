import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { loadPrivateKey } from "../../src/kalshi/auth-signer.js";
import { tryParseServerMessage } from "../../src/kalshi/messages.js";
import { TICKS_PER_DOLLAR } from "../../src/kalshi/units.js";
import { KalshiWsClient } from "../../src/kalshi/ws-client.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";

/** Polls `cond` every 20 ms until it holds or `timeoutMs` passes (then fails with `what`). */
async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Engine-side feed wiring as io does it: frames → FeedApplier; replies → client; gaps → resnapshot. */
function feed(paper: PaperExchangeHandle, capacity = 64) {
  const directory = new MarketDirectory(capacity);
  const book = BookTable.create(capacity);
  let client: KalshiWsClient | undefined;
  const applier = new FeedApplier(directory, book, {
    onOtherFrame: (text) => {
      const msg = tryParseServerMessage(text);
      if (!(msg instanceof Error)) client?.handleReply(msg);
    },
    onResnapshotNeeded: (sid, markets) =>
      client?.requestSnapshot(
        sid,
        markets.map((m) => directory.tickerOf(m)),
      ),
  });
  client = new KalshiWsClient(
    {
      url: paper.wsUrl,
      keyId: paper.keyId,
      privateKey: loadPrivateKey(paper.keyFile),
      markets: paper.markets,
      subscribeChunk: 7,
      backoffInitialMs: 20,
      backoffMaxMs: 200,
    },
    {
      onFrame: (data, recvMs) => applier.applyFrameBytes(data, recvMs),
      onDisconnected: () => applier.onReconnect(),
    },
  );
  return { directory, book, applier, client };
}

/** Every book that is not stale equals the exchange's book, level for level. */
function assertBooksMatch(paper: PaperExchangeHandle, directory: MarketDirectory, book: BookTable): number {
  let compared = 0;
  for (const ticker of paper.markets) {
    const m = directory.indexOf(ticker);
    if (m < 0 || !book.isTradable(m)) continue;
    const ob = paper.core.orderbook(ticker, 0);
    assert.ok(ob.ok);
    const want = { yes: new Map(ob.value.yes), no: new Map(ob.value.no) };
    const got = { yes: new Map<number, number>(), no: new Map<number, number>() };
    for (let t = 1; t < TICKS_PER_DOLLAR; t++) {
      if (book.yesSizeAt(m, t)) got.yes.set(t, book.yesSizeAt(m, t));
      if (book.noSizeAt(m, t)) got.no.set(t, book.noSizeAt(m, t));
    }
    assert.deepEqual(got, want, `book of ${ticker}`);
    compared++;
  }
  return compared;
}

/**
 * Stops the simulated flow and waits until the client is connected and no frame has arrived for
 * 300 ms — longer than the reconnect backoff, so a connection dropped just before the flow
 * stopped has come back and delivered its fresh snapshots.
 */
async function quiesce(
  paper: PaperExchangeHandle,
  applier: FeedApplier,
  client: KalshiWsClient,
): Promise<void> {
  paper.simulator.stop();
  let last = -1;
  let quietSince = Date.now();
  await until(() => {
    if (applier.stats.frames !== last || !client.connected) {
      last = applier.stats.frames;
      quietSince = Date.now();
      return false;
    }
    return Date.now() - quietSince >= 300;
  }, "feed to go quiet");
}

describe("KalshiWsClient against the paper exchange", () => {
  const open: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const c of open.reverse()) await c.close();
  });

  it("subscribes in chunks over a signed handshake and keeps books equal to the exchange's", async () => {
    const paper = await startPaperExchange({ markets: 20, ratePerSec: 3000, seed: 5 });
    open.push(paper);
    const { directory, book, applier, client } = feed(paper);
    open.push(client);
    client.start();
    await until(() => applier.stats.snapshots >= 20 && applier.stats.deltas >= 500, "snapshots and deltas");
    assert.equal(client.tickersOf(1).length, 7); // 20 markets in chunks of 7 → sids carry 7, 7, 6
    await quiesce(paper, applier, client);
    assert.equal(applier.stats.gaps, 0);
    assert.equal(assertBooksMatch(paper, directory, book), 20);
  });

  it("recovers from dropped frames and disconnects: gaps trigger get_snapshot, reconnects resubscribe", async () => {
    const paper = await startPaperExchange({
      markets: 12,
      ratePerSec: 3000,
      seed: 9,
      faults: { feedFaultRate: 0.01, feedFaultKinds: { drop: 1, duplicate: 1 }, feedDisconnectEvery: 1500 },
    });
    open.push(paper);
    const { directory, book, applier, client } = feed(paper);
    open.push(client);
    client.start();
    await until(
      () => applier.stats.gaps >= 3 && client.counters.resnapshots >= 3 && client.counters.reconnects >= 1,
      "gaps, resnapshots and a reconnect",
      30_000,
    );
    await quiesce(paper, applier, client);
    const compared = assertBooksMatch(paper, directory, book);
    assert.ok(compared > 0, "some books recovered");
  });
});

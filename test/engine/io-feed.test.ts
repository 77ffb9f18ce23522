import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BookTable } from "../../src/book/book-table.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { TemporalTable } from "../../src/book/temporal-table.js";
import type { DecisionDispatcher } from "../../src/decide/dispatcher.js";
import { IoFeed } from "../../src/engine/io-feed.js";
import { FeatureState } from "../../src/features/feature-state.js";
import type { ServerMessage } from "../../src/kalshi/message-types.js";
import type { FeedSubscriptions } from "../../src/kalshi/ws-client.js";
import { BytesRing } from "../../src/shm/bytes-ring.js";
import { Counters } from "../../src/stats/counters.js";
import { ENGINE_METRICS } from "../../src/stats/engine-metrics.js";
import { StageHistograms } from "../../src/stats/stage-histograms.js";

const A = "KXEX-26MAR10-A";

/** The connection's narrow side as the feed sees it: what the feed asked, in order. */
class RecordingSubscriptions implements FeedSubscriptions {
  connection = 1;
  replies: string[] = [];
  snapshots: Array<[number, string[]]> = [];
  handleReply(msg: ServerMessage): boolean {
    if (msg.kind !== "subscribed" && msg.kind !== "ok" && msg.kind !== "unsubscribed" && msg.kind !== "error")
      return false;
    this.replies.push(msg.kind);
    return true;
  }
  requestSnapshot(sid: number, tickers: readonly string[]): void {
    this.snapshots.push([sid, [...tickers]]);
  }
}

function setup(subscriptions?: FeedSubscriptions) {
  const directory = new MarketDirectory(4);
  directory.ensure(A);
  const book = BookTable.create(4);
  const temporal = TemporalTable.create(4);
  const dirty: number[] = [];
  // the feed needs only the dispatcher's stamp and its O(1) dirty mark
  const dispatcher = {
    frameStamp: new Float64Array(1),
    markDirtyNow: (m: number) => dirty.push(m),
  } as unknown as DecisionDispatcher;
  const counters = new Counters(ENGINE_METRICS);
  const feed = new IoFeed({
    directory,
    book,
    features: new FeatureState(book, temporal),
    dispatcher,
    privateRing: BytesRing.create(256, 64),
    histograms: new StageHistograms(),
    counters,
    ...(subscriptions ? { subscriptions } : {}),
  });
  return { feed, dirty, counters };
}

const text = (o: object) => Buffer.from(JSON.stringify(o), "utf8");
const snapshot = (seq: number) =>
  text({
    type: "orderbook_snapshot",
    sid: 3,
    seq,
    msg: { market_ticker: A, yes_dollars_fp: [["0.4000", "10.00"]], no_dollars_fp: [["0.5500", "10.00"]] },
  });
const delta = (seq: number) =>
  text({
    type: "orderbook_delta",
    sid: 3,
    seq,
    msg: { market_ticker: A, price_dollars: "0.4000", delta_fp: "5.00", side: "yes" },
  });

describe("IoFeed ↔ connection: frames in, replies and snapshot requests out through FeedSubscriptions", () => {
  it("hands subscription replies back and asks for a snapshot of the markets a gap staled", () => {
    const subs = new RecordingSubscriptions();
    const { feed, dirty, counters } = setup(subs);
    feed.onFrameBytes(text({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 3 } }), 1);
    feed.onFrameBytes(snapshot(1), 2);
    feed.onFrameBytes(delta(2), 3);
    assert.deepEqual(dirty, [0, 0], "snapshot and delta applied");
    feed.onFrameBytes(delta(5), 4); // seq 3 and 4 never came
    assert.deepEqual(subs.replies, ["subscribed"]);
    assert.deepEqual(subs.snapshots, [[3, [A]]]);
    assert.equal(counters.counter("resnapshots").value, 1);
    feed.onFrameBytes(text({ type: "ok", id: 2, sid: 3, seq: 6 }), 5);
    assert.deepEqual(subs.replies, ["subscribed", "ok"]);
  });

  it("without a connection (/ingest, replay) a gap is counted and nothing is asked", () => {
    const { feed, counters } = setup();
    feed.onIngestFrame(snapshot(1).toString("utf8"), 1);
    feed.onIngestFrame(delta(4).toString("utf8"), 2);
    assert.equal(counters.counter("resnapshots").value, 0);
    assert.equal(counters.counter("gaps").value, 1);
  });
});

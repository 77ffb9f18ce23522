import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BookTable } from "../../src/book/book-table.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { TemporalTable } from "../../src/book/temporal-table.js";
import type { DecisionDispatcher } from "../../src/decide/dispatcher.js";
import { IoFeed } from "../../src/engine/io-feed.js";
import { readFeedLog } from "../../src/events/feed-log-codec.js";
import { FeatureState } from "../../src/features/feature-state.js";
import type { ServerMessage } from "../../src/kalshi/message-types.js";
import type { FeedSubscriptions } from "../../src/kalshi/ws-client.js";
import { FeedRecorder } from "../../src/record/recorder.js";
import { listSegments } from "../../src/record/segments.js";
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

function setup(subscriptions?: FeedSubscriptions, recorder?: FeedRecorder) {
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
    ...(recorder ? { recorder } : {}),
  });
  return { feed, dirty, counters, book, directory };
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

describe("IoFeed with a recorder: each frame recorded, then parsed from its copy in the ring", () => {
  it("applies exactly what it applies without recording, and the log holds every frame", async () => {
    const dir = mkdtempSync(join(tmpdir(), "io-rec-"));
    const recorder = new FeedRecorder({ dir, session: {}, onLog: () => {} });
    await recorder.ready;
    const subs = [new RecordingSubscriptions(), new RecordingSubscriptions()];
    const plain = setup(subs[0]);
    const recording = setup(subs[1], recorder);
    const B = "KXEX-26MAR10-NEW"; // first seen on the byte path: adopted from the ring's bytes
    const frames = [
      text({ type: "subscribed", id: 1, msg: { channel: "orderbook_delta", sid: 3 } }),
      snapshot(1),
      delta(2),
      text({
        type: "orderbook_delta",
        sid: 3,
        seq: 3,
        msg: { market_ticker: B, price_dollars: "0.3000", delta_fp: "2.00", side: "no" },
      }),
      // an escape: not the byte template's layout, decoded from the ring and scanned as text
      Buffer.from(
        `{"type":"orderbook_delta","sid":3,"seq":4,"msg":{"market_ticker":"KXEX-26MAR10-\\u0041","price_dollars":"0.4000","delta_fp":"1.00","side":"yes"}}`,
      ),
      delta(6), // a gap: a snapshot is asked for
    ];
    for (const [i, f] of frames.entries()) {
      plain.feed.onFrameBytes(f, 10 + i);
      recording.feed.onFrameBytes(f, 10 + i);
    }
    assert.deepEqual(recording.dirty, plain.dirty);
    assert.deepEqual(subs[1]!.replies, subs[0]!.replies);
    assert.deepEqual(subs[1]!.snapshots, subs[0]!.snapshots);
    assert.equal(recording.directory.indexOf(B), plain.directory.indexOf(B));
    for (const m of [0, plain.directory.indexOf(B)])
      for (const ticks of [3000, 4000, 4500, 5500, 7000])
        assert.deepEqual(
          [recording.book.yesSizeAt(m, ticks), recording.book.noSizeAt(m, ticks)],
          [plain.book.yesSizeAt(m, ticks), plain.book.noSizeAt(m, ticks)],
        );
    assert.equal(plain.book.yesSizeAt(0, 4000), 1600, "snapshot 10 + 5 + 1 (the escaped ticker is A)");
    const summary = await recorder.close();
    assert.equal(summary.feed_records, frames.length);
    const logged = listSegments(dir, "feed").flatMap((s) => readFeedLog(readFileSync(s.path)).entries);
    assert.deepEqual(
      logged.map((e) => Buffer.from(e.frame).toString()),
      frames.map((f) => f.toString()),
    );
  });
});

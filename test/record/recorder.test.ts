import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { decodeEvent, EventCodec } from "../../src/events/event-codec.js";
import { readFeedLog, scanEventLog } from "../../src/events/feed-log-codec.js";
import { FeedRecorder, recvMicros, SESSIONS_FILE } from "../../src/record/recorder.js";
import { listSegments } from "../../src/record/segments.js";
import { Counters } from "../../src/stats/counters.js";
import { ENGINE_METRICS } from "../../src/stats/engine-metrics.js";

const quiet = () => {};
const counterValue = (c: Counters, name: string) => c.snapshot().find((s) => s.name === name)?.value;

function feedEntries(dir: string) {
  const segments = listSegments(dir, "feed").map((s) => readFeedLog(readFileSync(s.path)));
  for (const s of segments) assert.equal(s.tornTailBytes, 0);
  return { segments: segments.length, entries: segments.flatMap((s) => s.entries) };
}

function events(dir: string) {
  const out: ReturnType<typeof decodeEvent>[] = [];
  for (const s of listSegments(dir, "events"))
    scanEventLog(readFileSync(s.path), (body) => out.push(decodeEvent(body)));
  return out;
}

describe("FeedRecorder (io → writer thread → segments)", () => {
  it("records every frame and event, in order, across rotated segments", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-"));
    const counters = new Counters(ENGINE_METRICS);
    const rec = new FeedRecorder({
      dir,
      limits: { maxBytes: 8192, maxSeconds: 3600 },
      ringBytes: 1 << 23,
      session: { exchange: "test" },
      counters,
      onLog: quiet,
    });
    await rec.ready;
    const frames: string[] = [];
    const codec = new EventCodec();
    for (let i = 0; i < 2000; i++) {
      const frame = `{"type":"orderbook_delta","sid":1,"seq":${i + 1},"msg":{"market_ticker":"T-é${i % 5}"}}`;
      frames.push(frame);
      rec.recordFrame(frame, 1_773_153_000_000 + i, 1000.25 + i, 1 + (i >> 10));
      if (i % 100 === 0) {
        const ev = { kind: "kill" as const, seq: i, tsUs: i, engaged: true, reason: `r${i}` };
        rec.recordEvent(codec.encode(ev), i);
      }
    }
    const summary = await rec.close();
    assert.equal(summary.dropped, 0);
    assert.equal(summary.write_errors, 0);
    assert.equal(summary.feed_records, 2000);
    assert.equal(summary.event_records, 20);
    const { segments, entries } = feedEntries(dir);
    assert.ok(segments > 3, `rotated into ${segments} segments`);
    assert.deepEqual(
      entries.map((e) => new TextDecoder().decode(e.frame)),
      frames,
    );
    assert.equal(entries[3]!.recvUs, (1_773_153_000_000 + 3) * 1000 + 250);
    assert.equal(entries[1999]!.connection, 2);
    assert.deepEqual(
      events(dir).map((e) => (e as { reason: string }).reason),
      Array.from({ length: 20 }, (_, k) => `r${k * 100}`),
    );
    assert.equal(counterValue(counters, "record_frames"), 2000);
    assert.equal(counterValue(counters, "recording"), 0);
    const session = JSON.parse(readFileSync(join(dir, SESSIONS_FILE), "utf8").trim());
    assert.equal(session.exchange, "test");
  });

  it("io wakes a sleeping writer at most once per turn, and every record still reaches the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-"));
    const rec = new FeedRecorder({ dir, ringBytes: 1 << 23, session: {}, onLog: quiet });
    await rec.ready;
    const turns = 6;
    const perTurn = 500;
    for (let t = 0; t < turns; t++) {
      // a turn: many frames back to back, as one socket read delivers them
      for (let i = 0; i < perTurn; i++) {
        const frame = Buffer.from(`{"type":"orderbook_delta","sid":1,"seq":${t * perTurn + i + 1}}`);
        rec.recordFrameBytes(frame, 1_773_153_000_000 + i, 1000 + i, 1);
      }
      // between turns the writer drains, finds the ring empty and goes back to sleep
      for (let k = 0; k < 500 && rec.queuedBytes > 0; k++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(rec.queuedBytes, 0, `turn ${t}: the writer took every record without a close`);
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.ok(rec.doorbells <= turns, `${rec.doorbells} doorbells for ${turns} turns of ${perTurn} frames`);
    const summary = await rec.close();
    assert.equal(summary.feed_records, turns * perTurn);
    assert.equal(summary.dropped, 0);
    assert.deepEqual(
      feedEntries(dir).entries.map((e) => JSON.parse(new TextDecoder().decode(e.frame)).seq),
      Array.from({ length: turns * perTurn }, (_, k) => k + 1),
    );
  });

  it("a stalled writer: the hot region fills, then the overflow region, then frames are dropped and counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-"));
    const counters = new Counters(ENGINE_METRICS);
    const hot = 4096;
    const overflow = 8192;
    const rec = new FeedRecorder({
      dir,
      ringBytes: overflow,
      hotRingBytes: hot,
      session: {},
      counters,
      onLog: quiet,
    });
    await rec.ready;
    // One io turn: its records are published when it ends, so the writer takes none meanwhile —
    // a writer that does not run at all, deterministically.
    const frames = Array.from({ length: 300 }, (_, i) =>
      // each in its own buffer (offset 0): every record the same size
      Buffer.from(
        new TextEncoder().encode(`{"seq":"${String(i).padStart(4, "0")}","pad":"${"x".repeat(80)}"}`),
      ),
    );
    const recorded = frames.filter((f, i) => rec.recordFrameBytes(f, 1_773_153_000_000 + i, 1000 + i, 1));
    const size = (24 + frames[0]!.length + 4 + 7) & ~7; // a FrameRing record (frame-ring.ts)
    assert.equal(recorded.length, Math.floor(hot / size) + Math.floor(overflow / size));
    assert.ok(recorded.length > overflow / size, "more room than the overflow region alone");
    assert.deepEqual(recorded, frames.slice(0, recorded.length), "the first frames, none skipped");
    assert.equal(rec.overflowRecords, Math.floor(overflow / size));
    assert.equal(counterValue(counters, "record_frames"), recorded.length);
    assert.equal(counterValue(counters, "record_dropped"), frames.length - recorded.length);
    const summary = await rec.close();
    assert.equal(summary.dropped, frames.length - recorded.length);
    assert.equal(summary.feed_records, recorded.length);
    assert.deepEqual(
      feedEntries(dir).entries.map((e) => Buffer.from(e.frame).toString()),
      recorded.map((f) => f.toString()),
    );
    const onDisk = listSegments(dir, "feed").reduce((sum, s) => sum + statSync(s.path).size, 0);
    assert.equal(summary.bytes, onDisk, "bytes counted = bytes in the segments");
  });

  it("a write error stops recording loudly and is counted; what was written still reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rec-"));
    const counters = new Counters(ENGINE_METRICS);
    const logs: string[] = [];
    const rec = new FeedRecorder({
      dir,
      limits: { maxBytes: 4096, maxSeconds: 3600 },
      session: {},
      counters,
      onLog: (level, msg) => logs.push(`${level}: ${msg}`),
    });
    await rec.ready;
    // the next segment's name is taken: opening it fails like any I/O error would
    writeFileSync(join(dir, "feed-000002.kfl"), "");
    const frame = `{"type":"orderbook_delta","pad":"${"x".repeat(200)}"}`;
    for (let i = 0; i < 200; i++) {
      rec.recordFrame(frame, 1_000 + i, 0, 1);
    }
    const summary = await rec.close();
    assert.equal(summary.write_errors, 1);
    assert.equal(counterValue(counters, "record_write_errors"), 1);
    assert.ok(logs.some((l) => l.startsWith("error: RECORDING STOPPED")));
    const first = readFeedLog(readFileSync(join(dir, "feed-000001.kfl")));
    assert.equal(first.tornTailBytes, 0);
    assert.ok(first.entries.length > 0);
  });

  it("µs receive times keep the engine's millisecond", () => {
    assert.equal(recvMicros(1_773_153_000_123, 5_000.9999), 1_773_153_000_123_999);
    assert.equal(Math.floor(recvMicros(1_773_153_000_123, 0.0004) / 1000), 1_773_153_000_123);
  });
});

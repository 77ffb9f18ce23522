/**
 * Recorder writer thread: drains the FrameRing (io → here) into log segments (segments.ts).
 * Feed frames become FeedRecords (feed-*.kfl), written in place in the segment's staging buffer;
 * engine events, already EngineEvent FlatBuffers,
 * get their size prefix (events-*.kfl). Staged bytes are written whenever the ring runs empty
 * and at least every FLUSH_EVERY_MS, so a crash of the process loses at most what was in flight.
 *
 * On any write error (disk full, I/O error, directory gone) the thread stops the ring (io stops
 * copying), reports the error once to io — which logs it loudly and counts it — and idles until
 * io asks it to close. Trading is never affected.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FeedRecordEncoder, FeedRecordWriter, feedRecordBytes } from "../events/feed-log-codec.js";
import { DecisionRecordEncoder } from "./decision-log.js";
import { FrameRing, type FrameRingShared, RecordTag } from "./frame-ring.js";
import { type SegmentLimits, SegmentWriter } from "./segments.js";

export interface RecorderWorkerData {
  ring: FrameRingShared;
  /** Int32[1]: io sets [0] = 1 to close (after its last write) */
  control: SharedArrayBuffer;
  dir: string;
  limits: SegmentLimits;
  /** one ring per decide worker (decision-log.ts), drained into decisions-*.kfl */
  decisionRings: FrameRingShared[];
  /** market index → ticker, for decision records */
  tickers: readonly string[];
}

export type RecorderWorkerMessage =
  | { type: "ready" }
  | { type: "error"; message: string }
  | {
      type: "closed";
      feedRecords: number;
      eventRecords: number;
      decisionRecords: number;
      bytes: number;
      segments: string[];
    };

const FLUSH_EVERY_MS = 200;
/** idle: sleep until io rings the doorbell (or this long) */
const IDLE_WAIT_MS = 50;
/** busy (records in the last BUSY_WINDOW_MS): nap this long between drains, asking for no
 * doorbell, so a steady feed costs io no wake-up syscalls */
const BUSY_NAP_MS = 1;
const BUSY_WINDOW_MS = 100;

function run(data: RecorderWorkerData): void {
  const ring = FrameRing.attach(data.ring);
  const control = new Int32Array(data.control);
  const feed = new SegmentWriter(data.dir, "feed", data.limits);
  const events = new SegmentWriter(data.dir, "events", data.limits);
  const decisions = new SegmentWriter(data.dir, "decisions", data.limits);
  const decisionRings = data.decisionRings.map((r) => FrameRing.attach(r));
  const decisionEncoder = new DecisionRecordEncoder(data.tickers);
  const feedRecords = new FeedRecordWriter(feed.stagingBuffer);
  const encoder = new FeedRecordEncoder(64 * 1024); // frames larger than the staging buffer
  const prefix = new Uint8Array(4);
  const prefixView = new DataView(prefix.buffer);
  let failed = false;
  let lastFlush = Date.now();
  let lastRecords = 0;
  parentPort?.postMessage({ type: "ready" } satisfies RecorderWorkerMessage);

  const fail = (e: unknown): void => {
    failed = true;
    ring.stop();
    parentPort?.postMessage({
      type: "error",
      message: e instanceof Error ? e.message : String(e),
    } satisfies RecorderWorkerMessage);
  };
  const write = (tag: number, recvUs: number, bytes: Uint8Array): void => {
    if (failed) return;
    try {
      if ((tag & 3) === RecordTag.feedFrame) {
        // written in place in the staging buffer: no Builder, no BigInt, one copy
        const at = feed.stage(feedRecordBytes(bytes.length), recvUs);
        if (at >= 0) feed.commitStaged(feedRecords.write(at, recvUs, bytes, tag >>> 2));
        else feed.append(encoder.encode(recvUs, bytes, tag >>> 2), recvUs);
      } else if (tag === RecordTag.decision) {
        decisions.append(decisionEncoder.encode(bytes), recvUs);
      } else {
        prefixView.setUint32(0, bytes.length, true);
        events.appendPrefixed(prefix, bytes, recvUs);
      }
    } catch (e) {
      fail(e);
    }
  };
  const flush = (): void => {
    lastFlush = Date.now();
    if (failed) return;
    try {
      feed.flush();
      events.flush();
      decisions.flush();
    } catch (e) {
      fail(e);
    }
  };

  for (;;) {
    const closing = Atomics.load(control, 0) === 1;
    let n = ring.drain(write);
    for (const r of decisionRings) n += r.drain(write);
    if (n === 0) {
      flush();
      if (closing) break;
      if (lastFlush - lastRecords < BUSY_WINDOW_MS) ring.nap(BUSY_NAP_MS);
      else ring.waitForRecords(IDLE_WAIT_MS);
    } else {
      lastRecords = Date.now();
      if (lastRecords - lastFlush >= FLUSH_EVERY_MS) flush();
    }
  }
  let closeError: unknown;
  for (const w of [feed, events, decisions]) {
    try {
      w.close();
    } catch (e) {
      closeError ??= e;
    }
  }
  if (closeError !== undefined && !failed) fail(closeError);
  parentPort?.postMessage({
    type: "closed",
    feedRecords: feed.records,
    eventRecords: events.records,
    decisionRecords: decisions.records,
    bytes: feed.bytesWritten + events.bytesWritten + decisions.bytesWritten,
    segments: [...feed.opened, ...events.opened, ...decisions.opened],
  } satisfies RecorderWorkerMessage);
}

run(workerData as RecorderWorkerData);

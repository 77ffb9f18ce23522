/**
 * Reads a log directory (docs/recording.md): the feed segments in number order, every whole
 * record, the torn tail of any segment skipped and counted. Synchronous per segment (a segment
 * is read whole: 64 MiB by default); `logFrames` wraps it as an async iterable of capture-like
 * records for the replay paths (`features --log`, `log cat`).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import {
  type FeedLogScan,
  type FeedRecordVisitor,
  scanEventLog,
  scanFeedLog,
} from "../events/feed-log-codec.js";
import { listSegments, type SegmentFile } from "./segments.js";

export interface TornTail {
  segment: string;
  bytes: number;
}

export interface LogReadStats {
  segments: number;
  records: number;
  bytes: number;
  tornTails: TornTail[];
}

/** A directory that is not a log is a user error; callers turn this into exit 2. */
export class NotALogError extends Error {
  override readonly name = "NotALogError";
}

export function feedSegments(dir: string): SegmentFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new NotALogError(`${dir}: no such log directory`);
  const segments = listSegments(dir, "feed");
  if (segments.length === 0)
    throw new NotALogError(`${dir}: no feed segments (feed-*.kfl) in this directory`);
  return segments;
}

/** Visits every frame of the log in order; returns what was read. */
export function scanLog(dir: string, visit: FeedRecordVisitor): LogReadStats {
  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  for (const seg of feedSegments(dir)) scanSegmentInto(seg, visit, stats);
  return stats;
}

/**
 * One read buffer reused for every segment (grown to the largest): a fresh 64 MiB Buffer per
 * segment costs more in page faults than the scan itself. Views handed to visitors are valid only
 * during the visit, as documented.
 */
let scratch = Buffer.allocUnsafe(0);

function readSegment(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    if (scratch.length < size) scratch = Buffer.allocUnsafe(size);
    let got = 0;
    for (;;) {
      const n = readSync(fd, scratch, got, size - got, got);
      if (n === 0) break; // the file shrank meanwhile: read what is there
      got += n;
      if (got === size) break;
    }
    return scratch.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function scanSegmentInto(seg: SegmentFile, visit: FeedRecordVisitor, stats: LogReadStats): void {
  scanWith(seg, (bytes) => scanFeedLog(bytes, visit), stats);
}

function scanWith(seg: SegmentFile, scanner: (bytes: Uint8Array) => FeedLogScan, stats: LogReadStats): void {
  const bytes = readSegment(seg.path);
  const scan = scanner(bytes);
  stats.segments++;
  stats.records += scan.records;
  stats.bytes += bytes.length;
  if (scan.tornTailBytes > 0) stats.tornTails.push({ segment: seg.path, bytes: scan.tornTailBytes });
}

/** Visits every engine event (EngineEvent FlatBuffer bytes) of the log's events segments. */
export function scanLogEvents(dir: string, visit: (body: Uint8Array) => void): LogReadStats {
  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  for (const seg of listSegments(dir, "events")) scanWith(seg, (bytes) => scanEventLog(bytes, visit), stats);
  return stats;
}

export interface LogFrame {
  /** the millisecond receive time the engine used (floor of recv_us / 1000) */
  recvMs: number;
  recvUs: number;
  connection: number;
  frame: string;
}

const decoder = new TextDecoder();

/**
 * The log's frames as text, one segment at a time (one await per segment). `stats` fills in as
 * segments are read; `onSegment` reports progress (bytes read so far of `totalBytes`).
 */
export async function* logFrames(
  dir: string,
  stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] },
  onSegment?: (bytesRead: number, totalBytes: number) => void,
): AsyncGenerator<LogFrame> {
  const segments = feedSegments(dir);
  const total = segments.reduce((a, s) => a + s.bytes, 0);
  for (const seg of segments) {
    const batch: LogFrame[] = [];
    scanSegmentInto(
      seg,
      (recvUs, frame, connection) =>
        batch.push({ recvMs: Math.floor(recvUs / 1000), recvUs, connection, frame: decoder.decode(frame) }),
      stats,
    );
    onSegment?.(stats.bytes, total);
    yield* batch;
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** One line per torn tail, for commands to print on stderr. */
export function tornTailLines(stats: LogReadStats): string {
  return stats.tornTails
    .map((t) => `${t.segment}: torn tail of ${t.bytes} bytes skipped (the writer stopped mid-record)\n`)
    .join("");
}

/** One segment's frames as byte views (valid until the next segment is read) and receive times. */
export interface LogSegmentFrames {
  count: number;
  recvUs: Float64Array;
  frames: Uint8Array[];
}

/**
 * The log's frames as bytes, one segment per step (no string decoding: the engine's byte path
 * reads them, as it reads WebSocket frames live). The views share one read buffer: use a
 * segment's frames before asking for the next one.
 */
export async function* logSegmentFrames(
  dir: string,
  stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] },
): AsyncGenerator<LogSegmentFrames> {
  let recvUs = new Float64Array(1024);
  const frames: Uint8Array[] = [];
  for (const seg of feedSegments(dir)) {
    let count = 0;
    frames.length = 0;
    scanSegmentInto(
      seg,
      (us, frame) => {
        if (count === recvUs.length) {
          const grown = new Float64Array(count * 2);
          grown.set(recvUs);
          recvUs = grown;
        }
        recvUs[count++] = us;
        frames.push(frame);
      },
      stats,
    );
    yield { count, recvUs, frames };
  }
}

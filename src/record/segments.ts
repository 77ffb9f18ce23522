/**
 * Log segments on disk (docs/recording.md): a log directory holds numbered segment files per
 * stream, each a plain sequence of size-prefixed FlatBuffers records:
 *
 *   DIR/feed-000001.kfl     FeedRecord (schemas/feed-log.fbs): every raw frame received
 *   DIR/events-000001.kfl   EngineEvent (schemas/events.fbs): orders, fills, decisions, …
 *   DIR/decisions-000001.kfl DecisionRecord (schemas/feed-log.fbs): every policy decision
 *   DIR/sessions.ndjson     one JSON line per recording session (what, when, which model)
 *
 * A segment is closed and the next one opened when it reaches its size limit or when a record's
 * receive time is past the segment's first record by the time limit. Numbering continues after
 * the highest segment already in the directory, so a restarted recorder never overwrites.
 * `SegmentWriter` is synchronous (it runs on the writer thread, never on io).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

export type StreamName = "feed" | "events" | "decisions";
export const SEGMENT_SUFFIX = ".kfl";
const SEGMENT_RE = /^(feed|events|decisions)-(\d{6,})\.kfl$/;

export interface SegmentLimits {
  /** close a segment once it holds at least this many bytes */
  maxBytes: number;
  /** close a segment once a record is this many seconds after its first record */
  maxSeconds: number;
}

export const DEFAULT_SEGMENT_LIMITS: SegmentLimits = { maxBytes: 64 * 2 ** 20, maxSeconds: 3600 };

export interface SegmentFile {
  stream: StreamName;
  index: number;
  path: string;
  bytes: number;
}

export function segmentName(stream: StreamName, index: number): string {
  return `${stream}-${String(index).padStart(6, "0")}${SEGMENT_SUFFIX}`;
}

/** The directory's segments of one stream (or all), in order. Missing directory: an error. */
export function listSegments(dir: string, stream?: StreamName): SegmentFile[] {
  const out: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (!m) continue;
    const s = m[1] as StreamName;
    if (stream !== undefined && s !== stream) continue;
    const path = join(dir, name);
    out.push({ stream: s, index: Number(m[2]), path, bytes: statSync(path).size });
  }
  return out.sort((a, b) => (a.stream === b.stream ? a.index - b.index : a.stream < b.stream ? -1 : 1));
}

const STAGING_BYTES = 1 << 20;

export class SegmentWriter {
  /** segments opened by this writer, in order */
  readonly opened: string[] = [];
  bytesWritten = 0;
  records = 0;
  private fd = -1;
  private index: number;
  private segmentBytes = 0;
  private segmentStartUs = 0;
  private readonly staging = new Uint8Array(STAGING_BYTES);
  private staged = 0;

  constructor(
    private readonly dir: string,
    private readonly stream: StreamName,
    private readonly limits: SegmentLimits = DEFAULT_SEGMENT_LIMITS,
    /** flush each segment to stable storage when it is closed */
    private readonly fsync = true,
  ) {
    mkdirSync(dir, { recursive: true });
    const existing = listSegments(dir, stream);
    this.index = existing.length === 0 ? 0 : existing[existing.length - 1]!.index;
  }

  /** Appends one whole record (already size-prefixed); throws on a write error. */
  append(record: Uint8Array, recvUs: number): void {
    this.rotateIfDue(recvUs);
    if (record.length > this.staging.length - this.staged) this.flush();
    if (record.length > this.staging.length) {
      this.writeAll(record);
    } else {
      this.staging.set(record, this.staged);
      this.staged += record.length;
    }
    this.records++;
  }

  /** The staging buffer `stage` hands out offsets into. */
  get stagingBuffer(): Uint8Array {
    return this.staging;
  }

  /**
   * Room for one record of at most `maxBytes`, to be written in place: returns its offset in
   * `stagingBuffer`, or -1 when it is larger than the staging buffer (use `append`). Finish with
   * `commitStaged(length)` before anything else is appended.
   */
  stage(maxBytes: number, recvUs: number): number {
    if (maxBytes > this.staging.length) return -1;
    this.rotateIfDue(recvUs);
    if (maxBytes > this.staging.length - this.staged) this.flush();
    return this.staged;
  }

  commitStaged(length: number): void {
    this.staged += length;
    this.records++;
  }

  /** Appends a record given as its 4-byte size prefix and its body (no copy made first). */
  appendPrefixed(prefix: Uint8Array, body: Uint8Array, recvUs: number): void {
    const total = prefix.length + body.length;
    if (total <= this.staging.length) {
      this.rotateIfDue(recvUs);
      if (total > this.staging.length - this.staged) this.flush();
      this.staging.set(prefix, this.staged);
      this.staging.set(body, this.staged + prefix.length);
      this.staged += total;
      this.records++;
      return;
    }
    const whole = new Uint8Array(total);
    whole.set(prefix, 0);
    whole.set(body, prefix.length);
    this.append(whole, recvUs);
  }

  /** Writes staged bytes to the file (the OS may still cache them). */
  flush(): void {
    if (this.staged === 0 || this.fd < 0) return;
    const n = this.staged;
    this.staged = 0;
    this.writeAll(this.staging.subarray(0, n));
  }

  close(): void {
    if (this.fd >= 0) this.closeSegment();
  }

  /** Closes the segment when it is full or old, and opens one when none is open. */
  private rotateIfDue(recvUs: number): void {
    if (
      this.fd >= 0 &&
      (this.segmentBytes + this.staged >= this.limits.maxBytes ||
        recvUs - this.segmentStartUs >= this.limits.maxSeconds * 1e6)
    ) {
      this.closeSegment();
    }
    if (this.fd < 0) this.openSegment(recvUs);
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    // writeSync returns ≥ 1 or throws, so this loop always progresses
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.segmentBytes += bytes.length;
    this.bytesWritten += bytes.length;
  }

  private openSegment(recvUs: number): void {
    this.index++;
    const name = segmentName(this.stream, this.index);
    this.fd = openSync(join(this.dir, name), "wx");
    this.opened.push(name);
    this.segmentBytes = 0;
    this.segmentStartUs = recvUs;
  }

  private closeSegment(): void {
    const fd = this.fd;
    try {
      this.flush();
      if (this.fsync) fsyncSync(fd);
    } finally {
      this.fd = -1;
      closeSync(fd);
    }
  }
}

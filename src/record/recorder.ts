/**
 * FeedRecorder — the io thread's side of recording (docs/recording.md). io calls `recordFrame`
 * for every raw frame before parsing it and `recordEvent` for every engine event; both copy the
 * bytes into a FrameRing, write its 24-byte header and return (no syscall, no allocation); a
 * frame recorded from bytes is then parsed in its ring record (one copy of it on io, not two). A
 * sleeping writer is woken at most once per io turn. The writer thread (recorder-worker.ts) does
 * the encoding and the file I/O.
 *
 * Failure policy: recording must never stop trading. A full ring drops the record and counts it
 * (`record_dropped`); a write error stops recording for the rest of the run with one loud log
 * line and `record_write_errors`, and io keeps going.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { workerModuleUrl } from "../runtime/module-file.js";
import type { CounterHandle, Counters, GaugeHandle } from "../stats/counters.js";
import { FrameRing, frameTag, RecordTag } from "./frame-ring.js";
import type { RecorderWorkerData, RecorderWorkerMessage } from "./recorder-worker.js";
import { DEFAULT_SEGMENT_LIMITS, type SegmentLimits } from "./segments.js";

export interface RecorderOptions {
  dir: string;
  limits?: SegmentLimits;
  /** FrameRing overflow region in bytes (power of two; default 64 MiB ≈ seconds of a busy feed) */
  ringBytes?: number;
  /** FrameRing hot region in bytes (power of two; default 1 MiB, small enough to stay in cache) */
  hotRingBytes?: number;
  /** written as one line of DIR/sessions.ndjson (exchange, markets, model, …) */
  session: Record<string, unknown>;
  counters?: Counters;
  /** decide workers whose decisions are logged (one ring each; 0 = no decision log) */
  decideThreads?: number;
  /** market index → ticker (decision records name their market) */
  tickers?: readonly string[];
  onLog(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
}

export interface RecorderSummary {
  feed_records: number;
  event_records: number;
  decision_records: number;
  bytes: number;
  dropped: number;
  write_errors: number;
  segments: string[];
}

/** What `recordAndApply` parses with (FeedApplier). */
export interface FrameBytesApplier {
  applyFrameBytes(frame: Uint8Array, recvMs: number): number;
  applyFrameBytesAt(bytes: Uint8Array, view: DataView, start: number, end: number, recvMs: number): number;
}

export const SESSIONS_FILE = "sessions.ndjson";
/** per decide worker: ~15k decisions of room, drained every ≤ 50 ms */
const DECISION_RING_BYTES = 4 * 2 ** 20;
const DECISION_HOT_BYTES = 64 * 2 ** 10;

/** Receive time in µs whose millisecond part is exactly `recvMs` (the time io used for the frame);
 * the sub-millisecond part comes from the monotonic stamp `stampMs`. */
export function recvMicros(recvMs: number, stampMs: number): number {
  const stampUs = Math.floor(stampMs * 1000);
  // stampUs mod 1000 without a float `%` (a libm call per frame on io)
  return recvMs * 1000 + stampUs - Math.floor(stampUs / 1000) * 1000;
}

export class FeedRecorder {
  private readonly ring: FrameRing;
  /** the FrameRing's records (both regions) as bytes and a DataView, for `recordAndApply` */
  private readonly ringData: Uint8Array;
  private readonly ringView: DataView;
  /** one per decide worker: hand `.shared` to the workers (decision-log.ts) */
  readonly decisionRings: FrameRing[];
  private readonly control: Int32Array;
  private readonly worker: Worker;
  private readonly closed: Promise<RecorderSummary>;
  /** resolves once the writer thread has opened the log (await it before the feed starts) */
  readonly ready: Promise<void>;
  private readonly frames: CounterHandle | undefined;
  private readonly dropped: CounterHandle | undefined;
  private readonly writeErrors: CounterHandle | undefined;
  private readonly recording: GaugeHandle | undefined;
  private droppedSeen = 0;
  private errors = 0;
  /** a microtask is queued to publish this turn's records (and ring a sleeping writer's doorbell) */
  private turnEndQueued = false;

  constructor(private readonly o: RecorderOptions) {
    mkdirSync(o.dir, { recursive: true });
    this.ring = FrameRing.create(o.ringBytes ?? 64 * 2 ** 20, o.hotRingBytes ?? 2 ** 20);
    this.ringData = this.ring.data;
    this.ringView = this.ring.view;
    const control = new SharedArrayBuffer(4);
    this.control = new Int32Array(control);
    const limits = o.limits ?? DEFAULT_SEGMENT_LIMITS;
    appendFileSync(
      join(o.dir, SESSIONS_FILE),
      `${JSON.stringify({ started_us: Math.round(Date.now() * 1000), ...o.session, segment_limits: limits })}\n`,
    );
    this.frames = o.counters?.counter("record_frames");
    this.dropped = o.counters?.counter("record_dropped");
    this.writeErrors = o.counters?.counter("record_write_errors");
    this.recording = o.counters?.gauge("recording");
    this.recording?.set(1);
    this.decisionRings = Array.from({ length: o.decideThreads ?? 0 }, () =>
      FrameRing.create(DECISION_RING_BYTES, DECISION_HOT_BYTES),
    );
    const data: RecorderWorkerData = {
      ring: this.ring.shared,
      control,
      dir: o.dir,
      limits,
      decisionRings: this.decisionRings.map((r) => r.shared),
      tickers: o.tickers ?? [],
    };
    this.worker = new Worker(workerModuleUrl(import.meta.url, "./recorder-worker"), { workerData: data });
    let onReady = (): void => {};
    this.ready = new Promise<void>((resolve) => {
      onReady = resolve;
    });
    this.closed = new Promise((resolve, reject) => {
      this.worker.on("message", (m: RecorderWorkerMessage) => {
        if (m.type === "ready") onReady();
        else if (m.type === "error") this.onWriteError(m.message);
        else
          resolve({
            feed_records: m.feedRecords,
            event_records: m.eventRecords,
            decision_records: m.decisionRecords,
            bytes: m.bytes,
            dropped: this.ring.full + this.ring.tooLarge,
            write_errors: this.errors,
            segments: m.segments,
          });
      });
      this.worker.on("error", (e) => {
        this.onWriteError(`writer thread failed: ${e.message}`);
        onReady(); // recording is off; the engine goes on
        reject(e);
      });
      this.worker.on("exit", () => reject(new Error("recorder writer thread exited before closing")));
    });
    this.closed.catch(() => undefined); // observed by close(); never an unhandled rejection
    o.onLog("info", "recording", { dir: o.dir, segment_limits: limits });
  }

  /** Bytes queued for the writer thread (published or still to be, after this turn) and not yet taken. */
  get queuedBytes(): number {
    return this.ring.usedBytes + this.ring.unpublishedBytes;
  }

  /** io: one raw frame as received (text), before it is parsed. */
  recordFrame(text: string, recvMs: number, stampMs: number, connection: number): void {
    if (this.ring.tryWriteText(frameTag(connection), recvMicros(recvMs, stampMs), text)) this.written();
    else this.countDrop();
  }

  /** io: one raw frame as received (bytes), before it is parsed; true when it was recorded. */
  recordFrameBytes(bytes: Uint8Array, recvMs: number, stampMs: number, connection: number): boolean {
    if (this.ring.tryWrite(frameTag(connection), recvMicros(recvMs, stampMs), bytes)) {
      this.written();
      return true;
    }
    this.countDrop();
    return false;
  }

  /**
   * io: records one raw frame (bytes) and parses it — from its copy in the ring when recorded
   * (one copy of the frame on io, not a second one into the parser's scratch), else from `bytes`.
   * Returns what the applier returns.
   */
  recordAndApply(
    applier: FrameBytesApplier,
    bytes: Uint8Array,
    recvMs: number,
    stampMs: number,
    connection: number,
  ): number {
    if (this.recordFrameBytes(bytes, recvMs, stampMs, connection))
      return applier.applyFrameBytesAt(
        this.ringData,
        this.ringView,
        this.ring.lastStart,
        this.ring.lastEnd,
        recvMs,
      );
    return applier.applyFrameBytes(bytes, recvMs);
  }

  /** io: one encoded engine event (EngineEvent FlatBuffer, schemas/events.fbs). */
  recordEvent(bytes: Uint8Array, tsUs: number): void {
    if (this.ring.tryWrite(RecordTag.engineEvent, tsUs, bytes)) this.scheduleTurnEnd();
    else this.countDrop();
  }

  /** Records io wrote to the ring's overflow region so far (its hot region was full). */
  get overflowRecords(): number {
    return this.ring.overflowRecords;
  }

  /** Doorbells rung so far (at most one per io turn; none while the writer is busy). */
  get doorbells(): number {
    return this.ring.doorbells;
  }

  private written(): void {
    this.frames?.inc();
    this.scheduleTurnEnd();
  }

  /**
   * The records of io's current turn (a socket read delivers several frames in one turn) are
   * published once, after the turn, and a sleeping writer is woken then: a publish per record
   * (a full memory barrier) and a wake-up per record (a syscall) each cost io more than the
   * copy.
   */
  private scheduleTurnEnd(): void {
    if (this.turnEndQueued) return;
    this.turnEndQueued = true;
    queueMicrotask(this.turnEnd);
  }

  private readonly turnEnd = (): void => {
    this.turnEndQueued = false;
    this.ring.publish();
    this.ring.ringDoorbell();
  };

  /** Writes what is queued, closes the segments and stops the writer thread. */
  async close(): Promise<RecorderSummary> {
    this.ring.publish();
    Atomics.store(this.control, 0, 1);
    this.ring.wake();
    try {
      return await this.closed;
    } finally {
      this.recording?.set(0);
      await this.worker.terminate();
    }
  }

  private countDrop(): void {
    if (this.ring.stopped) return; // recording already stopped and said so
    const n = this.ring.full + this.ring.tooLarge;
    this.dropped?.inc(n - this.droppedSeen);
    this.droppedSeen = n;
  }

  private onWriteError(message: string): void {
    this.errors++;
    this.writeErrors?.inc();
    this.recording?.set(0);
    this.o.onLog("error", "RECORDING STOPPED: write to the log failed; trading continues without recording", {
      dir: this.o.dir,
      err: message,
    });
  }
}

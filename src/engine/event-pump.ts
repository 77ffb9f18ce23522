/**
 * EventPump — io's /events stream: the orders thread's events from the EventRing, and io's own
 * (supervision halts, the per-second HOLD count), numbered in one sequence so a client can tell
 * what it missed. Every orders-thread event also goes to the recorder (when recording) and the
 * audit trail.
 *
 * io sleeps on the EventRing (Atomics.waitAsync; the orders thread's commit wakes it) and moves
 * each event to the listeners as soon as it is written; the wait's timeout only bounds how late a
 * stop is noticed.
 */
import type { EngineEvent } from "../events/engine-event.js";
import { decodeEvent } from "../events/event-codec.js";
import type { FeedRecorder } from "../record/recorder.js";
import { nowMs } from "../runtime/clock.js";
import type { BytesRing } from "../shm/bytes-ring.js";
import type { MetricTotal } from "../stats/counters.js";
import type { AuditTrail } from "./audit.js";

/** HOLD decisions are not streamed one by one: their count goes out once per this interval. */
const HOLDS_INTERVAL_MS = 1000;
/** The EventRing wait's timeout: how late a stop is noticed at most. */
const STOP_CHECK_MS = 250;

export interface EventPumpDeps {
  eventRing: BytesRing;
  audit: AuditTrail;
  recorder?: FeedRecorder;
  /** decisions{action=hold} over every decide worker's lane: their count since the last `holds` event goes out each interval */
  holds: MetricTotal;
}

export class EventPump {
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private eventSeq = 0;
  /** decisions{hold} already reported in a `holds` event */
  private holdsReported = 0;
  private pumping = false;
  private holdsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: EventPumpDeps) {}

  /** Adds a /events listener; the returned function removes it. */
  subscribe(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.pumping = true;
    void this.pump();
    this.holdsTimer = setInterval(() => this.reportHolds(), HOLDS_INTERVAL_MS);
    this.holdsTimer.unref();
  }

  /** No more `holds` events (the first step of a shutdown). */
  stopHolds(): void {
    if (this.holdsTimer !== null) clearInterval(this.holdsTimer);
    this.holdsTimer = null;
  }

  /** Stops waiting on the ring (and the HOLD count); `drain` still moves what is left. */
  stop(): void {
    this.stopHolds();
    this.pumping = false;
  }

  /** Sends an event made on io to the audit trail and the listeners, numbered in the same stream. */
  emit(event: EngineEvent): void {
    this.eventSeq++;
    event.seq = this.eventSeq;
    this.d.audit.event(event); // supervision's breaker trip and kill switch are audit records too
    for (const l of this.listeners) l(event);
  }

  /** Moves every orders-thread event in the ring to the recorder, the audit trail and the listeners. */
  drain(): void {
    this.d.eventRing.drain((_tag, bytes) => {
      this.eventSeq++;
      this.d.recorder?.recordEvent(bytes, Math.round(nowMs() * 1000));
      const event = decodeEvent(bytes);
      event.seq = this.eventSeq; // io numbers the stream so a client can tell what it missed
      this.d.audit.event(event);
      if (this.listeners.size === 0) return;
      for (const l of this.listeners) l(event);
    });
  }

  private async pump(): Promise<void> {
    while (this.pumping) {
      await this.d.eventRing.ring.waitForRecordsAsync(STOP_CHECK_MS);
      this.drain();
    }
  }

  private reportHolds(): void {
    const total = this.d.holds.value;
    const count = total - this.holdsReported;
    this.holdsReported = total;
    if (count > 0)
      this.emit({ kind: "holds", seq: 0, tsUs: Date.now() * 1000, count, intervalMs: HOLDS_INTERVAL_MS });
  }
}

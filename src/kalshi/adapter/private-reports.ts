/**
 * io's end of the venue boundary for private frames: a parsed `fill` / `user_order` message, or
 * a `market_lifecycle_v2` settlement of one of our markets, an `order_group_updates` trigger or
 * reset →
 * a normalised report → one fixed-layout FillRing record (report-records.ts). Runs on io; the
 * orders thread only ever reads the records. Every frame that does not become a record is
 * counted by why, never dropped silently.
 */

import type { BytesRing } from "../../shm/bytes-ring.js";
import type { CounterHandle, Counters } from "../../stats/counters.js";
import { PRIVATE_SKIP_REASONS } from "../../stats/engine-metrics.js";
import { tryParseServerMessage } from "../messages.js";
import { ReportRecordWriter } from "./report-records.js";
import { type MarketIndexOf, type NoReport, type PrivateMessage, reportOfMessage } from "./reports.js";

export type SkipReason = NoReport | "unencodable" | "ring_full";

const PRIVATE_KINDS: ReadonlySet<string> = new Set<PrivateMessage["kind"]>([
  "fill",
  "user_order",
  "market_lifecycle_v2",
  "order_group_updates",
]);

/** io's counters of frames that did not become records: `ring_overflows{ring=fill}` and `private_frames_skipped`. */
export function privateSkipCounter(counters: Counters): (reason: SkipReason) => void {
  const overflows = counters.counter("ring_overflows", { ring: "fill" });
  const skipped = new Map<SkipReason, CounterHandle>(
    PRIVATE_SKIP_REASONS.map((reason) => [reason, counters.counter("private_frames_skipped", { reason })]),
  );
  return (reason) => (reason === "ring_full" ? overflows : skipped.get(reason))?.inc();
}

export class PrivateReports {
  private readonly writer: ReportRecordWriter;

  /** `onSkip` hears every frame that did not become a record (io: `privateSkipCounter`). */
  constructor(
    ring: BytesRing,
    private readonly indexOf: MarketIndexOf,
    private readonly onSkip: (reason: SkipReason) => void,
  ) {
    this.writer = new ReportRecordWriter(ring);
  }

  onMessage(msg: PrivateMessage): void {
    const report = reportOfMessage(msg, this.indexOf);
    if (report === null) return;
    const outcome = typeof report === "string" ? report : this.writer.write(report);
    if (outcome !== "ok") this.onSkip(outcome);
  }

  /** A whole text frame (tests and tools that stand in for io); false when it is not a private frame. */
  onFrameText(text: string): boolean {
    const msg = tryParseServerMessage(text);
    if (msg instanceof Error) return false;
    if (!PRIVATE_KINDS.has(msg.kind)) return false;
    this.onMessage(msg as PrivateMessage);
    return true;
  }
}

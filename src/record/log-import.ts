/**
 * `log import`: a capture (docs/capture-format.md) becomes a log — one FeedRecord per capture
 * record, in file order, `recv_us = recv_ms × 1000`, connection 0 (not from a live connection).
 * Malformed capture lines are reported with their line numbers, counted and skipped.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { FeedRecordEncoder } from "../events/feed-log-codec.js";
import { newCaptureReadStats, readCaptureBatches } from "./capture-reader.js";
import { SESSIONS_FILE } from "./recorder.js";
import { DEFAULT_SEGMENT_LIMITS, type SegmentLimits, SegmentWriter } from "./segments.js";

export interface ImportSummary {
  records: number;
  malformed_lines: number;
  segments: string[];
  bytes: number;
}

export async function importCapture(
  capture: string,
  dir: string,
  onMalformed: (lineNo: number, reason: string) => void,
  limits: SegmentLimits = DEFAULT_SEGMENT_LIMITS,
): Promise<ImportSummary> {
  const writer = new SegmentWriter(dir, "feed", limits);
  const encoder = new FeedRecordEncoder(64 * 1024);
  const utf8 = new TextEncoder();
  const stats = newCaptureReadStats();
  appendFileSync(
    join(dir, SESSIONS_FILE),
    `${JSON.stringify({ started_us: Date.now() * 1000, command: "import", capture, segment_limits: limits })}\n`,
  );
  try {
    for await (const batch of readCaptureBatches(capture, { onMalformed, stats })) {
      for (const rec of batch) {
        const recvUs = rec.recvMs * 1000;
        writer.append(encoder.encode(recvUs, utf8.encode(rec.frame), 0), recvUs);
      }
    }
  } finally {
    writer.close();
  }
  return {
    records: writer.records,
    malformed_lines: stats.malformed,
    segments: writer.opened,
    bytes: writer.bytesWritten,
  };
}

/**
 * `log info`: what a log directory holds — segments, time range, frames by message type,
 * markets, connections, sequence gaps, torn tails, engine events by kind. The frames go through
 * the engine's own FeedApplier, so "markets" and "gaps" mean exactly what they mean live.
 */
import { BookTable } from "../book/book-table.js";
import { FeedApplier } from "../book/feed-applier.js";
import { MarketDirectory } from "../book/market-directory.js";
import { decodeEvent } from "../events/event-codec.js";
import { scanLog, scanLogEvents, type TornTail } from "./log-reader.js";
import { listSegments } from "./segments.js";

export interface LogInfo {
  dir: string;
  segments: { feed: number; events: number; bytes: number };
  frames: number;
  first_recv: string | null;
  last_recv: string | null;
  duration_s: number;
  frames_by_type: Record<string, number>;
  markets: number;
  connections: number;
  book_updates: number;
  gaps: number;
  torn_tails: TornTail[];
  events: number;
  events_by_kind: Record<string, number>;
}

const TYPE_KEY = '"type":"';
const decoder = new TextDecoder();

/** The value of the first `"type":"…"` in a frame, or "(none)". */
export function frameType(text: string): string {
  const at = text.indexOf(TYPE_KEY);
  if (at < 0) return "(none)";
  const start = at + TYPE_KEY.length;
  const end = text.indexOf('"', start);
  return end < 0 ? "(none)" : text.slice(start, end);
}

export function logInfo(dir: string, capacity: number): LogInfo {
  const directory = new MarketDirectory(capacity);
  const applier = new FeedApplier(directory, BookTable.create(capacity));
  const byType = new Map<string, number>();
  const connections = new Set<number>();
  let first = -1;
  let last = -1;
  const feed = scanLog(dir, (recvUs, frame, connection) => {
    const text = decoder.decode(frame);
    const type = frameType(text);
    byType.set(type, (byType.get(type) ?? 0) + 1);
    connections.add(connection);
    if (first < 0) first = recvUs;
    last = recvUs;
    applier.applyFrame(text, Math.floor(recvUs / 1000));
  });
  const byKind = new Map<string, number>();
  const events = scanLogEvents(dir, (body) => {
    const kind = decodeEvent(body).kind;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  });
  const iso = (us: number) => (us < 0 ? null : new Date(Math.floor(us / 1000)).toISOString());
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
  return {
    dir,
    segments: {
      feed: feed.segments,
      events: listSegments(dir, "events").length,
      bytes: feed.bytes + events.bytes,
    },
    frames: feed.records,
    first_recv: iso(first),
    last_recv: iso(last),
    duration_s: first < 0 ? 0 : Math.round((last - first) / 1000) / 1000,
    frames_by_type: sorted(byType),
    markets: directory.size,
    connections: connections.size,
    book_updates: applier.stats.applied,
    gaps: applier.stats.gaps,
    torn_tails: [...feed.tornTails, ...events.tornTails],
    events: events.records,
    events_by_kind: sorted(byKind),
  };
}

/**
 * IoFeed — the io thread's frame path (docs/architecture.md, io): every received text frame, from the
 * Kalshi WebSocket or the paper exchange (as bytes, `onFrameBytes`) or `/ingest` (text,
 * `onFrame`), goes through:
 *
 *   FeedApplier (scan + BookTable) → on an applied update: TemporalTable advance (FeatureState)
 *   and dispatcher.markDirty → on a gap / negative level: get_snapshot through the connection's
 *   FeedSubscriptions → other frames: subscription replies back through FeedSubscriptions; fill,
 *   user_order, lifecycle and order-group frames parsed once into FillRing report records for
 *   the orders thread (kalshi/adapter/private-reports.ts).
 *
 * One direction: the WS client emits frames and this feed consumes them; the only way back is the
 * narrow FeedSubscriptions given at construction (absent when frames come only from /ingest or a
 * replay). io never waits on a worker here: markDirty is O(1), the ring write is non-blocking.
 */
import type { BookTable } from "../book/book-table.js";
import { FeedApplier, type FeedStats, SEQ_INGEST, SEQ_LIVE, type UpdateKind } from "../book/feed-applier.js";
import type { MarketDirectory } from "../book/market-directory.js";
import type { DecisionDispatcher } from "../decide/dispatcher.js";
import type { FeatureState } from "../features/feature-state.js";
import { PrivateReports, privateSkipCounter } from "../kalshi/adapter/private-reports.js";
import { tryParseServerMessage } from "../kalshi/messages.js";
import { formatTicks } from "../kalshi/units.js";
import type { FeedSubscriptions } from "../kalshi/ws-client.js";
import type { FeedRecorder } from "../record/recorder.js";
import { nowMs } from "../runtime/clock.js";
import type { BytesRing } from "../shm/bytes-ring.js";
import type { CounterHandle, Counters, GaugeHandle } from "../stats/counters.js";
import { FEED_REJECT_REASONS } from "../stats/engine-metrics.js";
import type { StageHistograms } from "../stats/stage-histograms.js";
import { Stage } from "../stats/stages.js";

const FEED_REJECT_COUNT: Readonly<Record<(typeof FEED_REJECT_REASONS)[number], (s: FeedStats) => number>> = {
  malformed: (s) => s.malformed,
  invalid_price: (s) => s.rejected.invalidPrice,
  // deltas refused plus snapshot levels skipped because the price is off the market's grid
  off_grid: (s) => s.rejected.offGrid + s.offGridLevels,
  invalid_count: (s) => s.rejected.invalidCount,
  invalid_side: (s) => s.rejected.invalidSide,
  no_snapshot: (s) => s.rejected.noSnapshot,
  stale: (s) => s.rejected.stale,
  negative_level: (s) => s.rejected.negativeLevel,
  capacity: (s) => s.rejected.capacity,
};

/** Off-grid refusals are logged at most this often (each is counted in feed_rejects{off_grid}). */
const OFF_GRID_LOG_MS = 10_000;

export interface IoFeedDeps {
  directory: MarketDirectory;
  book: BookTable;
  features: FeatureState;
  dispatcher: DecisionDispatcher;
  /** venue reports (fills, order statuses) to the orders thread, as FillRing records */
  privateRing: BytesRing;
  histograms: StageHistograms;
  counters: Counters;
  /** `run --record`: every raw frame goes to the recorder before it is parsed */
  recorder?: FeedRecorder;
  /** the live connection's way back: subscription replies, snapshot requests (absent: no connection) */
  subscriptions?: FeedSubscriptions;
  onLog?(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
}

export class IoFeed {
  readonly applier: FeedApplier;
  private readonly frames: CounterHandle;
  private readonly bookUpdates: CounterHandle;
  private readonly gaps: CounterHandle;
  private readonly resnapshots: CounterHandle;
  private readonly staleMarkets: GaugeHandle;
  private readonly privateReports: PrivateReports;
  private readonly rejects: Array<[CounterHandle, (s: FeedStats) => number]>;
  private readonly skippedLevels: CounterHandle;
  private staleCount = 0;
  private gapsSeen = 0;
  /** off-grid refusals not yet logged, and when the last log line went out */
  private offGridUnlogged = 0;
  private offGridLoggedMs = -Infinity;

  constructor(private readonly deps: IoFeedDeps) {
    const c = deps.counters;
    this.frames = c.counter("frames");
    this.bookUpdates = c.counter("book_updates");
    this.gaps = c.counter("gaps");
    this.resnapshots = c.counter("resnapshots");
    this.staleMarkets = c.gauge("stale_markets");
    this.privateReports = new PrivateReports(
      deps.privateRing,
      (ticker) => deps.directory.indexOf(ticker),
      privateSkipCounter(c),
    );
    this.rejects = FEED_REJECT_REASONS.map((reason) => [
      c.counter("feed_rejects", { reason }),
      FEED_REJECT_COUNT[reason],
    ]);
    this.skippedLevels = c.counter("feed_skipped_levels");
    this.applier = new FeedApplier(
      deps.directory,
      deps.book,
      {
        onApplied: (m, kind) => this.onApplied(m, kind),
        onStale: () => {
          this.staleCount++;
          this.staleMarkets.set(this.staleCount);
        },
        onResnapshotNeeded: (sid, markets) => this.onResnapshotNeeded(sid, markets),
        onOtherFrame: (text) => this.onOtherFrame(text),
        onOffGrid: (m, priceTicks) => this.onOffGrid(m, priceTicks),
      },
      deps.features,
    );
  }

  /** One received text frame. `recvMs` = wall-clock receive time (integer ms). */
  onFrame(text: string, recvMs: number): void {
    this.onFrameIn(text, recvMs, SEQ_LIVE);
  }

  private onFrameIn(text: string, recvMs: number, space: number): void {
    const t0 = this.frameBegin();
    this.deps.recorder?.recordFrame(text, recvMs, t0, this.deps.subscriptions?.connection ?? 0);
    this.applier.applyFrame(text, recvMs, space);
    this.deps.histograms.record(Stage.parse_apply, (nowMs() - t0) * 1e6);
  }

  /** The FeedApplier's reject counts into the shared metrics (io owns both; called by /stats). */
  syncCounters(): void {
    const stats = this.applier.stats;
    for (const [handle, count] of this.rejects) handle.advanceTo(count(stats));
    this.skippedLevels.advanceTo(stats.skippedLevels);
  }

  /** A frame injected through /ingest: applied like a live one, sequenced in its own space. */
  onIngestFrame(text: string, recvMs: number): void {
    this.onFrameIn(text, recvMs, SEQ_INGEST);
  }

  /**
   * One received text frame as the WebSocket's bytes (UTF-8): Kalshi's delta layout is read from
   * the bytes without decoding them (FeedApplier.applyFrameBytes).
   */
  onFrameBytes(data: Uint8Array, recvMs: number): void {
    const t0 = this.frameBegin();
    // the recorder keeps the raw bytes, before they are parsed (and parses them from its copy)
    const rec = this.deps.recorder;
    if (rec) rec.recordAndApply(this.applier, data, recvMs, t0, this.deps.subscriptions?.connection ?? 0);
    else this.applier.applyFrameBytes(data, recvMs);
    this.deps.histograms.record(Stage.parse_apply, (nowMs() - t0) * 1e6);
  }

  /** The frame's receive stamp (clock.ts), handed to the dispatcher; counts the frame. */
  private frameBegin(): number {
    const t0 = nowMs();
    this.deps.dispatcher.frameStamp[0] = t0;
    this.frames.inc();
    return t0;
  }

  /** After a reconnect every book is stale until its fresh snapshot (kalshi-api-notes.md). */
  onDisconnected(): void {
    this.applier.onReconnect();
  }

  private onApplied(m: number, kind: UpdateKind): void {
    this.bookUpdates.inc();
    if (kind === "snapshot" && this.staleCount > 0) this.recountStale();
    this.deps.dispatcher.markDirtyNow(m);
  }

  /** Counted by the applier (feed_rejects{off_grid}); logged at most once per OFF_GRID_LOG_MS. */
  private onOffGrid(m: number, priceTicks: number): void {
    this.offGridUnlogged++;
    const now = Date.now();
    if (now - this.offGridLoggedMs < OFF_GRID_LOG_MS) return;
    this.deps.onLog?.("warn", "book price off the market's price_ranges grid; refused", {
      market: this.deps.directory.tickerOf(m),
      price: formatTicks(priceTicks),
      refused_since_last_log: this.offGridUnlogged,
    });
    this.offGridUnlogged = 0;
    this.offGridLoggedMs = now;
  }

  private recountStale(): void {
    let n = 0;
    for (let m = 0; m < this.deps.directory.size; m++) if (this.deps.book.isStale(m)) n++;
    this.staleCount = n;
    this.staleMarkets.set(n);
  }

  private onResnapshotNeeded(sid: number, markets: number[]): void {
    const gaps = this.applier.stats.gaps;
    if (gaps > this.gapsSeen) {
      this.gaps.inc(gaps - this.gapsSeen);
      this.gapsSeen = gaps;
    }
    const subscriptions = this.deps.subscriptions;
    if (subscriptions === undefined || sid < 0) return;
    this.resnapshots.inc();
    subscriptions.requestSnapshot(
      sid,
      markets.map((m) => this.deps.directory.tickerOf(m)),
    );
  }

  private onOtherFrame(text: string): void {
    const msg = tryParseServerMessage(text);
    if (msg instanceof Error) {
      this.deps.onLog?.("warn", "unparseable feed frame", { reason: msg.message });
      return;
    }
    if (this.deps.subscriptions?.handleReply(msg)) return;
    switch (msg.kind) {
      case "fill":
      case "user_order":
      case "market_lifecycle_v2":
      case "order_group_updates":
        this.privateReports.onMessage(msg);
        return;
      default:
        return;
    }
  }
}

/**
 * Replay pipeline (cold-path driver, runs wherever it is constructed — CLI, tests, benches):
 * capture frames → FeedApplier.applyFrame → on every applied update FeatureState.advanceInWrite
 * (TemporalTable.advance) → if the market is observed, ObservationBuilder.build.
 *
 * This is the live io path (observation-v1.md §1: replay and live give identical observations):
 * the same applier, the same FeatureState, the same builder over the same shared tables.
 */
import { BookTable } from "../book/book-table.js";
import { FeedApplier, type UpdateKind } from "../book/feed-applier.js";
import type { MarketDirectory } from "../book/market-directory.js";
import { TemporalTable } from "../book/temporal-table.js";
import { FeatureState } from "./feature-state.js";
import { OBSERVATION_SIZE } from "./names.js";
import { ObservationBuilder } from "./observation.js";
import type { PortfolioReader } from "./portfolio-reader.js";

/**
 * Receives one observation. `row` is reused for the next update: copy it if you keep it.
 * `effectiveMs` is the update's effective time (§3.5), `seq` the envelope seq of its frame
 * (NaN when absent).
 */
export type ObservationSink = (
  m: number,
  row: Float32Array,
  effectiveMs: number,
  recvMs: number,
  seq: number,
  kind: UpdateKind,
) => void;

export interface ReplaySessionOptions {
  /** shared by the applier and the portfolio (markets named only in the portfolio get an index) */
  directory: MarketDirectory;
  portfolio: PortfolioReader;
  /** which markets get an observation (default: every market) */
  observe?: (m: number) => boolean;
  onObservation?: ObservationSink;
}

export class ReplaySession {
  readonly directory: MarketDirectory;
  readonly book: BookTable;
  readonly temporal: TemporalTable;
  readonly featureState: FeatureState;
  readonly builder: ObservationBuilder;
  readonly applier: FeedApplier;
  readonly row = new Float32Array(OBSERVATION_SIZE);
  /** applied updates seen / observations emitted */
  appliedUpdates = 0;
  observations = 0;

  constructor(options: ReplaySessionOptions) {
    const capacity = options.directory.capacity;
    this.directory = options.directory;
    this.book = BookTable.create(capacity);
    this.temporal = TemporalTable.create(capacity);
    this.featureState = new FeatureState(this.book, this.temporal);
    this.builder = new ObservationBuilder({
      book: this.book,
      temporal: this.temporal,
      portfolio: options.portfolio,
    });
    const observe = options.observe ?? (() => true);
    const sink = options.onObservation;
    this.applier = new FeedApplier(
      this.directory,
      this.book,
      {
        onApplied: (m, kind) => {
          const recvMs = this.applier.updateRecvMs;
          this.appliedUpdates++;
          if (sink === undefined || !observe(m)) return;
          this.builder.build(m, this.row, 0);
          this.observations++;
          sink(m, this.row, this.builder.lastEffectiveMs, recvMs, this.book.lastSeq(m), kind);
        },
      },
      this.featureState,
    );
  }

  applyFrame(frame: string, recvMs: number): void {
    this.applier.applyFrame(frame, recvMs);
  }
}

/** Feeds every frame of an async source (e.g. `readCapture(path)`) to the session, in order. */
export async function replayFrames(
  frames: AsyncIterable<{ recvMs: number; frame: string }>,
  session: ReplaySession,
): Promise<void> {
  for await (const { recvMs, frame } of frames) session.applyFrame(frame, recvMs);
}

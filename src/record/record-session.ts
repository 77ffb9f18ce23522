/**
 * RecordSession — `kalshi-engine record`: data collection without trading. The feed connection
 * (KalshiWsClient) over thousands of markets, every raw frame into the recorder, and just enough
 * of the io path to keep the feed whole: the FeedApplier tracks `seq` per sid so a gap requests
 * fresh snapshots (a recording with holes is worth less for training), and subscription replies go
 * back to the client. No decide workers, no orders thread, no REST writes.
 */
import type { KeyObject } from "node:crypto";
import { BookTable } from "../book/book-table.js";
import { FeedApplier } from "../book/feed-applier.js";
import { MarketDirectory } from "../book/market-directory.js";
import { tryParseServerMessage } from "../kalshi/messages.js";
import { KalshiWsClient } from "../kalshi/ws-client.js";
import { nowMs } from "../runtime/clock.js";
import { FeedRecorder, type RecorderSummary } from "./recorder.js";
import type { SegmentLimits } from "./segments.js";

export interface RecordSessionOptions {
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
  tickers: readonly string[];
  dir: string;
  limits?: SegmentLimits;
  session: Record<string, unknown>;
  onLog(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
}

export interface RecordSessionSummary {
  frames: number;
  book_updates: number;
  gaps: number;
  resnapshots: number;
  reconnects: number;
  recording: RecorderSummary;
}

export class RecordSession {
  frames = 0;
  resnapshots = 0;
  private constructor(
    private readonly recorder: FeedRecorder,
    private readonly applier: FeedApplier,
    private readonly client: KalshiWsClient,
  ) {}

  static async start(o: RecordSessionOptions): Promise<RecordSession> {
    const recorder = new FeedRecorder({ dir: o.dir, limits: o.limits, session: o.session, onLog: o.onLog });
    await recorder.ready;
    const directory = new MarketDirectory(o.tickers.length);
    for (const t of o.tickers) directory.ensure(t);
    let session: RecordSession | null = null;
    const applier = new FeedApplier(directory, BookTable.create(o.tickers.length), {
      onResnapshotNeeded: (sid, markets) => {
        if (!session || sid < 0) return;
        session.resnapshots++;
        client.requestSnapshot(
          sid,
          markets.map((m) => directory.tickerOf(m)),
        );
      },
      onOtherFrame: (text) => {
        const msg = tryParseServerMessage(text);
        if (!(msg instanceof Error)) client.handleReply(msg);
      },
    });
    const client = new KalshiWsClient(
      { url: o.wsUrl, keyId: o.keyId, privateKey: o.privateKey, markets: o.tickers },
      {
        onFrame: (data, recvMs) => {
          if (session) session.frames++;
          recorder.recordAndApply(applier, data, recvMs, nowMs(), client.connection);
        },
        onDisconnected: (code, reason) => {
          applier.onReconnect();
          o.onLog("warn", "feed disconnected", { code, reason });
        },
        onLog: o.onLog,
      },
    );
    session = new RecordSession(recorder, applier, client);
    client.start();
    return session;
  }

  status(): Record<string, number> {
    return {
      frames: this.frames,
      book_updates: this.applier.stats.applied,
      gaps: this.applier.stats.gaps,
      resnapshots: this.resnapshots,
      reconnects: this.client.counters.reconnects,
    };
  }

  async stop(): Promise<RecordSessionSummary> {
    await this.client.close();
    const recording = await this.recorder.close();
    const s = this.status();
    return {
      frames: s.frames ?? 0,
      book_updates: s.book_updates ?? 0,
      gaps: s.gaps ?? 0,
      resnapshots: s.resnapshots ?? 0,
      reconnects: s.reconnects ?? 0,
      recording,
    };
  }
}

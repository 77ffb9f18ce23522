/**
 * FeedApplier — turns WebSocket text frames into BookTable updates (io thread, the only writer of
 * BookTable).
 *
 * Implements observation-v1.md §3 to the letter and correctness-rules.md rules 1–6:
 * - a snapshot replaces both sides and ends staleness; a delta adds a signed change in exact
 *   integer hundredths;
 * - a delta is ignored (and counted) when its side/price/change is invalid, its price is off the
 *   market's grid (its `price_ranges`; BookTable.assignGrid), its market has had no snapshot, or
 *   its market is stale; a snapshot level off the grid is skipped and counted — never rounded; a delta that would drive a level below zero changes nothing
 *   and marks the market stale (out of sync);
 * - a `seq` gap on a sid marks stale every market whose latest book message came on that sid, and
 *   the message's own market, and asks for fresh snapshots;
 * - each frame is applied exactly once, and only applied updates reach the listener;
 * - frames injected through /ingest (`SEQ_INGEST`) are sequenced apart from the live feed: their
 *   sids are stored as `-2 - sid`, so an injected frame can neither break a live sid's sequence
 *   nor mark the live sid's markets stale, and no snapshot is requested from the live connection
 *   for them.
 * The hot path (a valid delta) allocates nothing.
 */
import { FRAME_DELTA, FRAME_MALFORMED, FRAME_OTHER, FrameScanner } from "../kalshi/frame-scanner.js";
import { PriceGrid } from "../kalshi/price-grid.js";
import { type BookTable, MAX_LEVEL_HUNDREDTHS, type Side } from "./book-table.js";
import type { MarketDirectory } from "./market-directory.js";
import { SeqTracker } from "./seq-tracker.js";

export type UpdateKind = "snapshot" | "delta";

/** Sequence spaces: the live connection's, and /ingest's own. */
export const SEQ_LIVE = 0;
export const SEQ_INGEST = 1;

export interface FeedListener {
  /**
   * After every APPLIED update; the BookTable already holds the new book. The update's times are
   * on the applier (`updateTsMs` = T of §3.5, `updateRecvMs`), not arguments: a double argument to
   * a listener V8 does not inline is boxed, one allocation per update.
   */
  onApplied?(m: number, kind: UpdateKind): void;
  /** A market became stale (out of sync). */
  onStale?(m: number): void;
  /** Fresh snapshots are needed for these markets of `sid` (gap or negative level). */
  onResnapshotNeeded?(sid: number, markets: number[]): void;
  /**
   * A price valid as a price (1..9999 ticks) but not on market m's grid: a delta (`level` false)
   * or a snapshot level was refused. Counted in `stats`; the listener logs it (rate-limited).
   */
  onOffGrid?(m: number, priceTicks: number): void;
  /** A valid JSON frame that is not a book message (subscribed, ok, fill, ticker, …). */
  onOtherFrame?(text: string, recvMs: number): void;
  /** A frame that is not valid JSON. */
  onMalformed?(text: string, recvMs: number): void;
}

/**
 * State derived from the book that must publish with it (FeatureState: the temporal features):
 * advanced by the applier inside each applied update's write section. It must not throw, await or
 * do I/O (readers spin while the section is open).
 */
export interface InWriteAdvancer {
  advanceInWrite(m: number, applier: { readonly updateTsMs: number }): void;
}

export interface RejectCounts {
  invalidPrice: number;
  /** deltas whose price is not on the market's grid */
  offGrid: number;
  invalidCount: number;
  invalidSide: number;
  noSnapshot: number;
  stale: number;
  negativeLevel: number;
  capacity: number;
}

export class FeedStats {
  frames = 0;
  malformed = 0;
  other = 0;
  bookMessages = 0;
  applied = 0;
  snapshots = 0;
  deltas = 0;
  gaps = 0;
  skippedLevels = 0;
  /** snapshot levels skipped because their price is off the market's grid (also in skippedLevels) */
  offGridLevels = 0;
  readonly rejected: RejectCounts = {
    invalidPrice: 0,
    offGrid: 0,
    invalidCount: 0,
    invalidSide: 0,
    noSnapshot: 0,
    stale: 0,
    negativeLevel: 0,
    capacity: 0,
  };

  get rejectedTotal(): number {
    const r = this.rejected;
    return (
      r.invalidPrice +
      r.offGrid +
      r.invalidCount +
      r.invalidSide +
      r.noSnapshot +
      r.stale +
      r.negativeLevel +
      r.capacity
    );
  }
}

export const APPLIED = 1;
export const IGNORED = 0;

export class FeedApplier {
  readonly stats = new FeedStats();
  readonly scanner = new FrameScanner();
  private readonly seq = new SeqTracker();
  private readonly ingestSeq = new SeqTracker();

  constructor(
    private readonly directory: MarketDirectory,
    private readonly book: BookTable,
    private readonly listener: FeedListener = {},
    private readonly features: InWriteAdvancer | null = null,
  ) {}

  /** Market index of the last book message (−1 if none / over capacity). */
  lastMarket = -1;
  /** T (observation-v1.md §3.5) and receive time of the update being applied */
  updateTsMs = 0;
  updateRecvMs = 0;

  /**
   * Applies one frame. Returns APPLIED when it produced an applied update, IGNORED otherwise
   * (malformed, not a book message, or a rejected update; see `stats`).
   */
  applyFrame(text: string, recvMs: number, space: number = SEQ_LIVE): number {
    this.stats.frames++;
    this.lastMarket = -1;
    return this.applyScanned(this.scanner.scan(text), recvMs, space);
  }

  /**
   * `applyFrame` for a frame as the WebSocket delivered it (UTF-8 bytes): Kalshi's delta layout is
   * read from the bytes, anything else is decoded once and read as text (FrameScanner.scanBytes).
   */
  applyFrameBytes(frame: Uint8Array, recvMs: number, space: number = SEQ_LIVE): number {
    this.stats.frames++;
    this.lastMarket = -1;
    return this.applyScanned(this.scanner.scanBytes(frame), recvMs, space);
  }

  /**
   * `applyFrameBytes` for a frame read in place at bytes[start, end), 4 zero bytes after it
   * (FrameScanner.scanBytesAt): a frame io has just recorded is parsed from its FrameRing record.
   */
  applyFrameBytesAt(bytes: Uint8Array, view: DataView, start: number, end: number, recvMs: number): number {
    this.stats.frames++;
    this.lastMarket = -1;
    return this.applyScanned(this.scanner.scanBytesAt(bytes, view, start, end), recvMs, SEQ_LIVE);
  }

  private applyScanned(kind: number, recvMs: number, space: number): number {
    const sc = this.scanner;
    if (kind === FRAME_MALFORMED) {
      this.stats.malformed++;
      this.listener.onMalformed?.(sc.frameText, recvMs);
      return IGNORED;
    }
    if (kind === FRAME_OTHER) {
      this.stats.other++;
      this.listener.onOtherFrame?.(sc.frameText, recvMs);
      return IGNORED;
    }
    let m: number;
    if (sc.fromBytes) {
      const b = sc.bytes;
      m = this.directory.indexOfBytes(b.view, sc.tickerStart, sc.tickerEnd, b.tickerHash);
      // first sight of a ticker (validated printable ASCII): adopted on the cold path
      if (m < 0) m = this.directory.ensure(sc.tickerString());
    } else if (sc.tickerDecoded !== null) m = this.directory.ensure(sc.tickerDecoded);
    else {
      const text = sc.frameText;
      m = this.directory.indexOfRange(text, sc.tickerStart, sc.tickerEnd);
      if (m < 0) {
        // A ticker seen for the first time is checked before it is adopted (frame-scanner.ts).
        if (!sc.tickerVerified && !sc.verifyTicker()) {
          this.stats.malformed++;
          this.listener.onMalformed?.(text, recvMs);
          return IGNORED;
        }
        m = this.directory.ensureRange(text, sc.tickerStart, sc.tickerEnd);
      }
    }
    this.stats.bookMessages++;
    if (m >= this.book.capacity) throw new Error("MarketDirectory capacity exceeds BookTable capacity");
    // A market first met in the feed, without `price_ranges`, gets every $0.0001 price, if the
    // book has room for it; otherwise it is over capacity like a market without an index.
    if (m >= 0 && this.book.gridSlot(m) < 0 && !this.book.assignGrid(m, PriceGrid.full())) m = -1;
    this.lastMarket = m;

    const sid = space === SEQ_LIVE || !Number.isInteger(sc.sid) ? sc.sid : -2 - sc.sid;
    const seq = sc.seq;
    if ((space === SEQ_LIVE ? this.seq : this.ingestSeq).observe(sid, seq)) this.onGap(sid, m);
    if (m < 0) {
      this.stats.rejected.capacity++;
      return IGNORED;
    }
    // Epoch-ms doubles travel in fields, never through a value that may be a small integer or a
    // double: V8 would box the merged value (a heap allocation per frame; measured 16 B/frame).
    this.updateTsMs = sc.tsMs;
    if (Number.isNaN(this.updateTsMs)) this.updateTsMs = recvMs;
    this.updateRecvMs = recvMs;
    return kind === FRAME_DELTA ? this.applyDelta(m, sid, seq) : this.applySnapshot(m, sid, seq);
  }

  /** A new connection: every sid starts again and no book survives until its fresh snapshot. */
  onReconnect(): void {
    this.seq.reset();
    for (let m = 0; m < this.directory.size; m++) this.makeStale(m);
  }

  private applySnapshot(m: number, sid: number, seq: number): number {
    const tsMs = this.updateTsMs;
    const recvMs = this.updateRecvMs;
    const sc = this.scanner;
    const book = this.book;
    let offGrid = 0;
    book.writeBegin(m);
    book.clearBook(m);
    for (let k = 0; k < sc.yesCount; k++) {
      const t = sc.yesTicks[k];
      const l = book.levelOf(m, t);
      if (l >= 0) book.setLevel(m, 0, t, l, sc.yesSizes[k]);
      else offGrid++;
    }
    for (let k = 0; k < sc.noCount; k++) {
      const t = sc.noTicks[k];
      const l = book.levelOf(m, t);
      if (l >= 0) book.setLevel(m, 1, t, l, sc.noSizes[k]);
      else offGrid++;
    }
    book.setSnapshotFlags(m);
    this.setSidSeq(m, sid, seq);
    book.markApplied(m, tsMs, recvMs);
    this.features?.advanceInWrite(m, this);
    book.writeEnd(m);
    this.stats.skippedLevels += sc.skippedLevels + offGrid;
    if (offGrid > 0) this.reportOffGridLevels(m, offGrid);
    this.stats.snapshots++;
    this.stats.applied++;
    this.listener.onApplied?.(m, "snapshot");
    return APPLIED;
  }

  private applyDelta(m: number, sid: number, seq: number): number {
    const tsMs = this.updateTsMs;
    const recvMs = this.updateRecvMs;
    const sc = this.scanner;
    const book = this.book;
    const r = this.stats.rejected;
    const side = sc.side;
    const tick = sc.priceTicks;
    const change = sc.deltaHundredths;
    let reject = true;
    if (side < 0) r.invalidSide++;
    else if (Number.isNaN(tick)) r.invalidPrice++;
    else if (Number.isNaN(change)) r.invalidCount++;
    else if (!book.hasSnapshot(m)) r.noSnapshot++;
    else if (book.isStale(m)) r.stale++;
    else reject = false;
    if (reject) {
      this.recordSidSeq(m, sid, seq);
      return IGNORED;
    }
    const level = book.levelOf(m, tick);
    if (level < 0) {
      r.offGrid++;
      this.recordSidSeq(m, sid, seq);
      this.listener.onOffGrid?.(m, tick);
      return IGNORED;
    }
    const next = book.sizeAfterDelta(m, side as Side, level, change);
    if (next < 0) {
      r.negativeLevel++;
      this.recordSidSeq(m, sid, seq);
      this.makeStale(m);
      this.listener.onResnapshotNeeded?.(Number.isInteger(sid) ? sid : -1, [m]);
      return IGNORED;
    }
    if (next > MAX_LEVEL_HUNDREDTHS) {
      r.invalidCount++;
      this.recordSidSeq(m, sid, seq);
      return IGNORED;
    }
    book.writeBegin(m);
    book.addDelta(m, side as Side, tick, level, change);
    this.setSidSeq(m, sid, seq);
    book.markApplied(m, tsMs, recvMs);
    this.features?.advanceInWrite(m, this);
    book.writeEnd(m);
    this.stats.deltas++;
    this.stats.applied++;
    this.listener.onApplied?.(m, "delta");
    return APPLIED;
  }

  /** Off-grid snapshot levels: counted, and each refused price told to the listener (it rate-limits its log). */
  private reportOffGridLevels(m: number, count: number): void {
    this.stats.offGridLevels += count;
    const sc = this.scanner;
    for (let k = 0; k < sc.yesCount; k++)
      if (this.book.levelOf(m, sc.yesTicks[k]) < 0) this.listener.onOffGrid?.(m, sc.yesTicks[k]);
    for (let k = 0; k < sc.noCount; k++)
      if (this.book.levelOf(m, sc.noTicks[k]) < 0) this.listener.onOffGrid?.(m, sc.noTicks[k]);
  }

  private setSidSeq(m: number, sid: number, seq: number): void {
    if (Number.isInteger(sid))
      this.book.setSidSeq(m, sid, Number.isInteger(seq) ? seq : this.book.lastSeq(m));
  }

  /** sid/seq bookkeeping for a message that did not change the book (its own write section). */
  private recordSidSeq(m: number, sid: number, seq: number): void {
    if (!Number.isInteger(sid)) return;
    this.book.writeBegin(m);
    this.setSidSeq(m, sid, seq);
    this.book.writeEnd(m);
  }

  private makeStale(m: number): void {
    if (this.book.isStale(m)) return;
    this.book.markStale(m);
    this.listener.onStale?.(m);
  }

  private onGap(sid: number, own: number): void {
    this.stats.gaps++;
    const affected: number[] = [];
    for (let m = 0; m < this.directory.size; m++) {
      if (m === own || this.book.sid(m) === sid) {
        affected.push(m);
        this.makeStale(m);
      }
    }
    if (own >= 0 && !affected.includes(own)) {
      affected.push(own);
      this.makeStale(own);
    }
    this.listener.onResnapshotNeeded?.(sid, affected);
  }
}

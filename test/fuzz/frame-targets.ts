/**
 * Every parser a received frame can reach, behind one call (tests and `make fuzz` only):
 * the book path (FeedApplier = FrameScanner + BookTable) from text, from the WebSocket's bytes
 * (the byte template fast path) and from a recorded frame's copy in the recorder's FrameRing (the
 * same template reading in place), the typed message parser io uses for
 * every other frame, and the capture-line reader. `check` returns why a frame broke a rule, or null.
 */
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { FRAME_MALFORMED, FrameScanner } from "../../src/kalshi/frame-scanner.js";
import { tryParseServerMessage } from "../../src/kalshi/messages.js";
import { parseCaptureLine } from "../../src/record/capture-reader.js";
import { FrameRing } from "../../src/record/frame-ring.js";

const MARKETS = 64;

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** No lone surrogate (String#isWellFormed, which Node 20's TypeScript lib does not declare). */
function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

function blankControlChars(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  return s.replace(/[\u0000-\u001f]/g, " ");
}

export class FrameTargets {
  private scanner = new FrameScanner();
  private directory = new MarketDirectory(MARKETS);
  private applier = new FeedApplier(this.directory, BookTable.create(MARKETS));
  private byteDirectory = new MarketDirectory(MARKETS);
  private byteApplier = new FeedApplier(this.byteDirectory, BookTable.create(MARKETS));
  private byteScanner = new FrameScanner();
  private ringDirectory = new MarketDirectory(MARKETS);
  private ringApplier = new FeedApplier(this.ringDirectory, BookTable.create(MARKETS));
  /** as io records a frame and parses it there; a consumer releases the records when it is full */
  private readonly ring = FrameRing.create(1 << 20, 1 << 16);
  private readonly ringConsumer = FrameRing.attach(this.ring.shared);
  private readonly encoder = new TextEncoder();
  private framesSinceReset = 0;
  recvMs = 1;

  /**
   * Runs the frame through every target; a thrown error propagates (a bug the caller reports).
   * `deep` adds the costlier checks (the cold-path parsers and agreement with JSON.parse, whose
   * exceptions cost microseconds each); the hand-written scanners run on every frame.
   */
  check(text: string, deep = true): string | null {
    // Fresh books now and then, so mutated tickers do not leave the directory full for the rest.
    if (++this.framesSinceReset === 10_000) {
      this.framesSinceReset = 0;
      this.directory = new MarketDirectory(MARKETS);
      this.applier = new FeedApplier(this.directory, BookTable.create(MARKETS));
      this.byteDirectory = new MarketDirectory(MARKETS);
      this.byteApplier = new FeedApplier(this.byteDirectory, BookTable.create(MARKETS));
      this.ringDirectory = new MarketDirectory(MARKETS);
      this.ringApplier = new FeedApplier(this.ringDirectory, BookTable.create(MARKETS));
    }
    // A WebSocket delivers UTF-8, which cannot carry a lone surrogate: such text has no byte form
    // (its encoding would be another frame), so it goes through the text scanner alone.
    if (!wellFormed(text)) {
      this.scanner.scan(text);
      this.recvMs++;
    } else {
      const bytes = this.encoder.encode(text);
      const fromText = this.applier.applyFrame(text, this.recvMs);
      if (this.byteApplier.applyFrameBytes(bytes, this.recvMs) !== fromText) {
        return "the byte path applies differently from the text path";
      }
      // as io records a frame and parses it there (the ring is drained only when full)
      const ring = this.ring;
      let recorded = ring.tryWrite(1, 0, bytes);
      if (!recorded) {
        ring.publish();
        this.ringConsumer.drain(() => {});
        recorded = ring.tryWrite(1, 0, bytes);
      }
      if (
        recorded &&
        this.ringApplier.applyFrameBytesAt(
          ring.data,
          ring.view,
          ring.lastStart,
          ring.lastEnd,
          this.recvMs,
        ) !== fromText
      )
        return "a recorded frame parsed in its ring record applies differently from its text";
      this.recvMs++;
      if (deep && this.byteScanner.scanBytes(bytes) !== this.scanner.scan(text)) {
        return "the byte scanner reads a different kind of frame than the text scanner";
      }
    }
    if (!deep) return null;

    const line = parseCaptureLine(`{"recv_ms":${this.recvMs},"frame":${JSON.stringify(text)}}`, 1);
    if (line === null || typeof line === "string" || line.frame !== text)
      return "capture line did not round-trip";
    parseCaptureLine(text, 1);
    const parsed = tryParseServerMessage(text);
    const kind = this.scanner.scan(text);
    const valid = parses(text);
    if (valid && kind === FRAME_MALFORMED) return "scanner rejects a frame JSON.parse accepts";
    if (valid && parsed instanceof Error && parsed.reason === "not_json") {
      return "message parser calls valid JSON not JSON";
    }
    // The one documented leniency (frame-scanner.ts, "Exactness"): a raw control character inside
    // a string the scanner does not read. Without control characters the two must agree.
    if (!valid && kind !== FRAME_MALFORMED && !parses(blankControlChars(text))) {
      return "scanner accepts a frame JSON.parse rejects";
    }
    return null;
  }
}

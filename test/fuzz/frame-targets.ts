/**
 * Every parser a received frame can reach, behind one call (tests and `make fuzz` only):
 * the book path (FeedApplier = FrameScanner + BookTable), the typed message parser io uses for
 * every other frame, and the capture-line reader. `check` returns why a frame broke a rule, or null.
 */
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { FRAME_MALFORMED, FrameScanner } from "../../src/kalshi/frame-scanner.js";
import { tryParseServerMessage } from "../../src/kalshi/messages.js";
import { parseCaptureLine } from "../../src/record/capture-reader.js";

const MARKETS = 64;

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function blankControlChars(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  return s.replace(/[\u0000-\u001f]/g, " ");
}

export class FrameTargets {
  private scanner = new FrameScanner();
  private directory = new MarketDirectory(MARKETS);
  private applier = new FeedApplier(this.directory, BookTable.create(MARKETS));
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
    }
    this.applier.applyFrame(text, this.recvMs++);
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

/**
 * `kalshi-engine book --capture FILE [--market TICKER]` — replays a capture through the real frame
 * scanner, FeedApplier and BookTable, and prints one JSON line per frame that touched a market
 * (or only the chosen market), then a summary on stderr. Malformed capture lines are reported with
 * their line numbers and skipped; the replay continues.
 */
import { once } from "node:events";
import type { Command } from "commander";
import { BookTable } from "../book/book-table.js";
import { FeedApplier } from "../book/feed-applier.js";
import { MarketDirectory } from "../book/market-directory.js";
import { formatHundredths, formatTicks, TICKS_PER_DOLLAR } from "../kalshi/units.js";
import { readCapture } from "../record/capture-reader.js";
import { intFlag, requireInputFile } from "./errors.js";

export interface BookReplayOptions {
  capture: string;
  market?: string;
  capacity: number;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export interface BookReplaySummary {
  lines_malformed: number;
  frames: number;
  book_messages: number;
  applied: number;
  snapshots: number;
  deltas: number;
  not_json: number;
  other_messages: number;
  rejected: Record<string, number>;
  skipped_levels: number;
  gaps: number;
  stale_markets: string[];
  markets: number;
}

function priceOrNull(ticks: number): string | null {
  return ticks === 0 ? null : formatTicks(ticks);
}

function line(
  book: BookTable,
  ticker: string,
  m: number,
  sid: number,
  seq: number,
  applied: boolean,
): string {
  const by = book.bestYesTick(m);
  const bn = book.bestNoTick(m);
  const j = (v: string | null) => (v === null ? "null" : `"${v}"`);
  return (
    `{"market":${JSON.stringify(ticker)},"sid":${Number.isInteger(sid) ? sid : "null"},"seq":${Number.isInteger(seq) ? seq : "null"},` +
    `"applied":${applied},"stale":${book.isStale(m)},` +
    `"yes_bid":${j(priceOrNull(by))},"yes_bid_size":${j(by === 0 ? null : formatHundredths(book.yesSizeAt(m, by)))},` +
    `"no_bid":${j(priceOrNull(bn))},"no_bid_size":${j(bn === 0 ? null : formatHundredths(book.noSizeAt(m, bn)))},` +
    `"yes_ask":${j(bn === 0 ? null : formatTicks(TICKS_PER_DOLLAR - bn))},"no_ask":${j(by === 0 ? null : formatTicks(TICKS_PER_DOLLAR - by))}}\n`
  );
}

export async function replayBook(o: BookReplayOptions): Promise<BookReplaySummary> {
  const directory = new MarketDirectory(o.capacity);
  const book = BookTable.create(o.capacity);
  const applier = new FeedApplier(directory, book);
  let malformedLines = 0;
  let buffered = "";
  const flush = async () => {
    if (buffered.length === 0) return;
    const chunk = buffered;
    buffered = "";
    if (!o.out.write(chunk)) await once(o.out, "drain");
  };
  const capture = readCapture(o.capture, {
    onMalformed: (lineNo: number, reason: string) => {
      malformedLines++;
      o.err.write(`${o.capture}:${lineNo}: skipped malformed line: ${reason}\n`);
    },
  });
  for await (const rec of capture) {
    const applied = applier.applyFrame(rec.frame, rec.recvMs) === 1;
    const m = applier.lastMarket;
    if (m < 0) continue;
    const ticker = directory.tickerOf(m);
    if (o.market !== undefined && ticker !== o.market) continue;
    buffered += line(book, ticker, m, applier.scanner.sid, applier.scanner.seq, applied);
    if (buffered.length > 1 << 16) await flush();
  }
  await flush();
  const s = applier.stats;
  const stale: string[] = [];
  for (let m = 0; m < directory.size; m++) if (book.isStale(m)) stale.push(directory.tickerOf(m));
  return {
    lines_malformed: malformedLines,
    frames: s.frames,
    book_messages: s.bookMessages,
    applied: s.applied,
    snapshots: s.snapshots,
    deltas: s.deltas,
    not_json: s.malformed,
    other_messages: s.other,
    rejected: {
      invalid_price: s.rejected.invalidPrice,
      off_grid_price: s.rejected.offGrid,
      invalid_count: s.rejected.invalidCount,
      invalid_side: s.rejected.invalidSide,
      before_snapshot: s.rejected.noSnapshot,
      stale: s.rejected.stale,
      negative_level: s.rejected.negativeLevel,
      over_capacity: s.rejected.capacity,
    },
    skipped_levels: s.skippedLevels,
    gaps: s.gaps,
    stale_markets: stale,
    markets: directory.size,
  };
}

export function registerBookCommand(program: Command): void {
  program
    .command("book")
    .description("replay a capture into the order books and print the top of book after every book frame")
    .requiredOption("--capture <file>", "NDJSON capture file (docs/capture-format.md)")
    .option("--market <ticker>", "print only this market")
    .option("--max-markets <n>", "book capacity (markets)", "20000")
    .action(async (opts: { capture: string; market?: string; maxMarkets: string }) => {
      const capacity = intFlag("--max-markets", opts.maxMarkets, 1);
      requireInputFile("--capture", opts.capture);
      const summary = await replayBook({
        capture: opts.capture,
        market: opts.market,
        capacity,
        out: process.stdout,
        err: process.stderr,
      });
      process.stderr.write(`${JSON.stringify({ summary })}\n`);
    });
}

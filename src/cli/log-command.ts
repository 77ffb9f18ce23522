/**
 * `kalshi-engine log` — tools for log directories (docs/recording.md):
 *
 *   log info DIR                         what the log holds (one JSON object on stdout)
 *   log cat DIR [--format ndjson]        the frames as a capture (docs/capture-format.md) on stdout
 *   log import FILE.ndjson --out DIR     a capture becomes a log
 */
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import type { Command } from "commander";
import { importCapture } from "../record/log-import.js";
import { logInfo } from "../record/log-info.js";
import {
  feedSegments,
  type LogReadStats,
  logFrames,
  NotALogError,
  tornTailLines,
} from "../record/log-reader.js";
import type { SegmentFile } from "../record/segments.js";
import { intFlag, requireInputFile, UsageError } from "./errors.js";

/** The directory must be a log (else one line naming `flag`, exit 2); its feed segments. */
export function requireLog(dir: string, flag = "log"): SegmentFile[] {
  try {
    return feedSegments(dir);
  } catch (e) {
    if (e instanceof NotALogError) throw new UsageError(`${flag} ${e.message}`);
    throw e;
  }
}

/** One capture line, in the writer's canonical shape (capture-format.md). */
export function captureLine(recvMs: number, frame: string): string {
  return `{"recv_ms":${recvMs},"frame":${JSON.stringify(frame)}}\n`;
}

async function cat(dir: string, format: string): Promise<void> {
  if (format !== "ndjson") throw new UsageError(`--format must be ndjson, got "${format}"`);
  requireLog(dir);
  const out = process.stdout;
  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  let buffered = "";
  for await (const f of logFrames(dir, stats)) {
    buffered += captureLine(f.recvMs, f.frame);
    if (buffered.length >= 1 << 16) {
      const chunk = buffered;
      buffered = "";
      if (!out.write(chunk)) await once(out, "drain");
    }
  }
  if (buffered.length > 0 && !out.write(buffered)) await once(out, "drain");
  process.stderr.write(tornTailLines(stats));
}

export function registerLogCommand(program: Command): void {
  const log = program.command("log").description("inspect, export and import feed logs (docs/recording.md)");

  log
    .command("info <dir>")
    .description("segments, time range, frames by type, markets, connections, gaps, torn tails, events")
    .option("--max-markets <n>", "book capacity (markets)", "20000")
    .action((dir: string, opts: { maxMarkets: string }) => {
      const capacity = intFlag("--max-markets", opts.maxMarkets, 1);
      requireLog(dir);
      const info = logInfo(dir, capacity);
      process.stdout.write(`${JSON.stringify(info, null, process.stdout.isTTY ? 2 : undefined)}\n`);
    });

  log
    .command("cat <dir>")
    .description("write the log's frames to stdout as a capture (docs/capture-format.md)")
    .option("--format <format>", "output format (ndjson: the capture format)", "ndjson")
    .action((dir: string, opts: { format: string }) => cat(dir, opts.format));

  log
    .command("import <capture>")
    .description("turn a capture (NDJSON, docs/capture-format.md) into a log directory")
    .requiredOption("--out <dir>", "log directory to create (must not hold a log already)")
    .option("--segment-mb <mb>", "close a segment at this size (MiB)", "64")
    .action(async (capture: string, opts: { out: string; segmentMb: string }) => {
      requireInputFile("log import", capture);
      const segmentMb = intFlag("--segment-mb", opts.segmentMb, 1);
      if (existsSync(opts.out) && readdirSync(opts.out).some((n) => n.endsWith(".kfl")))
        throw new UsageError(`--out ${opts.out}: already holds a log; choose a new directory`);
      const summary = await importCapture(
        capture,
        opts.out,
        (lineNo, reason) => process.stderr.write(`${capture}:${lineNo}: skipped capture line (${reason})\n`),
        { maxBytes: segmentMb * 2 ** 20, maxSeconds: Number.POSITIVE_INFINITY },
      );
      process.stderr.write(`${JSON.stringify({ imported: summary })}\n`);
    });
}

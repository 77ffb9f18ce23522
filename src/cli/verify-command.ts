/**
 * `kalshi-engine verify --log DIR [--model FILE]` — rebuilds every recorded decision's observation
 * from the recorded feed at exactly the book state it was based on, runs the recorded model, and
 * checks observation and action (src/record/verify.ts). Prints one JSON summary line; exit 0 only
 * when at least one decision was checked and nothing differs, 1 otherwise, 2 for a log or model
 * that cannot be verified as given.
 */
import type { Command } from "commander";
import { VerifyInputError, verifyLog } from "../record/verify.js";
import { intFlag, UsageError } from "./errors.js";
import { requireLog } from "./log-command.js";

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "prove that every recorded decision's observation and action replay identically from the log",
    )
    .requiredOption("--log <dir>", "log directory written by run --record (docs/recording.md)")
    .option("--model <file>", "the model file, if it moved since recording (its SHA-256 must match)")
    .option("--max-markets <n>", "book capacity (markets)", "20000")
    .action(async (opts: { log: string; model?: string; maxMarkets: string }) => {
      const capacity = intFlag("--max-markets", opts.maxMarkets, 1);
      requireLog(opts.log, "--log");
      let summary: Awaited<ReturnType<typeof verifyLog>>;
      try {
        summary = await verifyLog(opts.log, { capacity, ...(opts.model ? { model: opts.model } : {}) });
      } catch (e) {
        if (e instanceof VerifyInputError) throw new UsageError(e.message);
        throw e;
      }
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      if (summary.mismatches > 0 || summary.verified === 0) process.exitCode = 1;
    });
}

/**
 * How every `kalshi-engine` command ends on an error (docs/operations.md "Exit codes"):
 *
 * - a user error (bad flag, missing or unreadable input, a file that would be overwritten, a
 *   model that does not load, a port already in use) prints ONE line `kalshi-engine: <what to
 *   fix>` on stderr and exits 2;
 * - a runtime failure (the exchange unreachable, a thread that died) prints one line
 *   `kalshi-engine: <what failed>` and exits 1;
 * - a stack trace is printed only with `--debug` (anywhere on the command line).
 *
 * Commands throw `UsageError` for the first kind and anything else for the second; `runCli`
 * turns both into the line and the exit code.
 */
import { existsSync, statSync } from "node:fs";
import { type Command, CommanderError, Help, type Option } from "commander";
import { ConfigError } from "../config/index.js";

export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** Something the user can fix by changing the command line, a file or the environment. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses a flag's text as an integer within [min, max]; a UsageError names the flag otherwise. */
export function intFlag(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.trim();
  const n = /^[+-]?\d+$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `within ${min}..${max}`;
    throw new UsageError(`${flag} must be an integer ${range}, got "${text}"`);
  }
  return n;
}

/** Parses a flag's text as a finite number within [min, max]. */
export function numberFlag(flag: string, text: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const t = text.trim();
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
  if (!(n >= min && n <= max)) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `within ${min}..${max}`;
    throw new UsageError(`${flag} must be a number ${range}, got "${text}"`);
  }
  return n;
}

/** An input file the command is about to read: it must exist and be a regular file. */
export function requireInputFile(flag: string, path: string): void {
  if (!existsSync(path)) throw new UsageError(`${flag} ${path}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${path}: not a regular file`);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0] || err.name;
  return String(err);
}

function report(err: unknown, code: number, debug: boolean): never {
  const message = describe(err);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else if (message !== "") process.stderr.write(`kalshi-engine: ${message}\n`);
  process.exit(code);
}

/** A config error may list several problems, one per line: each says what to fix. */
function reportConfig(err: ConfigError): never {
  process.stderr.write(`${err.message.replace(/\n+$/, "")}\n`);
  process.exit(EXIT_USAGE);
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return EXIT_USAGE;
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
  return EXIT_RUNTIME;
}

/**
 * Runs the program on argv and turns every failure into its line and exit code. `--debug` is
 * taken out of argv here, so every command accepts it in any position.
 */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  // Errors from a later tick (a failed pump, a rejected promise nobody awaited) end the same way.
  process.on("uncaughtException", (err) => report(err, exitCodeOf(err), debug));
  process.on("unhandledRejection", (err) => report(err, exitCodeOf(err), debug));
  try {
    await program.parseAsync(args as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its one-line message (or the help / the version)
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    if (err instanceof ConfigError) reportConfig(err);
    report(err, exitCodeOf(err), debug);
  }
}

/**
 * An option's help text with its default as the user would type it: a flag's value arrives as
 * text, so its default is written as text too, and commander would show it quoted (`"5"`).
 */
function describeOption(option: Option): string {
  const shown = Object.create(option) as Option;
  if (typeof option.defaultValue === "string") shown.defaultValueDescription ??= option.defaultValue;
  return new Help().optionDescription(shown);
}

/**
 * Commander settings every command inherits (call before registering subcommands): errors are
 * thrown to runCli instead of exiting, and a usage error prints one line with a pointer to help.
 */
export function configureProgram(program: Command): Command {
  return program
    .configureHelp({ optionDescription: describeOption })
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (text, write) => {
        const line = text.replace(/\n+$/, "").split("\n")[0] ?? "";
        write(`kalshi-engine: ${line.replace(/^error: /, "")} (see --help)\n`);
      },
    });
}

#!/usr/bin/env node
/**
 * `kalshi-engine` command line. Each subcommand lives in its own `*-command.ts` file and is
 * registered here; this file only composes them. Errors and exit codes: see errors.ts.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBacktestCommand } from "./backtest-command.js";
import { registerBookCommand } from "./book-command.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { configureProgram, runCli } from "./errors.js";
import { registerFeaturesCommand } from "./features-command.js";
import { registerLogCommand } from "./log-command.js";
import { registerPaperCommand } from "./paper-command.js";
import { registerRecordCommand } from "./record-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerVerifyCommand } from "./verify-command.js";

/** package.json sits two levels above this file in both src/cli and dist/cli. */
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = configureProgram(new Command())
  .name("kalshi-engine")
  .description("Low-latency Kalshi trading engine running an ONNX policy")
  .version(version, "-V, --version", "print the version and exit")
  .addHelpText("after", "\nAdd --debug to any command to print a stack trace on failure.");

// Subcommand registrations (one line each).
registerBacktestCommand(program);
registerBookCommand(program);
registerDoctorCommand(program);
registerFeaturesCommand(program);
registerLogCommand(program);
registerPaperCommand(program);
registerRecordCommand(program);
registerRunCommand(program);
registerVerifyCommand(program);

await runCli(program, process.argv);

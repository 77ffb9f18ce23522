#!/usr/bin/env node
/**
 * `kalshi-engine` command line. Each subcommand lives in its own `*-command.ts` file and is
 * registered here; this file only composes them.
 */
import { Command } from "commander";
import { registerBookCommand } from "./book-command.js";
import { registerFeaturesCommand } from "./features-command.js";
import { registerPaperCommand } from "./paper-command.js";
import { registerRunCommand } from "./run-command.js";

const program = new Command();
program
  .name("kalshi-engine")
  .description("Low-latency Kalshi trading engine running an ONNX policy")
  .showHelpAfterError();

// Subcommand registrations (one line each).
registerBookCommand(program);
registerFeaturesCommand(program);
registerPaperCommand(program);
registerRunCommand(program);

await program.parseAsync(process.argv);

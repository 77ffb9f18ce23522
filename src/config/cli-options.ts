/**
 * Adds every configuration flag to a commander command (used by `kalshi-engine run`). No
 * defaults are set here: an absent flag must stay undefined so lower-precedence sources win.
 */
import type { Command } from "commander";
import { CONFIG_FIELDS, envNameOf } from "./fields.js";

export function registerConfigOptions(command: Command): Command {
  command.option("--config <file>", "configuration file (.json, .yaml, .yml)");
  for (const field of CONFIG_FIELDS) {
    command.option(`${field.flag} ${field.arg}`, `${field.help} [env ${envNameOf(field)}]`);
  }
  return command;
}

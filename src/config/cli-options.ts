/**
 * Adds every configuration flag to a commander command (used by `kalshi-engine run`). No
 * defaults are set on the options: an absent flag must stay undefined so lower-precedence
 * sources win. The help text shows each default all the same.
 */
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { CONFIG_FIELDS, envNameOf } from "./fields.js";
import { getPath } from "./object-paths.js";
import { defaultConfig } from "./schema.js";

function defaultText(value: unknown): string {
  if (value === undefined) return "";
  return ` (default: ${Array.isArray(value) ? value.join(",") : String(value)})`;
}

export function registerConfigOptions(command: Command): Command {
  const defaults = defaultConfig(availableParallelism());
  command.option("--config <file>", "configuration file (.json, .yaml, .yml)");
  for (const field of CONFIG_FIELDS) {
    const dflt = defaultText(getPath(defaults, field.path));
    command.option(`${field.flag} ${field.arg}`, `${field.help}${dflt} [env ${envNameOf(field)}]`);
  }
  return command;
}

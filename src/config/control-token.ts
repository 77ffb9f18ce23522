/**
 * A generated control token must be findable by the operator without being logged: it is written
 * to `<journalDir>/control-token` (mode 0600) and only that path is printed.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineConfig } from "./schema.js";

export const CONTROL_TOKEN_FILE = "control-token";

/** Writes a generated token and returns the notice to print; undefined when the token was configured. */
export function saveGeneratedControlToken(config: EngineConfig): string | undefined {
  if (config.controlTokenSource !== "generated") return undefined;
  mkdirSync(config.journalDir, { recursive: true });
  const path = join(config.journalDir, CONTROL_TOKEN_FILE);
  writeFileSync(path, `${config.controlToken}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync keeps an existing file's mode
  return `control token generated for this run: read it from ${path} (set KALSHI_ENGINE_CONTROL_TOKEN to choose one)`;
}

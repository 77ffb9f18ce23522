/**
 * The engine's logger: pino, JSON lines on stderr, level from config. One logger per thread,
 * built by that thread's composition root (no module-level singleton).
 *
 * Secrets never reach the log. Two layers, because a leak costs more than a few microseconds on
 * a cold path:
 * 1. pino `redact` paths for the known shapes (headers, config, signer output) — fast, exact;
 * 2. a scrub of every logged object (any depth, plain objects/arrays only): keys that name a
 *    secret are replaced, and any string holding a PEM private key block is replaced — key files
 *    read into memory end up in unexpected places (error messages, config dumps).
 */
import pino, { type DestinationStream, type Logger } from "pino";

export const REDACTED = "[Redacted]";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerOptions {
  level: LogLevel;
  /** bound into every line, e.g. { thread: "orders" } */
  bindings?: Record<string, unknown>;
  /** default: stderr (fd 2), synchronous so a crash does not lose the last lines */
  destination?: DestinationStream;
}

/** Key names (case-insensitive, `-`/`_` ignored) whose values are secrets wherever they appear. */
const SECRET_KEYS = new Set(
  [
    "authorization",
    "controlToken",
    "readToken",
    "token",
    "kalshi-access-signature",
    "signature",
    "privateKey",
    "private_key",
    "keyPem",
    "pem",
    "keyFileContents",
    "secret",
    "password",
  ].map(normaliseKey),
);

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

const REDACT_PATHS = [
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["kalshi-access-signature"]',
  '*.headers["kalshi-access-signature"]',
  'headers["KALSHI-ACCESS-SIGNATURE"]',
  '*.headers["KALSHI-ACCESS-SIGNATURE"]',
  '["KALSHI-ACCESS-SIGNATURE"]',
  '*["KALSHI-ACCESS-SIGNATURE"]',
  "controlToken",
  "*.controlToken",
  "*.readToken",
  "privateKey",
  "*.privateKey",
];

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  return pino(
    {
      level: options.level,
      base: options.bindings ?? null,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrubSecrets(obj) as Record<string, unknown>,
      },
      hooks: {
        // Message strings (and printf arguments) are scrubbed of PEM blocks too.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const a = args[i];
            if (typeof a === "string" && PEM_PRIVATE_KEY.test(a)) (args as unknown[])[i] = REDACTED;
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}

/**
 * Returns `value` with secrets replaced; copies only the objects it changes (the caller's
 * object is never mutated). Depth-limited and cycle-safe.
 */
export function scrubSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return PEM_PRIVATE_KEY.test(value) ? REDACTED : value;
  if (typeof value !== "object" || value === null || depth > 8) return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = scrubSecrets(value[i], depth + 1, seen);
      if (v !== value[i]) {
        out ??= value.slice();
        out[i] = v;
      }
    }
    return out ?? value;
  }
  if (value instanceof Error) {
    // pino serialises errors after this hook, so a key quoted in an error message is caught here.
    const leaks = PEM_PRIVATE_KEY.test(value.message) || PEM_PRIVATE_KEY.test(value.stack ?? "");
    return leaks ? { type: value.name, message: REDACTED } : value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Errors, Buffers, class instances
  seen.add(value);
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const scrubbed =
      SECRET_KEYS.has(normaliseKey(k)) && v !== undefined ? REDACTED : scrubSecrets(v, depth + 1, seen);
    if (scrubbed !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = scrubbed;
    }
  }
  return out ?? value;
}

function normaliseKey(k: string): string {
  return k.toLowerCase().replace(/[-_]/g, "");
}

/** Control-token checks for /control and /ingest (io thread, pure). */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time comparison: both sides are hashed to 32 bytes first so neither the content nor
 * the length of the expected token leaks through timing.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || presented === "") return false;
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(presented, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <token>` → token; anything else → undefined. */
export function bearerToken(authorization: string): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return m?.[1];
}

/** A token's fingerprint for logs: the first 8 hex digits of its SHA-256 (never the token). */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex").slice(0, 8);
}

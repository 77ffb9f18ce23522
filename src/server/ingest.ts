/**
 * Parses one /ingest WebSocket text message (io thread, pure).
 *
 * A message is either a raw Kalshi frame, passed through untouched with the server's receive
 * time, or a capture line `{"recv_ms": …, "frame": "…"}` (capture-format.md "Lines"). Kalshi
 * frames start with `{"type"`, `{"id"` or `{"sid"`, never with a `recv_ms`/`frame` key, so a
 * cheap prefix test decides which one it is without parsing every raw frame twice. Empty and `#`
 * comment lines are ignored, as in capture files.
 */

export type IngestMessage =
  | { kind: "frame"; text: string; recvMs: number }
  | { kind: "ignored" }
  | { kind: "invalid"; reason: string };

const CAPTURE_PREFIX = /^\s*\{\s*"(?:recv_ms|frame)"\s*:/;

export function parseIngestMessage(message: string, nowMs: number): IngestMessage {
  const trimmedStart = message.trimStart();
  if (trimmedStart === "" || trimmedStart.startsWith("#")) return { kind: "ignored" };
  if (!CAPTURE_PREFIX.test(message)) return { kind: "frame", text: message, recvMs: nowMs };
  let line: unknown;
  try {
    line = JSON.parse(message);
  } catch {
    return { kind: "invalid", reason: "capture line is not valid JSON" };
  }
  const rec = line as { recv_ms?: unknown; frame?: unknown };
  if (typeof rec.frame !== "string")
    return { kind: "invalid", reason: "capture line lacks a string `frame`" };
  if (typeof rec.recv_ms !== "number" || !Number.isSafeInteger(rec.recv_ms)) {
    return { kind: "invalid", reason: "capture line lacks an integer `recv_ms`" };
  }
  return { kind: "frame", text: rec.frame, recvMs: rec.recv_ms };
}

/**
 * uWS HTTP plumbing (io thread). uWS rules kept here so routes cannot forget them:
 * - `HttpRequest` is only valid inside the handler: copy what is needed before any async step;
 * - every response attaches `onAborted` before anything async, and writes nothing after it;
 * - every write is inside `res.cork`;
 * - bodies are read with `onData` under a size cap (413 above it).
 */
import type { HttpResponse } from "uWebSockets.js";

const STATUS_TEXT: Record<number, string> = {
  200: "200 OK",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  413: "413 Payload Too Large",
  500: "500 Internal Server Error",
  503: "503 Service Unavailable",
};

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Status`;
}

/** One response's life: tracks abort/end so nothing writes to a dead HttpResponse. */
export class Reply {
  private aborted = false;
  private done = false;

  constructor(readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
    });
  }

  get writable(): boolean {
    return !this.aborted && !this.done;
  }

  /**
   * `closeConnection` ends the TCP connection after the response (uWS writes `Connection: close`):
   * used when a request body was refused unread, so its bytes are never parsed as a next request.
   */
  send(
    status: number,
    contentType: string,
    body: string,
    extraHeaders: Record<string, string> = {},
    closeConnection = false,
  ): void {
    if (!this.writable) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status)).writeHeader("Content-Type", contentType);
      this.res.writeHeader("Cache-Control", "no-store");
      for (const [k, v] of Object.entries(extraHeaders)) this.res.writeHeader(k, v);
      this.res.end(body, closeConnection);
    });
  }

  /** 413, closing the connection (the rest of the body is not read). */
  tooLarge(maxBytes: number): void {
    const body = { error: { code: "payload_too_large", message: `request body exceeds ${maxBytes} bytes` } };
    this.send(413, "application/json", JSON.stringify(body), {}, true);
  }

  json(status: number, body: unknown, extraHeaders?: Record<string, string>): void {
    this.send(status, "application/json", JSON.stringify(body), extraHeaders);
  }

  error(status: number, code: string, message: string, extraHeaders?: Record<string, string>): void {
    this.json(status, { error: { code, message } }, extraHeaders);
  }
}

/**
 * Reads the request body (callback once with the whole body). Above `maxBytes` it answers 413
 * and closes the connection, so a client cannot make io buffer unbounded input.
 */
export function readBody(reply: Reply, maxBytes: number, onBody: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  reply.res.onData((chunk, isLast) => {
    if (refused || !reply.writable) return;
    size += chunk.byteLength;
    if (size > maxBytes) {
      refused = true;
      reply.tooLarge(maxBytes);
      return;
    }
    // uWS reuses the chunk's memory after this callback returns: copy it.
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) onBody(Buffer.concat(chunks, size));
  });
}

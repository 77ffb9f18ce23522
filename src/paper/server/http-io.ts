/**
 * uWS HTTP plumbing for the paper exchange's REST side: read the request synchronously (uWS's
 * HttpRequest is only valid inside the handler), always attach onAborted, stream the body with
 * onData under a size cap, and write every response corked.
 */
import type { HttpRequest, HttpResponse } from "uWebSockets.js";

/** What the REST layer needs from one request, copied out of uWS's stack-allocated HttpRequest. */
export interface IncomingRequest {
  method: string; // upper case
  /** full path incl. `/trade-api/v2`, no query string */
  fullPath: string;
  query: string;
  headers: Map<string, string>;
}

const HEADERS_READ = [
  "kalshi-access-key",
  "kalshi-access-timestamp",
  "kalshi-access-signature",
  "content-type",
  "content-length",
] as const;

export function readRequest(req: HttpRequest): IncomingRequest {
  const headers = new Map<string, string>();
  for (const h of HEADERS_READ) {
    const v = req.getHeader(h);
    if (v !== "") headers.set(h, v);
  }
  return {
    method: req.getCaseSensitiveMethod().toUpperCase(),
    fullPath: req.getUrl(),
    query: req.getQuery() ?? "",
    headers,
  };
}

/** Life of one response: tracks abort so nothing writes to a dead HttpResponse. */
export class ResponseHandle {
  aborted = false;
  done = false;
  private onAbortHooks: Array<() => void> = [];

  constructor(readonly res: HttpResponse) {
    res.onAborted(() => {
      this.aborted = true;
      for (const h of this.onAbortHooks) h();
    });
  }

  onAbort(hook: () => void): void {
    this.onAbortHooks.push(hook);
  }

  get writable(): boolean {
    return !this.aborted && !this.done;
  }

  send(status: number, body: string): void {
    if (!this.writable) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status)).writeHeader("Content-Type", "application/json").end(body);
    });
  }

  /** Destroys the connection without a response (reset / timeout faults). */
  reset(): void {
    if (!this.writable) return;
    this.done = true;
    this.res.close();
  }
}

/**
 * Reads the whole body (callback once). Bodies over `maxBytes` answer 413 and close: a client
 * cannot make the exchange buffer unbounded input.
 */
export function readBody(handle: ResponseHandle, maxBytes: number, onBody: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  handle.res.onData((chunk, isLast) => {
    if (tooLarge || handle.aborted) return;
    size += chunk.byteLength;
    if (size > maxBytes) {
      tooLarge = true;
      handle.send(
        413,
        `{"error":{"code":"payload_too_large","message":"request body exceeds ${maxBytes} bytes"}}`,
      );
      return;
    }
    // uWS reuses the chunk's memory after the callback: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    if (isLast) onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
}

const STATUS_TEXT: Record<number, string> = {
  200: "200 OK",
  201: "201 Created",
  204: "204 No Content",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  413: "413 Payload Too Large",
  415: "415 Unsupported Media Type",
  429: "429 Too Many Requests",
  500: "500 Internal Server Error",
  502: "502 Bad Gateway",
  503: "503 Service Unavailable",
};

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Status`;
}

/**
 * The transport under the Kalshi REST client (rest-client.ts): signed requests, token
 * buckets, timeouts, read retries and the classification of write answers.
 *
 * - Signed requests (kalshi-api-notes.md via auth-signer.ts): the signed path is the full
 *   URL path including `/trade-api/v2`, without the query string. Keys and signatures are never
 *   logged or put in errors.
 * - Node's global `fetch` (undici) keeps connections alive by default; every request carries its
 *   own `AbortSignal.timeout`.
 * - Token buckets for reads and writes with Kalshi's per-request costs; a 429 empties the bucket (rule 17).
 * - READS retry on 429 / 5xx / network errors with exponential backoff + full jitter.
 * - WRITES are never retried here: a timeout, reset or 5xx returns `{ kind: "unknown" }` and the
 *   order manager resolves it with `findOrderByClientId` — never by resending under a new id
 *   (correctness-rules.md rule 15). A 429 on a write is a definite "not executed".
 */
import type { SigningKey } from "./auth-signer.js";
import { signRequest } from "./auth-signer.js";
import { parseErrorBody, type RestErrorInfo, type WriteResult } from "./rest-types.js";
import { BASIC_READ, BASIC_WRITE, type BucketConfig, TokenBucket } from "./token-bucket.js";

export interface RestClientOptions {
  /** REST base including the path prefix, e.g. `https://external-api.kalshi.com/trade-api/v2` */
  baseUrl: string;
  /** omitted → unsigned requests (public market data, or a test server without auth) */
  key?: SigningKey;
  readBucket?: BucketConfig;
  writeBucket?: BucketConfig;
  readTimeoutMs?: number;
  writeTimeoutMs?: number;
  maxReadRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  subaccount?: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export class RestError extends Error {
  constructor(readonly info: RestErrorInfo) {
    super(`kalshi REST ${info.status}${info.code ? ` ${info.code}` : ""}: ${info.message}`);
  }
}

export type Json = Record<string, unknown>;

interface RawResponse {
  status: number;
  text: string;
}

export class RestTransport {
  private readonly base: URL;
  private readonly read: TokenBucket;
  private readonly write: TokenBucket;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;
  readonly stats = { requests: 0, readRetries: 0, rateLimited: 0, unknownWrites: 0, timeouts: 0 };

  constructor(protected readonly options: RestClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchImpl = options.fetch ?? fetch;
    this.read = new TokenBucket(options.readBucket ?? BASIC_READ, this.now());
    this.write = new TokenBucket(options.writeBucket ?? BASIC_WRITE, this.now());
  }

  protected get subaccount(): number {
    return this.options.subaccount ?? 0;
  }

  protected async writeRequest<T>(
    method: string,
    path: string,
    body: unknown,
    cost: number,
    parse: (j: Json) => T,
  ): Promise<WriteResult<T>> {
    const wait = this.write.reserve(cost, this.now());
    if (wait > 0) await this.sleep(wait);
    let raw: RawResponse;
    try {
      raw = await this.send(method, this.url(path, {}), body, this.options.writeTimeoutMs ?? 5000);
    } catch (e) {
      this.stats.unknownWrites++;
      return { kind: "unknown", reason: describeTransportError(e) };
    }
    if (raw.status >= 200 && raw.status < 300) {
      let j: Json;
      try {
        j = JSON.parse(raw.text) as Json;
      } catch {
        this.stats.unknownWrites++;
        return { kind: "unknown", reason: `unparsable ${raw.status} body` };
      }
      return { kind: "ok", status: raw.status, value: parse(j) };
    }
    const error = parseErrorBody(raw.status, raw.text);
    if (raw.status === 429) {
      this.stats.rateLimited++;
      this.write.onRateLimited(this.now());
      return { kind: "rate_limited", error };
    }
    if (raw.status >= 500) {
      this.stats.unknownWrites++;
      return { kind: "unknown", reason: `HTTP ${raw.status}` };
    }
    if (raw.status === 409) return { kind: "conflict", error };
    return { kind: "rejected", error };
  }

  protected async readJson(path: string, query: Record<string, unknown>, cost: number): Promise<Json> {
    const maxRetries = this.options.maxReadRetries ?? 3;
    const url = this.url(path, query);
    for (let attempt = 0; ; attempt++) {
      const wait = this.read.reserve(cost, this.now());
      if (wait > 0) await this.sleep(wait);
      let raw: RawResponse | undefined;
      let transportError: unknown;
      try {
        raw = await this.send("GET", url, undefined, this.options.readTimeoutMs ?? 5000);
      } catch (e) {
        transportError = e;
      }
      if (raw !== undefined && raw.status >= 200 && raw.status < 300) {
        try {
          return JSON.parse(raw.text) as Json;
        } catch {
          throw new RestError({
            status: raw.status,
            code: "bad_json",
            message: "unparsable body",
            details: "",
          });
        }
      }
      if (raw !== undefined && raw.status === 429) {
        this.stats.rateLimited++;
        this.read.onRateLimited(this.now());
      }
      const retryable = raw === undefined || raw.status === 429 || raw.status >= 500;
      if (!retryable || attempt >= maxRetries) {
        if (raw !== undefined) throw new RestError(parseErrorBody(raw.status, raw.text));
        throw new RestError({
          status: 0,
          code: "transport",
          message: describeTransportError(transportError),
          details: "",
        });
      }
      this.stats.readRetries++;
      // full jitter: uniform in [0, min(max, base × 2^attempt)]
      const cap = Math.min(this.options.retryMaxMs ?? 2000, (this.options.retryBaseMs ?? 100) * 2 ** attempt);
      await this.sleep(Math.floor(this.random() * cap));
    }
  }

  private url(path: string, query: Record<string, unknown>): URL {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async send(method: string, url: URL, body: unknown, timeoutMs: number): Promise<RawResponse> {
    this.stats.requests++;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.options.key !== undefined) {
      // sign the full path, query string dropped, immediately before sending
      Object.assign(headers, signRequest(this.options.key, method, url.pathname, this.now()));
    }
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      const res = await this.fetchImpl(url, init);
      return { status: res.status, text: await res.text() };
    } catch (e) {
      if ((e as Error)?.name === "TimeoutError") this.stats.timeouts++;
      throw e;
    }
  }
}

function describeTransportError(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  if (err?.name === "TimeoutError") return "timeout";
  return err?.cause?.code ?? err?.name ?? "transport error";
}

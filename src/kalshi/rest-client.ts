/**
 * Kalshi REST v2 client (used by the orders thread; one instance per thread).
 *
 * - Signed requests (kalshi-protocol.md §1.2–1.3 via auth-signer.ts): the signed path is the full
 *   URL path including `/trade-api/v2`, without the query string. Keys and signatures are never
 *   logged or put in errors.
 * - Node's global `fetch` (undici) keeps connections alive by default; every request carries its
 *   own `AbortSignal.timeout`.
 * - Token buckets for reads and writes with the §3.7 costs; a 429 empties the bucket (rule 17).
 * - READS retry on 429 / 5xx / network errors with exponential backoff + full jitter.
 * - WRITES are never retried here: a timeout, reset or 5xx returns `{ kind: "unknown" }` and the
 *   order manager resolves it with `findOrderByClientId` — never by resending under a new id
 *   (lessons.md rule 15). A 429 on a write is a definite "not executed".
 */
import type { SigningKey } from "./auth-signer.js";
import { signRequest } from "./auth-signer.js";
import {
  type CancelAck,
  type DecreaseAck,
  type FillsQuery,
  type MarketsQuery,
  type OrderAck,
  type OrderGroupState,
  type OrdersQuery,
  type Page,
  parseCancelAck,
  parseDecreaseAck,
  parseErrorBody,
  parseOrderAck,
  parseOrderGroup,
  parseRestBalance,
  parseRestFill,
  parseRestMarket,
  parseRestOrder,
  parseRestOrderbook,
  parseRestPosition,
  type RestBalance,
  type RestErrorInfo,
  type RestFill,
  type RestMarket,
  type RestOrder,
  type RestOrderbook,
  type RestPosition,
  type V2AmendOrderBody,
  type V2CreateOrderBody,
  type WriteResult,
} from "./rest-types.js";
import {
  BASIC_READ,
  BASIC_WRITE,
  type BucketConfig,
  COST_BATCH_CANCEL_ITEM,
  COST_BATCH_CREATE_ITEM,
  COST_DEFAULT,
  COST_GET_ORDER,
  COST_V2_CANCEL,
  TokenBucket,
} from "./token-bucket.js";
import { formatHundredths } from "./units.js";

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

export type { FillsQuery, MarketsQuery, OrdersQuery, WriteResult } from "./rest-types.js";

export class RestError extends Error {
  constructor(readonly info: RestErrorInfo) {
    super(`kalshi REST ${info.status}${info.code ? ` ${info.code}` : ""}: ${info.message}`);
  }
}

type Json = Record<string, unknown>;

interface RawResponse {
  status: number;
  text: string;
}

export class KalshiRestClient {
  private readonly base: URL;
  private readonly read: TokenBucket;
  private readonly write: TokenBucket;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;
  readonly stats = { requests: 0, readRetries: 0, rateLimited: 0, unknownWrites: 0, timeouts: 0 };

  constructor(private readonly options: RestClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchImpl = options.fetch ?? fetch;
    this.read = new TokenBucket(options.readBucket ?? BASIC_READ, this.now());
    this.write = new TokenBucket(options.writeBucket ?? BASIC_WRITE, this.now());
  }

  // ---- writes (kalshi-protocol.md §3.3) -------------------------------------------------------

  createOrder(body: V2CreateOrderBody): Promise<WriteResult<OrderAck>> {
    return this.writeRequest("POST", "portfolio/events/orders", body, COST_DEFAULT, (j) => parseOrderAck(j));
  }

  cancelOrder(orderId: string): Promise<WriteResult<CancelAck>> {
    const path = `portfolio/events/orders/${encodeURIComponent(orderId)}?subaccount=${this.subaccount}`;
    return this.writeRequest("DELETE", path, undefined, COST_V2_CANCEL, (j) => parseCancelAck(j));
  }

  amendOrder(orderId: string, body: V2AmendOrderBody): Promise<WriteResult<OrderAck>> {
    const path = `portfolio/events/orders/${encodeURIComponent(orderId)}/amend`;
    return this.writeRequest("POST", path, body, COST_DEFAULT, (j) => parseOrderAck(j));
  }

  decreaseOrder(
    orderId: string,
    by: { reduceByHundredths: number } | { reduceToHundredths: number },
  ): Promise<WriteResult<DecreaseAck>> {
    const body =
      "reduceByHundredths" in by
        ? { reduce_by: formatHundredths(by.reduceByHundredths) }
        : { reduce_to: formatHundredths(by.reduceToHundredths) };
    const path = `portfolio/events/orders/${encodeURIComponent(orderId)}/decrease`;
    return this.writeRequest("POST", path, body, COST_DEFAULT, (j) => parseDecreaseAck(j));
  }

  /** Per-item results: an ack, or the item's error (a batch can partly fail). */
  batchCreateOrders(
    bodies: V2CreateOrderBody[],
  ): Promise<WriteResult<Array<{ ack: OrderAck; error: RestErrorInfo | null }>>> {
    return this.writeRequest(
      "POST",
      "portfolio/events/orders/batched",
      { orders: bodies },
      COST_BATCH_CREATE_ITEM * bodies.length,
      (j) => arrayOf(j.orders).map((o) => ({ ack: parseOrderAck(o), error: itemError(o) })),
    );
  }

  batchCancelOrders(
    orderIds: string[],
  ): Promise<WriteResult<Array<{ ack: CancelAck; error: RestErrorInfo | null }>>> {
    return this.writeRequest(
      "DELETE",
      "portfolio/events/orders/batched",
      { orders: orderIds.map((order_id) => ({ order_id, subaccount: this.subaccount })) },
      COST_BATCH_CANCEL_ITEM * orderIds.length,
      (j) => arrayOf(j.orders).map((o) => ({ ack: parseCancelAck(o), error: itemError(o) })),
    );
  }

  // ---- order groups (kalshi-protocol.md §3.3) ---------------------------------------------------

  /** A new group capping fills at `contractsLimit` whole contracts per rolling 15 s. */
  createOrderGroup(contractsLimit: number): Promise<WriteResult<{ orderGroupId: string }>> {
    const body = { contracts_limit: contractsLimit };
    return this.writeRequest("POST", "portfolio/order_groups/create", body, COST_DEFAULT, (j) => ({
      orderGroupId: typeof j.order_group_id === "string" ? j.order_group_id : "",
    }));
  }

  /** Clears a triggered group's window so its orders are accepted again. */
  resetOrderGroup(orderGroupId: string): Promise<WriteResult<unknown>> {
    const path = `portfolio/order_groups/${encodeURIComponent(orderGroupId)}/reset`;
    return this.writeRequest("PUT", path, {}, COST_DEFAULT, () => null);
  }

  async getOrderGroup(orderGroupId: string): Promise<OrderGroupState> {
    const path = `portfolio/order_groups/${encodeURIComponent(orderGroupId)}`;
    return parseOrderGroup(await this.readJson(path, {}, COST_DEFAULT));
  }

  // ---- reads (kalshi-protocol.md §3.2, §3.5) ---------------------------------------------------

  async getOrders(q: OrdersQuery = {}): Promise<Page<RestOrder>> {
    const j = await this.readJson(
      "portfolio/orders",
      {
        ticker: q.ticker,
        event_ticker: q.eventTicker,
        status: q.status,
        min_ts: q.minTs,
        max_ts: q.maxTs,
        cursor: q.cursor,
        limit: q.limit,
        subaccount: this.options.subaccount,
      },
      COST_DEFAULT,
    );
    return { items: arrayOf(j.orders).map(parseRestOrder), cursor: cursorOf(j) };
  }

  /** null when the exchange does not know the order (404). */
  async getOrder(orderId: string): Promise<RestOrder | null> {
    try {
      const j = await this.readJson(`portfolio/orders/${encodeURIComponent(orderId)}`, {}, COST_GET_ORDER);
      return parseRestOrder((j.order ?? {}) as Json);
    } catch (e) {
      if (e instanceof RestError && e.info.status === 404) return null;
      throw e;
    }
  }

  async getFills(q: FillsQuery = {}): Promise<Page<RestFill>> {
    const j = await this.readJson(
      "portfolio/fills",
      {
        ticker: q.ticker,
        order_id: q.orderId,
        min_ts: q.minTs,
        max_ts: q.maxTs,
        cursor: q.cursor,
        limit: q.limit,
        subaccount: this.options.subaccount,
      },
      COST_DEFAULT,
    );
    return { items: arrayOf(j.fills).map(parseRestFill), cursor: cursorOf(j) };
  }

  async getPositions(
    q: { ticker?: string; cursor?: string; limit?: number } = {},
  ): Promise<Page<RestPosition>> {
    const j = await this.readJson(
      "portfolio/positions",
      { ticker: q.ticker, cursor: q.cursor, limit: q.limit, subaccount: this.options.subaccount },
      COST_DEFAULT,
    );
    return { items: arrayOf(j.market_positions).map(parseRestPosition), cursor: cursorOf(j) };
  }

  async getBalance(): Promise<RestBalance> {
    return parseRestBalance(
      await this.readJson("portfolio/balance", { subaccount: this.options.subaccount }, COST_DEFAULT),
    );
  }

  /**
   * The account's token buckets (`GET /account/limits`, kalshi-protocol.md §3.7): refill rate and
   * capacity of the read and write buckets, so the client can pace itself at the account's tier.
   */
  async getAccountLimits(): Promise<{ tier: string; read: BucketConfig; write: BucketConfig }> {
    const j = await this.readJson("account/limits", {}, COST_DEFAULT);
    const bucket = (v: unknown, name: string): BucketConfig => {
      const o = (v ?? {}) as Record<string, unknown>;
      const refill = Number(o.refill_rate);
      const capacity = Number(o.bucket_capacity);
      if (!(refill > 0 && capacity > 0))
        throw new Error(`kalshi REST: account/limits has no usable ${name} bucket`);
      return { refillPerSec: refill, capacity };
    };
    return {
      tier: String(j.usage_tier ?? ""),
      read: bucket(j.read, "read"),
      write: bucket(j.write, "write"),
    };
  }

  async getMarkets(q: MarketsQuery = {}): Promise<Page<RestMarket>> {
    const j = await this.readJson(
      "markets",
      {
        status: q.status,
        event_ticker: q.eventTicker,
        series_ticker: q.seriesTicker,
        tickers: q.tickers?.join(","),
        cursor: q.cursor,
        limit: q.limit,
      },
      COST_DEFAULT,
    );
    return { items: arrayOf(j.markets).map(parseRestMarket), cursor: cursorOf(j) };
  }

  async getOrderbook(ticker: string, depth = 0): Promise<RestOrderbook> {
    return parseRestOrderbook(
      await this.readJson(`markets/${encodeURIComponent(ticker)}/orderbook`, { depth }, COST_DEFAULT),
    );
  }

  /** Follows `cursor` until it comes back empty (§3.1), at most `maxPages` pages. */
  async collectAll<T>(
    fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
    maxPages = 100,
  ): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(cursor);
      all.push(...page.items);
      if (page.cursor === "") return all;
      cursor = page.cursor;
    }
    throw new Error(`kalshi REST: more than ${maxPages} pages`);
  }

  /**
   * Resolves a write of unknown outcome (rule 15): lists the ticker's orders (newest first, all
   * statuses, paginated) until `clientOrderId` shows up; null = the exchange never took it.
   */
  async findOrderByClientId(ticker: string, clientOrderId: string, maxPages = 20): Promise<RestOrder | null> {
    let cursor: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await this.getOrders({ ticker, cursor, limit: 200 });
      for (const o of page.items) if (o.clientOrderId === clientOrderId) return o;
      if (page.cursor === "") return null;
      cursor = page.cursor;
    }
    throw new Error(`kalshi REST: client_order_id not found within ${maxPages} pages`);
  }

  // ---- transport --------------------------------------------------------------------------------

  private get subaccount(): number {
    return this.options.subaccount ?? 0;
  }

  private async writeRequest<T>(
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

  private async readJson(path: string, query: Record<string, unknown>, cost: number): Promise<Json> {
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
      // sign the full path, query string dropped (§1.2), immediately before sending (§1.4)
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

function arrayOf(v: unknown): Json[] {
  return Array.isArray(v) ? (v as Json[]) : [];
}

function cursorOf(j: Json): string {
  return typeof j.cursor === "string" ? j.cursor : "";
}

function itemError(o: Json): RestErrorInfo | null {
  const e = o.error;
  if (e === null || e === undefined) return null;
  return parseErrorBody(0, JSON.stringify({ error: e }));
}

function describeTransportError(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  if (err?.name === "TimeoutError") return "timeout";
  return err?.cause?.code ?? err?.name ?? "transport error";
}

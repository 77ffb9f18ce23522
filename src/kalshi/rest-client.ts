/**
 * Kalshi REST v2 client (used by the orders thread; one instance per thread): the endpoints, on
 * the transport of rest-transport.ts (signing, token buckets, retries, write outcomes). WRITES are
 * never retried: an unknown outcome is resolved by the order manager (correctness-rules.md rule 15).
 */

import { type Json, RestError, RestTransport } from "./rest-transport.js";
import {
  type CancelAck,
  type DecreaseAck,
  type FillsQuery,
  type MarketsQuery,
  type OrderAck,
  type OrderGroupState,
  type OrderRoute,
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
  parseRestSettlement,
  type RestBalance,
  type RestErrorInfo,
  type RestFill,
  type RestMarket,
  type RestOrder,
  type RestOrderbook,
  type RestPosition,
  type RestSettlement,
  type V2AmendOrderBody,
  type V2CreateOrderBody,
  type WriteResult,
} from "./rest-types.js";
import {
  type BucketConfig,
  COST_BATCH_CANCEL_ITEM,
  COST_BATCH_CREATE_ITEM,
  COST_DEFAULT,
  COST_GET_ORDER,
  COST_V2_CANCEL,
} from "./token-bucket.js";
import { formatHundredths } from "./units.js";

export { type RestClientOptions, RestError } from "./rest-transport.js";
export type { FillsQuery, MarketsQuery, OrderRoute, OrdersQuery, WriteResult } from "./rest-types.js";

export class KalshiRestClient extends RestTransport {
  // ---- writes (kalshi-api-notes.md) -------------------------------------------------------

  createOrder(body: V2CreateOrderBody): Promise<WriteResult<OrderAck>> {
    return this.writeRequest("POST", "portfolio/events/orders", body, COST_DEFAULT, (j) => parseOrderAck(j));
  }

  /** Routed by the order's market (query string: a DELETE carries no body). */
  cancelOrder(orderId: string, route: OrderRoute): Promise<WriteResult<CancelAck>> {
    const q = new URLSearchParams({ subaccount: String(this.subaccount), ...routeFields(route) });
    const path = `portfolio/events/orders/${encodeURIComponent(orderId)}?${q}`;
    return this.writeRequest("DELETE", path, undefined, COST_V2_CANCEL, (j) => parseCancelAck(j));
  }

  amendOrder(orderId: string, body: V2AmendOrderBody): Promise<WriteResult<OrderAck>> {
    const path = `portfolio/events/orders/${encodeURIComponent(orderId)}/amend`;
    return this.writeRequest("POST", path, body, COST_DEFAULT, (j) => parseOrderAck(j));
  }

  decreaseOrder(
    orderId: string,
    route: OrderRoute,
    by: { reduceByHundredths: number } | { reduceToHundredths: number },
  ): Promise<WriteResult<DecreaseAck>> {
    const body = {
      ...routeBody(route),
      ...("reduceByHundredths" in by
        ? { reduce_by: formatHundredths(by.reduceByHundredths) }
        : { reduce_to: formatHundredths(by.reduceToHundredths) }),
    };
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

  /** Each item carries its own route (kalshi-api-notes.md: every item needs its market). */
  batchCancelOrders(
    items: Array<{ orderId: string; route: OrderRoute }>,
  ): Promise<WriteResult<Array<{ ack: CancelAck; error: RestErrorInfo | null }>>> {
    const orders = items.map(({ orderId, route }) => ({
      order_id: orderId,
      subaccount: this.subaccount,
      ...routeBody(route),
    }));
    return this.writeRequest(
      "DELETE",
      "portfolio/events/orders/batched",
      { orders },
      COST_BATCH_CANCEL_ITEM * items.length,
      (j) => arrayOf(j.orders).map((o) => ({ ack: parseCancelAck(o), error: itemError(o) })),
    );
  }

  /**
   * `POST /portfolio/intra_exchange_instance_transfer`: moves available cash between exchange
   * shards at once (kalshi-api-notes.md). `amount` is in centi-cents ($0.0001 = 100 micros), so
   * `amountMicros` must be a positive multiple of 100. The request has no client id: a lost
   * answer is never resent, the balance breakdown settles it (src/orders/execution/transfers.ts).
   */
  transferBetweenShards(
    fromShard: number,
    toShard: number,
    amountMicros: number,
  ): Promise<WriteResult<{ transferId: string }>> {
    if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0 || amountMicros % 100 !== 0)
      throw new RangeError(`transfer amount must be a positive multiple of 100 micros, got ${amountMicros}`);
    const body = {
      source_exchange_shard: fromShard,
      destination_exchange_shard: toShard,
      amount: amountMicros / 100,
    };
    return this.writeRequest(
      "POST",
      "portfolio/intra_exchange_instance_transfer",
      body,
      COST_DEFAULT,
      (j) => ({
        transferId: typeof j.transfer_id === "string" ? j.transfer_id : "",
      }),
    );
  }

  // ---- order groups (kalshi-api-notes.md) ---------------------------------------------------

  /**
   * A new group capping fills at `contractsLimit` whole contracts per rolling 15 s, on one exchange
   * shard (groups do not work across shards, kalshi-api-notes.md).
   */
  createOrderGroup(
    contractsLimit: number,
    exchangeIndex = 0,
  ): Promise<WriteResult<{ orderGroupId: string }>> {
    const body = { contracts_limit: contractsLimit, exchange_index: exchangeIndex };
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

  // ---- reads (kalshi-api-notes.md) ---------------------------------------------------

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

  /** Settlements of our positions (kalshi-api-notes.md), newest first; `minTs` in seconds. */
  async getSettlements(
    q: { minTs?: number; cursor?: string; limit?: number } = {},
  ): Promise<Page<RestSettlement>> {
    const j = await this.readJson(
      "portfolio/settlements",
      { min_ts: q.minTs, cursor: q.cursor, limit: q.limit, subaccount: this.options.subaccount },
      COST_DEFAULT,
    );
    return { items: arrayOf(j.settlements).map(parseRestSettlement), cursor: cursorOf(j) };
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

  /** A series' fee schedule (`GET /series/{series_ticker}`: `fee_type`, `fee_multiplier`). */
  async getSeriesFees(seriesTicker: string): Promise<{ feeType: string; feeMultiplier: number | string }> {
    const j = await this.readJson(`series/${encodeURIComponent(seriesTicker)}`, {}, COST_DEFAULT);
    const s = (j.series ?? {}) as Json;
    const m = s.fee_multiplier;
    return {
      feeType: typeof s.fee_type === "string" ? s.fee_type : "",
      feeMultiplier: typeof m === "number" || typeof m === "string" ? m : Number.NaN,
    };
  }

  async getBalance(): Promise<RestBalance> {
    return parseRestBalance(
      await this.readJson("portfolio/balance", { subaccount: this.options.subaccount }, COST_DEFAULT),
    );
  }

  /**
   * The account's token buckets (`GET /account/limits`, kalshi-api-notes.md): refill rate and
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

  /** `GET /exchange/status` of one shard (docs: exchange status; per-shard via `exchange_index`). */
  async getExchangeStatus(shard: number): Promise<{ tradingActive: boolean; exchangeActive: boolean }> {
    const j = await this.readJson("exchange/status", { exchange_index: shard }, COST_DEFAULT);
    return { tradingActive: j.trading_active === true, exchangeActive: j.exchange_active === true };
  }

  /** The maintenance windows of `GET /exchange/schedule` (a window may name one shard). */
  async getMaintenanceWindows(): Promise<Array<{ startMs: number; endMs: number; shard?: number }>> {
    const j = await this.readJson("exchange/schedule", {}, COST_DEFAULT);
    const windows = (j.schedule as Json | undefined)?.maintenance_windows;
    const out: Array<{ startMs: number; endMs: number; shard?: number }> = [];
    for (const w of Array.isArray(windows) ? (windows as Json[]) : []) {
      const startMs = Date.parse(String(w.start_datetime));
      const endMs = Date.parse(String(w.end_datetime));
      if (Number.isNaN(startMs) || Number.isNaN(endMs)) continue;
      out.push(
        typeof w.exchange_index === "number"
          ? { startMs, endMs, shard: w.exchange_index }
          : { startMs, endMs },
      );
    }
    return out;
  }

  async getMarkets(q: MarketsQuery = {}): Promise<Page<RestMarket>> {
    const j = await this.readJson(
      "markets",
      {
        status: q.status,
        event_ticker: q.eventTicker,
        series_ticker: q.seriesTicker,
        tickers: q.tickers?.join(","),
        mve_filter: q.mveFilter,
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

  /** Follows `cursor` until it comes back empty, at most `maxPages` pages. */
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

/** A route as request fields: `market_ticker`, and `exchange_index` when known. */
function routeBody(route: OrderRoute): { market_ticker: string; exchange_index?: number } {
  return route.exchangeIndex === undefined
    ? { market_ticker: route.marketTicker }
    : { market_ticker: route.marketTicker, exchange_index: route.exchangeIndex };
}

function routeFields(route: OrderRoute): Record<string, string> {
  return Object.fromEntries(Object.entries(routeBody(route)).map(([k, v]) => [k, String(v)]));
}

/**
 * Which exchange shard serves a request (Kalshi exchange sharding). Creates route by the order's
 * `ticker` (done by the core). Cancel, amend, decrease and batch-cancel items route by
 * `market_ticker` (or `ticker`), else by an explicit `exchange_index`; with neither they go to
 * shard 0 — so a shard-1 order cancelled without them is unknown there and answered 404, as Kalshi
 * answers it. Values come from the JSON body or, for DELETE without a body, the query string.
 */
import type { PaperExchangeApi } from "../exchange/index.js";
import { isRecord } from "./order-bodies.js";

export type ShardRoute = { ok: true; shard: number } | { ok: false; code: string; message: string };

function field(body: unknown, query: URLSearchParams | undefined, name: string): unknown {
  if (isRecord(body) && body[name] !== undefined && body[name] !== null) return body[name];
  const q = query?.get(name);
  return q === null || q === undefined || q === "" ? undefined : q;
}

/** Resolves the serving shard of one request (or one batch item). */
export function routeShard(
  core: PaperExchangeApi,
  body: unknown,
  query?: URLSearchParams,
  tickerFields: readonly string[] = ["market_ticker"],
): ShardRoute {
  for (const name of tickerFields) {
    const ticker = field(body, query, name);
    if (ticker === undefined) continue;
    if (typeof ticker !== "string")
      return { ok: false, code: "invalid_parameters", message: `${name} must be a string` };
    const m = core.market(ticker);
    // An unknown ticker routes nowhere; Kalshi answers market not found.
    if (!m.ok) return { ok: false, code: "market_not_found", message: `market ${ticker} not found` };
    return { ok: true, shard: m.value.exchangeIndex };
  }
  const raw = field(body, query, "exchange_index");
  if (raw === undefined) return { ok: true, shard: 0 };
  const shard = typeof raw === "number" ? raw : Number(raw);
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= core.shardCount()) {
    return { ok: false, code: "invalid_parameters", message: `exchange_index ${String(raw)} does not exist` };
  }
  return { ok: true, shard };
}

/**
 * Query-string helpers shared by the REST routes: `limit` (default 100, max 1000) and cursor
 * pagination where the last page returns `cursor: ""` (kalshi-api-notes.md), plus error
 * replies in Kalshi's nested shape.
 */
import { type ExchangeError, renderError } from "../exchange/index.js";
import { json, type RestReply } from "./rest-router.js";

export class QueryError extends Error {
  constructor(readonly reply: RestReply) {
    super("query error");
  }
}

export function badRequest(code: string, message: string): RestReply {
  return json(400, { error: { code, message, details: "", service: "paper" } });
}

export function coreError(e: ExchangeError): RestReply {
  return json(e.status, renderError(e));
}

export function parseLimit(q: URLSearchParams): number {
  const raw = q.get("limit");
  if (raw === null || raw === "") return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new QueryError(badRequest("invalid_parameters", "limit must be an integer within 1..1000"));
  }
  return n;
}

/** A non-negative integer query parameter, or undefined when absent. */
export function parseIntParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new QueryError(badRequest("invalid_parameters", `${name} must be a non-negative integer`));
  }
  return n;
}

/**
 * One page of a list sorted by descending `seq` (newest first): the cursor is the `seq` of the
 * last item returned; items keep their place when newer ones arrive between pages.
 */
export function pageBySeq<T extends { seq: number }>(
  items: readonly T[],
  q: URLSearchParams,
): { page: T[]; cursor: string } {
  const limit = parseLimit(q);
  const after = parseIntParam(q, "cursor");
  let start = 0;
  if (after !== undefined) while (start < items.length && items[start]!.seq >= after) start++;
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, cursor: more && page.length > 0 ? String(page[page.length - 1]!.seq) : "" };
}

/** One page of a stable list by offset (markets, positions). */
export function pageByOffset<T>(items: readonly T[], q: URLSearchParams): { page: T[]; cursor: string } {
  const limit = parseLimit(q);
  const start = parseIntParam(q, "cursor") ?? 0;
  const page = items.slice(start, start + limit);
  return { page, cursor: start + limit < items.length ? String(start + limit) : "" };
}

/** `min_ts` / `max_ts` in Unix seconds → inclusive ms bounds. */
export function timeBounds(q: URLSearchParams): { minTsMs?: number; maxTsMs?: number } {
  const min = parseIntParam(q, "min_ts");
  const max = parseIntParam(q, "max_ts");
  const out: { minTsMs?: number; maxTsMs?: number } = {};
  if (min !== undefined) out.minTsMs = min * 1000;
  if (max !== undefined) out.maxTsMs = max * 1000 + 999;
  return out;
}

/** Runs a handler, turning QueryError into its 400 reply. */
export function guarded(fn: () => RestReply): RestReply {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QueryError) return err.reply;
    throw err;
  }
}

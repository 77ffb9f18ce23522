/**
 * Validation of V2 order-entry request bodies (kalshi-api-notes.md) into the core's typed
 * requests. Prices are YES-leg dollar strings on the $0.001 grid (the core checks the market's
 * own grid); counts are fixed-point strings with ≤ 2 decimals. Numbers are tolerated where
 * clients send them. Pure.
 */
import { countToHundredths, dollarsToTicks } from "../../kalshi/units.js";
import { SELF_TRADE_PREVENTION, TIME_IN_FORCE } from "../../kalshi/vocabulary.js";
import type {
  AmendRequest,
  CreateOrderRequest,
  DecreaseRequest,
  SelfTradePrevention,
  TimeInForce,
} from "../exchange/index.js";

export interface BodyError {
  status: 400;
  code: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: BodyError };

function bad(code: string, message: string): { ok: false; error: BodyError } {
  return { ok: false, error: { status: 400, code, message } };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const TIF: readonly TimeInForce[] = TIME_IN_FORCE;
const STP: readonly SelfTradePrevention[] = SELF_TRADE_PREVENTION;

function optBool(body: Record<string, unknown>, name: string): boolean | undefined | null {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  return typeof v === "boolean" ? v : null;
}

/** A count field (string or number) → positive hundredths, or NaN. */
export function parseCount(v: unknown): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  const h = countToHundredths(v);
  return Number.isSafeInteger(h) && h > 0 ? h : Number.NaN;
}

function parsePrice(v: unknown): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  return dollarsToTicks(v);
}

function checkSubaccount(body: Record<string, unknown>): BodyError | undefined {
  const s = body.subaccount;
  if (s === undefined || s === null || s === 0) return undefined;
  return {
    status: 400,
    code: "invalid_parameters",
    message: "subaccounts are not supported by the paper exchange",
  };
}

export function parseCreateOrder(body: unknown): Parsed<CreateOrderRequest> {
  if (!isRecord(body)) return bad("invalid_parameters", "request body must be a JSON object");
  const sub = checkSubaccount(body);
  if (sub) return { ok: false, error: sub };
  const { ticker, client_order_id: coid, side, time_in_force: tif } = body;
  if (typeof ticker !== "string" || ticker === "") return bad("invalid_parameters", "ticker is required");
  if (typeof coid !== "string" || coid === "" || coid.length > 128) {
    return bad("invalid_parameters", "client_order_id is required (string, ≤ 128 chars)");
  }
  if (side !== "bid" && side !== "ask") return bad("invalid_parameters", 'side must be "bid" or "ask"');
  const count = parseCount(body.count ?? body.count_fp);
  if (Number.isNaN(count)) return bad("invalid_count", "count must be a positive fixed-point count");
  const price = parsePrice(body.price);
  if (Number.isNaN(price))
    return bad("invalid_price", "price must be a dollar string strictly inside (0, 1)");
  if (typeof tif !== "string" || !(TIF as readonly string[]).includes(tif)) {
    return bad("invalid_parameters", `time_in_force must be one of ${TIF.join(", ")}`);
  }
  const stp = body.self_trade_prevention_type;
  if (typeof stp !== "string" || !(STP as readonly string[]).includes(stp)) {
    return bad("invalid_parameters", `self_trade_prevention_type must be one of ${STP.join(", ")}`);
  }
  const req: CreateOrderRequest = {
    ticker,
    clientOrderId: coid,
    side,
    yesPriceTicks: price,
    countHundredths: count,
    timeInForce: tif as TimeInForce,
    selfTradePrevention: stp as SelfTradePrevention,
  };
  const exp = body.expiration_time;
  if (exp !== undefined && exp !== null) {
    if (typeof exp !== "number" || !Number.isSafeInteger(exp) || exp <= 0) {
      return bad("invalid_parameters", "expiration_time must be Unix seconds");
    }
    // Only good_till_canceled may carry an expiration (kalshi-api-notes.md).
    if (tif !== "good_till_canceled") {
      return bad("invalid_parameters", "expiration_time is only allowed with good_till_canceled");
    }
    req.expirationTsMs = exp * 1000;
  }
  for (const [wire, key] of [
    ["post_only", "postOnly"],
    ["reduce_only", "reduceOnly"],
    ["cancel_order_on_pause", "cancelOrderOnPause"],
  ] as const) {
    const v = optBool(body, wire);
    if (v === null) return bad("invalid_parameters", `${wire} must be a boolean`);
    if (v !== undefined) req[key] = v;
  }
  const group = body.order_group_id;
  if (group !== undefined && group !== null) {
    if (typeof group !== "string") return bad("invalid_parameters", "order_group_id must be a string");
    req.orderGroupId = group;
  }
  return { ok: true, value: req };
}

export function parseAmend(body: unknown): Parsed<AmendRequest> {
  if (!isRecord(body)) return bad("invalid_parameters", "request body must be a JSON object");
  const price = parsePrice(body.price);
  if (Number.isNaN(price))
    return bad("invalid_price", "price must be a dollar string strictly inside (0, 1)");
  const count = parseCount(body.count ?? body.count_fp);
  if (Number.isNaN(count)) return bad("invalid_count", "count must be a positive fixed-point count");
  const req: AmendRequest = { yesPriceTicks: price, countHundredths: count };
  if (body.ticker !== undefined) {
    if (typeof body.ticker !== "string") return bad("invalid_parameters", "ticker must be a string");
    req.ticker = body.ticker;
  }
  if (body.side !== undefined) {
    if (body.side !== "bid" && body.side !== "ask")
      return bad("invalid_parameters", 'side must be "bid" or "ask"');
    req.side = body.side;
  }
  for (const [wire, key] of [
    ["client_order_id", "clientOrderId"],
    ["updated_client_order_id", "updatedClientOrderId"],
  ] as const) {
    const v = body[wire];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || v === "") return bad("invalid_parameters", `${wire} must be a string`);
    req[key] = v;
  }
  return { ok: true, value: req };
}

export function parseDecrease(body: unknown): Parsed<DecreaseRequest> {
  if (!isRecord(body)) return bad("invalid_parameters", "request body must be a JSON object");
  const by = body.reduce_by ?? body.reduce_by_fp;
  const to = body.reduce_to ?? body.reduce_to_fp;
  if ((by === undefined) === (to === undefined)) {
    return bad("invalid_parameters", "exactly one of reduce_by / reduce_to is required");
  }
  if (by !== undefined) {
    const h = parseCount(by);
    if (Number.isNaN(h)) return bad("invalid_count", "reduce_by must be a positive count");
    return { ok: true, value: { reduceByHundredths: h } };
  }
  const h = typeof to === "string" || typeof to === "number" ? countToHundredths(to) : Number.NaN;
  if (!(Number.isSafeInteger(h) && h >= 0)) return bad("invalid_count", "reduce_to must be a count ≥ 0");
  return { ok: true, value: { reduceToHundredths: h } };
}

/** One batch-cancel item: the order id and the item itself (its routing fields). */
export interface BatchCancelItem {
  orderId: string;
  item: unknown;
}

/**
 * Batch cancel: `{"orders":[{"order_id","market_ticker"?,"exchange_index"?}]}` or the legacy
 * `{"ids":[...]}`.
 */
export function parseBatchCancel(body: unknown, maxItems: number): Parsed<BatchCancelItem[]> {
  if (!isRecord(body)) return bad("invalid_parameters", "request body must be a JSON object");
  let items: BatchCancelItem[];
  if (Array.isArray(body.orders)) {
    items = body.orders.map((o) => ({ orderId: isRecord(o) ? (o.order_id as string) : "", item: o }));
  } else if (Array.isArray(body.ids)) {
    items = body.ids.map((id) => ({ orderId: id as string, item: undefined }));
  } else {
    return bad("invalid_parameters", "orders is required");
  }
  if (items.length === 0 || items.length > maxItems) {
    return bad("invalid_parameters", `a batch holds 1..${maxItems} orders`);
  }
  if (items.some((it) => typeof it.orderId !== "string" || it.orderId === "")) {
    return bad("invalid_parameters", "every item needs an order_id");
  }
  return { ok: true, value: items };
}

/**
 * V2 order entry (kalshi-api-notes.md), order groups, and the V1 write paths that now answer
 * "Please switch to the V2 endpoints".
 */
import { countToHundredths } from "../../kalshi/units.js";
import type { CreateOrderRequest, PaperExchangeApi } from "../exchange/index.js";
import {
  renderAmendResponse,
  renderCancelResponse,
  renderCreateOrderResponse,
  renderDecreaseResponse,
  renderError,
} from "../exchange/index.js";
import { isRecord, parseAmend, parseBatchCancel, parseCreateOrder, parseDecrease } from "./order-bodies.js";
import { badRequest, coreError } from "./rest-params.js";
import { json, type RestReply, type Router } from "./rest-router.js";
import { routeShard } from "./shard-routing.js";

/** Largest batch accepted (legacy docs: 20; kalshi-api-notes.md). */
export const MAX_BATCH_ITEMS = 20;

export function addOrderRoutes(router: Router, core: PaperExchangeApi): void {
  const base = "/portfolio/events/orders";

  router.add("POST", base, ({ userId, body }) => {
    const req = parseCreateOrder(body);
    if (!req.ok) return badRequest(req.error.code, req.error.message);
    const o = core.createOrder(userId, req.value);
    return o.ok ? json(201, renderCreateOrderResponse(o.value)) : coreError(o.error);
  });

  router.add("DELETE", `${base}/:id`, ({ userId, params, query, body }) => {
    const route = routeShard(core, body, query);
    if (!route.ok) return badRequest(route.code, route.message);
    const r = core.cancelOrder(userId, params.id!, route.shard);
    return r.ok
      ? json(200, renderCancelResponse(r.value.order, r.value.reducedByHundredths))
      : coreError(r.error);
  });

  router.add("POST", `${base}/:id/amend`, ({ userId, params, body, query }) => {
    const req = parseAmend(body);
    if (!req.ok) return badRequest(req.error.code, req.error.message);
    // Amend carries the market's `ticker`, which routes it like a create.
    const route = routeShard(core, body, query, ["ticker", "market_ticker"]);
    if (!route.ok) return badRequest(route.code, route.message);
    const o = core.amendOrder(userId, params.id!, req.value, route.shard);
    return o.ok ? json(200, renderAmendResponse(o.value)) : coreError(o.error);
  });

  router.add("POST", `${base}/:id/decrease`, ({ userId, params, body, query }) => {
    const req = parseDecrease(body);
    if (!req.ok) return badRequest(req.error.code, req.error.message);
    const route = routeShard(core, body, query);
    if (!route.ok) return badRequest(route.code, route.message);
    const o = core.decreaseOrder(userId, params.id!, req.value, route.shard);
    return o.ok ? json(200, renderDecreaseResponse(o.value)) : coreError(o.error);
  });

  router.add("POST", `${base}/batched`, ({ userId, body }) => {
    if (!isRecord(body) || !Array.isArray(body.orders))
      return badRequest("invalid_parameters", "orders is required");
    const items = body.orders;
    if (items.length === 0 || items.length > MAX_BATCH_ITEMS) {
      return badRequest("invalid_parameters", `a batch holds 1..${MAX_BATCH_ITEMS} orders`);
    }
    // Items are independent: a malformed item fails alone (a per-item `error`).
    const out: unknown[] = new Array(items.length);
    const valid: CreateOrderRequest[] = [];
    const slots: number[] = [];
    items.forEach((item, i) => {
      const req = parseCreateOrder(item);
      if (req.ok) {
        valid.push(req.value);
        slots.push(i);
      } else {
        const coid = isRecord(item) && typeof item.client_order_id === "string" ? item.client_order_id : null;
        out[i] = { order_id: null, client_order_id: coid, error: renderError(req.error).error };
      }
    });
    const results = core.batchCreate(userId, valid);
    results.forEach((r, k) => {
      const coid = valid[k]!.clientOrderId;
      out[slots[k]!] = r.ok
        ? renderCreateOrderResponse(r.value)
        : { order_id: null, client_order_id: coid, error: renderError(r.error).error };
    });
    return json(201, { orders: out });
  });

  router.add("DELETE", `${base}/batched`, ({ userId, body }) => {
    const items = parseBatchCancel(body, MAX_BATCH_ITEMS);
    if (!items.ok) return badRequest(items.error.code, items.error.message);
    // Each item routes alone; one that cannot be routed fails alone.
    const routes = items.value.map((it) => routeShard(core, it.item));
    const routed = items.value.map((it, i) => {
      const r = routes[i]!;
      return { orderId: it.orderId, shard: r.ok ? r.shard : -1 };
    });
    const results = core.batchCancel(userId, routed);
    const orders = results.map((r, i) =>
      r.ok
        ? renderCancelResponse(r.value.order, r.value.reducedByHundredths)
        : {
            order_id: items.value[i]!.orderId,
            client_order_id: null,
            reduced_by: "0.00",
            error: renderError(r.error).error,
          },
    );
    return json(200, { orders });
  });

  addOrderGroupRoutes(router, core);
  addV1WriteRefusals(router);
}

function contractsLimit(body: unknown): number {
  if (!isRecord(body)) return Number.NaN;
  const v = body.contracts_limit ?? body.contracts_limit_fp;
  if (typeof v !== "number" && typeof v !== "string") return Number.NaN;
  const h = countToHundredths(v);
  return Number.isSafeInteger(h) && h > 0 ? h : Number.NaN;
}

function addOrderGroupRoutes(router: Router, core: PaperExchangeApi): void {
  const base = "/portfolio/order_groups";
  // The REST group object has no `is_triggered` (triggers come on `order_group_updates`).
  const render = (g: {
    orderGroupId: string;
    exchangeIndex: number;
    contractsLimitHundredths: number;
    orderIds: readonly string[];
  }) => ({
    order_group_id: g.orderGroupId,
    id: g.orderGroupId,
    contracts_limit: Math.floor(g.contractsLimitHundredths / 100),
    contracts_limit_fp: (g.contractsLimitHundredths / 100).toFixed(2),
    is_auto_cancel_enabled: true,
    exchange_index: g.exchangeIndex,
    orders: g.orderIds,
  });
  const empty = (r: {
    ok: boolean;
    error?: { status: 400 | 403 | 404 | 409; code: string; message: string };
  }): RestReply => (r.ok ? json(200, "{}") : coreError(r.error!));

  router.add("POST", `${base}/create`, ({ userId, body, query }) => {
    const limit = contractsLimit(body);
    if (Number.isNaN(limit))
      return badRequest("invalid_parameters", "contracts_limit must be a positive count");
    const route = routeShard(core, body, query);
    if (!route.ok) return badRequest(route.code, route.message);
    const g = core.createOrderGroup(userId, limit, route.shard);
    return g.ok ? json(201, { order_group_id: g.value.orderGroupId }) : coreError(g.error);
  });
  router.add("GET", base, ({ userId }) =>
    json(200, { order_groups: core.listOrderGroups(userId).map(render) }),
  );
  router.add("GET", `${base}/:id`, ({ userId, params }) => {
    const g = core.getOrderGroup(userId, params.id!);
    return g.ok ? json(200, render(g.value)) : coreError(g.error);
  });
  router.add("PUT", `${base}/:id/reset`, ({ userId, params }) =>
    empty(core.resetOrderGroup(userId, params.id!)),
  );
  router.add("PUT", `${base}/:id/trigger`, ({ userId, params }) =>
    empty(core.triggerOrderGroup(userId, params.id!)),
  );
  router.add("PUT", `${base}/:id/limit`, ({ userId, params, body }) => {
    const limit = contractsLimit(body);
    if (Number.isNaN(limit))
      return badRequest("invalid_parameters", "contracts_limit must be a positive count");
    return empty(core.setOrderGroupLimit(userId, params.id!, limit));
  });
  router.add("DELETE", `${base}/:id`, ({ userId, params }) =>
    empty(core.deleteOrderGroup(userId, params.id!)),
  );
}

/** V1 writes were switched off in June 2026 (kalshi-api-notes.md); reads stay. */
function addV1WriteRefusals(router: Router): void {
  const refuse = (): RestReply =>
    badRequest("deprecated_endpoint", "Please switch to the V2 endpoints (/portfolio/events/orders)");
  router.add("POST", "/portfolio/orders", refuse);
  router.add("DELETE", "/portfolio/orders/:id", refuse);
  router.add("POST", "/portfolio/orders/:id/amend", refuse);
  router.add("POST", "/portfolio/orders/:id/decrease", refuse);
  router.add("POST", "/portfolio/orders/batched", refuse);
  router.add("DELETE", "/portfolio/orders/batched", refuse);
}

/**
 * Authenticated portfolio reads (kalshi-api-notes.md) and account limits: balance,
 * positions, orders, one order, fills, settlements — cursor-paginated, `cursor:""` on the last
 * page.
 */
import { formatMicros } from "../../kalshi/units.js";
import { ORDER_STATUSES } from "../../kalshi/vocabulary.js";
import type { OrderFilter, OrderStatus, PaperExchangeApi, PositionView } from "../exchange/index.js";
import {
  renderBalance,
  renderFill,
  renderOrder,
  renderPosition,
  renderSettlement,
  renderTransfer,
} from "../exchange/index.js";
import { DEFAULT_COST, type RateLimiter } from "../faults/rate-limiter.js";
import { badRequest, coreError, guarded, pageByOffset, pageBySeq, timeBounds } from "./rest-params.js";
import { json, type Router } from "./rest-router.js";

export function addPortfolioRoutes(router: Router, core: PaperExchangeApi, limiter: RateLimiter): void {
  router.add("GET", "/portfolio/balance", ({ userId }) => {
    const b = core.balance(userId);
    return b.ok ? json(200, renderBalance(b.value)) : coreError(b.error);
  });

  router.add("POST", "/portfolio/intra_exchange_instance_transfer", ({ userId, body }) => {
    const req = parseTransfer(body);
    if (typeof req === "string") return badRequest("invalid_parameters", req);
    const t = core.transfer(userId, req.from, req.to, req.amountMicros);
    return t.ok ? json(200, renderTransfer(t.value)) : coreError(t.error);
  });

  router.add("GET", "/portfolio/positions", ({ userId, query }) =>
    guarded(() => {
      const ticker = query.get("ticker") || undefined;
      let list = core.positions(userId, ticker);
      const event = query.get("event_ticker");
      if (event) list = list.filter((p) => p.eventTicker === event);
      const filter = query.get("count_filter");
      if (filter) {
        // Keep positions with any of the named fields non-zero.
        const fields = filter.split(",");
        list = list.filter(
          (p) =>
            (fields.includes("position") && p.positionHundredths !== 0) ||
            (fields.includes("total_traded") && p.totalTradedMicros !== 0),
        );
      }
      const { page, cursor } = pageByOffset(list, query);
      return json(200, {
        market_positions: page.map(renderPosition),
        event_positions: eventPositions(page),
        cursor,
      });
    }),
  );

  router.add("GET", "/portfolio/orders", ({ userId, query }) =>
    guarded(() => {
      const filter: OrderFilter = timeBounds(query);
      const ticker = query.get("ticker");
      if (ticker) filter.ticker = ticker;
      const event = query.get("event_ticker");
      const status = query.get("status");
      if (status) {
        if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
          return badRequest("invalid_parameters", "status must be one of resting, canceled, executed");
        }
        filter.status = status as OrderStatus;
      }
      let list = core.listOrders(userId, filter);
      if (event) {
        const events = new Set(event.split(","));
        list = list.filter((o) => {
          const m = core.market(o.ticker);
          return m.ok && events.has(m.value.eventTicker);
        });
      }
      const { page, cursor } = pageBySeq(list, query);
      return json(200, { orders: page.map(renderOrder), cursor });
    }),
  );

  router.add("GET", "/portfolio/orders/:id", ({ userId, params }) => {
    const o = core.getOrder(userId, params.id!);
    return o.ok ? json(200, { order: renderOrder(o.value) }) : coreError(o.error);
  });

  router.add("GET", "/portfolio/fills", ({ userId, query }) =>
    guarded(() => {
      const filter = timeBounds(query) as {
        ticker?: string;
        orderId?: string;
        minTsMs?: number;
        maxTsMs?: number;
      };
      const ticker = query.get("ticker");
      if (ticker) filter.ticker = ticker;
      const orderId = query.get("order_id");
      if (orderId) filter.orderId = orderId;
      const { page, cursor } = pageBySeq(core.listFills(userId, filter), query);
      return json(200, { fills: page.map(renderFill), cursor });
    }),
  );

  router.add("GET", "/portfolio/settlements", ({ userId, query }) =>
    guarded(() => {
      const { page, cursor } = pageByOffset(core.settlements(userId), query);
      return json(200, { settlements: page.map(renderSettlement), cursor });
    }),
  );

  router.add("GET", "/account/limits", () => json(200, limiter.limitsBody()));

  router.add("GET", "/account/endpoint_costs", () =>
    json(200, {
      default_cost: DEFAULT_COST,
      endpoint_costs: [
        { method: "DELETE", path: "/portfolio/events/orders/{order_id}", cost: 2 },
        { method: "DELETE", path: "/portfolio/events/orders/batched", cost: 2 },
        { method: "POST", path: "/portfolio/events/orders/batched", cost: 10 },
        { method: "GET", path: "/portfolio/orders/{order_id}", cost: 2 },
        { method: "POST", path: "/portfolio/orders", cost: 100 },
      ],
    }),
  );
}

function eventPositions(positions: readonly PositionView[]): unknown[] {
  const byEvent = new Map<
    string,
    { cost: number; pnl: number; fees: number; resting: number; traded: number }
  >();
  for (const p of positions) {
    const e = byEvent.get(p.eventTicker) ?? { cost: 0, pnl: 0, fees: 0, resting: 0, traded: 0 };
    e.cost += p.costBasisMicros;
    e.pnl += p.realizedPnlMicros;
    e.fees += p.feesPaidMicros;
    e.resting += p.restingOrdersCount;
    e.traded += p.totalTradedMicros;
    byEvent.set(p.eventTicker, e);
  }
  return [...byEvent].map(([event, e]) => ({
    event_ticker: event,
    event_exposure_dollars: formatMicros(e.cost),
    total_cost_dollars: formatMicros(e.traded),
    realized_pnl_dollars: formatMicros(e.pnl),
    fees_paid_dollars: formatMicros(e.fees),
    resting_orders_count: e.resting,
  }));
}

/**
 * Transfer body (docs.kalshi.com Intra Account Transfer): `source_exchange_shard`,
 * `destination_exchange_shard` and `amount` in centi-cents ($0.0001 = 100 micros). Returns the
 * request or what is wrong with it.
 */
function parseTransfer(body: unknown): { from: number; to: number; amountMicros: number } | string {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return "request body must be a JSON object";
  const b = body as Record<string, unknown>;
  const from = b.source_exchange_shard;
  const to = b.destination_exchange_shard;
  const amount = b.amount;
  if (typeof from !== "number" || typeof to !== "number")
    return "source_exchange_shard and destination_exchange_shard are required integers";
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
    return "amount must be a positive integer count of centi-cents";
  return { from, to, amountMicros: amount * 100 };
}

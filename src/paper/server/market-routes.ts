/**
 * Public market-data routes (kalshi-api-notes.md): exchange status, markets, one market,
 * orderbooks. They work without auth headers.
 */
import type { MarketStatus, MarketView, PaperExchangeApi, PauseWindow } from "../exchange/index.js";
import { renderMarket, renderOrderbook } from "../exchange/index.js";
import { badRequest, coreError, guarded, pageByOffset, parseIntParam } from "./rest-params.js";
import { json, type Router } from "./rest-router.js";

/** The `status` query filter has its own vocabulary; `active` is invalid there. */
const STATUS_FILTER: Record<string, readonly MarketStatus[]> = {
  unopened: ["initialized"],
  open: ["active"],
  paused: ["inactive"],
  closed: ["closed", "determined", "disputed", "amended"],
  settled: ["finalized"],
};

export function addMarketRoutes(
  router: Router,
  core: PaperExchangeApi,
  marketIds: ReadonlyMap<string, string>,
): void {
  const withId = (m: MarketView): Record<string, unknown> => ({
    ...renderMarket(m),
    market_id: marketIds.get(m.ticker),
  });

  // Status per shard: `exchange_index` picks one (default 0, as requests route by default).
  router.add(
    "GET",
    "/exchange/status",
    ({ query }) =>
      guarded(() => {
        const shard = parseIntParam(query, "exchange_index") ?? 0;
        if (shard >= core.shardCount()) return badRequest("invalid_parameters", "no such exchange_index");
        const st = core.exchangeStatus(shard);
        return json(200, {
          exchange_active: st.exchangeActive,
          trading_active: st.tradingActive,
          exchange_estimated_resume_time:
            st.resumeTsMs === undefined ? null : new Date(st.resumeTsMs).toISOString(),
        });
      }),
    true,
  );

  // Series carry the fee schedule (fee_type, fee_multiplier); fills' fee_cost stays authoritative.
  const seriesOf = (): Map<string, Record<string, unknown>> => {
    const out = new Map<string, Record<string, unknown>>();
    for (const m of core.markets()) {
      if (out.has(m.seriesTicker)) continue;
      out.set(m.seriesTicker, {
        ticker: m.seriesTicker,
        category: m.category,
        fee_type: m.feeType,
        fee_multiplier: m.feeMultiplierBp / 10_000,
      });
    }
    return out;
  };
  router.add("GET", "/series", () => json(200, { series: [...seriesOf().values()] }), true);
  router.add(
    "GET",
    "/series/:ticker",
    ({ params }) => {
      const s = seriesOf().get(params.ticker!);
      return s === undefined
        ? json(404, {
            error: {
              code: "not_found",
              message: `series ${params.ticker} not found`,
              details: "",
              service: "paper",
            },
          })
        : json(200, { series: s });
    },
    true,
  );

  router.add("GET", "/exchange/schedule", () => json(200, { schedule: renderSchedule(core.pauses()) }), true);

  router.add(
    "GET",
    "/markets",
    ({ query }) =>
      guarded(() => {
        let list = core.markets();
        const status = query.get("status");
        if (status !== null && status !== "") {
          const allowed = STATUS_FILTER[status];
          if (allowed === undefined) {
            return badRequest(
              "invalid_parameters",
              "status must be one of unopened, open, paused, closed, settled",
            );
          }
          list = list.filter((m) => allowed.includes(m.status));
        }
        const tickers = query.get("tickers");
        if (tickers !== null && tickers !== "") {
          const wanted = new Set(tickers.split(","));
          list = list.filter((m) => wanted.has(m.ticker));
        }
        // mve_filter: "exclude" leaves combos (multivariate markets) out, "only" keeps just them.
        const mve = query.get("mve_filter");
        if (mve !== null && mve !== "") {
          if (mve !== "exclude" && mve !== "only")
            return badRequest("invalid_parameters", "mve_filter must be one of only, exclude");
          const only = mve === "only";
          list = list.filter((m) => (m.mveCollectionTicker !== undefined) === only);
        }
        const event = query.get("event_ticker");
        if (event !== null && event !== "") list = list.filter((m) => m.eventTicker === event);
        const series = query.get("series_ticker");
        if (series !== null && series !== "") list = list.filter((m) => m.seriesTicker === series);
        const { page, cursor } = pageByOffset(list, query);
        return json(200, { markets: page.map(withId), cursor });
      }),
    true,
  );

  router.add(
    "GET",
    "/markets/orderbooks",
    ({ query }) =>
      guarded(() => {
        const tickers = (query.get("tickers") ?? "").split(",").filter((t) => t !== "");
        if (tickers.length === 0) return badRequest("invalid_parameters", "tickers is required");
        const orderbooks: unknown[] = [];
        for (const t of tickers) {
          const book = core.orderbook(t, 0);
          if (!book.ok) return coreError(book.error);
          orderbooks.push({ ticker: t, ...renderOrderbook(book.value) });
        }
        return json(200, { orderbooks });
      }),
    true,
  );

  router.add(
    "GET",
    "/markets/:ticker",
    ({ params }) => {
      const m = core.market(params.ticker!);
      return m.ok ? json(200, { market: withId(m.value) }) : coreError(m.error);
    },
    true,
  );

  router.add(
    "GET",
    "/markets/:ticker/orderbook",
    ({ params, query }) =>
      guarded(() => {
        const depth = parseIntParam(query, "depth") ?? 0;
        const book = core.orderbook(params.ticker!, depth);
        return book.ok ? json(200, renderOrderbook(book.value)) : coreError(book.error);
      }),
    true,
  );
}

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/**
 * `GET /exchange/schedule` body: trading around the clock every day (ET), and each maintenance
 * pause as `{start_datetime, end_datetime}` plus `exchange_index` when it covers one shard only.
 */
function renderSchedule(pauses: readonly PauseWindow[]): Record<string, unknown> {
  const day = [{ open_time: "00:00", close_time: "24:00" }];
  return {
    standard_hours: [
      {
        start_time: "2020-01-01T00:00:00Z",
        end_time: "2100-01-01T00:00:00Z",
        ...Object.fromEntries(DAYS.map((d) => [d, day])),
      },
    ],
    maintenance_windows: pauses.map((p) => ({
      start_datetime: new Date(p.startMs).toISOString(),
      end_datetime: new Date(p.endMs).toISOString(),
      ...(p.shard === undefined ? {} : { exchange_index: p.shard }),
    })),
  };
}

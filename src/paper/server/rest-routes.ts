/** The paper exchange's REST route table under `/trade-api/v2` (kalshi-api-notes.md). */
import type { PaperExchangeApi } from "../exchange/index.js";
import type { RateLimiter } from "../faults/rate-limiter.js";
import { addMarketRoutes } from "./market-routes.js";
import { addOrderRoutes } from "./order-routes.js";
import { addPortfolioRoutes } from "./portfolio-routes.js";
import { Router } from "./rest-router.js";

export interface RouteDeps {
  core: PaperExchangeApi;
  marketIds: ReadonlyMap<string, string>;
  limiter: RateLimiter;
}

export function buildRoutes(deps: RouteDeps): Router {
  const router = new Router();
  addMarketRoutes(router, deps.core, deps.marketIds);
  addPortfolioRoutes(router, deps.core, deps.limiter);
  addOrderRoutes(router, deps.core);
  return router;
}

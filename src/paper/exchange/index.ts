/**
 * Entry point of the paper exchange core; the server imports from here only.
 *
 * - `PaperExchange` (exchange.ts): `new PaperExchange({ markets, clock, feeConfig?, listener? })`,
 *   implements `PaperExchangeApi` (api.ts).
 * - Renderers (render.ts): the only place dollar strings are produced.
 */
export * from "./api.js";
export { PaperExchange } from "./exchange.js";
export { DEFAULT_MAKER_RATE_PPM, DEFAULT_TAKER_RATE_PPM, oneShotFeeMicros } from "./fees.js";
export { gridOf, isOnGrid, priceRanges, snapToGrid } from "./grid.js";
export {
  renderAmendResponse,
  renderBalance,
  renderCancelResponse,
  renderCreateOrderResponse,
  renderDecreaseResponse,
  renderError,
  renderFill,
  renderMarket,
  renderMarketPositionMsg,
  renderOrder,
  renderOrderbook,
  renderPosition,
  renderSettlement,
  renderTransfer,
} from "./render.js";

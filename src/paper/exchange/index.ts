/**
 * Entry point of the paper exchange core; the server imports from here only.
 *
 * - `PaperExchange` (exchange.ts): `new PaperExchange({ markets, clock, feeConfig?, listener? })`,
 *   implements `PaperExchangeApi` (api.ts).
 * - Renderers (render.ts): `renderOrder`, `renderFill`, `renderPosition`, `renderBalance`,
 *   `renderMarket`, `renderOrderbook`, `renderSettlement`, `renderCreateOrderResponse`,
 *   `renderCancelResponse`, `renderAmendResponse`, `renderDecreaseResponse`, `renderError` —
 *   the only place dollar strings are produced.
 */
export * from "./api.js";
export { isOnGrid, priceRanges, snapToGrid } from "./grid.js";

/**
 * The words of Kalshi's trading API, declared once (pure, shared by every thread and by the paper
 * exchange): book sides, contract sides, order and fill actions, time in force, self-trade
 * prevention, order statuses. The engine's parsers (src/kalshi/adapter/) and the paper exchange's
 * renderers both import them from here, so the two sides of a socket cannot drift apart.
 */

/** V2 book side (kalshi-api-notes.md): `bid` = buy YES at p; `ask` = sell YES at p = buy NO at $1 − p. */
export const BOOK_SIDES = ["bid", "ask"] as const;
export type BookSide = (typeof BOOK_SIDES)[number];

/** Contract (outcome) side: the YES bids and the NO bids of a book (kalshi-api-notes.md). */
export const CONTRACT_SIDES = ["yes", "no"] as const;
export type ContractSide = (typeof CONTRACT_SIDES)[number];

/** Legacy order action (V1 `action`), also the action of an engine order event. */
export const ORDER_ACTIONS = ["buy", "sell"] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/**
 * `action` of a `fill` message (kalshi-api-notes.md): Kalshi may send any of these, and "an
 * unknown action is emitted as an empty string". It is informational only: the book side, the
 * price and the counts are what a ledger uses, so a fill is never refused for its action.
 */
export const FILL_ACTIONS = ["buy", "sell", "sell_partial", "sell_to_close", ""] as const;
export type FillAction = (typeof FILL_ACTIONS)[number];

export const TIME_IN_FORCE = ["good_till_canceled", "immediate_or_cancel", "fill_or_kill"] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const SELF_TRADE_PREVENTION = ["taker_at_cross", "maker"] as const;
export type SelfTradePrevention = (typeof SELF_TRADE_PREVENTION)[number];

/** Status of an order on the exchange (`GET /portfolio/orders`, `user_order`). */
export const ORDER_STATUSES = ["resting", "canceled", "executed"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A fill action as Kalshi defines it: anything else reads as "" (unknown), never as an error. */
export function fillActionOf(value: unknown): FillAction {
  return typeof value === "string" && (FILL_ACTIONS as readonly string[]).includes(value)
    ? (value as FillAction)
    : "";
}

/** Every sell variant sells; "" (unknown) is not a sell. */
export function isSellAction(action: FillAction | OrderAction): boolean {
  return action === "sell" || action === "sell_partial" || action === "sell_to_close";
}

/**
 * The book side of a legacy (contract side, action) pair (kalshi-api-notes.md): buy YES and
 * sell NO are bids; buy NO and sell YES are asks. An unknown action reads as a buy of `side`.
 */
export function bookSideOfContract(side: ContractSide, action: FillAction | OrderAction): BookSide {
  return (side === "yes") !== isSellAction(action) ? "bid" : "ask";
}

export function isBookSide(value: unknown): value is BookSide {
  return value === "bid" || value === "ask";
}

export function isContractSide(value: unknown): value is ContractSide {
  return value === "yes" || value === "no";
}

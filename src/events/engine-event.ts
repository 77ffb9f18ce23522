/**
 * Engine events as plain TypeScript objects (pure, shared): what components hand to io's event
 * stream and what `/events` clients receive (FlatBuffers per schemas/events.fbs, or JSON).
 *
 * Units are in the names: prices in ticks of $0.0001, counts in hundredths of a contract, money
 * in micros of a dollar, timestamps in microseconds since the Unix epoch (integers that a JS
 * number holds exactly). Absent text is "" so a FlatBuffers round trip is exact.
 */

export const DECISION_ACTIONS = ["hold", "buy_yes", "sell_yes", "buy_no", "sell_no"] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

import { CONTRACT_SIDES, type ContractSide, type OrderAction } from "../kalshi/vocabulary.js";

export { ORDER_ACTIONS, type OrderAction } from "../kalshi/vocabulary.js";
export const SIDES = CONTRACT_SIDES;
export type Side = ContractSide;

/** refused: the engine's own risk or ledger check refused the order; it never reached the exchange */
export const ORDER_STATUSES = ["sent", "acked", "rejected", "canceled", "amended", "refused"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const BREAKER_STATES = ["armed", "tripped"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export const FEED_STATUSES = ["connected", "disconnected", "reconnect", "gap", "resnapshot"] as const;
export type FeedStatus = (typeof FEED_STATUSES)[number];

export interface EventHeader {
  /** io's event sequence number; a client that sees a gap knows events were dropped for it */
  seq: number;
  tsUs: number;
}

export interface DecisionEvent extends EventHeader {
  kind: "decision";
  market: string;
  action: DecisionAction;
  sizeHundredths: number;
  bookSeq: number;
  recvTsUs: number;
  decisionTsUs: number;
  /** "" when executed, else why not (a drop reason such as "stale_book") */
  skippedReason: string;
  /** the limit price on the order's own side (0: none computed) */
  priceTicks: number;
  /** rows in the policy run that produced it */
  batchSize: number;
  /** the market's applied-update count the observation saw (with bookSeq: the book it decided on) */
  appliedCount: number;
}

/** HOLD decisions are counted, not streamed: one event per interval with their number. */
export interface HoldsEvent extends EventHeader {
  kind: "holds";
  count: number;
  intervalMs: number;
}

export interface OrderEvent extends EventHeader {
  kind: "order";
  status: OrderStatus;
  clientOrderId: string;
  /** "" until the exchange assigned one */
  orderId: string;
  market: string;
  side: Side;
  action: OrderAction;
  priceTicks: number;
  countHundredths: number;
  reason: string;
}

export interface FillEvent extends EventHeader {
  kind: "fill";
  fillId: string;
  orderId: string;
  market: string;
  side: Side;
  action: OrderAction;
  priceTicks: number;
  countHundredths: number;
  feeMicros: number;
}

export interface PositionEvent extends EventHeader {
  kind: "position";
  market: string;
  /** signed: positive = YES held, negative = NO held */
  contractsHundredths: number;
  costBasisMicros: number;
}

export interface PnlEvent extends EventHeader {
  kind: "pnl";
  /** realised on closed contracts, before fees */
  realisedMicros: number;
  /** held contracts at the book mid minus their cost basis */
  unrealisedMicros: number;
  feesMicros: number;
}

export interface BreakerEvent extends EventHeader {
  kind: "breaker";
  name: string;
  state: BreakerState;
  reason: string;
}

export interface KillEvent extends EventHeader {
  kind: "kill";
  engaged: boolean;
  reason: string;
}

export interface FeedEvent extends EventHeader {
  kind: "feed";
  status: FeedStatus;
  sid: number;
  markets: number;
  reason: string;
}

/** A market settled: the held position paid out and closed. */
export interface SettlementEvent extends EventHeader {
  kind: "settlement";
  market: string;
  /** payout of one YES contract (a NO contract gets the rest of $1); -1: void, returned at cost */
  yesPayoutMicros: number;
  /** the position that closed, signed: + YES, − NO */
  closedHundredths: number;
  proceedsMicros: number;
  realisedMicros: number;
}

export const TRANSFER_RESULTS = ["ok", "refused", "unknown"] as const;
export type TransferResult = (typeof TRANSFER_RESULTS)[number];

/** Funds moved between exchange shards before an order whose shard lacked free cash. */
export interface TransferEvent extends EventHeader {
  kind: "transfer";
  /** the engine's own id of the transfer (its order-journal record) */
  id: string;
  fromShard: number;
  toShard: number;
  amountMicros: number;
  /** unknown: never resent; the balance breakdown settles where the money is */
  result: TransferResult;
  /** ok: the exchange's transfer id; refused: its code; unknown: why */
  detail: string;
}

export type EngineEvent =
  | SettlementEvent
  | TransferEvent
  | DecisionEvent
  | OrderEvent
  | FillEvent
  | PositionEvent
  | PnlEvent
  | BreakerEvent
  | KillEvent
  | FeedEvent
  | HoldsEvent;

export type EngineEventKind = EngineEvent["kind"];

/**
 * One open order as the orders thread's ledger holds it (not an event: the rows of a snapshot a
 * client loads before following `/events`): an `OrderEvent`'s fields (total count, own-side
 * price) and what has filled.
 */
export interface OpenOrder
  extends Pick<
    OrderEvent,
    "clientOrderId" | "orderId" | "market" | "side" | "action" | "priceTicks" | "countHundredths"
  > {
  filledHundredths: number;
}

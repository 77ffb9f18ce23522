/**
 * Internal mutable records of the paper exchange. Public views (api.ts) are read-only aliases of
 * these same objects, so reads never copy.
 */
import { TICKS_PER_DOLLAR } from "../../kalshi/units.js";
import type {
  BookSide,
  ExchangeListener,
  FeeType,
  FillView,
  MarketResult,
  MarketStatus,
  OrderView,
  PauseWindow,
  PriceLevelStructure,
  SettlementView,
} from "./api.js";
import type { Book } from "./book.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface OrderRecord extends Mutable<OrderView> {
  /** FIFO links inside the price level while resting. */
  prev: OrderRecord | null;
  next: OrderRecord | null;
  inBook: boolean;
  /** Rounding fees paid and not yet rebated (fees.ts), micros. */
  feeRoundingMicros: number;
  market: MarketState;
  account: Account;
  position: PositionRecord;
}

export interface PositionRecord {
  ticker: string;
  eventTicker: string;
  positionHundredths: number;
  costBasisMicros: number;
  realizedPnlMicros: number;
  feesPaidMicros: number;
  totalTradedMicros: number;
  volumeHundredths: number;
  restingOrdersCount: number;
  lastUpdatedTsMs: number;
  /** Remaining of the user's resting bids / asks here: used to size holds (see api.ts). */
  restingBidHundredths: number;
  restingAskHundredths: number;
}

export interface OrderGroupRecord {
  orderGroupId: string;
  userId: string;
  exchangeIndex: number;
  contractsLimitHundredths: number;
  isTriggered: boolean;
  windowFilledHundredths: number;
  /** Rolling window of fills: parallel FIFO arrays with a head index (amortised O(1)). */
  windowTsMs: number[];
  windowHundredths: number[];
  windowHead: number;
  orders: Set<OrderRecord>;
  deleted: boolean;
}

export interface Account {
  userId: string;
  /** Totals over the shards (cash.ts keeps them equal to the sums). */
  balanceMicros: number;
  heldMicros: number;
  /** Available / held cash per exchange shard, indexed by `exchange_index`. */
  shardBalanceMicros: number[];
  shardHeldMicros: number[];
  depositsMicros: number;
  updatedTsMs: number;
  /** False for simulator accounts: finished orders and fills are not retained (see api.ts). */
  keepHistory: boolean;
  /** categories refused to this account's key (lapsed location attestation) */
  refusedCategories: ReadonlySet<string>;
  positions: Map<string, PositionRecord>;
  /** Creation order (ascending seq). */
  orders: OrderRecord[];
  ordersByClientId: Map<string, OrderRecord>;
  fills: FillView[];
  settlements: SettlementView[];
  groups: Map<string, OrderGroupRecord>;
}

export interface MarketState {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  /** The exchange shard (matching engine) the market lives on. */
  exchangeIndex: number;
  mveCollectionTicker: string | undefined;
  category: string;
  priceLevelStructure: PriceLevelStructure;
  feeType: FeeType;
  feeMultiplierBp: number;
  fractionalTradingEnabled: boolean;
  status: MarketStatus;
  book: Book;
  lastPriceTicks: number;
  volumeHundredths: number;
  openInterestHundredths: number;
  result: MarketResult | undefined;
  settledTsMs: number | undefined;
  closeTsMs: number | undefined;
  determinedTsMs: number | undefined;
  /** Accounts that ever held a position here (settlement walks them). */
  holders: Set<Account>;
}

/** Everything the operation modules share; owned by one PaperExchange. */
export interface ExchangeState {
  clock: () => number;
  listener: ExchangeListener | undefined;
  /** Exchange shards 0..shardCount-1 (at least 1). */
  shardCount: number;
  transferSeq: number;
  pauses: readonly PauseWindow[];
  /** indexes of pauses whose start was already applied (cancel-on-pause orders cancelled) */
  pausesBegun: Set<number>;
  takerRatePpm: number;
  makerRatePpm: number;
  markets: Map<string, MarketState>;
  accounts: Map<string, Account>;
  ordersById: Map<string, OrderRecord>;
  groupsById: Map<string, OrderGroupRecord>;
  /** Resting orders with an expiration time. */
  expiring: Set<OrderRecord>;
  nextExpiryTsMs: number;
  orderSeq: number;
  fillSeq: number;
  tradeSeq: number;
  groupSeq: number;
}

/** Deterministic UUID-shaped ids: the first group names the kind, the last is a counter. */
export function makeId(kind: number, n: number): string {
  return `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}
export const ID_ORDER = 1;
export const ID_FILL = 2;
export const ID_TRADE = 3;
export const ID_GROUP = 4;
export const ID_TRANSFER = 5;

/** Cash on an order's own leg per hundredth at a YES price: bid pays p, ask pays $1 − p. */
export function legTicks(side: BookSide, yesPriceTicks: number): number {
  return side === "bid" ? yesPriceTicks : TICKS_PER_DOLLAR - yesPriceTicks;
}

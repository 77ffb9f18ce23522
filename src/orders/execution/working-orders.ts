/**
 * One working order per market and direction (orders thread; pure planner + small registry).
 *
 * correctness-rules.md rule 14: a new decision cancels conflicting orders (the opposite direction) and
 * amends — or leaves — an existing same-direction order; it never stacks a second one.
 * correctness-rules.md rule 15: while any write's outcome is unknown (or a create has not been acked yet),
 * further writes for that market wait for reconciliation.
 *
 * Direction = V2 book side: `bid` (BUY_YES, SELL_NO) or `ask` (BUY_NO, SELL_YES).
 */

import type { BookSide } from "../../kalshi/vocabulary.js";
import type { EngineAction } from "../accounts/ledger.js";
import type { OrderState } from "./order-states.js";

export interface WorkingOrder {
  clientOrderId: string;
  exchangeOrderId: string;
  side: BookSide;
  /** BUY_YES / SELL_NO are bids, BUY_NO / SELL_YES asks */
  action: EngineAction;
  yesPriceTicks: number;
  /** total count of the order (filled + resting) */
  countHundredths: number;
  filledHundredths: number;
  placedMs: number;
  /** moved only by order-lifecycle.ts, along the table of order-states.ts */
  state: OrderState;
}

export interface DesiredOrder {
  side: BookSide;
  action: EngineAction;
  yesPriceTicks: number;
  /** the size that should be resting after the plan */
  restingHundredths: number;
}

export type OrderOp =
  | { op: "create"; side: BookSide; action: EngineAction; yesPriceTicks: number; countHundredths: number }
  | { op: "amend"; clientOrderId: string; yesPriceTicks: number; totalCountHundredths: number }
  | { op: "cancel"; clientOrderId: string }
  | { op: "wait"; reason: "outcome_unknown" | "write_in_flight" };

/** The writes that turn the market's working orders into the desired one (rule 14). */
export function planOrderOps(
  bid: WorkingOrder | undefined,
  ask: WorkingOrder | undefined,
  want: DesiredOrder,
): OrderOp[] {
  if (bid?.state === "unknown" || ask?.state === "unknown")
    return [{ op: "wait", reason: "outcome_unknown" }];
  const same = want.side === "bid" ? bid : ask;
  const other = want.side === "bid" ? ask : bid;
  if (same !== undefined && same.state !== "resting") return [{ op: "wait", reason: "write_in_flight" }];
  const ops: OrderOp[] = [];
  if (other !== undefined && other.state !== "changing") {
    if (other.state === "pending") return [{ op: "wait", reason: "write_in_flight" }];
    ops.push({ op: "cancel", clientOrderId: other.clientOrderId });
  }
  const create: OrderOp = {
    op: "create",
    side: want.side,
    action: want.action,
    yesPriceTicks: want.yesPriceTicks,
    countHundredths: want.restingHundredths,
  };
  if (same === undefined) {
    ops.push(create);
    return ops;
  }
  if (same.action !== want.action) {
    // same book side, other meaning (BUY_YES vs SELL_NO): its reservation differs, so replace it
    ops.push({ op: "cancel", clientOrderId: same.clientOrderId }, create);
    return ops;
  }
  const resting = same.countHundredths - same.filledHundredths;
  if (same.yesPriceTicks === want.yesPriceTicks && resting === want.restingHundredths) return ops; // leave it
  ops.push({
    op: "amend",
    clientOrderId: same.clientOrderId,
    yesPriceTicks: want.yesPriceTicks,
    totalCountHundredths: same.filledHundredths + want.restingHundredths,
  });
  return ops;
}

/** What others may read of the working orders (changes go through order-lifecycle.ts). */
export type ReadonlyWorkingOrders = Pick<WorkingOrders, "get" | "find" | "hasUnknown" | "all" | "size">;

/** Working orders of every market, keyed by market index and side. */
export class WorkingOrders {
  private readonly bids = new Map<number, WorkingOrder>();
  private readonly asks = new Map<number, WorkingOrder>();
  private readonly byClientId = new Map<string, { market: number; side: BookSide }>();

  get(market: number, side: BookSide): WorkingOrder | undefined {
    return (side === "bid" ? this.bids : this.asks).get(market);
  }

  set(market: number, order: WorkingOrder): void {
    const prev = this.get(market, order.side);
    if (prev !== undefined) this.byClientId.delete(prev.clientOrderId);
    (order.side === "bid" ? this.bids : this.asks).set(market, order);
    this.byClientId.set(order.clientOrderId, { market, side: order.side });
  }

  find(clientOrderId: string): { market: number; order: WorkingOrder } | undefined {
    const where = this.byClientId.get(clientOrderId);
    if (where === undefined) return undefined;
    const order = this.get(where.market, where.side);
    return order === undefined ? undefined : { market: where.market, order };
  }

  /** An amend can change the client order id (`updated_client_order_id`). */
  rename(oldClientOrderId: string, newClientOrderId: string): void {
    const where = this.byClientId.get(oldClientOrderId);
    if (where === undefined) return;
    const o = this.get(where.market, where.side);
    if (o === undefined) return;
    this.byClientId.delete(oldClientOrderId);
    o.clientOrderId = newClientOrderId;
    this.byClientId.set(newClientOrderId, where);
  }

  remove(clientOrderId: string): void {
    const where = this.byClientId.get(clientOrderId);
    if (where === undefined) return;
    this.byClientId.delete(clientOrderId);
    const map = where.side === "bid" ? this.bids : this.asks;
    if (map.get(where.market)?.clientOrderId === clientOrderId) map.delete(where.market);
  }

  hasUnknown(market: number): boolean {
    return this.bids.get(market)?.state === "unknown" || this.asks.get(market)?.state === "unknown";
  }

  *all(): IterableIterator<{ market: number; order: WorkingOrder }> {
    for (const [market, order] of this.bids) yield { market, order };
    for (const [market, order] of this.asks) yield { market, order };
  }

  get size(): number {
    return this.byClientId.size;
  }
}

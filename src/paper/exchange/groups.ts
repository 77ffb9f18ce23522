/**
 * Order groups: a contract-limit kill switch over a rolling 15 s window (kalshi-api-notes.md).
 * Every fill of a group's order adds to the window; when the window total reaches the limit the
 * group triggers: its resting orders are canceled and new orders in it are rejected until reset.
 */
import type { ExchangeError, GroupEvent, OrderGroupView, Result } from "./api.js";
import { ORDER_GROUP_WINDOW_MS } from "./api.js";
import { cancelResting } from "./ops.js";
import type { Account, ExchangeState, OrderGroupRecord, OrderRecord } from "./state.js";
import { ID_GROUP, makeId } from "./state.js";

function err(status: 400 | 404, code: string, message: string): { ok: false; error: ExchangeError } {
  return { ok: false, error: { status, code, message } };
}

/** Drops fills older than the window. */
function advanceWindow(group: OrderGroupRecord, nowMs: number): void {
  const from = nowMs - ORDER_GROUP_WINDOW_MS;
  while (group.windowHead < group.windowTsMs.length && group.windowTsMs[group.windowHead]! <= from) {
    group.windowFilledHundredths -= group.windowHundredths[group.windowHead]!;
    group.windowHead++;
  }
  if (group.windowHead > 64 && group.windowHead * 2 > group.windowTsMs.length) {
    group.windowTsMs.splice(0, group.windowHead);
    group.windowHundredths.splice(0, group.windowHead);
    group.windowHead = 0;
  }
}

export function groupView(group: OrderGroupRecord, nowMs: number): OrderGroupView {
  advanceWindow(group, nowMs);
  return {
    orderGroupId: group.orderGroupId,
    userId: group.userId,
    exchangeIndex: group.exchangeIndex,
    contractsLimitHundredths: group.contractsLimitHundredths,
    isTriggered: group.isTriggered,
    windowFilledHundredths: group.windowFilledHundredths,
    orderIds: [...group.orders].map((o) => o.orderId),
  };
}

/** Reports a group change on order_group_updates (the REST object has no trigger flag). */
export function emitGroupUpdate(state: ExchangeState, group: OrderGroupRecord, event: GroupEvent): void {
  state.listener?.groupUpdate?.(group.userId, groupView(group, state.clock()), event);
}

export function triggerGroup(state: ExchangeState, group: OrderGroupRecord): void {
  const was = group.isTriggered;
  group.isTriggered = true;
  if (!was) emitGroupUpdate(state, group, "triggered");
  // An incoming order of the group that is mid-match is not in the book: the matcher cancels it.
  for (const order of [...group.orders]) if (order.inBook) cancelResting(state, order, "OrderGroupTriggered");
}

/** Records a fill of a grouped order; triggers the group when the window reaches the limit. */
export function recordGroupFill(
  state: ExchangeState,
  order: OrderRecord,
  sizeHundredths: number,
  tsMs: number,
): void {
  if (order.orderGroupId === undefined) return;
  const group = state.groupsById.get(order.orderGroupId);
  if (group === undefined || group.deleted) return;
  advanceWindow(group, tsMs);
  group.windowTsMs.push(tsMs);
  group.windowHundredths.push(sizeHundredths);
  group.windowFilledHundredths += sizeHundredths;
  if (!group.isTriggered && group.windowFilledHundredths >= group.contractsLimitHundredths)
    triggerGroup(state, group);
}

export function createGroup(
  state: ExchangeState,
  account: Account,
  limitHundredths: number,
  shard: number,
): Result<OrderGroupView> {
  if (!Number.isSafeInteger(limitHundredths) || limitHundredths <= 0) {
    return err(400, "invalid_order_group", "contracts_limit must be a positive count");
  }
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= state.shardCount) {
    return err(400, "invalid_order_group", `exchange_index ${shard} does not exist`);
  }
  const group: OrderGroupRecord = {
    orderGroupId: makeId(ID_GROUP, ++state.groupSeq),
    userId: account.userId,
    exchangeIndex: shard,
    contractsLimitHundredths: limitHundredths,
    isTriggered: false,
    windowFilledHundredths: 0,
    windowTsMs: [],
    windowHundredths: [],
    windowHead: 0,
    orders: new Set(),
    deleted: false,
  };
  state.groupsById.set(group.orderGroupId, group);
  account.groups.set(group.orderGroupId, group);
  emitGroupUpdate(state, group, "created");
  return { ok: true, value: groupView(group, state.clock()) };
}

export function findGroup(account: Account, orderGroupId: string): Result<OrderGroupRecord> {
  const group = account.groups.get(orderGroupId);
  if (group === undefined || group.deleted) {
    return err(404, "order_group_not_found", `order group ${orderGroupId} not found`);
  }
  return { ok: true, value: group };
}

export function resetGroup(state: ExchangeState, group: OrderGroupRecord): void {
  group.isTriggered = false;
  group.windowFilledHundredths = 0;
  group.windowTsMs.length = 0;
  group.windowHundredths.length = 0;
  group.windowHead = 0;
  emitGroupUpdate(state, group, "reset");
}

export function deleteGroup(state: ExchangeState, account: Account, group: OrderGroupRecord): void {
  for (const order of [...group.orders]) cancelResting(state, order, "OrderGroupDeleted");
  group.deleted = true;
  account.groups.delete(group.orderGroupId);
  state.groupsById.delete(group.orderGroupId);
  emitGroupUpdate(state, group, "deleted");
}

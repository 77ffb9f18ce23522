import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WriteResult } from "../../../src/kalshi/rest-types.js";
import {
  isOrderGroupLimitCode,
  type OrderGroupApi,
  OrderGroupGuard,
  openOrderGroup,
  openOrderGroups,
} from "../../../src/orders/execution/order-group.js";
import { CircuitBreakers, DEFAULT_BREAKER_CONFIG } from "../../../src/orders/risk/breakers.js";

/** Answers the group calls from scripts; counts them. */
function api(
  creates: Array<WriteResult<{ orderGroupId: string }>>,
  resets: Array<WriteResult<unknown>> = [],
): OrderGroupApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    createOrderGroup: async (limit, shard) => {
      calls.push(shard ? `create ${limit} shard ${shard}` : `create ${limit}`);
      return creates.shift()!;
    },
    resetOrderGroup: async (id) => {
      calls.push(`reset ${id}`);
      return resets.shift()!;
    },
  };
}

const noWait = async () => {};
const error = { status: 400, code: "invalid_parameters", message: "bad limit", details: "" };

describe("Kalshi order group", () => {
  it("is created at startup, retrying lost or rate-limited answers and stopping on a refusal", async () => {
    const rest = api([
      { kind: "unknown", reason: "timeout" },
      { kind: "rate_limited", error: { ...error, status: 429, code: "" } },
      { kind: "ok", status: 201, value: { orderGroupId: "g1" } },
    ]);
    assert.equal(await openOrderGroup(rest, 50, noWait), "g1");
    assert.deepEqual(rest.calls, ["create 50", "create 50", "create 50"]);
    await assert.rejects(
      openOrderGroup(api([{ kind: "rejected", error }]), 50, noWait),
      /order group \(contracts limit 50, shard 0\) refused by the exchange: invalid_parameters bad limit/,
    );
    const lost = Array.from({ length: 5 }, () => ({ kind: "unknown" as const, reason: "HTTP 503" }));
    await assert.rejects(openOrderGroup(api(lost), 50, noWait), /could not be created: HTTP 503/);
  });

  it("opens one group per exchange shard in use and finds each by shard and by id", async () => {
    const rest = api([
      { kind: "ok", status: 201, value: { orderGroupId: "g0" } },
      { kind: "ok", status: 201, value: { orderGroupId: "g2" } },
    ]);
    const groups = await openOrderGroups(rest, 50, [2, 0, 2, 0], new CircuitBreakers(), noWait);
    assert.deepEqual(rest.calls, ["create 50", "create 50 shard 2"]);
    assert.equal(groups.of(0)?.orderGroupId, "g0");
    assert.equal(groups.of(2)?.orderGroupId, "g2");
    assert.equal(groups.of(1), undefined, "no market on shard 1: no group there");
    assert.equal(groups.byId("g2"), groups.of(2));
    groups.of(2)!.noteTriggered(1_000);
    assert.equal(groups.triggers, 1);
    assert.equal(groups.of(0)!.triggered, false, "a trigger is its own shard's");
  });

  it("trips the breakers when triggered and resets once when they re-arm", async () => {
    let now = 1_000;
    const breakers = new CircuitBreakers({ ...DEFAULT_BREAKER_CONFIG, coolDownMs: 500 });
    const rest = api(
      [],
      [
        { kind: "unknown", reason: "reset lost" },
        { kind: "ok", status: 200, value: null },
      ],
    );
    const group = new OrderGroupGuard(rest, "g1", breakers);
    assert.equal(isOrderGroupLimitCode("exceeded_order_group_risk_limit"), true);
    assert.equal(isOrderGroupLimitCode("EXCEEDED_ORDER_GROUP_RISK_LIMIT"), true);
    assert.equal(isOrderGroupLimitCode("insufficient_balance"), false);

    group.onUpdate("triggered", now); // the order_group_updates channel says so
    assert.equal(group.triggered, true);
    assert.equal(breakers.tripReason, "order_group_triggered");
    assert.equal(breakers.canTrade(now), false);

    now += 600;
    assert.equal(breakers.canTrade(now), true);
    assert.equal(await group.rearm(now), false, "a lost reset keeps the group triggered");
    assert.equal(breakers.tripReason, "order_group_triggered", "and waits another cool-down");

    now += 600;
    assert.equal(breakers.canTrade(now), true);
    const [a, b] = await Promise.all([group.rearm(now), group.rearm(now)]);
    assert.deepEqual([a, b], [true, true]);
    assert.deepEqual(rest.calls, ["reset g1", "reset g1"], "concurrent decisions share one reset");
    assert.equal(group.triggers, 1);
    assert.equal(group.resets, 1);
    assert.equal(await group.rearm(now), true, "nothing to reset");
  });

  it("a reset seen on order_group_updates rearms without another request", async () => {
    const breakers = new CircuitBreakers({ ...DEFAULT_BREAKER_CONFIG, coolDownMs: 500 });
    const rest = api([]);
    const group = new OrderGroupGuard(rest, "g1", breakers);
    group.onUpdate("triggered", 1_000);
    group.onUpdate("triggered", 1_001);
    assert.equal(group.triggers, 1, "one trigger until a reset");
    group.onUpdate("reset", 1_002);
    assert.equal(group.triggered, false);
    assert.equal(await group.rearm(2_000), true);
    assert.deepEqual(rest.calls, [], "no reset request was needed");
  });
});

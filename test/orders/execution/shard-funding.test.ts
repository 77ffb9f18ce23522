/**
 * An order whose exchange shard lacks the free cash it reserves — a create, or an amend that
 * raises its reservation — is funded by a transfer from the richest shard first (transfers.ts),
 * or refused and counted under policy `off` or when the transfer fails.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WriteResult } from "../../../src/kalshi/rest-client.js";
import type { OrderAck, V2AmendOrderBody, V2CreateOrderBody } from "../../../src/kalshi/rest-types.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import {
  type OrderEvent,
  OrderManager,
  type OrdersRestApi,
} from "../../../src/orders/execution/order-manager.js";
import { ShardTransfers, type TransferPolicy } from "../../../src/orders/execution/transfers.js";
import { CircuitBreakers } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";

type TransferAnswer = WriteResult<{ transferId: string }>;

function ack(cid: string, count: string): OrderAck {
  return {
    orderId: "ord-1",
    clientOrderId: cid,
    fillCountHundredths: 0,
    remainingCountHundredths: Math.round(Number(count) * 100),
    tsMs: 1,
    averageFillPriceTicks: 0,
    averageFeePaidMicros: 0,
  };
}

/** Market 0 trades on shard 1, which holds `shard1Micros`; shard 0 holds 100 $. */
function setup(shard1Micros: number, policy: TransferPolicy = "auto", transfer?: TransferAnswer) {
  const calls: string[] = [];
  const rest = {
    async createOrder(b: V2CreateOrderBody): Promise<WriteResult<OrderAck>> {
      calls.push(`create ${b.count}`);
      return { kind: "ok", status: 201, value: ack(b.client_order_id, b.count) };
    },
    async amendOrder(_id: string, b: V2AmendOrderBody): Promise<WriteResult<OrderAck>> {
      calls.push(`amend ${b.count}`);
      return { kind: "ok", status: 200, value: ack(b.updated_client_order_id, b.count) };
    },
    async transferBetweenShards(from: number, to: number): Promise<TransferAnswer> {
      calls.push(`transfer ${from}→${to}`);
      return transfer ?? { kind: "ok", status: 200, value: { transferId: "T1" } };
    },
  };
  const catalog = new StaticMarketCatalog();
  catalog.set(0, "KX-A", undefined, 1);
  const ledger = new Ledger(0, { shardOf: (m) => catalog.shardOf(m) });
  ledger.correctFreeCash(100_000_000, 0);
  ledger.correctFreeCash(shard1Micros, 1);
  const journal = { append: async () => {} };
  let ids = 0;
  const transfers = new ShardTransfers(
    rest,
    ledger,
    journal,
    policy,
    () => {},
    () => 0,
    () => String(++ids),
  );
  const events: OrderEvent[] = [];
  const om = new OrderManager({
    rest: rest as unknown as OrdersRestApi,
    journal: journal as never,
    ledger,
    catalog,
    book: {
      readTop: (_m, out) => {
        out.bestYesBidTicks = 4200;
        out.bestNoBidTicks = 5500; // YES ask 0.45
        return true;
      },
    },
    risk: new RiskGate({
      maxContractsPerMarketHundredths: 100_000,
      maxGrossExposureMicros: 1_000_000_000,
      minCashReserveMicros: 0,
      maxOrdersPerSecond: 1000,
    }),
    throttle: new MarketThrottle(0),
    freshness: new FreshnessGate(1e9),
    breakers: new CircuitBreakers(),
    transfers,
    onEvent: (e) => events.push(e),
    now: () => 1,
    newClientOrderId: () => `cid-${++ids}`,
  });
  om.markReady();
  const buy = (sizeHundredths: number) =>
    om.onDecision({ market: 0, action: "BUY_YES", sizeHundredths, frameRecvMs: 1 });
  const refusals = () => events.flatMap((e) => (e.kind === "order_refused" ? [e.reason] : []));
  return { om, ledger, calls, buy, refusals, transfers };
}

/** What a buy of `hundredths` at 0.45 reserves: its cost and worst-case fee. */
const reserve = (ledger: Ledger, hundredths: number) =>
  ledger.reservationMicros({
    clientOrderId: "",
    market: 0,
    action: "BUY_YES",
    ownLimitTicks: 4500,
    countHundredths: hundredths,
  });

describe("funding a shard short of an order's reservation", () => {
  it("a create: a transfer first, then the create", async () => {
    const { ledger, calls, buy, transfers } = setup(1_000_000);
    await buy(1000);
    assert.deepEqual(calls, ["transfer 0→1", "create 10.00"]);
    assert.equal(ledger.reservedCashOn(1), reserve(ledger, 1000));
    assert.equal(transfers.stats.ok, 1);
  });

  it("an amend that raises the reservation: a transfer first, then the amend", async () => {
    const { om, ledger, calls, buy } = setup(5_000_000);
    await buy(1000);
    assert.equal(ledger.reservedCashOn(1), reserve(ledger, 1000));
    await buy(2000);
    assert.deepEqual(calls, ["create 10.00", "transfer 0→1", "amend 20.00"]);
    assert.equal(ledger.reservedCashOn(1), reserve(ledger, 2000));
    assert.equal(om.working.get(0, "bid")?.countHundredths, 2000);
    assert.equal(ledger.freeCashMicros + ledger.reservedCashMicros, 105_000_000, "money moved, none made");
  });

  it("an amend with policy off: refused and counted like a create, the order rests as it was", async () => {
    const { om, ledger, calls, buy, refusals } = setup(5_000_000, "off");
    await buy(1000);
    await buy(2000);
    assert.deepEqual(calls, ["create 10.00"]);
    assert.deepEqual(refusals(), ["shard_cash"]);
    assert.equal(om.stats.shardCashRefused, 1);
    assert.equal(om.working.get(0, "bid")?.state, "resting");
    assert.equal(om.working.get(0, "bid")?.countHundredths, 1000);
    assert.equal(ledger.reservedCashOn(1), reserve(ledger, 1000));
  });

  it("an amend whose transfer is refused: refused as transfer_failed", async () => {
    const refused: TransferAnswer = {
      kind: "rejected",
      error: { status: 400, code: "bad", message: "no", details: "" },
    };
    const { om, ledger, calls, buy, refusals } = setup(5_000_000, "auto", refused);
    await buy(1000);
    await buy(2000);
    assert.deepEqual(calls, ["create 10.00", "transfer 0→1"]);
    assert.deepEqual(refusals(), ["transfer_failed"]);
    assert.equal(om.stats.transferFailed, 1);
    assert.equal(ledger.reservedCashOn(1), reserve(ledger, 1000));
    assert.equal(ledger.freeCashOn(0), 100_000_000, "the refused transfer gave the source its money back");
  });

  it("an amend more than every shard together can pay: refused as insufficient cash, no transfer", async () => {
    const { om, calls, buy, refusals } = setup(5_000_000);
    await buy(1000);
    await buy(30_000);
    assert.deepEqual(calls, ["create 10.00"]);
    assert.deepEqual(refusals(), ["insufficient_cash"]);
    assert.equal(om.stats.ledgerRefused, 1);
  });
});

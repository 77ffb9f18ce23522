import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type {
  Page,
  RestFill,
  RestOrder,
  RestPosition,
  RestSettlement,
} from "../../../src/kalshi/rest-types.js";
import { MICROS_PER_TICK_HUNDREDTH } from "../../../src/kalshi/units.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import { actionOfRestingOrder } from "../../../src/orders/execution/apply-corrections.js";
import { OrderJournal } from "../../../src/orders/execution/journal.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import {
  type OrderEvent,
  OrderManager,
  type OrdersRestApi,
} from "../../../src/orders/execution/order-manager.js";
import type { WorkingOrder } from "../../../src/orders/execution/working-orders.js";
import { isSettledPass } from "../../../src/orders/reconcile/reconcile-target.js";
import { Reconciler } from "../../../src/orders/reconcile/reconciler.js";
import { CircuitBreakers } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";

const dir = mkdtempSync(join(tmpdir(), "orders-reconcile-"));
const journals: OrderJournal[] = [];
after(async () => {
  for (const j of journals) await j.close();
  rmSync(dir, { recursive: true, force: true });
});

function order(o: Partial<RestOrder>): RestOrder {
  return {
    orderId: "o",
    clientOrderId: "",
    ticker: "KX-A",
    side: "bid",
    status: "resting",
    yesPriceTicks: 5000,
    fillCountHundredths: 0,
    remainingCountHundredths: 100,
    initialCountHundredths: 100,
    takerFeesMicros: 0,
    makerFeesMicros: 0,
    createdTime: "2026-11-24T10:00:00Z",
    ...o,
  };
}

function fill(f: Partial<RestFill>): RestFill {
  return {
    fillId: "f",
    tradeId: "t",
    orderId: "o",
    clientOrderId: "",
    ticker: "KX-A",
    side: "bid",
    yesPriceTicks: 5000,
    countHundredths: 100,
    isTaker: false,
    feeMicros: 0,
    createdTime: "",
    tsMs: 1_000_000,
    ...f,
  };
}

/** An exchange whose state the test sets directly. */
class FakeExchange {
  balanceMicros = 100_000_000;
  /** `balance_breakdown` per shard (empty: an answer without one) */
  shardBalanceMicros: number[] = [];
  positions: RestPosition[] = [];
  resting: RestOrder[] = [];
  fills: RestFill[] = [];
  settlements: RestSettlement[] = [];
  canceled: string[] = [];
  lookups: string[] = [];
  async getBalance() {
    return {
      balanceMicros: this.balanceMicros,
      shardBalanceMicros: this.shardBalanceMicros,
      portfolioValueMicros: 0,
      updatedTs: 0,
    };
  }
  async getPositions(): Promise<Page<RestPosition>> {
    return { items: this.positions, cursor: "" };
  }
  async getSettlements(): Promise<Page<RestSettlement>> {
    return { items: this.settlements, cursor: "" };
  }
  async getOrders(): Promise<Page<RestOrder>> {
    return { items: this.resting, cursor: "" };
  }
  async getFills(q: { orderId?: string } = {}): Promise<Page<RestFill>> {
    const items = q.orderId === undefined ? this.fills : this.fills.filter((f) => f.orderId === q.orderId);
    return { items, cursor: "" };
  }
  async findOrderByClientId(_t: string, cid: string) {
    this.lookups.push(cid);
    return null;
  }
  async getOrder() {
    return null;
  }
  /** how many of the next cancels the exchange answers with 429 (not executed) */
  refuseCancels = 0;
  async cancelOrder(id: string) {
    if (this.refuseCancels > 0) {
      this.refuseCancels--;
      const error = { status: 429, code: "too_many_requests", message: "", details: "" };
      return { kind: "rate_limited" as const, error };
    }
    this.canceled.push(id);
    const o = this.resting.find((r) => r.orderId === id);
    const reduced = o?.remainingCountHundredths ?? 0;
    // the exchange's balance excludes the cost of resting buys: a cancel gives it back
    if (o !== undefined) {
      const ownPrice = o.side === "bid" ? o.yesPriceTicks : 1000 - o.yesPriceTicks;
      this.balanceMicros += ownPrice * reduced * MICROS_PER_TICK_HUNDREDTH;
    }
    this.resting = this.resting.filter((r) => r.orderId !== id);
    return {
      kind: "ok" as const,
      status: 200,
      value: { orderId: id, clientOrderId: "", reducedByHundredths: reduced, tsMs: 0 },
    };
  }
  async collectAll<T>(f: (c: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    return (await f(undefined)).items;
  }
}

async function setup(ex: FakeExchange, journalLines: string[] = [], shards: [number, number] = [0, 0]) {
  const path = join(dir, `j${journals.length}.ndjson`);
  if (journalLines.length > 0) writeFileSync(path, `${journalLines.join("\n")}\n`);
  const { journal, replay } = await OrderJournal.open(path);
  journals.push(journal);
  const catalog = new StaticMarketCatalog();
  catalog.set(0, "KX-A", undefined, shards[0]);
  catalog.set(1, "KX-B", undefined, shards[1]);
  const events: OrderEvent[] = [];
  const ledger = new Ledger(0, { shardOf: (m) => catalog.shardOf(m) });
  const om = new OrderManager({
    rest: ex as unknown as OrdersRestApi,
    journal,
    ledger,
    catalog,
    book: { readTop: () => false },
    risk: new RiskGate(),
    throttle: new MarketThrottle(),
    freshness: new FreshnessGate(),
    breakers: new CircuitBreakers(),
    onEvent: (e) => events.push(e),
  });
  const rec = new Reconciler(om);
  await rec.startup(replay);
  return { om, ledger, rec, events, journal, path };
}

describe("reconciliation (correctness-rules.md rules 13, 15)", () => {
  it("maps a resting order to the engine action it stands for, given the position", () => {
    assert.equal(actionOfRestingOrder("bid", 0), "BUY_YES");
    assert.equal(actionOfRestingOrder("bid", -500), "SELL_NO");
    assert.equal(actionOfRestingOrder("ask", 500), "SELL_YES");
    assert.equal(actionOfRestingOrder("ask", 0), "BUY_NO");
  });

  it("rebuilds positions, resting orders and free cash at startup, and trades only after it", async () => {
    const ex = new FakeExchange();
    ex.positions = [
      {
        ticker: "KX-A",
        positionHundredths: 1000,
        marketExposureMicros: 4_000_000,
        realizedPnlMicros: 0,
        feesPaidMicros: 0,
        restingOrdersCount: 1,
      },
    ];
    // an ask for more than we hold reserves like a NO buy; a bid on B is a YES buy
    ex.resting = [
      order({
        orderId: "oa",
        clientOrderId: "ca",
        side: "ask",
        yesPriceTicks: 6000,
        remainingCountHundredths: 1500,
      }),
      order({
        orderId: "ob",
        clientOrderId: "cb",
        ticker: "KX-B",
        side: "bid",
        yesPriceTicks: 3000,
        remainingCountHundredths: 500,
      }),
    ];
    ex.fills = [fill({ tradeId: "old-1" })];
    const { om, ledger } = await setup(ex);
    assert.equal(om.isReady, true);
    assert.equal(ledger.position(0).contractsHundredths, 1000);
    assert.equal(om.working.get(0, "ask")?.action, "BUY_NO");
    assert.equal(om.working.get(1, "bid")?.action, "BUY_YES");
    // NO buy 15 @ 0.40 = 6.00 + fee 0.07×15×0.24 = 0.252; YES buy 5 @ 0.30 = 1.50 + 0.0735
    assert.equal(ledger.reservedCashMicros, 6_252_000 + 1_573_500);
    assert.equal(ledger.freeCashMicros, 100_000_000 - 252_000 - 73_500, "free = balance − reserved fees");
    assert.equal(ledger.hasFill("old-1"), true, "fills already in the positions are not applied again");
  });

  it("closes journal intents left without an outcome by looking up their client_order_id", async () => {
    const ex = new FakeExchange();
    const intent = {
      t: "intent",
      op: "create",
      cid: "lost-1",
      tsMs: 1,
      ticker: "KX-A",
      action: "BUY_YES",
      side: "bid",
      yesPriceTicks: 4500,
      countHundredths: 100,
    };
    const { path, journal } = await setup(ex, [JSON.stringify(intent)]);
    assert.deepEqual(ex.lookups, ["lost-1"]);
    await journal.close();
    const last = JSON.parse(readFileSync(path, "utf8").trim().split("\n").at(-1)!);
    assert.deepEqual(
      [last.t, last.cid, last.result, last.code],
      ["outcome", "lost-1", "resolved", "not_found"],
    );
  });

  it("applies missed fills once, cancels orphans, and corrects positions only when a difference persists", async () => {
    const ex = new FakeExchange();
    ex.resting = [
      order({
        orderId: "ob",
        clientOrderId: "cb",
        ticker: "KX-B",
        side: "bid",
        yesPriceTicks: 3000,
        remainingCountHundredths: 500,
      }),
    ];
    const { rec, ledger, om } = await setup(ex);
    ex.fills = [
      fill({
        tradeId: "n1",
        orderId: "ob",
        ticker: "KX-B",
        yesPriceTicks: 3000,
        countHundredths: 200,
        tsMs: 2_000_000,
      }),
    ];
    ex.positions = [
      {
        ticker: "KX-B",
        positionHundredths: 200,
        marketExposureMicros: 600_000,
        realizedPnlMicros: 0,
        feesPaidMicros: 0,
        restingOrdersCount: 1,
      },
    ];
    ex.resting.push(order({ orderId: "stray", clientOrderId: "", ticker: "KX-A" }));
    const r1 = await rec.periodic();
    assert.equal(r1.fillsApplied, 1);
    assert.equal(ledger.position(1).contractsHundredths, 200);
    assert.equal(om.working.get(1, "bid")?.filledHundredths, 200);
    assert.deepEqual(ex.canceled, ["stray"]);
    assert.equal(r1.positionCorrections, 0);
    const r2 = await rec.periodic();
    assert.equal(r2.fillsApplied, 0, "the same fill is not applied twice");
    // the exchange now reports a position we never saw a fill for: corrected on the second look
    ex.positions = [
      {
        ticker: "KX-B",
        positionHundredths: 300,
        marketExposureMicros: 900_000,
        realizedPnlMicros: 0,
        feesPaidMicros: 0,
        restingOrdersCount: 1,
      },
    ];
    assert.equal((await rec.periodic()).positionCorrections, 0);
    assert.equal((await rec.periodic()).positionCorrections, 1);
    assert.equal(ledger.position(1).contractsHundredths, 300);
  });

  it("reports a pass unsettled while a write is in flight, an order awaits its fills, or a difference was seen once", async () => {
    const ex = new FakeExchange();
    const { rec, ledger, om } = await setup(ex);
    // a create in flight: reserved in the ledger (4.00 + fee), pending in the working set
    const w: WorkingOrder = {
      clientOrderId: "c1",
      exchangeOrderId: "",
      side: "bid",
      action: "BUY_YES",
      yesPriceTicks: 4000,
      countHundredths: 1000,
      filledHundredths: 0,
      placedMs: 0,
      state: "pending",
    };
    const req = {
      clientOrderId: "c1",
      market: 0,
      action: "BUY_YES",
      ownLimitTicks: 4000,
      countHundredths: 1000,
    } as const;
    assert.ok(om.orders.open(0, w, req).ok);
    ex.balanceMicros = 96_000_000; // the exchange holds the cost of the resting buy
    const r1 = await rec.periodic();
    assert.equal(r1.unsettled, 1, "the create has no answer yet");

    // its answer: executed in full (nothing rests); the fill is not on REST yet
    om.orders.link(w, "o1");
    om.orders.apply(w, { on: "done", keepHundredths: 1000 });
    ex.positions = [
      {
        ticker: "KX-A",
        positionHundredths: 1000,
        marketExposureMicros: 4_000_000,
        realizedPnlMicros: 0,
        feesPaidMicros: 0,
        restingOrdersCount: 0,
      },
    ];
    const r2 = await rec.periodic();
    assert.equal(r2.orphansCanceled, 1, "the ledger order no longer rests: its reservation is released");
    assert.equal(r2.unsettled, 2, "position and cash differ from the exchange (seen once)");

    // the fill shows up: applied once, and the ledger is the exchange's state again
    ex.fills = [fill({ tradeId: "t1", orderId: "o1", yesPriceTicks: 4000, countHundredths: 1000 })];
    const r3 = await rec.periodic();
    assert.equal(r3.fillsApplied, 1);
    assert.equal(r3.unsettled, 0);
    assert.equal(r3.positionCorrections + r3.cashCorrectionMicros, 0, "settled by the fill, not forced");
    assert.equal(ledger.freeCashMicros, 96_000_000);
    assert.equal(ledger.reservedCashMicros, 0);
    assert.equal(ledger.position(0).contractsHundredths, 1000);
  });

  it("counts an untracked open ledger order as unsettled until the exchange no longer rests it", async () => {
    const ex = new FakeExchange();
    const bid = (orderId: string, clientOrderId: string) =>
      order({ orderId, clientOrderId, side: "bid", yesPriceTicks: 3000, remainingCountHundredths: 500 });
    ex.resting = [bid("o1", "c1"), bid("o2", "c2")]; // two bids in one market: the second is not tracked
    const { rec, ledger, om } = await setup(ex);
    assert.equal(om.working.size, 1);
    assert.equal(ledger.orders.openOrders().length, 2);
    ex.refuseCancels = 1;
    const r0 = await rec.periodic();
    assert.equal(r0.orphansCanceled, 0);
    assert.equal(r0.unsettled, 2, "the orphan's cancel failed; its ledger order still reserves");
    const r1 = await rec.periodic();
    assert.deepEqual(ex.canceled, ["o2"]);
    assert.equal(r1.unsettled, 2, "its ledger order still reserves, so cash differs, until the next pass");
    const r2 = await rec.periodic();
    assert.equal(r2.orphansCanceled, 1);
    assert.equal(r2.unsettled, 0);
    assert.equal(ledger.orders.openOrders().length, 1);
  });

  it("cancels a tracked order that came to rest after the kill switch engaged", async () => {
    const ex = new FakeExchange();
    ex.resting = [order({ orderId: "o1", clientOrderId: "c1", side: "bid", yesPriceTicks: 3000 })];
    const { rec, ledger, om } = await setup(ex);
    assert.equal(om.working.size, 1);
    om.deps.risk.engageKillSwitch(); // as if the order's answer came after the kill's cancel pass
    ex.refuseCancels = 1;
    const refused = await rec.periodic();
    assert.equal(refused.unsettled, 1, "a resting order while killed is a cancel still to do");
    const r = await rec.periodic();
    assert.deepEqual(ex.canceled, ["o1"]);
    assert.equal(r.orphansCanceled, 1);
    assert.equal(om.working.size, 0);
    assert.equal(ledger.reservedCashMicros, 0);
    assert.equal(r.unsettled, 0);
  });

  it("reads each shard's cash from balance_breakdown and settles a transfer of unknown outcome per shard", async () => {
    const ex = new FakeExchange();
    ex.shardBalanceMicros = [60_000_000, 40_000_000];
    // a transfer journaled, its answer never recorded (the process died): never sent again
    const intent = {
      t: "intent",
      op: "transfer",
      cid: "transfer-1",
      tsMs: 1,
      ticker: "",
      fromShard: 0,
      toShard: 1,
      amountMicros: 5_000_000,
    };
    const { ledger, rec, path } = await setup(ex, [JSON.stringify(intent)], [0, 1]);
    assert.equal(ledger.freeCashOn(0), 60_000_000);
    assert.equal(ledger.freeCashOn(1), 40_000_000);
    assert.deepEqual(ex.lookups, [], "a transfer is not an order to look up");
    const outcome = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .at(-1);
    assert.deepEqual(
      [outcome.cid, outcome.result, outcome.code],
      ["transfer-1", "resolved", "balance_breakdown"],
    );
    assert.ok(isSettledPass(await rec.periodic()));

    // a transfer of this run whose answer was lost: the ledger took it out of shard 0 when sending
    assert.ok(ledger.transferOut(0, 10_000_000));
    ex.shardBalanceMicros = [50_000_000, 50_000_000]; // it did happen
    const first = await rec.periodic();
    assert.equal(first.cashCorrections, 0, "a difference seen once is not corrected yet");
    assert.ok(first.unsettled > 0);
    const second = await rec.periodic();
    assert.equal(second.cashCorrections, 1, "shard 1 only: shard 0 already agrees");
    assert.equal(second.cashCorrectionMicros, 10_000_000);
    assert.equal(ledger.freeCashOn(0), 50_000_000);
    assert.equal(ledger.freeCashOn(1), 50_000_000);
    assert.equal(ledger.freeCashMicros, 100_000_000);
    assert.ok(isSettledPass(await rec.periodic()));
  });
});

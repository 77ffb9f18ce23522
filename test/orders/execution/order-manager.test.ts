import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gridOfStructure } from "../../../src/kalshi/price-grid.js";
import type { WriteResult } from "../../../src/kalshi/rest-client.js";
import type {
  CancelAck,
  OrderAck,
  Page,
  RestOrder,
  V2AmendOrderBody,
  V2CreateOrderBody,
} from "../../../src/kalshi/rest-types.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import type { OrderSummary, PortfolioWriter } from "../../../src/orders/accounts/portfolio-publisher.js";
import { OrderJournal } from "../../../src/orders/execution/journal.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import {
  type OrderEvent,
  OrderManager,
  type OrdersRestApi,
} from "../../../src/orders/execution/order-manager.js";
import { CircuitBreakers } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";

const dir = mkdtempSync(join(tmpdir(), "orders-om-"));
const journals: OrderJournal[] = [];
after(async () => {
  for (const j of journals) await j.close();
  rmSync(dir, { recursive: true, force: true });
});

type CreateScript = (body: V2CreateOrderBody) => WriteResult<OrderAck>;

/** A scripted exchange: answers writes as told and checks the journal before every write. */
class ScriptedRest {
  calls: string[] = [];
  onCreate: CreateScript = (b) => ({ kind: "ok", status: 201, value: ack(b.client_order_id, 0, b.count) });
  onCancel: (id: string) => WriteResult<CancelAck> = (id) => ({
    kind: "ok",
    status: 200,
    value: { orderId: id, clientOrderId: "", reducedByHundredths: 1000, tsMs: 1 },
  });
  lookup: RestOrder | null = null;
  constructor(private readonly journalPath: string) {}
  private journaled(cid: string): void {
    assert.ok(
      readFileSync(this.journalPath, "utf8").includes(cid),
      `intent of ${cid} is on disk before the request`,
    );
  }
  async createOrder(b: V2CreateOrderBody) {
    this.journaled(b.client_order_id);
    this.calls.push(`create ${b.side} ${b.price} ${b.count}`);
    return this.onCreate(b);
  }
  async cancelOrder(id: string) {
    this.calls.push(`cancel ${id}`);
    return this.onCancel(id);
  }
  async amendOrder(id: string, b: V2AmendOrderBody): Promise<WriteResult<OrderAck>> {
    this.journaled(b.updated_client_order_id);
    this.calls.push(`amend ${id} ${b.price} ${b.count}`);
    return { kind: "ok", status: 200, value: { ...ack(b.updated_client_order_id, 0, b.count), orderId: id } };
  }
  async getOrder(_id: string) {
    return this.lookup;
  }
  async findOrderByClientId(_t: string, cid: string) {
    this.calls.push(`find ${cid}`);
    return this.lookup;
  }
  async getOrders(): Promise<Page<RestOrder>> {
    return { items: [], cursor: "" };
  }
  async getFills() {
    return { items: [], cursor: "" };
  }
  async getPositions() {
    return { items: [], cursor: "" };
  }
  async getBalance() {
    return { balanceMicros: 0, shardBalanceMicros: [], portfolioValueMicros: 0, updatedTs: 0 };
  }
  async collectAll<T>(f: (c: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    return (await f(undefined)).items;
  }
}

let orderSeq = 0;
function ack(cid: string, fillHundredths: number, count: string): OrderAck {
  return {
    orderId: `ord-${++orderSeq}`,
    clientOrderId: cid,
    fillCountHundredths: fillHundredths,
    remainingCountHundredths: Math.round(Number(count) * 100) - fillHundredths,
    tsMs: 1,
    averageFillPriceTicks: 0,
    averageFeePaidMicros: 0,
  };
}

class RecordingPortfolio implements PortfolioWriter {
  cash: [number, number] = [0, 0];
  positions = new Map<number, [number, number]>();
  summaries = new Map<number, OrderSummary>();
  depth = 0;
  beginWrite() {
    assert.equal(this.depth++, 0);
  }
  endWrite() {
    this.depth--;
  }
  setCash(f: number, r: number) {
    this.cash = [f, r];
  }
  setPosition(m: number, h: number, b: number) {
    this.positions.set(m, [h, b]);
  }
  setOrderSummary(m: number, s: OrderSummary) {
    this.summaries.set(m, { ...s });
  }
}

let journalSeq = 0;
async function setup(clock = { t: 1_000_000 }) {
  const path = join(dir, `j${++journalSeq}.ndjson`);
  const { journal } = await OrderJournal.open(path);
  journals.push(journal);
  const rest = new ScriptedRest(path);
  const catalog = new StaticMarketCatalog();
  catalog.add("KX-A");
  catalog.add("KX-B", gridOfStructure("deci_cent"));
  const events: OrderEvent[] = [];
  const portfolio = new RecordingPortfolio();
  const ledger = new Ledger(100_000_000);
  const top = { bestYesBidTicks: 4200, bestNoBidTicks: 5500 }; // YES ask 0.45
  let ids = 0;
  const om = new OrderManager({
    rest: rest as unknown as OrdersRestApi,
    journal,
    ledger,
    catalog,
    book: {
      readTop: (_m, out) => {
        out.bestYesBidTicks = top.bestYesBidTicks;
        out.bestNoBidTicks = top.bestNoBidTicks;
        return true;
      },
    },
    risk: new RiskGate({
      maxContractsPerMarketHundredths: 10_000,
      maxGrossExposureMicros: 80_000_000,
      minCashReserveMicros: 1_000_000,
      maxOrdersPerSecond: 100,
    }),
    throttle: new MarketThrottle(250),
    freshness: new FreshnessGate(50),
    breakers: new CircuitBreakers(),
    portfolio,
    onEvent: (e) => events.push(e),
    now: () => clock.t,
    newClientOrderId: () => `cid-${++ids}`,
  });
  om.markReady();
  return { om, rest, ledger, journal, path, events, portfolio, top, clock };
}

const buy = (t: number, size = 1000) => ({
  market: 0,
  action: "BUY_YES" as const,
  sizeHundredths: size,
  frameRecvMs: t,
});

describe("order manager (correctness-rules.md rules 8, 14, 15, 18, 23)", () => {
  it("journals, reserves, sends an aggressive buy at the ask and publishes the working order", async () => {
    const { om, rest, ledger, portfolio, clock } = await setup();
    await om.onDecision(buy(clock.t));
    assert.deepEqual(rest.calls, ["create bid 0.4500 10.00"]);
    assert.equal(ledger.reservedCashMicros, 4_500_000 + 173_300); // fee 0.17325 → $0.1733
    assert.equal(om.working.get(0, "bid")?.state, "resting");
    assert.deepEqual(portfolio.cash, [100_000_000 - 4_673_300, 4_673_300]);
    assert.deepEqual(portfolio.summaries.get(0), {
      hasOpenBuy: true,
      hasOpenSell: false,
      newestBuyYesLimitTicks: 4500,
      newestBuyPlacedMs: clock.t,
      newestSellYesLimitTicks: 0,
      newestSellPlacedMs: 0,
    });
  });

  it("leaves, amends, or cancels-and-replaces instead of stacking (rule 14)", async () => {
    const { om, rest, top, clock } = await setup();
    await om.onDecision(buy(clock.t));
    const orderId = om.working.get(0, "bid")!.exchangeOrderId;
    clock.t += 300;
    await om.onDecision(buy(clock.t)); // same price, same size → nothing
    assert.equal(rest.calls.length, 1);
    top.bestNoBidTicks = 5400; // ask moves to 0.46
    clock.t += 300;
    await om.onDecision(buy(clock.t));
    assert.equal(rest.calls[1], `amend ${orderId} 0.4600 10.00`);
    assert.equal(om.working.get(0, "bid")?.clientOrderId, "cid-2", "renamed by updated_client_order_id");
    clock.t += 300;
    await om.onDecision({ market: 0, action: "BUY_NO", sizeHundredths: 500, frameRecvMs: clock.t });
    assert.deepEqual(rest.calls.slice(2), [`cancel ${orderId}`, "create ask 0.4200 5.00"]);
    assert.equal(om.working.get(0, "bid"), undefined);
    assert.equal(om.working.get(0, "ask")?.state, "resting");
  });

  it("reports every non-HOLD decision once, before its writes, with price, book seq and applied count, batch and why not", async () => {
    const { om, events, clock } = await setup();
    await om.onDecision({ ...buy(clock.t), bookSeq: 41, appliedCount: 9, batchSize: 7, decidedMs: clock.t });
    await om.onDecision({ ...buy(clock.t), bookSeq: 42, appliedCount: 10, batchSize: 3, decidedMs: clock.t }); // throttled
    await om.onDecision({ market: 0, action: "HOLD", sizeHundredths: 0, frameRecvMs: clock.t });
    const decisions = events.filter((e) => e.kind === "decision");
    assert.deepEqual(decisions, [
      {
        kind: "decision",
        market: 0,
        action: "BUY_YES",
        sizeHundredths: 1000,
        ownLimitTicks: 4500,
        bookSeq: 41,
        appliedCount: 9,
        batchSize: 7,
        frameRecvMs: clock.t,
        decidedMs: clock.t,
        skipped: "",
      },
      {
        kind: "decision",
        market: 0,
        action: "BUY_YES",
        sizeHundredths: 1000,
        ownLimitTicks: 0,
        bookSeq: 42,
        appliedCount: 10,
        batchSize: 3,
        frameRecvMs: clock.t,
        decidedMs: clock.t,
        skipped: "throttle",
      },
    ]);
    assert.ok(
      events.findIndex((e) => e.kind === "decision") < events.findIndex((e) => e.kind === "order_sent"),
      "the decision comes before the order it causes",
    );
  });

  it("drops stale decisions and decisions for markets it has no ticker for, and throttles a market", async () => {
    const { om, rest, clock } = await setup();
    await om.onDecision({ ...buy(clock.t), market: 7 });
    assert.equal(om.stats.unknownMarket, 1);
    await om.onDecision(buy(clock.t - 51));
    assert.equal(om.stats.stale, 1);
    await om.onDecision(buy(clock.t));
    await om.onDecision({ ...buy(clock.t), market: 0, action: "BUY_NO" });
    assert.equal(om.stats.throttled, 1);
    assert.equal(rest.calls.length, 1);
  });

  it("refuses to sell what is not held and returns all cash on a reject", async () => {
    const { om, rest, ledger, clock } = await setup();
    await om.onDecision({ market: 0, action: "SELL_YES", sizeHundredths: 100, frameRecvMs: clock.t });
    assert.equal(om.stats.sizeRefused, 1);
    rest.onCreate = () => ({
      kind: "rejected",
      error: { status: 400, code: "insufficient_balance", message: "", details: "" },
    });
    await om.onDecision(buy(clock.t));
    assert.equal(ledger.freeCashMicros, 100_000_000);
    assert.equal(ledger.reservedCashMicros, 0);
    assert.equal(om.working.size, 0);
  });

  it("disables a market the exchange refuses this key for (location attestation), saying so once", async () => {
    const { om, rest, ledger, clock, events } = await setup();
    rest.onCreate = () => ({
      kind: "rejected",
      error: { status: 403, code: "forbidden", message: "location attestation expired", details: "" },
    });
    await om.onDecision(buy(clock.t));
    assert.equal(ledger.reservedCashMicros, 0, "the refused order reserves nothing");
    const disabled = events.filter((e) => e.kind === "market_disabled");
    assert.equal(disabled.length, 1);
    assert.match(
      disabled[0]?.kind === "market_disabled" ? disabled[0].reason : "",
      /market KX-A disabled: .*location attestation expired.*renew the key's location attestation/,
    );
    clock.t += 10_000;
    await om.onDecision(buy(clock.t));
    await om.onDecision(buy(clock.t));
    assert.equal(rest.calls.filter((c) => c.startsWith("create")).length, 1, "never retried");
    assert.equal(om.stats.marketRefused, 2);
    assert.equal(events.filter((e) => e.kind === "market_disabled").length, 1, "reported once");
  });

  it("resolves a create of unknown outcome by its client_order_id, never by resending (rule 15)", async () => {
    const { om, rest, ledger, clock, path, journal } = await setup();
    rest.onCreate = () => ({ kind: "unknown", reason: "timeout" });
    rest.lookup = {
      orderId: "ord-found",
      clientOrderId: "cid-1",
      ticker: "KX-A",
      side: "bid",
      status: "resting",
      yesPriceTicks: 4500,
      fillCountHundredths: 0,
      remainingCountHundredths: 1000,
      initialCountHundredths: 1000,
      takerFeesMicros: 0,
      makerFeesMicros: 0,
      createdTime: "",
    };
    await om.onDecision(buy(clock.t));
    assert.deepEqual(rest.calls, ["create bid 0.4500 10.00", "find cid-1"]);
    const w = om.working.get(0, "bid");
    assert.equal(w?.state, "resting");
    assert.equal(w?.exchangeOrderId, "ord-found");
    assert.equal(ledger.reservedCashMicros, 4_673_300);
    await journal.close(); // outcomes are appended without waiting; close drains them
    const lines = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => `${l.t}:${l.result ?? l.op}`),
      ["intent:create", "outcome:unknown", "outcome:resolved"],
    );
  });

  it("releases the reservation when the lost create never reached the exchange", async () => {
    const { om, rest, ledger, clock } = await setup();
    rest.onCreate = () => ({ kind: "unknown", reason: "ECONNRESET" });
    rest.lookup = null;
    await om.onDecision(buy(clock.t));
    assert.equal(ledger.reservedCashMicros, 0);
    assert.equal(ledger.freeCashMicros, 100_000_000);
    assert.equal(om.working.size, 0);
    assert.equal(om.stats.resolved, 1);
  });

  it("blocks a market while its outcome is unknown and the lookup fails", async () => {
    const { om, rest, clock } = await setup();
    rest.onCreate = () => ({ kind: "unknown", reason: "timeout" });
    rest.findOrderByClientId = async () => {
      throw new Error("network down");
    };
    await om.onDecision(buy(clock.t));
    clock.t += 1000;
    await om.onDecision(buy(clock.t));
    assert.equal(om.stats.waits, 1);
    assert.equal(rest.calls.filter((c) => c.startsWith("create")).length, 1);
    assert.equal(om.unknownOrders().length, 1);
  });

  it("waits on an amend of unknown outcome before touching either side of the market", async () => {
    const { om, rest, top, clock } = await setup();
    await om.onDecision(buy(clock.t));
    const orderId = om.working.get(0, "bid")!.exchangeOrderId;
    rest.amendOrder = async () => ({ kind: "unknown", reason: "timeout" });
    rest.getOrder = async () => {
      throw new Error("network down");
    };
    top.bestNoBidTicks = 5400;
    clock.t += 300;
    await om.onDecision(buy(clock.t)); // amend → unknown, lookup fails
    assert.equal(om.working.get(0, "bid")?.state, "unknown");
    clock.t += 300;
    await om.onDecision({ market: 0, action: "BUY_NO", sizeHundredths: 100, frameRecvMs: clock.t });
    assert.equal(om.stats.waits, 1);
    assert.deepEqual(rest.calls, ["create bid 0.4500 10.00"], "no cancel, no create while in doubt");
    assert.equal(om.working.get(0, "bid")?.exchangeOrderId, orderId);
  });

  it("re-prices a resting sell of the whole holding instead of refusing it", async () => {
    const { om, rest, ledger, top, clock } = await setup();
    await om.onDecision(buy(clock.t));
    om.onFill({
      fillId: "t1",
      market: 0,
      clientOrderId: "cid-1",
      side: "bid",
      yesPriceTicks: 4500,
      sizeHundredths: 1000,
      isTaker: true,
    });
    clock.t += 300;
    await om.onDecision({ market: 0, action: "SELL_YES", sizeHundredths: 1000, frameRecvMs: clock.t });
    assert.equal(rest.calls[1], "create ask 0.4200 10.00", "sells the 10 held at the YES bid");
    assert.equal(ledger.sellableHundredths(0, "SELL_YES"), 0);
    top.bestYesBidTicks = 4100;
    clock.t += 300;
    await om.onDecision({ market: 0, action: "SELL_YES", sizeHundredths: 1000, frameRecvMs: clock.t });
    assert.match(rest.calls[2] ?? "", /^amend .* 0\.4100 10\.00$/);
    assert.equal(om.stats.sizeRefused, 0);
  });

  it("applies fills once, closing the working order when filled", async () => {
    const { om, ledger, clock, portfolio } = await setup();
    await om.onDecision(buy(clock.t));
    const fill = {
      fillId: "t1",
      market: 0,
      clientOrderId: "cid-1",
      side: "bid" as const,
      yesPriceTicks: 4500,
      sizeHundredths: 1000,
      isTaker: false,
    };
    assert.equal(om.onFill(fill), true);
    assert.equal(om.onFill(fill), false);
    assert.equal(om.working.size, 0);
    assert.equal(ledger.position(0).contractsHundredths, 1000);
    assert.equal(ledger.reservedCashMicros, 0);
    assert.deepEqual(portfolio.positions.get(0), [1000, 4_500_000]);
    assert.equal(portfolio.summaries.get(0)?.hasOpenBuy, false);
  });

  it("kill switch cancels every working order and blocks new ones", async () => {
    const { om, rest, ledger, clock } = await setup();
    await om.onDecision(buy(clock.t));
    await om.onDecision({ market: 1, action: "BUY_NO", sizeHundredths: 200, frameRecvMs: clock.t });
    assert.equal(om.working.size, 2);
    assert.equal(await om.engageKillSwitch(), 2);
    assert.equal(om.working.size, 0);
    assert.equal(ledger.reservedCashMicros, 0);
    clock.t += 1000;
    await om.onDecision(buy(clock.t));
    assert.equal(om.stats.killBlocked, 1);
    assert.equal(om.stats.breakerBlocked, 0);
    assert.equal(rest.calls.filter((c) => c.startsWith("create")).length, 2);
  });

  it("kill switch cancels an order whose create answer arrives after it engaged", async () => {
    const { om, rest, ledger, clock } = await setup();
    let answer: (() => void) | undefined;
    rest.onCreate = ((b: V2CreateOrderBody) =>
      new Promise<WriteResult<OrderAck>>((resolve) => {
        answer = () => resolve({ kind: "ok", status: 201, value: ack(b.client_order_id, 0, b.count) });
      })) as unknown as CreateScript;
    const deciding = om.onDecision(buy(clock.t));
    // the intent's fsync comes first; wait (bounded) until the create is on the wire
    for (let i = 0; i < 2000 && answer === undefined; i++) await new Promise((r) => setTimeout(r, 1));
    assert.ok(answer, "create sent");
    assert.equal(await om.engageKillSwitch(), 0, "nothing rests when the switch engages");
    answer();
    await deciding;
    assert.match(rest.calls.at(-1) ?? "", /^cancel ord-\d+$/);
    assert.equal(om.working.size, 0);
    assert.equal(ledger.reservedCashMicros, 0);
  });

  it("pauses on consecutive errors and re-arms after the cool-down", async () => {
    const { om, rest, clock, events } = await setup();
    rest.onCreate = () => ({ kind: "unknown", reason: "HTTP 503" });
    rest.lookup = null; // each lost create resolves as never taken
    for (let i = 0; i < 5; i++) {
      clock.t += 300;
      await om.onDecision(buy(clock.t));
    }
    assert.equal(om.deps.breakers.tripReason, "consecutive_errors");
    clock.t += 300;
    await om.onDecision(buy(clock.t));
    assert.equal(om.stats.breakerBlocked, 1);
    clock.t += 30_000;
    rest.onCreate = (b) => ({ kind: "ok", status: 201, value: ack(b.client_order_id, 0, b.count) });
    await om.onDecision(buy(clock.t));
    assert.equal(om.working.get(0, "bid")?.state, "resting");
    assert.equal(om.deps.breakers.rearms, 1);
    assert.deepEqual(
      events.filter((e) => e.kind === "breaker"),
      [
        { kind: "breaker", tripped: true, reason: "consecutive_errors" },
        { kind: "breaker", tripped: false, reason: "consecutive_errors" },
      ],
      "trip and re-arm are events",
    );
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import type { WriteResult } from "../../../src/kalshi/rest-client.js";
import type {
  CancelAck,
  OrderAck,
  RestOrder,
  V2AmendOrderBody,
  V2CreateOrderBody,
} from "../../../src/kalshi/rest-types.js";
import { countToHundredths, dollarsToTicks } from "../../../src/kalshi/units.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import { OrderJournal } from "../../../src/orders/execution/journal.js";
import { StaticMarketCatalog } from "../../../src/orders/execution/market-catalog.js";
import { OrderManager, type OrdersRestApi } from "../../../src/orders/execution/order-manager.js";
import { CircuitBreakers } from "../../../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../../../src/orders/risk/risk.js";

const dir = mkdtempSync(join(tmpdir(), "orders-om-prop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

type Outcome = "ok" | "reject" | "429" | "lost_taken" | "lost_dropped";
const NOT_FOUND = { status: 404, code: "not_found", message: "", details: "" };

/** A model exchange whose write answers are scripted; lookups always tell the truth. */
class ModelExchange {
  readonly orders = new Map<string, RestOrder>(); // by order id
  script: Outcome[] = [];
  lookupFails = false;
  private seq = 0;
  constructor(private readonly om: () => OrderManager) {}
  private next(): Outcome {
    return this.script.shift() ?? "ok";
  }
  restingCount(ticker: string, side: "bid" | "ask"): number {
    let n = 0;
    for (const o of this.orders.values())
      if (o.ticker === ticker && o.side === side && o.status === "resting") n++;
    return n;
  }
  async createOrder(b: V2CreateOrderBody): Promise<WriteResult<OrderAck>> {
    this.noUnknown(b.ticker);
    const outcome = this.next();
    if (outcome === "reject")
      return { kind: "rejected", error: { status: 400, code: "invalid_order", message: "", details: "" } };
    if (outcome === "429")
      return {
        kind: "rate_limited",
        error: { status: 429, code: "", message: "too many requests", details: "" },
      };
    const count = countToHundredths(b.count);
    const orderId = `ord-${++this.seq}`;
    if (outcome !== "lost_dropped") {
      this.orders.set(orderId, {
        orderId,
        clientOrderId: b.client_order_id,
        ticker: b.ticker,
        side: b.side,
        status: "resting",
        yesPriceTicks: dollarsToTicks(b.price),
        fillCountHundredths: 0,
        remainingCountHundredths: count,
        initialCountHundredths: count,
        takerFeesMicros: 0,
        makerFeesMicros: 0,
        createdTime: "",
      });
    }
    if (outcome !== "ok") return { kind: "unknown", reason: "timeout" };
    return {
      kind: "ok",
      status: 201,
      value: {
        orderId,
        clientOrderId: b.client_order_id,
        fillCountHundredths: 0,
        remainingCountHundredths: count,
        tsMs: 0,
        averageFillPriceTicks: 0,
        averageFeePaidMicros: 0,
      },
    };
  }
  private noUnknown(ticker: string): void {
    const m = this.om().deps.catalog.indexOf(ticker);
    assert.equal(this.om().working.hasUnknown(m), false, "no write while an outcome is unknown (rule 15)");
  }
  async cancelOrder(id: string): Promise<WriteResult<CancelAck>> {
    const o = this.orders.get(id);
    if (o !== undefined) this.noUnknown(o.ticker);
    if (o === undefined || o.status !== "resting") return { kind: "rejected", error: NOT_FOUND };
    const outcome = this.next();
    if (outcome === "reject" || outcome === "429") return { kind: "rate_limited", error: NOT_FOUND };
    const reduced = outcome === "lost_dropped" ? 0 : o.remainingCountHundredths;
    if (outcome !== "lost_dropped") {
      o.status = "canceled";
      o.remainingCountHundredths = 0;
    }
    if (outcome !== "ok") return { kind: "unknown", reason: "reset" };
    return {
      kind: "ok",
      status: 200,
      value: { orderId: id, clientOrderId: o.clientOrderId, reducedByHundredths: reduced, tsMs: 0 },
    };
  }
  async amendOrder(id: string, b: V2AmendOrderBody): Promise<WriteResult<OrderAck>> {
    const o = this.orders.get(id);
    if (o !== undefined) this.noUnknown(o.ticker);
    if (o === undefined || o.status !== "resting") return { kind: "rejected", error: NOT_FOUND };
    const outcome = this.next();
    if (outcome === "reject" || outcome === "429")
      return { kind: "rejected", error: { status: 400, code: "invalid_order", message: "", details: "" } };
    if (outcome !== "lost_dropped") {
      o.yesPriceTicks = dollarsToTicks(b.price);
      o.remainingCountHundredths = countToHundredths(b.count) - o.fillCountHundredths;
      o.clientOrderId = b.updated_client_order_id;
    }
    if (outcome !== "ok") return { kind: "unknown", reason: "timeout" };
    return {
      kind: "ok",
      status: 200,
      value: {
        orderId: id,
        clientOrderId: o.clientOrderId,
        fillCountHundredths: o.fillCountHundredths,
        remainingCountHundredths: o.remainingCountHundredths,
        tsMs: 0,
        averageFillPriceTicks: 0,
        averageFeePaidMicros: 0,
      },
    };
  }
  async findOrderByClientId(_t: string, cid: string): Promise<RestOrder | null> {
    if (this.lookupFails) throw new Error("network down");
    for (const o of this.orders.values()) if (o.clientOrderId === cid) return { ...o };
    return null;
  }
  async getOrder(id: string): Promise<RestOrder | null> {
    if (this.lookupFails) throw new Error("network down");
    const o = this.orders.get(id);
    return o === undefined ? null : { ...o };
  }
}

type Step =
  | { k: "decide"; market: number; action: 0 | 1 | 2 | 3; size: number; yesBid: number; noBid: number }
  | { k: "script"; outcomes: Outcome[] }
  | { k: "lookups"; fail: boolean }
  | { k: "retry" };

const ACTIONS = ["BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant("decide" as const),
      market: fc.constantFrom(0, 0, 0, 1),
      action: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
      size: fc.integer({ min: 1, max: 3 }).map((n) => n * 100),
      yesBid: fc.integer({ min: 30, max: 48 }).map((c) => c * 10),
      noBid: fc.integer({ min: 30, max: 48 }).map((c) => c * 10),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("script" as const),
      outcomes: fc.array(fc.constantFrom<Outcome>("ok", "reject", "429", "lost_taken", "lost_dropped"), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("lookups" as const), fail: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: "retry" as const }) },
);

let run = 0;
describe("order manager property: one order per market and side, whatever the network does", () => {
  it("never stacks orders on the exchange, never writes while an outcome is unknown, and keeps reservations exact", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { journal } = await OrderJournal.open(join(dir, `p${++run}.ndjson`));
        const catalog = new StaticMarketCatalog();
        catalog.add("KX-0");
        catalog.add("KX-1");
        const top = { bestYesBidTicks: 4000, bestNoBidTicks: 4000 };
        let t = 1_000_000;
        let om!: OrderManager;
        const ex = new ModelExchange(() => om);
        const ledger = new Ledger(1_000_000_000);
        om = new OrderManager({
          rest: ex as unknown as OrdersRestApi,
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
            maxContractsPerMarketHundredths: 1e9,
            maxGrossExposureMicros: 1e15,
            minCashReserveMicros: 0,
            maxOrdersPerSecond: 1e6,
          }),
          throttle: new MarketThrottle(0),
          freshness: new FreshnessGate(1e9),
          breakers: new CircuitBreakers({
            maxConsecutiveErrors: 1e9,
            rejectWindow: 1,
            maxRejectPercent: 101,
            rateLimitWindowMs: 0,
            maxRateLimitedInWindow: 1e6,
            coolDownMs: 0,
          }),
          now: () => t,
        });
        om.markReady();
        try {
          for (const s of steps) {
            t += 1000;
            if (s.k === "script") ex.script.push(...s.outcomes);
            else if (s.k === "lookups") ex.lookupFails = s.fail;
            else if (s.k === "retry") {
              for (const { market, order } of om.unknownOrders()) {
                if (order.exchangeOrderId === "") await om.resolveCreate(market, order);
                else await om.resolveByOrderId(market, order);
              }
            } else {
              top.bestYesBidTicks = s.yesBid;
              top.bestNoBidTicks = s.noBid;
              await om.onDecision({
                market: s.market,
                action: ACTIONS[s.action],
                sizeHundredths: s.size,
                frameRecvMs: t,
              });
            }
            for (const ticker of ["KX-0", "KX-1"]) {
              assert.ok(ex.restingCount(ticker, "bid") <= 1, `${ticker}: one resting bid at most`);
              assert.ok(ex.restingCount(ticker, "ask") <= 1, `${ticker}: one resting ask at most`);
            }
            const sum = ledger.orders
              .openOrders()
              .reduce((a, o) => a + o.reservedCostMicros + o.reservedFeeMicros, 0);
            assert.equal(ledger.reservedCashMicros, sum);
            assert.equal(
              ledger.freeCashMicros + ledger.reservedCashMicros,
              1_000_000_000,
              "no fills: cash only moves between free and reserved",
            );
            // every resting order the exchange knows is tracked, unless its outcome is still unknown
            for (const o of ex.orders.values()) {
              if (o.status !== "resting") continue;
              const m = catalog.indexOf(o.ticker);
              const w = om.working.get(m, o.side);
              assert.ok(w !== undefined, `resting ${o.orderId} is tracked`);
              if (w.state === "resting") assert.equal(w.exchangeOrderId, o.orderId);
            }
          }
        } finally {
          await journal.close();
        }
      }),
      { numRuns: 100, seed: 424242 },
    );
  });
});

/**
 * Property test: random order streams from several users keep the ledger exact to the micro.
 *
 * Invariants after every operation:
 * - per user: balance + held == deposits − fees − Σ cost basis + Σ realised P&L;
 * - per user: held == Σ cash held by the user's resting orders, and balance ≥ 0;
 * - system: Σ (balance + held) + Σ fees + $1 × outstanding YES+NO pairs == Σ deposits, and in each
 *   market Σ long YES == Σ long NO == open interest;
 * - every order's fees == its fills' fees recomputed independently (kalshi-api-notes.md);
 * - books are never crossed and each level equals the sum of its resting orders.
 * At the end every market settles at a fixed result: each user's cash grows by exactly the value
 * of their positions at that result and equals deposits − fees + realised P&L.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CreateOrderRequest, OrderView } from "../../../src/paper/exchange/index.js";
import { type Fixture, MARKETS, makeExchange, unwrap } from "./helpers.js";

const USERS = ["u0", "u1", "u2", "u3"];
const TICKERS = ["LIN", "MAKER", "DECI"];
const DEPOSIT = 60_000_000; // $60: small enough that insufficient balance happens

type Op =
  | {
      kind: "create";
      user: number;
      market: number;
      side: "bid" | "ask";
      cents: number;
      milli: number;
      count: number;
      tif: 0 | 1 | 2;
      maker: boolean;
      postOnly: boolean;
      reduceOnly: boolean;
      expireMs: number;
      grouped: boolean;
    }
  | { kind: "cancel"; user: number; pick: number }
  | { kind: "amend"; user: number; pick: number; cents: number; count: number }
  | { kind: "decrease"; user: number; pick: number; by: number }
  | { kind: "tick"; ms: number }
  | { kind: "group"; user: number; reset: boolean };

const user = fc.integer({ min: 0, max: USERS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      user,
      market: fc.integer({ min: 0, max: TICKERS.length - 1 }),
      side: fc.constantFrom("bid" as const, "ask" as const),
      cents: fc.integer({ min: 30, max: 70 }),
      milli: fc.integer({ min: 0, max: 9 }),
      count: fc.integer({ min: 1, max: 1500 }),
      tif: fc.constantFrom(0 as const, 0 as const, 0 as const, 1 as const, 2 as const),
      maker: fc.boolean(),
      postOnly: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      reduceOnly: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
      expireMs: fc.integer({ min: 0, max: 30_000 }),
      grouped: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), user, pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("amend" as const),
      user,
      pick: fc.nat(),
      cents: fc.integer({ min: 30, max: 70 }),
      count: fc.integer({ min: 1, max: 1500 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("decrease" as const),
      user,
      pick: fc.nat(),
      by: fc.integer({ min: 1, max: 1000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("group" as const), user, reset: fc.boolean() }) },
);

let clientSeq = 0;

function resting(f: Fixture, u: string): OrderView[] {
  return f.ex.listOrders(u, { status: "resting" });
}

function apply(f: Fixture, groups: Map<string, string>, op: Op): void {
  if (op.kind === "tick") {
    f.now.ms += op.ms;
    return;
  }
  const u = USERS[op.user]!;
  if (op.kind === "group") {
    const id = groups.get(u);
    if (id === undefined) groups.set(u, unwrap(f.ex.createOrderGroup(u, 2000)).orderGroupId);
    else if (op.reset) unwrap(f.ex.resetOrderGroup(u, id));
    else unwrap(f.ex.triggerOrderGroup(u, id));
    return;
  }
  if (op.kind === "create") {
    const ticker = TICKERS[op.market]!;
    const price = op.cents * 100 + (ticker === "DECI" ? op.milli * 10 : 0);
    const req: CreateOrderRequest = {
      ticker,
      clientOrderId: `${u}-${++clientSeq}`,
      side: op.side,
      yesPriceTicks: price,
      countHundredths: op.count,
      timeInForce: (["good_till_canceled", "immediate_or_cancel", "fill_or_kill"] as const)[op.tif],
      selfTradePrevention: op.maker ? "maker" : "taker_at_cross",
      postOnly: op.postOnly && op.tif === 0,
      reduceOnly: op.reduceOnly,
      ...(op.tif === 0 && op.expireMs > 0 ? { expirationTsMs: f.now.ms + op.expireMs } : {}),
      ...(op.grouped && groups.has(u) ? { orderGroupId: groups.get(u)! } : {}),
    };
    f.ex.createOrder(u, req); // errors (balance, reduce-only, triggered group) are legitimate outcomes
    return;
  }
  const mine = resting(f, u);
  if (mine.length === 0) return;
  const o = mine[op.pick % mine.length]!;
  if (op.kind === "cancel") unwrap(f.ex.cancelOrder(u, o.orderId));
  else if (op.kind === "amend") {
    const price = op.cents * 100 + (o.ticker === "DECI" ? o.yesPriceTicks % 100 : 0);
    f.ex.amendOrder(u, o.orderId, { yesPriceTicks: price, countHundredths: o.fillHundredths + op.count });
  } else unwrap(f.ex.decreaseOrder(u, o.orderId, { reduceByHundredths: op.by }));
}

/**
 * Independent fee recomputation from an order's fills (kalshi-api-notes.md): per fill, in order,
 * the trade fee rounded up to $0.0001, the rounding fee that floors −cost − trade fee to $0.0001,
 * and a cent back whenever the order's rounding fees pass $0.01 (if the fill's fee covers it).
 */
function expectedFeeMicros(f: Fixture, u: string, o: OrderView): number {
  const makerFees = o.ticker === "MAKER";
  let total = 0n;
  let rounding = 0n;
  for (const fill of f.ex.listFills(u, { orderId: o.orderId }).reverse()) {
    const rate = fill.isTaker ? 700n : makerFees ? 175n : 0n; // ×1e-4
    const p = BigInt(fill.yesPriceTicks);
    const term = rate * BigInt(fill.countHundredths) * p * (10_000n - p); // 1e-4 × 1e-2 × 1e-8 = 1e-14 $
    const trade = ((term + 10n ** 10n - 1n) / 10n ** 10n) * 100n; // up to $0.0001, in micros
    const leg = fill.side === "bid" ? p : 10_000n - p;
    const debit = leg * BigInt(fill.countHundredths) + trade; // micros
    const r = (100n - (debit % 100n)) % 100n;
    rounding += r;
    let fee = trade + r;
    if (rounding > 10_000n && fee >= 10_000n) {
      rounding -= 10_000n;
      fee -= 10_000n;
    }
    total += fee;
  }
  return Number(total);
}

function checkInvariants(f: Fixture): void {
  let systemCash = 0;
  let systemFees = 0;
  for (const u of USERS) {
    const b = unwrap(f.ex.balance(u));
    let rhs = b.depositsMicros;
    for (const p of f.ex.positions(u)) {
      rhs += p.realizedPnlMicros - p.feesPaidMicros - p.costBasisMicros;
      systemFees += p.feesPaidMicros;
    }
    assert.equal(b.balanceMicros + b.heldMicros, rhs, `identity ${u}`);
    assert.ok(b.balanceMicros >= 0, `balance ${u} ≥ 0`);
    const held = resting(f, u).reduce((acc, o) => acc + o.heldMicros, 0);
    assert.equal(b.heldMicros, held, `held ${u}`);
    systemCash += b.balanceMicros + b.heldMicros;
    for (const o of f.ex.listOrders(u)) {
      assert.equal(o.takerFeesMicros + o.makerFeesMicros, expectedFeeMicros(f, u, o), `fee of ${o.orderId}`);
      if (o.status !== "resting") assert.equal(o.heldMicros, 0);
      else {
        const legTicks = o.side === "bid" ? o.yesPriceTicks : 10_000 - o.yesPriceTicks;
        assert.ok(
          o.heldMicros <= legTicks * o.remainingHundredths,
          `hold of ${o.orderId} ≤ limit × remaining`,
        );
      }
    }
  }
  let pairs = 0;
  for (const t of TICKERS) {
    let longYes = 0;
    let longNo = 0;
    for (const u of USERS) {
      const p = f.ex.positions(u, t)[0]?.positionHundredths ?? 0;
      longYes += Math.max(p, 0);
      longNo += Math.max(-p, 0);
    }
    const m = unwrap(f.ex.market(t));
    assert.equal(longYes, longNo, `pairs balance in ${t}`);
    assert.equal(m.openInterestHundredths, longYes);
    pairs += longYes;
    const book = unwrap(f.ex.orderbook(t, 0));
    const bestBid = book.yes.at(-1)?.[0] ?? 0;
    const bestNo = book.no.at(-1)?.[0] ?? 0;
    assert.ok(bestBid + bestNo < 10_000, `book ${t} not crossed`);
    const expect = new Map<string, number>();
    for (const u of USERS) {
      for (const o of f.ex.listOrders(u, { ticker: t, status: "resting" })) {
        const key = o.side === "bid" ? `yes${o.yesPriceTicks}` : `no${10_000 - o.yesPriceTicks}`;
        expect.set(key, (expect.get(key) ?? 0) + o.remainingHundredths);
      }
    }
    const got = new Map<string, number>();
    for (const [p, s] of book.yes) got.set(`yes${p}`, s);
    for (const [p, s] of book.no) got.set(`no${p}`, s);
    assert.deepEqual(got, expect, `levels of ${t}`);
  }
  assert.equal(systemCash + systemFees + pairs * 10_000, USERS.length * DEPOSIT, "system conservation");
}

describe("paper exchange ledger properties", () => {
  it("random order streams keep every ledger identity exact and settle to the micro", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 40, maxLength: 120 }), fc.boolean(), (ops, yes) => {
        const f = makeExchange(MARKETS);
        for (const u of USERS) unwrap(f.ex.openAccount(u, DEPOSIT));
        const groups = new Map<string, string>();
        for (const op of ops) {
          apply(f, groups, op);
          checkInvariants(f);
        }
        const result = yes ? "yes" : "no";
        const before = new Map<string, number>();
        for (const u of USERS) {
          let value = 0;
          for (const p of f.ex.positions(u)) {
            const wins = result === "yes" ? p.positionHundredths > 0 : p.positionHundredths < 0;
            if (wins) value += Math.abs(p.positionHundredths) * 10_000;
          }
          const b = unwrap(f.ex.balance(u));
          before.set(u, b.balanceMicros + b.heldMicros + value);
        }
        for (const t of TICKERS) unwrap(f.ex.settleMarket(t, result));
        for (const u of USERS) {
          const b = unwrap(f.ex.balance(u));
          assert.equal(b.heldMicros, 0);
          assert.equal(b.balanceMicros, before.get(u), `settlement value of ${u}`);
          let pnl = 0;
          for (const p of f.ex.positions(u)) {
            assert.equal(p.positionHundredths, 0);
            pnl += p.realizedPnlMicros - p.feesPaidMicros;
          }
          assert.equal(b.balanceMicros, DEPOSIT + pnl, `deposits − fees + P&L for ${u}`);
        }
      }),
      { numRuns: 120, seed: 20261124 },
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import { CircuitBreakers } from "../../../src/orders/risk/breakers.js";
import {
  FreshnessGate,
  MarketThrottle,
  RiskGate,
  type RiskLimits,
  type RiskOrder,
} from "../../../src/orders/risk/risk.js";

const LIMITS: RiskLimits = {
  maxContractsPerMarketHundredths: 2000,
  maxGrossExposureMicros: 20_000_000,
  minCashReserveMicros: 5_000_000,
  maxOrdersPerSecond: 3,
};

function order(extra: Partial<RiskOrder> = {}): RiskOrder {
  return {
    market: 1,
    action: "BUY_YES",
    ownLimitTicks: 5000,
    countHundredths: 1000,
    reservationMicros: 5_180_000,
    ...extra,
  };
}

describe("risk before every order (correctness-rules.md rule 18)", () => {
  it("allows an order inside every limit", () => {
    assert.equal(new RiskGate(LIMITS).check(order(), new Ledger(50_000_000), 0), null);
  });

  it("refuses by max contracts per market, counting held and open same-direction contracts", () => {
    const l = new Ledger(50_000_000);
    l.place({ clientOrderId: "a", market: 1, action: "BUY_YES", ownLimitTicks: 5000, countHundredths: 1500 });
    const gate = new RiskGate(LIMITS);
    assert.equal(gate.check(order({ countHundredths: 600 }), l, 0), "max_contracts_per_market");
    assert.equal(gate.check(order({ countHundredths: 500 }), l, 0), null);
    assert.equal(gate.check(order({ market: 2, countHundredths: 600 }), l, 0), null);
    assert.equal(gate.refusals.max_contracts_per_market, 1);
  });

  it("refuses by max gross exposure and by the min cash reserve", () => {
    const gate = new RiskGate(LIMITS);
    const l = new Ledger(50_000_000);
    // 0.9 × 16 = $14.40 ≤ $20; with $6.17 reserved elsewhere (6.00 + 0.17 fee) → $20.57 > $20
    assert.equal(gate.check(order({ ownLimitTicks: 9000, countHundredths: 1600 }), l, 0), null);
    l.place({ clientOrderId: "a", market: 2, action: "BUY_YES", ownLimitTicks: 6000, countHundredths: 1000 });
    assert.equal(
      gate.check(order({ ownLimitTicks: 9000, countHundredths: 1600 }), l, 0),
      "max_gross_exposure",
    );
    assert.equal(gate.check(order({ ownLimitTicks: 9000, countHundredths: 1500 }), l, 0), null); // $19.67
    const poor = new Ledger(9_000_000);
    assert.equal(gate.check(order({ reservationMicros: 4_000_001 }), poor, 0), "min_cash_reserve");
    assert.equal(gate.check(order({ reservationMicros: 4_000_000 }), poor, 0), null);
  });

  it("lets closing sells through the exposure limits", () => {
    const gate = new RiskGate(LIMITS);
    assert.equal(gate.check(order({ action: "SELL_YES", countHundredths: 99_999 }), new Ledger(0), 0), null);
  });

  it("limits orders per second over a sliding second", () => {
    const gate = new RiskGate(LIMITS);
    const l = new Ledger(50_000_000);
    for (const t of [0, 100, 200]) {
      assert.equal(gate.check(order(), l, t), null);
      gate.recordSent(t);
    }
    assert.equal(gate.check(order(), l, 999), "max_orders_per_second");
    assert.equal(gate.check(order(), l, 1000), null);
  });

  it("blocks every order while the kill switch is engaged", () => {
    const gate = new RiskGate(LIMITS);
    gate.engageKillSwitch();
    assert.equal(gate.check(order({ action: "SELL_YES" }), new Ledger(50_000_000), 0), "kill_switch");
    gate.releaseKillSwitch();
    assert.equal(gate.check(order(), new Ledger(50_000_000), 0), null);
  });
});

describe("throttle and freshness", () => {
  it("throttles a market for 250 ms after a write, per market", () => {
    const th = new MarketThrottle();
    assert.equal(th.allow(1, 1000), true);
    th.record(1, 1000);
    assert.equal(th.allow(1, 1249), false);
    assert.equal(th.allow(2, 1249), true);
    assert.equal(th.allow(1, 1250), true);
    assert.equal(th.throttled, 1);
  });

  it("drops and counts decisions older than the 50 ms budget from frame receive time", () => {
    const g = new FreshnessGate();
    assert.equal(g.accept(1000, 1050), true);
    assert.equal(g.accept(1000, 1051), false);
    assert.equal(g.dropped, 1);
  });
});

describe("circuit breakers (correctness-rules.md rule 23)", () => {
  const cfg = {
    maxConsecutiveErrors: 3,
    rejectWindow: 4,
    maxRejectPercent: 50,
    rateLimitWindowMs: 1000,
    maxRateLimitedInWindow: 3,
    coolDownMs: 5000,
  };

  it("trips on consecutive errors, pauses for the cool-down, then re-arms with reset counters", () => {
    const b = new CircuitBreakers(cfg);
    b.recordError(0);
    b.recordError(1);
    b.recordAccepted(); // a success breaks the run
    b.recordError(2);
    b.recordError(3);
    assert.equal(b.canTrade(3), true);
    b.recordError(4);
    assert.equal(b.tripReason, "consecutive_errors");
    assert.equal(b.canTrade(5003), false);
    assert.equal(b.canTrade(5004), true);
    assert.equal(b.rearms, 1);
    assert.deepEqual(b.snapshot(), { consecutiveErrors: 0, rejectsInWindow: 0, outcomes: 0, tripped: null });
    // one new error must not trip again: the old run was reset
    b.recordError(5005);
    assert.equal(b.canTrade(5005), true);
  });

  it("trips on a reject rate at or above the threshold over a full window, and resets it on re-arm", () => {
    const b = new CircuitBreakers(cfg);
    b.recordRejected(0);
    b.recordAccepted();
    b.recordRejected(1);
    assert.equal(b.tripped, false, "window not full yet");
    b.recordAccepted();
    assert.equal(b.tripped, false, "a success does not trip");
    b.recordRejected(2); // window [A, R, A, R] → 2/4 = 50%
    assert.equal(b.tripReason, "reject_rate");
    assert.equal(b.canTrade(5002), true);
    b.recordRejected(5003);
    assert.equal(b.tripped, false, "counters were reset on re-arm");
  });

  it("trips on a 429 storm only when enough fall inside the window", () => {
    const b = new CircuitBreakers(cfg);
    b.recordRateLimited(0);
    b.recordRateLimited(600);
    b.recordRateLimited(1200); // 3 within 1200 ms > 1000 ms window
    assert.equal(b.tripped, false);
    b.recordRateLimited(1500); // 600, 1200, 1500 within 900 ms
    assert.equal(b.tripReason, "rate_limit_storm");
    assert.equal(b.canTrade(6499), false);
    assert.equal(b.canTrade(6500), true);
    b.recordRateLimited(6501);
    assert.equal(b.tripped, false);
  });
});

/**
 * Pre-trade risk, throttle and decision freshness (orders thread; time is always injected).
 *
 * correctness-rules.md rule 18: before every order — max contracts per market, max gross exposure, min cash
 * reserve, max orders per second — and a kill switch that blocks new orders (the order manager
 * also cancels everything when it engages). docs/architecture.md "Timing": a decision older than the
 * loop budget (default 50 ms from the frame's receive time) is dropped and counted, never run
 * (rule 23). A per-market throttle (default 250 ms) keeps one market from churning orders.
 */
import { MICROS_PER_TICK_HUNDREDTH } from "../../kalshi/units.js";
import { type EngineAction, isBuy, type Ledger } from "../accounts/ledger.js";

export interface RiskLimits {
  /** |position| + open same-direction buys + the new order, per market */
  maxContractsPerMarketHundredths: number;
  /** Σ cost basis of positions + reserved cash + the new order's cost */
  maxGrossExposureMicros: number;
  /** free cash that must remain after the new reservation */
  minCashReserveMicros: number;
  maxOrdersPerSecond: number;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze({
  maxContractsPerMarketHundredths: 100_00,
  maxGrossExposureMicros: 500_000_000,
  minCashReserveMicros: 10_000_000,
  maxOrdersPerSecond: 20,
});

export type RiskRefusal =
  | "kill_switch"
  | "max_contracts_per_market"
  | "max_gross_exposure"
  | "min_cash_reserve"
  | "max_orders_per_second";

export interface RiskOrder {
  market: number;
  action: EngineAction;
  ownLimitTicks: number;
  countHundredths: number;
  /** what the ledger would reserve (cost + worst-case fee) */
  reservationMicros: number;
}

export class RiskGate {
  private killed = false;
  /** send times of the last `maxOrdersPerSecond` orders (ring) */
  private readonly sentMs: Float64Array;
  private sentHead = 0;
  readonly refusals: Record<RiskRefusal, number> = {
    kill_switch: 0,
    max_contracts_per_market: 0,
    max_gross_exposure: 0,
    min_cash_reserve: 0,
    max_orders_per_second: 0,
  };

  constructor(private readonly limits: RiskLimits = DEFAULT_RISK_LIMITS) {
    this.sentMs = new Float64Array(Math.max(1, limits.maxOrdersPerSecond)).fill(Number.NEGATIVE_INFINITY);
  }

  get killSwitchEngaged(): boolean {
    return this.killed;
  }
  engageKillSwitch(): void {
    this.killed = true;
  }
  releaseKillSwitch(): void {
    this.killed = false;
  }

  /** null = allowed; otherwise the first limit the order breaks (counted). */
  check(order: RiskOrder, ledger: Ledger, nowMs: number): RiskRefusal | null {
    const refusal = this.firstRefusal(order, ledger, nowMs);
    if (refusal !== null) this.refusals[refusal]++;
    return refusal;
  }

  private firstRefusal(order: RiskOrder, ledger: Ledger, nowMs: number): RiskRefusal | null {
    if (this.killed) return "kill_switch";
    // the oldest of the last N sends must be more than 1 s ago
    if (nowMs - this.sentMs[this.sentHead]! < 1000) return "max_orders_per_second";
    if (!isBuy(order.action)) return null; // closing sells only reduce exposure
    const pos = ledger.position(order.market).contractsHundredths;
    let sameDirection = order.action === "BUY_YES" ? Math.max(0, pos) : Math.max(0, -pos);
    for (const o of ledger.orders.openOrders()) {
      if (o.market === order.market && o.action === order.action)
        sameDirection += o.countHundredths - o.filledHundredths;
    }
    if (sameDirection + order.countHundredths > this.limits.maxContractsPerMarketHundredths) {
      return "max_contracts_per_market";
    }
    let gross = ledger.reservedCashMicros;
    for (const m of ledger.markets()) gross += ledger.position(m).costBasisMicros;
    gross += order.ownLimitTicks * order.countHundredths * MICROS_PER_TICK_HUNDREDTH;
    if (gross > this.limits.maxGrossExposureMicros) return "max_gross_exposure";
    if (ledger.freeCashMicros - order.reservationMicros < this.limits.minCashReserveMicros)
      return "min_cash_reserve";
    return null;
  }

  /** Call once per order actually sent (feeds the orders-per-second window). */
  recordSent(nowMs: number): void {
    this.sentMs[this.sentHead] = nowMs;
    this.sentHead = (this.sentHead + 1) % this.sentMs.length;
  }
}

/** Per-market minimum interval between order writes. */
export class MarketThrottle {
  private readonly lastMs = new Map<number, number>();
  throttled = 0;

  constructor(private readonly minIntervalMs = 250) {}

  /** true when the market may send now; counts refusals. */
  allow(market: number, nowMs: number): boolean {
    const last = this.lastMs.get(market);
    if (last !== undefined && nowMs - last < this.minIntervalMs) {
      this.throttled++;
      return false;
    }
    return true;
  }

  record(market: number, nowMs: number): void {
    this.lastMs.set(market, nowMs);
  }
}

/** Drops decisions older than the loop budget, counting them (rule 23: shed load, counted). */
export class FreshnessGate {
  dropped = 0;

  constructor(private readonly budgetMs = 50) {}

  /** true when the decision is still fresh; `frameRecvMs` is the receive time of its frame. */
  accept(frameRecvMs: number, nowMs: number): boolean {
    if (nowMs - frameRecvMs > this.budgetMs) {
      this.dropped++;
      return false;
    }
    return true;
  }
}

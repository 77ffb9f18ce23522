/**
 * Scheduled closes and settlements (`--settle-every S`): during a long run the simulator settles
 * some markets, as Kalshi does. A seeded third of the markets get close times S, 2S, 3S … after
 * start (shown as `close_time` on GET /markets); at each close time that market closes and is
 * determined (event `determined`), and the market determined one period earlier is settled
 * (event `settled`, positions paid out, entries in GET /portfolio/settlements).
 */
import type { MarketResult, MarketSpec, PaperExchangeApi } from "../exchange/index.js";
import { Xoshiro128 } from "../faults/prng.js";

export interface SettlementPlan {
  /** tickers in settlement order; market k closes at startMs + (k + 1) × everyMs */
  tickers: string[];
  startMs: number;
  everyMs: number;
}

/** Chooses the markets and writes their close times into the specs (before the core is built). */
export function planSettlements(
  specs: MarketSpec[],
  everyMs: number,
  startMs: number,
  seed: number,
): SettlementPlan {
  const rng = new Xoshiro128(seed ^ 0x5e771e);
  const order = specs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const count = Math.max(1, Math.floor(specs.length / 3));
  const tickers: string[] = [];
  for (let k = 0; k < count; k++) {
    const spec = specs[order[k]!]!;
    spec.closeTsMs = startMs + (k + 1) * everyMs;
    tickers.push(spec.ticker);
  }
  return { tickers, startMs, everyMs };
}

export class SettlementScheduler {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private readonly rng: Xoshiro128;
  readonly stats = { determined: 0, settled: 0 };

  constructor(
    private readonly core: PaperExchangeApi,
    private readonly plan: SettlementPlan,
    seed: number,
  ) {
    this.rng = new Xoshiro128(seed ^ 0x7e57);
  }

  start(): void {
    if (this.timer !== undefined || this.plan.tickers.length === 0) return;
    this.timer = setInterval(() => this.step(), this.plan.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One period: settle the market determined last period, determine the next one. */
  step(): void {
    const plan = this.plan.tickers;
    if (this.next > 0 && this.next - 1 < plan.length) {
      if (this.core.settleMarket(plan[this.next - 1]!).ok) this.stats.settled++;
    }
    if (this.next < plan.length) {
      const result: MarketResult = this.rng.nextU32() % 2 === 0 ? "yes" : "no";
      if (this.core.determineMarket(plan[this.next]!, result).ok) this.stats.determined++;
    }
    this.next++;
    if (this.next > plan.length) this.stop();
  }
}

/**
 * Seeded market simulator: realistic order flow for N markets, all of it THROUGH the paper core,
 * so the engine's resting orders sit in the same books and fill by price-time priority when the
 * flow crosses them (docs/architecture.md "The paper exchange").
 *
 * Per market: a fair value (YES ticks) doing a Gaussian random walk; simulated makers post limit
 * orders a few grid steps around it, cancel old ones, and simulated takers cross the spread with
 * immediate-or-cancel orders at the touch. Every action changes the book at least once, so the
 * action rate is the book-update rate (a taker sweeping k levels makes k updates).
 *
 * Two arrival modes:
 * - "burst" (the default of the library): one interval timer; each tick runs the actions that are
 *   due since the start, at most `maxBatch` per tick (a few ticks' worth, so one tick never stalls
 *   the event loop for long) and carries the rest over: a delayed timer catches up over the next
 *   ticks. The flow arrives in `tickMs` (10 ms) batches.
 * - "poisson" (the `paper` command's default): each action at its own time from arrivals.ts —
 *   exponential gaps at microsecond resolution plus clusters from market events — as a live feed
 *   delivers it. Gaps over 2 ms sleep on a timer; shorter ones block this thread in
 *   `Atomics.wait` for the gap (the timer's 1 ms granularity would batch them) and then yield to
 *   the event loop after every arrival, so frames go out one by one and REST keeps being served.
 *   It blocks the thread's event loop for at most 2 ms at a time: meant for the exchange's own
 *   process, not for a simulator sharing a thread with an engine.
 * In both modes only a backlog beyond `maxBacklog` (1 s of flow) is shed, so a starved process
 * degrades instead of spiralling. Never one setTimeout per action. All randomness comes from
 * seeded xoshiro128** streams, so a given sequence of `step(n)` calls is reproducible.
 */
import { MAX_TICK, MIN_TICK, TICKS_PER_CENT } from "../../kalshi/units.js";
import type { MarketSpec, PaperExchangeApi, PriceLevelStructure } from "../exchange/index.js";
import { gridOf, snapToGrid } from "../exchange/index.js";
import { Xoshiro128 } from "../faults/prng.js";
import { type ArrivalMode, type ArrivalShape, PoissonArrivals } from "./arrivals.js";

/** Standard deviation of the fair value's step per action: $0.0015. */
const FAIR_STEP_TICKS = 15;
/** The fair value stays within $0.01–$0.99 (ticks of $0.0001), room for quotes on both sides. */
const MIN_FAIR_TICKS = 100;
const MAX_FAIR_TICKS = 9900;

export interface SimulatorOptions {
  core: PaperExchangeApi;
  markets: readonly MarketSpec[];
  seed: number;
  /** target book updates per second over all markets (0 = paused) */
  ratePerSec: number;
  /** "burst" (default): `tickMs` batches; "poisson": live-feed-like arrivals (arrivals.ts) */
  arrivals?: ArrivalMode;
  /** poisson mode: how much of the flow comes in market-event clusters */
  arrivalShape?: ArrivalShape;
  /** burst mode: timer period; default 10 ms */
  tickMs?: number;
  /** most actions run in one tick; default 4 ticks' worth (at least 200) */
  maxBatch?: number;
  /** due actions beyond this are shed; default 1 s of flow (at least maxBatch) */
  maxBacklog?: number;
  /** simulated maker accounts; default 4 */
  makers?: number;
  /** simulated taker accounts; default 2 */
  takers?: number;
  /** resting simulator orders per market above which the maker cancels instead; default 40 */
  maxRestingPerMarket?: number;
  /** deposit of each simulated account, micros; default $1e8 */
  depositMicros?: number;
  /** orders per side placed at start in each market; default 5 */
  seedOrdersPerSide?: number;
}

interface SimMarket {
  ticker: string;
  structure: PriceLevelStructure;
  /** the market's exchange shard: a cancel must be routed there, as Kalshi's must */
  shard: number;
  fractional: boolean;
  /** fair YES value in ticks (float) */
  fair: number;
  /** ids of the simulator's orders that may still rest (stale ids are tolerated) */
  resting: string[];
  /** owner of each entry in `resting` */
  owners: string[];
}

export interface SimulatorStats {
  actions: number;
  placed: number;
  canceled: number;
  takes: number;
  rejected: number;
  shed: number;
}

export class MarketSimulator {
  private readonly rng: Xoshiro128;
  private readonly markets: SimMarket[];
  private readonly makers: string[];
  private readonly takers: string[];
  private readonly maxResting: number;
  private readonly tickMs: number;
  private maxBatch = 0;
  private maxBacklog = 0;
  private rate: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly poisson: PoissonArrivals | null;
  /** poisson mode: a pump is scheduled (timer or immediate) */
  private running = false;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  /** never notified: Atomics.wait on it is a precise sub-millisecond sleep */
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  private startMs = 0;
  private due = 0;
  private coid = 0;
  readonly stats: SimulatorStats = { actions: 0, placed: 0, canceled: 0, takes: 0, rejected: 0, shed: 0 };

  constructor(private readonly opts: SimulatorOptions) {
    this.rng = new Xoshiro128(opts.seed);
    this.rate = opts.ratePerSec;
    this.tickMs = opts.tickMs ?? 10;
    this.poisson =
      opts.arrivals === "poisson"
        ? new PoissonArrivals(opts.seed, opts.markets.length, opts.arrivalShape)
        : null;
    this.limitsFor(opts.ratePerSec);
    this.maxResting = opts.maxRestingPerMarket ?? 40;
    this.makers = Array.from({ length: opts.makers ?? 4 }, (_, i) => `sim-maker-${i}`);
    this.takers = Array.from({ length: opts.takers ?? 2 }, (_, i) => `sim-taker-${i}`);
    const deposit = opts.depositMicros ?? 100_000_000 * 1_000_000;
    for (const u of [...this.makers, ...this.takers]) {
      // Simulator accounts keep no history: memory stays flat under sustained load.
      if (opts.core.hasAccount(u)) continue;
      opts.core.openAccount(u, deposit, { keepHistory: false });
      // Collateral is per shard: fund every shard so simulated flow trades on all of them.
      for (let k = 1; k < opts.core.shardCount(); k++) opts.core.deposit(u, deposit, k);
    }
    this.markets = opts.markets.map((m) => ({
      ticker: m.ticker,
      structure: m.priceLevelStructure,
      shard: m.exchangeIndex ?? 0,
      fractional: m.fractionalTradingEnabled !== false,
      fair: initialFair(m.priceLevelStructure, this.rng.next()),
      resting: [],
      owners: [],
    }));
  }

  /** Places the opening books (a few bids and asks around each fair value). */
  seedBooks(): void {
    const perSide = this.opts.seedOrdersPerSide ?? 5;
    for (const m of this.markets) {
      for (let i = 0; i < perSide; i++) {
        this.place(m, true);
        this.place(m, false);
      }
    }
  }

  get ratePerSec(): number {
    return this.rate;
  }

  /** Changes the target rate without losing the schedule. */
  setRate(ratePerSec: number): void {
    this.rebase();
    this.rate = ratePerSec;
    this.limitsFor(ratePerSec);
  }

  private limitsFor(ratePerSec: number): void {
    this.maxBatch = this.opts.maxBatch ?? Math.max(200, Math.ceil((ratePerSec * this.tickMs * 4) / 1000));
    this.maxBacklog = Math.max(this.maxBatch, this.opts.maxBacklog ?? ratePerSec);
  }

  get arrivals(): ArrivalMode {
    return this.poisson === null ? "burst" : "poisson";
  }

  start(): void {
    if (this.poisson !== null) {
      if (this.running) return;
      this.running = true;
      this.rebase();
      this.schedulePump();
      return;
    }
    if (this.timer !== undefined) return;
    this.rebase();
    this.timer = setInterval(() => this.onTick(), this.tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.running = false;
    if (this.pumpTimer !== undefined) clearTimeout(this.pumpTimer);
    if (this.pumpImmediate !== undefined) clearImmediate(this.pumpImmediate);
    this.pumpTimer = undefined;
    this.pumpImmediate = undefined;
  }

  private rebase(): void {
    this.startMs = performance.now();
    this.due = 0;
    if (this.poisson !== null && this.rate > 0) this.poisson.reset(this.startMs, this.rate);
  }

  /** Poisson mode: the next pump, on a timer when the next arrival is far, else right away. */
  private schedulePump(): void {
    if (!this.running) return;
    const waitMs = this.rate > 0 ? this.poisson!.nextAtMs - performance.now() : 10;
    if (waitMs > 2) this.pumpTimer = setTimeout(this.pump, waitMs - 1);
    else this.pumpImmediate = setImmediate(this.pump);
  }

  /** Poisson mode: sleep to the next arrival (< 2 ms away), run every due action, yield. */
  private readonly pump = (): void => {
    this.pumpTimer = undefined;
    this.pumpImmediate = undefined;
    if (!this.running) return;
    const arrivals = this.poisson!;
    if (this.rate > 0) {
      let now = performance.now();
      const waitMs = arrivals.nextAtMs - now;
      if (waitMs > 0.02) {
        Atomics.wait(this.sleepCell, 0, 0, Math.min(waitMs, 2));
        now = performance.now();
      }
      if (now - arrivals.nextAtMs > this.maxBacklog * (1000 / this.rate)) {
        // Far behind schedule: skip the arrivals older than the backlog bound.
        const from = now - this.maxBacklog * (1000 / this.rate);
        while (arrivals.nextAtMs < from) {
          arrivals.advance();
          this.stats.shed++;
        }
      }
      const markets = this.markets;
      for (let n = 0; n < this.maxBatch && arrivals.nextAtMs <= now; n++) {
        const m = arrivals.nextMarket;
        this.act(markets[m >= 0 ? m : this.rng.int(markets.length)]!);
        arrivals.advance();
      }
    }
    this.schedulePump();
  };

  private onTick(): void {
    if (this.rate <= 0) return;
    const target = Math.floor(((performance.now() - this.startMs) * this.rate) / 1000);
    let backlog = target - this.due;
    if (backlog <= 0) return;
    if (backlog > this.maxBacklog) {
      // Far behind schedule: skip the excess instead of trying to catch up forever.
      this.stats.shed += backlog - this.maxBacklog;
      this.due = target - this.maxBacklog;
      backlog = this.maxBacklog;
    }
    const n = Math.min(backlog, this.maxBatch);
    this.due += n;
    this.step(n);
  }

  /** Runs `n` simulated actions now (the bench and tests call this directly). */
  step(n: number): void {
    const markets = this.markets;
    for (let i = 0; i < n; i++) this.act(markets[this.rng.int(markets.length)]!);
  }

  /** One simulated action on market m: a take, a cancel or a new resting order. */
  private act(m: SimMarket): void {
    m.fair += this.rng.normal() * FAIR_STEP_TICKS;
    if (m.fair < MIN_FAIR_TICKS) m.fair = MIN_FAIR_TICKS;
    else if (m.fair > MAX_FAIR_TICKS) m.fair = MAX_FAIR_TICKS;
    const r = this.rng.next();
    if (r < 0.1) this.take(m);
    else if (r < 0.45 || m.resting.length >= this.maxResting) this.cancelOne(m);
    else this.place(m, this.rng.next() < 0.5);
    this.stats.actions++;
  }

  private count(m: SimMarket): number {
    const contracts = 1 + Math.floor(-Math.log(1 - this.rng.next()) * 15);
    const hundredths = Math.min(contracts, 500) * 100;
    return m.fractional && this.rng.next() < 0.2 ? hundredths + 25 + this.rng.int(50) : hundredths;
  }

  private nextCoid(): string {
    return `sim-${(this.coid++).toString(36)}`;
  }

  private place(m: SimMarket, bid: boolean): void {
    // Offsets of 1..~12 grid-ish steps around the fair value: whole cents on a cent grid, two grid
    // steps on a finer one; more weight near the fair value.
    const gridStep = gridOf(m.structure).stepAt(m.fair);
    const step = gridStep >= TICKS_PER_CENT ? gridStep : 2 * gridStep;
    const offset = step * (1 + Math.floor(-Math.log(1 - this.rng.next()) * 3));
    const raw = bid ? m.fair - offset : m.fair + offset;
    const price = snapToGrid(m.structure, Math.round(raw), bid);
    const onScale = price >= MIN_TICK && price <= MAX_TICK;
    if (onScale && this.quote(m, bid, price) !== "canceled") return;
    // Off the price scale, or post-only with the fair value past the other side's touch (the
    // exchange cancels such an order without a book change): quote one grid price inside that
    // touch instead, as a maker chasing the move would, so every action changes the book (the
    // action rate is the book-update rate the engine is measured at).
    const view = this.opts.core.market(m.ticker);
    if (!view.ok) return;
    const touch = bid ? view.value.yesAskTicks : view.value.yesBidTicks;
    if (touch === 0) return;
    const inside = snapToGrid(m.structure, bid ? touch - 1 : touch + 1, bid);
    if (inside >= MIN_TICK && inside <= MAX_TICK) this.quote(m, bid, inside);
  }

  /** One post-only maker order; its status, or "" when the exchange refused it. */
  private quote(m: SimMarket, bid: boolean, price: number): string {
    const user = this.makers[this.rng.int(this.makers.length)]!;
    const r = this.opts.core.createOrder(user, {
      ticker: m.ticker,
      clientOrderId: this.nextCoid(),
      side: bid ? "bid" : "ask",
      yesPriceTicks: price,
      countHundredths: this.count(m),
      timeInForce: "good_till_canceled",
      selfTradePrevention: "maker",
      postOnly: true,
    });
    if (!r.ok) {
      this.stats.rejected++;
      return "";
    }
    this.stats.placed++;
    if (r.value.status === "resting") {
      m.resting.push(r.value.orderId);
      m.owners.push(user);
    }
    return r.value.status;
  }

  private cancelOne(m: SimMarket): void {
    const n = m.resting.length;
    if (n === 0) {
      this.place(m, this.rng.next() < 0.5);
      return;
    }
    // Older orders are more likely to be pulled: pick among the oldest half.
    const i = this.rng.int(Math.max(1, n >> 1));
    const orderId = m.resting[i]!;
    const user = m.owners[i]!;
    m.resting[i] = m.resting[n - 1]!;
    m.owners[i] = m.owners[n - 1]!;
    m.resting.pop();
    m.owners.pop();
    const r = this.opts.core.cancelOrder(user, orderId, m.shard);
    if (r.ok && r.value.reducedByHundredths > 0) this.stats.canceled++;
    else this.cancelOne(m); // it had filled meanwhile: pull another one (or place)
  }

  private take(m: SimMarket): void {
    const view = this.opts.core.market(m.ticker);
    if (!view.ok) return;
    const buyYes = this.rng.next() < 0.5;
    const touch = buyYes ? view.value.yesAskTicks : view.value.yesBidTicks;
    if (touch === 0) {
      this.place(m, !buyYes);
      return;
    }
    // Takers pull the fair value toward the traded price: flow has information.
    m.fair = m.fair * 0.8 + touch * 0.2;
    const r = this.opts.core.createOrder(this.takers[this.rng.int(this.takers.length)]!, {
      ticker: m.ticker,
      clientOrderId: this.nextCoid(),
      side: buyYes ? "bid" : "ask",
      yesPriceTicks: touch,
      countHundredths: this.count(m),
      timeInForce: "immediate_or_cancel",
      selfTradePrevention: "taker_at_cross",
    });
    if (r.ok) this.stats.takes++;
    else this.stats.rejected++;
  }
}

/**
 * Fair value (YES ticks) a market starts at from one uniform draw `u`: $0.15–$0.85, except on a
 * grid with $0.0001 ticks at the edges, whose markets start near an edge ($0.02–$0.09 or
 * $0.91–$0.98) so that the fine part of the grid carries quotes.
 */
function initialFair(structure: PriceLevelStructure, u: number): number {
  if (structure === "center_deci_edge_centi_cent") return u < 0.5 ? 200 + u * 1400 : 9100 + (u - 0.5) * 1400;
  return 1500 + u * 7000;
}

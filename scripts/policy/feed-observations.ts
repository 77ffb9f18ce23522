/**
 * Observation rows from the engine's REAL feature path: generated Kalshi `orderbook_snapshot` /
 * `orderbook_delta` text frames go through `ReplaySession` (FeedApplier.applyFrame → BookTable →
 * FeatureState/TemporalTable → ObservationBuilder), exactly as live io and decide do.
 *
 * The generator is a small market simulator. Every market has a drifting fair value, a tick style
 * (whole cents or $0.001), a typical half-spread, a depth scale, an activity rate and a slowly
 * mean-reverting order-flow pressure that loads one side of the book more than the other; events
 * are quotes near the touch, cancels, takes at the touch, and occasional fresh snapshots (some
 * with an empty side). The portfolio (cash, signed positions, resting-order summaries) is redrawn
 * every few hundred frames, so the portfolio and order blocks cover their ranges too.
 */

import { MarketDirectory } from "../../src/book/market-directory.js";
import { ReplaySession } from "../../src/features/replay.js";
import { TICKS_PER_DOLLAR } from "../../src/kalshi/units.js";
import { OBSERVATION_V1_SIZE } from "../../src/policy/policy.js";
import { MemoryPortfolio } from "./memory-portfolio.js";
import type { Prng } from "./prng.js";

const MARKETS = 48;
/** keep this share of observations (neighbouring updates of one market are nearly identical) */
const KEEP_PROBABILITY = 0.4;
const PORTFOLIO_EVERY_FRAMES = 300;
const START_MS = Date.UTC(2026, 2, 10, 13, 0, 0);

interface SimMarket {
  ticker: string;
  stepTicks: number;
  fairTicks: number;
  volTicks: number;
  halfSpreadTicks: number;
  depthContracts: number;
  activity: number;
  pressure: number;
  /** tick → hundredths */
  yes: Map<number, number>;
  no: Map<number, number>;
}

/** Engine price ticks ($0.0001) per simulator tick ($0.001). */
const ENGINE_TICKS_PER_SIM_TICK = TICKS_PER_DOLLAR / 1000;

function dollars(ticks: number): string {
  return (ticks / 1000).toFixed(4);
}

function contracts(hundredths: number): string {
  return (hundredths / 100).toFixed(2);
}

function best(side: Map<number, number>): number {
  let b = 0;
  for (const t of side.keys()) if (t > b) b = t;
  return b;
}

class FeedSimulator {
  readonly markets: SimMarket[] = [];
  private seq = 0;
  recvMs = START_MS;

  constructor(private readonly rng: Prng) {
    for (let i = 0; i < MARKETS; i++) {
      const cents = rng.chance(0.6);
      const wide = rng.chance(0.2);
      this.markets.push({
        ticker: `KXSIM-26MAR10-M${i}`,
        stepTicks: cents ? 10 : 1,
        fairTicks: rng.uniform(40, 960),
        volTicks: rng.logUniform(0.2, 4),
        halfSpreadTicks: wide ? rng.uniform(25, 120) : cents ? rng.uniform(5, 20) : rng.uniform(1, 15),
        depthContracts: rng.logUniform(3, 1500),
        activity: rng.logUniform(0.05, 1),
        pressure: rng.normal() * 0.5,
        yes: new Map(),
        no: new Map(),
      });
    }
  }

  private size(m: SimMarket, yesSide: boolean): number {
    const tilt = Math.exp((yesSide ? 1.6 : -1.6) * m.pressure);
    const contractsValue = m.depthContracts * tilt * Math.exp(this.rng.normal() * 0.9);
    return Math.max(1, Math.round(contractsValue * 100));
  }

  /** YES tick of the k-th level below the touch on `yesSide`, on the market's tick grid. */
  private levelTick(m: SimMarket, yesSide: boolean, k: number): number {
    const half = Math.max(m.stepTicks / 2, m.halfSpreadTicks * Math.exp(this.rng.normal() * 0.35));
    const yesTick = yesSide
      ? m.fairTicks - half - k * m.stepTicks
      : 1000 - (m.fairTicks + half + k * m.stepTicks);
    return Math.round(yesTick / m.stepTicks) * m.stepTicks;
  }

  snapshotFrame(m: SimMarket): string {
    m.yes.clear();
    m.no.clear();
    const drop = this.rng.next();
    for (const yesSide of [true, false]) {
      if ((yesSide && drop < 0.04) || (!yesSide && drop > 0.96)) continue;
      const side = yesSide ? m.yes : m.no;
      const levels = this.rng.int(1, 12);
      for (let k = 0; k < levels; k++) {
        const t = this.levelTick(m, yesSide, k + (this.rng.chance(0.3) ? this.rng.int(0, 6) : 0));
        if (t >= 1 && t <= 999) side.set(t, this.size(m, yesSide));
      }
    }
    this.uncross(m);
    const fmt = (side: Map<number, number>) => [...side].map(([t, h]) => [dollars(t), contracts(h)]);
    return JSON.stringify({
      type: "orderbook_snapshot",
      sid: 1,
      seq: ++this.seq,
      msg: { market_ticker: m.ticker, yes_dollars_fp: fmt(m.yes), no_dollars_fp: fmt(m.no) },
    });
  }

  /** Keeps the generated book uncrossed (a real venue's book is: best YES bid + best NO bid < 1000). */
  private uncross(m: SimMarket): void {
    for (;;) {
      const by = best(m.yes);
      const bn = best(m.no);
      if (by === 0 || bn === 0 || by + bn < 1000) return;
      if (this.rng.chance(0.5)) m.yes.delete(by);
      else m.no.delete(bn);
    }
  }

  private deltaFrame(m: SimMarket, yesSide: boolean, tick: number, deltaHundredths: number): string {
    const side = yesSide ? m.yes : m.no;
    const next = (side.get(tick) ?? 0) + deltaHundredths;
    if (next > 0) side.set(tick, next);
    else side.delete(tick);
    const msg: Record<string, unknown> = {
      market_ticker: m.ticker,
      price_dollars: dollars(tick),
      delta_fp: contracts(deltaHundredths),
      side: yesSide ? "yes" : "no",
    };
    if (this.rng.chance(0.9)) msg.ts_ms = this.recvMs - this.rng.int(0, 40);
    return JSON.stringify({ type: "orderbook_delta", sid: 1, seq: ++this.seq, msg });
  }

  /** One market event as a frame, or null when the drawn event does not apply. */
  eventFrame(m: SimMarket): string | null {
    const rng = this.rng;
    m.fairTicks = Math.min(980, Math.max(20, m.fairTicks + rng.normal() * m.volTicks));
    m.pressure = 0.97 * m.pressure + 0.25 * rng.normal();
    const e = rng.next();
    if (e < 0.02) return this.snapshotFrame(m);
    const yesSide = rng.chance(0.5);
    const side = yesSide ? m.yes : m.no;
    if (e < 0.52 || side.size === 0) {
      // Quote: mostly near the touch; the pressured side quotes larger.
      const k = rng.chance(0.6) ? 0 : rng.int(1, 8);
      const tick = this.levelTick(m, yesSide, k);
      const other = best(yesSide ? m.no : m.yes);
      if (tick < 1 || tick > 999 || (other > 0 && tick + other >= 1000)) return null;
      return this.deltaFrame(m, yesSide, tick, this.size(m, yesSide));
    }
    if (e < 0.8 || side.size > 25) {
      // Cancel part or all of a random level.
      const ticks = [...side.keys()];
      const tick = ticks[rng.int(0, ticks.length - 1)];
      const have = side.get(tick) ?? 0;
      const cut = rng.chance(0.5) ? have : Math.max(1, Math.round(have * rng.uniform(0.1, 0.9)));
      return this.deltaFrame(m, yesSide, tick, -Math.min(have, cut));
    }
    // Take at the touch of the side under less pressure.
    const takeYes = m.pressure < 0 ? rng.chance(0.7) : rng.chance(0.3);
    const takeSide = takeYes ? m.yes : m.no;
    const touch = best(takeSide);
    if (touch === 0) return null;
    const have = takeSide.get(touch) ?? 0;
    const take = rng.chance(0.4) ? have : Math.max(1, Math.round(have * rng.uniform(0.1, 0.9)));
    return this.deltaFrame(m, takeYes, touch, -Math.min(have, take));
  }

  pickMarket(): SimMarket {
    for (;;) {
      const m = this.markets[this.rng.int(0, this.markets.length - 1)];
      if (this.rng.next() < m.activity) return m;
    }
  }

  /** Redraws cash, positions and resting-order summaries (as the orders thread would publish). */
  redrawPortfolio(portfolio: MemoryPortfolio, directory: MarketDirectory): void {
    const rng = this.rng;
    portfolio.beginWrite();
    portfolio.clear();
    const lowCash = rng.chance(0.12);
    const freeMicros = Math.round((lowCash ? rng.uniform(0, 20) : rng.logUniform(50, 20000)) * 1e6);
    portfolio.setCash(freeMicros, Math.round(rng.uniform(0, 300) * 1e6));
    const longShare = rng.pick([0.05, 0.5, 0.95]);
    const positions = rng.chance(0.25) ? 0 : rng.int(1, 15);
    const scale = lowCash ? rng.logUniform(50, 3000) : rng.logUniform(1, 1000);
    for (let i = 0; i < positions; i++) {
      const m = this.markets[rng.int(0, this.markets.length - 1)];
      const index = directory.ensure(m.ticker);
      const c = Math.max(1, Math.round(scale * rng.logUniform(0.2, 3) * 100));
      const yes = rng.chance(longShare);
      const priceTicks = yes ? m.fairTicks : 1000 - m.fairTicks;
      const costMicros = Math.round(c * priceTicks * 10 * Math.exp(rng.normal() * 0.1));
      portfolio.setPosition(index, yes ? c : -c, costMicros);
    }
    for (const m of this.markets) {
      if (!rng.chance(0.3)) continue;
      const hasOpenBuy = rng.chance(0.6);
      const hasOpenSell = rng.chance(0.45);
      const limit = () => Math.min(999, Math.max(1, Math.round(m.fairTicks + rng.normal() * 40)));
      const placed = () => this.recvMs - rng.int(0, 900_000);
      portfolio.setOrderSummary(directory.ensure(m.ticker), {
        hasOpenBuy,
        hasOpenSell,
        // the simulator quotes in $0.001 ticks; the engine's unit is $0.0001
        newestBuyYesLimitTicks: hasOpenBuy ? limit() * ENGINE_TICKS_PER_SIM_TICK : 0,
        newestBuyPlacedMs: hasOpenBuy ? placed() : 0,
        newestSellYesLimitTicks: hasOpenSell ? limit() * ENGINE_TICKS_PER_SIM_TICK : 0,
        newestSellPlacedMs: hasOpenSell ? placed() : 0,
      });
    }
    portfolio.endWrite();
  }
}

/** `rows` observation-v1 rows built by the engine's feature code over simulated book frames. */
export function feedObservations(rng: Prng, rows: number): Float32Array {
  const out = new Float32Array(rows * OBSERVATION_V1_SIZE);
  const directory = new MarketDirectory(MARKETS);
  const portfolio = new MemoryPortfolio();
  const sim = new FeedSimulator(rng);
  let filled = 0;
  const session = new ReplaySession({
    directory,
    portfolio,
    onObservation: (_m, row) => {
      if (filled < rows && rng.next() < KEEP_PROBABILITY) out.set(row, filled++ * OBSERVATION_V1_SIZE);
    },
  });
  sim.redrawPortfolio(portfolio, directory);
  for (const m of sim.markets) session.applyFrame(sim.snapshotFrame(m), sim.recvMs);
  for (let frames = 0; filled < rows; frames++) {
    if (frames % PORTFOLIO_EVERY_FRAMES === 0) sim.redrawPortfolio(portfolio, directory);
    // Exponential inter-arrival times with a busy/quiet mix: temporal features see both.
    sim.recvMs += Math.round(-Math.log(1 - rng.next()) * (rng.chance(0.9) ? 150 : 20_000));
    const frame = sim.eventFrame(sim.pickMarket());
    if (frame !== null) session.applyFrame(frame, sim.recvMs);
  }
  return out;
}

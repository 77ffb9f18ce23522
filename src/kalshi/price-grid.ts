/**
 * PriceGrid — the set of valid prices of one market, from its `price_ranges` (pure, immutable).
 *
 * Kalshi lists, on every market of `GET /markets`, `price_ranges`: an array of
 * `{"start": "0.0000", "end": "0.1000", "step": "0.0010"}` objects (dollar strings). A price is
 * valid when it lies in some range on that range's step from its start, and inside 1..9999 ticks
 * ($0.0001 … $0.9999). Kalshi says validity comes from these ranges, never from the
 * `price_level_structure` name (docs/kalshi-api-notes.md); the names below only describe the
 * grids the paper exchange offers.
 *
 * A grid numbers its valid prices densely: level 0 is the lowest valid price. `levelOf(tick)` and
 * `tickAt(level)` are table lookups (Int16: ≤ 9,999 levels), so a book side can be a dense array
 * of exactly `levelCount` entries. Identical grids are interned (`PriceGrid.of`), so thousands of
 * markets share a handful of tables.
 */
import {
  formatTicks,
  MAX_TICK,
  MIN_TICK,
  PRICE_DECIMALS,
  parseScaledDecimal,
  TICKS_PER_DOLLAR,
} from "./units.js";

/** One range in ticks: prices start, start + step, … ≤ end. */
export interface PriceRangeTicks {
  readonly startTicks: number;
  readonly endTicks: number;
  readonly stepTicks: number;
}

/** Kalshi's wire form of a range: dollar strings. */
export interface PriceRangeDollars {
  start: string;
  end: string;
  step: string;
}

const interned = new Map<string, PriceGrid>();

export class PriceGrid {
  /** canonical text of the ranges (the intern key) */
  readonly key: string;
  readonly ranges: readonly PriceRangeTicks[];
  /** number of valid prices */
  readonly levelCount: number;
  /** lowest / highest valid price in ticks */
  readonly minTick: number;
  readonly maxTick: number;
  /** levelOfTick[t] = level of price t, −1 when t is off the grid (index 0..TICKS_PER_DOLLAR) */
  readonly levelOfTick: Int16Array;
  /** tickOfLevel[l] = price of level l */
  readonly tickOfLevel: Int16Array;

  private constructor(key: string, ranges: readonly PriceRangeTicks[]) {
    this.key = key;
    this.ranges = ranges;
    const levelOf = new Int16Array(TICKS_PER_DOLLAR + 1).fill(-1);
    for (const r of ranges)
      for (let t = r.startTicks; t <= r.endTicks; t += r.stepTicks)
        if (t >= MIN_TICK && t <= MAX_TICK) levelOf[t] = 0;
    let n = 0;
    for (let t = MIN_TICK; t <= MAX_TICK; t++) if (levelOf[t] === 0) levelOf[t] = n++;
    if (n === 0) throw new Error(`price_ranges ${key} hold no price in $0.0001..$0.9999`);
    const tickOf = new Int16Array(n);
    for (let t = MIN_TICK; t <= MAX_TICK; t++) if (levelOf[t] >= 0) tickOf[levelOf[t]] = t;
    this.levelOfTick = levelOf;
    this.tickOfLevel = tickOf;
    this.levelCount = n;
    this.minTick = tickOf[0];
    this.maxTick = tickOf[n - 1];
  }

  /** The interned grid of these ranges (throws on an empty or malformed set). */
  static of(ranges: readonly PriceRangeTicks[]): PriceGrid {
    for (const r of ranges) {
      if (
        !Number.isInteger(r.startTicks) ||
        !Number.isInteger(r.endTicks) ||
        !Number.isInteger(r.stepTicks) ||
        r.stepTicks <= 0 ||
        r.startTicks < 0 ||
        r.endTicks > TICKS_PER_DOLLAR ||
        r.endTicks < r.startTicks
      )
        throw new Error(`bad price range ${JSON.stringify(r)}`);
    }
    const key = ranges.map((r) => `${r.startTicks}-${r.endTicks}/${r.stepTicks}`).join(",");
    let g = interned.get(key);
    if (g === undefined) {
      g = new PriceGrid(
        key,
        ranges.map((r) => ({ ...r })),
      );
      interned.set(key, g);
    }
    return g;
  }

  /** Every $0.0001 price: what a market without `price_ranges` (e.g. a replayed capture) accepts. */
  static full(): PriceGrid {
    return PriceGrid.of([{ startTicks: 0, endTicks: TICKS_PER_DOLLAR, stepTicks: 1 }]);
  }

  /** Level of price `t`, or −1 when `t` is not a valid price of this grid (any number accepted). */
  levelOf(t: number): number {
    return t >= MIN_TICK && t <= MAX_TICK && Number.isInteger(t) ? this.levelOfTick[t] : -1;
  }

  /** Price in ticks of level l (0 ≤ l < levelCount). */
  tickAt(l: number): number {
    return this.tickOfLevel[l];
  }

  isOnGrid(t: number): boolean {
    return this.levelOf(t) >= 0;
  }

  /** Largest valid price ≤ t, bounded below by the lowest valid price. */
  snapDown(t: number): number {
    if (t <= this.minTick) return this.minTick;
    if (t >= this.maxTick) return this.maxTick;
    let p = Math.floor(t);
    while (this.levelOfTick[p] < 0) p--;
    return p;
  }

  /** Smallest valid price ≥ t, bounded above by the highest valid price. */
  snapUp(t: number): number {
    if (t <= this.minTick) return this.minTick;
    if (t >= this.maxTick) return this.maxTick;
    let p = Math.ceil(t);
    while (this.levelOfTick[p] < 0) p++;
    return p;
  }

  /** Step of the range holding price t (the first such range; the last range beyond the grid). */
  stepAt(t: number): number {
    for (const r of this.ranges) if (t >= r.startTicks && t <= r.endTicks) return r.stepTicks;
    return this.ranges[this.ranges.length - 1]?.stepTicks ?? 1;
  }

  /** Kalshi's `price_ranges` for this grid (4-decimal dollar strings). */
  toPriceRanges(): PriceRangeDollars[] {
    return this.ranges.map((r) => ({
      start: formatTicks(r.startTicks),
      end: formatTicks(r.endTicks),
      step: formatTicks(r.stepTicks),
    }));
  }
}

function dollarTicks(v: unknown): number {
  if (typeof v === "string") return parseScaledDecimal(v, PRICE_DECIMALS);
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(v * TICKS_PER_DOLLAR);
  return Number.NaN;
}

/**
 * Parses a market's `price_ranges` (array of {start, end, step} dollar strings or numbers).
 * Returns null when the field is absent or empty; throws with the reason when it is malformed, so
 * a market with a grid the engine cannot read is reported instead of traded on a guessed grid.
 */
export function parsePriceRanges(v: unknown): PriceGrid | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new Error("price_ranges is not an array");
  if (v.length === 0) return null;
  const ranges: PriceRangeTicks[] = [];
  for (const r of v) {
    if (typeof r !== "object" || r === null) throw new Error("price_ranges entry is not an object");
    const o = r as Record<string, unknown>;
    const startTicks = dollarTicks(o.start);
    const endTicks = dollarTicks(o.end);
    const stepTicks = dollarTicks(o.step);
    if (Number.isNaN(startTicks) || Number.isNaN(endTicks) || Number.isNaN(stepTicks))
      throw new Error(`price_ranges entry ${JSON.stringify(r)} is not on the $0.0001 grid`);
    ranges.push({ startTicks, endTicks, stepTicks });
  }
  return PriceGrid.of(ranges);
}

/**
 * Grids of the `price_level_structure` values the paper exchange offers (kalshi-api-notes.md
 * for the $0.0001 ones). [startTicks, endTicks, stepTicks] per range, ascending.
 */
export const STRUCTURE_RANGES = {
  linear_cent: [[0, 10_000, 100]],
  deci_cent: [[0, 10_000, 10]],
  tapered_deci_cent: [
    [0, 1_000, 10],
    [1_000, 9_000, 100],
    [9_000, 10_000, 10],
  ],
  centi_cent: [[0, 10_000, 1]],
  /** $0.001 in the centre, $0.0001 at the edges (Kalshi's combo markets) */
  center_deci_edge_centi_cent: [
    [0, 1_000, 1],
    [1_000, 9_000, 10],
    [9_000, 10_000, 1],
  ],
  /** $0.0001 in the centre, $0.01 at the edges */
  center_centi_edge_cent: [
    [0, 4_000, 100],
    [4_000, 6_000, 1],
    [6_000, 10_000, 100],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, number, number]>>;

export type KnownStructure = keyof typeof STRUCTURE_RANGES;

export function isKnownStructure(name: string): name is KnownStructure {
  return Object.hasOwn(STRUCTURE_RANGES, name);
}

/** The grid of a structure the paper exchange offers. */
export function gridOfStructure(name: KnownStructure): PriceGrid {
  return PriceGrid.of(
    STRUCTURE_RANGES[name].map(([startTicks, endTicks, stepTicks]) => ({ startTicks, endTicks, stepTicks })),
  );
}

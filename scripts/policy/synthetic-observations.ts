/**
 * Synthetic observation-v1 rows for the trainer: random but internally consistent vectors.
 *
 * The market block (0–25) is computed from a random bids-only book per observation-v1.md §4–§5
 * (a compact re-statement, not the engine's feature code); the temporal (26–35), portfolio
 * (36–46) and order (47–51) blocks are drawn within their documented ranges. Used to develop the
 * trainer and to widen coverage next to the rows that the real feature code produces
 * (feed-observations.ts).
 */
import type { Prng } from "./prng.js";

const L = Math.log(10001);

export interface BookLevels {
  /** ticks (1..999) → contracts, YES bids */
  yes: Map<number, number>;
  /** ticks (1..999, NO scale) → contracts, NO bids */
  no: Map<number, number>;
}

/** A random book with a controllable regime, spread and imbalance. */
export function randomBook(rng: Prng): BookLevels {
  const yes = new Map<number, number>();
  const no = new Map<number, number>();
  const centQuoted = rng.chance(0.5);
  const step = centQuoted ? 10 : 1;
  const midTicks = rng.int(30, 970);
  const spreadTicks = rng.chance(0.7)
    ? step * rng.int(1, Math.max(1, Math.floor(49 / step)))
    : step * rng.int(Math.ceil(50 / step), Math.floor(300 / step));
  const bestYes = Math.max(1, Math.min(998, Math.round((midTicks - spreadTicks / 2) / step) * step || step));
  const bestAsk = Math.min(999, bestYes + spreadTicks);
  const bestNo = 1000 - bestAsk;
  const skew = rng.normal() * 1.3; // log ratio of bid to ask touch sizes
  const bookSkew = skew * rng.uniform(0, 1.2) + rng.normal() * 0.6;
  const base = rng.logUniform(1, 3000);
  const qB = roundHundredths(base * Math.exp(skew / 2));
  const qA = roundHundredths(base * Math.exp(-skew / 2));
  fillSide(rng, yes, bestYes, step, qB, base * Math.exp(bookSkew / 2));
  fillSide(rng, no, bestNo, step, qA, base * Math.exp(-bookSkew / 2));
  const emptySide = rng.next();
  if (emptySide < 0.06) yes.clear();
  else if (emptySide < 0.12) no.clear();
  return { yes, no };
}

function roundHundredths(x: number): number {
  return Math.max(0.01, Math.round(x * 100) / 100);
}

function fillSide(
  rng: Prng,
  side: Map<number, number>,
  best: number,
  step: number,
  touch: number,
  scale: number,
) {
  if (best < 1) return;
  side.set(best, touch);
  const levels = rng.int(0, 12);
  for (let k = 0; k < levels; k++) {
    const t = best - step * rng.int(1, 40);
    if (t >= 1) side.set(t, roundHundredths(scale * rng.logUniform(0.05, 3)));
  }
}

/** Market block of observation-v1.md §5 for `book`, into out[offset .. offset + 25]. */
export function marketBlock(book: BookLevels, out: Float32Array, offset: number): void {
  const side = (levels: Map<number, number>) => {
    let best = 0;
    for (const t of levels.keys()) best = Math.max(best, t);
    let total = 0;
    let near = 0;
    let dist = 0;
    for (const [t, q] of levels) {
      total += q;
      if (t >= best - 50) near += q;
      dist += q * (best - t);
    }
    return { best, touch: best > 0 ? (levels.get(best) ?? 0) : 0, total, near, dist, count: levels.size };
  };
  const y = side(book.yes);
  const n = side(book.no);
  const v = y.total + n.total;
  const both = y.best > 0 && n.best > 0;
  const bY = y.best / 1000;
  const aY = 1 - n.best / 1000;
  const spreadTicks = 1000 - n.best - y.best;
  const s = spreadTicks / 1000;
  const mid = (bY + aY) / 2;
  const o = new Float64Array(26);
  o[0] = y.best > 0 ? bY : 0;
  o[1] = n.best > 0 ? aY : 1;
  o[2] = n.best > 0 ? n.best / 1000 : 0;
  o[3] = y.best > 0 ? 1 - bY : 1;
  o[4] = both ? mid : 0.5;
  o[5] = both ? 1 - mid : 0.5;
  o[6] = both ? s : 1;
  o[7] = both ? (bY * n.touch + aY * y.touch) / (n.touch + y.touch) : 0.5;
  o[8] = both ? s / mid : 2;
  o[9] = both ? s / (1 - mid) : 2;
  o[10] = !both
    ? 1
    : spreadTicks < 20
      ? 0
      : spreadTicks < 50
        ? 0.25
        : spreadTicks < 100
          ? 0.5
          : spreadTicks < 200
            ? 0.75
            : 1;
  o[11] = y.touch + n.touch > 0 ? (y.touch - n.touch) / (y.touch + n.touch) : 0;
  o[12] = Math.min(Math.log(1 + y.touch) / L, 1);
  o[13] = Math.min(Math.log(1 + n.touch) / L, 1);
  o[14] = Math.min(Math.log(1 + v) / L, 1);
  o[15] = y.near + n.near > 0 ? (y.near - n.near) / (y.near + n.near) : 0;
  o[16] = v > 0 ? (y.total - n.total) / v : 0;
  o[17] = Math.min(Math.log(1 + y.near) / L, 1);
  o[18] = Math.min(Math.log(1 + n.near) / L, 1);
  o[19] = y.best > 0 ? y.dist / 1000 / y.total : 0;
  o[20] = both ? (bY * n.total + aY * y.total) / v : 0.5;
  o[21] = both ? 1 - o[20] : 0.5;
  o[22] = Math.min((y.count + n.count) / 20, 1);
  o[23] = n.best > 0 ? n.dist / 1000 / n.total : 0;
  const sizes = [...book.yes.values(), ...book.no.values()].sort((a, b) => b - a);
  o[24] = v > 0 ? (sizes[0] + (sizes[1] ?? 0) + (sizes[2] ?? 0)) / v : 0;
  o[25] = v > 0 ? (y.touch + n.touch) / v : 0;
  for (let i = 0; i < 26; i++) out[offset + i] = Math.max(-2, Math.min(2, o[i]));
}

/** Temporal, portfolio and order blocks (26–51) drawn within their ranges. */
export function accountBlocks(rng: Prng, out: Float32Array, offset: number): void {
  const o = offset;
  out[o + 26] = rng.chance(0.3) ? 0 : Math.min(1, rng.logUniform(0.001, 2));
  out[o + 27] = rng.chance(0.4) ? 0 : rng.int(0, 7) / 7;
  const act = rng.int(1, 60) / 60;
  out[o + 28] = act;
  out[o + 29] = Math.tanh(act - rng.int(1, 60) / 60);
  out[o + 30] = rng.chance(0.2) ? 0.1 : Math.min(1, rng.logUniform(0.001, 1.5));
  out[o + 31] = rng.chance(0.1) ? 1 : 0;
  out[o + 32] = Math.tanh(rng.normal() * 0.1);
  out[o + 33] = rng.chance(0.4) ? 0 : Math.tanh(rng.normal() * 1.5);
  out[o + 34] = rng.chance(0.5) ? 0.1 : Math.min(1, rng.logUniform(0.001, 1));
  out[o + 35] = rng.chance(0.3) ? 0.5 : rng.uniform(0, 1);
  const hasPositions = rng.chance(0.6);
  const cash = rng.chance(0.15) ? rng.uniform(0, 0.1) : rng.uniform(0.1, 1);
  out[o + 36] = cash;
  if (hasPositions) {
    const count = rng.int(1, 30);
    const longs = rng.int(0, count);
    out[o + 37] = rng.uniform(0, 1 - cash);
    out[o + 38] = Math.min(count / 10, 1);
    out[o + 39] = Math.min(rng.logUniform(0.01, 2000) / 1000, 1);
    out[o + 40] = longs / count;
    out[o + 41] = (count - longs) / count;
    out[o + 42] = rng.chance(0.2) ? Math.tanh(rng.normal() * 0.1) : Math.tanh(rng.uniform(-1, 1));
    out[o + 43] = rng.uniform(0, out[o + 37]);
    out[o + 44] = Math.min(rng.logUniform(0.01, 2000) / 1000, 1);
    out[o + 45] = Math.tanh(rng.normal() * 0.05);
    out[o + 46] = rng.uniform(0, 1);
  } else {
    for (let i = 37; i <= 46; i++) out[o + i] = 0;
  }
  const buy = rng.chance(0.25);
  const sell = rng.chance(0.2);
  out[o + 47] = buy ? 1 : 0;
  out[o + 48] = sell ? 1 : 0;
  out[o + 49] = buy ? rng.uniform(0, 0.2) : 0;
  out[o + 50] = sell ? rng.uniform(0, 0.2) : 0;
  out[o + 51] = buy || sell ? rng.uniform(0, 1) : 0;
}

/** `rows` synthetic observation rows. */
export function syntheticObservations(rng: Prng, rows: number): Float32Array {
  const x = new Float32Array(rows * 52);
  for (let r = 0; r < rows; r++) {
    marketBlock(randomBook(rng), x, r * 52);
    accountBlocks(rng, x, r * 52);
  }
  return x;
}

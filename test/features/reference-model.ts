/**
 * A deliberately naive, spec-literal model of observation v1 for property tests: Map books in
 * dollars/contracts, full lists for H, M and every update time (no cap), formulas copied from
 * observation-v1.md §5–§9 in float64. It knows nothing of the engine's tables; it is fed the
 * same (valid, always-applied) updates as the engine.
 */

export type SideBook = Map<number, number>; // price dollars → size contracts

interface Rec {
  t: number;
  mid: number | undefined;
  n: number;
}

interface MarketState {
  yes: SideBook;
  no: SideBook;
  times: number[];
  H: Rec[];
  M: number[];
  tLast: number | undefined;
  refMid: number | undefined;
  temporal: number[];
}

export interface RefPosition {
  ticker: string;
  contracts: number;
  costBasis: number;
}

export interface RefOrder {
  ticker: string;
  action: "buy" | "sell";
  side: "yes" | "no";
  price: number;
  placedMs: number;
}

export interface RefPortfolio {
  freeCash: number;
  reservedCash: number;
  positions: RefPosition[];
  orders: RefOrder[];
}

const L = Math.log(10001);
const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sigma = (x: number[]) => {
  const m = mean(x);
  return Math.sqrt(mean(x.map((v) => (v - m) ** 2)));
};
const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

function nyHour(tMs: number): number {
  const hour = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hour: "numeric",
    hourCycle: "h23",
  });
  return Number(hour.format(tMs));
}

export class ReferenceModel {
  readonly markets = new Map<string, MarketState>();

  private state(ticker: string): MarketState {
    let s = this.markets.get(ticker);
    if (s === undefined) {
      s = {
        yes: new Map(),
        no: new Map(),
        times: [],
        H: [],
        M: [],
        tLast: undefined,
        refMid: undefined,
        temporal: [],
      };
      this.markets.set(ticker, s);
    }
    return s;
  }

  snapshot(ticker: string, yes: Array<[number, number]>, no: Array<[number, number]>, T: number): void {
    const s = this.state(ticker);
    s.yes = new Map(yes.filter(([, q]) => q > 0));
    s.no = new Map(no.filter(([, q]) => q > 0));
    this.advance(s, T);
  }

  delta(ticker: string, side: "yes" | "no", price: number, change: number, T: number): void {
    const s = this.state(ticker);
    const book = side === "yes" ? s.yes : s.no;
    const next = Math.round(((book.get(price) ?? 0) + change) * 100) / 100;
    if (next > 0) book.set(price, next);
    else book.delete(price);
    this.advance(s, T);
  }

  private mid(s: MarketState): number | undefined {
    if (s.yes.size === 0 || s.no.size === 0) return undefined;
    return (Math.max(...s.yes.keys()) + 1 - Math.max(...s.no.keys())) / 2;
  }

  /** §6.2 literally. */
  private advance(s: MarketState, T: number): void {
    const first = s.tLast === undefined;
    const t = first ? T : Math.max(T, s.tLast!);
    const gap = first ? 0 : (t - s.tLast!) / 1000;
    const mid = this.mid(s);
    s.times.push(t);
    const n = s.times.filter((tj) => t - 60000 < tj && tj <= t).length;
    if (mid !== undefined && (s.M.length === 0 || Math.abs(s.M[s.M.length - 1] - mid) > 1e-12)) s.M.push(mid);
    const H = s.H;
    const act = (x: number) => Math.min(1, x / 60);
    const f: number[] = [];
    f.push(first ? 0 : Math.min(gap / 300, 1));
    const h = nyHour(t);
    f.push(h >= 9 && h <= 16 ? (h - 9) / 7 : 0);
    f.push(act(n));
    f.push(H.length === 0 ? 0 : Math.tanh(act(n) - act(H[H.length - 1].n)));
    if (H.length < 2) f.push(0.1);
    else {
      const R = H.slice(-Math.min(5, H.length));
      const span = (t - R[0].t) / 1000;
      f.push(Math.min(R.length / Math.max(span, 1) / 2, 1));
    }
    const A = [...H.map((r) => act(r.n)), act(n)];
    f.push(A.length < 3 ? 0 : act(n) > mean(A) + 1.5 * sigma(A) + 1e-12 ? 1 : 0);
    if (A.length < 5) f.push(0);
    else {
      const ks = A.map((_, k) => k);
      const mk = mean(ks);
      const ma = mean(A);
      let num = 0;
      let den = 0;
      for (let k = 0; k < A.length; k++) {
        num += (k - mk) * (A[k] - ma);
        den += (k - mk) ** 2;
      }
      f.push(Math.tanh(10 * (num / den)));
    }
    if (s.M.length < 3) f.push(0);
    else {
      const [m0, m1, m2] = s.M.slice(-3);
      const r = m2 - m1;
      const q = m1 - m0;
      f.push(Math.abs(q) > 1e-9 ? Math.tanh((r - q) / Math.abs(q)) : 0);
    }
    let vol = 0.1;
    if (H.length >= 5) {
      const Q = [...H.slice(-5).map((r) => r.mid), mid];
      const D: number[] = [];
      for (let i = 1; i < Q.length; i++)
        if (Q[i] !== undefined && Q[i - 1] !== undefined) D.push(Math.abs(Q[i]! - Q[i - 1]!));
      if (D.length > 0) vol = Math.min(sigma(D) / 0.05, 1);
    }
    f.push(vol);
    let stab = 0.5;
    if (H.length >= 3) {
      const D: number[] = [];
      for (let i = Math.max(1, H.length - 3); i <= H.length - 1; i++)
        if (H[i].mid !== undefined && H[i - 1].mid !== undefined) D.push(Math.abs(H[i].mid! - H[i - 1].mid!));
      if (D.length > 0) stab = Math.max(0, 1 - mean(D) / 0.05);
    }
    f.push(stab);
    s.temporal = f;
    H.push({ t, mid, n });
    if (H.length > 10) H.shift();
    s.tLast = t;
    if (mid !== undefined) s.refMid = mid;
  }

  refMid(ticker: string): number {
    return this.markets.get(ticker)?.refMid ?? 0.5;
  }

  /** The 52 values (§9 post-processing included, before float32 rounding). */
  observe(ticker: string, p: RefPortfolio): number[] {
    const s = this.markets.get(ticker)!;
    const out = [
      ...marketBlock(s.yes, s.no),
      ...s.temporal,
      ...this.portfolioBlock(p),
      ...this.orderBlock(ticker, p, s),
    ];
    return out.map((x) =>
      Number.isNaN(x) ? 0 : x === Infinity ? 1 : x === -Infinity ? -1 : clamp(x, -2, 2),
    );
  }

  private portfolioBlock(p: RefPortfolio): number[] {
    const P = p.positions.filter((x) => x.contracts !== 0);
    const MVs = P.map((x) => {
      const y = this.refMid(x.ticker);
      return x.contracts > 0 ? x.contracts * y : Math.abs(x.contracts) * (1 - y);
    });
    const MV = MVs.reduce((a, b) => a + b, 0);
    const V = p.freeCash + p.reservedCash + MV;
    const n = P.length;
    const G = P.reduce((a, x) => a + Math.abs(x.contracts), 0);
    const hasV = V > 0.01;
    if (n === 0)
      return [
        hasV ? clamp(p.freeCash / V, 0, 1) : 1,
        hasV ? clamp(MV / V, 0, 1) : 0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
      ];
    const unreal = P.reduce((a, x, i) => a + MVs[i] - x.costBasis, 0);
    return [
      hasV ? clamp(p.freeCash / V, 0, 1) : 1,
      hasV ? clamp(MV / V, 0, 1) : 0,
      Math.min(n / 10, 1),
      Math.min(G / n / 1000, 1),
      P.filter((x) => x.contracts > 0).length / n,
      P.filter((x) => x.contracts < 0).length / n,
      Math.tanh(P.reduce((a, x) => a + x.contracts, 0) / G),
      hasV ? Math.min(Math.max(...MVs) / V, 1) : 0,
      Math.min(Math.max(...P.map((x) => Math.abs(x.contracts))) / 1000, 1),
      hasV ? Math.tanh(unreal / V) : 0,
      hasV ? Math.min(G / V, 2) / 2 : 0,
    ];
  }

  private orderBlock(ticker: string, p: RefPortfolio, s: MarketState): number[] {
    const O = p.orders.filter((o) => o.ticker === ticker);
    const y = this.refMid(ticker);
    const newest = (action: "buy" | "sell") => {
      let best: RefOrder | undefined;
      for (const o of O)
        if (o.action === action && (best === undefined || o.placedMs > best.placedMs)) best = o;
      return best;
    };
    const dist = (o: RefOrder | undefined) =>
      o === undefined ? 0 : clamp(Math.abs(y - (o.side === "yes" ? o.price : 1 - o.price)), 0, 1);
    const buy = newest("buy");
    const sell = newest("sell");
    return [
      buy ? 1 : 0,
      sell ? 1 : 0,
      dist(buy),
      dist(sell),
      O.length === 0 ? 0 : clamp((s.tLast! - Math.max(...O.map((o) => o.placedMs))) / 300000, 0, 1),
    ];
  }
}

/** §5 literally, in dollars and contracts. */
export function marketBlock(Y: SideBook, N: SideBook): number[] {
  const hasY = Y.size > 0;
  const hasN = N.size > 0;
  const bY = hasY ? Math.max(...Y.keys()) : 0;
  const bN = hasN ? Math.max(...N.keys()) : 0;
  const aY = 1 - bN;
  const aN = 1 - bY;
  const qB = hasY ? Y.get(bY)! : 0;
  const qA = hasN ? N.get(bN)! : 0;
  const sum = (b: SideBook) => [...b.values()].reduce((a, x) => a + x, 0);
  const VB = sum(Y);
  const VA = sum(N);
  const V = VB + VA;
  const near = (b: SideBook, best: number) =>
    [...b.entries()]
      .filter(([p]) => Math.round(p * 10_000) >= Math.round(best * 10_000) - 500)
      .reduce((a, [, q]) => a + q, 0);
  const DB = hasY ? near(Y, bY) : 0;
  const DA = hasN ? near(N, bN) : 0;
  const both = hasY && hasN;
  const s = aY - bY;
  const m = (bY + aY) / 2;
  const sTicks = Math.round(s * 10_000); // ticks of $0.0001
  const ln = (x: number) => Math.min(Math.log(1 + x) / L, 1);
  const top3 = [...Y.values(), ...N.values()]
    .sort((a, b) => b - a)
    .slice(0, 3)
    .reduce((a, b) => a + b, 0);
  return [
    hasY ? bY : 0,
    hasN ? aY : 1,
    hasN ? bN : 0,
    hasY ? aN : 1,
    both ? m : 0.5,
    both ? 1 - m : 0.5,
    both ? s : 1,
    both ? (bY * qA + aY * qB) / (qA + qB) : 0.5,
    both ? s / m : 2,
    both ? s / (1 - m) : 2,
    both ? (sTicks < 200 ? 0 : sTicks < 500 ? 0.25 : sTicks < 1000 ? 0.5 : sTicks < 2000 ? 0.75 : 1) : 1,
    qB + qA > 0 ? (qB - qA) / (qB + qA) : 0,
    ln(qB),
    ln(qA),
    ln(V),
    DB + DA > 0 ? (DB - DA) / (DB + DA) : 0,
    V > 0 ? (VB - VA) / V : 0,
    ln(DB),
    ln(DA),
    hasY ? [...Y.entries()].reduce((a, [p, q]) => a + q * (bY - p), 0) / VB : 0,
    both ? (bY * VA + aY * VB) / V : 0.5,
    both ? 1 - (bY * VA + aY * VB) / V : 0.5,
    Math.min((Y.size + N.size) / 20, 1),
    hasN ? [...N.entries()].reduce((a, [p, q]) => a + q * (bN - p), 0) / VA : 0,
    V > 0 ? top3 / V : 0,
    V > 0 ? (qB + qA) / V : 0,
  ];
}

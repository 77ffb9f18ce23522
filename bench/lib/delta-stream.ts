/**
 * Deterministic stream of current-format Kalshi book frames for benches: one snapshot per market,
 * then `deltaCount` `orderbook_delta` frames on one sid with consecutive seq numbers. Deltas are
 * generated against a model book so that no level ever goes negative (every frame is applied).
 */

import { mulberry32 } from "./prng.js";

export interface DeltaStream {
  tickers: string[];
  snapshots: string[];
  deltas: string[];
  meanDeltaBytes: number;
}

/**
 * A template literal builds a rope (cons string) that V8 flattens, allocating, on first character
 * access. Frames from the `ws` client are flat strings decoded from a Buffer; make ours the same.
 */
function asReceived(frame: string): string {
  return Buffer.from(frame, "utf8").toString("utf8");
}

function uuid(rand: () => number): string {
  const hex = () => Math.floor(rand() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

export function makeDeltaStream(markets: number, deltaCount: number, seed = 1): DeltaStream {
  const rand = mulberry32(seed);
  const tickers = Array.from(
    { length: markets },
    (_, i) => `KXBENCH-26NOV24-T${(1000 + i * 7.5).toFixed(2)}`,
  );
  const ids = tickers.map(() => uuid(rand));
  // model: per market, per side, sizes by tick
  const yes = tickers.map(() => new Map<number, number>());
  const no = tickers.map(() => new Map<number, number>());
  const fair = tickers.map(() => 200 + Math.floor(rand() * 600));
  let seq = 0;
  const fmtP = (t: number) => `0.${String(t).padStart(3, "0")}0`;
  const fmtC = (h: number) =>
    `${h < 0 ? "-" : ""}${Math.floor(Math.abs(h) / 100)}.${String(Math.abs(h) % 100).padStart(2, "0")}`;
  const snapshots = tickers.map((ticker, m) => {
    const lv = (side: Map<number, number>, top: number) => {
      const out: string[] = [];
      for (let k = 9; k >= 0; k--) {
        const t = top - k * 10;
        if (t < 1) continue;
        const h = 100 * (1 + Math.floor(rand() * 500));
        side.set(t, h);
        out.push(`["${fmtP(t)}","${fmtC(h)}"]`);
      }
      return out.join(",");
    };
    const y = lv(yes[m], fair[m] - 10);
    const n = lv(no[m], 1000 - fair[m] - 10);
    return asReceived(
      `{"type":"orderbook_snapshot","sid":1,"seq":${++seq},"msg":{"market_ticker":"${ticker}","market_id":"${ids[m]}","yes_dollars_fp":[${y}],"no_dollars_fp":[${n}]}}`,
    );
  });
  const deltas: string[] = [];
  let bytes = 0;
  let ts = 1_773_153_000_000;
  for (let i = 0; i < deltaCount; i++) {
    const m = Math.floor(rand() * markets);
    const sideYes = rand() < 0.5;
    const book = sideYes ? yes[m] : no[m];
    const top = sideYes ? fair[m] - 10 : 1000 - fair[m] - 10;
    const tick = Math.max(1, Math.min(999, top - Math.floor(rand() * 12) * 5));
    const cur = book.get(tick) ?? 0;
    let change: number;
    if (cur > 0 && rand() < 0.5) change = -Math.min(cur, 25 * (1 + Math.floor(rand() * 40)));
    else change = 25 * (1 + Math.floor(rand() * 40));
    const next = cur + change;
    if (next === 0) book.delete(tick);
    else book.set(tick, next);
    ts += Math.floor(rand() * 3);
    const f = `{"type":"orderbook_delta","sid":1,"seq":${++seq},"msg":{"market_ticker":"${tickers[m]}","market_id":"${ids[m]}","price_dollars":"${fmtP(tick)}","delta_fp":"${fmtC(change)}","side":"${sideYes ? "yes" : "no"}","ts_ms":${ts}}}`;
    bytes += f.length;
    deltas.push(asReceived(f));
  }
  return { tickers, snapshots, deltas, meanDeltaBytes: bytes / Math.max(1, deltaCount) };
}

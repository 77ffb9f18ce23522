/**
 * A deliberately plain reference implementation of observation-v1.md §3 for tests: JSON.parse,
 * Maps and the cold-path unit parsers. The real FeedApplier + BookTable must agree with it.
 */
import { centsToTicks, countToHundredths, dollarsToTicks } from "../../src/kalshi/units.js";

export interface RefDecoded {
  kind: "malformed" | "other" | "snapshot" | "delta";
  ticker?: string;
  sid?: number;
  seq?: number;
  side?: 0 | 1 | -1;
  priceTicks?: number;
  deltaHundredths?: number;
  tsMs?: number;
  yes?: Array<[number, number]>;
  no?: Array<[number, number]>;
}

type Json = unknown;

function isObj(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function present(o: Record<string, Json>, k: string): boolean {
  return Object.hasOwn(o, k) && o[k] !== null;
}

function price(v: Json, cents: boolean): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  return cents ? centsToTicks(v) : dollarsToTicks(v);
}

function count(v: Json): number {
  if (typeof v !== "string" && typeof v !== "number") return Number.NaN;
  const h = countToHundredths(v);
  return h >= -0x7fffffff && h <= 0x7fffffff ? h : Number.NaN;
}

function levels(
  msg: Record<string, Json>,
  fp: string,
  dollars: string,
  centsKey: string,
): Array<[number, number]> {
  let arr: Json;
  let cents = false;
  if (present(msg, fp)) arr = msg[fp];
  else if (present(msg, dollars)) arr = msg[dollars];
  else if (present(msg, centsKey)) {
    arr = msg[centsKey];
    cents = true;
  }
  const out: Array<[number, number]> = [];
  if (!Array.isArray(arr)) return out;
  for (const lv of arr) {
    if (!Array.isArray(lv) || lv.length < 2) continue;
    const t = price(lv[0], cents);
    const c = count(lv[1]);
    if (Number.isNaN(t) || !(c > 0)) continue;
    out.push([t, c]);
  }
  return out;
}

function integerNumber(v: Json): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

export function refDecode(text: string): RefDecoded {
  let v: Json;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: "malformed" };
  }
  if (!isObj(v)) return { kind: "other" };
  const type = v.type;
  if (type !== "orderbook_snapshot" && type !== "orderbook_delta") return { kind: "other" };
  const msg = v.msg;
  if (!isObj(msg) || typeof msg.market_ticker !== "string" || msg.market_ticker.length === 0)
    return { kind: "other" };
  const base = { ticker: msg.market_ticker, sid: integerNumber(v.sid), seq: integerNumber(v.seq) };
  let tsMs: number | undefined;
  if (typeof msg.ts_ms === "number" && Number.isInteger(msg.ts_ms)) tsMs = msg.ts_ms;
  else if (typeof msg.ts_ms === "string" && /^[0-9]+$/.test(msg.ts_ms)) tsMs = Number(msg.ts_ms);
  if (type === "orderbook_snapshot") {
    return {
      kind: "snapshot",
      ...base,
      tsMs,
      yes: levels(msg, "yes_dollars_fp", "yes_dollars", "yes"),
      no: levels(msg, "no_dollars_fp", "no_dollars", "no"),
    };
  }
  let priceTicks = Number.NaN;
  if (present(msg, "price_dollars")) priceTicks = price(msg.price_dollars, false);
  else if (present(msg, "price")) priceTicks = price(msg.price, true);
  let deltaHundredths = Number.NaN;
  if (present(msg, "delta_fp")) deltaHundredths = count(msg.delta_fp);
  else if (present(msg, "delta")) deltaHundredths = count(msg.delta);
  const side = msg.side === "yes" ? 0 : msg.side === "no" ? 1 : -1;
  return { kind: "delta", ...base, tsMs, side, priceTicks, deltaHundredths };
}

export interface RefBook {
  yes: Map<number, number>;
  no: Map<number, number>;
  snapshot: boolean;
  stale: boolean;
  sid: number | undefined;
  applied: number;
  tsMs: number;
}

/** Map-based model of the whole feed state. */
export class RefFeed {
  readonly books = new Map<string, RefBook>();
  private readonly lastSeq = new Map<number, number>();
  applied = 0;

  private book(t: string): RefBook {
    let b = this.books.get(t);
    if (!b) {
      b = {
        yes: new Map(),
        no: new Map(),
        snapshot: false,
        stale: false,
        sid: undefined,
        applied: 0,
        tsMs: 0,
      };
      this.books.set(t, b);
    }
    return b;
  }

  /** Returns true when the frame produced an applied update. */
  apply(text: string, recvMs: number): boolean {
    const d = refDecode(text);
    if (d.kind !== "snapshot" && d.kind !== "delta") return false;
    const ticker = d.ticker as string;
    const b = this.book(ticker);
    if (d.sid !== undefined && d.seq !== undefined) {
      const last = this.lastSeq.get(d.sid);
      if (last !== undefined && d.seq !== last + 1) {
        for (const other of this.books.values()) if (other.sid === d.sid) other.stale = true;
        b.stale = true;
      }
      this.lastSeq.set(d.sid, d.seq);
      b.sid = d.sid;
    }
    const ts = d.tsMs ?? recvMs;
    if (d.kind === "snapshot") {
      b.yes = new Map(d.yes);
      b.no = new Map(d.no);
      b.snapshot = true;
      b.stale = false;
      b.applied++;
      b.tsMs = ts;
      this.applied++;
      return true;
    }
    if (d.side === -1 || Number.isNaN(d.priceTicks) || Number.isNaN(d.deltaHundredths)) return false;
    if (!b.snapshot || b.stale) return false;
    const side = d.side === 0 ? b.yes : b.no;
    const next = (side.get(d.priceTicks as number) ?? 0) + (d.deltaHundredths as number);
    if (next < 0) {
      b.stale = true;
      return false;
    }
    if (next > 0x7fffffff) return false;
    if (next === 0) side.delete(d.priceTicks as number);
    else side.set(d.priceTicks as number, next);
    b.applied++;
    b.tsMs = ts;
    this.applied++;
    return true;
  }
}

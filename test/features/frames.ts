/** Builders of capture frames for the features tests (current and legacy wire formats). */

export interface Frame {
  recvMs: number;
  frame: string;
}

type Level = [string | number, string | number];

export function snapshot(
  recvMs: number,
  seq: number,
  ticker: string,
  yes: Level[] | null,
  no: Level[] | null,
  options: { legacy?: boolean; tsMs?: number; sid?: number } = {},
): Frame {
  const msg: Record<string, unknown> = { market_ticker: ticker };
  if (options.legacy) {
    if (yes !== null) msg.yes = yes;
    if (no !== null) msg.no = no;
  } else {
    if (yes !== null) msg.yes_dollars_fp = yes;
    if (no !== null) msg.no_dollars_fp = no;
  }
  if (options.tsMs !== undefined) msg.ts_ms = options.tsMs;
  return {
    recvMs,
    frame: JSON.stringify({ type: "orderbook_snapshot", sid: options.sid ?? 1, seq, msg }),
  };
}

export function delta(
  recvMs: number,
  seq: number,
  ticker: string,
  side: "yes" | "no",
  price: string | number,
  change: string | number,
  options: { legacy?: boolean; tsMs?: number; sid?: number } = {},
): Frame {
  const msg: Record<string, unknown> = { market_ticker: ticker, side };
  if (options.legacy) {
    msg.price = price;
    msg.delta = change;
  } else {
    msg.price_dollars = price;
    msg.delta_fp = change;
  }
  if (options.tsMs !== undefined) msg.ts_ms = options.tsMs;
  return { recvMs, frame: JSON.stringify({ type: "orderbook_delta", sid: options.sid ?? 1, seq, msg }) };
}

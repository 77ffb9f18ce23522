/** fast-check generators of Kalshi book frames in the current and legacy wire formats (tests only). */
import fc from "fast-check";

export const TICKERS = ["KXA-26MAR10-A", "KXB-26MAR10-B", "KXC-26MAR10-T99.5"];
/**
 * A small price set (ticks of $0.0001) so deltas collide with existing levels often. Multiples of
 * 100 are cent-valid; 4537 and 15 exist only on $0.0001 grids.
 */
export const TICKS = [100, 200, 4150, 4200, 5000, 5500, 5850, 9900, 9990, 10, 4537, 15, 9999, 1];

function dollars(t: number, asNumber: boolean): string | number {
  return asNumber ? t / 10_000 : (t / 10_000).toFixed(4);
}
function contracts(h: number, asNumber: boolean): string | number {
  return asNumber ? h / 100 : (h / 100).toFixed(2);
}

const hundredths = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }),
  fc.constantFrom(1, 50, 100, 1250, 2550),
  fc.integer({ min: -500, max: 0 }), // skipped in snapshots
);

const level = fc.record({
  tick: fc.constantFrom(...TICKS),
  size: hundredths,
  asNumber: fc.boolean(),
  extra: fc.boolean(),
});

export interface FrameSpec {
  text: string;
  recvMs: number;
}

function shuffleKeys<T extends Record<string, unknown>>(o: T, order: number[]): Record<string, unknown> {
  const keys = Object.keys(o);
  const out: Record<string, unknown> = {};
  const sorted = keys.map((k, i) => [k, order[i % order.length] ?? i] as const).sort((a, b) => a[1] - b[1]);
  for (const [k] of sorted) out[k] = o[k];
  return out;
}

const order = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 8, maxLength: 8 });

const snapshot = fc
  .record({
    ticker: fc.constantFrom(...TICKERS),
    legacy: fc.boolean(),
    yes: fc.array(level, { maxLength: 6 }),
    no: fc.array(level, { maxLength: 6 }),
    noSide: fc.constantFrom("array", "missing", "null"),
    order,
    pretty: fc.boolean(),
  })
  .map((s) => {
    const lv = (l: { tick: number; size: number; asNumber: boolean; extra: boolean }) => {
      const p = s.legacy ? l.tick / 100 : dollars(l.tick, l.asNumber);
      const c = s.legacy ? l.size / 100 : contracts(l.size, l.asNumber);
      return l.extra ? [p, c, "x"] : [p, c];
    };
    const msg: Record<string, unknown> = { market_ticker: s.ticker, market_id: "6f1c2a9e" };
    const yk = s.legacy ? "yes" : "yes_dollars_fp";
    const nk = s.legacy ? "no" : "no_dollars_fp";
    msg[yk] = s.yes.map(lv);
    if (s.noSide === "array") msg[nk] = s.no.map(lv);
    else if (s.noSide === "null") msg[nk] = null;
    return { kind: "snapshot" as const, ticker: s.ticker, body: shuffleKeys(msg, s.order), pretty: s.pretty };
  });

const delta = fc
  .record({
    ticker: fc.constantFrom(...TICKERS),
    legacy: fc.boolean(),
    tick: fc.oneof(fc.constantFrom(...TICKS), fc.constantFrom(0, 10_000, 41_555)),
    change: fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.constantFrom(0, -1250, 1250)),
    asNumber: fc.boolean(),
    side: fc.constantFrom("yes", "no", "yes", "no", "maybe"),
    ts: fc.option(fc.integer({ min: 1_773_153_000_000, max: 1_773_153_999_999 }), { nil: undefined }),
    tsAsString: fc.boolean(),
    withClientOrderId: fc.boolean(),
    order,
    pretty: fc.boolean(),
  })
  .map((d) => {
    const msg: Record<string, unknown> = { market_ticker: d.ticker, market_id: "6f1c2a9e" };
    if (d.legacy) {
      msg.price = d.tick / 100;
      msg.delta = d.change / 100;
    } else {
      msg.price_dollars = dollars(d.tick, d.asNumber);
      msg.delta_fp = contracts(d.change, d.asNumber);
    }
    msg.side = d.side;
    if (d.ts !== undefined) msg.ts_ms = d.tsAsString ? String(d.ts) : d.ts;
    if (d.withClientOrderId) msg.client_order_id = "8c35ecb3-\u00e9";
    return { kind: "delta" as const, ticker: d.ticker, body: shuffleKeys(msg, d.order), pretty: d.pretty };
  });

const other = fc.constantFrom(
  `{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}`,
  `{"type":"ticker","sid":3,"msg":{"market_ticker":"KXA-26MAR10-A","yes_bid_dollars":"0.4200"}}`,
  `{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":""}}`,
  `not json at all`,
  `{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"KXA-26MAR10-A","price_dollars":"0.42"`,
  `[1,2,3]`,
);

/** A stream of frames on one or two sids with mostly consecutive seq numbers. */
export const frameStream = fc
  .array(
    fc.record({
      f: fc.oneof(
        { weight: 2, arbitrary: snapshot },
        { weight: 6, arbitrary: delta },
        { weight: 1, arbitrary: other },
      ),
      sid: fc.constantFrom(1, 1, 1, 2),
      seqJump: fc.constantFrom(1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0),
      recvStep: fc.integer({ min: 0, max: 5000 }),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((items) => {
    const seqBySid = new Map<number, number>();
    let recv = 1_773_153_000_000;
    const out: FrameSpec[] = [];
    for (const it of items) {
      recv += it.recvStep;
      if (typeof it.f === "string") {
        out.push({ text: it.f, recvMs: recv });
        continue;
      }
      const seq = (seqBySid.get(it.sid) ?? 0) + it.seqJump;
      seqBySid.set(it.sid, seq);
      const type = it.f.kind === "snapshot" ? "orderbook_snapshot" : "orderbook_delta";
      const frame = { type, sid: it.sid, seq, msg: it.f.body };
      out.push({ text: JSON.stringify(frame, null, it.f.pretty ? 1 : undefined), recvMs: recv });
    }
    return out;
  });

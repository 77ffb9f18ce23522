/**
 * The naive pipeline of the end-to-end bench, as a first version of this engine would be written:
 * one thread; every WS frame is JSON.parse'd, applied to Map books (price string → size), the
 * market's observation is rebuilt from scratch (levels sorted, sums and the temporal window
 * recomputed from lists) and the policy runs once per market update (batch 1). Same feed, same
 * model file, same stamp (frame received → decision) as the engine's tick_to_decision, so the
 * bench shows the ratio. The observation follows observation-v1's shape and cost, not its bits.
 *
 * Run as a child process by e2e.bench.ts: env WS_URL, KEY_ID, KEY_FILE, TICKERS (JSON list),
 * SECONDS, MODEL. Prints one JSON line: {"tick_to_decision": {...}, "frames", "decisions",
 * "cpu_cores", "rss_mb"}.
 */
import { build } from "hdr-histogram-js";
import WebSocket from "ws";
import { loadPrivateKey, signRequest } from "../../src/kalshi/auth-signer.js";
import { PolicySession } from "../../src/policy/policy-session.js";

interface Frame {
  type: string;
  msg?: {
    market_ticker?: string;
    yes_dollars_fp?: [string, string][];
    no_dollars_fp?: [string, string][];
    price_dollars?: string;
    delta_fp?: string;
    side?: string;
  };
}

interface NaiveMarket {
  yes: Map<string, number>;
  no: Map<string, number>;
  times: number[];
  mids: number[];
}

const OBS = 52;

function sortedLevels(side: Map<string, number>): Array<[number, number]> {
  return [...side.entries()].map(([p, q]) => [Number(p), q] as [number, number]).sort((a, b) => b[0] - a[0]);
}

/** Observation rebuilt from the Map book and the market's lists, every time. */
function observe(mk: NaiveMarket, nowMs: number, out: Float32Array): void {
  const yes = sortedLevels(mk.yes);
  const no = sortedLevels(mk.no);
  const f: number[] = [];
  const bid = yes[0]?.[0] ?? 0;
  const noBid = no[0]?.[0] ?? 0;
  const ask = 1 - noBid;
  const qB = yes[0]?.[1] ?? 0;
  const qA = no[0]?.[1] ?? 0;
  const vB = yes.reduce((s, [, q]) => s + q, 0);
  const vA = no.reduce((s, [, q]) => s + q, 0);
  const dB = yes.filter(([p]) => p >= bid - 0.05).reduce((s, [, q]) => s + q, 0);
  const dA = no.filter(([p]) => p >= noBid - 0.05).reduce((s, [, q]) => s + q, 0);
  const mid = (bid + ask) / 2;
  const spread = ask - bid;
  const top = [...yes, ...no].map(([, q]) => q).sort((a, b) => b - a);
  const log = (q: number) => Math.min(Math.log(1 + q) / Math.log(10001), 1);
  f.push(bid, ask, noBid, 1 - bid, mid, 1 - mid, spread, (bid * qA + ask * qB) / (qA + qB || 1));
  f.push((2 * spread) / (mid || 1), (2 * spread) / (1 - mid || 1), spread < 0.02 ? 0 : 1);
  f.push(log(qB), log(qA), log(vB), log(vA), (qB - qA) / (qB + qA || 1), (vB - vA) / (vB + vA || 1));
  f.push(log(dB), log(dA), (dB - dA) / (dB + dA || 1), (bid * vA + ask * vB) / (vA + vB || 1));
  f.push(yes.length / 100, no.length / 100);
  f.push(
    yes.reduce((s, [p, q]) => s + q * (bid - p), 0) / (vB || 1),
    log(top[0] ?? 0),
    log((top[1] ?? 0) + (top[2] ?? 0)),
  );
  mk.times.push(nowMs);
  mk.times = mk.times.filter((t) => nowMs - t < 60_000);
  if (mk.mids.length === 0 || mk.mids[mk.mids.length - 1] !== mid) mk.mids.push(mid);
  const recent = mk.mids.slice(-10);
  const returns = recent.slice(1).map((m, i) => m - recent[i]!);
  const meanR = returns.reduce((s, r) => s + r, 0) / (returns.length || 1);
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - meanR) ** 2, 0) / (returns.length || 1));
  const gap = mk.times.length > 1 ? (nowMs - mk.times[mk.times.length - 2]!) / 1000 : 0;
  f.push(Math.min(gap / 300, 1), 0.5, Math.min(mk.times.length / 60, 1), 0, meanR, sd);
  f.push(recent.length / 10, mid - (recent[0] ?? mid), Math.tanh(meanR * 100), Math.tanh(sd * 100));
  while (f.length < OBS) f.push(0);
  for (let i = 0; i < OBS; i++) {
    const x = f[i]!;
    out[i] = Number.isFinite(x) ? Math.min(Math.max(x, -2), 2) : 0;
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const tickers = JSON.parse(env.TICKERS ?? "[]") as string[];
  const seconds = Number(env.SECONDS ?? 10);
  const policy = await PolicySession.load(env.MODEL ?? "models/policy-v1.onnx");
  const key = { keyId: env.KEY_ID!, privateKey: loadPrivateKey(env.KEY_FILE!) };
  const hist = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60e9,
    numberOfSignificantValueDigits: 3,
  });
  const markets = new Map<string, NaiveMarket>();
  // a plain FIFO (head index; Array#shift would be O(n) on a long backlog and unfairly slow)
  let queue: Array<{ text: string; recvMs: number }> = [];
  let head = 0;
  const obs = new Float32Array(OBS);
  const actions = new Int32Array(1);
  let frames = 0;
  let decisions = 0;
  let draining = false;

  const drain = async (): Promise<void> => {
    draining = true;
    while (head < queue.length) {
      const { text, recvMs } = queue[head++]!;
      if (head > 4096 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      const f = JSON.parse(text) as Frame;
      const t = f.msg?.market_ticker;
      if (t === undefined) continue;
      let mk = markets.get(t);
      if (f.type === "orderbook_snapshot") {
        mk = { yes: new Map(), no: new Map(), times: [], mids: [] };
        for (const [p, c] of f.msg?.yes_dollars_fp ?? []) mk.yes.set(p, Number(c));
        for (const [p, c] of f.msg?.no_dollars_fp ?? []) mk.no.set(p, Number(c));
        markets.set(t, mk);
      } else if (f.type === "orderbook_delta" && mk !== undefined && f.msg?.price_dollars !== undefined) {
        const side = f.msg.side === "yes" ? mk.yes : mk.no;
        const next = (side.get(f.msg.price_dollars) ?? 0) + Number(f.msg.delta_fp);
        if (next <= 0) side.delete(f.msg.price_dollars);
        else side.set(f.msg.price_dollars, next);
      } else continue;
      observe(mk, Date.now(), obs);
      await policy.decide(obs, 1, actions);
      hist.recordValue(Math.max(0, Math.round((performance.now() - recvMs) * 1e6)));
      decisions++;
    }
    draining = false;
  };

  const ws = new WebSocket(env.WS_URL!, { headers: signRequest(key, "GET", "/trade-api/ws/v2") });
  ws.on("open", () =>
    ws.send(
      JSON.stringify({
        id: 1,
        cmd: "subscribe",
        params: { channels: ["orderbook_delta"], market_tickers: tickers },
      }),
    ),
  );
  ws.on("message", (data: Buffer) => {
    frames++;
    queue.push({ text: data.toString("utf8"), recvMs: performance.now() });
    if (!draining) void drain();
  });
  await new Promise((r) => setTimeout(r, 2000)); // snapshots and warm-up
  hist.reset();
  decisions = 0;
  frames = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  ws.terminate();
  const us = (q: number) => hist.getValueAtPercentile(q) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      tick_to_decision: {
        count: hist.totalCount,
        p50: us(50),
        p99: us(99),
        p999: us(99.9),
        max: hist.maxValue / 1000,
      },
      frames,
      decisions,
      backlog: queue.length - head,
      cpu_cores: (cpu.user + cpu.system) / 1e6 / wallS,
      rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    })}\n`,
  );
  process.exit(0);
}

await main();

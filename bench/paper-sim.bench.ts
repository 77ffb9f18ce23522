/**
 * Paper exchange as a load source: the simulator's sustainable book-update rate over 1,000
 * markets, generated (core bookDelta events) and delivered as `orderbook_delta` frames to one WS
 * subscriber on loopback. The subscriber runs in a child process (its own CPU), counts frames
 * and checks that `seq` has no gap.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { loadPrivateKey, signRequest } from "../src/kalshi/auth-signer.js";
import { PaperExchange } from "../src/paper/exchange/index.js";
import { startPaperExchange } from "../src/paper/index.js";
import { makeMarketSpecs } from "../src/paper/sim/market-catalog.js";
import { MarketSimulator } from "../src/paper/sim/market-sim.js";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const MARKETS = 1000;
const TARGET_PER_SEC = 20_000;

/** The subscriber: plain `ws`, one subscription for every market, counts deltas and seq gaps. */
const SUBSCRIBER = `
const WebSocket = require(process.env.WS_MODULE);
const ws = new WebSocket(process.env.WS_URL, { headers: JSON.parse(process.env.WS_HEADERS) });
let deltas = 0, snapshots = 0, gaps = 0, last = 0;
ws.on("open", () => ws.send(JSON.stringify({ id: 1, cmd: "subscribe",
  params: { channels: ["orderbook_delta"], market_tickers: JSON.parse(process.env.TICKERS) } })));
ws.on("message", (data) => {
  const s = data.toString();
  const i = s.indexOf('"seq":');
  if (i > 0) {
    const seq = parseInt(s.slice(i + 6, i + 20), 10);
    if (last !== 0 && seq !== last + 1) gaps++;
    last = seq;
  }
  if (s.startsWith('{"type":"orderbook_delta"')) deltas++;
  else if (s.startsWith('{"type":"orderbook_snapshot"')) snapshots++;
});
process.stdin.on("data", () => process.stdout.write(JSON.stringify({ deltas, snapshots, gaps, cpuMs: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 }) + "\\n"));
process.stdin.on("end", () => { ws.terminate(); process.exit(0); });
`;

interface SubscriberCounts {
  deltas: number;
  snapshots: number;
  gaps: number;
  cpuMs: number;
}

async function measure(ratePerSec: number, seconds: number): Promise<BenchRow[]> {
  const px = await startPaperExchange({
    markets: MARKETS,
    ratePerSec: 0,
    rateLimitTier: "off",
    pingMs: 0,
    seed: 1,
  });
  const key = { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) };
  const require = createRequire(import.meta.url);
  const child = spawn(process.execPath, ["-e", SUBSCRIBER], {
    stdio: ["pipe", "pipe", "inherit"],
    env: {
      ...process.env,
      WS_MODULE: require.resolve("ws"),
      WS_URL: px.wsUrl,
      WS_HEADERS: JSON.stringify(signRequest(key, "GET", "/trade-api/ws/v2")),
      TICKERS: JSON.stringify(px.markets),
    },
  });
  const replies: Array<(c: SubscriberCounts) => void> = [];
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += String(d);
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      replies.shift()?.(JSON.parse(line) as SubscriberCounts);
      nl = buf.indexOf("\n");
    }
  });
  const ask = (): Promise<SubscriberCounts> =>
    new Promise((resolve) => {
      replies.push(resolve);
      child.stdin.write("?\n");
    });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    // Wait for the 1,000 snapshots, then run the flow.
    for (let i = 0; i < 200 && (await ask()).snapshots < MARKETS; i++) await sleep(50);
    px.simulator.setRate(ratePerSec);
    px.simulator.start();
    await sleep(1000); // warm-up
    const c0 = await ask();
    const g0 = px.hub.stats.bookDeltas;
    const shed0 = px.simulator.stats.shed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const c1 = await ask();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const generated = ((px.hub.stats.bookDeltas - g0) * 1000) / wallMs;
    const delivered = ((c1.deltas - c0.deltas) * 1000) / wallMs;
    const serverCpu = (cpu.user + cpu.system) / 1000 / wallMs;
    const clientCpu = (c1.cpuMs - c0.cpuMs) / wallMs;
    const met = delivered >= TARGET_PER_SEC * 0.98 && ratePerSec >= TARGET_PER_SEC;
    return [
      {
        name: `simulator book updates generated, ${MARKETS} markets, target rate ${ratePerSec}/s`,
        opsPerSec: generated,
        note: `shed ${px.simulator.stats.shed - shed0} actions; exchange process CPU ${(serverCpu * 100).toFixed(0)}% of one core`,
      },
      {
        name: `orderbook_delta frames delivered to one WS subscriber (loopback), target rate ${ratePerSec}/s`,
        opsPerSec: delivered,
        target: ratePerSec >= TARGET_PER_SEC ? `>= ${TARGET_PER_SEC}/s` : undefined,
        met: ratePerSec >= TARGET_PER_SEC ? met : undefined,
        note: `seq gaps ${c1.gaps}; subscriber CPU ${(clientCpu * 100).toFixed(0)}% of one core`,
      },
    ];
  } finally {
    child.stdin.end();
    px.simulator.stop();
    await px.close();
  }
}

/** Ceiling of core + simulator alone on one core: actions back to back, no server, no timer. */
function capacity(actions: number): BenchRow {
  const specs = makeMarketSpecs({ count: MARKETS });
  const core = new PaperExchange({ markets: specs, clock: Date.now });
  let deltas = 0;
  core.setListener({
    bookDelta: () => {
      deltas++;
    },
  });
  const sim = new MarketSimulator({ core, markets: specs, seed: 1, ratePerSec: 0 });
  sim.seedBooks();
  sim.step(actions / 10); // warm-up
  deltas = 0;
  const t0 = performance.now();
  sim.step(actions);
  const ms = performance.now() - t0;
  return {
    name: `core + simulator capacity, ${MARKETS} markets, no subscriber (one core, back to back)`,
    opsPerSec: (deltas * 1000) / ms,
    nsPerOp: (ms * 1e6) / deltas,
    note: `${(deltas / actions).toFixed(2)} book updates per simulated action`,
  };
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const seconds = options.quick ? 2 : 8;
  const rows: BenchRow[] = [capacity(options.quick ? 50_000 : 300_000)];
  for (const rate of options.quick ? [TARGET_PER_SEC] : [TARGET_PER_SEC, 40_000, 60_000]) {
    rows.push(...(await measure(rate, seconds)));
  }
  const gate = rows.find((r) => r.met === false);
  return {
    title: "Paper exchange market simulator (load source)",
    rows,
    ...(gate ? { failedGate: `paper simulator below ${TARGET_PER_SEC} delivered book updates/s` } : {}),
  };
}

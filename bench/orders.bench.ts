/**
 * Orders-thread bench: the pure pieces (fees, ledger, limit price + plan + risk), the journal's
 * fsync (the price of rule 15), decision → request sent through the OrderManager, and a REST
 * create + cancel round trip against the paper exchange on loopback.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPrivateKey } from "../src/kalshi/auth-signer.js";
import { gridOfStructure } from "../src/kalshi/price-grid.js";
import { KalshiRestClient, type WriteResult } from "../src/kalshi/rest-client.js";
import type { OrderAck, V2CreateOrderBody } from "../src/kalshi/rest-types.js";
import { OrderFeeAccumulator, STANDARD_FEE_SCHEDULE } from "../src/orders/accounts/fees.js";
import { Ledger } from "../src/orders/accounts/ledger.js";
import { OrderJournal } from "../src/orders/execution/journal.js";
import { limitPriceTicks } from "../src/orders/execution/limit-price.js";
import { StaticMarketCatalog } from "../src/orders/execution/market-catalog.js";
import { OrderManager, type OrdersRestApi } from "../src/orders/execution/order-manager.js";
import { planOrderOps } from "../src/orders/execution/working-orders.js";
import { CircuitBreakers } from "../src/orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../src/orders/risk/risk.js";
import { startPaperExchange } from "../src/paper/index.js";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

function nsPerOp(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

function latencyRow(name: string, samplesNs: number[], note: string): BenchRow {
  const s = [...samplesNs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
  return {
    name,
    p50Us: at(0.5),
    p99Us: at(0.99),
    p999Us: at(0.999),
    maxUs: s[s.length - 1]! / 1000,
    note: `${s.length} samples; ${note}`,
  };
}

let sink = 0;

function pureRows(quick: boolean): BenchRow[] {
  const n = quick ? 50_000 : 500_000;
  const rows: BenchRow[] = [];
  const acc = new OrderFeeAccumulator(STANDARD_FEE_SCHEDULE);
  const feeNs = nsPerOp(n, (i) => {
    sink += acc.chargeFill((i & 1) === 0, 1000 + (i % 8000), 100);
  });
  rows.push({
    name: "fee accumulator: one fill (BigInt S, ceil to cent)",
    nsPerOp: feeNs,
    opsPerSec: 1e9 / feeNs,
  });

  // a full order life: reserve, two partial fills (netting alternates sides), done
  const ledger = new Ledger(2 ** 50);
  let id = 0;
  const cycleNs = nsPerOp(n / 5, (i) => {
    const cid = `o${++id}`;
    const action = (i & 1) === 0 ? "BUY_YES" : "BUY_NO";
    ledger.place({ clientOrderId: cid, market: i & 63, action, ownLimitTicks: 4500, countHundredths: 1000 });
    const side = action === "BUY_YES" ? "bid" : "ask";
    const p = action === "BUY_YES" ? 4400 : 5600;
    ledger.applyFill({
      fillId: `${cid}a`,
      market: i & 63,
      clientOrderId: cid,
      side,
      yesPriceTicks: p,
      sizeHundredths: 400,
      isTaker: true,
    });
    ledger.applyFill({
      fillId: `${cid}b`,
      market: i & 63,
      clientOrderId: cid,
      side,
      yesPriceTicks: p,
      sizeHundredths: 600,
      isTaker: false,
    });
  });
  rows.push({
    name: "ledger: place + 2 partial fills (netting, fees, dedupe)",
    nsPerOp: cycleNs,
    opsPerSec: 1e9 / cycleNs,
  });

  const top = { bestYesBidTicks: 4200, bestNoBidTicks: 5500 };
  const tapered = gridOfStructure("tapered_deci_cent");
  const risk = new RiskGate();
  const small = new Ledger(1_000_000_000);
  const decideNs = nsPerOp(n, (i) => {
    top.bestYesBidTicks = 4000 + (i % 20) * 10;
    const limit = limitPriceTicks("mid", "BUY_YES", top, tapered);
    const ops = planOrderOps(undefined, undefined, {
      side: "bid",
      action: "BUY_YES",
      yesPriceTicks: limit,
      restingHundredths: 1000,
    });
    const r = risk.check(
      {
        market: 1,
        action: "BUY_YES",
        ownLimitTicks: limit,
        countHundredths: 1000,
        reservationMicros: 4_600_000,
      },
      small,
      0,
    );
    sink += ops.length + (r === null ? 1 : 0);
  });
  rows.push({
    name: "decision math: limit price + plan + risk check",
    nsPerOp: decideNs,
    opsPerSec: 1e9 / decideNs,
  });
  return rows;
}

async function journalRows(dir: string, quick: boolean): Promise<BenchRow[]> {
  const { journal } = await OrderJournal.open(join(dir, "bench.ndjson"));
  const samples: number[] = [];
  const n = quick ? 200 : 2000;
  const rec = {
    t: "intent" as const,
    op: "create" as const,
    cid: "",
    tsMs: 0,
    ticker: "KXBENCH-T",
    side: "bid" as const,
    yesPriceTicks: 4500,
    countHundredths: 1000,
  };
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await journal.append({ ...rec, cid: `c${i}` });
    samples.push(Number(process.hrtime.bigint() - t0));
  }
  const rows = [latencyRow("journal: append + fsync, one intent", samples, `tmpdir on this machine's disk`)];
  const batch = 32;
  const rounds = quick ? 20 : 200;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: batch }, (_, i) => journal.append({ ...rec, cid: `g${r}-${i}` })));
  }
  const perRecordNs = Number(process.hrtime.bigint() - t0) / (rounds * batch);
  rows.push({
    name: `journal: group commit, ${batch} concurrent intents`,
    nsPerOp: perRecordNs,
    opsPerSec: 1e9 / perRecordNs,
    note: `${journal.syncs} fsyncs for ${journal.appended} records in total`,
  });
  await journal.close();
  return rows;
}

async function managerRow(dir: string, quick: boolean): Promise<BenchRow> {
  const { journal } = await OrderJournal.open(join(dir, "om.ndjson"));
  const catalog = new StaticMarketCatalog();
  for (let m = 0; m < 256; m++) catalog.add(`KXBENCH-M${m}`);
  let sentAt = 0n;
  let ack = 0;
  const rest = {
    createOrder: async (b: V2CreateOrderBody): Promise<WriteResult<OrderAck>> => {
      sentAt = process.hrtime.bigint();
      return {
        kind: "ok",
        status: 201,
        value: {
          orderId: `x${++ack}`,
          clientOrderId: b.client_order_id,
          fillCountHundredths: 0,
          remainingCountHundredths: 100,
          tsMs: 0,
          averageFillPriceTicks: 0,
          averageFeePaidMicros: 0,
        },
      };
    },
  } as unknown as OrdersRestApi;
  const om = new OrderManager({
    rest,
    journal,
    ledger: new Ledger(1_000_000_000_000),
    catalog,
    book: {
      readTop: (_m, out) => {
        out.bestYesBidTicks = 4200;
        out.bestNoBidTicks = 5500;
        return true;
      },
    },
    risk: new RiskGate({
      maxContractsPerMarketHundredths: 1e9,
      maxGrossExposureMicros: 1e15,
      minCashReserveMicros: 0,
      maxOrdersPerSecond: 1e6,
    }),
    throttle: new MarketThrottle(0),
    freshness: new FreshnessGate(1e9),
    breakers: new CircuitBreakers(),
  });
  om.markReady();
  const samples: number[] = [];
  const n = quick ? 200 : 2000;
  for (let i = 0; i < n; i++) {
    const m = i % 256;
    const w = om.working.get(m, "bid");
    // fresh create each time: the last one is gone (its reservation released)
    if (w !== undefined) om.orders.apply(w, { on: "exchange_canceled", keepHundredths: 0 });
    const t0 = process.hrtime.bigint();
    await om.onDecision({ market: m, action: "BUY_YES", sizeHundredths: 100, frameRecvMs: Date.now() });
    samples.push(Number(sentAt - t0));
  }
  await journal.close();
  return latencyRow(
    "OrderManager: decision → create request issued",
    samples,
    "incl. risk, ledger reserve, journal append + fsync; REST stubbed",
  );
}

async function paperRow(quick: boolean): Promise<BenchRow> {
  const px = await startPaperExchange({ markets: 4, ratePerSec: 0, seed: 3, rateLimitTier: "off" });
  try {
    const client = new KalshiRestClient({
      baseUrl: px.restUrl,
      key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
      readBucket: { refillPerSec: 1e9, capacity: 1e9 },
      writeBucket: { refillPerSec: 1e9, capacity: 1e9 },
    });
    const samples: number[] = [];
    const n = quick ? 50 : 500;
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const r = await client.createOrder({
        ticker: px.markets[0]!,
        client_order_id: `bench-${i}`,
        side: "bid",
        count: "1.00",
        price: "0.0100",
        time_in_force: "good_till_canceled",
        self_trade_prevention_type: "taker_at_cross",
      });
      samples.push(Number(process.hrtime.bigint() - t0));
      if (r.kind === "ok") await client.cancelOrder(r.value.orderId, { marketTicker: px.markets[0]! });
    }
    return latencyRow(
      "REST: signed V2 create → 201 on the paper exchange (loopback)",
      samples,
      "RSA-PSS signing + keep-alive fetch + paper matching",
    );
  } finally {
    await px.close();
  }
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), "orders-bench-"));
  try {
    const rows = pureRows(options.quick);
    rows.push(...(await journalRows(dir, options.quick)));
    rows.push(await managerRow(dir, options.quick));
    rows.push(await paperRow(options.quick));
    return { title: "Orders thread (ledger, decision path, journal, REST)", rows, extra: { sink } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

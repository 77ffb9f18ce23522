/**
 * Entry of the orders worker_thread (docs/architecture.md "orders (1 worker)") and its composition
 * root. The loop, at the top:
 *
 *   startup reconciliation (reconciler.ts) → "ready" → forever:
 *     drain DecisionRings (each decision runs async; the order manager serialises per market)
 *     drain FillRing (venue reports io parsed into fixed-layout records, worker-fills.ts; a fill
 *       is applied once by its trade id)
 *     its counts into io's shared metrics (orders-metrics.ts); every `statsEveryMs` its histograms
 *     and own counts to io as a message
 *     every `reconcileEveryMs`: periodic reconciliation, P&L event and gauges
 *     nothing to do → after recent work, with a core to spare, poll the rings for up to 50 µs
 *       (runtime/spin.ts); then sleep:
 *       nothing in flight (no decision, fill or reconciliation awaiting I/O) → a blocking
 *       Atomics.wait on the doorbell for at most IDLE_BLOCK_MS, so a decision wakes this thread
 *       straight into the ring drain without an event-loop hop; else Atomics.waitAsync (REST
 *       answers and fsyncs must keep flowing while we wait)
 *
 * Requests from io (OrdersRequests, over runtime/request-channel.ts): kill switch on/off, stats,
 * one reconciliation pass, stop. Unasked, the thread tells io "ready", each error it counted and
 * its periodic stats (OrdersNotice).
 * Keys: the private key is loaded from `keyFile` here and never leaves this thread or a log.
 */

import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { BookTable, type BookTableShared } from "../../book/book-table.js";
import { DecisionRecord, readDecision } from "../../decide/decision-ring.js";
import type { OpenOrder } from "../../events/engine-event.js";
import { EventCodec } from "../../events/event-codec.js";
import { loadPrivateKey } from "../../kalshi/auth-signer.js";
import type { PriceRangeTicks } from "../../kalshi/price-grid.js";
import { KalshiRestClient } from "../../kalshi/rest-client.js";
import type { BucketConfig } from "../../kalshi/token-bucket.js";
import { createLogger, type LogLevel } from "../../log/logger.js";
import { nowMs } from "../../runtime/clock.js";
import { RequestServer } from "../../runtime/request-channel.js";
import { pollBriefly, spinBudgetMs } from "../../runtime/spin.js";
import { BytesRing, type BytesRingShared } from "../../shm/bytes-ring.js";
import { Doorbell, type DoorbellShared } from "../../shm/doorbell.js";
import { SpscRing, type SpscRingShared } from "../../shm/spsc-ring.js";
import { Counters } from "../../stats/counters.js";
import { ENGINE_METRICS } from "../../stats/engine-metrics.js";
import { HEARTBEAT_ORDERS, Heartbeats, type HeartbeatsShared } from "../../stats/heartbeats.js";
import { type EncodedStageHistograms, StageHistograms } from "../../stats/stage-histograms.js";
import { Stage } from "../../stats/stages.js";
import { Ledger } from "../accounts/ledger.js";
import { type PnlReport, pnlReport } from "../accounts/pnl.js";
import { PortfolioTable, type PortfolioTableShared } from "../accounts/portfolio-table.js";
import { SeriesFeeSchedules } from "../accounts/series-fees.js";
import { OrderJournal } from "../execution/journal.js";
import type { PriceStrategy } from "../execution/limit-price.js";
import { BookTableTopSource, StaticMarketCatalog } from "../execution/market-catalog.js";
import { openOrderGroups } from "../execution/order-group.js";
import { OrderManager } from "../execution/order-manager.js";
import type { OrderEvent } from "../execution/order-types.js";
import { ShardTransfers, type TransferPolicy } from "../execution/transfers.js";
import type { ReconcileReport } from "../reconcile/reconcile-target.js";
import { Reconciler } from "../reconcile/reconciler.js";
import { type BreakerConfig, CircuitBreakers } from "../risk/breakers.js";
import { ExchangeStatusWatch, PAUSED_STATUS_REFRESH_MS } from "../risk/exchange-status.js";
import { FreshnessGate, MarketThrottle, RiskGate, type RiskLimits } from "../risk/risk.js";
import { EngineEventMapper } from "./engine-events.js";
import { OrdersMetrics } from "./orders-metrics.js";
import { drainReports } from "./worker-fills.js";

/** Tag of every message this thread writes to the EventRing (an EventCodec FlatBuffer). */
export const ORDERS_EVENT_TAG = 1;

export interface OrdersWorkerMarket {
  m: number;
  ticker: string;
  /** `price_level_structure` of the market (a name for logs: prices come from priceRanges) */
  structure?: string;
  /** the market's exchange shard (`exchange_index`); 0 when not given */
  exchangeIndex?: number;
  /** the market's series: its fee schedule is read at start (absent: the standard schedule) */
  seriesTicker?: string;
  /** the market's valid prices, from its `price_ranges` (plain data: crosses the thread boundary) */
  priceRanges: PriceRangeTicks[];
}

export interface OrdersWorkerInit {
  decisionRings: SpscRingShared[];
  fillRing: BytesRingShared;
  eventRing: BytesRingShared;
  bookTable: BookTableShared;
  portfolio: PortfolioTableShared;
  markets: OrdersWorkerMarket[];
  rest: {
    baseUrl: string;
    keyId: string;
    keyFile: string;
    readBucket?: BucketConfig;
    writeBucket?: BucketConfig;
    readTimeoutMs?: number;
    writeTimeoutMs?: number;
  };
  journalPath: string;
  strategy?: PriceStrategy;
  risk?: RiskLimits;
  /** before an order whose shard lacks free cash: move funds there (`auto`, default) or refuse it */
  transferPolicy?: TransferPolicy;
  /** this thread's log level (its own logger, stderr); default info */
  logLevel?: LogLevel;
  /** whole contracts per rolling 15 s for a Kalshi order group every order joins (absent: none) */
  orderGroupContracts?: number;
  breakers?: BreakerConfig;
  throttleMs?: number;
  budgetMs?: number;
  reconcileEveryMs?: number;
  /** the doorbell every DecisionRing and the FillRing ring on commit; lets this thread sleep on all */
  doorbell?: DoorbellShared;
  /** io's shared metrics (Counters over ENGINE_METRICS); this thread writes the ones it owns */
  counters?: SharedArrayBuffer;
  /** how often the thread sends io its histograms and own counts (default 500 ms) */
  statsEveryMs?: number;
  /** the loop stamps slot HEARTBEAT_ORDERS every turn (io's watchdog) */
  heartbeats?: HeartbeatsShared;
}

/** This thread's stats report: its own counts, cash, P&L and histograms since the last report. */
export interface OrdersStats {
  stats: Record<string, number>;
  freeCashMicros: number;
  reservedCashMicros: number;
  /** P&L with every position marked at its current book mid */
  pnl: PnlReport;
  /** this thread's stage histograms since the last stats report (then reset) */
  histograms: EncodedStageHistograms;
}

/** What io may ask this thread, over the request channel (runtime/request-channel.ts). */
export type OrdersRequests = {
  /** engage the kill switch; the reply is the number of orders canceled */
  kill: { request: null; reply: number };
  release: { request: null; reply: null };
  stats: { request: null; reply: OrdersStats };
  /** the ledger's open orders now (a dashboard's starting snapshot) */
  openOrders: { request: null; reply: OpenOrder[] };
  /** one reconciliation pass (after any already running); rejects when the pass failed */
  reconcile: { request: null; reply: ReconcileReport };
  /** the reply comes once the loop has ended and the journal is closed */
  stop: { request: null; reply: null };
};

/** What this thread tells io unasked (beside the channel's replies). */
export type OrdersNotice =
  | { type: "ready" }
  | { type: "stats"; stats: OrdersStats }
  | { type: "error"; message: string };

const ACTIONS = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;

/**
 * Longest blocking sleep when nothing is in flight: bounds how late control messages (kill
 * switch, stats) and the reconcile timer are seen while the thread sleeps outside its event loop.
 */
const IDLE_BLOCK_MS = 2;

async function main(init: OrdersWorkerInit): Promise<void> {
  const port = parentPort!;
  const book = BookTable.attach(init.bookTable);
  const portfolio = PortfolioTable.attach(init.portfolio);
  const decisionRings = init.decisionRings.map((s) => SpscRing.attach(s));
  const fillRing = BytesRing.attach(init.fillRing);
  const eventRing = BytesRing.attach(init.eventRing);
  const doorbell = init.doorbell ? Doorbell.attach(init.doorbell) : null;
  const wakeRings = [...decisionRings, fillRing.ring];
  const catalog = new StaticMarketCatalog();
  for (const mk of init.markets) catalog.setMarket(mk);

  const counters = new Counters(ENGINE_METRICS, init.counters);
  const errorCount = counters.counter("orders_errors");
  const heartbeats = init.heartbeats ? Heartbeats.attach(init.heartbeats) : null;
  const eventOverflows = counters.counter("ring_overflows", { ring: "event" });
  const codec = new EventCodec();
  const { journal, replay } = await OrderJournal.open(init.journalPath);
  const feeSchedules = new SeriesFeeSchedules();
  const ledger = new Ledger(0, {
    shardOf: (m) => catalog.shardOf(m),
    feeScheduleOf: (m) => feeSchedules.of(m),
  });
  const mapper = new EngineEventMapper(ledger, catalog, () => Math.round(nowMs() * 1000));
  // Stage latencies of this thread (docs/architecture.md "Timing"): stamps per market of the decision
  // being executed, so the order_sent / order_outcome events can close each stage.
  const hist = new StageHistograms({ budgetNs: (init.budgetMs ?? 50) * 1e6 });
  const capacity = init.bookTable.capacity;
  const frameRecvMs = new Float64Array(capacity);
  const pickupMs = new Float64Array(capacity);
  const sentMs = new Float64Array(capacity);
  const timeStages = (e: OrderEvent) => {
    if (e.kind === "order_sent") {
      const now = nowMs();
      // only sends caused by a decision (reconciliation cancels have no decision stamp)
      if (pickupMs[e.market] > 0) {
        hist.record(Stage.orders_to_request_sent, (now - pickupMs[e.market]) * 1e6);
        hist.record(Stage.tick_to_order, (now - frameRecvMs[e.market]) * 1e6);
        pickupMs[e.market] = 0;
      }
      sentMs[e.market] = now;
    } else if (e.kind === "order_outcome" && sentMs[e.market] > 0) {
      hist.record(Stage.request_to_ack, (nowMs() - sentMs[e.market]) * 1e6);
      sentMs[e.market] = 0;
    }
  };
  const publish = (e: OrderEvent) => {
    timeStages(e);
    for (const ev of mapper.map(e))
      if (!eventRing.tryWrite(ORDERS_EVENT_TAG, codec.encode(ev))) eventOverflows.inc();
  };
  const rest = new KalshiRestClient({
    baseUrl: init.rest.baseUrl,
    key: { keyId: init.rest.keyId, privateKey: loadPrivateKey(init.rest.keyFile) },
    ...(init.rest.readBucket ? { readBucket: init.rest.readBucket } : {}),
    ...(init.rest.writeBucket ? { writeBucket: init.rest.writeBucket } : {}),
    ...(init.rest.readTimeoutMs ? { readTimeoutMs: init.rest.readTimeoutMs } : {}),
    ...(init.rest.writeTimeoutMs ? { writeTimeoutMs: init.rest.writeTimeoutMs } : {}),
  });
  const topSource = new BookTableTopSource(book);
  const breakers = new CircuitBreakers(init.breakers);
  // one group per shard in use: groups do not work across exchange shards
  const orderGroups = init.orderGroupContracts
    ? await openOrderGroups(
        rest,
        init.orderGroupContracts,
        init.markets.map((mk) => mk.exchangeIndex ?? 0),
        breakers,
      )
    : undefined;
  // Exchange status and schedule: read now, every minute, every 5 s while a shard says paused.
  const log = createLogger({ level: init.logLevel ?? "info", bindings: { thread: "orders" } });
  const transfers = new ShardTransfers(
    rest,
    ledger,
    journal,
    init.transferPolicy ?? "auto",
    (line) => log[line.level](line.fields, line.msg),
    Date.now,
    randomUUID,
    publish,
  );
  // per-series fees into the fee model (the fills' fee_cost stays authoritative)
  const feeReport = await feeSchedules.load(rest, init.markets);
  if (feeReport.failed.length > 0)
    log.warn(
      { series: feeReport.failed.slice(0, 20) },
      "fee schedule unreadable: the standard schedule is used",
    );
  log.info({ series: feeReport.loaded, nonStandard: feeReport.nonStandard }, "per-series fee schedules read");
  const exchangeStatus = new ExchangeStatusWatch(rest);
  const shardsInUse = (): number[] => init.markets.map((mk) => mk.exchangeIndex ?? 0);
  await exchangeStatus.refresh(shardsInUse());
  const statusTimer = setInterval(() => {
    if (exchangeStatus.refreshDue()) void exchangeStatus.refresh(shardsInUse());
  }, PAUSED_STATUS_REFRESH_MS);
  const distinctShards = [...new Set(shardsInUse())].sort((a, b) => a - b);
  statusTimer.unref();
  const om = new OrderManager(
    {
      rest,
      exchangeStatus,
      journal,
      ledger,
      catalog,
      book: topSource,
      risk: new RiskGate(init.risk),
      throttle: new MarketThrottle(init.throttleMs ?? 250),
      freshness: new FreshnessGate(init.budgetMs ?? 50),
      breakers,
      transfers,
      ...(orderGroups ? { orderGroups } : {}),
      portfolio,
      onEvent: publish,
      // the same clock as the decision records' frameRecvMs (runtime/clock.ts), so the loop
      // budget compares like with like across threads
      now: nowMs,
    },
    { strategy: init.strategy ?? "aggressive", order: { timeInForce: "good_till_canceled" } },
  );
  const metrics = new OrdersMetrics(counters);
  const metricSources = {
    orders: om.stats,
    rest: rest.stats,
    transfers: transfers.stats,
    breakersTripped: 0,
    breakerTrips: 0,
  };
  const publishMetrics = () => {
    metricSources.breakersTripped = breakers.tripReason === null ? 0 : 1;
    metricSources.breakerTrips = breakers.trips;
    metrics.publish(metricSources);
  };
  const statsReport = (): OrdersStats => ({
    stats: {
      ...om.stats,
      restRequests: rest.stats.requests,
      journalSyncs: journal.syncs,
      orderGroupTriggers: orderGroups?.triggers ?? 0,
      // io shows these in /stats state (orders_shards, orders_shardsPaused) and the banner
      shards: distinctShards.length,
      shardsPaused: exchangeStatus.pausedCount(distinctShards),
      exchangeStatusFailures: exchangeStatus.failures,
    },
    freeCashMicros: ledger.freeCashMicros,
    reservedCashMicros: ledger.reservedCashMicros,
    pnl: pnlReport(ledger),
    histograms: hist.encode({ reset: true }),
  });
  const reconciler = new Reconciler(om);
  await reconciler.startup(replay);
  port.postMessage({ type: "ready" } satisfies OrdersNotice);

  let running = true;
  // Async work this thread started and that has not settled: while any is pending, the thread must
  // sleep on its event loop (waitAsync), not block in Atomics.wait.
  let inFlight = 0;
  const settled = () => {
    inFlight--;
  };
  // Reconciliation passes run one at a time (periodic ones and those io asks for).
  let reconciliation: Promise<unknown> = Promise.resolve();
  const reconcileOnce = (): Promise<ReconcileReport> => {
    const pass = reconciliation.then(async () => {
      return reconciler.periodic();
    });
    reconciliation = pass.catch(() => undefined);
    return pass;
  };
  // Requests from io: each settles its own reply; async ones count as in flight so the loop sleeps
  // on its event loop (waitAsync) until they settle.
  const inFlightWhile = <T>(work: Promise<T>): Promise<T> => {
    inFlight++;
    return work.finally(settled);
  };
  let stopped = (): void => {};
  const loopEnded = new Promise<null>((resolve) => {
    stopped = () => resolve(null);
  });
  const requests = new RequestServer<OrdersRequests>(port, {
    kill: () =>
      inFlightWhile(om.engageKillSwitch()).catch((e: unknown) => {
        errorCount.inc();
        throw e;
      }),
    release: () => {
      om.releaseKillSwitch();
      return null;
    },
    stats: () => {
      markPositions(om, topSource);
      publishMetrics();
      return statsReport();
    },
    openOrders: () => mapper.openOrders(),
    reconcile: () =>
      inFlightWhile(reconcileOnce()).catch((e: unknown) => {
        throw new Error(`reconciliation pass failed: ${e instanceof Error ? e.message : String(e)}`);
      }),
    stop: () => {
      running = false;
      return loopEnded;
    },
  });
  port.on("message", (m: unknown) => requests.accept(m));

  const record = new DecisionRecord();
  const decision = {
    market: 0,
    action: "HOLD" as (typeof ACTIONS)[number],
    sizeHundredths: 0,
    frameRecvMs: 0,
    bookSeq: 0,
    batchSize: 0,
    appliedCount: 0,
    decidedMs: 0,
  };
  const onFailure = (e: unknown) => {
    errorCount.inc();
    port.postMessage({ type: "error", message: String(e) } satisfies OrdersNotice);
  };
  let lastWorkMs = 0;
  // poll budget after work (runtime/spin.ts): io, the decide threads and this one need a core each
  const spinMs = spinBudgetMs(decisionRings.length + 2);
  const reconcileEveryMs = init.reconcileEveryMs ?? 5000;
  let nextReconcileMs = nowMs() + reconcileEveryMs;
  // histograms and the orders_* state go to io as a message on this thread's own schedule
  const statsEveryMs = init.statsEveryMs ?? 500;
  let nextStatsMs = nowMs() + statsEveryMs;
  let reconciling = false;
  while (running) {
    heartbeats?.beat(HEARTBEAT_ORDERS);
    let work = 0;
    for (const ring of decisionRings) {
      work += ring.poll((slot) => {
        readDecision(ring, slot, record);
        decision.market = record.market;
        decision.action = ACTIONS[record.action] ?? "HOLD";
        decision.sizeHundredths = record.sizeHundredths;
        decision.frameRecvMs = record.frameRecvMs;
        decision.bookSeq = record.bookSeq;
        decision.batchSize = record.batchSize;
        decision.appliedCount = record.appliedCount;
        decision.decidedMs = record.decidedMs;
        const pickup = nowMs();
        hist.record(Stage.decision_to_orders, (pickup - record.decidedMs) * 1e6);
        frameRecvMs[decision.market] = decision.frameRecvMs;
        pickupMs[decision.market] = pickup;
        const staleBefore = om.stats.stale;
        const m = decision.market;
        // the freshness check runs synchronously, before the first await of onDecision; a decision
        // that sent nothing leaves no stamp behind for a later reconciliation write
        inFlight++;
        om.onDecision({ ...decision })
          .then(() => {
            if (pickupMs[m] === pickup) pickupMs[m] = 0;
          })
          .catch(onFailure)
          .finally(settled);
        if (om.stats.stale !== staleBefore) ring.countDropped();
      });
    }
    work += drainReports(fillRing, om, (why) => onFailure(new Error(why)));
    publishMetrics();
    const now = nowMs();
    if (now >= nextStatsMs) {
      nextStatsMs = now + statsEveryMs;
      port.postMessage({ type: "stats", stats: statsReport() } satisfies OrdersNotice);
    }
    if (now >= nextReconcileMs && !reconciling) {
      nextReconcileMs = now + reconcileEveryMs;
      reconciling = true;
      inFlight++;
      reconcileOnce()
        .then(() => {
          markPositions(om, topSource);
          if (!eventRing.tryWrite(ORDERS_EVENT_TAG, codec.encode(mapper.pnl()))) eventOverflows.inc();
        })
        .catch(onFailure)
        .finally(() => {
          reconciling = false;
          settled();
        });
    }
    if (work > 0) {
      lastWorkMs = nowMs();
      await new Promise((r) => setImmediate(r)); // let REST callbacks run between batches
    } else if (doorbell !== null) {
      if (pollBriefly(wakeRings, lastWorkMs, spinMs)) continue;
      // Sleep until a decision or a fill is committed (or the reconcile timer is due).
      if (inFlight === 0) {
        if (doorbell.waitForAny(wakeRings, Math.min(IDLE_BLOCK_MS, nextReconcileMs - nowMs()))) continue;
        await new Promise((r) => setImmediate(r)); // timers and control messages
      } else await doorbell.waitForAnyAsync(wakeRings, 5);
    } else if (decisionRings.length > 0) await decisionRings[0]!.waitForRecordsAsync(2);
    else await new Promise((r) => setTimeout(r, 2));
  }
  clearInterval(statusTimer);
  await journal.close();
  publishMetrics();
  stopped();
}

/** Marks every held position from the current book (a stale or empty book keeps its last mark). */
export function markPositions(om: OrderManager, books: BookTableTopSource): void {
  const top = { bestYesBidTicks: 0, bestNoBidTicks: 0 };
  for (const m of om.accounts.markets()) {
    if (om.accounts.position(m).contractsHundredths === 0) continue;
    if (books.readTop(m, top)) om.onBookTop(m, top.bestYesBidTicks, top.bestNoBidTicks);
  }
}

if (parentPort !== null && workerData !== undefined && workerData !== null) {
  main(workerData as OrdersWorkerInit).catch((e) => {
    parentPort!.postMessage({
      type: "error",
      message: e instanceof Error ? e.message : String(e),
    } satisfies OrdersNotice);
    // A loop that failed must not leave a thread that looks alive (its message port would keep
    // it running): end it, so io sees the exit and takes over the kill switch.
    process.exit(1);
  });
}

/**
 * Entry of the orders worker_thread (docs/architecture.md "orders (1 worker)") and its composition
 * root: builds the order manager and what it needs from workerData (orders-protocol.ts), runs the
 * startup reconciliation, tells io "ready", answers io's requests (orders-control.ts) and runs
 * the loop (orders-loop.ts) until asked to stop. Unasked, the thread tells io each error it
 * counted and its periodic report (stats-report.ts).
 * Keys: the private key is loaded from `keyFile` here and never leaves this thread or a log.
 */

import { randomUUID } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { BookTable } from "../../book/book-table.js";
import { EventCodec } from "../../events/event-codec.js";
import { loadPrivateKey } from "../../kalshi/auth-signer.js";
import { KalshiRestClient } from "../../kalshi/rest-client.js";
import { createLogger } from "../../log/logger.js";
import { nowMs } from "../../runtime/clock.js";
import { RequestServer } from "../../runtime/request-channel.js";
import { spinBudgetMs } from "../../runtime/spin.js";
import { BytesRing } from "../../shm/bytes-ring.js";
import { Doorbell } from "../../shm/doorbell.js";
import { SpscRing } from "../../shm/spsc-ring.js";
import { Counters } from "../../stats/counters.js";
import { ENGINE_METRICS } from "../../stats/engine-metrics.js";
import { Heartbeats } from "../../stats/heartbeats.js";
import { Ledger } from "../accounts/ledger.js";
import { PortfolioTable } from "../accounts/portfolio-table.js";
import { SeriesFeeSchedules } from "../accounts/series-fees.js";
import { OrderJournal } from "../execution/journal.js";
import { markPositions } from "../execution/mark-positions.js";
import { BookTableTopSource, StaticMarketCatalog } from "../execution/market-catalog.js";
import { openOrderGroups } from "../execution/order-group.js";
import { OrderManager } from "../execution/order-manager.js";
import type { OrderEvent } from "../execution/order-types.js";
import { ShardTransfers } from "../execution/transfers.js";
import { Reconciler } from "../reconcile/reconciler.js";
import { CircuitBreakers } from "../risk/breakers.js";
import { ExchangeStatusWatch, PAUSED_STATUS_REFRESH_MS } from "../risk/exchange-status.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../risk/risk.js";
import { DecisionIntake } from "./decision-intake.js";
import { EngineEventMapper } from "./engine-events.js";
import { IdleWait } from "./idle-wait.js";
import { InFlightWork } from "./in-flight.js";
import { ordersRequestHandlers } from "./orders-control.js";
import { OrdersLoop } from "./orders-loop.js";
import type { OrdersNotice, OrdersRequests, OrdersWorkerInit } from "./orders-protocol.js";
import { OrderStageTiming } from "./stage-timing.js";
import { OrdersStatsReport } from "./stats-report.js";

/** Tag of every message this thread writes to the EventRing (an EventCodec FlatBuffer). */
export const ORDERS_EVENT_TAG = 1;

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
  const timing = new OrderStageTiming(init.bookTable.capacity, init.budgetMs ?? 50);
  const publish = (e: OrderEvent) => {
    timing.onOrderEvent(e);
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
  // Exchange status and schedule: read now, every minute, every 5 s while a shard says paused.
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
  const stats = new OrdersStatsReport(counters, init.state, {
    om,
    ledger,
    rest,
    journal,
    transfers,
    breakers,
    orderGroups,
    exchangeStatus,
    shards: distinctShards,
    histograms: timing.histograms,
  });
  const reconciler = new Reconciler(om);
  await reconciler.startup(replay);
  port.postMessage({ type: "ready" } satisfies OrdersNotice);

  const onFailure = (e: unknown) => {
    errorCount.inc();
    port.postMessage({ type: "error", message: String(e) } satisfies OrdersNotice);
  };
  const inFlight = new InFlightWork();
  const loop = new OrdersLoop({
    decisions: new DecisionIntake(decisionRings, om, timing, inFlight, onFailure),
    fillRing,
    om,
    reconciler,
    // poll budget after work (runtime/spin.ts): io, the decide threads and this one need a core each
    idle: new IdleWait(doorbell, wakeRings, decisionRings, spinBudgetMs(decisionRings.length + 2)),
    inFlight,
    stats,
    heartbeats,
    afterReconcile: () => {
      markPositions(om, topSource);
      if (!eventRing.tryWrite(ORDERS_EVENT_TAG, codec.encode(mapper.pnl()))) eventOverflows.inc();
    },
    onFailure,
    sendReport: (report) => port.postMessage({ type: "report", report } satisfies OrdersNotice),
    reconcileEveryMs: init.reconcileEveryMs ?? 5000,
    statsEveryMs: init.statsEveryMs ?? 500,
  });
  let stopped = (): void => {};
  const loopEnded = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const requests = new RequestServer<OrdersRequests>(
    port,
    ordersRequestHandlers({
      om,
      loop,
      inFlight,
      stats,
      mapper,
      markPositions: () => markPositions(om, topSource),
      errors: errorCount,
      loopEnded,
    }),
  );
  port.on("message", (m: unknown) => requests.accept(m));

  await loop.run();
  clearInterval(statusTimer);
  await journal.close();
  stats.publishMetrics();
  stats.publishState();
  stopped();
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

/**
 * Engine — the io thread's composition root (docs/architecture.md): builds the shared tables, starts
 * the decide pool and the orders thread, connects the feed and serves /stats, /events and control.
 * Only the wiring lives here; each job has its module:
 *
 *   io-feed.ts       WebSocket frames → book, temporal, dirty set → decide workers
 *   event-pump.ts    orders thread → EventRing → /events, the audit trail, the recorder
 *   control.ts       the operator's pause / resume / kill / reconcile, audited
 *   supervisor.ts    trading state, supervision halts, /healthz
 *   engine-stats.ts  the /stats snapshot from every thread's share
 *   shutdown.ts      the bounded shutdown sequence and the final summary
 */
import { join } from "node:path";
import type { BookTable } from "../book/book-table.js";
import type { MarketDirectory } from "../book/market-directory.js";
import { TemporalTable } from "../book/temporal-table.js";
import { DecisionDispatcher } from "../decide/dispatcher.js";
import { FeatureState } from "../features/feature-state.js";
import { RECORD_BYTES } from "../kalshi/adapter/report-records.js";
import { loadPrivateKey } from "../kalshi/auth-signer.js";
import { KalshiRestClient } from "../kalshi/rest-client.js";
import { KalshiWsClient } from "../kalshi/ws-client.js";
import { PortfolioTable } from "../orders/accounts/portfolio-table.js";
import type { PriceStrategy } from "../orders/execution/limit-price.js";
import type { RiskLimits } from "../orders/risk/risk.js";
import { type OrdersThread, startOrdersWorker } from "../orders/thread/orders-thread.js";
import { createPolicy, type PolicyConfig, policyIdentity } from "../policy/create-policy.js";
import { FeedRecorder } from "../record/recorder.js";
import type { SegmentLimits } from "../record/segments.js";
import { sessionGrids } from "../record/session-grids.js";
import { LimitedLog } from "../runtime/limited-log.js";
import { startEngineServer } from "../server/engine-server.js";
import type { ControlAction, ControlCaller, EngineServer } from "../server/types.js";
import { BytesRing } from "../shm/bytes-ring.js";
import { Doorbell } from "../shm/doorbell.js";
import { Counters } from "../stats/counters.js";
import { ENGINE_METRICS, engineCounterLanes } from "../stats/engine-metrics.js";
import { Heartbeats } from "../stats/heartbeats.js";
import type { StatsSnapshot } from "../stats/snapshot.js";
import { StageHistograms } from "../stats/stage-histograms.js";
import { AuditTrail } from "./audit.js";
import { EngineControl } from "./control.js";
import { decideHistogramsInto, EngineStats } from "./engine-stats.js";
import { EventPump } from "./event-pump.js";
import { IoFeed } from "./io-feed.js";
import { marketTables, ordersMarkets, resolveMarkets, selectionShortfall } from "./market-list.js";
import { type EngineSummary, shutdownEngine } from "./shutdown.js";
import { Supervisor } from "./supervisor.js";
import { Watchdog, type WatchdogOptions } from "./watchdog.js";

export interface EngineLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface EngineOptions {
  exchange: { name: string; restUrl: string; wsUrl: string; keyId: string; keyFile: string };
  /** tickers, or a count of open markets to take from the exchange */
  markets: readonly string[] | number;
  /** combo (multivariate) markets in a counted selection; default "exclude" (mve_filter=exclude) */
  combos?: "exclude" | "include";
  policy: PolicyConfig;
  decideThreads: number;
  batchSize: number;
  loopBudgetMs: number;
  orders: {
    strategy: PriceStrategy;
    throttleMs: number;
    risk?: RiskLimits;
    /** whole contracts per rolling 15 s for a Kalshi order group (0 or absent: no group) */
    orderGroupContracts?: number;
    /** an order whose shard lacks free cash: move funds there (`auto`, default) or refuse it */
    transferPolicy?: "auto" | "off";
    journalDir: string;
    reconcileEveryMs?: number;
    shutdownPolicy: "cancel_all" | "leave_resting";
  };
  server: { host: string; port: number; controlToken: string; readToken?: string };
  /** this run's own directory: fills.ndjson (absent: no fills file) */
  runDir?: string;
  /** `run --record DIR`: record every raw frame and engine event (docs/recording.md) */
  record?: { dir: string; limits?: SegmentLimits };
  log: EngineLogger;
  /** decide-loop failures within `restartWindowMs` that stop trading (default 3 in 60 s) */
  supervision?: { maxRestarts?: number; restartWindowMs?: number } & WatchdogOptions;
  /** fault injection for tests and the soak: decide batches that fail their worker's loop */
  injectDecideFaults?: number;
}

export type { EngineSummary } from "./shutdown.js";

export class Engine {
  private stopping: Promise<EngineSummary> | null = null;
  private readonly warningsTimer: NodeJS.Timeout;
  /** one log line per order, fill, breaker, kill and control action; fills.ndjson */
  readonly audit: AuditTrail;
  /** /events: the orders thread's events and io's own, in one numbered stream */
  readonly events: EventPump;
  /** trading state (pause, kill switch), supervision halts, /healthz */
  readonly supervisor: Supervisor;
  readonly engineStats: EngineStats;
  private readonly controls: EngineControl;

  private constructor(
    private readonly o: EngineOptions,
    readonly directory: MarketDirectory,
    readonly book: BookTable,
    readonly portfolio: PortfolioTable,
    readonly counters: Counters,
    readonly histograms: StageHistograms,
    readonly dispatcher: DecisionDispatcher,
    readonly orders: OrdersThread,
    readonly feed: IoFeed,
    readonly client: KalshiWsClient,
    eventRing: BytesRing,
    private server: EngineServer | null,
    rest: KalshiRestClient,
    readonly watchdog: Watchdog,
    private readonly warnings: LimitedLog,
    private readonly recorder: FeedRecorder | undefined,
  ) {
    this.audit = new AuditTrail(o.log, o.runDir);
    this.events = new EventPump({
      eventRing,
      audit: this.audit,
      holds: counters.total("decisions", { action: "hold" }),
      ...(recorder ? { recorder } : {}),
    });
    this.supervisor = new Supervisor({
      log: o.log,
      dispatcher,
      orders,
      counters,
      rest,
      watchdog,
      feedConnected: () => client.connected,
      stopping: () => this.stopping !== null,
      emit: (event) => this.events.emit(event),
    });
    this.engineStats = new EngineStats({
      exchangeName: o.exchange.name,
      decideThreads: o.decideThreads,
      directory,
      portfolio,
      counters,
      histograms,
      dispatcher,
      orders,
      feed,
      watchdog,
      supervisor: this.supervisor,
      feedConnected: () => client.connected,
    });
    this.controls = new EngineControl({ supervisor: this.supervisor, orders, audit: this.audit });
    this.warningsTimer = setInterval(() => this.warnings.maybeSummarise(), 5_000);
    this.warningsTimer.unref();
  }

  /**
   * Resolves when the engine can no longer run safely (the orders thread died; io has pulled the
   * kill switch over REST): the caller stops the engine and exits non-zero.
   */
  get failed(): Promise<string> {
    return this.supervisor.failed;
  }

  get statsUrl(): string {
    return this.server ? `${this.server.url}/stats` : "";
  }

  static async start(o: EngineOptions): Promise<Engine> {
    // A model with the wrong shapes stops startup here, with the policy's own message.
    await (await createPolicy(o.policy)).release();
    const key = { keyId: o.exchange.keyId, privateKey: loadPrivateKey(o.exchange.keyFile) };
    const rest = new KalshiRestClient({ baseUrl: o.exchange.restUrl, key });
    const markets = await resolveMarkets(rest, o.markets, o.combos);
    const shortfall = selectionShortfall(o.markets, markets.length, o.combos);
    if (shortfall !== undefined) o.log.warn({ requested: o.markets, selected: markets.length }, shortfall);
    // Pace the orders thread at the account's own tier (falls back to Basic if unavailable).
    const limits = await rest.getAccountLimits().catch((e: unknown) => {
      o.log.warn({ err: String(e) }, "account limits unavailable; pacing REST at the Basic tier");
      return undefined;
    });
    const capacity = markets.length;
    const { directory, book, withoutRanges } = marketTables(markets);
    if (withoutRanges > 0)
      o.log.warn(
        { markets: withoutRanges },
        "markets without price_ranges: assuming every $0.0001 price is valid",
      );
    const temporal = TemporalTable.create(capacity);
    // the orders thread sleeps on all its input rings at once
    const doorbell = Doorbell.create();
    const portfolio = PortfolioTable.create(capacity);
    // one shared registry: each thread writes the metrics it owns, each decide worker in its own
    // lane (engine-metrics.ts)
    const countersSab = Counters.allocateShared(ENGINE_METRICS, engineCounterLanes(o.decideThreads));
    const counters = new Counters(ENGINE_METRICS, countersSab);
    const heartbeats = Heartbeats.create(o.decideThreads);
    const warnings = new LimitedLog({ write: (level, fields, msg) => o.log[level](fields, msg) });
    let engineRef: Engine | null = null;
    const recorder = o.record
      ? new FeedRecorder({
          dir: o.record.dir,
          limits: o.record.limits,
          session: {
            command: "run",
            exchange: o.exchange.name,
            ws_url: o.exchange.wsUrl,
            markets: markets.map((mk) => mk.ticker),
            market_grids: sessionGrids(markets),
            policy: policyIdentity(o.policy),
          },
          counters,
          decideThreads: o.decideThreads,
          tickers: markets.map((mk) => mk.ticker),
          onLog: (level, msg, fields) => o.log[level](fields ?? {}, msg),
        })
      : undefined;
    await recorder?.ready;
    const decideRestarts = counters.counter("decide_restarts");
    const histograms = new StageHistograms({ budgetNs: o.loopBudgetMs * 1e6 });
    const dispatcher = new DecisionDispatcher(
      { book: book.shared, temporal: temporal.shared, portfolio: portfolio.shared },
      {
        capacity,
        threads: o.decideThreads,
        batchSize: o.batchSize,
        policy: o.policy,
        loopBudgetMs: o.loopBudgetMs,
        doorbell: doorbell.shared,
        heartbeats: heartbeats.shared,
        counters: countersSab,
        ...(recorder ? { decisionLogs: recorder.decisionRings.map((r) => r.shared) } : {}),
        maxRestarts: o.supervision?.maxRestarts,
        restartWindowMs: o.supervision?.restartWindowMs,
      },
      {
        onStats: decideHistogramsInto(histograms),
        onError: (err) => o.log.error({ err: err.message }, "decide worker loop failed"),
        onRestart: (worker, err, requeued) => {
          decideRestarts.inc();
          o.log.warn(
            { worker, err: err.message, requeued, restarts: decideRestarts.value },
            "decide worker loop restarted; its markets are decided again",
          );
        },
        onTripped: (reason) => void engineRef?.supervisor.halt("decide_supervisor", reason),
      },
    );
    await dispatcher.ready();
    if (o.injectDecideFaults) dispatcher.injectFaults(o.injectDecideFaults);

    const privateRing = BytesRing.create(RECORD_BYTES, 4096, doorbell.shared);
    const eventRing = BytesRing.create(1024, 16384);
    const orders = startOrdersWorker(
      {
        decisionRings: dispatcher.rings.map((r) => r.shared),
        fillRing: privateRing.shared,
        eventRing: eventRing.shared,
        bookTable: book.shared,
        portfolio: portfolio.shared,
        markets: ordersMarkets(markets),
        rest: {
          baseUrl: o.exchange.restUrl,
          keyId: o.exchange.keyId,
          keyFile: o.exchange.keyFile,
          ...(limits ? { readBucket: limits.read, writeBucket: limits.write } : {}),
        },
        journalPath: join(o.orders.journalDir, "orders.journal"),
        strategy: o.orders.strategy,
        risk: o.orders.risk,
        ...(o.orders.orderGroupContracts ? { orderGroupContracts: o.orders.orderGroupContracts } : {}),
        ...(o.orders.transferPolicy ? { transferPolicy: o.orders.transferPolicy } : {}),
        throttleMs: o.orders.throttleMs,
        budgetMs: o.loopBudgetMs,
        reconcileEveryMs: o.orders.reconcileEveryMs,
        doorbell: doorbell.shared,
        counters: countersSab,
        heartbeats: heartbeats.shared,
      },
      {
        onError: (message) => warnings.log("error", "orders_error", "orders thread error", { err: message }),
        onExit: (code, lastError) => void engineRef?.supervisor.ordersDied(code, lastError),
        onReport: (r) => engineRef?.engineStats.applyOrdersReport(r),
      },
    );
    await orders.ready.catch(async (e: unknown) => {
      await dispatcher.close();
      throw e;
    });

    // The client emits frames to the feed; the feed's only way back is the client's narrow
    // FeedSubscriptions side, given to it here.
    const reconnects = counters.counter("reconnects");
    const overflows = counters.counter("subscription_overflows");
    const client = new KalshiWsClient(
      {
        url: o.exchange.wsUrl,
        keyId: key.keyId,
        privateKey: key.privateKey,
        markets: markets.map((mk) => mk.ticker),
      },
      {
        onFrame: (data, recvMs) => feed.onFrameBytes(data, recvMs),
        onDisconnected: (code, reason) => {
          if (engineRef?.stopping) return;
          reconnects.inc();
          feed.onDisconnected();
          o.log.warn({ code, reason }, "feed disconnected");
        },
        onSubscriptionOverflow: (sids) => overflows.inc(sids.length),
        onLog: (level, msg, fields) => o.log[level](fields ?? {}, msg),
      },
    );
    const feed = new IoFeed({
      recorder,
      subscriptions: client,
      directory,
      book,
      features: new FeatureState(book, temporal),
      dispatcher,
      privateRing,
      histograms,
      counters,
      onLog: (level, msg, fields) =>
        level === "info" ? o.log.info(fields ?? {}, msg) : warnings.log(level, msg, msg, fields),
    });
    const engine = new Engine(
      o,
      directory,
      book,
      portfolio,
      counters,
      histograms,
      dispatcher,
      orders,
      feed,
      client,
      eventRing,
      null,
      rest,
      new Watchdog(heartbeats, o.decideThreads, o.supervision),
      warnings,
      recorder,
    );
    engineRef = engine;
    // a trip or a death before the engine existed
    if (dispatcher.tripped !== null) void engine.supervisor.halt("decide_supervisor", dispatcher.tripped);
    if (orders.exited) void engine.supervisor.ordersDied(-1, null);
    engine.server = await startEngineServer(
      {
        host: o.server.host,
        port: o.server.port,
        controlToken: o.server.controlToken,
        ...(o.server.readToken ? { readToken: o.server.readToken } : {}),
      },
      {
        stats: () => engine.stats(),
        health: () => engine.supervisor.health(),
        onControl: (action, caller) => engine.control(action, caller),
        openOrders: () => orders.openOrders(),
        onIngestFrame: (text, recvMs) => feed.onIngestFrame(text, recvMs),
        subscribeEvents: (listener) => engine.events.subscribe(listener),
        metrics: {
          eventsDropped: counters.counter("events_dropped"),
          ingestFrames: counters.counter("ingest_frames"),
          ingestRejected: counters.counter("ingest_rejected"),
        },
      },
    );
    engine.events.start();
    engine.watchdog.start();
    client.start();
    return engine;
  }

  /** The operator's pause / resume / kill / reconcile, audited with who asked (control.ts). */
  control(action: ControlAction, caller?: ControlCaller): Promise<object> {
    return this.controls.handle(action, caller);
  }

  stats(): StatsSnapshot {
    return this.engineStats.snapshot();
  }

  /** Stops everything in order; resolves with the final summary (once). */
  stop(reason: string): Promise<EngineSummary> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private shutdown(reason: string): Promise<EngineSummary> {
    clearInterval(this.warningsTimer);
    return shutdownEngine(
      {
        log: this.o.log,
        shutdownPolicy: this.o.orders.shutdownPolicy,
        client: this.client,
        dispatcher: this.dispatcher,
        orders: this.orders,
        supervisor: this.supervisor,
        watchdog: this.watchdog,
        warnings: this.warnings,
        events: this.events,
        stats: this.engineStats,
        audit: this.audit,
        server: this.server,
        ...(this.recorder ? { recorder: this.recorder } : {}),
      },
      reason,
    );
  }
}

/**
 * Engine — the io thread's composition root (docs/architecture.md): builds the shared tables, starts
 * the decide pool and the orders thread, connects the feed, serves /stats, and shuts down in
 * order. The io loop itself is event-driven: WebSocket frames → IoFeed (book, temporal, dirty
 * set) → decide workers → DecisionRings → orders thread → EventRing → /events.
 */
import { join } from "node:path";
import { BookTable } from "../book/book-table.js";
import { MarketDirectory } from "../book/market-directory.js";
import { TemporalTable } from "../book/temporal-table.js";
import { DecisionDispatcher } from "../decide/dispatcher.js";
import type { EngineEvent } from "../events/engine-event.js";
import { decodeEvent } from "../events/event-codec.js";
import { FeatureState } from "../features/feature-state.js";
import { RECORD_BYTES } from "../kalshi/adapter/report-records.js";
import { loadPrivateKey } from "../kalshi/auth-signer.js";
import { KalshiRestClient } from "../kalshi/rest-client.js";
import { KalshiWsClient } from "../kalshi/ws-client.js";
import type { PriceStrategy } from "../orders/limit-price.js";
import { type OrdersThread, startOrdersWorker } from "../orders/orders-thread.js";
import type { OrdersStats } from "../orders/orders-worker.js";
import type { PnlReport } from "../orders/pnl.js";
import { PortfolioTable } from "../orders/portfolio-table.js";
import { isSettledPass } from "../orders/reconciler.js";
import type { RiskLimits } from "../orders/risk.js";
import { createPolicy, type PolicyConfig, policyIdentity } from "../policy/create-policy.js";
import { FeedRecorder, type RecorderSummary } from "../record/recorder.js";
import type { SegmentLimits } from "../record/segments.js";
import { nowMs } from "../runtime/clock.js";
import { LimitedLog } from "../runtime/limited-log.js";
import { startEngineServer } from "../server/engine-server.js";
import type { ControlAction, ControlCaller, EngineServer } from "../server/types.js";
import { BytesRing } from "../shm/bytes-ring.js";
import { Doorbell } from "../shm/doorbell.js";
import { Counters } from "../stats/counters.js";
import { ENGINE_METRICS } from "../stats/engine-metrics.js";
import { Heartbeats } from "../stats/heartbeats.js";
import { type PnlSnapshot, pnlSnapshot, portfolioSnapshot, type StatsSnapshot } from "../stats/snapshot.js";
import { StageHistograms } from "../stats/stage-histograms.js";
import { AuditTrail } from "./audit.js";
import type { EmergencyCancelReport } from "./emergency-cancel.js";
import { IoFeed } from "./io-feed.js";
import { resolveMarkets } from "./market-list.js";
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

export interface EngineSummary {
  reason: string;
  uptime_s: number;
  process: { rss_mb: number; heap_used_mb: number; cpu_user_s: number; cpu_system_s: number };
  portfolio: ReturnType<typeof portfolioSnapshot>;
  /** after the final reconciliation: realised, fees, unrealised at the last book mids */
  pnl: PnlSnapshot;
  /** fills applied and orders sent over the run */
  trades: { fills: number; orders_sent: number; orders_rejected: number };
  canceled_at_shutdown: number;
  /** shutdown steps that failed or timed out (e.g. the exchange was unreachable) */
  incomplete_at_shutdown: string[];
  counters: Record<string, number>;
  orders: Record<string, number>;
  histograms: ReturnType<StageHistograms["summary"]>;
  /** why trading stopped before the shutdown (a supervisor trip, the orders thread died), or null */
  halted: string | null;
  /** the kill switch io pulled over REST after the orders thread died */
  emergency_cancel: EmergencyCancelReport | null;
  /** present when recording */
  recording?: RecorderSummary;
}

export class Engine {
  private stopping: Promise<EngineSummary> | null = null;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private readonly started = Date.now();
  private ordersStats: Record<string, number> = {};
  private pnl: PnlReport = { realisedMicros: 0, unrealisedMicros: 0, feesMicros: 0, markets: [] };
  /** decisions{hold} already reported in a `holds` event */
  private holdsReported = 0;
  private eventSeq = 0;
  private pumping = true;
  private timers: NodeJS.Timeout[] = [];
  /** pause / resume / kill, supervision halts, /healthz */
  readonly supervisor: Supervisor;
  /** one log line per order, fill, breaker, kill and control action; fills.ndjson */
  readonly audit: AuditTrail;

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
    private readonly eventRing: BytesRing,
    private server: EngineServer | null,
    rest: KalshiRestClient,
    readonly watchdog: Watchdog,
    private readonly warnings: LimitedLog,
    private readonly recorder: FeedRecorder | undefined,
  ) {
    this.audit = new AuditTrail(o.log, o.runDir);
    this.supervisor = new Supervisor({
      log: o.log,
      dispatcher,
      orders,
      counters,
      rest,
      watchdog,
      feedConnected: () => client.connected,
      stopping: () => this.stopping !== null,
      emit: (event) => this.emitIo(event),
    });
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
    // Pace the orders thread at the account's own tier (falls back to Basic if unavailable).
    const limits = await rest.getAccountLimits().catch((e: unknown) => {
      o.log.warn({ err: String(e) }, "account limits unavailable; pacing REST at the Basic tier");
      return undefined;
    });
    const capacity = markets.length;
    const directory = new MarketDirectory(capacity);
    for (const mk of markets) directory.ensure(mk.ticker);
    // Each market's book is sized to its own grid (its `price_ranges`): memory follows the grids.
    const grids = markets.map((mk) => mk.grid);
    const book = BookTable.create(capacity, {
      poolLevels: BookTable.poolLevelsFor(grids),
      gridSlots: new Set(grids.map((g) => g.key)).size,
    });
    for (const [m, mk] of markets.entries()) book.assignGrid(m, mk.grid);
    const noRanges = markets.filter((mk) => !mk.gridFromRanges).length;
    if (noRanges > 0)
      o.log.warn(
        { markets: noRanges },
        "markets without price_ranges: assuming every $0.0001 price is valid",
      );
    const temporal = TemporalTable.create(capacity);
    // the orders thread sleeps on all its input rings at once
    const doorbell = Doorbell.create();
    const portfolio = PortfolioTable.create(capacity);
    // one shared registry: each thread writes the metrics it owns (engine-metrics.ts)
    const countersSab = Counters.allocateShared(ENGINE_METRICS);
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
            policy: policyIdentity(o.policy),
          },
          counters,
          decideThreads: o.decideThreads,
          tickers: markets.map((mk) => mk.ticker),
          onLog: (level, msg, fields) => o.log[level](fields ?? {}, msg),
        })
      : undefined;
    await recorder?.ready;
    const recordDropped = counters.counter("record_dropped");
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
        ...(recorder ? { decisionLogs: recorder.decisionRings.map((r) => r.shared) } : {}),
        maxRestarts: o.supervision?.maxRestarts,
        restartWindowMs: o.supervision?.restartWindowMs,
      },
      {
        onStats: (r) => {
          tasks.inc(r.batches);
          if (r.histograms) histograms.mergeEncoded(r.histograms);
          for (let k = 0; k < r.actions.length; k++) decisions[k]?.inc(r.actions[k]);
          dropsStale.inc(r.stale);
          dropsBudget.inc(r.overBudget);
          ringOverflow.inc(r.ringFull);
          recordDropped.inc(r.decisionLogDropped);
        },
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
    const decisions = ["hold", "buy_yes", "sell_yes", "buy_no", "sell_no"].map((a) =>
      counters.counter("decisions", { action: a }),
    );
    const tasks = counters.counter("decision_tasks");
    const dropsStale = counters.counter("drops", { reason: "stale_book" });
    const dropsBudget = counters.counter("drops", { reason: "over_budget" });
    const ringOverflow = counters.counter("ring_overflows", { ring: "decision" });
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
        markets: markets.map((mk, m) => ({
          m,
          ticker: mk.ticker,
          structure: mk.structure,
          exchangeIndex: mk.exchangeIndex,
          priceRanges: [...mk.grid.ranges],
        })),
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
        onStats: (s) => engineRef?.applyOrdersStats(s),
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
        onIngestFrame: (text, recvMs) => feed.onIngestFrame(text, recvMs),
        subscribeEvents: (listener) => {
          engine.listeners.add(listener);
          return () => engine.listeners.delete(listener);
        },
        metrics: {
          eventsDropped: counters.counter("events_dropped"),
          ingestFrames: counters.counter("ingest_frames"),
          ingestRejected: counters.counter("ingest_rejected"),
        },
      },
    );
    engine.startPumps();
    client.start();
    return engine;
  }

  /**
   * Pause: keep books current but dispatch no decisions. Kill: cancel everything and block.
   * Reconcile: one pass with the exchange now. Each is audited with who asked.
   */
  async control(action: ControlAction, caller?: ControlCaller): Promise<object> {
    try {
      const result = await this.supervisor.control(action);
      this.audit.control(action, caller, result);
      return result;
    } catch (e) {
      this.audit.control(action, caller, e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }

  stats(): StatsSnapshot {
    this.feed.syncCounters();
    const p = this.portfolio;
    let free = 0;
    let reserved = 0;
    const positions: Array<[string, number]> = [];
    for (;;) {
      const v = p.readBegin();
      free = p.freeCashMicros();
      reserved = p.reservedCashMicros();
      positions.length = 0;
      for (let i = 0; i < p.positionCount(); i++) {
        const m = p.positionMarketAt(i);
        positions.push([this.directory.tickerOf(m), p.contractsHundredths(m)]);
      }
      if (p.readValid(v)) break;
    }
    return {
      ts_ms: Date.now(),
      histograms: this.histograms.summary(),
      latency_buckets: this.histograms.buckets(),
      counters: [...this.counters.snapshot(), ...this.watchdog.samples()],
      portfolio: portfolioSnapshot({
        freeCashMicros: free,
        reservedCashMicros: reserved,
        positionsHundredths: positions,
      }),
      pnl: pnlSnapshot({
        ...this.pnl,
        markets: this.pnl.markets.map((mk) => ({ ...mk, ticker: this.directory.tickerOf(mk.m) })),
      }),
      state: {
        exchange: this.o.exchange.name,
        feed_connected: this.client.connected,
        paused: this.supervisor.paused,
        markets: this.directory.size,
        uptime_s: Math.round((Date.now() - this.started) / 1000),
        decide_threads: this.o.decideThreads,
        dispatch_backlog: this.dispatcher.backlog,
        dispatch_queued: this.dispatcher.stats.queued,
        decide_busy_ms: Math.round(this.dispatcher.stats.workerBusyMs),
        decide_idle_ms: Math.round(this.dispatcher.stats.workerIdleMs),
        conflated: this.dispatcher.stats.conflated,
        halted: this.supervisor.halted ?? "",
        ...prefixed("process_", processStats()),
        ...prefixed("orders_", this.ordersStats),
      },
    };
  }

  /** Stops everything in order; resolves with the final summary (once). */
  stop(reason: string): Promise<EngineSummary> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<EngineSummary> {
    for (const t of this.timers) clearInterval(t);
    this.watchdog.stop();
    this.warnings.maybeSummarise(true);
    this.dispatcher.setPaused(true);
    // Every step is bounded: an unreachable exchange must not keep the engine from stopping, and
    // the summary says what could not be done.
    const incomplete: string[] = [];
    const step = async <T>(name: string, ms: number, work: () => Promise<T>): Promise<T | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      });
      try {
        const r = await Promise.race([work(), timeout]);
        if (r === undefined) incomplete.push(`${name}: no answer within ${ms} ms`);
        return r;
      } catch (e) {
        incomplete.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    };
    await step("feed close", 3_000, () => this.client.close().then(() => true));
    let canceled = 0;
    if (this.orders.exited) {
      // nothing to ask the orders thread: io has canceled over REST (ordersDied)
      incomplete.push(`orders thread: ${this.supervisor.halted ?? "exited"}`);
      canceled = this.supervisor.emergencyCancel?.canceled ?? 0;
    } else {
      if (this.o.orders.shutdownPolicy === "cancel_all")
        canceled = (await step("cancel all", 10_000, () => this.orders.kill())) ?? 0;
      const settled = await step("final reconciliation", 30_000, () => this.settleWithExchange());
      if (settled === false) incomplete.push("final reconciliation: did not reach two clean passes in a row");
      await step("orders stats", 3_000, () => this.orders.stats().then(() => true));
    }
    this.pumping = false;
    this.pumpEvents();
    const snapshot = this.stats();
    await step("decide workers", 5_000, () => this.dispatcher.close().then(() => true));
    await step("orders thread", 5_000, () => this.orders.stop().then(() => true));
    if (incomplete.length > 0) {
      await this.orders.worker.terminate();
      this.o.log.warn({ incomplete }, "shutdown steps did not complete");
    }
    this.pumpEvents(); // the orders thread's last events, into the log too
    const recording = this.recorder
      ? await step("recorder", 30_000, () => (this.recorder as FeedRecorder).close())
      : undefined;
    this.server?.close();
    await this.audit.close();
    const counters: Record<string, number> = {};
    for (const c of snapshot.counters) {
      const label = Object.values(c.labels).join(",");
      counters[label ? `${c.name}{${label}}` : c.name] = c.value;
    }
    return {
      reason,
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      process: processStats(),
      portfolio: snapshot.portfolio,
      pnl: snapshot.pnl,
      trades: {
        fills: this.ordersStats.fillsApplied ?? 0,
        orders_sent: this.ordersStats.sent ?? 0,
        orders_rejected: this.ordersStats.rejected ?? 0,
      },
      canceled_at_shutdown: canceled,
      incomplete_at_shutdown: incomplete,
      counters,
      orders: this.ordersStats,
      histograms: snapshot.histograms,
      halted: this.supervisor.halted,
      emergency_cancel: this.supervisor.emergencyCancel,
      ...(recording ? { recording } : {}),
    };
  }

  /**
   * Before the final summary: reconcile with the exchange until two passes in a row find nothing
   * to change and nothing unsettled — no write in flight or of unknown outcome, no ledger order
   * still waiting for its fills or cancel, no difference seen only once (bounded) — so the
   * summary is the exchange's state. The feed is closed by then: fills come from REST.
   */
  private async settleWithExchange(): Promise<boolean> {
    // Generous: with faults a single pass can wait out read timeouts and retries.
    const deadline = Date.now() + 25_000;
    let clean = 0;
    while (clean < 2 && Date.now() < deadline) {
      try {
        const report = await this.orders.reconcile();
        this.o.log.info({ ...report }, "final reconciliation pass");
        clean = isSettledPass(report) ? clean + 1 : 0;
      } catch (e) {
        this.o.log.warn({ err: String(e) }, "final reconciliation pass failed; retrying");
        clean = 0;
      }
    }
    return clean >= 2;
  }

  private startPumps(): void {
    void this.eventPump();
    this.timers.push(setInterval(() => this.reportHolds(HOLDS_INTERVAL_MS), HOLDS_INTERVAL_MS));
    this.timers.push(setInterval(() => this.warnings.maybeSummarise(), 5_000));
    for (const t of this.timers) t.unref();
    this.watchdog.start();
  }

  /** HOLD decisions are not streamed one by one: their count goes out once per interval. */
  private reportHolds(intervalMs: number): void {
    const total = this.counters.counter("decisions", { action: "hold" }).value;
    const count = total - this.holdsReported;
    this.holdsReported = total;
    if (count > 0) this.emitIo({ kind: "holds", seq: 0, tsUs: Date.now() * 1000, count, intervalMs });
  }

  /** Sends an event made on io to /events listeners, numbered in the same stream. */
  private emitIo(event: EngineEvent): void {
    this.eventSeq++;
    if (this.listeners.size === 0) return;
    event.seq = this.eventSeq;
    for (const l of this.listeners) l(event);
  }

  /**
   * io sleeps on the EventRing (Atomics.waitAsync; the orders thread's commit wakes it) and moves
   * each event to the /events listeners as soon as it is written; the timeout only bounds how
   * late a stop is noticed.
   */
  private async eventPump(): Promise<void> {
    while (this.pumping) {
      await this.eventRing.ring.waitForRecordsAsync(250);
      this.pumpEvents();
    }
  }

  /** Moves orders-thread events to /events listeners. */
  private pumpEvents(): void {
    this.eventRing.drain((_tag, bytes) => {
      this.eventSeq++;
      this.recorder?.recordEvent(bytes, Math.round(nowMs() * 1000));
      const event = decodeEvent(bytes);
      event.seq = this.eventSeq; // io numbers the stream so a client can tell what it missed
      this.audit.event(event);
      if (this.listeners.size === 0) return;
      for (const l of this.listeners) l(event);
    });
  }

  /** The orders thread's histograms and own counts (`state.orders_*`), as it sends them. */
  private applyOrdersStats(s: OrdersStats): void {
    this.histograms.mergeEncoded(s.histograms);
    this.ordersStats = {
      ...s.stats,
      free_cash_micros: s.freeCashMicros,
      reserved_cash_micros: s.reservedCashMicros,
    };
    this.pnl = s.pnl;
    this.counters.gauge("realised_pnl_micros").set(s.pnl.realisedMicros);
    this.counters.gauge("unrealised_pnl_micros").set(s.pnl.unrealisedMicros);
    this.counters.gauge("fees_paid_micros").set(s.pnl.feesMicros);
  }
}

/** This process (io + its worker threads): resident memory and CPU time so far. */
const HOLDS_INTERVAL_MS = 1000;

function processStats(): { rss_mb: number; heap_used_mb: number; cpu_user_s: number; cpu_system_s: number } {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return {
    rss_mb: mb(mem.rss),
    heap_used_mb: mb(mem.heapUsed),
    cpu_user_s: cpu.user / 1e6,
    cpu_system_s: cpu.system / 1e6,
  };
}

function prefixed(prefix: string, o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[prefix + k] = v;
  return out;
}

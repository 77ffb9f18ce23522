/**
 * EngineStats — the /stats snapshot, read on io from what every thread writes itself: the shared
 * counters (each thread writes the metrics it owns, each decide worker in its own lane;
 * engine-metrics.ts), the orders thread's state counts block (orders/thread/orders-state.ts), the
 * PortfolioTable read under its seqlock, the watchdog's heartbeat samples. Two things still come
 * as messages, neither a counter: the stage histograms (io's own merged with the interval deltas
 * the decide and orders threads send; why: stats/stage-histograms.ts) and the orders thread's P&L
 * per market (a list, from its latest report).
 */
import type { MarketDirectory } from "../book/market-directory.js";
import type { DecideWorkerStats } from "../decide/decide-worker.js";
import type { DecisionDispatcher } from "../decide/dispatcher.js";
import type { PnlReport } from "../orders/accounts/pnl.js";
import type { PortfolioTable } from "../orders/accounts/portfolio-table.js";
import type { OrdersReport } from "../orders/thread/orders-protocol.js";
import type { OrdersThread } from "../orders/thread/orders-thread.js";
import type { Counters } from "../stats/counters.js";
import { pnlSnapshot, portfolioSnapshot, type StatsSnapshot } from "../stats/snapshot.js";
import type { StageHistograms } from "../stats/stage-histograms.js";
import type { IoFeed } from "./io-feed.js";
import type { Supervisor } from "./supervisor.js";
import type { Watchdog } from "./watchdog.js";

export interface EngineStatsDeps {
  exchangeName: string;
  decideThreads: number;
  directory: MarketDirectory;
  portfolio: PortfolioTable;
  counters: Counters;
  histograms: StageHistograms;
  dispatcher: DecisionDispatcher;
  orders: OrdersThread;
  feed: IoFeed;
  watchdog: Watchdog;
  supervisor: Supervisor;
  feedConnected(): boolean;
}

export type ProcessStats = { rss_mb: number; heap_used_mb: number; cpu_user_s: number; cpu_system_s: number };

export class EngineStats {
  private pnl: PnlReport = { realisedMicros: 0, unrealisedMicros: 0, feesMicros: 0, markets: [] };
  private readonly started = Date.now();

  constructor(private readonly d: EngineStatsDeps) {}

  get uptimeS(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  /** The orders thread's report, as it sends it: its histograms, its P&L per market. */
  applyOrdersReport(r: OrdersReport): void {
    this.d.histograms.mergeEncoded(r.histograms);
    this.pnl = r.pnl;
  }

  /** The orders thread's state counts now (`state.orders_*`). */
  ordersState(): Record<string, number> {
    return this.d.orders.state.read();
  }

  snapshot(): StatsSnapshot {
    const d = this.d;
    d.feed.syncCounters();
    const p = d.portfolio;
    let free = 0;
    let reserved = 0;
    const positions: Array<[string, number]> = [];
    const shards: Array<[number, number]> = [];
    for (;;) {
      const v = p.readBegin();
      free = p.freeCashMicros();
      reserved = p.reservedCashMicros();
      shards.length = 0;
      for (let k = 0; k < p.shardCount(); k++)
        shards.push([p.shardFreeCashMicros(k), p.shardReservedCashMicros(k)]);
      positions.length = 0;
      for (let i = 0; i < p.positionCount(); i++) {
        const m = p.positionMarketAt(i);
        positions.push([d.directory.tickerOf(m), p.contractsHundredths(m)]);
      }
      if (p.readValid(v)) break;
    }
    return {
      ts_ms: Date.now(),
      histograms: d.histograms.summary(),
      latency_buckets: d.histograms.buckets(),
      counters: [...d.counters.snapshot(), ...d.watchdog.samples()],
      portfolio: portfolioSnapshot({
        freeCashMicros: free,
        reservedCashMicros: reserved,
        positionsHundredths: positions,
        shardCashMicros: shards,
      }),
      pnl: pnlSnapshot({
        ...this.pnl,
        markets: this.pnl.markets.map((mk) => ({ ...mk, ticker: d.directory.tickerOf(mk.m) })),
      }),
      state: {
        exchange: d.exchangeName,
        feed_connected: d.feedConnected(),
        paused: d.supervisor.paused,
        markets: d.directory.size,
        uptime_s: this.uptimeS,
        decide_threads: d.decideThreads,
        dispatch_backlog: d.dispatcher.backlog,
        dispatch_queued: d.dispatcher.stats.queued,
        decide_busy_ms: Math.round(d.dispatcher.stats.workerBusyMs),
        decide_idle_ms: Math.round(d.dispatcher.stats.workerIdleMs),
        conflated: d.dispatcher.stats.conflated,
        halted: d.supervisor.halted ?? "",
        ...prefixed("process_", processStats()),
        ...prefixed("orders_", this.ordersState()),
        // replies from the orders thread that came after their request had timed out
        orders_unknown_replies: d.orders.unknownReplies,
      },
    };
  }
}

/**
 * The decide workers' stage histograms (each report an interval delta) into io's: their counts
 * they write themselves, each in its own lane of the shared counters (decide/decide-metrics.ts).
 */
export function decideHistogramsInto(histograms: StageHistograms): (r: DecideWorkerStats) => void {
  return (r) => {
    if (r.histograms) histograms.mergeEncoded(r.histograms);
  };
}

/** This process (io + its worker threads): resident memory and CPU time so far. */
export function processStats(): ProcessStats {
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

/** A snapshot's counters as `name{label,…}` → value (the summary's flat form). */
export function flatCounters(snapshot: StatsSnapshot): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const c of snapshot.counters) {
    const label = Object.values(c.labels).join(",");
    counters[label ? `${c.name}{${label}}` : c.name] = c.value;
  }
  return counters;
}

function prefixed(prefix: string, o: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[prefix + k] = v;
  return out;
}

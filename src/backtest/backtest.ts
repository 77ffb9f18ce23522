/**
 * The backtest driver (docs/backtest.md): the engine's own modules, in-process and in lock step,
 * over a recorded log. Live, io, decide and orders are threads racing over shared memory and
 * sockets; here one loop calls the same modules in a fixed order, so the same log, model and seed
 * give the same result byte for byte. Per recorded frame:
 *
 *   clock := the frame's receive time (one `Clock`: the order manager, the REST client and the
 *            exchange read it; nothing here reads the system time)
 *   io     FeedApplier → BookTable and FeatureState / TemporalTable; the market is marked dirty;
 *          the fill model sees the update and fills resting engine orders it reaches (matching)
 *   decide when the decide interval has passed in log time: every dirty, tradable market in one
 *          batch — ObservationBuilder → policy (one run) → decodeAction
 *   orders each non-HOLD decision, in batch order, through OrderManager.onDecision (risk, ledger,
 *          journal, KalshiRestClient → the venue, where a crossing order takes recorded liquidity)
 *   reports private frames the venue produced (fills, order updates) and the log's settlements
 *          through the engine's own private-frame path (PrivateReports → FillRing → drainReports)
 *
 * Only public frames of the log drive it: the recorded private frames (the live run's own fills)
 * are skipped — the backtest makes its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { BookTable, type Side } from "../book/book-table.js";
import { FeedApplier } from "../book/feed-applier.js";
import { MarketDirectory } from "../book/market-directory.js";
import { TemporalTable } from "../book/temporal-table.js";
import { FeatureState } from "../features/feature-state.js";
import { OBSERVATION_SIZE } from "../features/names.js";
import { ObservationBuilder } from "../features/observation.js";
import { PrivateReports } from "../kalshi/adapter/private-reports.js";
import { reportOfMessage } from "../kalshi/adapter/reports.js";
import { tryParseServerMessage } from "../kalshi/messages.js";
import { PriceGrid } from "../kalshi/price-grid.js";
import { KalshiRestClient } from "../kalshi/rest-client.js";
import { Ledger } from "../orders/accounts/ledger.js";
import { pnlTotals } from "../orders/accounts/pnl.js";
import { PortfolioTable } from "../orders/accounts/portfolio-table.js";
import { OrderJournal } from "../orders/execution/journal.js";
import type { PriceStrategy } from "../orders/execution/limit-price.js";
import { markPositions } from "../orders/execution/mark-positions.js";
import { BookTableTopSource, StaticMarketCatalog } from "../orders/execution/market-catalog.js";
import { OrderManager } from "../orders/execution/order-manager.js";
import type { OrderEvent } from "../orders/execution/order-types.js";
import { Reconciler } from "../orders/reconcile/reconciler.js";
import { CircuitBreakers } from "../orders/risk/breakers.js";
import { FreshnessGate, MarketThrottle, RiskGate } from "../orders/risk/risk.js";
import { drainReports } from "../orders/thread/worker-fills.js";
import type { FeeType } from "../paper/exchange/api.js";
import { Xoshiro128 } from "../paper/faults/prng.js";
import { ActionKind, decodeAction, packedKind, packedSizeHundredths } from "../policy/action-space.js";
import type { Policy } from "../policy/policy.js";
import { type LogReadStats, logSegmentFrames } from "../record/log-reader.js";
import { readSessionGrids } from "../record/session-grids.js";
import { ManualClock } from "../runtime/clock.js";
import { BytesRing } from "../shm/bytes-ring.js";
import { type FillModel, QueueFillModel, type TrackedOrder } from "./fill-model.js";
import { LogPacer, type Sleeper } from "./pacer.js";
import { BacktestVenue } from "./venue.js";

export const ACTION_NAMES = ["HOLD", "BUY_YES", "SELL_YES", "BUY_NO", "SELL_NO"] as const;

/** Stages whose wall time the driver measures (non-deterministic by nature). */
export const STAGES = ["io_apply", "decide", "orders", "reports"] as const;
export type StageName = (typeof STAGES)[number];

export interface BacktestOptions {
  log: string;
  policy: Policy;
  capacity: number;
  seed: number;
  /** ∞ = as fast as possible; N = N× the log's own pace */
  speed: number;
  /** the clock and timer `speed` paces by (tests: a virtual one); default the wall clock */
  sleeper?: Sleeper;
  /** decide every dirty market at most once per this much log time (0: after every frame) */
  decideEveryMs: number;
  /** one P&L curve point per this much log time */
  curveStepMs: number;
  cashMicros: number;
  feeType: FeeType;
  strategy: PriceStrategy;
  /** swap the fill model (tests); default QueueFillModel */
  fillModel?: (book: BookTable) => FillModel;
}

export interface CurvePoint {
  tMs: number;
  netMicros: number;
}

export interface BacktestResult {
  frames: number;
  bookUpdates: number;
  markets: number;
  firstMs: number;
  lastMs: number;
  decisions: number;
  byAction: Record<(typeof ACTION_NAMES)[number], number>;
  /** non-HOLD decisions that went no further, by reason (the order manager's own words) */
  skipped: Record<string, number>;
  ordersSent: number;
  ordersRejected: number;
  fills: number;
  takerFills: number;
  makerFills: number;
  turnoverMicros: number;
  feesMicros: number;
  realisedMicros: number;
  unrealisedMicros: number;
  netMicros: number;
  maxDrawdownMicros: number;
  settlements: number;
  curve: CurvePoint[];
  tornTails: number;
  /** measured wall time: NOT deterministic */
  wall: { elapsedMs: number; stageMs: Record<StageName, number>; stageCalls: Record<StageName, number> };
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestResult> {
  const t0 = performance.now();
  const clock = new ManualClock();
  const now = () => clock.nowMs();
  const capacity = o.capacity;
  const directory = new MarketDirectory(capacity);
  // the live run's grids, where the log names them (the rest replay on the full $0.0001 grid)
  const grids = readSessionGrids(o.log);
  const gridSlots = new Set([...grids.values()].map((g) => g.key)).size + 1;
  const book = BookTable.create(capacity, { gridSlots: Math.max(16, gridSlots) });
  for (const [ticker, grid] of grids) {
    const m = directory.ensure(ticker);
    if (m >= 0) book.assignGrid(m, grid);
  }
  const temporal = TemporalTable.create(capacity);
  const portfolio = PortfolioTable.create(capacity);
  const featureState = new FeatureState(book, temporal);
  const builder = new ObservationBuilder({ book, temporal, portfolio });
  const model = (o.fillModel ?? ((b) => new QueueFillModel(b)))(book);
  const fillRing = BytesRing.create(512, 4096);
  const reports = new PrivateReports(
    fillRing,
    (t) => directory.indexOf(t),
    () => {},
  );
  const venue = new BacktestVenue({
    clock,
    directory,
    model,
    cashMicros: o.cashMicros,
    feeType: o.feeType,
    onPrivateFrame: (text) => reports.onFrameText(text),
  });
  const random = new Xoshiro128(o.seed);
  const rest = new KalshiRestClient({
    baseUrl: "http://backtest.invalid/trade-api/v2",
    fetch: venue.fetch,
    now,
    random: () => random.next(),
    sleep: () => Promise.resolve(),
  });
  const catalog = new StaticMarketCatalog();
  const fullGrid = PriceGrid.full();
  const ledger = new Ledger(0);
  // Interrupted (Ctrl-C, SIGTERM), the process would die without running the `finally` below:
  // the journal's temporary directory goes first, then the signal ends the process as before.
  // Listening before the directory exists leaves no moment where a signal could skip it.
  let journalDir = "";
  const onSignal = (signal: NodeJS.Signals): void => {
    if (journalDir !== "") rmSync(journalDir, { recursive: true, force: true });
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  journalDir = mkdtempSync(join(tmpdir(), "kalshi-backtest-"));
  const { journal, replay } = await OrderJournal.open(join(journalDir, "orders.journal"));
  const result: BacktestResult = {
    frames: 0,
    bookUpdates: 0,
    markets: 0,
    firstMs: 0,
    lastMs: 0,
    decisions: 0,
    byAction: { HOLD: 0, BUY_YES: 0, SELL_YES: 0, BUY_NO: 0, SELL_NO: 0 },
    skipped: {},
    ordersSent: 0,
    ordersRejected: 0,
    fills: 0,
    takerFills: 0,
    makerFills: 0,
    turnoverMicros: 0,
    feesMicros: 0,
    realisedMicros: 0,
    unrealisedMicros: 0,
    netMicros: 0,
    maxDrawdownMicros: 0,
    settlements: 0,
    curve: [],
    tornTails: 0,
    wall: {
      elapsedMs: 0,
      stageMs: { io_apply: 0, decide: 0, orders: 0, reports: 0 },
      stageCalls: { io_apply: 0, decide: 0, orders: 0, reports: 0 },
    },
  };
  const onEvent = (e: OrderEvent) => {
    if (e.kind === "decision" && e.skipped !== "" && e.skipped !== "already_working")
      result.skipped[e.skipped] = (result.skipped[e.skipped] ?? 0) + 1;
    else if (e.kind === "order_outcome" && e.result === "rejected") result.ordersRejected++;
    else if (e.kind === "order_sent") result.ordersSent++;
    else if (e.kind === "fill_applied") result.fills++;
    else if (e.kind === "settled") result.settlements++;
  };
  let clientSeq = 0;
  const om = new OrderManager(
    {
      rest,
      journal,
      ledger,
      catalog,
      book: new BookTableTopSource(book),
      risk: new RiskGate(),
      throttle: new MarketThrottle(),
      freshness: new FreshnessGate(),
      breakers: new CircuitBreakers(),
      portfolio,
      onEvent,
      now,
      newClientOrderId: () => `bt-${o.seed}-${++clientSeq}`,
    },
    { strategy: o.strategy, order: { timeInForce: "good_till_canceled" } },
  );
  const topSource = new BookTableTopSource(book);

  // --- io: the engine's feed applier; dirty markets wait for the next decide step -------------
  const dirty = new Uint8Array(capacity);
  const dirtyList = new Int32Array(capacity);
  const dirtyRecvMs = new Float64Array(capacity);
  let dirtyCount = 0;
  const listed = new Uint8Array(capacity);
  const fillResting = (order: TrackedOrder, size: number) =>
    venue.fillResting(order, size, directory.tickerOf(order.market));
  const applier = new FeedApplier(
    directory,
    book,
    {
      onApplied: (m, kind) => {
        result.bookUpdates++;
        if (listed[m] === 0) {
          listed[m] = 1;
          result.markets++;
          const ticker = directory.tickerOf(m);
          catalog.setMarket({ m, ticker, priceRanges: [...(grids.get(ticker) ?? fullGrid).ranges] });
          venue.addMarket(ticker);
        }
        if (kind === "snapshot") model.onSnapshot(m, fillResting);
        else {
          const sc = applier.scanner;
          model.onDelta(m, sc.side as Side, sc.priceTicks, sc.deltaHundredths, fillResting);
        }
        if (dirty[m] === 0) {
          dirty[m] = 1;
          dirtyRecvMs[m] = applier.updateRecvMs;
          dirtyList[dirtyCount++] = m;
        }
      },
      onOtherFrame: (text) => {
        // the log's lifecycle frames settle markets; the live run's own private frames are not ours
        if (!text.includes('"market_lifecycle_v2"')) return;
        const msg = tryParseServerMessage(text);
        if (msg instanceof Error || msg.kind !== "market_lifecycle_v2") return;
        const report = reportOfMessage(msg, (t) => directory.indexOf(t));
        if (report === null || typeof report === "string" || report.kind !== "settlement") return;
        const payout = report.settlement.yesPayoutMicros;
        if (payout === 1_000_000 || payout === 0) venue.settle(msg.marketTicker, payout > 0 ? "yes" : "no");
        reports.onMessage(msg);
      },
    },
    featureState,
  );

  // --- decide: the decide worker's batch, in-process -------------------------------------------
  const obs = new Float32Array(capacity * OBSERVATION_SIZE);
  const actionsOut = new Int32Array(capacity);
  const rowMarket = new Int32Array(capacity);
  const rowRecv = new Float64Array(capacity);
  const rowSeq = new Float64Array(capacity);
  const space = o.policy.actionSpace;
  const stage = result.wall;
  const timed = (name: StageName, since: number) => {
    stage.stageMs[name] += performance.now() - since;
    stage.stageCalls[name]++;
  };
  const drain = () => {
    const s = performance.now();
    drainReports(fillRing, om, () => {});
    timed("reports", s);
  };
  const decide = async () => {
    let s = performance.now();
    let rows = 0;
    for (let k = 0; k < dirtyCount; k++) {
      const m = dirtyList[k]!;
      dirty[m] = 0;
      if (!book.isTradable(m)) continue;
      builder.build(m, obs, rows * OBSERVATION_SIZE);
      rowSeq[rows] = builder.lastBookState[0]!;
      rowMarket[rows] = m;
      rowRecv[rows++] = dirtyRecvMs[m]!;
    }
    dirtyCount = 0;
    if (rows === 0) return;
    await o.policy.decide(obs, rows, actionsOut);
    timed("decide", s);
    for (let r = 0; r < rows; r++) {
      const packed = decodeAction(space, actionsOut[r]!);
      const kind = packedKind(packed);
      result.decisions++;
      result.byAction[ACTION_NAMES[kind]]++;
      if (kind === ActionKind.HOLD) continue;
      s = performance.now();
      await om.onDecision({
        market: rowMarket[r]!,
        action: ACTION_NAMES[kind] as Exclude<(typeof ACTION_NAMES)[number], "HOLD">,
        sizeHundredths: packedSizeHundredths(packed),
        frameRecvMs: rowRecv[r]!,
        bookSeq: rowSeq[r]!,
        batchSize: rows,
        decidedMs: now(),
      });
      timed("orders", s);
      drain();
    }
  };

  // --- P&L curve ------------------------------------------------------------------------------
  let peak = 0;
  const sample = (tMs: number) => {
    markPositions(om, topSource);
    const t = pnlTotals(ledger);
    const net = t.realisedMicros - t.feesMicros + t.unrealisedMicros;
    if (net > peak) peak = net;
    if (peak - net > result.maxDrawdownMicros) result.maxDrawdownMicros = peak - net;
    result.curve.push({ tMs, netMicros: net });
  };

  const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
  let nextDecideMs = Number.NEGATIVE_INFINITY;
  let nextSampleMs = Number.NaN;
  const pacer = new LogPacer(o.speed, o.sleeper);
  const paced = Number.isFinite(o.speed);
  try {
    for await (const seg of logSegmentFrames(o.log, stats)) {
      for (let i = 0; i < seg.count; i++) {
        // the engine's millisecond time of the frame (docs/recording.md)
        const recvMs = Math.floor(seg.recvUs[i]! / 1000);
        if (result.frames === 0) {
          result.firstMs = recvMs;
          clock.set(recvMs);
          // startup reconciliation against the venue (its balance, nothing open) lets it trade
          await new Reconciler(om).startup(replay);
          nextSampleMs = recvMs;
        }
        if (paced) await pacer.due(recvMs); // no await per frame at --speed max
        result.frames++;
        result.lastMs = recvMs;
        clock.set(recvMs);
        while (recvMs >= nextSampleMs) {
          sample(nextSampleMs);
          nextSampleMs += o.curveStepMs;
        }
        const s = performance.now();
        applier.applyFrameBytes(seg.frames[i]!, recvMs);
        timed("io_apply", s);
        if (fillRing.ring.available() > 0) drain();
        if (dirtyCount > 0 && recvMs >= nextDecideMs) {
          nextDecideMs = recvMs + o.decideEveryMs;
          await decide();
        }
      }
    }
    if (dirtyCount > 0) await decide();
    if (result.frames > 0) sample(result.lastMs);
  } finally {
    await journal.close();
    rmSync(journalDir, { recursive: true, force: true });
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const totals = pnlTotals(ledger);
  result.realisedMicros = totals.realisedMicros;
  result.unrealisedMicros = totals.unrealisedMicros;
  result.feesMicros = totals.feesMicros;
  result.netMicros = totals.realisedMicros - totals.feesMicros + totals.unrealisedMicros;
  result.takerFills = venue.stats.takerFills;
  result.makerFills = venue.stats.makerFills;
  result.turnoverMicros = venue.stats.turnoverMicros;
  result.tornTails = stats.tornTails.length;
  stage.elapsedMs = performance.now() - t0;
  return result;
}

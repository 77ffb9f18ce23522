/**
 * Exchange status and schedule as the orders thread sees them (docs
 * getting_started/maintenance_and_pauses): read at start and every minute. While a shard's
 * trading is paused — its `GET /exchange/status?exchange_index=k` says `trading_active: false`,
 * or the time is inside a maintenance window of `GET /exchange/schedule` for it — creates and
 * amends for its markets are not sent (the order manager drops them as
 * `drops{reason=exchange_paused}`); cancels still are. A failed read keeps the last answer.
 * While a shard's status says paused it is read again every few seconds, so trading resumes soon
 * after the pause ends rather than up to a minute later.
 */

export interface ExchangeStatusSource {
  getExchangeStatus(shard: number): Promise<{ tradingActive: boolean; exchangeActive: boolean }>;
  getMaintenanceWindows(): Promise<Array<{ startMs: number; endMs: number; shard?: number }>>;
}

export const STATUS_REFRESH_MS = 60_000;
/** How often the status is read while a shard in use says it is paused. */
export const PAUSED_STATUS_REFRESH_MS = 5_000;

export class ExchangeStatusWatch {
  private readonly pausedShards = new Set<number>();
  private windows: Array<{ startMs: number; endMs: number; shard?: number }> = [];
  /** reads that failed (the previous answer stays in force) */
  failures = 0;
  private lastRefreshMs = Number.NEGATIVE_INFINITY;
  private refreshing = false;

  constructor(
    private readonly source: ExchangeStatusSource,
    private readonly wallMs: () => number = Date.now,
  ) {}

  /** True while trading on `shard` is paused (status, or a scheduled window now). */
  isPaused(shard: number): boolean {
    if (this.pausedShards.has(shard)) return true;
    const now = this.wallMs();
    for (const w of this.windows) {
      if (now >= w.startMs && now < w.endMs && (w.shard === undefined || w.shard === shard)) return true;
    }
    return false;
  }

  /** How many of `shards` are paused now (the dashboard's banner, via the orders stats). */
  pausedCount(shards: readonly number[]): number {
    let n = 0;
    for (const k of shards) if (this.isPaused(k)) n++;
    return n;
  }

  /** Whether a refresh is due: a minute after the last, or a few seconds while a shard says paused. */
  refreshDue(): boolean {
    if (this.refreshing) return false;
    const since = this.wallMs() - this.lastRefreshMs;
    return since >= STATUS_REFRESH_MS || (this.pausedShards.size > 0 && since >= PAUSED_STATUS_REFRESH_MS);
  }

  /** Reads the schedule and the status of every shard in use. */
  async refresh(shards: Iterable<number>): Promise<void> {
    this.lastRefreshMs = this.wallMs();
    this.refreshing = true;
    try {
      await this.read(shards);
    } finally {
      this.refreshing = false;
    }
  }

  private async read(shards: Iterable<number>): Promise<void> {
    try {
      this.windows = await this.source.getMaintenanceWindows();
    } catch {
      this.failures++;
    }
    for (const k of new Set(shards)) {
      try {
        const st = await this.source.getExchangeStatus(k);
        if (st.tradingActive && st.exchangeActive) this.pausedShards.delete(k);
        else this.pausedShards.add(k);
      } catch {
        this.failures++;
      }
    }
  }
}

/**
 * Per-series fee schedules (orders thread): `GET /series/{series_ticker}` gives each series'
 * `fee_type` and `fee_multiplier` (kalshi-api-notes.md), read once at start for the series of the
 * markets traded. The ledger's fee model — worst-case fee reservations, the model fee of a fill —
 * uses them; the `fee_cost` of a fill stays authoritative. A series that cannot be read, or
 * names a fee type the model does not know, keeps the standard schedule and is reported.
 */
import { type FeeSchedule, type FeeType, feeMultiplierToBp, STANDARD_FEE_SCHEDULE } from "./fees.js";

const FEE_TYPES: readonly string[] = ["quadratic", "quadratic_with_maker_fees", "flat"] satisfies FeeType[];

export interface SeriesFeeSource {
  getSeriesFees(seriesTicker: string): Promise<{ feeType: string; feeMultiplier: number | string }>;
}

export interface SeriesFeeReport {
  /** series read and in use */
  loaded: number;
  /** of those, series whose schedule is not the standard one */
  nonStandard: number;
  /** series that could not be read or understood, with why */
  failed: string[];
}

/** A series answer → its schedule, or why it is not usable. */
export function feeScheduleOf(a: { feeType: string; feeMultiplier: number | string }): FeeSchedule | string {
  if (!FEE_TYPES.includes(a.feeType)) return `unknown fee_type "${a.feeType}"`;
  const multiplierBp = feeMultiplierToBp(a.feeMultiplier);
  if (!Number.isSafeInteger(multiplierBp)) return `unreadable fee_multiplier "${a.feeMultiplier}"`;
  return { feeType: a.feeType as FeeType, multiplierBp };
}

export class SeriesFeeSchedules {
  private readonly byMarket: FeeSchedule[] = [];

  /** The fee schedule of market m (the standard one when its series is unknown). */
  of(m: number): FeeSchedule {
    return this.byMarket[m] ?? STANDARD_FEE_SCHEDULE;
  }

  /** Reads the schedule of every distinct series of `markets`, one request each. */
  async load(
    rest: SeriesFeeSource,
    markets: ReadonlyArray<{ m: number; seriesTicker?: string }>,
  ): Promise<SeriesFeeReport> {
    const report: SeriesFeeReport = { loaded: 0, nonStandard: 0, failed: [] };
    const bySeries = new Map<string, FeeSchedule>();
    for (const series of new Set(markets.map((mk) => mk.seriesTicker ?? ""))) {
      if (series === "") continue;
      let schedule: FeeSchedule | string;
      try {
        schedule = feeScheduleOf(await rest.getSeriesFees(series));
      } catch (e) {
        schedule = e instanceof Error ? e.message : String(e);
      }
      if (typeof schedule === "string") {
        report.failed.push(`${series}: ${schedule}`);
        continue;
      }
      bySeries.set(series, schedule);
      report.loaded++;
      if (schedule.feeType !== "quadratic" || schedule.multiplierBp !== 10_000) report.nonStandard++;
    }
    for (const mk of markets) {
      const s = mk.seriesTicker === undefined ? undefined : bySeries.get(mk.seriesTicker);
      if (s !== undefined) this.byMarket[mk.m] = s;
    }
    return report;
  }
}

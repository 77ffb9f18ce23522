/**
 * America/New_York wall-clock hour without `Intl` (pure; any thread).
 *
 * observation-v1.md §6.4: UTC−4 from the second Sunday of March, 02:00 local (07:00 UTC), to the
 * first Sunday of November, 02:00 local (06:00 UTC); UTC−5 otherwise. The rule is evaluated with
 * integer civil-calendar arithmetic (Hinnant's days-from-civil), so the hot path allocates nothing.
 * `NewYorkClock` caches the DST interval of the last year seen because updates arrive in time order.
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Gregorian year of a day number (days since 1970-01-01). */
export function yearFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Day number of the n-th (1-based) Sunday of a month. */
function nthSunday(year: number, month: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  return first + ((7 - weekday(first)) % 7) + 7 * (n - 1);
}

/** UTC ms at which EDT starts in `year`: second Sunday of March, 02:00 EST = 07:00 UTC. */
export function dstStartUtcMs(year: number): number {
  return nthSunday(year, 3, 2) * MS_PER_DAY + 7 * MS_PER_HOUR;
}

/** UTC ms at which EDT ends in `year`: first Sunday of November, 02:00 EDT = 06:00 UTC. */
export function dstEndUtcMs(year: number): number {
  return nthSunday(year, 11, 1) * MS_PER_DAY + 6 * MS_PER_HOUR;
}

/** Stateful only as a cache: one instance per thread/table, never shared between threads. */
export class NewYorkClock {
  private cachedYearStartMs = 1;
  private cachedYearEndMs = 0;
  private cachedDstStartMs = 0;
  private cachedDstEndMs = 0;

  /** Local wall-clock hour 0..23 in America/New_York of the UTC instant `tMs`. */
  hour(tMs: number): number {
    if (tMs < this.cachedYearStartMs || tMs >= this.cachedYearEndMs) this.loadYear(tMs);
    const dst = tMs >= this.cachedDstStartMs && tMs < this.cachedDstEndMs;
    const localMs = tMs - (dst ? 4 : 5) * MS_PER_HOUR;
    const hourOfEpoch = Math.floor(localMs / MS_PER_HOUR);
    return ((hourOfEpoch % 24) + 24) % 24;
  }

  private loadYear(tMs: number): void {
    // The UTC year is good enough: both transitions are months away from 1 January.
    const year = yearFromDays(Math.floor(tMs / MS_PER_DAY));
    this.cachedYearStartMs = daysFromCivil(year, 1, 1) * MS_PER_DAY;
    this.cachedYearEndMs = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
    this.cachedDstStartMs = dstStartUtcMs(year);
    this.cachedDstEndMs = dstEndUtcMs(year);
  }
}

/** Feature 27 (observation-v1.md §6.3): (h − 9) / 7 for 9 ≤ h ≤ 16, else 0. */
export function timeOfDayFromHour(hour: number): number {
  return hour >= 9 && hour <= 16 ? (hour - 9) / 7 : 0;
}

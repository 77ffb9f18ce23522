/**
 * Warnings that can repeat at line rate (a bad frame, a failing REST call) are logged per reason:
 * the first `firstN` of each reason in full, then only counted, and a summary line per reason
 * every `summaryEveryMs` says how many were left out. A fuzzed or hostile feed cannot flood the
 * log, and nothing is hidden: the counts are in the summaries (and in the metrics).
 */
export type LimitedLevel = "warn" | "error";

export interface LimitedLogOptions {
  firstN?: number;
  summaryEveryMs?: number;
  /** the logger behind it */
  write(level: LimitedLevel, fields: object, msg: string): void;
  now?: () => number;
}

interface ReasonState {
  level: LimitedLevel;
  msg: string;
  logged: number;
  suppressed: number;
}

export class LimitedLog {
  private readonly reasons = new Map<string, ReasonState>();
  private readonly firstN: number;
  private readonly summaryEveryMs: number;
  private readonly now: () => number;
  private lastSummaryMs: number;

  constructor(private readonly options: LimitedLogOptions) {
    this.firstN = options.firstN ?? 10;
    this.summaryEveryMs = options.summaryEveryMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.lastSummaryMs = this.now();
  }

  /** logs (or counts) one occurrence of `reason` */
  log(level: LimitedLevel, reason: string, msg: string, fields: object = {}): void {
    let s = this.reasons.get(reason);
    if (s === undefined) {
      s = { level, msg, logged: 0, suppressed: 0 };
      this.reasons.set(reason, s);
    }
    if (s.logged < this.firstN) {
      s.logged++;
      this.options.write(
        level,
        { ...fields, reason },
        s.logged === this.firstN
          ? `${msg} (further ones summarised every ${Math.round(this.summaryEveryMs / 1000)} s)`
          : msg,
      );
    } else s.suppressed++;
    this.maybeSummarise();
  }

  /** writes the summaries now if one is due (also called by a timer, so a quiet reason is told) */
  maybeSummarise(force = false): void {
    const now = this.now();
    if (!force && now - this.lastSummaryMs < this.summaryEveryMs) return;
    this.lastSummaryMs = now;
    for (const [reason, s] of this.reasons) {
      if (s.suppressed === 0) continue;
      this.options.write(
        s.level,
        { reason, suppressed: s.suppressed },
        `${s.msg}: ${s.suppressed} more not logged`,
      );
      s.suppressed = 0;
    }
  }
}

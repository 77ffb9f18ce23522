/**
 * FeatureState — the io-thread side of the features: advances the TemporalTable after every
 * applied update (observation-v1.md §6.2; correctness-rules.md rule 20: on book updates, never on
 * decisions). Live io calls `onAppliedUpdate` from FeedApplier's `onApplied` listener; replay and
 * export call the very same method, so live and replay observations are identical.
 */
import type { BookTable } from "../book/book-table.js";
import type { TemporalTable } from "../book/temporal-table.js";
import { TICKS_PER_DOLLAR } from "../kalshi/units.js";
import { NO_MID } from "./temporal.js";

export class FeatureState {
  constructor(
    readonly book: BookTable,
    readonly temporal: TemporalTable,
  ) {}

  /**
   * io thread, right after FeedApplier applied an update of market m (the BookTable already holds
   * the new book). `tsMs` = the update time T of §3.5 (`ts_ms`, else receive time).
   */
  onAppliedUpdate(m: number, tsMs: number): void {
    this.advance(m, tsMs);
  }

  /**
   * The live hot path: the same, with T read from the applier that just applied the update, so
   * no epoch-ms double is passed as an argument (V8 boxes those across calls it does not inline).
   */
  onAppliedUpdateOf(m: number, applier: { readonly updateTsMs: number }): void {
    this.advance(m, applier.updateTsMs);
  }

  private advance(m: number, tsMs: number): void {
    const book = this.book;
    const bestYesTick = book.bestYesTick(m);
    const bestNoTick = book.bestNoTick(m);
    // YES mid in half-ticks = b_Y + a_Y = b_Y + (10000 − b_N), defined only with both sides (§4).
    const midHalfTicks =
      bestYesTick > 0 && bestNoTick > 0 ? bestYesTick + TICKS_PER_DOLLAR - bestNoTick : NO_MID;
    const volumeHundredths = book.yesTotalHundredths(m) + book.noTotalHundredths(m);
    this.temporal.advance(m, tsMs, midHalfTicks, volumeHundredths);
  }
}

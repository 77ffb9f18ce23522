/**
 * FeatureState — the io-thread side of the features: advances the TemporalTable on every applied
 * update (observation-v1.md §6.2; correctness-rules.md rule 20: on book updates, never on
 * decisions), inside the update's BookTable write section so book and temporal state publish
 * together. Give it to the FeedApplier (its `features` argument); live io, replay and export all
 * do, so live and replay observations are identical.
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
   * FeedApplier, inside the write section of an applied update of market m (the BookTable already
   * holds the new book). T of §3.5 is read from the applier (`ts_ms`, else receive time), so no
   * epoch-ms double is passed as an argument (V8 boxes those across calls it does not inline).
   */
  advanceInWrite(m: number, applier: { readonly updateTsMs: number }): void {
    const tsMs = applier.updateTsMs;
    const book = this.book;
    const bestYesTick = book.bestYesTickInWrite(m);
    const bestNoTick = book.bestNoTickInWrite(m);
    // YES mid in half-ticks = b_Y + a_Y = b_Y + (10000 − b_N), defined only with both sides (§4).
    const midHalfTicks =
      bestYesTick > 0 && bestNoTick > 0 ? bestYesTick + TICKS_PER_DOLLAR - bestNoTick : NO_MID;
    const volumeHundredths = book.yesTotalHundredths(m) + book.noTotalHundredths(m);
    this.temporal.advance(m, tsMs, midHalfTicks, volumeHundredths);
  }
}

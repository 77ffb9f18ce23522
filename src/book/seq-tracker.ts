/**
 * SeqTracker — per-subscription sequence check (io thread).
 *
 * Kalshi's `seq` counts the book messages of one subscription (`sid`), all its markets together,
 * snapshots and deltas alike (kalshi-api-notes.md, observation-v1.md §3.6). A sid seen for the
 * first time starts a new count; after a reconnect every sid is new.
 *
 * Sids are small integers in practice (one per subscribed channel), so the last seq of sids below
 * `DENSE_SIDS` lives in a typed array (NaN = not seen): one load and one store per frame instead of
 * a Map lookup and insert. Other sids use the Map.
 */
const DENSE_SIDS = 1024;

export class SeqTracker {
  private readonly dense = new Float64Array(DENSE_SIDS).fill(Number.NaN);
  private readonly lastBySid = new Map<number, number>();

  /**
   * Records `seq` for `sid` and reports whether it broke the sequence (seq ≠ previous + 1).
   * Messages without an integer sid and seq are not checked (returns false).
   */
  observe(sid: number, seq: number): boolean {
    if (!Number.isInteger(sid) || !Number.isInteger(seq)) return false;
    if (sid >= 0 && sid < DENSE_SIDS) {
      const last = this.dense[sid];
      this.dense[sid] = seq;
      return !Number.isNaN(last) && seq !== last + 1;
    }
    const last = this.lastBySid.get(sid);
    this.lastBySid.set(sid, seq);
    return last !== undefined && seq !== last + 1;
  }

  lastSeq(sid: number): number | undefined {
    if (sid >= 0 && sid < DENSE_SIDS && Number.isInteger(sid)) {
      const last = this.dense[sid];
      return Number.isNaN(last) ? undefined : last;
    }
    return this.lastBySid.get(sid);
  }

  /** Forget every sid (new connection: sids and seqs start again). */
  reset(): void {
    this.dense.fill(Number.NaN);
    this.lastBySid.clear();
  }
}

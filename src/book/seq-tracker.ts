/**
 * SeqTracker — per-subscription sequence check (io thread).
 *
 * Kalshi's `seq` counts the book messages of one subscription (`sid`), all its markets together,
 * snapshots and deltas alike (kalshi-protocol.md §2.6, observation-v1.md §3.6). A sid seen for the
 * first time starts a new count; after a reconnect every sid is new.
 */
export class SeqTracker {
  private readonly lastBySid = new Map<number, number>();

  /**
   * Records `seq` for `sid` and reports whether it broke the sequence (seq ≠ previous + 1).
   * Messages without an integer sid and seq are not checked (returns false).
   */
  observe(sid: number, seq: number): boolean {
    if (!Number.isInteger(sid) || !Number.isInteger(seq)) return false;
    const last = this.lastBySid.get(sid);
    this.lastBySid.set(sid, seq);
    return last !== undefined && seq !== last + 1;
  }

  lastSeq(sid: number): number | undefined {
    return this.lastBySid.get(sid);
  }

  /** Forget every sid (new connection: sids and seqs start again). */
  reset(): void {
    this.lastBySid.clear();
  }
}

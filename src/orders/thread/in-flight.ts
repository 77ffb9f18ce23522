/**
 * Async work the orders thread started and that has not settled — decisions awaiting REST, a
 * reconciliation pass, a kill switch io asked for. While any is pending the thread must sleep on
 * its event loop (waitAsync), not block in Atomics.wait (idle-wait.ts).
 */
export class InFlightWork {
  count = 0;

  started(): void {
    this.count++;
  }

  readonly settled = (): void => {
    this.count--;
  };

  /** counts `work` as in flight until it settles */
  while<T>(work: Promise<T>): Promise<T> {
    this.count++;
    return work.finally(this.settled);
  }
}

/**
 * Cash per exchange shard (orders thread; the ledger's money columns). Kalshi checks collateral
 * inside each matching engine: an order on shard k is paid from shard k's cash only
 * (kalshi-api-notes.md "Exchange sharding"), so the ledger keeps free and reserved cash per shard,
 * exact integer micros, and the totals as their sums (kept alongside, so reading a total is O(1)).
 *
 * Every change goes through `addFree` / `reserve` / `spendReserved` / `setFree`, so total = Σ shards holds by
 * construction. Shards appear on first use (a shard the ledger never saw holds 0).
 */

export class ShardCash {
  private readonly free: number[] = [0];
  private readonly reserved: number[] = [0];
  private freeTotal = 0;
  private reservedTotal = 0;

  /** Shards with a cash record: 0 … count−1. */
  get shardCount(): number {
    return this.free.length;
  }

  get freeTotalMicros(): number {
    return this.freeTotal;
  }

  get reservedTotalMicros(): number {
    return this.reservedTotal;
  }

  freeOn(shard: number): number {
    return this.free[shard] ?? 0;
  }

  reservedOn(shard: number): number {
    return this.reserved[shard] ?? 0;
  }

  /** Makes shards 0…shard exist (each at 0). */
  ensure(shard: number): void {
    if (!Number.isSafeInteger(shard) || shard < 0 || shard > 1023)
      throw new RangeError(`ledger: exchange shard must be an integer 0..1023, got ${shard}`);
    while (this.free.length <= shard) {
      this.free.push(0);
      this.reserved.push(0);
    }
  }

  /** Adds (or, negative, takes) free cash on one shard. */
  addFree(shard: number, micros: number): void {
    this.ensure(shard);
    this.free[shard]! += micros;
    this.freeTotal += micros;
  }

  /** Moves `micros` of one shard's free cash into its reserved cash (negative: back). */
  reserve(shard: number, micros: number): void {
    this.ensure(shard);
    this.free[shard]! -= micros;
    this.reserved[shard]! += micros;
    this.freeTotal -= micros;
    this.reservedTotal += micros;
  }

  /** Pays `micros` out of one shard's reserved cash (a fee paid from its reservation). */
  spendReserved(shard: number, micros: number): void {
    this.ensure(shard);
    this.reserved[shard]! -= micros;
    this.reservedTotal -= micros;
  }

  /** Sets one shard's free cash (reconciliation); returns the correction applied. */
  setFree(shard: number, micros: number): number {
    if (!Number.isSafeInteger(micros)) throw new RangeError("ledger: cash must be integer micros");
    this.ensure(shard);
    const correction = micros - this.free[shard]!;
    this.addFree(shard, correction);
    return correction;
  }

  /** The shard other than `except` with the most free cash (−1 when there is none). */
  richestExcept(except: number): number {
    let best = -1;
    for (let k = 0; k < this.free.length; k++) {
      if (k !== except && (best < 0 || this.free[k]! > this.free[best]!)) best = k;
    }
    return best;
  }
}

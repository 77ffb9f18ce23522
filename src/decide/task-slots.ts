/**
 * TaskSlots — the batches io hands to decide workers, in shared memory so a task message carries
 * only a slot number (no structured clone of arrays per batch).
 *
 * Writer: io (dispatcher) while the slot is free; reader: the one decide worker running the task
 * for that slot. Ownership passes with the task: io writes the rows, then publishes the row count
 * with Atomics.store; the worker reads the count with Atomics.load before the rows. io reuses a
 * slot only after the task's promise settled.
 *
 * Layout (S slots × B rows):
 *   Int32  count[S]            rows in slot s (published last)
 *   Int32  market[S × B]       market index of row r of slot s at [s × B + r]
 *   Float64 recvMs[S × B]      receive stamp (clock.ts) of the oldest undecided frame of that market
 */
export interface TaskSlotsShared {
  sab: SharedArrayBuffer;
  slots: number;
  rowsPerSlot: number;
}

export class TaskSlots {
  readonly shared: TaskSlotsShared;
  readonly slots: number;
  readonly rowsPerSlot: number;
  readonly count: Int32Array;
  readonly market: Int32Array;
  readonly recvMs: Float64Array;

  static create(slots: number, rowsPerSlot: number): TaskSlots {
    const countBytes = slots * 4;
    const marketBytes = slots * rowsPerSlot * 4;
    const pad = (n: number) => (n + 7) & ~7;
    const sab = new SharedArrayBuffer(pad(countBytes) + pad(marketBytes) + slots * rowsPerSlot * 8);
    return new TaskSlots({ sab, slots, rowsPerSlot });
  }

  static attach(shared: TaskSlotsShared): TaskSlots {
    return new TaskSlots(shared);
  }

  private constructor(shared: TaskSlotsShared) {
    this.shared = shared;
    this.slots = shared.slots;
    this.rowsPerSlot = shared.rowsPerSlot;
    const pad = (n: number) => (n + 7) & ~7;
    const countBytes = pad(shared.slots * 4);
    const marketBytes = pad(shared.slots * shared.rowsPerSlot * 4);
    this.count = new Int32Array(shared.sab, 0, shared.slots);
    this.market = new Int32Array(shared.sab, countBytes, shared.slots * shared.rowsPerSlot);
    this.recvMs = new Float64Array(shared.sab, countBytes + marketBytes, shared.slots * shared.rowsPerSlot);
  }

  /** io: publishes `rows` rows already written at [slot × B, slot × B + rows). */
  publish(slot: number, rows: number): void {
    Atomics.store(this.count, slot, rows);
  }

  /** worker: the number of rows of `slot` (reads after this see the rows io wrote). */
  rowsOf(slot: number): number {
    return Atomics.load(this.count, slot);
  }
}

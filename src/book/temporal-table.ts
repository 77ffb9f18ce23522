/**
 * TemporalTable — per-market temporal state of observation v1 (observation-v1.md §6) in ONE
 * SharedArrayBuffer.
 *
 * Writer: the io thread only (`advance`, on EVERY applied snapshot or delta of a market, never on
 * decisions — correctness-rules.md rule 20), INSIDE the BookTable write section of that update
 * (FeedApplier → FeatureState.advanceInWrite). This table has no version word of its own: the
 * market's BookTable version word covers book and temporal state together, and readers read both in
 * one `BookTable.readConsistent` — one consistency domain per market. The reference mid is one
 * aligned Int32 word and can be read alone with `referenceMidHalfTicks` (portfolio marks of other
 * markets, observation-v1.md §7.2): an aligned 32-bit load or store cannot tear, so both are plain
 * (an Atomics store is a locked instruction on io's hot path, an Atomics load a builtin call per
 * position on the decide side; neither orders anything this single word needs).
 *
 * Because every temporal feature is a function of the update sequence only (§6.2), `advance`
 * evaluates features 26–35 and stores them as float64; a worker copies them.
 *
 * Layout (capacity = number of markets, m = dense market index):
 *
 *   byte 0                      Int32 region: capacity × I32_STRIDE words
 *   ┌───────────────────────────────────────────────────────────────────────────────────────┐
 *   │ m·128  +0  (reserved: the market's BookTable version word covers this state)           │
 *   │        +4  (reserved)                                                                   │
 *   │        +8  historyCount   #H, 0..10             +12 historyHead  ring slot of oldest    │
 *   │       +16  windowCount    0..60                 +20 windowHead   ring slot of oldest    │
 *   │       +24  midChangeCount min(#M, 3)            +28..+36 M[0..2] last three, oldest first│
 *   │       +40  refMidHalfTicks  §4 reference mid (0 = never defined → $0.50)               │
 *   │       +44  midHalfTicks     YES mid after the latest update (0 = undefined)             │
 *   │       +48..+84  H.midHalfTicks[10]   +88..+124  H.cappedN[10]                           │
 *   └───────────────────────────────────────────────────────────────────────────────────────┘
 *   byte capacity·128           Float64 region: capacity × F64_STRIDE doubles
 *   ┌───────────────────────────────────────────────────────────────────────────────────────┐
 *   │ m·736  +0  tLastMs        effective time of the latest update (§3.5)                    │
 *   │        +8  updateCount    applied updates advanced so far (= BookTable.appliedCount)     │
 *   │       +16..+88  features[10]   indices 26–35 after the latest update                    │
 *   │       +96..+168 H.tMs[10]                                                                │
 *   │      +176..+648 window[60]    effective times of the latest updates in (t − 60 s, t]    │
 *   │      +656..+728 H.volumeHundredths[10]  (no v1 feature reads it)                       │
 *   └───────────────────────────────────────────────────────────────────────────────────────┘
 *
 * The 60 s window (§6.2 step 3). Effective times never decrease within a market, so the updates
 * inside (t − 60 s, t] are always the newest ones: a FIFO of their times, pushed at the back and
 * popped at the front, is exact and O(1) amortised. Every v1 feature uses n only through
 * act = min(1, n / 60) (§6.2, §6.4), so the FIFO is capped at 60 entries: on overflow the oldest
 * time is dropped. Invariant: the FIFO holds the newest min(n, 60) in-window times, hence its
 * length is exactly min(n, 60) — when the 60th newest time leaves the window, every dropped
 * (older) time has left it too. Memory is 480 bytes per market whatever the update rate
 * (1,000 updates/s on one market just keeps the FIFO full), and `H.cappedN` stores min(n, 60).
 *
 * Field order follows the writer: with 1,000 markets a market's lines are mostly out of cache when
 * its update comes, so what every advance reads (time, count, features, H's times) shares the first
 * lines, and H's volumes, which only the writer touches, sit after the window.
 */

import {
  ACTIVITY_COUNT_CAP,
  computeTemporalFeatures,
  HISTORY_CAPACITY,
  NO_MID,
  TemporalInputs,
} from "../features/temporal.js";
import { NewYorkClock } from "../features/time-of-day.js";
import { TICKS_PER_DOLLAR } from "../kalshi/units.js";

export const TEMPORAL_FEATURE_COUNT = 10;
/** Half-ticks of the $0.50 fallback reference mid (§4). */
export const DEFAULT_MID_HALF_TICKS = TICKS_PER_DOLLAR;
const WINDOW_MS = 60_000;
const WINDOW_CAPACITY = ACTIVITY_COUNT_CAP;

const I32_STRIDE = 32;
const I_HISTORY_COUNT = 2;
const I_HISTORY_HEAD = 3;
const I_WINDOW_COUNT = 4;
const I_WINDOW_HEAD = 5;
const I_MID_CHANGE_COUNT = 6;
const I_MID_CHANGES = 7;
const I_REF_MID = 10;
const I_MID = 11;
const I_HISTORY_MID = 12;
const I_HISTORY_N = 22;

const F64_STRIDE = 92;
const F_T_LAST = 0;
const F_UPDATE_COUNT = 1;
const F_FEATURES = 2;
const F_HISTORY_T = 12;
const F_WINDOW = 22;
const F_HISTORY_VOLUME = 82;

export interface TemporalTableShared {
  sab: SharedArrayBuffer;
  capacity: number;
}

export class TemporalTable {
  readonly shared: TemporalTableShared;
  readonly capacity: number;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  // Writer scratch (io thread); unused by readers.
  private readonly inputs = new TemporalInputs();
  private readonly clock = new NewYorkClock();

  private constructor(shared: TemporalTableShared) {
    this.shared = shared;
    this.capacity = shared.capacity;
    const i32Bytes = shared.capacity * I32_STRIDE * 4;
    this.i32 = new Int32Array(shared.sab, 0, shared.capacity * I32_STRIDE);
    this.f64 = new Float64Array(shared.sab, i32Bytes, shared.capacity * F64_STRIDE);
  }

  static byteLength(capacity: number): number {
    return capacity * (I32_STRIDE * 4 + F64_STRIDE * 8);
  }

  static create(capacity: number): TemporalTable {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`bad capacity ${capacity}`);
    return new TemporalTable({ sab: new SharedArrayBuffer(TemporalTable.byteLength(capacity)), capacity });
  }

  static attach(shared: TemporalTableShared): TemporalTable {
    if (shared.sab.byteLength < TemporalTable.byteLength(shared.capacity))
      throw new RangeError("TemporalTable buffer too small for its capacity");
    return new TemporalTable(shared);
  }

  /**
   * io thread, inside market m's BookTable write section: advance its state by one applied update
   * (§6.2). `tsMs` is the update time T
   * (§3.5, integer ms); `midHalfTicks` the YES mid after the update in half-ticks (best YES bid
   * ticks + best YES ask ticks) or NO_MID (0) when undefined; `volumeHundredths` = V after it.
   */
  advance(m: number, tsMs: number, midHalfTicks: number, volumeHundredths: number): void {
    // The epoch-ms double crosses into the (large, not inlined) body through a typed array: as an
    // argument it would be boxed, one heap allocation per applied update.
    this.tsIn[0] = tsMs;
    this.advanceStored(m, midHalfTicks, volumeHundredths);
  }

  private readonly tsIn = new Float64Array(1);

  private advanceStored(m: number, midHalfTicks: number, volumeHundredths: number): void {
    const tsMs = this.tsIn[0];
    const i32 = this.i32;
    const f64 = this.f64;
    const ib = m * I32_STRIDE;
    const fb = m * F64_STRIDE;
    const inp = this.inputs;

    const updateCount = f64[fb + F_UPDATE_COUNT];
    const first = updateCount === 0;
    const tLastMs = f64[fb + F_T_LAST];
    const tMs = first ? tsMs : Math.max(tsMs, tLastMs);

    // 60 s window FIFO (see the header for the cap and why it is exact for min(n, 60)).
    let wHead = i32[ib + I_WINDOW_HEAD];
    let wCount = i32[ib + I_WINDOW_COUNT];
    if (wCount === WINDOW_CAPACITY) {
      wHead = wHead + 1 === WINDOW_CAPACITY ? 0 : wHead + 1;
      wCount--;
    }
    f64[fb + F_WINDOW + ((wHead + wCount) % WINDOW_CAPACITY)] = tMs;
    wCount++;
    const oldestKeptMs = tMs - WINDOW_MS;
    while (f64[fb + F_WINDOW + wHead] <= oldestKeptMs) {
      wHead = wHead + 1 === WINDOW_CAPACITY ? 0 : wHead + 1;
      wCount--;
    }
    i32[ib + I_WINDOW_HEAD] = wHead;
    i32[ib + I_WINDOW_COUNT] = wCount;

    // M, the mid-change sequence: keep the last three entries, oldest first.
    let mCount = i32[ib + I_MID_CHANGE_COUNT];
    const midChanged =
      midHalfTicks !== NO_MID && (mCount === 0 || i32[ib + I_MID_CHANGES + 2] !== midHalfTicks);
    if (midChanged) {
      i32[ib + I_MID_CHANGES] = i32[ib + I_MID_CHANGES + 1];
      i32[ib + I_MID_CHANGES + 1] = i32[ib + I_MID_CHANGES + 2];
      i32[ib + I_MID_CHANGES + 2] = midHalfTicks;
      if (mCount < 3) mCount++;
      i32[ib + I_MID_CHANGE_COUNT] = mCount;
    }

    // Gather H chronologically, evaluate §6.3 on (H, c, M) before c joins H.
    const hCount = i32[ib + I_HISTORY_COUNT];
    let hHead = i32[ib + I_HISTORY_HEAD];
    for (let i = 0, slot = hHead; i < hCount; i++) {
      inp.historyTMs[i] = f64[fb + F_HISTORY_T + slot];
      inp.historyMidHalfTicks[i] = i32[ib + I_HISTORY_MID + slot];
      inp.historyCappedN[i] = i32[ib + I_HISTORY_N + slot];
      slot = slot + 1 === HISTORY_CAPACITY ? 0 : slot + 1;
    }
    inp.historyCount = hCount;
    inp.first = first;
    inp.gapMs = first ? 0 : tMs - tLastMs;
    inp.tMs = tMs;
    inp.midHalfTicks = midHalfTicks;
    inp.cappedN = wCount;
    inp.midChangeCount = mCount;
    inp.midChanged = midChanged;
    inp.lastMidChangesHalfTicks[0] = i32[ib + I_MID_CHANGES];
    inp.lastMidChangesHalfTicks[1] = i32[ib + I_MID_CHANGES + 1];
    inp.lastMidChangesHalfTicks[2] = i32[ib + I_MID_CHANGES + 2];
    inp.newYorkHour = this.clock.hour(tMs);
    computeTemporalFeatures(inp, f64, fb + F_FEATURES);

    // Append c to H, dropping the oldest beyond 10.
    let slot: number;
    if (hCount < HISTORY_CAPACITY) {
      slot = (hHead + hCount) % HISTORY_CAPACITY;
      i32[ib + I_HISTORY_COUNT] = hCount + 1;
    } else {
      slot = hHead;
      hHead = hHead + 1 === HISTORY_CAPACITY ? 0 : hHead + 1;
      i32[ib + I_HISTORY_HEAD] = hHead;
    }
    f64[fb + F_HISTORY_T + slot] = tMs;
    f64[fb + F_HISTORY_VOLUME + slot] = volumeHundredths;
    i32[ib + I_HISTORY_MID + slot] = midHalfTicks;
    i32[ib + I_HISTORY_N + slot] = wCount;

    f64[fb + F_T_LAST] = tMs;
    i32[ib + I_MID] = midHalfTicks;
    if (midHalfTicks !== NO_MID) i32[ib + I_REF_MID] = midHalfTicks;
    f64[fb + F_UPDATE_COUNT] = updateCount + 1;
  }

  // ---- readers (any thread) ----

  /** Applied updates advanced so far (0 = market never updated); equals BookTable.appliedCount. */
  updateCount(m: number): number {
    return this.f64[m * F64_STRIDE + F_UPDATE_COUNT];
  }

  /** Effective time of market m's latest applied update (§3.5); 0 if none. */
  effectiveTimeMs(m: number): number {
    return this.f64[m * F64_STRIDE + F_T_LAST];
  }

  /** YES mid after the latest update in half-ticks, or NO_MID (0) when undefined. */
  midHalfTicks(m: number): number {
    return this.i32[m * I32_STRIDE + I_MID];
  }

  /** §4 reference mid in half-ticks: current mid, else last defined, else 10000 ($0.50). One tear-free word. */
  referenceMidHalfTicks(m: number): number {
    const v = this.i32[m * I32_STRIDE + I_REF_MID];
    return v === NO_MID ? DEFAULT_MID_HALF_TICKS : v;
  }

  /** min(n, 60) of the latest update (0 if none). */
  cappedActivityCount(m: number): number {
    const ib = m * I32_STRIDE;
    const h = this.i32[ib + I_HISTORY_COUNT];
    if (h === 0) return 0;
    const newest = (this.i32[ib + I_HISTORY_HEAD] + h - 1) % HISTORY_CAPACITY;
    return this.i32[ib + I_HISTORY_N + newest];
  }

  /**
   * Hot-path read for the observation builder, inside BookTable.readConsistent: out[offset..+9] = features 26–35,
   * out[offset+10] = effective time, out[offset+11] = update count, out[offset+12] = reference
   * mid in half-ticks. Written into a Float64Array rather than returned: a returned non-Smi double
   * (an epoch-ms time) is boxed on the heap when the call is not inlined.
   */
  readObservationState(m: number, out: Float64Array, offset: number): void {
    const fb = m * F64_STRIDE;
    for (let i = 0; i < TEMPORAL_FEATURE_COUNT; i++) out[offset + i] = this.f64[fb + F_FEATURES + i];
    out[offset + 10] = this.f64[fb + F_T_LAST];
    out[offset + 11] = this.f64[fb + F_UPDATE_COUNT];
    const ref = this.i32[m * I32_STRIDE + I_REF_MID];
    out[offset + 12] = ref === NO_MID ? DEFAULT_MID_HALF_TICKS : ref;
  }

  /** Copies features 26–35 of the latest update into out[offset..offset+9]. Use inside BookTable.readConsistent. */
  copyFeatures(m: number, out: Float64Array, offset: number): void {
    const base = m * F64_STRIDE + F_FEATURES;
    for (let i = 0; i < TEMPORAL_FEATURE_COUNT; i++) out[offset + i] = this.f64[base + i];
  }
}

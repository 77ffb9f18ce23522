/**
 * Arrival times of the simulated order flow in "poisson" mode: what a live feed looks like, as
 * opposed to the "burst" mode's 10 ms batches (which make a subscriber's latency mostly queueing
 * behind the batch).
 *
 * Two superposed processes, both with exponential gaps (microsecond resolution):
 * - single actions on random markets (the background flow), and
 * - market events (a trade sweeping levels, makers re-quoting after news): an event starts at a
 *   Poisson time on one market and brings a cluster of actions on that market, 1 + geometric in
 *   count, spaced by short exponential gaps.
 * The rates are split so that the total mean stays `ratePerSec`: singles at (1 − eventShare)·rate
 * and events at eventShare·rate / eventMeanActions.
 *
 * All randomness comes from one seeded xoshiro128** stream of its own, so the schedule is
 * reproducible and independent of the order-flow choices.
 */
import { Xoshiro128 } from "../faults/prng.js";

export type ArrivalMode = "poisson" | "burst";
export const ARRIVAL_MODES: readonly ArrivalMode[] = ["poisson", "burst"];

export interface ArrivalShape {
  /** share of all actions that come from market events; default 0.3 */
  eventShare?: number;
  /** mean actions per market event; default 12 */
  eventMeanActions?: number;
  /** mean gap between the actions of one event, µs; default 25 */
  eventGapUs?: number;
}

/** Clusters in flight at once; one more event joins the fullest-started slot (rare at these rates). */
const SLOTS = 4;

export class PoissonArrivals {
  /** time of the next arrival, ms on the `performance.now()` clock */
  nextAtMs = 0;
  /** market of the next arrival (an event's market), or −1: any market, chosen by the simulator */
  nextMarket = -1;
  private readonly rng: Xoshiro128;
  private readonly eventShare: number;
  private readonly eventMean: number;
  private readonly eventGapMs: number;
  private singleGapMs = 0;
  private eventStartGapMs = 0;
  private nextSingleMs = 0;
  private nextEventMs = 0;
  private readonly clusterAt = new Float64Array(SLOTS);
  private readonly clusterLeft = new Int32Array(SLOTS);
  private readonly clusterMarket = new Int32Array(SLOTS);
  /** which process produced `nextAtMs`: −1 single, −2 event start, ≥ 0 cluster slot */
  private source = -1;

  constructor(
    seed: number,
    private readonly markets: number,
    shape: ArrivalShape = {},
  ) {
    this.rng = new Xoshiro128((seed ^ 0x5bd1e995) >>> 0);
    this.eventShare = shape.eventShare ?? 0.3;
    this.eventMean = Math.max(1, shape.eventMeanActions ?? 12);
    this.eventGapMs = (shape.eventGapUs ?? 25) / 1000;
    if (!(this.eventShare >= 0 && this.eventShare <= 1)) throw new Error("eventShare must be within 0..1");
  }

  /** Starts the schedule at `startMs` with the given total rate (actions per second, > 0). */
  reset(startMs: number, ratePerSec: number): void {
    const singles = (1 - this.eventShare) * ratePerSec;
    const events = (this.eventShare * ratePerSec) / this.eventMean;
    this.singleGapMs = singles > 0 ? 1000 / singles : Number.POSITIVE_INFINITY;
    this.eventStartGapMs = events > 0 ? 1000 / events : Number.POSITIVE_INFINITY;
    this.nextSingleMs = startMs + this.exp(this.singleGapMs);
    this.nextEventMs = startMs + this.exp(this.eventStartGapMs);
    this.clusterLeft.fill(0);
    this.pickNext();
  }

  /** Consumes the current arrival and computes the next one. */
  advance(): void {
    const s = this.source;
    if (s === -1) this.nextSingleMs += this.exp(this.singleGapMs);
    else if (s >= 0) {
      this.clusterLeft[s]--;
      this.clusterAt[s] += this.exp(this.eventGapMs);
    }
    this.pickNext();
  }

  private pickNext(): void {
    for (;;) {
      let at = this.nextSingleMs;
      let source = -1;
      for (let k = 0; k < SLOTS; k++) {
        if (this.clusterLeft[k] > 0 && this.clusterAt[k] < at) {
          at = this.clusterAt[k];
          source = k;
        }
      }
      if (this.nextEventMs < at) {
        this.startEvent(this.nextEventMs);
        this.nextEventMs += this.exp(this.eventStartGapMs);
        continue;
      }
      this.source = source;
      this.nextAtMs = at;
      this.nextMarket = source >= 0 ? this.clusterMarket[source] : -1;
      return;
    }
  }

  private startEvent(atMs: number): void {
    // 1 + geometric with mean eventMean: P(stop after each action) = 1 / eventMean
    const p = 1 / this.eventMean;
    const count = 1 + Math.floor(Math.log(1 - this.rng.next()) / Math.log(1 - p + 1e-12));
    let slot = 0;
    for (let k = 0; k < SLOTS; k++) {
      if (this.clusterLeft[k] === 0) {
        slot = k;
        break;
      }
      if (this.clusterAt[k] < this.clusterAt[slot]) slot = k;
    }
    if (this.clusterLeft[slot] > 0) {
      // All slots busy: the event joins the slot's market (counts are kept, rate unchanged).
      this.clusterLeft[slot] += count;
      return;
    }
    this.clusterLeft[slot] = count;
    this.clusterAt[slot] = atMs;
    this.clusterMarket[slot] = this.rng.int(this.markets);
  }

  private exp(meanMs: number): number {
    return -Math.log(1 - this.rng.next()) * meanMs;
  }
}

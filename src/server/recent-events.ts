/**
 * The last fills and order events io streamed, and the newest event seq (io thread). The server
 * follows the event stream from the engine's start, so a dashboard opened later can load them
 * from `/snapshot` before it follows `/events` itself.
 */
import type { EngineEvent, FillEvent, OrderEvent } from "../events/engine-event.js";

export const RECENT_EVENTS_KEPT = 50;

export class RecentEvents {
  /** newest first */
  private readonly fillsNewestFirst: FillEvent[] = [];
  private readonly ordersNewestFirst: OrderEvent[] = [];
  private newestSeq = 0;

  constructor(private readonly keep = RECENT_EVENTS_KEPT) {}

  observe(event: EngineEvent): void {
    if (event.seq > this.newestSeq) this.newestSeq = event.seq;
    if (event.kind === "fill") remember(this.fillsNewestFirst, event, this.keep);
    else if (event.kind === "order") remember(this.ordersNewestFirst, event, this.keep);
  }

  /** the seq of the newest event seen: events after it are newer than anything kept here */
  get seq(): number {
    return this.newestSeq;
  }

  fills(): FillEvent[] {
    return [...this.fillsNewestFirst];
  }

  orders(): OrderEvent[] {
    return [...this.ordersNewestFirst];
  }
}

function remember<T>(list: T[], item: T, keep: number): void {
  list.unshift(item);
  if (list.length > keep) list.length = keep;
}

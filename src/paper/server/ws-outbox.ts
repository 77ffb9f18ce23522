/**
 * Output side of the paper exchange's WS hub: per-connection frame queues flushed corked in one
 * microtask (a whole simulator step becomes one write per socket), backpressure cut-off with
 * error 25 (kalshi-api-notes.md), and the feed half of the fault plan (drop / duplicate /
 * periodic disconnect).
 *
 * Invariants:
 * - A socket whose unsent bytes exceed `maxBufferedBytes` gets error 25 and is closed: a slow
 *   reader never costs unbounded memory.
 * - Socket access after close is never attempted (`conn.closed`; `conn.socketGone` once uWS has
 *   closed it).
 * - The close frame of a cut-off reader is sent once uWS's own buffer has drained into the kernel
 *   (or after `CLOSE_AFTER_MS`): uWS drops the socket 2 s after `end()`, and a close frame still in
 *   its buffer then would be lost with the error 25 before it (the reader would see 1006).
 * - Control replies (subscribed/ok/error) go through the same queue, so socket order = causal
 *   order, but they are never faulted.
 */
import type { FaultInjector, FeedFault } from "../faults/fault-plan.js";
import type { WireFlags } from "./wire-format.js";
import { type Channel, errorFrame, WS_ERRORS } from "./ws-commands.js";

/** The part of a uWS WebSocket the hub uses (uWS's WebSocket satisfies it structurally). */
export interface HubSocket {
  send(message: string): number;
  getBufferedAmount(): number;
  cork(cb: () => void): unknown;
  end(code?: number, shortMessage?: string): void;
  close(): void;
  ping(message?: string): number;
}

export class Subscription {
  /** per-sid sequence; starts at 1 with the first snapshot/delta */
  seq = 0;
  constructor(
    readonly sid: number,
    readonly channel: Channel,
    readonly conn: Connection,
    public allMarkets: boolean,
    readonly markets: Set<string>,
    readonly flags: WireFlags,
  ) {}

  covers(ticker: string): boolean {
    return this.allMarkets || this.markets.has(ticker);
  }
}

export class Connection {
  readonly subs = new Map<number, Subscription>();
  nextSid = 1;
  readonly pending: string[] = [];
  closed = false;
  /** data frames sent, for the fault plan's periodic disconnect */
  dataFrames = 0;
  disconnectAfterFlush = false;
  /** the socket has been closed (by either side): never touch it again */
  socketGone = false;
  /** cut off: the close to send once uWS's buffer has drained */
  endOnDrain: { code: number; reason: string; timer: NodeJS.Timeout } | undefined;
  constructor(
    readonly socket: HubSocket,
    readonly userId: string,
  ) {}
}

/** A cut-off reader whose buffer never drains is closed anyway after this long. */
export const CLOSE_AFTER_MS = 10_000;

export interface OutboxOptions {
  faults: FaultInjector;
  maxBufferedBytes: number;
  /** called at the start of every flush (the hub renders conflated ticker frames here) */
  beforeFlush: () => void;
  /** called once a connection is cut (overflow, fault disconnect, shutdown) */
  onClosed: (conn: Connection) => void;
}

export class Outbox {
  private readonly dirty = new Set<Connection>();
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();
  readonly stats = { framesSent: 0, overflows: 0 };

  constructor(private readonly opts: OutboxOptions) {}

  /** Queues one frame for a connection; flushed in the current microtask checkpoint. */
  push(conn: Connection, frame: string): void {
    if (conn.closed) return;
    conn.pending.push(frame);
    this.dirty.add(conn);
    this.schedule();
  }

  /** Forgets a connection's queued frames (it closed). */
  forget(conn: Connection): void {
    conn.pending.length = 0;
    this.dirty.delete(conn);
  }

  schedule(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  /**
   * The feed fault for one seq-carrying data frame. Its seq is consumed either way, so a drop is
   * a gap the client must detect.
   */
  feedFault(conn: Connection): FeedFault {
    const faults = this.opts.faults;
    if (!faults.feedActive) return "none";
    // The socket is about to be cut: nothing after the Nth frame goes out.
    if (conn.disconnectAfterFlush) return "drop";
    const every = faults.plan.feedDisconnectEvery;
    if (every !== undefined && ++conn.dataFrames % every === 0) {
      conn.disconnectAfterFlush = true;
      faults.counts.feedDisconnects++;
      this.dirty.add(conn);
      this.schedule();
    }
    return faults.drawFeedFault();
  }

  /** Sends every queued frame, one cork per socket; cuts off sockets that fell too far behind. */
  flush(): void {
    this.flushScheduled = false;
    this.opts.beforeFlush();
    const max = this.opts.maxBufferedBytes;
    for (const conn of this.dirty) {
      if (conn.closed) continue;
      const pending = conn.pending;
      const socket = conn.socket;
      let overflow = socket.getBufferedAmount() > max;
      if (!overflow && pending.length > 0) {
        socket.cork(() => {
          for (let i = 0; i < pending.length; i++) {
            // 2 = dropped by uWS's own limit: never let a frame vanish silently.
            if (socket.send(pending[i]!) === 2 || ((i & 255) === 255 && socket.getBufferedAmount() > max)) {
              overflow = true;
              break;
            }
          }
        });
        this.stats.framesSent += pending.length;
      }
      pending.length = 0;
      if (overflow) this.overflow(conn);
      else if (conn.disconnectAfterFlush) this.end(conn);
    }
    this.dirty.clear();
  }

  /** Marks a connection as having frames (used by the hub when it fills `pending` directly). */
  markDirty(conn: Connection): void {
    this.dirty.add(conn);
  }

  private overflow(conn: Connection): void {
    this.stats.overflows++;
    const socket = conn.socket;
    conn.closed = true;
    try {
      socket.send(errorFrame(0, WS_ERRORS.bufferOverflow));
    } catch {
      // already gone
    }
    const reason = "subscription buffer overflow";
    const timer = setTimeout(() => this.endNow(conn, 1008, reason), CLOSE_AFTER_MS);
    timer.unref();
    conn.endOnDrain = { code: 1008, reason, timer };
    this.drained(conn);
    this.opts.onClosed(conn);
  }

  /** uWS wrote some of a socket's buffer out: a pending close goes once nothing is left. */
  drained(conn: Connection): void {
    const e = conn.endOnDrain;
    if (e === undefined || conn.socketGone) return;
    let empty = true;
    try {
      empty = conn.socket.getBufferedAmount() === 0;
    } catch {
      // already gone
    }
    if (empty) this.endNow(conn, e.code, e.reason);
  }

  /** uWS closed the socket: nothing may touch it again. */
  socketClosed(conn: Connection): void {
    conn.socketGone = true;
    if (conn.endOnDrain) clearTimeout(conn.endOnDrain.timer);
    conn.endOnDrain = undefined;
  }

  private endNow(conn: Connection, code: number, reason: string): void {
    if (conn.endOnDrain) clearTimeout(conn.endOnDrain.timer);
    conn.endOnDrain = undefined;
    if (conn.socketGone) return;
    conn.socketGone = true;
    try {
      conn.socket.end(code, reason);
    } catch {
      // already gone
    }
  }

  /**
   * Ends a connection with a close frame after the data already queued (an abrupt close would
   * discard frames the client should have seen before the drop).
   */
  end(conn: Connection, code = 1011, reason = "paper exchange: connection dropped"): void {
    if (conn.closed) return;
    conn.closed = true;
    try {
      conn.socket.end(code, reason);
    } catch {
      // already gone
    }
    this.opts.onClosed(conn);
  }
}

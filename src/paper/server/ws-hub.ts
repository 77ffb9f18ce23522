/**
 * The paper exchange's WebSocket hub (io of the paper process): connections, subscriptions
 * (`sid` → channel, markets, per-sid `seq`), and fan-out of core events as Kalshi frames
 * (kalshi-api-notes.md). It is the core's ExchangeListener, so it is called synchronously
 * inside every core mutation; frames are queued per connection and flushed corked in one
 * microtask, which batches a whole simulator step into one write per socket.
 *
 * Invariants:
 * - `seq` is per subscription, starts at 1, shared by snapshots and deltas. A dropped
 *   frame (fault plan) still consumes its seq: that is the gap the client must detect.
 * - Only the subscriber that owns the causing order sees `client_order_id` on a delta.
 * Queues, flushing, backpressure (error 25) and feed faults live in ws-outbox.ts.
 */
import type {
  ExchangeListener,
  FillView,
  GroupEvent,
  LifecycleEvent,
  MarketView,
  OrderGroupView,
  OrderView,
  PaperExchangeApi,
  PositionView,
  TradeEvent,
} from "../exchange/index.js";
import type { FaultInjector, FeedFault } from "../faults/fault-plan.js";
import { lifecycleFrame } from "./lifecycle-frames.js";
import { fillFrame, groupUpdateFrame, marketPositionFrame, userOrderFrame } from "./user-frames.js";
import { deltaFrame, snapshotFrame, tickerFrame, tradeFrame, type WireFlags } from "./wire-format.js";
import {
  type Channel,
  type Command,
  errorFrame,
  parseCommand,
  SEQ_CHANNELS,
  WS_ERRORS,
} from "./ws-commands.js";
import { Connection, type HubSocket, Outbox, Subscription } from "./ws-outbox.js";

export type { Connection, HubSocket } from "./ws-outbox.js";

export interface WsHubOptions {
  core: PaperExchangeApi;
  /** ticker → market_id (UUID) */
  marketIds: ReadonlyMap<string, string>;
  legacyWire: boolean;
  faults: FaultInjector;
  /** unsent bytes at which a subscriber is cut off with error 25 */
  maxBufferedBytes: number;
}

export class WsHub implements ExchangeListener {
  private readonly connections = new Set<Connection>();
  /** subscriptions by channel; a few per connection, so a linear scan with Set lookups is cheap */
  private readonly byChannel = new Map<Channel, Subscription[]>();
  private readonly dirtyTickers = new Set<string>();
  private readonly out: Outbox;
  private readonly counters = { bookDeltas: 0 };

  constructor(private readonly opts: WsHubOptions) {
    this.out = new Outbox({
      faults: opts.faults,
      maxBufferedBytes: opts.maxBufferedBytes,
      beforeFlush: () => this.flushTickers(),
      onClosed: (conn) => this.closed(conn),
    });
    for (const c of [
      "orderbook_delta",
      "ticker",
      "trade",
      "fill",
      "user_orders",
      "market_positions",
      "market_lifecycle_v2",
      "order_group_updates",
    ] as const) {
      this.byChannel.set(c, []);
    }
  }

  /** book events seen, frames handed to sockets, subscribers cut off for falling behind */
  get stats(): { bookDeltas: number; framesSent: number; overflows: number } {
    return { bookDeltas: this.counters.bookDeltas, ...this.out.stats };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  open(socket: HubSocket, userId: string): Connection {
    const conn = new Connection(socket, userId);
    this.connections.add(conn);
    return conn;
  }

  /** Called from the socket's drain handler: a cut-off reader's close may go now. */
  drained(conn: Connection): void {
    this.out.drained(conn);
  }

  /** Called from the socket's close handler, whoever closed it: the socket is gone. */
  socketClosed(conn: Connection): void {
    this.out.socketClosed(conn);
    if (!conn.closed) this.closed(conn);
  }

  /** Forgets everything about a connection (its socket closed, or the hub cut it off). */
  closed(conn: Connection): void {
    conn.closed = true;
    this.out.forget(conn);
    this.connections.delete(conn);
    for (const sub of conn.subs.values()) this.removeSub(sub);
    conn.subs.clear();
  }

  message(conn: Connection, text: string): void {
    const parsed = parseCommand(text, (t) => this.opts.marketIds.has(t));
    if (!parsed.ok) {
      this.control(conn, errorFrame(parsed.id, parsed.error, parsed.ticker));
      return;
    }
    this.apply(conn, parsed.command);
  }

  /** Ping frames with payload `heartbeat` (kalshi-api-notes.md). */
  pingAll(): void {
    for (const conn of this.connections) if (!conn.closed) conn.socket.ping("heartbeat");
  }

  /** Forces a disconnect of every connection (fault hook / shutdown). */
  disconnectAll(): void {
    for (const conn of [...this.connections]) this.out.end(conn, 1001, "paper exchange: shutting down");
  }

  // ------------------------------------------------------------------ commands

  private apply(conn: Connection, c: Command): void {
    switch (c.cmd) {
      case "subscribe":
        this.subscribe(conn, c);
        return;
      case "unsubscribe":
        for (const sid of c.sids) {
          const sub = conn.subs.get(sid);
          if (sub === undefined) {
            this.control(conn, errorFrame(c.id, WS_ERRORS.unknownSid, undefined, sid));
            continue;
          }
          conn.subs.delete(sid);
          this.removeSub(sub);
          this.control(conn, `{"id":${c.id},"sid":${sid},"seq":${sub.seq},"type":"unsubscribed"}`);
        }
        return;
      case "update_subscription":
        this.update(conn, c);
        return;
      case "list_subscriptions": {
        const list = [...conn.subs.values()].map((s) => `{"channel":"${s.channel}","sid":${s.sid}}`);
        this.control(conn, `{"id":${c.id},"type":"ok","msg":[${list.join(",")}]}`);
        return;
      }
    }
  }

  private subscribe(conn: Connection, c: Extract<Command, { cmd: "subscribe" }>): void {
    const created: Subscription[] = [];
    for (const channel of c.channels) {
      const sid = conn.nextSid++;
      const flags: WireFlags = { legacy: this.opts.legacyWire, useYesPrice: c.useYesPrice };
      // No (or an empty) market list means every market; orderbook_delta always names markets.
      const all = c.tickers === undefined || c.tickers.length === 0;
      const sub = new Subscription(sid, channel, conn, all, new Set(c.tickers ?? []), flags);
      conn.subs.set(sid, sub);
      this.byChannel.get(channel)!.push(sub);
      created.push(sub);
      // One `subscribed` per channel, same id, distinct sids.
      this.control(conn, `{"id":${c.id},"type":"subscribed","msg":{"channel":"${channel}","sid":${sid}}}`);
    }
    for (const sub of created) {
      if (sub.channel === "orderbook_delta") for (const t of sub.markets) this.sendSnapshot(sub, t);
      if (sub.channel === "ticker" && c.sendInitialSnapshot && c.tickers !== undefined) {
        for (const t of c.tickers) this.sendTicker(sub, t);
      }
    }
  }

  private update(conn: Connection, c: Extract<Command, { cmd: "update_subscription" }>): void {
    const sub = conn.subs.get(c.sid);
    if (sub === undefined) {
      this.control(conn, errorFrame(c.id, WS_ERRORS.unknownSid, undefined, c.sid));
      return;
    }
    const fresh: string[] = [];
    if (c.action === "add_markets") {
      for (const t of c.tickers) {
        if (!sub.markets.has(t)) {
          sub.markets.add(t);
          fresh.push(t);
        }
      }
    } else if (c.action === "delete_markets") {
      for (const t of c.tickers) sub.markets.delete(t);
    } else {
      if (sub.channel !== "orderbook_delta") {
        this.control(conn, errorFrame(c.id, WS_ERRORS.unsupportedAction, undefined, c.sid));
        return;
      }
      const missing = c.tickers.find((t) => !sub.markets.has(t));
      if (missing !== undefined) {
        this.control(conn, errorFrame(c.id, WS_ERRORS.invalidParameter, missing, c.sid));
        return;
      }
      fresh.push(...c.tickers);
    }
    const list = sub.allMarkets ? "" : [...sub.markets].map((t) => `"${t}"`).join(",");
    const seq = SEQ_CHANNELS.has(sub.channel) ? `"seq":${sub.seq},` : "";
    this.control(
      conn,
      `{"id":${c.id},"sid":${sub.sid},${seq}"type":"ok","msg":{"market_tickers":[${list}]}}`,
    );
    if (sub.channel === "orderbook_delta") for (const t of fresh) this.sendSnapshot(sub, t);
  }

  private removeSub(sub: Subscription): void {
    const list = this.byChannel.get(sub.channel)!;
    const i = list.indexOf(sub);
    if (i >= 0) list.splice(i, 1);
  }

  private sendSnapshot(sub: Subscription, ticker: string): void {
    const book = this.opts.core.orderbook(ticker, 0);
    if (!book.ok) return;
    const seq = ++sub.seq;
    const fault = this.feedFault(sub.conn);
    if (fault === "drop") return;
    // Demo often sends empty snapshots; the fault plan can make us do the same.
    const empty = this.opts.faults.drawEmptySnapshot();
    const id = this.marketId(ticker);
    const frame = snapshotFrame(
      sub.sid,
      seq,
      ticker,
      id,
      empty ? [] : book.value.yes,
      empty ? [] : book.value.no,
      sub.flags,
    );
    this.data(sub.conn, frame);
    if (fault === "duplicate") this.data(sub.conn, frame);
  }

  private sendTicker(sub: Subscription, ticker: string): void {
    const m = this.opts.core.market(ticker);
    if (!m.ok) return;
    this.data(
      sub.conn,
      tickerFrame(sub.sid, ticker, this.marketId(ticker), m.value, Date.now(), sub.flags.legacy),
    );
  }

  private marketId(ticker: string): string {
    return this.opts.marketIds.get(ticker) ?? "";
  }

  // ------------------------------------------------------------------ core events (listener)

  bookDelta(
    ticker: string,
    side: "yes" | "no",
    priceTicks: number,
    deltaHundredths: number,
    causedByClientOrderId: string | undefined,
    userIdOfCause: string | undefined,
    tsMs: number,
  ): void {
    this.counters.bookDeltas++;
    if (this.byChannel.get("ticker")!.length > 0) this.markTickerDirty(ticker);
    const subs = this.byChannel.get("orderbook_delta")!;
    if (subs.length === 0) return;
    let coidJson: string | undefined;
    const isYes = side === "yes";
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.covers(ticker)) continue;
      const seq = ++sub.seq;
      const fault = this.feedFault(sub.conn);
      if (fault === "drop") continue;
      let own = "";
      if (causedByClientOrderId !== undefined && userIdOfCause === sub.conn.userId) {
        coidJson ??= JSON.stringify(causedByClientOrderId);
        own = coidJson;
      }
      const frame = deltaFrame(
        sub.sid,
        seq,
        ticker,
        this.marketId(ticker),
        isYes,
        priceTicks,
        deltaHundredths,
        tsMs,
        own,
        sub.flags,
      );
      this.data(sub.conn, frame);
      if (fault === "duplicate") this.data(sub.conn, frame);
    }
  }

  trade(ticker: string, trade: TradeEvent): void {
    if (this.byChannel.get("ticker")!.length > 0) this.markTickerDirty(ticker);
    const values = {
      tradeId: trade.tradeId,
      yesPriceTicks: trade.yesPriceTicks,
      countHundredths: trade.countHundredths,
      takerIsYes: trade.takerSide === "yes",
    };
    for (const sub of this.byChannel.get("trade")!) {
      if (!sub.covers(ticker)) continue;
      const seq = ++sub.seq;
      const fault = this.feedFault(sub.conn);
      if (fault === "drop") continue;
      const frame = tradeFrame(sub.sid, seq, ticker, values, trade.tsMs, sub.flags.legacy);
      this.data(sub.conn, frame);
      if (fault === "duplicate") this.data(sub.conn, frame);
    }
  }

  fill(userId: string, fill: FillView): void {
    for (const sub of this.byChannel.get("fill")!) {
      if (sub.conn.userId === userId && sub.covers(fill.ticker)) {
        this.data(sub.conn, fillFrame(sub.sid, fill, sub.flags.legacy));
      }
    }
  }

  groupUpdate(userId: string, group: OrderGroupView, event: GroupEvent): void {
    for (const sub of this.byChannel.get("order_group_updates")!) {
      if (sub.conn.userId === userId) this.data(sub.conn, groupUpdateFrame(sub.sid, ++sub.seq, group, event));
    }
  }

  orderUpdate(userId: string, order: OrderView): void {
    for (const sub of this.byChannel.get("user_orders")!) {
      if (sub.conn.userId === userId && sub.covers(order.ticker))
        this.data(sub.conn, userOrderFrame(sub.sid, order));
    }
  }

  positionUpdate(userId: string, ticker: string, position: PositionView): void {
    for (const sub of this.byChannel.get("market_positions")!) {
      if (sub.conn.userId === userId && sub.covers(ticker)) {
        this.data(sub.conn, marketPositionFrame(sub.sid, userId, position, sub.flags.legacy));
      }
    }
  }

  marketUpdate(market: MarketView, event: LifecycleEvent | undefined): void {
    if (event === undefined) return;
    for (const sub of this.byChannel.get("market_lifecycle_v2")!) {
      this.data(sub.conn, lifecycleFrame(sub.sid, ++sub.seq, market, event));
    }
  }

  // ------------------------------------------------------------------ output

  private markTickerDirty(ticker: string): void {
    this.dirtyTickers.add(ticker);
    this.out.schedule();
  }

  private control(conn: Connection, frame: string): void {
    this.out.push(conn, frame);
  }

  private data(conn: Connection, frame: string): void {
    this.out.push(conn, frame);
  }

  private feedFault(conn: Connection): FeedFault {
    return this.out.feedFault(conn);
  }

  /** Sends everything queued now (tests and shutdown; normally a microtask does it). */
  flush(): void {
    this.out.flush();
  }

  /** Ticker frames are conflated: at most one per market and subscriber per flush. */
  private flushTickers(): void {
    if (this.dirtyTickers.size === 0) return;
    const subs = this.byChannel.get("ticker")!;
    const now = Date.now();
    for (const ticker of this.dirtyTickers) {
      let frameFor: ((sid: number, legacy: boolean) => string) | undefined;
      for (const sub of subs) {
        if (!sub.covers(ticker) || sub.conn.closed) continue;
        if (frameFor === undefined) {
          const m = this.opts.core.market(ticker);
          if (!m.ok) break;
          const id = this.marketId(ticker);
          frameFor = (sid, legacy) => tickerFrame(sid, ticker, id, m.value, now, legacy);
        }
        sub.conn.pending.push(frameFor(sub.sid, sub.flags.legacy));
        this.out.markDirty(sub.conn);
      }
    }
    this.dirtyTickers.clear();
  }
}

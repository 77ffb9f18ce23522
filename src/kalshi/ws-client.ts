/**
 * KalshiWsClient — the feed connection's whole lifecycle in one place (io thread): signed
 * handshake, subscribe in chunks, resubscribe after every reconnect with exponential backoff and
 * jitter, per-sid resnapshot (`get_snapshot`, falling back to unsubscribe + subscribe), ping/pong
 * liveness. It does not parse book frames: every text frame goes to `onFrame` untouched, as the
 * received bytes, for the frame consumer (io's IoFeed, the record session) to read.
 *
 * One direction: the client emits frames through its handlers and never knows who consumes them.
 * The consumer is given the client's narrow `FeedSubscriptions` side at construction — the
 * subscription replies it parsed go back through `handleReply` (so the client can map sids to
 * markets), and the snapshots a gap needs through `requestSnapshot`.
 *
 * Protocol: kalshi-api-notes.md (WS handshake signs `GET /trade-api/ws/v2`): commands, one
 * `subscribed` reply per channel with distinct sids, error codes, and gap
 * handling (after a reconnect every sid is new and every book must be rebuilt from snapshots).
 */
import type { KeyObject } from "node:crypto";
import WebSocket from "ws";
import { signRequest } from "./auth-signer.js";
import type { ServerMessage } from "./message-types.js";

export interface WsClientOptions {
  url: string;
  keyId: string;
  privateKey: KeyObject;
  /** markets for the `orderbook_delta` channel */
  markets: readonly string[];
  /** channels without a market filter (default fill, user_orders, market_lifecycle_v2, order_group_updates) */
  privateChannels?: readonly string[];
  /** tickers per `subscribe` command (default 200) */
  subscribeChunk?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** no frame and no pong for this long → the connection is dead, reconnect (default 30 s) */
  livenessMs?: number;
  /** client ping period (default 10 s) */
  pingMs?: number;
  /** largest accepted frame (default 16 MiB) */
  maxPayloadBytes?: number;
  /** a `get_snapshot` with no `ok` within this time falls back to resubscribing (default 5 s) */
  resnapshotTimeoutMs?: number;
}

export interface WsClientHandlers {
  /**
   * every text frame, in arrival order, as the bytes `ws` received (UTF-8, not decoded: io reads
   * Kalshi's delta layout from the bytes and decodes only other frames). The Buffer is only valid
   * during the call.
   */
  onFrame(data: Buffer, recvMs: number): void;
  /** the socket is open and subscriptions were sent */
  onConnected?(connection: number): void;
  /** the socket closed; the engine must treat every book as stale until fresh snapshots */
  onDisconnected?(code: number, reason: string): void;
  /** error 25: the exchange ended subscriptions of a slow reader; they are being resubscribed */
  onSubscriptionOverflow?(sids: readonly number[]): void;
  onLog?(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void;
}

/**
 * What a frame consumer may ask of the connection, given to it at construction: the narrow way
 * back from the frames the client emitted.
 */
export interface FeedSubscriptions {
  /** connections opened so far (1 during the first): recorded with each frame */
  readonly connection: number;
  /**
   * A control message the consumer parsed: subscription replies (subscribed, ok, unsubscribed,
   * error) are the client's and return true; any other message is left alone (false).
   */
  handleReply(msg: ServerMessage): boolean;
  /** fresh snapshots of `tickers` on `sid`, after a seq gap or a negative level */
  requestSnapshot(sid: number, tickers: readonly string[]): void;
}

/** WS error 25 (kalshi-api-notes.md): a subscription buffer overflowed and the subscription ended. */
export const SUBSCRIPTION_BUFFER_OVERFLOW = 25;

export interface WsClientCounters {
  connects: number;
  reconnects: number;
  resnapshots: number;
  resubscribes: number;
  /** subscriptions resubscribed after error 25 */
  overflowResubscribes: number;
  commandErrors: number;
  livenessTimeouts: number;
}

interface PendingCommand {
  cmd: "subscribe" | "get_snapshot" | "unsubscribe";
  channels: readonly string[];
  tickers: readonly string[];
  sid?: number;
  sentMs: number;
  /** `subscribed` replies received (one per channel) */
  replies: number;
}

interface SidInfo {
  channel: string;
  tickers: string[];
}

const WS_SIGN_PATH = "/trade-api/ws/v2";

export class KalshiWsClient implements FeedSubscriptions {
  readonly counters: WsClientCounters = {
    connects: 0,
    reconnects: 0,
    resnapshots: 0,
    resubscribes: 0,
    overflowResubscribes: 0,
    commandErrors: 0,
    livenessTimeouts: 0,
  };
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private nextId = 1;
  private lastActivityMs = 0;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly sids = new Map<number, SidInfo>();
  private readonly snapshotInFlight = new Map<number, number>(); // sid → command id
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly opt: Required<WsClientOptions>;

  constructor(
    options: WsClientOptions,
    private readonly handlers: WsClientHandlers,
  ) {
    this.opt = {
      privateChannels: ["fill", "user_orders", "market_lifecycle_v2", "order_group_updates"],
      subscribeChunk: 200,
      backoffInitialMs: 250,
      backoffMaxMs: 10_000,
      livenessMs: 30_000,
      pingMs: 10_000,
      maxPayloadBytes: 16 * 1024 * 1024,
      resnapshotTimeoutMs: 5_000,
      ...options,
    };
  }

  /** Connects and keeps the connection up until `close()`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.timer = setInterval(() => this.tick(), Math.min(1000, this.opt.pingMs));
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.timer = null;
    this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close(1000, "client shutdown");
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2000).unref();
      });
    }
  }

  /** Connections opened so far (1 during the first). */
  get connection(): number {
    return this.counters.connects;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Markets carried by `sid` (orderbook subscriptions). */
  tickersOf(sid: number): readonly string[] {
    return this.sids.get(sid)?.tickers ?? [];
  }

  /**
   * Asks for fresh snapshots of `tickers` on `sid` (after a seq gap or a negative level). Requests
   * for a sid already waiting for snapshots are merged into that request.
   */
  requestSnapshot(sid: number, tickers: readonly string[]): void {
    if (!this.connected || tickers.length === 0) return;
    if (this.snapshotInFlight.has(sid)) return;
    const info = this.sids.get(sid);
    const wanted = info ? tickers.filter((t) => info.tickers.includes(t)) : [...tickers];
    if (wanted.length === 0) return;
    const id = this.send("update_subscription", { sid, action: "get_snapshot", market_tickers: wanted });
    this.pending.set(id, {
      cmd: "get_snapshot",
      channels: ["orderbook_delta"],
      tickers: wanted,
      sid,
      sentMs: Date.now(),
      replies: 0,
    });
    this.snapshotInFlight.set(sid, id);
    this.counters.resnapshots++;
  }

  /** A control message the consumer parsed; true when it was a subscription reply (the client's). */
  handleReply(msg: ServerMessage): boolean {
    switch (msg.kind) {
      case "subscribed": {
        const p = this.pending.get(msg.id);
        if (!p || msg.sid === undefined) return true;
        const channel = msg.channel ?? p.channels[0] ?? "";
        this.sids.set(msg.sid, { channel, tickers: channel === "orderbook_delta" ? [...p.tickers] : [] });
        // One reply per channel; the command is done when every channel has answered.
        if (++p.replies >= p.channels.length) this.pending.delete(msg.id);
        return true;
      }
      case "ok": {
        const p = this.pending.get(msg.id);
        if (p?.cmd === "get_snapshot" && p.sid !== undefined) this.snapshotInFlight.delete(p.sid);
        this.pending.delete(msg.id);
        return true;
      }
      case "unsubscribed": {
        if (msg.sid !== undefined) this.sids.delete(msg.sid);
        this.pending.delete(msg.id);
        return true;
      }
      case "error": {
        if (msg.code === SUBSCRIPTION_BUFFER_OVERFLOW) {
          this.onOverflow(msg.sid);
          return true;
        }
        this.counters.commandErrors++;
        const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
        this.log("warn", "feed command failed", {
          code: msg.code,
          message: msg.message,
          command: p?.cmd,
          id: msg.id,
        });
        if (msg.id !== undefined) this.pending.delete(msg.id);
        if (p?.cmd === "get_snapshot" && p.sid !== undefined) this.resubscribe(p.sid);
        return true;
      }
      default:
        return false;
    }
  }

  // ------------------------------------------------------------------ lifecycle

  private connect(): void {
    const url = new URL(this.opt.url);
    // Kalshi signs the documented path; a local exchange mounted elsewhere signs its own path.
    const signPath = url.pathname.endsWith("/ws/v2") ? url.pathname : WS_SIGN_PATH;
    const headers = signRequest({ keyId: this.opt.keyId, privateKey: this.opt.privateKey }, "GET", signPath);
    const ws = new WebSocket(this.opt.url, {
      headers,
      maxPayload: this.opt.maxPayloadBytes,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.lastActivityMs = Date.now();
    ws.on("open", () => this.onOpen(ws));
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const recvMs = Date.now();
      this.lastActivityMs = recvMs;
      if (isBinary) return;
      this.handlers.onFrame(data, recvMs);
    });
    ws.on("pong", () => {
      this.lastActivityMs = Date.now();
    });
    ws.on("ping", () => {
      this.lastActivityMs = Date.now(); // ws answers pings with pongs itself
    });
    ws.on("unexpected-response", (_req, res) => {
      this.log("error", "feed handshake refused", { status: res.statusCode });
    });
    ws.on("error", (err) => this.log("warn", "feed socket error", { error: err.message }));
    ws.on("close", (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.attempt = 0;
    this.counters.connects++;
    this.pending.clear();
    this.sids.clear();
    this.snapshotInFlight.clear();
    const chunk = Math.max(1, this.opt.subscribeChunk);
    for (let i = 0; i < this.opt.markets.length; i += chunk) {
      this.subscribe(["orderbook_delta"], this.opt.markets.slice(i, i + chunk));
    }
    if (this.opt.privateChannels.length > 0) this.subscribe(this.opt.privateChannels, []);
    this.log("info", "feed connected", {
      connection: this.counters.connects,
      markets: this.opt.markets.length,
    });
    this.handlers.onConnected?.(this.counters.connects);
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws && this.ws !== null) return;
    this.ws = null;
    this.handlers.onDisconnected?.(code, reason);
    if (this.stopped) return;
    this.counters.reconnects++;
    const base = Math.min(this.opt.backoffMaxMs, this.opt.backoffInitialMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter"
    this.attempt++;
    this.log("warn", "feed disconnected; reconnecting", { code, reason, delayMs: Math.round(delay) });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private tick(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (now - this.lastActivityMs > this.opt.livenessMs) {
      this.counters.livenessTimeouts++;
      this.log("warn", "feed silent; dropping the connection", { silentMs: now - this.lastActivityMs });
      ws.terminate();
      return;
    }
    if (now - this.lastActivityMs > this.opt.pingMs) ws.ping();
    for (const [id, p] of this.pending) {
      if (p.cmd === "get_snapshot" && p.sid !== undefined && now - p.sentMs > this.opt.resnapshotTimeoutMs) {
        this.pending.delete(id);
        this.resubscribe(p.sid);
      }
    }
  }

  // ------------------------------------------------------------------ commands

  private send(cmd: string, params: Record<string, unknown>): number {
    const id = this.nextId++;
    this.ws?.send(JSON.stringify({ id, cmd, params }));
    return id;
  }

  private subscribe(channels: readonly string[], tickers: readonly string[]): void {
    const params: Record<string, unknown> = { channels };
    if (tickers.length > 0) params.market_tickers = tickers;
    // NO levels on the NO-leg scale, as the book expects; Kalshi announced the default will flip,
    // so it is sent explicitly while the flag exists (kalshi-api-notes.md)
    if (channels.includes("orderbook_delta")) params.use_yes_price = false;
    const id = this.send("subscribe", params);
    this.pending.set(id, { cmd: "subscribe", channels, tickers, sentMs: Date.now(), replies: 0 });
  }

  /**
   * Error 25 ended a subscription (the one named, or — when the error names none — every one, as
   * the exchange does not say which): subscribe its channel and markets again under a new sid.
   * Book subscriptions answer with fresh snapshots, which replace the books.
   */
  private onOverflow(sid: number | undefined): void {
    const ended = sid !== undefined ? [sid] : [...this.sids.keys()];
    this.log("warn", "subscription buffer overflow (error 25): resubscribing", { sids: ended });
    const again: Array<{ channel: string; tickers: string[] }> = [];
    for (const s of ended) {
      const info = this.sids.get(s);
      if (info === undefined) continue;
      this.sids.delete(s);
      this.snapshotInFlight.delete(s);
      again.push(info);
    }
    if (!this.connected) return;
    for (const { channel, tickers } of again) {
      this.counters.overflowResubscribes++;
      if (channel !== "orderbook_delta") this.subscribe([channel], []);
      else
        for (let i = 0; i < tickers.length; i += this.opt.subscribeChunk) {
          this.subscribe([channel], tickers.slice(i, i + this.opt.subscribeChunk));
        }
    }
    this.handlers.onSubscriptionOverflow?.(ended);
  }

  /** Fallback when get_snapshot fails: drop the sid and subscribe its markets again. */
  private resubscribe(sid: number): void {
    const info = this.sids.get(sid);
    this.snapshotInFlight.delete(sid);
    if (!info || !this.connected) return;
    this.counters.resubscribes++;
    this.sids.delete(sid);
    const id = this.send("unsubscribe", { sids: [sid] });
    this.pending.set(id, {
      cmd: "unsubscribe",
      channels: [info.channel],
      tickers: info.tickers,
      sid,
      sentMs: Date.now(),
      replies: 0,
    });
    if (info.tickers.length > 0) this.subscribe([info.channel], info.tickers);
  }

  private log(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>): void {
    this.handlers.onLog?.(level, msg, fields);
  }
}

/**
 * The engine server's contract with the engine (io thread). The server owns no engine state: it
 * asks `deps` for everything and hands control actions and ingest frames back to it.
 */
import type { EngineEvent, FillEvent, OpenOrder, OrderEvent } from "../events/engine-event.js";
import type { PnlSnapshot, PortfolioSnapshot, StatsSnapshot } from "../stats/snapshot.js";

export const CONTROL_ACTIONS = ["pause", "resume", "kill", "reconcile"] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * Who sent a control request (for the audit trail). Every caller presented the control token;
 * `tokenId` is a fingerprint of it (the first 8 hex digits of its SHA-256), never the token.
 */
export interface ControlCaller {
  remote: string;
  /** fingerprint of the token presented (the token itself is never kept or logged) */
  tokenId: string;
  agent: string;
}

export interface EngineServerOptions {
  /** default "127.0.0.1"; a non-loopback host exposes control and ingest (token-guarded) */
  host?: string;
  /** 0 = any free port */
  port?: number;
  /** bearer token for /control/* and /ingest; must be non-empty */
  controlToken: string;
  /** optional token for /stats, /metrics, /events and the dashboard (non-loopback binds) */
  readToken?: string;
  /** cap on one /ingest WebSocket message (uWS maxPayloadLength), default 1 MiB */
  maxIngestFrameBytes?: number;
  /** cap on an HTTP request body, default 16 KiB (413 above) */
  maxRequestBytes?: number;
  /** per /events client: above this many buffered bytes new events are dropped, default 1 MiB */
  maxEventBufferBytes?: number;
}

export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

/** Minimal counter interface (a `CounterHandle` from src/stats/counters.ts fits). */
export interface CounterLike {
  inc(by?: number): void;
}

export interface EngineServerDeps {
  stats(): StatsSnapshot;
  /** default: always healthy */
  health?(): HealthReport;
  onControl(action: ControlAction, caller: ControlCaller): Promise<object>;
  /** the orders thread's open orders now (for `/snapshot`) */
  openOrders(): Promise<OpenOrder[]>;
  /** one received Kalshi frame, with its receive time (capture-format.md `recv_ms`) */
  onIngestFrame(text: string, recvMs: number): void;
  subscribeEvents(listener: (event: EngineEvent) => void): () => void;
  /** optional engine counters; the server also keeps its own (`EngineServer.counts`) */
  metrics?: {
    eventsDropped?: CounterLike;
    ingestFrames?: CounterLike;
    ingestRejected?: CounterLike;
  };
  /** clock for ingest frames without a `recv_ms` (default Date.now) */
  nowMs?: () => number;
}

/**
 * `GET /snapshot`: what a dashboard opened late needs before it follows `/events` — the open
 * orders, positions with mark and P&L, the last fills and order events. It reflects every event
 * up to `seq`; a client applies the `/events` it receives with a larger seq on top (applying an
 * event twice leaves the same state).
 */
export interface DashboardSnapshot {
  ts_ms: number;
  seq: number;
  open_orders: OpenOrder[];
  /** newest first */
  recent_fills: FillEvent[];
  /** newest first */
  recent_orders: OrderEvent[];
  pnl: PnlSnapshot;
  portfolio: PortfolioSnapshot;
}

export interface EngineServerCounts {
  eventsSent: number;
  eventsDropped: number;
  eventClients: number;
  ingestFrames: number;
  ingestRejected: number;
}

export interface EngineServer {
  /** e.g. "http://127.0.0.1:43121" */
  url: string;
  port: number;
  readonly counts: EngineServerCounts;
  close(): void;
}

/**
 * The engine's uWS.js server (io thread): `/stats`, `/metrics`, `/healthz`, `/control/*`,
 * `/events` (WS), `/ingest` (WS) and the `/` dashboard (docs/architecture.md, the io box).
 *
 * `/snapshot` (JSON) is what a dashboard opened late loads before following `/events`.
 * Read-only routes are open (the server binds 127.0.0.1 by default); anything that changes the
 * engine — `/control/*` and `/ingest` — needs the control token (`Authorization: Bearer`, or
 * `?token=` on the ingest upgrade because browsers cannot set WS headers).
 */
import uWS from "uWebSockets.js";
import type { EngineEvent } from "../events/engine-event.js";
import { EventCodec } from "../events/event-codec.js";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../stats/prometheus.js";
import { AccessPolicy } from "./access.js";
import { bearerToken, tokenFingerprint, tokenMatches } from "./auth.js";
import { DASHBOARD_HTML } from "./dashboard.js";
import { EventFanout, type EventFormat, type EventsUserData } from "./event-fanout.js";
import { Reply, readBody, statusLine } from "./http.js";
import { parseIngestMessage } from "./ingest.js";
import { RecentEvents } from "./recent-events.js";
import {
  CONTROL_ACTIONS,
  type ControlAction,
  type DashboardSnapshot,
  type EngineServer,
  type EngineServerCounts,
  type EngineServerDeps,
  type EngineServerOptions,
} from "./types.js";

const DEFAULT_MAX_INGEST_FRAME_BYTES = 1024 * 1024;
const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024;
const DEFAULT_MAX_EVENT_BUFFER_BYTES = 1024 * 1024;

/** /ingest sockets carry no per-connection state: the token was checked at upgrade. */
type IngestUserData = Record<string, never>;

export function startEngineServer(
  options: EngineServerOptions,
  deps: EngineServerDeps,
): Promise<EngineServer> {
  const host = options.host ?? "127.0.0.1";
  const maxIngest = options.maxIngestFrameBytes ?? DEFAULT_MAX_INGEST_FRAME_BYTES;
  const maxRequest = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const maxEventBuffer = options.maxEventBufferBytes ?? DEFAULT_MAX_EVENT_BUFFER_BYTES;
  if (options.controlToken === "") {
    return Promise.reject(new Error("server: controlToken must be non-empty (config field controlToken)"));
  }
  const token = options.controlToken;
  const nowMs = deps.nowMs ?? Date.now;
  const counts: EngineServerCounts = {
    eventsSent: 0,
    eventsDropped: 0,
    eventClients: 0,
    ingestFrames: 0,
    ingestRejected: 0,
  };
  const fanout = new EventFanout(new EventCodec(), maxEventBuffer, (n) => {
    counts.eventsDropped += n;
    deps.metrics?.eventsDropped?.inc(n);
  });
  const ingestClients = new Set<uWS.WebSocket<IngestUserData>>();
  const app = uWS.App();
  const access = new AccessPolicy(host, options.readToken);
  const recent = new RecentEvents();

  app.get("/stats", (res, req) => {
    const reply = openReply(res, req, maxRequest, access, "read");
    if (reply === undefined) return;
    respondOrFail(reply, () => reply.send(200, "application/json", JSON.stringify(deps.stats())));
  });

  app.get("/snapshot", (res, req) => {
    const reply = openReply(res, req, maxRequest, access, "read");
    if (reply === undefined) return;
    // Events up to `seq` are reflected: the recent lists are taken with it; the open orders are
    // read after it, so an event in between is in both the rows and the stream, and applying it
    // again changes nothing.
    const seq = recent.seq;
    const recentFills = recent.fills();
    const recentOrders = recent.orders();
    Promise.resolve()
      .then(() => deps.openOrders())
      .then((openOrders): DashboardSnapshot => {
        const stats = deps.stats();
        return {
          ts_ms: stats.ts_ms,
          seq,
          open_orders: openOrders,
          recent_fills: recentFills,
          recent_orders: recentOrders,
          pnl: stats.pnl,
          portfolio: stats.portfolio,
        };
      })
      .then(
        (snapshot) => reply.json(200, snapshot),
        (err: unknown) =>
          reply.error(503, "snapshot_unavailable", err instanceof Error ? err.message : String(err)),
      );
  });

  app.get("/metrics", (res, req) => {
    const reply = openReply(res, req, maxRequest, access, "read");
    if (reply === undefined) return;
    respondOrFail(reply, () => reply.send(200, PROMETHEUS_CONTENT_TYPE, renderPrometheus(deps.stats())));
  });

  app.get("/healthz", (res, req) => {
    const reply = openReply(res, req, maxRequest, access, "host");
    if (reply === undefined) return;
    respondOrFail(reply, () => {
      const health = deps.health?.() ?? { ok: true };
      reply.json(health.ok ? 200 : 503, {
        ...health,
        event_clients: fanout.size,
        ingest_clients: ingestClients.size,
      });
    });
  });

  app.get("/", (res, req) => {
    const reply = openReply(res, req, maxRequest, access, "read");
    if (reply === undefined) return;
    reply.send(200, "text/html; charset=utf-8", DASHBOARD_HTML, {
      "Content-Security-Policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    });
  });

  app.any("/control/*", (res, req) => {
    const reply = new Reply(res);
    // Everything needed from req is read now: it is invalid after this handler returns.
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const action = req.getUrl().slice("/control/".length);
    const presented = bearerToken(req.getHeader("authorization"));
    const contentLength = Number(req.getHeader("content-length") || "0");
    const transferEncoding = req.getHeader("transfer-encoding");
    if (!access.hostAllowed(req.getHeader("host"))) {
      reply.error(403, "forbidden_host", "Host is not a loopback name or the configured bind address");
      return;
    }
    const agent = req.getHeader("user-agent").slice(0, 200);
    if (method !== "POST") {
      reply.error(405, "method_not_allowed", "control actions are POST requests", { Allow: "POST" });
      return;
    }
    if (!tokenMatches(token, presented)) {
      reply.error(401, "unauthorized", "missing or wrong control token (Authorization: Bearer <token>)", {
        "WWW-Authenticate": "Bearer",
      });
      return;
    }
    const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
    if (!isControlAction(action)) {
      reply.error(
        404,
        "not_found",
        `unknown control action "${action}" (one of ${CONTROL_ACTIONS.join(", ")})`,
      );
      return;
    }
    if (contentLength > maxRequest) {
      reply.tooLarge(maxRequest);
      return;
    }
    const run = (): void => {
      // Promise.resolve().then: a synchronous throw in onControl becomes a 500, not a crash.
      Promise.resolve()
        .then(() => deps.onControl(action, { remote, tokenId: tokenFingerprint(token), agent }))
        .then(
          (result) => reply.json(200, { ok: true, action, result }),
          (err: unknown) =>
            reply.error(500, "control_failed", err instanceof Error ? err.message : String(err)),
        );
    };
    // The body carries nothing today, but it is drained (under the cap) before answering.
    if (contentLength === 0 && transferEncoding === "") run();
    else readBody(reply, maxRequest, run);
  });

  app.ws<EventsUserData>("/events", {
    compression: uWS.DISABLED,
    maxPayloadLength: 1024,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    // Second line of defence behind EventFanout's own threshold; never closes a slow client.
    maxBackpressure: maxEventBuffer * 2,
    closeOnBackpressureLimit: false,
    upgrade: (res, req, context) => {
      const refusal = upgradeRefusal(access, req, (presented) => access.readAllowed("", presented));
      if (refusal !== undefined) return refuseUpgrade(res, refusal);
      const format: EventFormat = req.getQuery("format") === "json" ? "json" : "flatbuffers";
      upgradeCorked(res, req, context, { format, dropped: 0 });
    },
    open: (ws) => {
      fanout.add(ws);
      counts.eventClients = fanout.size;
    },
    close: (ws) => {
      fanout.remove(ws);
      counts.eventClients = fanout.size;
    },
  });

  app.ws<IngestUserData>("/ingest", {
    compression: uWS.DISABLED,
    // uWS closes a connection whose message exceeds this (close code 1009) before buffering it.
    maxPayloadLength: maxIngest,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    maxBackpressure: 64 * 1024,
    upgrade: (res, req, context) => {
      const refusal = upgradeRefusal(access, req, (presented) => tokenMatches(token, presented), "control");
      if (refusal !== undefined) return refuseUpgrade(res, refusal);
      upgradeCorked<IngestUserData>(res, req, context, {});
    },
    open: (ws) => {
      ingestClients.add(ws);
    },
    message: (ws, message, isBinary) => {
      if (isBinary) {
        rejectIngest(ws, "binary messages are not accepted; send text frames or capture lines");
        return;
      }
      const parsed = parseIngestMessage(Buffer.from(message).toString("utf8"), nowMs());
      if (parsed.kind === "invalid") rejectIngest(ws, parsed.reason);
      else if (parsed.kind === "frame") {
        counts.ingestFrames++;
        deps.metrics?.ingestFrames?.inc();
        deps.onIngestFrame(parsed.text, parsed.recvMs);
      }
    },
    close: (ws) => {
      ingestClients.delete(ws);
    },
  });

  app.any("/*", (res, req) => {
    const reply = new Reply(res);
    const contentLength = Number(req.getHeader("content-length") || "0");
    if (contentLength > maxRequest) {
      reply.tooLarge(maxRequest);
      return;
    }
    reply.error(404, "not_found", `no route ${req.getCaseSensitiveMethod().toUpperCase()} ${req.getUrl()}`);
  });

  function rejectIngest(ws: uWS.WebSocket<IngestUserData>, reason: string): void {
    counts.ingestRejected++;
    deps.metrics?.ingestRejected?.inc();
    ws.send(JSON.stringify({ error: { code: "invalid_ingest_message", message: reason } }), false);
  }

  const unsubscribe = deps.subscribeEvents((event: EngineEvent) => {
    recent.observe(event);
    fanout.publish(event);
    counts.eventsSent = fanout.sent;
  });

  return new Promise((resolve, reject) => {
    app.listen(host, options.port ?? 0, (listenSocket) => {
      if (!listenSocket) {
        unsubscribe();
        reject(
          new Error(`server: cannot listen on ${host}:${options.port ?? 0} (port in use or host invalid)`),
        );
        return;
      }
      const port = uWS.us_socket_local_port(listenSocket);
      let closed = false;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        port,
        counts,
        close: () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          uWS.us_listen_socket_close(listenSocket);
          fanout.closeAll();
          for (const ws of [...ingestClients]) ws.end(1001, "server closing");
          ingestClients.clear();
          app.close();
        },
      });
    });
  });
}

/**
 * A Reply for a bodyless route, or undefined after refusing the request: 413 for a large body,
 * 403 for a Host that is not this server's, 401 without the read token on a `read` route.
 */
function openReply(
  res: uWS.HttpResponse,
  req: uWS.HttpRequest,
  maxRequest: number,
  access: AccessPolicy,
  check: "host" | "read",
): Reply | undefined {
  const reply = new Reply(res);
  if (Number(req.getHeader("content-length") || "0") > maxRequest) {
    reply.tooLarge(maxRequest);
    return undefined;
  }
  if (!access.hostAllowed(req.getHeader("host"))) {
    reply.error(403, "forbidden_host", "Host is not a loopback name or the configured bind address");
    return undefined;
  }
  if (check === "read" && !access.readAllowed(req.getHeader("authorization"), req.getQuery("token"))) {
    reply.error(
      401,
      "unauthorized",
      "missing or wrong read token (Authorization: Bearer <token> or ?token=)",
      {
        "WWW-Authenticate": "Bearer",
      },
    );
    return undefined;
  }
  return reply;
}

interface UpgradeRefusal {
  status: 401 | 403;
  code: string;
  message: string;
}

/** Host, Origin and token checks of a WebSocket upgrade (everything read from req now). */
function upgradeRefusal(
  access: AccessPolicy,
  req: uWS.HttpRequest,
  tokenOk: (presented: string | undefined) => boolean,
  tokenName = "read",
): UpgradeRefusal | undefined {
  const hostHeader = req.getHeader("host");
  if (!access.hostAllowed(hostHeader))
    return {
      status: 403,
      code: "forbidden_host",
      message: "Host is not a loopback name or the bind address",
    };
  if (!access.originAllowed(req.getHeader("origin"), hostHeader))
    return { status: 403, code: "forbidden_origin", message: "Origin is not this server's own" };
  const presented = req.getQuery("token") || bearerToken(req.getHeader("authorization"));
  if (!tokenOk(presented))
    return { status: 401, code: "unauthorized", message: `missing or wrong ${tokenName} token` };
  return undefined;
}

function refuseUpgrade(res: uWS.HttpResponse, refusal: UpgradeRefusal): void {
  res.cork(() => {
    res.writeStatus(statusLine(refusal.status)).writeHeader("Content-Type", "application/json");
    if (refusal.status === 401) res.writeHeader("WWW-Authenticate", "Bearer");
    res.end(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
  });
}

function isControlAction(action: string): action is ControlAction {
  return (CONTROL_ACTIONS as readonly string[]).includes(action);
}

function respondOrFail(reply: Reply, respond: () => void): void {
  try {
    respond();
  } catch (err) {
    reply.error(500, "internal", err instanceof Error ? err.message : String(err));
  }
}

function upgradeCorked<T>(
  res: uWS.HttpResponse,
  req: uWS.HttpRequest,
  context: uWS.us_socket_context_t,
  data: T,
) {
  const key = req.getHeader("sec-websocket-key");
  const protocol = req.getHeader("sec-websocket-protocol");
  const extensions = req.getHeader("sec-websocket-extensions");
  res.cork(() => {
    res.upgrade<T>(data, key, protocol, extensions, context);
  });
}

/**
 * The paper exchange's uWS app: REST under `/trade-api/v2`, WebSocket at `/trade-api/ws/v2`.
 * The WS upgrade is verified before it is accepted (HTTP 401 otherwise, kalshi-api-notes.md),
 * pings carry `heartbeat`, and every HTTP response is corked.
 */

import uWS from "uWebSockets.js";
import type { KeyObject } from "node:crypto";
import { verifyRequest } from "../../kalshi/auth-signer.js";
import { ResponseHandle, readBody, readRequest, statusLine } from "./http-io.js";
import { type DispatchDeps, dispatch, notFoundBody, REST_PREFIX } from "./rest-dispatch.js";
import type { Connection, WsHub } from "./ws-hub.js";

export const WS_PATH = "/trade-api/ws/v2";

export interface PaperServerOptions {
  host: string;
  port: number;
  hub: WsHub;
  dispatch: DispatchDeps;
  publicKeys: ReadonlyMap<string, KeyObject>;
  userOfKey: (keyId: string) => string | undefined;
  maxBodyBytes: number;
  /** ping period, ms (0 = no pings) */
  pingMs: number;
  /** uWS's own hard cap on a socket's buffer; above the hub's error-25 threshold */
  maxBackpressureBytes: number;
}

export interface PaperServer {
  port: number;
  close(): void;
}

interface WsUserData {
  keyId: string;
  userId: string;
  conn?: Connection;
}

export function listenPaperServer(opts: PaperServerOptions): Promise<PaperServer> {
  const app = uWS.App();
  const { hub } = opts;

  app.ws<WsUserData>(WS_PATH, {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    maxBackpressure: opts.maxBackpressureBytes,
    closeOnBackpressureLimit: false,
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      const key = req.getHeader("sec-websocket-key");
      const protocol = req.getHeader("sec-websocket-protocol");
      const extensions = req.getHeader("sec-websocket-extensions");
      const v = verifyRequest(opts.publicKeys, "GET", WS_PATH, (h) => req.getHeader(h), Date.now());
      if (!v.ok) {
        res.cork(() => {
          res.writeStatus(statusLine(v.status)).writeHeader("Content-Type", "application/json").end(v.body);
        });
        return;
      }
      const userId = opts.userOfKey(v.keyId) ?? v.keyId;
      res.cork(() => {
        res.upgrade<WsUserData>({ keyId: v.keyId, userId }, key, protocol, extensions, context);
      });
    },
    open: (ws) => {
      const data = ws.getUserData();
      data.conn = hub.open(ws, data.userId);
    },
    message: (ws, message) => {
      const conn = ws.getUserData().conn;
      if (conn !== undefined) hub.message(conn, Buffer.from(message).toString("utf8"));
    },
    drain: (ws) => {
      const conn = ws.getUserData().conn;
      if (conn !== undefined) hub.drained(conn);
    },
    close: (ws) => {
      const conn = ws.getUserData().conn;
      if (conn !== undefined) hub.socketClosed(conn);
    },
  });

  const rest = (res: uWS.HttpResponse, req: uWS.HttpRequest): void => {
    const incoming = readRequest(req);
    const handle = new ResponseHandle(res);
    const length = Number(incoming.headers.get("content-length") ?? "0");
    if (length > opts.maxBodyBytes) {
      handle.send(
        413,
        `{"error":{"code":"payload_too_large","message":"request body exceeds ${opts.maxBodyBytes} bytes"}}`,
      );
      return;
    }
    const hasBody = length > 0 || req.getHeader("transfer-encoding") !== "";
    if (!hasBody) {
      dispatch(opts.dispatch, incoming, undefined, handle);
      return;
    }
    readBody(handle, opts.maxBodyBytes, (buf) => {
      let body: unknown;
      if (buf.length > 0) {
        try {
          body = JSON.parse(buf.toString("utf8"));
        } catch {
          handle.send(
            400,
            '{"error":{"code":"invalid_parameters","message":"request body is not valid JSON"}}',
          );
          return;
        }
      }
      dispatch(opts.dispatch, incoming, body, handle);
    });
  };
  app.any(REST_PREFIX, rest);
  app.any(`${REST_PREFIX}/*`, rest);
  app.any("/*", (res) => {
    res.onAborted(() => {});
    res.cork(() => {
      res
        .writeStatus("404 Not Found")
        .writeHeader("Content-Type", "application/json")
        .end(notFoundBody("no such path"));
    });
  });

  return new Promise((resolve, reject) => {
    app.listen(opts.host, opts.port, (listenSocket) => {
      if (!listenSocket) {
        reject(new Error(`paper exchange: cannot listen on ${opts.host}:${opts.port}`));
        return;
      }
      const port = uWS.us_socket_local_port(listenSocket);
      const ping = opts.pingMs > 0 ? setInterval(() => hub.pingAll(), opts.pingMs) : undefined;
      let closed = false;
      resolve({
        port,
        close: () => {
          if (closed) return;
          closed = true;
          if (ping !== undefined) clearInterval(ping);
          uWS.us_listen_socket_close(listenSocket);
          hub.disconnectAll();
          app.close();
        },
      });
    });
  });
}

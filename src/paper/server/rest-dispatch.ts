/**
 * One REST request through the paper exchange, in Kalshi's order: auth (kalshi-api-notes.md)
 * → fault plan → token bucket → route handler. The handler runs synchronously against
 * the core; the fault plan then decides how (or whether) the client hears about it:
 *  - 429 / 5xx / timeout: the request is NOT applied;
 *  - reset_after_accept: applied, then the connection is destroyed without a response;
 *  - slow_ack: applied, answered after `slowAckMs`.
 */
import type { KeyObject } from "node:crypto";
import { verifyRequest } from "../../kalshi/auth-signer.js";
import type { FaultInjector } from "../faults/fault-plan.js";
import { type RateLimiter, requestCost } from "../faults/rate-limiter.js";
import type { IncomingRequest, ResponseHandle } from "./http-io.js";
import type { RestReply, RouteMatch, Router } from "./rest-router.js";

export const REST_PREFIX = "/trade-api/v2";

export interface DispatchDeps {
  router: Router;
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** API key id → core user id */
  userOfKey: (keyId: string) => string | undefined;
  faults: FaultInjector;
  limiter: RateLimiter;
  /** exchange clock (token buckets); auth always checks skew against wall-clock time */
  clock: () => number;
  /** pending timers of timeout / slow-ack faults, cleared on close */
  timers: Set<NodeJS.Timeout>;
}

export const TOO_MANY_REQUESTS = '{"error":"too many requests"}';

export function notFoundBody(what: string): string {
  return `{"error":{"code":"not_found","message":${JSON.stringify(what)},"service":"api"}}`;
}

/** Routes a request already read from uWS; `body` is parsed JSON (undefined when empty). */
export function dispatch(
  deps: DispatchDeps,
  req: IncomingRequest,
  body: unknown,
  handle: ResponseHandle,
): void {
  const path = req.fullPath.slice(REST_PREFIX.length) || "/";
  const match = deps.router.match(req.method, path);
  if (match === undefined) {
    handle.send(404, notFoundBody(`no route ${req.method} ${path}`));
    return;
  }
  if (match === "method_not_allowed") {
    handle.send(
      405,
      `{"error":{"code":"method_not_allowed","message":"${req.method} not allowed on ${path}"}}`,
    );
    return;
  }
  const now = deps.clock();
  let userId: string | undefined;
  let keyId = "";
  const signed = req.headers.has("kalshi-access-key") || req.headers.has("kalshi-access-signature");
  if (!match.route.public || signed) {
    // Clients sign with wall-clock time, whatever clock the exchange runs on.
    const v = verifyRequest(deps.publicKeys, req.method, req.fullPath, (h) => req.headers.get(h), Date.now());
    if (!v.ok) {
      handle.send(v.status, v.body);
      return;
    }
    keyId = v.keyId;
    userId = deps.userOfKey(v.keyId);
  }

  const fault = deps.faults.drawRestFault();
  if (fault === "429") {
    handle.send(429, TOO_MANY_REQUESTS);
    return;
  }
  if (fault === "5xx") {
    const status = deps.faults.draw5xxStatus();
    handle.send(
      status,
      `{"error":{"code":"internal_server_error","message":"injected ${status}","service":"api"}}`,
    );
    return;
  }
  if (fault === "timeout") {
    const t = setTimeout(() => {
      deps.timers.delete(t);
      handle.reset();
    }, deps.faults.plan.timeoutCloseMs ?? 30_000);
    deps.timers.add(t);
    handle.onAbort(() => {
      clearTimeout(t);
      deps.timers.delete(t);
    });
    return;
  }

  const items = batchItems(body);
  if (!deps.limiter.allow(keyId || "public", requestCost(req.method, path, items), now)) {
    handle.send(429, TOO_MANY_REQUESTS);
    return;
  }

  const reply = run(match, { userId, query: new URLSearchParams(req.query), body });
  if (fault === "reset_after_accept") {
    handle.reset();
    return;
  }
  if (fault === "slow_ack") {
    const t = setTimeout(() => {
      deps.timers.delete(t);
      handle.send(reply.status, reply.body);
    }, deps.faults.plan.slowAckMs ?? 2000);
    deps.timers.add(t);
    handle.onAbort(() => {
      clearTimeout(t);
      deps.timers.delete(t);
    });
    return;
  }
  handle.send(reply.status, reply.body);
}

function batchItems(body: unknown): number {
  if (typeof body !== "object" || body === null) return 1;
  const b = body as { orders?: unknown; ids?: unknown };
  if (Array.isArray(b.orders)) return b.orders.length;
  if (Array.isArray(b.ids)) return b.ids.length;
  return 1;
}

function run(
  match: RouteMatch,
  ctx: { userId: string | undefined; query: URLSearchParams; body: unknown },
): RestReply {
  if (!match.route.public && ctx.userId === undefined) {
    // A valid key without an account (e.g. registered after start): Kalshi's user_not_found.
    return { status: 404, body: notFoundBody("user_not_found") };
  }
  try {
    return match.route.handler({
      userId: ctx.userId ?? "",
      params: match.params,
      query: ctx.query,
      body: ctx.body,
    });
  } catch (err) {
    // A bug must not take the exchange down; the client sees a 500 like any server error.
    const message = err instanceof Error ? err.message : String(err);
    return {
      status: 500,
      body: `{"error":{"code":"internal_server_error","message":${JSON.stringify(message)},"service":"api"}}`,
    };
  }
}

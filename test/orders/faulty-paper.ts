/**
 * Test fixtures of the order-manager tests against the paper exchange: one that fails 20 % of
 * REST requests while simulated flow trades, targeted faults, its private WS channels, and
 * settling by reconciliation passes.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { loadPrivateKey, signRequest } from "../../src/kalshi/auth-signer.js";
import { isSettledPass, type ReconcileReport } from "../../src/orders/reconcile/reconcile-target.js";
import type { RestFaultKind } from "../../src/paper/faults/fault-plan.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";

/** 429, 5xx, timeouts, resets after acceptance and answers slower than a 400 ms client waits. */
export function startFaultyPaper(markets: number, seed: number): Promise<PaperExchangeHandle> {
  return startPaperExchange({
    markets,
    ratePerSec: 300,
    seed,
    rateLimitTier: "premier",
    faults: { restFaultRate: 0.2, seed: seed + 1, slowAckMs: 600, timeoutCloseMs: 1_000 },
  });
}

/** The `fill` and `user_orders` channels, signed like the engine's handshake; text frames out. */
export async function openPrivateChannels(
  px: PaperExchangeHandle,
  onFrame: (text: string) => void,
): Promise<WebSocket> {
  const key = { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) };
  const ws = new WebSocket(px.wsUrl, { headers: { ...signRequest(key, "GET", "/trade-api/ws/v2") } });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("message", (data) => onFrame(String(data)));
  ws.send(JSON.stringify({ id: 1, cmd: "subscribe", params: { channels: ["fill", "user_orders"] } }));
  return ws;
}

/**
 * Runs `body` while the exchange answers REST requests with `fault` — the next request only
 * (`"once"`) or every one (`"always"`) — then puts its own fault plan back.
 */
export async function withRestFault<T>(
  px: PaperExchangeHandle,
  fault: RestFaultKind,
  mode: "once" | "always",
  body: () => Promise<T>,
): Promise<T> {
  const injector = px.faults;
  const original = injector.drawRestFault.bind(injector);
  let armed = true;
  injector.drawRestFault = () => {
    if (!armed) return original();
    if (mode === "once") armed = false;
    return fault;
  };
  try {
    return await body();
  } finally {
    injector.drawRestFault = original;
  }
}

/** Reconciles until two passes in a row are settled (bounded); a failed pass (null) counts as not. */
export async function settle(pass: () => Promise<ReconcileReport | null>): Promise<void> {
  let clean = 0;
  for (let i = 0; i < 60 && clean < 2; i++) {
    const r = await pass();
    clean = r !== null && isSettledPass(r) ? clean + 1 : 0;
  }
  assert.equal(clean, 2, "reconciliation settles");
}

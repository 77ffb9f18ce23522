/**
 * Test helpers: a real paper exchange on 127.0.0.1:0, signed fetch, and a `ws` client whose
 * frames can be awaited (bounded by a timeout, never a fixed sleep).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { loadPrivateKey, type SigningKey, signRequest } from "../../../src/kalshi/auth-signer.js";
import {
  type PaperExchangeHandle,
  type StartPaperExchangeOptions,
  startPaperExchange,
} from "../../../src/paper/index.js";

export const WAIT_MS = 5000;

/** Parsed JSON of a response or frame; tests assert on its shape field by field. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
export type Json = any;

export interface TestExchange {
  px: PaperExchangeHandle;
  key: SigningKey;
  call(
    method: string,
    path: string,
    body?: unknown,
    key?: SigningKey,
  ): Promise<{ status: number; json: Json }>;
  openWs(key?: SigningKey): Promise<WsClient>;
  close(): Promise<void>;
}

let sharedKeyFile: string | undefined;

/** One RSA key per test process: generating 2048-bit keys per exchange is slow on a busy CI box. */
function testKeyFile(): string {
  if (sharedKeyFile === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "paper-test-key-"));
    sharedKeyFile = join(dir, "private-key.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(sharedKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedKeyFile;
}

export const TEST_SHARD_DEPOSIT_MICROS = 10_000_000_000;

/** No simulated flow and no rate limits unless asked: tests drive every change themselves. */
export async function startTestExchange(options: StartPaperExchangeOptions = {}): Promise<TestExchange> {
  const px = await startPaperExchange({
    markets: 6,
    ratePerSec: 0,
    rateLimitTier: "off",
    pingMs: 0,
    keyFile: testKeyFile(),
    ...options,
  });
  // Deposits land on shard 0; give the test account the same cash on every other shard too so
  // protocol tests can trade any market (transfers have their own tests).
  for (let k = 1; k < px.core.shardCount(); k++) px.core.deposit(px.keyId, TEST_SHARD_DEPOSIT_MICROS, k);
  const key: SigningKey = { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) };
  const clients: WsClient[] = [];
  return {
    px,
    key,
    call: (method, path, body, k = key) => signedCall(px.restUrl, k, method, path, body),
    openWs: async (k = key) => {
      const c = await WsClient.connect(px.wsUrl, k);
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.close();
      await px.close();
    },
  };
}

export async function signedCall(
  restUrl: string,
  key: SigningKey | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const url = new URL(restUrl + path);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) Object.assign(headers, signRequest(key, method, url.pathname));
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? undefined : JSON.parse(text) };
}

export function keyOf(keyId: string, privateKey: KeyObject): SigningKey {
  return { keyId, privateKey };
}

/** A create-order body with defaults (V2, kalshi-api-notes.md). */
export function orderBody(ticker: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ticker,
    client_order_id: `t-${Math.random().toString(36).slice(2)}`,
    side: "bid",
    count: "1.00",
    price: "0.4000",
    time_in_force: "good_till_canceled",
    self_trade_prevention_type: "taker_at_cross",
    ...over,
  };
}

export class WsClient {
  readonly frames: Json[] = [];
  private waiters: Array<() => void> = [];
  closedCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", (code) => {
      this.closedCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(url: string, key: SigningKey): Promise<WsClient> {
    const ws = new WebSocket(url, { headers: { ...signRequest(key, "GET", "/trade-api/ws/v2") } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new WsClient(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(cmd: unknown): void {
    this.ws.send(JSON.stringify(cmd));
  }

  /** Resolves once `count` frames satisfy `pred` (returns them); rejects after WAIT_MS. */
  async waitFor(pred: (f: Json) => boolean, count = 1): Promise<Json[]> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const hits = this.frames.filter(pred);
      if (hits.length >= count) return hits.slice(0, count);
      if (this.closedCode !== undefined) throw new Error(`socket closed (${this.closedCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for frames; have ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitClose(): Promise<number> {
    if (this.closedCode !== undefined) return Promise.resolve(this.closedCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("socket did not close")), WAIT_MS);
      this.ws.once("close", (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.terminate();
  }
}

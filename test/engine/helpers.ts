/** Process-level helpers for the end-to-end tests: spawn CLI commands, read their first line. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import type { EngineOptions } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/events/engine-event.js";
import { loadPrivateKey, signRequest } from "../../src/kalshi/auth-signer.js";

export interface Spawned {
  child: ChildProcess;
  first: Record<string, unknown>;
  /** every stdout line after the first */
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Runs `kalshi-engine <args>` from source and resolves with its first stdout line parsed. */
export async function spawnCli(
  args: string[],
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Spawned> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  child.stderr?.on("data", (c) => stderr.push(String(c)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no first line from ${args[0]}: ${stderr.join("").slice(-2000)}`)),
      timeoutMs,
    );
    let got = false;
    rl.on("line", (line) => {
      if (!got) {
        got = true;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          reject(new Error(`first line is not JSON: ${line}`));
        }
      } else lines.push(line);
    });
    void exited.then((code) => {
      if (!got) reject(new Error(`${args[0]} exited ${code}: ${stderr.join("").slice(-2000)}`));
    });
  });
  return { child, first, lines, stderr, exited };
}

/** Polls `probe` until it returns a truthy value (bounded). */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Signed GET against a Kalshi-protocol REST base. Retries (bounded) on 429, 5xx, resets and
 * timeouts: the paper exchange's fault plan applies to the test's own reads too.
 */
export async function signedGet(
  restBase: string,
  keyId: string,
  keyFile: string,
  path: string,
): Promise<unknown> {
  const url = new URL(restBase.replace(/\/$/, "") + path);
  let last = "";
  for (let attempt = 0; attempt < 20; attempt++) {
    const headers = signRequest({ keyId, privateKey: loadPrivateKey(keyFile) }, "GET", url.pathname);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
      if (res.ok) return res.json();
      last = `${res.status} ${await res.text()}`;
      if (res.status !== 429 && res.status < 500) break;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
  }
  throw new Error(`GET ${path}: ${last}`);
}

/** All pages of a list endpoint (`cursor` until ""). */
export async function signedGetAll<T>(
  restBase: string,
  keyId: string,
  keyFile: string,
  path: string,
  field: string,
): Promise<T[]> {
  const out: T[] = [];
  let cursor = "";
  for (let page = 0; page < 100; page++) {
    const sep = path.includes("?") ? "&" : "?";
    const j = (await signedGet(
      restBase,
      keyId,
      keyFile,
      `${path}${sep}limit=1000${cursor ? `&cursor=${cursor}` : ""}`,
    )) as Record<string, unknown>;
    out.push(...((j[field] as T[]) ?? []));
    cursor = String(j.cursor ?? "");
    if (!cursor) return out;
  }
  throw new Error("too many pages");
}

/**
 * Engine options for an in-process engine on a paper exchange: the rule policy on every market,
 * one decide thread, quiet logs; the test names its batch, orders and control token.
 */
export function inProcessEngineOptions(
  px: { restUrl: string; wsUrl: string; keyId: string; keyFile: string; markets: string[] },
  o: { batchSize: number; orders: EngineOptions["orders"]; controlToken: string },
): EngineOptions {
  const quiet = () => undefined;
  return {
    exchange: { name: "paper", restUrl: px.restUrl, wsUrl: px.wsUrl, keyId: px.keyId, keyFile: px.keyFile },
    markets: px.markets,
    policy: { kind: "rule", size5Contracts: 2 },
    decideThreads: 1,
    batchSize: o.batchSize,
    loopBudgetMs: 60_000,
    orders: o.orders,
    server: { host: "127.0.0.1", port: 0, controlToken: o.controlToken },
    log: { info: quiet, warn: quiet, error: quiet },
  };
}

/** Risk limits that do not bind in a short paper run: what the orders thread may do is the test's. */
export const OPEN_RISK = {
  maxContractsPerMarketHundredths: 10_000,
  maxGrossExposureMicros: 2_000_000_000,
  minCashReserveMicros: 0,
  maxOrdersPerSecond: 20,
} as const;

/** Every event of the engine's `/events` stream (JSON) from now on; `close` ends the subscription. */
export async function collectEvents(statsUrl: string): Promise<{ events: EngineEvent[]; close(): void }> {
  const events: EngineEvent[] = [];
  const ws = new WebSocket(`${statsUrl.replace(/^http/, "ws").replace(/\/stats$/, "")}/events?format=json`);
  ws.on("message", (data) => events.push(JSON.parse(String(data)) as EngineEvent));
  await new Promise((resolve) => ws.once("open", resolve));
  return { events, close: () => ws.close() };
}

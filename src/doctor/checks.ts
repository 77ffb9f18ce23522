/**
 * `kalshi-engine doctor`: checks that an exchange (Kalshi demo/prod or a paper exchange) is usable
 * before trading — key, signing, clock skew, exchange status and schedule per shard, API limits,
 * balance per shard, the market selection and the WebSocket. Each check ends in one line:
 * ok / warn / fail, with what to do. Cold path: plain fetch and one `ws` connection.
 */

import type { KeyObject } from "node:crypto";
import { statSync } from "node:fs";
import WebSocket from "ws";
import { loadPrivateKey, type SigningKey, signRequest } from "../kalshi/auth-signer.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** what was found, and for warn/fail what to do */
  detail: string;
}

export interface DoctorTarget {
  name: string;
  restUrl: string;
  wsUrl: string;
  keyId: string;
  keyFile: string;
  /** per-request limit; default 10 s */
  timeoutMs?: number;
  /** now, for the skew check (tests); default Date.now */
  now?: () => number;
}

/** Skew at which a signed request is at risk (Kalshi rejects stale timestamps). */
export const SKEW_WARN_MS = 2_000;
export const SKEW_FAIL_MS = 10_000;
/** A maintenance window starting within this is announced as a warning. */
export const SOON_MS = 24 * 3_600_000;
const MAX_MARKET_PAGES = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are walked field by field
type Json = any;

interface Reply {
  status: number;
  json: Json;
  dateHeader: string | null;
}

export async function runDoctor(t: DoctorTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (name: string, status: CheckStatus, detail: string): void => {
    results.push({ name, status, detail });
  };
  const now = t.now ?? Date.now;
  const timeoutMs = t.timeoutMs ?? 10_000;

  // 1. key file and key id
  let privateKey: KeyObject | undefined;
  try {
    const mode = statSync(t.keyFile).mode & 0o777;
    privateKey = loadPrivateKey(t.keyFile);
    if (!UUID.test(t.keyId)) {
      add(
        "key",
        "warn",
        `key id "${t.keyId}" is not a UUID; copy the Key ID shown next to the key on Kalshi`,
      );
    } else if ((mode & 0o077) !== 0) {
      add(
        "key",
        "warn",
        `${t.keyFile} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`,
      );
    } else add("key", "ok", `${t.keyFile} holds a private key; key id ${t.keyId}`);
  } catch (e) {
    add(
      "key",
      "fail",
      `cannot load ${t.keyFile} as a private key PEM (${errText(e)}); point --key-file at the key downloaded from Kalshi`,
    );
  }
  const key: SigningKey | undefined = privateKey === undefined ? undefined : { keyId: t.keyId, privateKey };

  const call = async (path: string, signed: boolean): Promise<Reply> => {
    const url = new URL(t.restUrl.replace(/\/$/, "") + path);
    const headers: Record<string, string> = { accept: "application/json" };
    if (signed && key !== undefined) Object.assign(headers, signRequest(key, "GET", url.pathname));
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let json: Json;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, dateHeader: res.headers.get("date") };
  };

  // 2. a signed request, and 3. clock skew from its Date header
  let balance: Json;
  if (key === undefined) add("sign", "fail", "no usable key: fix the key check first");
  else {
    try {
      const sentMs = now();
      const r = await call("/portfolio/balance", true);
      const gotMs = now();
      if (r.status === 200) {
        balance = r.json;
        add("sign", "ok", `signed GET /portfolio/balance accepted by ${t.name}`);
      } else if (r.status === 401) {
        add(
          "sign",
          "fail",
          `${t.name} refused the signature (401 ${errorCode(r.json)}): check that key id and key file belong together and to this exchange (demo keys work only on demo)`,
        );
      } else add("sign", "fail", `GET /portfolio/balance answered ${r.status} ${errorCode(r.json)}`);
      add("clock", ...skewCheck(r.dateHeader, (sentMs + gotMs) / 2));
    } catch (e) {
      add("sign", "fail", `cannot reach ${t.restUrl} (${errText(e)}): check the URL and the network`);
    }
  }

  // 8 (needed for shards). the market selection: open, combos excluded
  const markets: Json[] = [];
  let marketsError: string | undefined;
  try {
    let cursor = "";
    for (let page = 0; page < MAX_MARKET_PAGES; page++) {
      const r = await call(
        `/markets?status=open&mve_filter=exclude&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        false,
      );
      if (r.status !== 200) {
        marketsError = `GET /markets answered ${r.status} ${errorCode(r.json)}`;
        break;
      }
      markets.push(...(r.json?.markets ?? []));
      cursor = r.json?.cursor ?? "";
      if (cursor === "") break;
    }
  } catch (e) {
    marketsError = `GET /markets failed (${errText(e)})`;
  }
  const shards = new Set<number>([0]);
  for (const m of markets) shards.add(Number(m.exchange_index ?? 0));
  for (const e of (balance?.balance_breakdown ?? []) as Json[]) shards.add(Number(e.exchange_index ?? 0));
  const shardList = [...shards].sort((a, b) => a - b);

  // 4. exchange status per shard
  for (const k of shardList) {
    try {
      const r = await call(`/exchange/status?exchange_index=${k}`, false);
      if (r.status !== 200) add(`status shard ${k}`, "fail", `GET /exchange/status answered ${r.status}`);
      else if (r.json.exchange_active !== true)
        add(
          `status shard ${k}`,
          "fail",
          `exchange not active${resume(r.json)}: nothing can be done until it is back`,
        );
      else if (r.json.trading_active !== true)
        add(
          `status shard ${k}`,
          "warn",
          `trading paused${resume(r.json)}: creates and amends are refused until then (cancels work)`,
        );
      else add(`status shard ${k}`, "ok", "exchange and trading active");
    } catch (e) {
      add(`status shard ${k}`, "fail", `GET /exchange/status failed (${errText(e)})`);
    }
  }

  // 5. schedule
  try {
    const r = await call("/exchange/schedule", false);
    const windows = (r.json?.schedule?.maintenance_windows ?? []) as Json[];
    const t0 = now();
    const upcoming = windows
      .map((w) => ({
        start: Date.parse(w.start_datetime),
        end: Date.parse(w.end_datetime),
        shard: w.exchange_index,
      }))
      .filter((w) => w.end > t0)
      .sort((a, b) => a.start - b.start);
    if (r.status !== 200) add("schedule", "warn", `GET /exchange/schedule answered ${r.status}`);
    else if (upcoming.length === 0) add("schedule", "ok", "no maintenance window ahead");
    else {
      const w = upcoming[0]!;
      const where = w.shard === undefined ? "all shards" : `shard ${w.shard}`;
      const text = `${new Date(w.start).toISOString()} – ${new Date(w.end).toISOString()} (${where})`;
      if (w.start - t0 < SOON_MS)
        add("schedule", "warn", `maintenance ${text}: expect refused creates and disconnects then`);
      else add("schedule", "ok", `next maintenance ${text}`);
    }
  } catch (e) {
    add("schedule", "warn", `GET /exchange/schedule failed (${errText(e)})`);
  }

  // 6. account API limits
  if (key !== undefined) {
    try {
      const r = await call("/account/limits", true);
      if (r.status !== 200)
        add("limits", "warn", `GET /account/limits answered ${r.status}; the engine will use the basic tier`);
      else {
        const rd = r.json.read ?? {};
        const wr = r.json.write ?? {};
        add(
          "limits",
          "ok",
          `tier ${r.json.usage_tier ?? "?"}: read ${rd.refill_rate}/s (burst ${rd.bucket_capacity}), write ${wr.refill_rate}/s (burst ${wr.bucket_capacity})`,
        );
      }
    } catch (e) {
      add("limits", "warn", `GET /account/limits failed (${errText(e)})`);
    }
  }

  // 7. balance per shard
  if (balance !== undefined) {
    const rows = (balance.balance_breakdown ?? []) as Json[];
    const perShard = rows.map((e) => `shard ${e.exchange_index}: $${e.balance}`).join(", ");
    const withMarkets = new Set(markets.map((m) => Number(m.exchange_index ?? 0)));
    const empty = rows.filter((e) => withMarkets.has(Number(e.exchange_index)) && Number(e.balance) <= 0);
    if (Number(balance.balance ?? 0) <= 0)
      add(
        "balance",
        "fail",
        `no available cash ($${balance.balance_dollars ?? "0"}): deposit before trading`,
      );
    else {
      // Cash on one shard is enough: the engine moves it to another shard before an order there
      // (transfer policy auto); with the policy off those shards' markets are refused.
      const note =
        empty.length === 0
          ? ""
          : `; shard(s) ${empty.map((e) => e.exchange_index).join(", ")} have markets but no cash yet (moved there on demand with transfer policy auto)`;
      add("balance", "ok", `$${balance.balance_dollars} available${perShard ? ` (${perShard})` : ""}${note}`);
    }
  }

  if (marketsError !== undefined) add("markets", "fail", `${marketsError}: check the REST URL`);
  else if (markets.length === 0)
    add(
      "markets",
      "fail",
      "no open market (combos excluded): nothing to trade; check the exchange and time of day",
    );
  else {
    const byShard = countBy(markets, (m) => String(m.exchange_index ?? 0));
    const byStructure = countBy(markets, (m) => String(m.price_level_structure ?? "unknown"));
    add(
      "markets",
      "ok",
      `${markets.length} open markets (combos excluded); shards ${fmt(byShard)}; price structures ${fmt(byStructure)}`,
    );
  }

  // 9. WebSocket connect + subscribe
  if (key === undefined) add("websocket", "fail", "no usable key: fix the key check first");
  else add("websocket", ...(await wsCheck(t.wsUrl, key, markets[0]?.ticker, timeoutMs)));
  return results;
}

function skewCheck(dateHeader: string | null, localMs: number): [CheckStatus, string] {
  if (dateHeader === null) return ["warn", "the exchange sent no Date header: keep the clock on NTP"];
  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return ["warn", `unreadable Date header "${dateHeader}"`];
  // The header has whole seconds: allow its half-second of rounding.
  const skew = localMs - (serverMs + 500);
  const text = `local clock ${skew >= 0 ? "ahead of" : "behind"} the exchange by ~${Math.abs(Math.round(skew / 100) / 10)} s`;
  if (Math.abs(skew) >= SKEW_FAIL_MS)
    return ["fail", `${text}: requests will be refused; sync the clock (NTP)`];
  if (Math.abs(skew) >= SKEW_WARN_MS) return ["warn", `${text}: sync the clock (NTP)`];
  return ["ok", text];
}

function wsCheck(
  url: string,
  key: SigningKey,
  ticker: string | undefined,
  timeoutMs: number,
): Promise<[CheckStatus, string]> {
  const path = new URL(url).pathname;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      headers: { ...signRequest(key, "GET", path) },
      handshakeTimeout: timeoutMs,
    });
    let done = false;
    const finish = (r: [CheckStatus, string]): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish(["fail", `no subscription answer within ${timeoutMs} ms from ${url}`]),
      timeoutMs,
    );
    ws.once("unexpected-response", (_req, res) =>
      finish([
        "fail",
        `WebSocket upgrade refused (${res.statusCode}): check key id and key for this exchange`,
      ]),
    );
    ws.once("error", (e) => finish(["fail", `WebSocket ${url}: ${errText(e)}`]));
    ws.once("open", () => {
      const params =
        ticker === undefined
          ? { channels: ["market_lifecycle_v2"] }
          : { channels: ["ticker"], market_tickers: [ticker] };
      ws.send(JSON.stringify({ id: 1, cmd: "subscribe", params }));
    });
    ws.on("message", (data) => {
      let f: Json;
      try {
        f = JSON.parse(String(data));
      } catch {
        return;
      }
      if (f.type === "subscribed")
        finish(["ok", `connected and subscribed (${f.msg?.channel ?? "channel"})`]);
      else if (f.type === "error")
        finish(["fail", `subscribe refused: error ${f.msg?.code} ${f.msg?.msg ?? ""}`]);
    });
  });
}

function resume(j: Json): string {
  return j.exchange_estimated_resume_time ? ` until ${j.exchange_estimated_resume_time}` : "";
}

function errorCode(j: Json): string {
  return String(j?.error?.code ?? j?.code ?? "");
}

function errText(e: unknown): string {
  if (e instanceof Error) return (e.cause instanceof Error ? e.cause.message : e.message).split("\n")[0]!;
  return String(e);
}

function countBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(keyOf(it), (m.get(keyOf(it)) ?? 0) + 1);
  return m;
}

function fmt(m: Map<string, number>): string {
  return [...m]
    .sort()
    .map(([k, n]) => `${k}×${n}`)
    .join(", ");
}

/** Human output: one line per check. */
export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.status.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`).join("\n");
}

/** Exit code: 0 only when every check is ok. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.every((r) => r.status === "ok") ? 0 : 1;
}

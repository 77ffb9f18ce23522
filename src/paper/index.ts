/**
 * Composition root of the paper exchange: core (matching + ledger + fees), WS hub, REST
 * dispatcher, fault plan, rate limiter, market simulator and the uWS server, wired once here.
 *
 *   const px = await startPaperExchange({ markets: 200, ratePerSec: 2000, seed: 1 });
 *   // px.restUrl, px.wsUrl, px.keyId, px.keyFile (private PEM, mode 0600), px.markets
 *   await px.close();
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPublicKey } from "../kalshi/auth-signer.js";
import { dollarsToMicros } from "../kalshi/units.js";
import { type AccountOptions, type MarketSpec, PaperExchange, type PauseWindow } from "./exchange/index.js";
import { FaultInjector, type FaultPlan, makeFaultPlan } from "./faults/fault-plan.js";
import { RateLimiter, type RateLimitTier } from "./faults/rate-limiter.js";
import type { DispatchDeps } from "./server/rest-dispatch.js";
import { buildRoutes } from "./server/rest-routes.js";
import { listenPaperServer, type PaperServer, WS_PATH } from "./server/server.js";
import { WsHub } from "./server/ws-hub.js";
import type { ArrivalMode } from "./sim/arrivals.js";
import { planSettlements, SettlementScheduler } from "./sim/lifecycle.js";
import { DEFAULT_SHARDS, makeMarketSpecs, marketIdFor } from "./sim/market-catalog.js";
import { MarketSimulator } from "./sim/market-sim.js";

export interface StartPaperExchangeOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (ephemeral) */
  port?: number;
  /** a count of generated markets (default 200) or explicit specs */
  markets?: number | MarketSpec[];
  /**
   * exchange shards (default 3): generated markets spread over them by event, cash is per shard
   * and deposits land on shard 0. `1` is the pre-sharding exchange (everything on shard 0).
   */
  shards?: number;
  /** simulated book updates per second (default 2000; 0 = no simulated flow) */
  ratePerSec?: number;
  /** simulated flow: "burst" (default; 10 ms batches) or "poisson" (live-feed-like, sim/arrivals.ts) */
  arrivals?: ArrivalMode;
  /**
   * settle markets during the run: a third of them close and are determined one every
   * `settleEveryMs` (settled one period later); default 0 = never
   */
  settleEveryMs?: number;
  /** categories the key's account may not trade (lapsed location attestation): creates there get 403 */
  refusedCategories?: string[];
  /** scheduled maintenance (trading) pauses, on all shards or one; default none */
  pauses?: PauseWindow[];
  /** seeds the simulator and (unless the fault plan has its own) the fault plan; default 1 */
  seed?: number;
  /** seed the books with a few orders per side at start (default true) */
  seedBooks?: boolean;
  faults?: Partial<FaultPlan>;
  /** emit the pre-2026-03-12 integer-cent wire on WS (kalshi-api-notes.md) */
  legacyWire?: boolean;
  /** a private key PEM (its public key is registered) or a public key PEM; default: generate */
  keyFile?: string;
  /** Key ID for the registered key; default a random UUID */
  keyId?: string;
  /** deposit of the key's account, micros; default $10,000 */
  depositMicros?: number;
  /** WS ping period; default 10,000 ms */
  pingMs?: number;
  /** token-bucket tier (kalshi-api-notes.md); default "basic", "off" disables */
  rateLimitTier?: RateLimitTier;
  /** REST JSON body cap; default 64 KiB */
  maxBodyBytes?: number;
  /** unsent WS bytes at which a subscriber gets error 25 and is closed; default 16 MiB */
  maxWsBufferedBytes?: number;
  /** exchange clock (core timestamps, token buckets); default Date.now. Auth skew uses wall time. */
  clock?: () => number;
}

export interface PaperExchangeHandle {
  restUrl: string;
  wsUrl: string;
  port: number;
  keyId: string;
  /** path of the private key PEM ("" when only a public key was given) */
  keyFile: string;
  markets: string[];
  core: PaperExchange;
  simulator: MarketSimulator;
  /** scheduled closes/settlements (undefined without `settleEveryMs`) */
  settlements: SettlementScheduler | undefined;
  hub: WsHub;
  faults: FaultInjector;
  /** registers another API key with its own account (tests: several users) */
  addKey(
    publicKey: KeyObject,
    keyId?: string,
    depositMicros?: number,
    accountOptions?: AccountOptions,
  ): string;
  close(): Promise<void>;
}

const DEFAULT_DEPOSIT_MICROS = dollarsToMicros("10000");

export async function startPaperExchange(
  options: StartPaperExchangeOptions = {},
): Promise<PaperExchangeHandle> {
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const specs =
    typeof options.markets === "object"
      ? options.markets
      : makeMarketSpecs({ count: options.markets ?? 200, shards: options.shards ?? DEFAULT_SHARDS });
  const settleEveryMs = options.settleEveryMs ?? 0;
  const settlementPlan = settleEveryMs > 0 ? planSettlements(specs, settleEveryMs, clock(), seed) : undefined;
  const marketIds = new Map(specs.map((m) => [m.ticker, marketIdFor(m.ticker)]));
  const plan = makeFaultPlan({ seed, ...options.faults });
  const faults = new FaultInjector(plan);
  const core = new PaperExchange({
    markets: specs,
    clock,
    ...(options.pauses ? { pauses: options.pauses } : {}),
    shardCount: Math.max(options.shards ?? DEFAULT_SHARDS, ...specs.map((m) => (m.exchangeIndex ?? 0) + 1)),
  });
  const hub = new WsHub({
    core,
    marketIds,
    legacyWire: options.legacyWire ?? false,
    faults,
    maxBufferedBytes: options.maxWsBufferedBytes ?? 16 * 1024 * 1024,
  });
  core.setListener(hub);

  // Keys: API key id → public key, and key id → core user (one account per key).
  const publicKeys = new Map<string, KeyObject>();
  const users = new Map<string, string>();
  const addKey = (
    publicKey: KeyObject,
    keyId: string = randomUUID(),
    depositMicros = DEFAULT_DEPOSIT_MICROS,
    accountOptions: AccountOptions = {},
  ): string => {
    publicKeys.set(keyId, publicKey);
    users.set(keyId, keyId);
    if (!core.hasAccount(keyId)) core.openAccount(keyId, depositMicros, accountOptions);
    return keyId;
  };
  let keyFile = "";
  let tempDir: string | undefined;
  let publicKey: KeyObject;
  if (options.keyFile !== undefined) {
    publicKey = loadPublicKey(options.keyFile);
    keyFile = /PRIVATE KEY/.test(readText(options.keyFile)) ? options.keyFile : "";
  } else {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    publicKey = pair.publicKey;
    tempDir = mkdtempSync(join(tmpdir(), "kalshi-paper-"));
    keyFile = join(tempDir, "private-key.pem");
    writeFileSync(keyFile, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  const keyId = addKey(
    publicKey,
    options.keyId,
    options.depositMicros ?? DEFAULT_DEPOSIT_MICROS,
    options.refusedCategories ? { refusedCategories: options.refusedCategories } : {},
  );

  const limiter = new RateLimiter(options.rateLimitTier ?? "basic");
  const timers = new Set<NodeJS.Timeout>();
  const deps: DispatchDeps = {
    router: buildRoutes({ core, marketIds, limiter }),
    publicKeys,
    userOfKey: (k) => users.get(k),
    faults,
    limiter,
    clock,
    timers,
  };
  const simulator = new MarketSimulator({
    core,
    markets: specs,
    seed,
    ratePerSec: options.ratePerSec ?? 2000,
    ...(options.arrivals ? { arrivals: options.arrivals } : {}),
  });
  if (options.seedBooks ?? true) simulator.seedBooks();

  const host = options.host ?? "127.0.0.1";
  const removeTempDir = (): void => {
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
    process.removeListener("exit", removeTempDir);
  };
  // however the process ends short of SIGKILL (an exception, process.exit), the key goes with it
  if (tempDir !== undefined) process.once("exit", removeTempDir);
  let server: PaperServer;
  try {
    server = await listenPaperServer({
      host,
      port: options.port ?? 0,
      hub,
      dispatch: deps,
      publicKeys,
      userOfKey: (k) => users.get(k),
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
      pingMs: options.pingMs ?? 10_000,
      maxBackpressureBytes: 4 * (options.maxWsBufferedBytes ?? 16 * 1024 * 1024),
    });
  } catch (err) {
    removeTempDir();
    throw err;
  }
  if (simulator.ratePerSec > 0) simulator.start();
  const settlements =
    settlementPlan === undefined ? undefined : new SettlementScheduler(core, settlementPlan, seed);
  settlements?.start();

  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed = false;
  return {
    restUrl: `http://${urlHost}:${server.port}/trade-api/v2`,
    wsUrl: `ws://${urlHost}:${server.port}${WS_PATH}`,
    port: server.port,
    keyId,
    keyFile,
    markets: specs.map((m) => m.ticker),
    core,
    simulator,
    settlements,
    hub,
    faults,
    addKey,
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        simulator.stop();
        settlements?.stop();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close();
      } finally {
        removeTempDir();
      }
    },
  };
}

function readText(pemOrPath: string): string {
  if (pemOrPath.includes("-----BEGIN")) return pemOrPath;
  try {
    return readFileSync(pemOrPath, "utf8");
  } catch {
    return pemOrPath;
  }
}

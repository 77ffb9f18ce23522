/**
 * EngineConfig: its type, its defaults and its zod schema (pure). Messages are phrased as the
 * fix ("must be …") because the loader prints them after the field, value and source.
 */
import { z } from "zod";

export const EXCHANGES = ["paper", "demo", "prod"] as const;
export const POLICIES = ["onnx", "rules"] as const;
export const PRICE_STRATEGIES = ["aggressive", "passive", "mid"] as const;
export const SHUTDOWN_POLICIES = ["cancel_all", "leave_resting"] as const;
/** Before an order whose exchange shard lacks free cash: move funds there, or refuse the order. */
export const TRANSFER_POLICIES = ["auto", "off"] as const;
/** Multivariate (combo) markets in a counted selection: left out with `mve_filter=exclude` by default. */
export const COMBOS = ["exclude", "include"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** kalshi-api-notes.md (the "recommended" rows). Paper URLs come from the started exchange. */
export const EXCHANGE_URLS = {
  demo: {
    restUrl: "https://external-api.demo.kalshi.co/trade-api/v2",
    wsUrl: "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
  },
  prod: {
    restUrl: "https://external-api.kalshi.com/trade-api/v2",
    wsUrl: "wss://external-api-ws.kalshi.com/trade-api/ws/v2",
  },
} as const;

const oneOf = (values: readonly (string | number)[]) =>
  `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;

const positiveNumber = (msg = "must be a positive number") =>
  z.number({ error: msg }).refine((v) => Number.isFinite(v) && v > 0, { error: msg });
const nonNegativeNumber = (msg = "must be a number ≥ 0") =>
  z.number({ error: msg }).refine((v) => Number.isFinite(v) && v >= 0, { error: msg });
const positiveInt = (msg = "must be a positive integer") =>
  z.number({ error: msg }).refine((v) => Number.isSafeInteger(v) && v > 0, { error: msg });
const rate = () =>
  z.number({ error: "must be a probability from 0 to 1" }).refine((v) => v >= 0 && v <= 1, {
    error: "must be a probability from 0 to 1",
  });
const text = (msg = "must be a non-empty string") => z.string({ error: msg }).min(1, { error: msg });
const httpUrl = (protocols: readonly string[]) =>
  text().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a ${protocols.map((p) => p.replace(":", "")).join(" or ")} URL` },
  );
/** Kalshi tickers: upper-case letters, digits, '-', '.', '_' (e.g. KXEX-26MAR10-A). */
const ticker = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9._-]*$/, { error: "must be Kalshi tickers (A-Z, 0-9, '-', '.', '_')" });

export const riskSchema = z.strictObject({
  maxContractsPerMarket: positiveNumber(),
  maxGrossExposureDollars: positiveNumber(),
  minCashReserveDollars: nonNegativeNumber(),
  maxOrdersPerSecond: positiveNumber(),
  orderGroupContracts: z
    .number({ error: "must be a whole number of contracts (0 = no order group)" })
    .refine((v) => Number.isSafeInteger(v) && v >= 0, {
      error: "must be a whole number of contracts (0 = no order group)",
    }),
});

export const paperSchema = z.strictObject({
  markets: positiveInt(),
  rate: nonNegativeNumber(),
  seed: z
    .number({ error: "must be an integer" })
    .refine((v) => Number.isSafeInteger(v), { error: "must be an integer" }),
  restFaultRate: rate(),
  feedFaultRate: rate(),
  feedDisconnectEvery: positiveInt().optional(),
});

export const engineConfigSchema = z.strictObject({
  exchange: z.enum(EXCHANGES, { error: oneOf(EXCHANGES) }),
  restUrl: httpUrl(["http:", "https:"]).optional(),
  wsUrl: httpUrl(["ws:", "wss:"]).optional(),
  keyId: text().optional(),
  keyFile: text().optional(),
  markets: z.union(
    [
      z.array(ticker, { error: "must be a list of tickers or a positive count" }).min(1, {
        error: "must list at least one ticker",
      }),
      positiveInt("must be a list of tickers or a positive count"),
    ],
    { error: "must be a list of tickers or a positive count" },
  ),
  combos: z.enum(COMBOS, { error: oneOf(COMBOS) }),
  model: text(),
  policy: z.enum(POLICIES, { error: oneOf(POLICIES) }),
  actionSpace: z.union([z.literal(5), z.literal(21)], { error: "must be 5 or 21" }),
  contractSize: positiveInt(),
  priceStrategy: z.enum(PRICE_STRATEGIES, { error: oneOf(PRICE_STRATEGIES) }),
  decideThreads: positiveInt().refine((v) => v <= 256, { error: "must be at most 256" }),
  batchSize: positiveInt(),
  loopBudgetMs: positiveNumber(),
  throttleMs: nonNegativeNumber(),
  risk: riskSchema,
  shutdownPolicy: z.enum(SHUTDOWN_POLICIES, { error: oneOf(SHUTDOWN_POLICIES) }),
  orders: z.strictObject({
    transferPolicy: z.enum(TRANSFER_POLICIES, { error: oneOf(TRANSFER_POLICIES) }),
  }),
  statsHost: text(),
  statsPort: z
    .number({ error: "must be a port number 0..65535" })
    .refine((v) => Number.isInteger(v) && v >= 0 && v <= 65535, { error: "must be a port number 0..65535" }),
  controlToken: z
    .string({ error: "must be a string" })
    .min(16, { error: "must be at least 16 characters" })
    .optional(),
  stats: z.strictObject({
    readToken: z
      .string({ error: "must be a string" })
      .min(16, { error: "must be at least 16 characters" })
      .optional(),
  }),
  duration: positiveNumber().optional(),
  journalDir: text(),
  logLevel: z.enum(LOG_LEVELS, { error: oneOf(LOG_LEVELS) }),
  paper: paperSchema,
  record: z.strictObject({
    dir: text().optional(),
    segmentMb: positiveNumber(),
    segmentSeconds: positiveNumber(),
  }),
});

type Parsed = z.infer<typeof engineConfigSchema>;

export type MarketSelection =
  | { kind: "tickers"; tickers: readonly string[] }
  | { kind: "count"; count: number };

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The validated, deeply frozen configuration every component receives. */
export type EngineConfig = DeepReadonly<
  Omit<Parsed, "markets" | "controlToken" | "actionSpace"> & {
    markets: MarketSelection;
    actionSpace: 5 | 21;
    /** always set: from a source, or generated for this run (see controlTokenSource) */
    controlToken: string;
    controlTokenSource: "config" | "generated";
  }
>;

/** Defaults (documented in docs/configuration.md). decideThreads depends on the machine. */
export function defaultConfig(cpuCount: number): Record<string, unknown> {
  return {
    exchange: "paper",
    markets: 20,
    combos: "exclude",
    model: "models/policy-v1.onnx",
    policy: "onnx",
    actionSpace: 5,
    contractSize: 10,
    priceStrategy: "aggressive",
    // io and orders keep a core each; at least one decide worker.
    decideThreads: Math.max(1, cpuCount - 2),
    batchSize: 1024,
    loopBudgetMs: 50,
    throttleMs: 250,
    risk: {
      maxContractsPerMarket: 100,
      maxGrossExposureDollars: 1000,
      minCashReserveDollars: 100,
      maxOrdersPerSecond: 10,
      orderGroupContracts: 0,
    },
    shutdownPolicy: "cancel_all",
    orders: { transferPolicy: "auto" },
    statsHost: "127.0.0.1",
    statsPort: 9470,
    stats: {},
    journalDir: "journal",
    logLevel: "info",
    paper: { markets: 20, rate: 2000, seed: 1, restFaultRate: 0, feedFaultRate: 0 },
    record: { segmentMb: 64, segmentSeconds: 3600 },
  };
}

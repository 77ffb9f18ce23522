/**
 * Every configuration field in one table: its path in EngineConfig (and in the config file), its
 * CLI flag, its environment variable and how a text value (env/flag) is read. The loader, the
 * commander options and docs/configuration.md all follow this table.
 */

export type FieldKind = "string" | "number" | "enum" | "markets" | "int-enum";

export interface ConfigField {
  /** dotted path in EngineConfig and in the config file, e.g. "risk.maxContractsPerMarket" */
  path: string;
  /** long CLI flag, e.g. "--max-contracts-per-market"; the env var is derived from it */
  flag: string;
  kind: FieldKind;
  /** value placeholder for --help, e.g. "<n>" */
  arg: string;
  help: string;
}

export const ENV_PREFIX = "KALSHI_ENGINE_";

/** `--max-contracts-per-market` → `KALSHI_ENGINE_MAX_CONTRACTS_PER_MARKET` */
export function envNameOf(field: ConfigField): string {
  return ENV_PREFIX + field.flag.replace(/^--/, "").replace(/-/g, "_").toUpperCase();
}

/** `--max-contracts-per-market` → `maxContractsPerMarket` (commander's opts() key) */
export function flagKeyOf(field: ConfigField): string {
  return field.flag.replace(/^--/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export const CONFIG_FIELDS: readonly ConfigField[] = [
  {
    path: "exchange",
    flag: "--exchange",
    kind: "enum",
    arg: "<paper|demo|prod>",
    help: "which exchange to trade on",
  },
  {
    path: "restUrl",
    flag: "--rest-url",
    kind: "string",
    arg: "<url>",
    help: "REST base URL incl. /trade-api/v2",
  },
  { path: "wsUrl", flag: "--ws-url", kind: "string", arg: "<url>", help: "WebSocket URL" },
  { path: "keyId", flag: "--key-id", kind: "string", arg: "<id>", help: "Kalshi API key id" },
  { path: "keyFile", flag: "--key-file", kind: "string", arg: "<pem>", help: "private key PEM file" },
  {
    path: "markets",
    flag: "--markets",
    kind: "markets",
    arg: "<tickers|n>",
    help: "comma-separated tickers, or a number of markets to pick",
  },
  {
    path: "combos",
    flag: "--combos",
    kind: "enum",
    arg: "<exclude|include>",
    help: "combo (multivariate) markets in a counted market selection",
  },
  { path: "model", flag: "--model", kind: "string", arg: "<file>", help: "ONNX policy file" },
  { path: "policy", flag: "--policy", kind: "enum", arg: "<onnx|rules>", help: "decision policy" },
  {
    path: "actionSpace",
    flag: "--action-space",
    kind: "int-enum",
    arg: "<5|21>",
    help: "policy action space",
  },
  {
    path: "contractSize",
    flag: "--contract-size",
    kind: "number",
    arg: "<contracts>",
    help: "order size of the 5-action space",
  },
  {
    path: "priceStrategy",
    flag: "--price-strategy",
    kind: "enum",
    arg: "<aggressive|passive|mid>",
    help: "limit price rule",
  },
  {
    path: "decideThreads",
    flag: "--decide-threads",
    kind: "number",
    arg: "<n>",
    help: "decide worker threads",
  },
  {
    path: "batchSize",
    flag: "--batch-size",
    kind: "number",
    arg: "<n>",
    help: "most markets per policy run (a decide worker runs the policy once over everything queued, up to this)",
  },
  { path: "loopBudgetMs", flag: "--loop-budget-ms", kind: "number", arg: "<ms>", help: "max decision age" },
  {
    path: "throttleMs",
    flag: "--throttle-ms",
    kind: "number",
    arg: "<ms>",
    help: "min time between decisions per market",
  },
  {
    path: "risk.maxContractsPerMarket",
    flag: "--max-contracts-per-market",
    kind: "number",
    arg: "<contracts>",
    help: "position limit per market",
  },
  {
    path: "risk.maxGrossExposureDollars",
    flag: "--max-gross-exposure-dollars",
    kind: "number",
    arg: "<dollars>",
    help: "limit on the cost of all positions and resting buys",
  },
  {
    path: "risk.minCashReserveDollars",
    flag: "--min-cash-reserve-dollars",
    kind: "number",
    arg: "<dollars>",
    help: "free cash never spent",
  },
  {
    path: "risk.maxOrdersPerSecond",
    flag: "--max-orders-per-second",
    kind: "number",
    arg: "<n>",
    help: "order request rate limit",
  },
  {
    path: "risk.orderGroupContracts",
    flag: "--order-group-contracts",
    kind: "number",
    arg: "<contracts>",
    help: "Kalshi order group: the exchange stops our fills beyond this many contracts per 15 s (0 = off)",
  },
  {
    path: "orders.transferPolicy",
    flag: "--transfer-policy",
    kind: "enum",
    arg: "<auto|off>",
    help: "an order whose exchange shard lacks free cash: move funds there from the richest shard, or refuse it",
  },
  {
    path: "shutdownPolicy",
    flag: "--shutdown-policy",
    kind: "enum",
    arg: "<cancel_all|leave_resting>",
    help: "what happens to resting orders on exit",
  },
  {
    path: "statsHost",
    flag: "--stats-host",
    kind: "string",
    arg: "<host>",
    help: "stats server bind address",
  },
  {
    path: "statsPort",
    flag: "--stats-port",
    kind: "number",
    arg: "<port>",
    help: "stats server port (0 = any)",
  },
  {
    path: "controlToken",
    flag: "--control-token",
    kind: "string",
    arg: "<token>",
    help: "bearer token for /control and /ingest",
  },
  {
    path: "stats.readToken",
    flag: "--stats-read-token",
    kind: "string",
    arg: "<token>",
    help: "token /stats, /metrics, /events and the dashboard require (for non-loopback binds)",
  },
  { path: "duration", flag: "--duration", kind: "number", arg: "<seconds>", help: "stop after this long" },
  {
    path: "journalDir",
    flag: "--journal-dir",
    kind: "string",
    arg: "<dir>",
    help: "order journal directory",
  },
  {
    path: "record.dir",
    flag: "--record",
    kind: "string",
    arg: "<dir>",
    help: "record every raw frame and engine event into this log directory (docs/recording.md)",
  },
  {
    path: "record.segmentMb",
    flag: "--record-segment-mb",
    kind: "number",
    arg: "<mb>",
    help: "close a log segment at this size (MiB)",
  },
  {
    path: "record.segmentSeconds",
    flag: "--record-segment-seconds",
    kind: "number",
    arg: "<s>",
    help: "close a log segment after this many seconds",
  },
  {
    path: "logLevel",
    flag: "--log-level",
    kind: "enum",
    arg: "<level>",
    help: "fatal|error|warn|info|debug|trace|silent",
  },
  {
    path: "paper.markets",
    flag: "--paper-markets",
    kind: "number",
    arg: "<n>",
    help: "simulated markets (paper exchange)",
  },
  {
    path: "paper.rate",
    flag: "--paper-rate",
    kind: "number",
    arg: "<n>",
    help: "simulated book updates per second",
  },
  {
    path: "paper.seed",
    flag: "--paper-seed",
    kind: "number",
    arg: "<n>",
    help: "simulator and fault-plan seed",
  },
  {
    path: "paper.restFaultRate",
    flag: "--paper-rest-fault-rate",
    kind: "number",
    arg: "<0..1>",
    help: "probability that a paper REST request is faulted",
  },
  {
    path: "paper.feedFaultRate",
    flag: "--paper-feed-fault-rate",
    kind: "number",
    arg: "<0..1>",
    help: "probability that a paper WS data frame is dropped or duplicated",
  },
  {
    path: "paper.feedDisconnectEvery",
    flag: "--paper-feed-disconnect-every",
    kind: "number",
    arg: "<n>",
    help: "close the paper WS after every n data frames",
  },
];

/** Reads a text value (env or flag) by field kind; text that is not a number stays text so the
 * schema reports it with the field's own rule. */
export function coerceText(field: ConfigField, text: string): unknown {
  const t = text.trim();
  switch (field.kind) {
    case "number":
    case "int-enum":
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : text;
    case "markets":
      if (/^\d+$/.test(t)) return Number(t);
      return t
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    default:
      return text;
  }
}

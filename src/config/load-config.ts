/**
 * loadConfig: defaults < config file (JSON or YAML) < environment (KALSHI_ENGINE_*) < CLI flags,
 * validated once into a deeply frozen EngineConfig (configuration is parsed once, into a frozen typed object). Pure apart from
 * reading the config file and checking that keyFile exists.
 *
 * Every error names the field, the value, the source it came from and the fix:
 *   config error: risk.maxContractsPerMarket = -5 (from flag --max-contracts-per-market): must be a positive number
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { CONFIG_FIELDS, type ConfigField, coerceText, ENV_PREFIX, envNameOf, flagKeyOf } from "./fields.js";
import { closestName, deepFreeze, getPath, isPlainObject, setPath } from "./object-paths.js";
import { DEFAULT_SOURCE, type SourceMap } from "./provenance.js";
import {
  defaultConfig,
  type EngineConfig,
  EXCHANGE_URLS,
  engineConfigSchema,
  type MarketSelection,
} from "./schema.js";

export interface LoadConfigInput {
  /** JSON (.json) or YAML (.yaml/.yml) file */
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** commander `opts()`: camelCase flag names (`--max-contracts-per-market` → maxContractsPerMarket) */
  flags: Readonly<Record<string, unknown>>;
  /** for the decideThreads default; default os.availableParallelism() */
  cpuCount?: number;
  /** for tests; default 32 random bytes, base64url */
  generateToken?: () => string;
}

export interface ConfigReport {
  config: EngineConfig;
  /** dotted field path → where its value came from ("default", "file x.yaml", "env …", "flag …") */
  sources: Readonly<Record<string, string>>;
  warnings: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join("\n"));
    this.name = "ConfigError";
  }
}

export function loadConfig(input: LoadConfigInput): EngineConfig {
  return loadConfigReport(input).config;
}

export function loadConfigReport(input: LoadConfigInput): ConfigReport {
  const warnings: string[] = [];
  const sources = new Map<string, string>() as SourceMap;
  const raw = defaultConfig(input.cpuCount ?? availableParallelism());
  recordLeaves(raw, "", DEFAULT_SOURCE, sources);

  if (input.file !== undefined) mergeFile(raw, input.file, sources);
  mergeEnv(raw, input.env, sources, warnings);
  mergeFlags(raw, input.flags, sources, warnings);

  const parsed = engineConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, raw, sources)));
  const cfg = parsed.data;

  const issues: string[] = [];
  const exchangeSource = sourceOf(sources, "exchange");
  if (cfg.exchange !== "paper") {
    const urls = EXCHANGE_URLS[cfg.exchange];
    if (cfg.restUrl === undefined) {
      cfg.restUrl = urls.restUrl;
      sources.set("restUrl", `default for exchange ${cfg.exchange}`);
    }
    if (cfg.wsUrl === undefined) {
      cfg.wsUrl = urls.wsUrl;
      sources.set("wsUrl", `default for exchange ${cfg.exchange}`);
    }
  } else if ((cfg.restUrl === undefined) !== (cfg.wsUrl === undefined)) {
    // both: a running paper exchange (`kalshi-engine paper`); neither: the engine starts its own
    issues.push(
      'config error: restUrl and wsUrl go together for exchange "paper": give both to trade on a running paper exchange, or neither to start an embedded one',
    );
  }
  // an embedded paper exchange makes its own key; any other exchange needs the account's
  if (cfg.restUrl !== undefined) {
    const why =
      cfg.exchange === "paper"
        ? `required for a running paper exchange, restUrl from ${sourceOf(sources, "restUrl")}`
        : `required for exchange "${cfg.exchange}", from ${exchangeSource}`;
    for (const path of ["keyId", "keyFile"] as const) {
      if (cfg[path] === undefined) {
        issues.push(`config error: ${path} is not set (${why}): ${howToSet(path)}`);
      }
    }
  }
  if (cfg.keyFile !== undefined && !existsSync(cfg.keyFile)) {
    issues.push(
      `config error: keyFile = ${show(cfg.keyFile)} (from ${sourceOf(sources, "keyFile")}): file does not exist; give the path of the API key's private key PEM`,
    );
  }
  let tokenSource: "config" | "generated" = "config";
  let controlToken = cfg.controlToken;
  if (controlToken === undefined) {
    if (!isLoopbackHost(cfg.statsHost)) {
      issues.push(
        `config error: controlToken is not set (required because statsHost = ${show(cfg.statsHost)} (from ${sourceOf(sources, "statsHost")}) is not a loopback address): ${howToSet("controlToken")}, at least 16 characters`,
      );
    }
    controlToken = (input.generateToken ?? (() => randomBytes(32).toString("base64url")))();
    tokenSource = "generated";
    sources.set("controlToken", "generated");
  } else if (sourceOf(sources, "controlToken").startsWith("flag")) {
    warnings.push(
      "controlToken was given as a flag: other local users can read it from the process list; prefer KALSHI_ENGINE_CONTROL_TOKEN or the config file",
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);

  let markets: MarketSelection;
  if (typeof cfg.markets === "number") markets = { kind: "count", count: cfg.markets };
  else {
    const unique = [...new Set(cfg.markets)];
    if (unique.length !== cfg.markets.length)
      warnings.push("markets lists some tickers more than once; using each once");
    markets = { kind: "tickers", tickers: unique };
  }

  const config = deepFreeze({
    ...cfg,
    markets,
    actionSpace: cfg.actionSpace,
    controlToken,
    controlTokenSource: tokenSource,
  }) as EngineConfig;
  return { config, sources: Object.freeze(Object.fromEntries(sources)), warnings: Object.freeze(warnings) };
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function mergeFile(raw: Record<string, unknown>, file: string, sources: SourceMap): void {
  const ext = extname(file).toLowerCase();
  if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") {
    throw new ConfigError([
      `config error: config file ${file}: unknown extension "${ext}"; use .json, .yaml or .yml`,
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`config error: cannot read config file ${file}: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([`config error: cannot parse config file ${file}: ${(err as Error).message}`]);
  }
  if (data === null || data === undefined) return; // an empty YAML file sets nothing
  if (!isPlainObject(data)) {
    throw new ConfigError([
      `config error: config file ${file} must hold an object of fields (see docs/configuration.md)`,
    ]);
  }
  deepMerge(raw, data, "", `file ${file}`, sources);
}

function mergeEnv(
  raw: Record<string, unknown>,
  env: LoadConfigInput["env"],
  sources: SourceMap,
  warnings: string[],
): void {
  const known = new Set<string>();
  for (const field of CONFIG_FIELDS) {
    const name = envNameOf(field);
    known.add(name);
    const text = env[name];
    if (text === undefined || text === "") continue;
    setField(raw, field, coerceText(field, text), `env ${name}`, sources);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !known.has(name)) {
      const hint = closestName(name, [...known]);
      warnings.push(
        `unknown environment variable ${name}${hint === undefined ? "" : `; did you mean ${hint}?`}`,
      );
    }
  }
}

function mergeFlags(
  raw: Record<string, unknown>,
  flags: LoadConfigInput["flags"],
  sources: SourceMap,
  warnings: string[],
): void {
  const known = new Set<string>(["config"]);
  for (const field of CONFIG_FIELDS) {
    const key = flagKeyOf(field);
    known.add(key);
    const value = flags[key];
    if (value === undefined) continue;
    setField(
      raw,
      field,
      typeof value === "string" ? coerceText(field, value) : value,
      `flag ${field.flag}`,
      sources,
    );
  }
  for (const key of Object.keys(flags)) {
    if (!known.has(key))
      warnings.push(`flag option "${key}" is not a configuration field; ignored by loadConfig`);
  }
}

function setField(
  raw: Record<string, unknown>,
  field: ConfigField,
  value: unknown,
  source: string,
  sources: SourceMap,
) {
  setPath(raw, field.path, value);
  sources.set(field.path, source);
}

function deepMerge(
  target: Record<string, unknown>,
  src: Record<string, unknown>,
  prefix: string,
  source: string,
  sources: SourceMap,
): void {
  for (const [k, v] of Object.entries(src)) {
    const path = prefix + k;
    const t = target[k];
    if (isPlainObject(v) && isPlainObject(t)) deepMerge(t, v, `${path}.`, source, sources);
    else {
      target[k] = v;
      sources.set(path, source);
    }
  }
}

function recordLeaves(
  obj: Record<string, unknown>,
  prefix: string,
  source: string,
  sources: SourceMap,
): void {
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v)) recordLeaves(v, `${prefix + k}.`, source, sources);
    else sources.set(prefix + k, source);
  }
}

/** Nearest recorded source on the path (a whole `risk` object from a file covers its leaves). */
function sourceOf(sources: SourceMap, path: string): string {
  const parts = path.split(".");
  for (let n = parts.length; n > 0; n--) {
    const s = sources.get(parts.slice(0, n).join("."));
    if (s !== undefined) return s;
  }
  return DEFAULT_SOURCE;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, sources: SourceMap): string {
  // Array elements (markets[3]) are reported on their field.
  const keys: string[] = [];
  for (const p of issue.path) {
    if (typeof p !== "string") break;
    keys.push(p);
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((k) => {
        const path = [...keys, k].join(".");
        const parent = keys.length === 0 ? raw : getPath(raw, keys.join("."));
        // At the top level every path is a candidate, so `paperMarkets` finds `paper.markets`.
        const siblings = CONFIG_FIELDS.map((f) => f.path).filter(
          (p) => keys.length === 0 || p.startsWith(`${keys.join(".")}.`),
        );
        const hint = closestName(path, siblings);
        const value = isPlainObject(parent) ? parent[k] : undefined;
        return `config error: ${path} = ${show(value)} (from ${sourceOf(sources, path)}): unknown field${hint === undefined ? "" : `; did you mean ${hint}?`} (fields are listed in docs/configuration.md)`;
      })
      .join("\n");
  }
  const path = keys.join(".");
  const value = getPath(raw, path);
  return `config error: ${path} = ${show(value)} (from ${sourceOf(sources, path)}): ${issue.message}`;
}

function howToSet(path: string): string {
  const field = CONFIG_FIELDS.find((f) => f.path === path)!;
  return `set ${envNameOf(field)}, ${field.flag} or "${path}" in the config file`;
}

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  return JSON.stringify(value) ?? String(value);
}

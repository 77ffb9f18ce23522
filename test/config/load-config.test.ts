import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Command } from "commander";
import {
  CONFIG_FIELDS,
  ConfigError,
  envNameOf,
  type LoadConfigInput,
  loadConfig,
  loadConfigReport,
  registerConfigOptions,
  saveGeneratedControlToken,
} from "../../src/config/index.js";

const dir = mkdtempSync(join(tmpdir(), "engine-config-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const KEY_FILE = file("key.pem", "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n");
const TOKEN = "0123456789abcdef-token";

function load(input: Partial<LoadConfigInput>) {
  return loadConfigReport({
    env: {},
    flags: {},
    cpuCount: 8,
    generateToken: () => "generated-0123456789",
    ...input,
  });
}

function errorOf(input: Partial<LoadConfigInput>): string {
  try {
    load(input);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig precedence: defaults < file < env < flags", () => {
  const yamlFile = file(
    "engine.yaml",
    "exchange: demo\nkeyId: file-key\nkeyFile: KEYFILE\nthrottleMs: 100\nbatchSize: 32\nrisk:\n  maxContractsPerMarket: 50\n  maxOrdersPerSecond: 4\n".replace(
      "KEYFILE",
      KEY_FILE,
    ),
  );
  const cases: Array<{
    name: string;
    input: Partial<LoadConfigInput>;
    path: string;
    value: unknown;
    source: string;
  }> = [
    {
      name: "a default stays when nothing sets it",
      input: {},
      path: "loopBudgetMs",
      value: 50,
      source: "default",
    },
    {
      name: "the file overrides a default",
      input: { file: yamlFile },
      path: "throttleMs",
      value: 100,
      source: `file ${yamlFile}`,
    },
    {
      name: "env overrides the file",
      input: { file: yamlFile, env: { KALSHI_ENGINE_THROTTLE_MS: "75" } },
      path: "throttleMs",
      value: 75,
      source: "env KALSHI_ENGINE_THROTTLE_MS",
    },
    {
      name: "a flag overrides env",
      input: { file: yamlFile, env: { KALSHI_ENGINE_THROTTLE_MS: "75" }, flags: { throttleMs: "60" } },
      path: "throttleMs",
      value: 60,
      source: "flag --throttle-ms",
    },
    {
      name: "a nested file value keeps its sibling defaults",
      input: { file: yamlFile },
      path: "risk.minCashReserveDollars",
      value: 100,
      source: "default",
    },
    {
      name: "a nested field from env",
      input: { file: yamlFile, env: { KALSHI_ENGINE_MAX_CONTRACTS_PER_MARKET: "25" } },
      path: "risk.maxContractsPerMarket",
      value: 25,
      source: "env KALSHI_ENGINE_MAX_CONTRACTS_PER_MARKET",
    },
    {
      name: "demo URLs default from the exchange (kalshi-api-notes.md)",
      input: { file: yamlFile },
      path: "restUrl",
      value: "https://external-api.demo.kalshi.co/trade-api/v2",
      source: "default for exchange demo",
    },
    {
      name: "an explicit wsUrl wins over the exchange default",
      input: { file: yamlFile, flags: { wsUrl: "wss://example.test/ws" } },
      path: "wsUrl",
      value: "wss://example.test/ws",
      source: "flag --ws-url",
    },
    {
      name: "markets from env as a ticker list",
      input: { env: { KALSHI_ENGINE_MARKETS: "KXEX-26MAR10-A, KXEX-26MAR10-B" } },
      path: "markets",
      value: { kind: "tickers", tickers: ["KXEX-26MAR10-A", "KXEX-26MAR10-B"] },
      source: "env KALSHI_ENGINE_MARKETS",
    },
    {
      name: "markets from a flag as a count",
      input: { flags: { markets: "50" } },
      path: "markets",
      value: { kind: "count", count: 50 },
      source: "flag --markets",
    },
    {
      name: "decideThreads defaults to cores − 2",
      input: { cpuCount: 8 },
      path: "decideThreads",
      value: 6,
      source: "default",
    },
    {
      name: "decideThreads is at least 1 on a small machine",
      input: { cpuCount: 2 },
      path: "decideThreads",
      value: 1,
      source: "default",
    },
    {
      name: "paper options from flags",
      input: { flags: { paperRestFaultRate: "0.05" } },
      path: "paper.restFaultRate",
      value: 0.05,
      source: "flag --paper-rest-fault-rate",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = load(c.input);
      const value = c.path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r.config);
      assert.deepEqual(value, c.value);
      assert.equal(r.sources[c.path], c.source);
    });
  }

  it("reads JSON files too", () => {
    const p = file(
      "engine.json",
      JSON.stringify({ markets: ["KXEX-26MAR10-A"], actionSpace: 21, policy: "rules" }),
    );
    const c = loadConfig({ file: p, env: {}, flags: {} });
    assert.deepEqual(c.markets, { kind: "tickers", tickers: ["KXEX-26MAR10-A"] });
    assert.equal(c.actionSpace, 21);
    assert.equal(c.policy, "rules");
  });

  it("returns a deeply frozen object", () => {
    const c = load({}).config;
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.risk));
    assert.ok(Object.isFrozen(c.paper));
    assert.throws(() => {
      (c.risk as { maxOrdersPerSecond: number }).maxOrdersPerSecond = 1000;
    }, TypeError);
  });
});

describe("loadConfig errors name the field, value, source and fix", () => {
  const badYaml = file("bad.yaml", "risk:\n  maxContractsPerMarket: 0\nthrotleMs: 5\npaperMarkets: 3\n");
  const cases: Array<[string, Partial<LoadConfigInput>, string | RegExp]> = [
    [
      "a negative limit from a flag",
      { flags: { maxContractsPerMarket: "-5" } },
      "config error: risk.maxContractsPerMarket = -5 (from flag --max-contracts-per-market): must be a positive number",
    ],
    [
      "a non-number from env",
      { env: { KALSHI_ENGINE_LOOP_BUDGET_MS: "fast" } },
      'config error: loopBudgetMs = "fast" (from env KALSHI_ENGINE_LOOP_BUDGET_MS): must be a positive number',
    ],
    [
      "an unknown exchange",
      { env: { KALSHI_ENGINE_EXCHANGE: "live" } },
      'config error: exchange = "live" (from env KALSHI_ENGINE_EXCHANGE): must be one of "paper", "demo", "prod"',
    ],
    [
      "an unsupported action space",
      { flags: { actionSpace: "7" } },
      "config error: actionSpace = 7 (from flag --action-space): must be 5 or 21",
    ],
    [
      "a fractional contract size",
      { flags: { contractSize: "2.5" } },
      "config error: contractSize = 2.5 (from flag --contract-size): must be a positive integer",
    ],
    [
      "lower-case tickers",
      { flags: { markets: "kxex-a" } },
      /^config error: markets = \["kxex-a"\] \(from flag --markets\): must be Kalshi tickers/,
    ],
    [
      "a fault rate above 1",
      { flags: { paperFeedFaultRate: "1.5" } },
      "config error: paper.feedFaultRate = 1.5 (from flag --paper-feed-fault-rate): must be a probability from 0 to 1",
    ],
    [
      "a port out of range",
      { env: { KALSHI_ENGINE_STATS_PORT: "70000" } },
      "config error: statsPort = 70000 (from env KALSHI_ENGINE_STATS_PORT): must be a port number 0..65535",
    ],
    [
      "a ws URL with an http scheme",
      { flags: { wsUrl: "https://x.test/ws" } },
      'config error: wsUrl = "https://x.test/ws" (from flag --ws-url): must be a ws or wss URL',
    ],
    [
      "prod without credentials",
      { flags: { exchange: "prod" } },
      'config error: keyId is not set (required for exchange "prod", from flag --exchange): set KALSHI_ENGINE_KEY_ID, --key-id or "keyId" in the config file',
    ],
    [
      "a running paper exchange with only one of its URLs",
      { flags: { restUrl: "http://127.0.0.1:9000/trade-api/v2" } },
      'config error: restUrl and wsUrl go together for exchange "paper": give both to trade on a running paper exchange, or neither to start an embedded one',
    ],
    [
      "a running paper exchange without credentials",
      { flags: { restUrl: "http://127.0.0.1:9000/trade-api/v2", wsUrl: "ws://127.0.0.1:9000/ws" } },
      'config error: keyFile is not set (required for a running paper exchange, restUrl from flag --rest-url): set KALSHI_ENGINE_KEY_FILE, --key-file or "keyFile" in the config file',
    ],
    [
      "a key file that does not exist",
      { flags: { exchange: "demo", keyId: "k", keyFile: join(dir, "missing.pem") } },
      /^config error: keyFile = ".*missing\.pem" \(from flag --key-file\): file does not exist/,
    ],
    [
      "a non-loopback stats host without a control token",
      { flags: { statsHost: "0.0.0.0" } },
      /^config error: controlToken is not set \(required because statsHost = "0\.0\.0\.0" \(from flag --stats-host\) is not a loopback address\): set KALSHI_ENGINE_CONTROL_TOKEN/,
    ],
    [
      "a short control token",
      { env: { KALSHI_ENGINE_CONTROL_TOKEN: "short" } },
      'config error: controlToken = "short" (from env KALSHI_ENGINE_CONTROL_TOKEN): must be at least 16 characters',
    ],
    [
      "a file with several problems reports each",
      { file: badYaml },
      /maxContractsPerMarket = 0 \(from file .*bad\.yaml\)/,
    ],
    [
      "an unknown file field suggests the right name",
      { file: badYaml },
      /throtleMs = 5 \(from file .*bad\.yaml\): unknown field; did you mean throttleMs\?/,
    ],
    [
      "a flat paper option in a file points at the nested one",
      { file: badYaml },
      /did you mean paper\.markets\?/,
    ],
    [
      "an unknown file extension",
      { file: file("engine.toml", "") },
      /unknown extension "\.toml"; use \.json, \.yaml or \.yml/,
    ],
    ["an unparseable file", { file: file("broken.json", "{") }, /cannot parse config file .*broken\.json/],
    [
      "a file that is not an object",
      { file: file("list.yaml", "- a\n- b\n") },
      /must hold an object of fields/,
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const message = errorOf(input);
      if (typeof expected === "string") assert.ok(message.split("\n").includes(expected), message);
      else assert.match(message, new RegExp(expected.source, "m"));
    });
  }
});

describe("loadConfig control token and warnings", () => {
  it("generates a token on loopback and saves it to a 0600 file, printing only the path", () => {
    const journalDir = join(dir, "journal");
    const c = load({ flags: { journalDir } }).config;
    assert.equal(c.controlTokenSource, "generated");
    assert.equal(c.controlToken, "generated-0123456789");
    const notice = saveGeneratedControlToken(c)!;
    assert.ok(!notice.includes(c.controlToken));
    const path = join(journalDir, "control-token");
    assert.match(notice, new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal(readFileSync(path, "utf8"), `${c.controlToken}\n`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("uses a configured token, and warns when it came from a flag", () => {
    const r = load({ flags: { controlToken: TOKEN, statsHost: "0.0.0.0" } });
    assert.equal(r.config.controlToken, TOKEN);
    assert.equal(r.config.controlTokenSource, "config");
    assert.equal(saveGeneratedControlToken(r.config), undefined);
    assert.match(r.warnings.join("\n"), /process list/);
  });

  it("warns about unknown KALSHI_ENGINE_ variables with a suggestion", () => {
    const r = load({ env: { KALSHI_ENGINE_THROTLE_MS: "5", PATH: "/bin" } });
    assert.deepEqual(r.warnings, [
      "unknown environment variable KALSHI_ENGINE_THROTLE_MS; did you mean KALSHI_ENGINE_THROTTLE_MS?",
    ]);
  });
});

describe("configuration surface", () => {
  it("commander options map back onto loadConfig flags", () => {
    const cmd = registerConfigOptions(new Command().exitOverride());
    cmd.parse(["--max-contracts-per-market", "7", "--markets", "KXEX-A,KXEX-B", "--config", "x.yaml"], {
      from: "user",
    });
    const c = load({ flags: cmd.opts() }).config;
    assert.equal(c.risk.maxContractsPerMarket, 7);
    assert.deepEqual(c.markets, { kind: "tickers", tickers: ["KXEX-A", "KXEX-B"] });
  });

  it("docs/configuration.md documents every field, flag and env var", () => {
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    for (const f of CONFIG_FIELDS) {
      for (const needle of [`\`${f.path}\``, `\`${f.flag}\``, `\`${envNameOf(f)}\``]) {
        assert.ok(doc.includes(needle), `docs/configuration.md mentions ${needle}`);
      }
    }
  });
});

/**
 * Every CLI error path: a user error prints one line and exits 2, a runtime failure prints one
 * line and exits 1, and no stack trace reaches stderr unless --debug is given.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "kalshi-engine-cli-errors-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: root, timeout: 90_000, env: { ...process.env, KALSHI_ENGINE_LOG_LEVEL: "warn", ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One line on stderr, naming `what`, no stack frame, and the given exit code. */
function assertOneLine(r: Result, code: number, what: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.ok(!r.stderr.includes("    at "), `no stack trace: ${r.stderr}`);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{"));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], what);
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

const FIXTURE = "test/fixtures/ex1.ndjson";

describe("CLI user errors: one line, exit 2", { concurrency: 2 }, () => {
  it("features without --market", async () => {
    assertOneLine(await cli(["features", "--capture", FIXTURE]), 2, /--market/);
  });
  it("book on a missing capture", async () => {
    assertOneLine(await cli(["book", "--capture", "/missing/capture.ndjson"]), 2, /--capture .*no such file/);
  });
  it("features on a missing capture", async () => {
    const r = await cli(["features", "--capture", "/missing.ndjson", "--market", "KX"]);
    assertOneLine(r, 2, /no such file/);
  });
  it("book --max-markets that is not a number", async () => {
    assertOneLine(await cli(["book", "--capture", FIXTURE, "--max-markets", "x"]), 2, /--max-markets/);
  });
  it("an unknown option", async () => {
    assertOneLine(await cli(["run", "--bogus"]), 2, /unknown option '--bogus'/);
  });
  it("an unknown command", async () => {
    assertOneLine(await cli(["nosuch"]), 2, /unknown command/);
  });
  it("run --status-every abc", async () => {
    assertOneLine(await cli(["run", "--status-every", "abc"]), 2, /--status-every must be a number/);
  });
  it("a bad configuration value", async () => {
    assertOneLine(await cli(["run", "--markets", "abc,"]), 2, /markets/);
  });
  it("paper with a bad --markets", async () => {
    assertOneLine(await cli(["paper", "--markets", "x"]), 2, /--markets must be an integer/);
  });
  it("paper with an unknown fault kind", async () => {
    assertOneLine(await cli(["paper", "--fault-kinds", "meteor"]), 2, /unknown fault kind "meteor"/);
  });

  it("run with a missing or unloadable model stops before the paper exchange starts", async () => {
    const journal = join(tmp, "model-journal");
    const missing = await cli(["run", "--model", "/missing.onnx", "--journal-dir", journal]);
    assertOneLine(missing, 2, /--model \/missing\.onnx: no such file/);
    const notOnnx = join(tmp, "not-a-model.onnx");
    writeFileSync(notOnnx, "not a model");
    const bad = await cli(["run", "--model", notOnnx, "--journal-dir", journal]);
    assertOneLine(bad, 2, /--model .*not-a-model\.onnx: /);
    assert.equal(existsSync(join(journal, "paper")), false, "no paper run was started");
  });

  it("run on a busy stats port stops before the paper exchange starts", async () => {
    const busy = await listen();
    try {
      const port = (busy.address() as { port: number }).port;
      const journal = join(tmp, "port-journal");
      const r = await cli(["run", "--stats-port", String(port), "--journal-dir", journal]);
      assertOneLine(r, 2, new RegExp(`--stats-port ${port}: already in use`));
      assert.equal(existsSync(join(journal, "paper")), false, "no paper run was started");
    } finally {
      busy.close();
    }
  });

  it("run with a journal directory that cannot be created", async () => {
    const file = join(tmp, "not-a-dir");
    writeFileSync(file, "");
    const r = await cli(["run", "--journal-dir", join(file, "journal"), "--stats-port", "0"]);
    assertOneLine(r, 2, /--journal-dir .*not-a-dir\/journal: cannot create it/);
  });
  it("features export refuses to overwrite a dataset without --force", async () => {
    const out = join(tmp, "dataset");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "meta.json"), '{"rows":162000}');
    const refused = await cli(["features", "export", "--capture", FIXTURE, "--out", out]);
    assertOneLine(refused, 2, /already holds a dataset.*--force/);
    assert.equal(readFileSync(join(out, "meta.json"), "utf8"), '{"rows":162000}', "nothing overwritten");
    const forced = await cli(["features", "export", "--capture", FIXTURE, "--out", out, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(join(out, "meta.json"), "utf8"), '{"rows":162000}');
  });
});

describe("CLI runtime failures: one line, exit 1", () => {
  it("run against an exchange that does not answer", async () => {
    const closed = await listen();
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const key = join(tmp, "key.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(key, privateKey.export({ type: "pkcs8", format: "pem" }) as string);
    const args = ["run", "--rest-url", `http://127.0.0.1:${port}/trade-api/v2`];
    args.push("--ws-url", `ws://127.0.0.1:${port}`, "--key-id", "k", "--key-file", key);
    args.push("--stats-port", "0", "--journal-dir", join(tmp, "runtime-journal"));
    const r = await cli(args);
    assertOneLine(r, 1, /^kalshi-engine: engine failed to start: /);
    const debug = await cli([...args, "--debug"]);
    assert.equal(debug.code, 1);
    assert.ok(debug.stderr.includes("    at "), "--debug prints the stack");
  });
});

describe("run when its orders thread dies", () => {
  it("cancels what rests from io, prints the summary with the halt, says why in one line, exits 1", async () => {
    const args = ["run", "--policy", "rules", "--stats-port", "0", "--duration", "80", "--json"];
    args.push("--journal-dir", join(tmp, "orders-death-journal"));
    const r = await cli(args, { KALSHI_INJECT_ORDERS_EXIT_S: "6" });
    assertOneLine(r, 1, /^kalshi-engine: failed: orders thread exited/);
    const line = r.stdout.split("\n").find((l) => l.startsWith('{"summary"'));
    assert.ok(line, `a summary: ${r.stdout}`);
    const summary = JSON.parse(line).summary as {
      halted: string | null;
      emergency_cancel: { stillResting: number } | null;
    };
    assert.match(String(summary.halted), /^orders_thread: orders thread exited/);
    assert.equal(summary.emergency_cancel?.stillResting, 0, line);
  });
});

describe("CLI help and version", () => {
  it("--version prints the package version", async () => {
    const r = await cli(["--version"]);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });
  it("run --help shows every default", async () => {
    const r = await cli(["run", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--markets <tickers\|n>.*\(default: 20\)/s);
    assert.match(r.stdout, /--stats-port <port>.*\(default: 9470\)/s);
    assert.match(r.stdout, /--status-every <seconds>.*\(default: 5\)/s);
  });
  it("every command's help shows its defaults as they are typed, never quoted", async () => {
    for (const command of [["run"], ["paper"], ["book"], ["features", "export"], ["backtest"], ["doctor"]]) {
      const r = await cli([...command, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\(default: /, `${command.join(" ")} shows defaults`);
      assert.doesNotMatch(r.stdout, /default: "/, `${command.join(" ")}: ${r.stdout}`);
    }
  });
  it("make run passes ARGS to the engine and echoes nothing to stdout", async () => {
    const r = await new Promise<Result>((resolve) =>
      execFile("make", ["-n", "-s", "run", "ARGS=--markets 200"], { cwd: root }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    if (r.code !== 0 && /not found|ENOENT/.test(r.stderr)) return;
    assert.match(r.stdout, /dist\/cli\/main\.js run --markets 200/);
    const makefile = readFileSync(join(root, "Makefile"), "utf8");
    const recipe = makefile.slice(makefile.indexOf("\nrun:"));
    assert.match(recipe, /\n\t@\$\(NODE\) dist\/cli\/main\.js run \$\(ARGS\)/, "the run recipe is silent");
  });
});

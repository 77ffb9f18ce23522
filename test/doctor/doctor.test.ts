/**
 * `kalshi-engine doctor` against the paper exchange over real sockets: all checks pass on a
 * healthy exchange; a wrong key fails signing and the WebSocket; a paused shard and a maintenance
 * window are warnings; exit code 0 only when every check is ok; `--json` for scripts.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { exitCodeOf, runDoctor } from "../../src/doctor/checks.js";
import { type PaperExchangeHandle, startPaperExchange } from "../../src/paper/index.js";

const HOUR = 3_600_000;

describe("doctor against the paper exchange", () => {
  let px: PaperExchangeHandle;
  let paused: PaperExchangeHandle;
  let dir: string;
  before(async () => {
    px = await startPaperExchange({ markets: 12, ratePerSec: 0 });
    const now = Date.now();
    paused = await startPaperExchange({
      markets: 12,
      ratePerSec: 0,
      pauses: [{ startMs: now - 60_000, endMs: now + HOUR, shard: 2 }],
    });
    dir = mkdtempSync(join(tmpdir(), "doctor-test-"));
  });
  after(async () => {
    await px.close();
    await paused.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (p: PaperExchangeHandle, keyFile = p.keyFile) => ({
    name: "paper",
    restUrl: p.restUrl,
    wsUrl: p.wsUrl,
    keyId: p.keyId,
    keyFile,
  });

  test("a healthy exchange and key: every check ok, one per shard for the status", async () => {
    const r = await runDoctor(target(px));
    assert.deepEqual(
      r.map((c) => c.name),
      [
        "key",
        "sign",
        "clock",
        "status shard 0",
        "status shard 1",
        "status shard 2",
        "schedule",
        "limits",
        "balance",
        "markets",
        "websocket",
      ],
    );
    for (const c of r) assert.equal(c.status, "ok", `${c.name}: ${c.detail}`);
    assert.equal(exitCodeOf(r), 0);
    const markets = r.find((c) => c.name === "markets")!;
    assert.match(markets.detail, /^12 open markets \(combos excluded\); shards 0×4, 1×4, 2×4;/);
  });

  test("a key the exchange does not know: signing and the WebSocket fail, exit 1", async () => {
    const other = join(dir, "other.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(other, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const r = await runDoctor(target(px, other));
    const by = new Map(r.map((c) => [c.name, c]));
    assert.equal(by.get("key")!.status, "ok");
    assert.equal(by.get("sign")!.status, "fail");
    assert.match(by.get("sign")!.detail, /refused the signature \(401/);
    assert.equal(by.get("websocket")!.status, "fail");
    assert.match(by.get("websocket")!.detail, /upgrade refused \(401\)/);
    assert.equal(exitCodeOf(r), 1);
  });

  test("a key file that is not a key fails the key check with what to do", async () => {
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a key", { mode: 0o600 });
    const r = await runDoctor(target(px, junk));
    assert.equal(r[0]!.status, "fail");
    assert.match(r[0]!.detail, /--key-file/);
  });

  test("a paused shard is a warning naming the resume time; the window shows in the schedule", async () => {
    const r = await runDoctor(target(paused));
    const by = new Map(r.map((c) => [c.name, c]));
    assert.equal(by.get("status shard 0")!.status, "ok");
    assert.equal(by.get("status shard 2")!.status, "warn");
    assert.match(by.get("status shard 2")!.detail, /trading paused until \d{4}-/);
    assert.equal(by.get("schedule")!.status, "warn");
    assert.match(by.get("schedule")!.detail, /\(shard 2\)/);
    assert.equal(exitCodeOf(r), 1);
  });

  test("the CLI prints one JSON object with --json and exits 1 when a check is not ok", async () => {
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/cli/main.ts",
          "doctor",
          "--exchange",
          "paper",
          "--rest-url",
          paused.restUrl,
          "--ws-url",
          paused.wsUrl,
          "--key-id",
          paused.keyId,
          "--key-file",
          paused.keyFile,
          "--json",
        ],
        { timeout: 60_000 },
        (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    assert.equal(out.code, 1);
    const j = JSON.parse(out.stdout);
    assert.equal(j.ok, false);
    assert.ok(
      j.checks.some(
        (c: { name: string; status: string }) => c.name === "status shard 2" && c.status === "warn",
      ),
    );
  });
});

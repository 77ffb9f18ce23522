import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { captureLine } from "../../src/cli/log-command.js";
import { parseCaptureText } from "../../src/record/capture-reader.js";
import { importCapture } from "../../src/record/log-import.js";
import { logInfo } from "../../src/record/log-info.js";
import { type LogFrame, type LogReadStats, logFrames } from "../../src/record/log-reader.js";

const FIXTURES = new URL("../fixtures/", import.meta.url);
const captures = readdirSync(FIXTURES).filter((f) => f.endsWith(".ndjson"));
const tmp = () => mkdtempSync(join(tmpdir(), "log-tools-"));
const fail = () => assert.fail("no malformed lines expected");

async function framesOf(dir: string, stats?: LogReadStats): Promise<LogFrame[]> {
  const out: LogFrame[] = [];
  for await (const f of logFrames(dir, stats)) out.push(f);
  return out;
}

function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });
}

describe("log import / cat / info", () => {
  for (const name of captures) {
    it(`capture → log → capture keeps every frame byte for byte (${name})`, async () => {
      const path = new URL(name, FIXTURES).pathname;
      const records = parseCaptureText(readFileSync(path, "utf8"));
      const dir = join(tmp(), "log");
      const summary = await importCapture(path, dir, fail);
      assert.equal(summary.records, records.length);
      const back = await framesOf(dir);
      assert.deepEqual(
        back.map((f) => [f.recvMs, f.frame]),
        records.map((r) => [r.recvMs, r.frame]),
      );
      // and again: the capture written by `log cat` imports to identical segment bytes
      const again = join(tmp(), "again.ndjson");
      writeFileSync(again, back.map((f) => captureLine(f.recvMs, f.frame)).join(""));
      const dir2 = join(tmp(), "log");
      await importCapture(again, dir2, fail);
      assert.deepEqual(
        readFileSync(join(dir2, "feed-000001.kfl")),
        readFileSync(join(dir, "feed-000001.kfl")),
      );
    });
  }

  it("a torn tail (writer killed mid-record) is skipped and counted; the rest reads", async () => {
    const dir = join(tmp(), "log");
    const capture = join(tmp(), "c.ndjson");
    const lines = Array.from({ length: 50 }, (_, i) => captureLine(1_000 + i, `{"type":"x","i":${i}}`));
    writeFileSync(capture, lines.join(""));
    await importCapture(capture, dir, fail, { maxBytes: 1024, maxSeconds: Number.POSITIVE_INFINITY });
    const segments = readdirSync(dir)
      .filter((n) => n.startsWith("feed-"))
      .sort();
    assert.ok(segments.length >= 2);
    const last = join(dir, segments.at(-1)!);
    truncateSync(last, readFileSync(last).length - 3);
    const stats: LogReadStats = { segments: 0, records: 0, bytes: 0, tornTails: [] };
    const frames = await framesOf(dir, stats);
    assert.equal(frames.length, 49);
    assert.deepEqual(frames.at(-1), {
      recvMs: 1_048,
      recvUs: 1_048_000,
      connection: 0,
      frame: '{"type":"x","i":48}',
    });
    assert.equal(stats.tornTails.length, 1);
    assert.ok(stats.tornTails[0]!.bytes > 0);
    const info = logInfo(dir, 16);
    assert.equal(info.frames, 49);
    assert.equal(info.torn_tails.length, 1);
    const cat = cli(["log", "cat", dir]);
    assert.equal(cat.status, 0);
    assert.equal(cat.stdout, lines.slice(0, 49).join(""));
    assert.match(cat.stderr, /torn tail of \d+ bytes skipped/);
  });

  it("info counts frames by type, markets and sequence gaps as the engine sees them", async () => {
    const snapshot = (t: string, seq: number) =>
      `{"type":"orderbook_snapshot","sid":1,"seq":${seq},"msg":{"market_ticker":"${t}","yes_dollars_fp":[["0.4000","10.00"]],"no_dollars_fp":[["0.5000","10.00"]]}}`;
    const delta = (t: string, seq: number) =>
      `{"type":"orderbook_delta","sid":1,"seq":${seq},"msg":{"market_ticker":"${t}","price_dollars":"0.4000","delta_fp":"1.00","side":"yes"}}`;
    const frames = [
      '{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}',
      snapshot("A", 1),
      snapshot("B", 2),
      delta("A", 3),
      delta("B", 5), // seq 4 lost
    ];
    const capture = join(tmp(), "c.ndjson");
    writeFileSync(capture, frames.map((f, i) => captureLine(1_773_153_000_000 + i * 1000, f)).join(""));
    const dir = join(tmp(), "log");
    await importCapture(capture, dir, fail);
    const info = logInfo(dir, 16);
    assert.equal(info.frames, 5);
    assert.deepEqual(info.frames_by_type, { orderbook_snapshot: 2, subscribed: 1, orderbook_delta: 2 });
    assert.equal(info.markets, 2);
    assert.equal(info.gaps, 1);
    assert.equal(info.duration_s, 4);
    assert.equal(info.first_recv, new Date(1_773_153_000_000).toISOString());
  });

  it("user errors are one line and exit 2", () => {
    const missing = cli(["log", "info", join(tmp(), "nope")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^kalshi-engine: .*no such log directory\n$/);
    const dir = join(tmp(), "log");
    const first = cli(["log", "import", "test/fixtures/ex1.ndjson", "--out", dir]);
    assert.equal(first.status, 0, first.stderr);
    const again = cli(["log", "import", "test/fixtures/ex1.ndjson", "--out", dir]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already holds a log/);
    assert.equal(cli(["log", "cat", dir, "--format", "csv"]).status, 2);
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { replayBook } from "../../src/cli/book-command.js";

// capture-format.md example, plus a gap, a negative level and two malformed lines.
const CAPTURE = [
  "# capture of 2026-03-10",
  `{"recv_ms": 1773152999500, "frame": "{\\"id\\":1,\\"type\\":\\"subscribed\\",\\"msg\\":{\\"channel\\":\\"orderbook_delta\\",\\"sid\\":1}}"}`,
  `{"recv_ms": 1773153000000, "frame": "{\\"type\\":\\"orderbook_snapshot\\",\\"sid\\":1,\\"seq\\":1,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-A\\",\\"yes_dollars_fp\\":[[\\"0.4150\\",\\"50.00\\"],[\\"0.4200\\",\\"100.00\\"]],\\"no_dollars_fp\\":[[\\"0.5500\\",\\"80.00\\"]]}}"}`,
  `{"recv_ms": 1773153000041, "frame": "{\\"type\\":\\"orderbook_delta\\",\\"sid\\":1,\\"seq\\":2,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-A\\",\\"price_dollars\\":\\"0.4200\\",\\"delta_fp\\":\\"-12.50\\",\\"side\\":\\"yes\\",\\"ts_ms\\":1773153000007}}"}`,
  "this line is not json",
  `{"recv_ms": "soon", "frame": "{}"}`,
  `{"recv_ms": 1773153000052, "frame": "{\\"type\\":\\"orderbook_snapshot\\",\\"sid\\":1,\\"seq\\":3,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-B\\",\\"yes_dollars_fp\\":[[\\"0.1000\\",\\"5.00\\"]]}}"}`,
  `{"recv_ms": 1773153000060, "frame": "{\\"type\\":\\"orderbook_delta\\",\\"sid\\":1,\\"seq\\":5,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-A\\",\\"price_dollars\\":\\"0.4150\\",\\"delta_fp\\":\\"1.00\\",\\"side\\":\\"yes\\"}}"}`,
  `{"recv_ms": 1773153000070, "frame": "{\\"type\\":\\"ticker\\",\\"sid\\":3,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-A\\"}}"}`,
].join("\n");

function captureFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "book-cli-")), "capture.ndjson");
  writeFileSync(file, `${CAPTURE}\n`);
  return file;
}

async function run(market?: string) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errs: string[] = [];
  out.on("data", (c) => chunks.push(String(c)));
  err.on("data", (c) => errs.push(String(c)));
  const summary = await replayBook({ capture: captureFile(), market, capacity: 16, out, err });
  const lines = chunks
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { summary, lines, errs: errs.join("") };
}

describe("kalshi-engine book", () => {
  it("prints the top of book after every frame that touched a market", async () => {
    const { lines } = await run();
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0], {
      market: "KXEX-26MAR10-A",
      sid: 1,
      seq: 1,
      applied: true,
      stale: false,
      yes_bid: "0.4200",
      yes_bid_size: "100.00",
      no_bid: "0.5500",
      no_bid_size: "80.00",
      yes_ask: "0.4500",
      no_ask: "0.5800",
    });
    assert.equal(lines[1].yes_bid_size, "87.50");
    assert.deepEqual(
      { ...lines[2], market: lines[2].market },
      {
        market: "KXEX-26MAR10-B",
        sid: 1,
        seq: 3,
        applied: true,
        stale: false,
        yes_bid: "0.1000",
        yes_bid_size: "5.00",
        no_bid: null,
        no_bid_size: null,
        yes_ask: null,
        no_ask: "0.9000",
      },
    );
    // seq 4 is missing: the delta is not applied and its market is stale
    assert.equal(lines[3].applied, false);
    assert.equal(lines[3].stale, true);
  });

  it("filters one market, reports malformed lines with their numbers and summarises", async () => {
    const { lines, errs, summary } = await run("KXEX-26MAR10-B");
    assert.equal(lines.length, 1);
    assert.match(errs, /capture\.ndjson:5: skipped malformed line/);
    assert.match(errs, /capture\.ndjson:6: skipped malformed line/);
    assert.equal(summary.lines_malformed, 2);
    assert.equal(summary.frames, 6);
    assert.equal(summary.applied, 3);
    assert.equal(summary.gaps, 1);
    assert.equal(summary.rejected.stale, 1);
    assert.deepEqual(summary.stale_markets.sort(), ["KXEX-26MAR10-A", "KXEX-26MAR10-B"]);
  });

  it("runs as a command: JSON lines on stdout, the summary on stderr", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "book", "--capture", captureFile()],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, 4);
    assert.match(r.stderr, /"summary":\{"lines_malformed":2/);
  });
});

/**
 * Features from logs: `features --log` prints exactly what `features --capture` prints for the
 * same frames (every capture in test/fixtures, every market), and `features export --log
 * --format parquet` holds the same rows as the npy export, with the next-update mid label.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { FEATURE_NAMES } from "../../src/features/names.js";
import { readNpy } from "../../src/features/npy.js";
import { parseCaptureText } from "../../src/record/capture-reader.js";
import { importCapture } from "../../src/record/log-import.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const captures = readdirSync(FIXTURES).filter((f) => f.endsWith(".ndjson"));

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
}

const tickersOf = (path: string) =>
  [
    ...new Set(
      parseCaptureText(readFileSync(path, "utf8"))
        .map((r) => /"market_ticker":"([^"]+)"/.exec(r.frame)?.[1])
        .filter((t): t is string => t !== undefined),
    ),
  ].sort();

describe("features from logs", () => {
  for (const name of captures) {
    it(`features --log prints what features --capture prints (${name})`, async () => {
      const capture = join(FIXTURES, name);
      const log = join(mkdtempSync(join(tmpdir(), "feat-log-")), "log");
      await importCapture(capture, log, () => assert.fail("fixture lines are well-formed"));
      const tickers = tickersOf(capture);
      assert.ok(tickers.length > 0);
      for (const t of tickers) {
        const fromCapture = await cli("features", "--capture", capture, "--market", t);
        const fromLog = await cli("features", "--log", log, "--market", t);
        assert.ok(fromCapture.stdout.length > 0);
        assert.equal(fromLog.stdout, fromCapture.stdout);
      }
    });
  }

  it("export --format parquet: the npy rows, named columns and next-update mid labels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "feat-export-"));
    const logs = [];
    for (const name of ["ex2.ndjson", "ex3.ndjson"]) {
      const log = join(dir, name.replace(".ndjson", ""));
      await importCapture(join(FIXTURES, name), log, () => assert.fail("well-formed"));
      logs.push(log);
    }
    await cli("features", "export", "--log", ...logs, "--out", join(dir, "npy"));
    const pq = await cli(
      "features",
      "export",
      "--log",
      ...logs,
      "--out",
      join(dir, "pq"),
      "--format",
      "parquet",
    );
    assert.match(pq.stderr, /rows → .* \(parquet\)/);
    const npy = readNpy(join(dir, "npy", "observations.npy"));
    const index = readFileSync(join(dir, "npy", "index.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1);
    const rows = (await parquetReadObjects({
      file: await asyncBufferFromFile(join(dir, "pq", "observations.parquet")),
    })) as Array<Record<string, unknown>>;
    assert.equal(rows.length, npy.rows);
    assert.ok(rows.length > 5);
    for (let r = 0; r < rows.length; r++) {
      const [, market, tsMs, seq, recvMs] = index[r]!.split(",");
      const row = rows[r]!;
      assert.equal(row.market, market);
      assert.equal((row.time as Date).getTime(), Number(tsMs));
      assert.equal((row.recv_time as Date).getTime(), Number(recvMs));
      assert.equal(row.seq === null ? "" : String(row.seq), seq);
      for (const [j, f] of FEATURE_NAMES.entries())
        assert.equal(row[f], npy.data[r * 52 + j], `row ${r} ${f}`);
    }
    // labels: null exactly on each market's last row of a source (no next update), else a mid
    const meta = JSON.parse(readFileSync(join(dir, "pq", "meta.json"), "utf8"));
    assert.equal(meta.format, "parquet");
    for (const s of meta.sources as Array<{ first_row: number; rows: number }>) {
      const seen = new Set<string>();
      for (let r = s.first_row + s.rows - 1; r >= s.first_row; r--) {
        const row = rows[r]!;
        const last = !seen.has(row.market as string);
        seen.add(row.market as string);
        if (last) assert.equal(row.next_mid, null, `row ${r} is its market's last`);
        else assert.equal(typeof row.next_mid, "number");
      }
    }
    const again = await cli(
      "features",
      "export",
      "--log",
      logs[0]!,
      "--out",
      join(dir, "pq"),
      "--format",
      "parquet",
    ).catch((e: { code: number; stderr: string }) => e);
    assert.equal((again as { code: number }).code, 2);
    assert.match((again as { stderr: string }).stderr, /add --force/);
    // nothing was touched by the refusal; --force replaces the dataset
    assert.equal(JSON.parse(readFileSync(join(dir, "pq", "meta.json"), "utf8")).sources.length, 2);
    const forced = await cli(
      "features",
      "export",
      "--log",
      logs[0]!,
      "--out",
      join(dir, "pq"),
      "--format",
      "parquet",
      "--force",
    );
    assert.match(forced.stderr, /rows → .* \(parquet\)/);
    assert.equal(JSON.parse(readFileSync(join(dir, "pq", "meta.json"), "utf8")).sources.length, 1);
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { float32ToShortestString } from "../../src/features/float32-format.js";
import { FEATURE_NAMES } from "../../src/features/names.js";
import { readNpy } from "../../src/features/npy.js";
import { assertClose, fixturePath } from "./helpers.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "features", ...args],
    {
      cwd: root,
      maxBuffer: 64 << 20,
    },
  );
  return stdout;
}

function parseLines(stdout: string): number[][] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as number[]);
}

const EX1 = [
  0.42, 0.45, 0.55, 0.58, 0.435, 0.565, 0.03, 0.436667, 0.068966, 0.053097, 0.25, 0.111111, 0.501075,
  0.477116, 0.623358, 0.090909, 0.130435, 0.544738, 0.525087, 0.011595, 0.436957, 0.563043, 0.3, 0.008519,
  0.740741, 0.57971,
];
const EX3 = [
  0,
  1 / 7,
  1 / 60,
  0,
  0.1,
  0,
  0,
  0,
  0.1,
  0.5,
  0.859522,
  0.095353,
  0.3,
  0.056833,
  0.666667,
  0.333333,
  0.391432,
  0.046737,
  0.1,
  0.002095,
  0.091593,
  1,
  1,
  0.045,
  0.035,
  0.1,
];

describe("kalshi-engine features (real CLI process)", () => {
  let dir = "";
  let ex3Lines: number[][] = [];
  let ex2Lines: number[][] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "features-cli-"));
    const portfolio = fixturePath("ex3-portfolio.json");
    const [ex3, ex2] = await Promise.all([
      cli("--capture", fixturePath("ex3.ndjson"), "--market", "KXEX-26MAR10-A", "--portfolio", portfolio),
      cli("--capture", fixturePath("ex2.ndjson"), "--market", "KXEX-26MAR10-T", "--portfolio", portfolio),
    ]);
    ex3Lines = parseLines(ex3);
    ex2Lines = parseLines(ex2);
    await cli(
      "export",
      "--capture",
      fixturePath("ex2.ndjson"),
      fixturePath("ex3.ndjson"),
      "--out",
      join(dir, "ds"),
      "--portfolio",
      portfolio,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints example 3's observation of A: one line of 52 values matching §11 at 1e−5", () => {
    assert.equal(ex3Lines.length, 1);
    assert.equal(ex3Lines[0].length, 52);
    assertClose(ex3Lines[0], EX1, 1e-5, "market block");
    assertClose(ex3Lines[0], EX3, 1e-5, "temporal, portfolio, order", 26);
  });

  it("prints each float32 as its shortest round-tripping decimal", () => {
    assert.equal(ex2Lines.length, 7);
    for (const row of [...ex3Lines, ...ex2Lines])
      for (const x of row) assert.equal(float32ToShortestString(Math.fround(x)), String(x));
  });

  it("export writes every market's observations; they equal the CLI lines bit for bit", () => {
    const npy = readNpy(join(dir, "ds", "observations.npy"));
    const index = readFileSync(join(dir, "ds", "index.csv"), "utf8")
      .trim()
      .split("\n");
    const meta = JSON.parse(readFileSync(join(dir, "ds", "meta.json"), "utf8"));
    assert.equal(npy.cols, 52);
    assert.equal(index[0], "row,market,ts_ms,seq,recv_ms");
    // ex2: 7 updates of T; ex3: 2 of B and 1 of A.
    assert.equal(npy.rows, 10);
    assert.equal(index.length, 11);
    assert.equal(meta.rows, 10);
    assert.equal(meta.observation_version, "observation-v1");
    assert.deepEqual(meta.feature_names, FEATURE_NAMES);
    assert.deepEqual(
      meta.sources.map((c: { first_row: number; rows: number }) => [c.first_row, c.rows]),
      [
        [0, 7],
        [7, 3],
      ],
    );
    const rowsOf = (market: string) =>
      index
        .slice(1)
        .map((l) => l.split(","))
        .filter((c) => c[1] === market)
        .map((c) => Array.from(npy.data.subarray(Number(c[0]) * 52, Number(c[0]) * 52 + 52)));
    const asFloat32 = (lines: number[][]) => lines.map((l) => l.map(Math.fround));
    assert.deepEqual(rowsOf("KXEX-26MAR10-T"), asFloat32(ex2Lines));
    assert.deepEqual(rowsOf("KXEX-26MAR10-A"), asFloat32(ex3Lines));
    // u7 of example 2: effective time T0 + 700 s although its ts_ms is 50 ms earlier; seq 7.
    assert.equal(index[7], "6,KXEX-26MAR10-T,1773153700000,7,1773153700040");
  });
});

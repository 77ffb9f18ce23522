import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import {
  CaptureChunkDecoder,
  type CaptureReadOptions,
  type CaptureRecord,
  completeUtf8Length,
  newCaptureReadStats,
  parseCaptureLine,
  parseCaptureText,
  readCapture,
  readCaptureBatches,
} from "../../src/record/capture-reader.js";

const dir = mkdtempSync(join(tmpdir(), "capture-reader-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
function writeCapture(text: string | Buffer): string {
  const path = join(dir, `capture-${fileCounter++}.ndjson`);
  writeFileSync(path, text);
  return path;
}

async function readAll(path: string, options: CaptureReadOptions = {}): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for await (const rec of readCapture(path, options)) out.push(rec);
  return out;
}

const frameA =
  '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"price_dollars":"0.4200","delta_fp":"-12.50"}}';
const lineA = JSON.stringify({ recv_ms: 1773153000041, frame: frameA });

describe("parseCaptureLine", () => {
  // [line, expected]: a record as [recvMs, frame], null for a comment, or the malformed reason.
  const cases: Array<[string, [number, string] | null | string]> = [
    [lineA, [1773153000041, frameA]],
    [
      '{"recv_ms": 1773152999500, "frame": "{\\"id\\":1,\\"type\\":\\"subscribed\\"}"}',
      [1773152999500, '{"id":1,"type":"subscribed"}'],
    ],
    [`${lineA}\r`, [1773153000041, frameA]],
    [`  ${lineA}  `, [1773153000041, frameA]],
    [`\ufeff${lineA}`, [1773153000041, frameA]],
    ['{"frame": "x", "recv_ms": 5}', [5, "x"]],
    ['{"recv_ms": 5, "frame": "x", "other": [1, 2]}', [5, "x"]],
    ['{"recv_ms":0,"frame":""}', [0, ""]],
    ['{"recv_ms":1.773153e12,"frame":"x"}', [1773153000000, "x"]],
    ['{"recv_ms":12,"frame":"caf\\u00e9 \\"q\\" \\\\ end"}', [12, 'café "q" \\ end']],
    ['{"recv_ms":12,"frame":"héllo €"}', [12, "héllo €"]],
    ["", null],
    ["   ", null],
    ["\r", null],
    ["# capture of 2026-03-10", null],
    ["   # indented comment", null],
    ["not json", "not valid JSON"],
    ['{"recv_ms": 1, "frame": "x"', "not valid JSON"],
    ['{"recv_ms":0123,"frame":"x"}', "not valid JSON"],
    ['{"recv_ms":1,"frame":"a" "b"}', "not valid JSON"],
    ["[1, 2]", "not a JSON object"],
    ["42", "not a JSON object"],
    ["null", "not a JSON object"],
    ['{"frame": "x"}', "missing recv_ms"],
    ['{"recv_ms": "1773153000041", "frame": "x"}', "recv_ms is not a non-negative integer"],
    ['{"recv_ms": 1773153000041.5, "frame": "x"}', "recv_ms is not a non-negative integer"],
    ['{"recv_ms": -1, "frame": "x"}', "recv_ms is not a non-negative integer"],
    ['{"recv_ms": 90071992547409930, "frame": "x"}', "recv_ms is not a non-negative integer"],
    ['{"recv_ms": null, "frame": "x"}', "recv_ms is not a non-negative integer"],
    ['{"recv_ms": 1}', "missing frame"],
    ['{"recv_ms": 1, "frame": {"type": "ok"}}', "frame is not a string"],
    ['{"recv_ms": 1, "frame": null}', "frame is not a string"],
  ];
  for (const [line, expected] of cases) {
    it(`${JSON.stringify(line).slice(0, 70)} → ${JSON.stringify(expected)?.slice(0, 50)}`, () => {
      const result = parseCaptureLine(line, 7);
      if (expected === null || typeof expected === "string") assert.equal(result, expected);
      else assert.deepEqual(result, { lineNo: 7, recvMs: expected[0], frame: expected[1] });
    });
  }
});

describe("parseCaptureText", () => {
  it("reports malformed lines with their 1-based line numbers and keeps reading", () => {
    const text = [
      "# header comment",
      lineA,
      "garbage",
      "",
      '{"recv_ms": "x", "frame": "f"}',
      '{"recv_ms": 2, "frame": "second"}',
    ].join("\r\n");
    const reports: Array<[number, string]> = [];
    const stats = newCaptureReadStats();
    const records = parseCaptureText(text, {
      onMalformed: (lineNo, reason) => reports.push([lineNo, reason]),
      stats,
    });
    assert.deepEqual(records, [
      { lineNo: 2, recvMs: 1773153000041, frame: frameA },
      { lineNo: 6, recvMs: 2, frame: "second" },
    ]);
    assert.deepEqual(reports, [
      [3, "not valid JSON"],
      [5, "recv_ms is not a non-negative integer"],
    ]);
    assert.deepEqual(stats, { lines: 6, records: 2, comments: 2, malformed: 2, bytes: 0 });
  });

  it("reads the example of capture-format.md", () => {
    const text = `# capture of 2026-03-10, two orderbook subscriptions and a ticker subscription
{"recv_ms": 1773152999500, "frame": "{\\"id\\":1,\\"type\\":\\"subscribed\\",\\"msg\\":{\\"channel\\":\\"orderbook_delta\\",\\"sid\\":1}}"}
{"recv_ms": 1773153000052, "frame": "{\\"type\\":\\"ticker\\",\\"sid\\":3,\\"msg\\":{\\"market_ticker\\":\\"KXEX-26MAR10-A\\",\\"yes_bid_dollars\\":\\"0.4200\\",\\"yes_ask_dollars\\":\\"0.4500\\",\\"ts_ms\\":1773153000010}}"}
`;
    const records = parseCaptureText(text);
    assert.equal(records.length, 2);
    assert.deepEqual(JSON.parse(records[0].frame), {
      id: 1,
      type: "subscribed",
      msg: { channel: "orderbook_delta", sid: 1 },
    });
    assert.equal(records[1].lineNo, 3);
    assert.equal(records[1].recvMs, 1773153000052);
  });

  it("reports an over-long line once and resumes at the next line", () => {
    const long = `{"recv_ms": 1, "frame": "${"x".repeat(500)}"}`;
    const reports: number[] = [];
    const path = writeCapture(`${lineA}\n${long}\n${lineA}\n`);
    return readAll(path, { maxLineChars: 300, highWaterMark: 16, onMalformed: (n) => reports.push(n) }).then(
      (records) => {
        assert.deepEqual(
          records.map((r) => r.lineNo),
          [1, 3],
        );
        assert.deepEqual(reports, [2]);
      },
    );
  });
});

describe("CaptureChunkDecoder", () => {
  it("finds the end of the last complete UTF-8 character", () => {
    const euro = Buffer.from("a€", "utf8"); // 61 e2 82 ac
    assert.equal(completeUtf8Length(euro), 4);
    assert.equal(completeUtf8Length(euro.subarray(0, 3)), 1);
    assert.equal(completeUtf8Length(euro.subarray(0, 2)), 1);
    assert.equal(completeUtf8Length(Buffer.from("ab")), 2);
    const emoji = Buffer.from("😀", "utf8"); // 4 bytes
    assert.equal(completeUtf8Length(emoji.subarray(0, 3)), 0);
    assert.equal(completeUtf8Length(emoji), 4);
  });

  it("decodes multi-byte characters split across chunks of every size", () => {
    const text = "é€😀 plain ascii ü\n";
    const bytes = Buffer.from(text, "utf8");
    for (let size = 1; size <= bytes.length; size++) {
      const decoder = new CaptureChunkDecoder();
      let out = "";
      for (let o = 0; o < bytes.length; o += size) out += decoder.write(bytes.subarray(o, o + size));
      out += decoder.end();
      assert.equal(out, text, `chunk size ${size}`);
    }
  });
});

describe("readCapture over files", () => {
  const lines = [
    "# comment",
    lineA,
    JSON.stringify({ recv_ms: 1773153000050, frame: 'non-ASCII: héllo € 😀 and "quotes"' }),
    "broken {",
    JSON.stringify({ recv_ms: 1773153000060, frame: frameA }),
  ];

  it("gives the same records for every chunk size, tolerating CRLF and a missing last newline", async () => {
    const text = lines.join("\r\n");
    const expected = parseCaptureText(text);
    assert.equal(expected.length, 3);
    const path = writeCapture(text);
    for (const highWaterMark of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      const reports: number[] = [];
      const stats = newCaptureReadStats();
      const got = await readAll(path, { highWaterMark, stats, onMalformed: (n) => reports.push(n) });
      assert.deepEqual(got, expected, `highWaterMark ${highWaterMark}`);
      assert.deepEqual(reports, [4]);
      assert.equal(stats.bytes, Buffer.byteLength(text));
    }
  });

  it("yields batches that concatenate to the record stream", async () => {
    const path = writeCapture(`${lines.join("\n")}\n`);
    const flat: CaptureRecord[] = [];
    for await (const batch of readCaptureBatches(path, { highWaterMark: 100 })) {
      assert.equal(batch.length > 0, true);
      flat.push(...batch);
    }
    assert.deepEqual(flat, await readAll(path));
  });

  it("stops cleanly when the consumer breaks early", async () => {
    const path = writeCapture(`${lineA}\n`.repeat(1000));
    let n = 0;
    for await (const _ of readCapture(path, { highWaterMark: 64 })) if (++n === 3) break;
    assert.equal(n, 3);
  });

  it("rejects with the file error when the file does not exist", async () => {
    await assert.rejects(readAll(join(dir, "missing.ndjson")), { code: "ENOENT" });
  });

  it("round-trips arbitrary frames and receive times through any chunking (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.nat({ max: 2 ** 45 }), fc.string({ unit: "binary", maxLength: 40 }), fc.boolean()),
          {
            maxLength: 20,
          },
        ),
        fc.integer({ min: 1, max: 300 }),
        async (entries, highWaterMark) => {
          const text = entries
            .map(([recvMs, frame, spaced]) =>
              spaced
                ? `{"recv_ms": ${recvMs}, "frame": ${JSON.stringify(frame)}}`
                : JSON.stringify({ recv_ms: recvMs, frame }),
            )
            .join("\n");
          const path = writeCapture(text);
          const got = await readAll(path, { highWaterMark });
          assert.deepEqual(
            got,
            entries.map(([recvMs, frame], i) => ({ lineNo: i + 1, recvMs, frame })),
          );
        },
      ),
      { numRuns: 50, seed: 4242 },
    );
  });
});

/**
 * `kalshi-engine record` against its embedded paper exchange (real processes on loopback): the
 * log holds exactly the frames the summary counts, in readable segments, subscription replies and
 * snapshots included.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scanFeedLog } from "../../src/events/feed-log-codec.js";
import { listSegments } from "../../src/record/segments.js";
import { spawnCli } from "../engine/helpers.js";

describe("kalshi-engine record", () => {
  it("records every frame of the feed into the log directory", { timeout: 120_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "record-cli-")), "log");
    const p = await spawnCli([
      "record",
      "--out",
      dir,
      "--markets",
      "5",
      "--paper-rate",
      "500",
      "--duration",
      "2",
      "--log-level",
      "warn",
      "--status-every",
      "0",
    ]);
    assert.equal(p.first.recording, dir);
    assert.equal(await p.exited, 0);
    const summary = (JSON.parse(p.lines.at(-1) ?? "{}") as { summary: unknown }).summary as {
      frames: number;
      recording: { feed_records: number; dropped: number; write_errors: number };
    };
    assert.ok(summary.frames > 10, `frames ${summary.frames}`);
    assert.equal(summary.recording.feed_records, summary.frames);
    assert.equal(summary.recording.dropped, 0);
    const types = new Map<string, number>();
    let recorded = 0;
    let lastUs = 0;
    for (const seg of listSegments(dir, "feed")) {
      const scan = scanFeedLog(readFileSync(seg.path), (recvUs, frame, connection) => {
        assert.equal(connection, 1);
        assert.ok(recvUs >= lastUs - 1000, "receive times follow the feed");
        lastUs = recvUs;
        const type = (JSON.parse(Buffer.from(frame).toString("utf8")) as { type: string }).type;
        types.set(type, (types.get(type) ?? 0) + 1);
      });
      assert.equal(scan.tornTailBytes, 0);
      recorded += scan.records;
    }
    assert.equal(recorded, summary.frames);
    assert.ok((types.get("subscribed") ?? 0) >= 1);
    assert.ok((types.get("orderbook_snapshot") ?? 0) >= 5);
    assert.ok((types.get("orderbook_delta") ?? 0) >= 1);
    const session = JSON.parse(readFileSync(join(dir, "sessions.ndjson"), "utf8")) as {
      command: string;
      markets: string[];
    };
    assert.equal(session.command, "record");
    assert.equal(session.markets.length, 5);
  });
});

/**
 * `--speed N` pacing (src/backtest/pacer.ts) on a virtual clock: every frame is released no
 * earlier than (t − t₀) / N after the first, and not later than needed; `--speed max` never waits.
 * Then a whole backtest at --speed 50 on the virtual clock: its report is the --speed max report,
 * and its virtual elapsed time is the log's span / 50.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeDeltaStream } from "../../bench/lib/delta-stream.js";
import { type BacktestOptions, runBacktest } from "../../src/backtest/backtest.js";
import { LogPacer, type Sleeper } from "../../src/backtest/pacer.js";
import { reportJson } from "../../src/backtest/report.js";
import { FeedRecordEncoder } from "../../src/events/feed-log-codec.js";
import { createPolicy, DEFAULT_MODEL_PATH } from "../../src/policy/create-policy.js";
import { SegmentWriter } from "../../src/record/segments.js";

/** Time passes only when someone sleeps. */
class VirtualSleeper implements Sleeper {
  t = 1000;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

describe("backtest --speed", () => {
  it("releases each frame at (t − t0) / N on the pacer's clock", async () => {
    const clock = new VirtualSleeper();
    const pacer = new LogPacer(4, clock);
    const logTimes = [10_000, 10_000, 10_002, 10_400, 10_401, 12_000, 12_000, 18_000];
    for (const t of logTimes) {
      await pacer.due(t);
      const due = (t - logTimes[0]!) / 4;
      const elapsed = clock.t - 1000;
      assert.ok(elapsed >= due - 1, `frame at ${t}: released at ${elapsed} ms, due at ${due}`);
      assert.ok(elapsed <= Math.max(due, 0) + 1e-9, `frame at ${t}: released late (${elapsed} > ${due})`);
    }
    assert.equal(clock.t - 1000, 2000, "8 s of log at 4× take 2 s");
    // work done between frames counts against the wait: nothing more to sleep once past due
    clock.t += 10_000;
    const before = clock.sleeps.length;
    await pacer.due(20_000);
    assert.equal(clock.sleeps.length, before);
  });

  it("never waits at --speed max", async () => {
    const clock = new VirtualSleeper();
    const pacer = new LogPacer(Number.POSITIVE_INFINITY, clock);
    for (const t of [0, 1000, 60_000]) await pacer.due(t);
    assert.deepEqual(clock.sleeps, []);
  });

  it("paces a whole backtest by the log's receive times; the report equals --speed max's", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "backtest-speed-"));
    try {
      const stream = makeDeltaStream(20, 3000, 3);
      const log = join(dir, "log");
      const writer = new SegmentWriter(log, "feed", undefined, false);
      const encoder = new FeedRecordEncoder();
      const utf8 = new TextEncoder();
      const firstUs = 1_773_153_000_000_000;
      let recvUs = firstUs;
      // 1,000 frames per second of log time, with a quiet second in the middle
      const frames = [...stream.snapshots, ...stream.deltas];
      frames.forEach((frame, i) => {
        writer.append(encoder.encode(recvUs, utf8.encode(frame), 1), recvUs);
        recvUs += i === 1500 ? 1_000_000 : 1000;
      });
      writer.close();
      const grids = Object.fromEntries(stream.tickers.map((t) => [t, [[0, 10_000, 10]]]));
      writeFileSync(
        join(log, "sessions.ndjson"),
        `${JSON.stringify({ command: "record", markets: stream.tickers, market_grids: grids })}\n`,
      );
      const policy = await createPolicy({ kind: "onnx", modelPath: DEFAULT_MODEL_PATH });
      const options: BacktestOptions = {
        log,
        policy,
        capacity: 40,
        seed: 5,
        speed: Number.POSITIVE_INFINITY,
        decideEveryMs: 10,
        curveStepMs: 250,
        cashMicros: 10_000_000_000,
        feeType: "quadratic",
        strategy: "aggressive",
      };
      const identity = {
        log,
        model: DEFAULT_MODEL_PATH,
        model_sha256: null,
        seed: 5,
        fill_model: "queue",
        strategy: "aggressive",
        decide_every_ms: 10,
      };
      try {
        const max = await runBacktest(options);
        const clock = new VirtualSleeper();
        const paced = await runBacktest({ ...options, speed: 50, sleeper: clock });
        assert.ok(max.decisions > 0, "the policy ran");
        assert.equal(JSON.stringify(reportJson(identity, paced)), JSON.stringify(reportJson(identity, max)));
        const spanMs = paced.lastMs - paced.firstMs;
        assert.ok(spanMs > 3000, `log span ${spanMs} ms`);
        const elapsed = clock.t - 1000;
        // released at span / 50, give or take the 1 ms below which the pacer does not sleep
        assert.ok(Math.abs(elapsed - spanMs / 50) <= 1, `virtual ${elapsed} ms for ${spanMs} ms of log`);
        // the quiet second of the log is one sleep of ~20 ms
        assert.ok(
          clock.sleeps.some((ms) => ms >= 19),
          `sleeps: ${clock.sleeps.slice(0, 10).join(", ")}…`,
        );
      } finally {
        await policy.release();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

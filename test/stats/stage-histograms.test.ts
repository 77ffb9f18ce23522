import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { build } from "hdr-histogram-js";
import { siblingModuleUrl } from "../../src/runtime/module-file.js";
import { percentilesOnePass } from "../../src/stats/hdr-buckets.js";
import { type EncodedStageHistograms, StageHistograms } from "../../src/stats/stage-histograms.js";
import { STAGE_NAMES, Stage, type StageId } from "../../src/stats/stages.js";
import { startTsWorker } from "./fixtures/start-worker.js";

/** Deterministic latency-like values in ns: 10 µs .. ~80 ms, skewed. */
function valuesNs(n: number, seed: number): number[] {
  let x = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const u = x / 2 ** 32;
    out.push(Math.floor(10_000 + u * u * u * 80_000_000));
  }
  return out;
}

function runWorker(stage: number, values: number[]): Promise<EncodedStageHistograms> {
  return new Promise((resolve, reject) => {
    const worker = startTsWorker(siblingModuleUrl(import.meta.url, "./fixtures/histogram-worker"), {
      workerData: { stage, valuesNs: values },
    });
    let result: EncodedStageHistograms | undefined;
    worker.once("message", (m: EncodedStageHistograms) => {
      result = m;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`worker exited ${code} without a snapshot`));
    });
  });
}

describe("StageHistograms", () => {
  it("reports microsecond percentiles of nanosecond values", () => {
    const h = new StageHistograms();
    for (let i = 1; i <= 1000; i++) h.record(Stage.features, i * 1000); // 1..1000 µs
    const s = h.summary().features;
    assert.equal(s.count, 1000);
    // HdrHistogram with 3 significant digits: within 0.1 % of the exact value.
    for (const [got, exact] of [
      [s.p50, 500],
      [s.p90, 900],
      [s.p99, 990],
      [s.p999, 999],
      [s.max, 1000],
      [s.mean, 500.5],
    ] as const) {
      assert.ok(Math.abs(got - exact) <= exact * 0.001 + 0.001, `${got} vs ${exact}`);
    }
    assert.equal(h.summary().inference.count, 0);
    assert.equal(h.summary().inference.p99, 0);
  });

  it("counts values above the stage budget (default 50 ms, configurable per stage)", () => {
    const h = new StageHistograms({ budgetNs: { request_to_ack: 1_000_000 } });
    h.record(Stage.tick_to_order, 50_000_000); // equal: not a breach
    h.record(Stage.tick_to_order, 50_000_001);
    h.record(Stage.request_to_ack, 2_000_000);
    const s = h.summary();
    assert.equal(s.tick_to_order.budget_breaches, 1);
    assert.equal(s.tick_to_order.budget_us, 50_000);
    assert.equal(s.request_to_ack.budget_breaches, 1);
    assert.equal(s.request_to_ack.budget_us, 1000);
  });

  it("records negative or out-of-range values without throwing", () => {
    const h = new StageHistograms({ highestTrackableNs: 1_000_000_000 });
    h.record(Stage.parse_apply, -5);
    h.record(Stage.parse_apply, Number.NaN);
    h.record(Stage.parse_apply, 5_000_000_000);
    const s = h.summary().parse_apply;
    assert.equal(s.count, 3);
    assert.equal(s.budget_breaches, 1);
    assert.ok(s.max <= 1_000_000 * 1.001);
  });

  it("encode with reset yields an interval delta and empties the instance", () => {
    const h = new StageHistograms();
    h.record(Stage.inference, 1234);
    const snap = h.encode({ reset: true });
    assert.equal(snap.buckets.length, STAGE_NAMES.length);
    assert.equal(snap.buckets[Stage.parse_apply]!.length, 0);
    assert.deepEqual([...snap.buckets[Stage.inference]!], [1234, 1]);
    assert.equal(h.count(Stage.inference), 0);
    assert.deepEqual(structuredClone(snap), snap);
  });

  it("merges a snapshot encoded in a real worker_thread: percentiles match recording locally", async () => {
    const local = valuesNs(5000, 1);
    const remote = valuesNs(5000, 2);
    const merged = new StageHistograms();
    const reference = new StageHistograms();
    for (const v of local) {
      merged.record(Stage.tick_to_decision, v);
      reference.record(Stage.tick_to_decision, v);
    }
    for (const v of remote) reference.record(Stage.tick_to_decision, v);

    merged.mergeEncoded(await runWorker(Stage.tick_to_decision, remote));

    const a = merged.summary().tick_to_decision;
    const b = reference.summary().tick_to_decision;
    assert.equal(a.count, 10_000);
    assert.deepEqual(a, b);
    assert.equal(a.max, Math.max(...local, ...remote) / 1000);
    for (const p of [50, 90, 99, 99.9, 100]) {
      assert.equal(
        merged.percentileNs(Stage.tick_to_decision, p),
        reference.percentileNs(Stage.tick_to_decision, p),
      );
    }
  });

  it("the one-pass summary equals HdrHistogram's own percentiles and mean (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_600_000_000_000 }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const h = build({ bitBucketSize: 32, autoResize: false, highestTrackableValue: 3_600_000_000_000 });
          const packed = build({
            bitBucketSize: "packed",
            autoResize: false,
            highestTrackableValue: 3_600_000_000_000,
          });
          for (const v of values) {
            h.recordValue(v);
            packed.recordValue(v);
          }
          const ps = [1, 50, 90, 99, 99.9, 100]; // p0 is special-cased by HdrHistogram; we never ask for it
          const got = percentilesOnePass(h as never, ps);
          assert.deepEqual(
            got.valuesNs,
            ps.map((p) => h.getValueAtPercentile(p)),
          );
          assert.ok(Math.abs(got.meanNs - h.mean) <= Math.abs(h.mean) * 1e-12);
          assert.deepEqual(percentilesOnePass(packed as never, ps), got);
        },
      ),
      { seed: 7, numRuns: 40 },
    );
  });

  it("interval deltas from several sources merge to the same summary as one histogram (property)", () => {
    const sample = fc.record({
      stage: fc.integer({ min: 0, max: STAGE_NAMES.length - 1 }),
      valueNs: fc.integer({ min: 0, max: 120_000_000_000 }),
      source: fc.integer({ min: 0, max: 2 }),
      flushAfter: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 200 }), (samples) => {
        const reference = new StageHistograms();
        const merged = new StageHistograms();
        const sources = [new StageHistograms(), new StageHistograms(), new StageHistograms()];
        for (const s of samples) {
          reference.record(s.stage as StageId, s.valueNs);
          sources[s.source]!.record(s.stage as StageId, s.valueNs);
          if (s.flushAfter) merged.mergeEncoded(structuredClone(sources[s.source]!.encode({ reset: true })));
        }
        for (const src of sources) merged.mergeEncoded(src.encode({ reset: true }));
        assert.deepEqual(merged.summary(), reference.summary());
      }),
      { seed: 11, numRuns: 25 },
    );
  });

  it("the fast record path files values exactly where HdrHistogram's recordValue does (property)", () => {
    const edges = fc
      .integer({ min: 0, max: 42 })
      .chain((k) => fc.constantFrom(2 ** k - 1, 2 ** k, 2 ** k + 1));
    const value = fc.oneof(
      fc.integer({ min: 0, max: 5_000_000_000 }),
      fc.integer({ min: 0, max: 2 ** 42 }),
      edges,
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), (values) => {
        const fast = new StageHistograms(); // 64-bit buckets: fast path below 2^32 ns
        const reference = new StageHistograms({ bitBucketSize: "packed" }); // HdrHistogram's recordValue
        for (const v of values) {
          fast.record(Stage.request_to_ack, v);
          reference.record(Stage.request_to_ack, v);
        }
        assert.deepEqual(fast.summary(), reference.summary());
        for (const p of [1, 25, 50, 75, 90, 99, 99.9, 100]) {
          assert.equal(
            fast.percentileNs(Stage.request_to_ack, p),
            reference.percentileNs(Stage.request_to_ack, p),
          );
        }
      }),
      { seed: 3, numRuns: 20 },
    );
  });

  it("refuses a snapshot with the wrong stage count", () => {
    const h = new StageHistograms();
    assert.throws(
      () => h.mergeEncoded({ version: 2, buckets: [new Float64Array(0)], budgetBreaches: [0], maxNs: [0] }),
      /cannot merge histogram snapshot/,
    );
  });
});

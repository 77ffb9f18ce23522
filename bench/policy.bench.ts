/**
 * Policy inference cost: the bundled ONNX model (models/policy-v1.onnx) through `PolicySession.run`
 * (one `session.run` + argmax per batch, as a decide worker does) at batch 1, 8, 32, 128, and the
 * rule selector. Observations come from the engine's feature path over simulated book frames.
 *
 * The mean includes scheduler noise on a shared machine (other processes preempt the loop), so the
 * 1 µs/market target at batch 32 is judged on the median batch latency; both are reported.
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { generateObservations } from "../scripts/policy/observation-sources.js";
import { Prng } from "../scripts/policy/prng.js";
import { PolicySession } from "../src/policy/policy-session.js";
import { RuleSelector } from "../src/policy/rule-selector.js";
import type { BenchOptions, BenchRow, BenchSection } from "./types.js";

const MODEL = fileURLToPath(new URL("../models/policy-v1.onnx", import.meta.url));
const POOL_ROWS = 4096;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function run(options: BenchOptions): Promise<BenchSection> {
  const obs = generateObservations("feed", new Prng(7), POOL_ROWS);
  const rows: BenchRow[] = [];
  const policy = await PolicySession.load(MODEL);
  const actions = new Int32Array(POOL_ROWS);
  try {
    for (const batch of [1, 8, 32, 128]) {
      const iterations = options.quick ? 300 : Math.max(2000, Math.round(400_000 / batch));
      const warmup = Math.min(500, iterations);
      const latenciesUs = new Float64Array(iterations);
      let offset = 0;
      for (let i = -warmup; i < iterations; i++) {
        if (offset + batch > POOL_ROWS) offset = 0;
        const slice = obs.subarray(offset * 52, (offset + batch) * 52);
        const t0 = performance.now();
        await policy.run(slice, batch, actions);
        const t1 = performance.now();
        if (i >= 0) latenciesUs[i] = (t1 - t0) * 1000;
        offset += batch;
      }
      let sumUs = 0;
      for (const v of latenciesUs) sumUs += v;
      const meanUs = sumUs / iterations;
      latenciesUs.sort();
      const perMarketUs = meanUs / batch;
      const p50PerMarketUs = percentile(latenciesUs, 0.5) / batch;
      rows.push({
        name: `ONNX policy-v1 run, batch ${batch} (per batch latency; ns/op = per market)`,
        nsPerOp: perMarketUs * 1000,
        opsPerSec: 1e6 / perMarketUs,
        p50Us: percentile(latenciesUs, 0.5),
        p99Us: percentile(latenciesUs, 0.99),
        p999Us: percentile(latenciesUs, 0.999),
        maxUs: latenciesUs[iterations - 1],
        target: batch === 32 ? "<= 1 µs/market (median batch)" : undefined,
        met: batch === 32 ? p50PerMarketUs <= 1 : undefined,
        note:
          `median ${(p50PerMarketUs * 1000).toFixed(0)} ns/market; mean ${meanUs.toFixed(1)} µs per batch ` +
          `incl. onnxruntime-node's event-loop hop per run; load average ${loadavg()[0].toFixed(1)}`,
      });
    }
  } finally {
    await policy.release();
  }

  const rule = new RuleSelector();
  const ruleRepeats = options.quick ? 50 : 1000;
  for (let i = 0; i < 20; i++) rule.decideSync(obs, POOL_ROWS, actions);
  const t0 = performance.now();
  for (let i = 0; i < ruleRepeats; i++) rule.decideSync(obs, POOL_ROWS, actions);
  const ruleNs = ((performance.now() - t0) * 1e6) / (ruleRepeats * POOL_ROWS);
  rows.push({
    name: "rule selector (decideSync), per market",
    nsPerOp: ruleNs,
    opsPerSec: 1e9 / ruleNs,
  });
  return { title: "Policy inference", rows };
}

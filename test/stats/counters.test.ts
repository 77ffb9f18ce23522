import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counters, type MetricDefinition, metricKey } from "../../src/stats/counters.js";
import { ENGINE_METRICS } from "../../src/stats/engine-metrics.js";

const DEFS: MetricDefinition[] = [
  { name: "frames", kind: "counter", help: "frames" },
  { name: "stale_markets", kind: "gauge", help: "stale" },
  { name: "drops", kind: "counter", help: "drops", labels: { reason: "risk" } },
  { name: "drops", kind: "counter", help: "drops", labels: { reason: "kill" } },
];

describe("Counters", () => {
  it("increments through pre-resolved handles", () => {
    const c = new Counters(DEFS);
    const frames = c.counter("frames");
    const risk = c.counter("drops", { reason: "risk" });
    const stale = c.gauge("stale_markets");
    for (let i = 0; i < 10; i++) frames.inc();
    risk.inc(3);
    stale.set(4);
    stale.add(-1);
    assert.equal(c.get("frames"), 10);
    assert.equal(c.get("drops", { reason: "risk" }), 3);
    assert.equal(c.get("drops", { reason: "kill" }), 0);
    assert.equal(stale.value, 3);
    assert.deepEqual(
      c.snapshot().map((m) => [m.name, m.labels, m.value]),
      [
        ["frames", {}, 10],
        ["stale_markets", {}, 3],
        ["drops", { reason: "risk" }, 3],
        ["drops", { reason: "kill" }, 0],
      ],
    );
  });

  it("shares values across registries built on one SharedArrayBuffer", () => {
    const sab = Counters.allocateShared(DEFS);
    const writer = new Counters(DEFS, sab);
    const reader = new Counters(DEFS, sab);
    writer.counter("drops", { reason: "kill" }).inc(2);
    assert.equal(reader.get("drops", { reason: "kill" }), 2);
  });

  it("lanes: each writer adds to its own lane, readers see the sum", () => {
    const sab = Counters.allocateShared(DEFS, 3);
    const io = new Counters(DEFS, sab, 0);
    const w0 = new Counters(DEFS, sab, 1);
    const w1 = new Counters(DEFS, sab, 2);
    io.counter("frames").inc(5);
    w0.counter("drops", { reason: "risk" }).inc(2);
    w1.counter("drops", { reason: "risk" }).inc(3);
    const mine = w1.counter("drops", { reason: "risk" });
    assert.equal(mine.value, 3, "a handle reads its own lane");
    const total = io.total("drops", { reason: "risk" });
    assert.equal(total.value, 5);
    w0.counter("drops", { reason: "risk" }).inc();
    assert.equal(total.value, 6, "a total follows every lane");
    for (const reader of [io, w0, w1, new Counters(DEFS, sab)]) {
      assert.equal(reader.get("drops", { reason: "risk" }), 6);
      assert.equal(reader.get("frames"), 5);
      assert.deepEqual(
        reader.snapshot().map((m) => m.value),
        [5, 0, 6, 0],
      );
    }
    assert.throws(() => new Counters(DEFS, sab, 3), /lane 3 is not one of the buffer's 3 lanes/);
    assert.throws(() => new Counters(DEFS, undefined, 1), /lane 1/);
  });

  it("fails at resolve time for unknown metrics, wrong kinds and mismatched buffers", () => {
    const c = new Counters(DEFS);
    assert.throws(() => c.counter("nope"), /no metric nope/);
    assert.throws(() => c.counter("stale_markets"), /is a gauge, not a counter/);
    assert.throws(() => new Counters(DEFS, new SharedArrayBuffer(8)), /expected 32/);
    assert.throws(() => new Counters([DEFS[0]!, DEFS[0]!]), /defined twice/);
  });

  it("keys labels independent of their order", () => {
    assert.equal(metricKey("x", { b: "2", a: "1" }), metricKey("x", { a: "1", b: "2" }));
  });

  it("the engine catalogue resolves every metric the brief lists", () => {
    const c = new Counters(ENGINE_METRICS);
    for (const name of [
      "frames",
      "gaps",
      "resnapshots",
      "reconnects",
      "orders",
      "fills",
      "rejects",
      "http_429",
    ]) {
      c.counter(name);
    }
    c.counter("decisions", { action: "buy_yes" });
    c.counter("drops", { reason: "stale_book" });
    c.counter("ring_overflows", { ring: "decision" });
    c.gauge("kill_engaged");
    c.gauge("realised_pnl_micros");
  });
});

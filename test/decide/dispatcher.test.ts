import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BookTable } from "../../src/book/book-table.js";
import { FeedApplier } from "../../src/book/feed-applier.js";
import { MarketDirectory } from "../../src/book/market-directory.js";
import { TemporalTable } from "../../src/book/temporal-table.js";
import { DecisionRecord, readDecision } from "../../src/decide/decision-ring.js";
import { DecisionDispatcher, type DispatcherHooks } from "../../src/decide/dispatcher.js";
import { FeatureState } from "../../src/features/feature-state.js";
import { PortfolioTable } from "../../src/orders/accounts/portfolio-table.js";
import { ActionKind } from "../../src/policy/action-space.js";
import { writeMlpOnnx } from "../../src/policy/onnx-writer.js";
import { nowMs } from "../../src/runtime/clock.js";
import { Counters } from "../../src/stats/counters.js";
import { ENGINE_METRICS, engineCounterLanes } from "../../src/stats/engine-metrics.js";

/** A 52→5 model whose logits ignore the input: always `action`. */
function constantModel(action: number): string {
  const bias = new Float32Array(5);
  bias[action] = 5;
  const bytes = writeMlpOnnx({
    layers: [{ inSize: 52, outSize: 5, weights: new Float32Array(52 * 5), bias }],
  });
  const file = join(mkdtempSync(join(tmpdir(), "decide-")), "const.onnx");
  writeFileSync(file, bytes);
  return file;
}

const snap = (seq: number, t: string) =>
  JSON.stringify({
    type: "orderbook_snapshot",
    sid: 1,
    seq,
    msg: { market_ticker: t, yes_dollars_fp: [["0.4000", "10.00"]], no_dollars_fp: [["0.5500", "10.00"]] },
  });
const delta = (seq: number, t: string, change: string) =>
  JSON.stringify({
    type: "orderbook_delta",
    sid: 1,
    seq,
    msg: {
      market_ticker: t,
      price_dollars: "0.4000",
      delta_fp: change,
      side: "yes",
      ts_ms: 1773153000000 + seq,
    },
  });

function pipeline(model: string, hooks: DispatcherHooks = {}) {
  const capacity = 8;
  const directory = new MarketDirectory(capacity);
  const book = BookTable.create(capacity);
  const temporal = TemporalTable.create(capacity);
  const portfolio = PortfolioTable.create(capacity);
  const features = new FeatureState(book, temporal);
  const countersSab = Counters.allocateShared(ENGINE_METRICS, engineCounterLanes(1));
  const dispatcher = new DecisionDispatcher(
    { book: book.shared, temporal: temporal.shared, portfolio: portfolio.shared },
    {
      capacity,
      threads: 1,
      batchSize: 4,
      policy: { kind: "onnx", modelPath: model },
      loopBudgetMs: 60_000,
      maxRestarts: 3,
      counters: countersSab,
    },
    hooks,
  );
  const applier = new FeedApplier(
    directory,
    book,
    { onApplied: (m) => dispatcher.markDirty(m, nowMs()) },
    features,
  );
  const decisions: DecisionRecord[] = [];
  const drain = () => {
    for (const ring of dispatcher.rings) {
      for (let slot = ring.peek(); slot >= 0; slot = ring.peek()) {
        decisions.push(readDecision(ring, slot, new DecisionRecord()));
        ring.release();
      }
    }
  };
  const counters = new Counters(ENGINE_METRICS, countersSab);
  return { directory, book, dispatcher, applier, decisions, drain, counters, countersSab };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("DecisionDispatcher + decide workers", () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it("decides every tradable market through a worker and writes decision records", async () => {
    const p = pipeline(constantModel(ActionKind.BUY_YES));
    closers.push(() => p.dispatcher.close());
    await p.dispatcher.ready();
    p.applier.applyFrame(snap(1, "KXA"), 1);
    p.applier.applyFrame(snap(2, "KXB"), 1);
    await until(() => {
      p.drain();
      return p.decisions.length >= 2;
    }, "two decisions");
    const a = p.directory.indexOf("KXA");
    const rec = p.decisions.find((d) => d.market === a);
    assert.ok(rec);
    assert.equal(rec.action, ActionKind.BUY_YES);
    assert.equal(rec.sizeHundredths, 1000);
    assert.equal(rec.bookSeq, 1);
    assert.ok(rec.decidedMs >= rec.frameRecvMs);
    // the worker counts what it wrote itself, in its own lane of the shared counters (lane 0 is io's);
    // it counts a decision just before writing it, so the two meet once the ring is drained
    await until(() => {
      p.drain();
      return p.counters.get("decisions", { action: "buy_yes" }) === p.decisions.length;
    }, "every decision counted");
    assert.equal(p.counters.get("ring_overflows", { ring: "decision" }), 0);
    assert.ok(p.counters.get("decision_tasks") >= 1);
    const ioLane = new Counters(ENGINE_METRICS, p.countersSab, 0);
    assert.equal(ioLane.counter("decisions", { action: "buy_yes" }).value, 0);
    assert.equal(ioLane.counter("decision_tasks").value, 0);
  });

  it("never decides a stale market and conflates bursts into one decision per in-flight market", async () => {
    const p = pipeline(constantModel(ActionKind.BUY_NO));
    closers.push(() => p.dispatcher.close());
    await p.dispatcher.ready();
    p.applier.applyFrame(snap(1, "KXA"), 1);
    p.applier.applyFrame(snap(2, "KXS"), 1);
    p.applier.applyFrame(delta(3, "KXS", "-50.00"), 1); // negative level → KXS stale
    let seq = 4;
    for (let k = 0; k < 200; k++)
      p.applier.applyFrame(delta(seq++, "KXA", k % 2 === 0 ? "1.00" : "-1.00"), 1);
    await until(() => p.dispatcher.idle(), "pipeline to drain");
    p.drain();
    const s = p.directory.indexOf("KXS");
    const a = p.directory.indexOf("KXA");
    assert.ok(p.book.isStale(s));
    // KXS's snapshot may have been decided before it went stale, but nothing after the stale mark:
    // the worker checks staleness when it builds the batch.
    const aDecisions = p.decisions.filter((d) => d.market === a).length;
    assert.ok(aDecisions >= 1 && aDecisions < 50, `KXA decided ${aDecisions} times for 201 updates`);
    assert.ok(p.dispatcher.stats.conflated >= 150);
    // After the burst the newest book was decided: the last KXA decision saw the final update count.
    const last = p.decisions.filter((d) => d.market === a).at(-1);
    assert.equal(last?.appliedCount, p.book.appliedCount(a));
  });

  it("restarts a worker loop that failed and decides its markets again", async () => {
    const restarts: Array<{ worker: number; requeued: number }> = [];
    const p = pipeline(constantModel(ActionKind.BUY_YES), {
      onRestart: (worker, _err, requeued) => restarts.push({ worker, requeued }),
    });
    closers.push(() => p.dispatcher.close());
    await p.dispatcher.ready();
    p.dispatcher.injectFaults(1);
    p.applier.applyFrame(snap(1, "KXA"), 1); // its batch fails the loop
    await until(() => {
      p.drain();
      return p.decisions.length >= 1;
    }, "the market decided by the restarted loop");
    assert.equal(p.decisions[0]?.market, p.directory.indexOf("KXA"));
    assert.deepEqual(restarts, [{ worker: 0, requeued: 1 }]);
    assert.equal(p.dispatcher.stats.restarts, 1);
    assert.equal(p.dispatcher.tripped, null);
    // the restarted loop keeps serving new work
    p.applier.applyFrame(snap(2, "KXB"), 1);
    await until(() => {
      p.drain();
      return p.decisions.some((d) => d.market === p.directory.indexOf("KXB"));
    }, "a later market decided");
    await until(() => p.dispatcher.idle(), "pipeline to drain");
  });

  it("trips instead of restarting forever when every batch fails", async () => {
    const tripped: string[] = [];
    const p = pipeline(constantModel(ActionKind.BUY_YES), { onTripped: (reason) => tripped.push(reason) });
    closers.push(() => p.dispatcher.close());
    await p.dispatcher.ready();
    p.dispatcher.injectFaults(1_000);
    p.applier.applyFrame(snap(1, "KXA"), 1);
    await until(() => tripped.length > 0, "the supervisor to trip");
    assert.match(tripped[0]!, /failed 3 times/);
    assert.equal(p.dispatcher.tripped, tripped[0]);
    assert.equal(p.dispatcher.stats.restarts, 2);
    p.drain();
    assert.equal(p.decisions.length, 0);
  });
});

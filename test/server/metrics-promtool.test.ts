/**
 * The /metrics exposition passes `promtool check metrics` (Prometheus's own linter: names, units,
 * `_total` counters, histogram layout). CI installs Debian's `prometheus` package for promtool
 * (.ci/run); where it is not installed this test says so and skips — the convention checks in
 * http-routes.test.ts still run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderPrometheus } from "../../src/stats/prometheus.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { grafanaProblems, grafanaQueries } from "./fixtures/grafana.js";
import { conventionProblems } from "./fixtures/prometheus-parse.js";
import { promtoolCheck, promtoolPath } from "./fixtures/promtool.js";

const promtool = promtoolPath();

describe("Prometheus exposition", () => {
  it("passes promtool check metrics", {
    skip: promtool === undefined ? "promtool not installed (apt-get install prometheus)" : false,
  }, () => {
    const text = renderPrometheus(new FakeEngine().stats());
    const r = promtoolCheck(promtool!, text);
    assert.equal(r.output, "", r.output);
    assert.equal(r.status, 0);
  });

  it("keeps the naming conventions (snake_case, _total counters, base units, cumulative buckets)", () => {
    assert.deepEqual(conventionProblems(renderPrometheus(new FakeEngine().stats())), []);
  });
});

describe("Grafana dashboard (docs/grafana/kalshi-engine.json)", () => {
  it("queries only series and labels the engine exposes", () => {
    const used = new Set(grafanaQueries().flatMap((q) => q.metrics));
    assert.ok(used.size >= 15, `the dashboard uses ${used.size} metrics`);
    assert.deepEqual(grafanaProblems(renderPrometheus(new FakeEngine().stats())), []);
  });
  it("finds a metric or a label the exposition lacks", () => {
    const text = renderPrometheus(new FakeEngine().stats());
    const withoutFills = text.replace(/^kalshi_engine_fills_total .*\n/m, "");
    assert.deepEqual(grafanaProblems(withoutFills), [
      "kalshi_engine_fills_total: no such series in /metrics",
    ]);
    const withoutAction = text.replace(
      /^kalshi_engine_decisions_total\{action="(\w+)"\}/gm,
      'kalshi_engine_decisions_total{kind="$1"}',
    );
    assert.deepEqual(grafanaProblems(withoutAction), ['kalshi_engine_decisions_total: no label "action"']);
  });
});

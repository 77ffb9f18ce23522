/**
 * The /metrics exposition passes `promtool check metrics` (Prometheus's own linter: names, units,
 * `_total` counters, histogram layout). CI installs Debian's `prometheus` package for promtool
 * (.ci/run); where it is not installed this test says so and skips — the convention checks in
 * http-routes.test.ts still run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { renderPrometheus } from "../../src/stats/prometheus.js";
import { FakeEngine } from "./fixtures/fake-engine.js";
import { conventionProblems, parsePrometheus } from "./fixtures/prometheus-parse.js";
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
  it("queries only metrics the engine exposes", () => {
    const json = readFileSync(new URL("../../docs/grafana/kalshi-engine.json", import.meta.url), "utf8");
    const dashboard = JSON.parse(json) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exposed = new Set(parsePrometheus(renderPrometheus(new FakeEngine().stats())).families.keys());
    const used = new Set<string>();
    for (const p of dashboard.panels)
      for (const t of p.targets) for (const m of t.expr.matchAll(/kalshi_engine_\w+/g)) used.add(m[0]);
    assert.ok(used.size >= 15, `the dashboard uses ${used.size} metrics`);
    for (const name of used) {
      const family = name.endsWith("_bucket") ? name.slice(0, -"_bucket".length) : name;
      assert.ok(exposed.has(family), `${name} is exposed by /metrics`);
    }
  });
});

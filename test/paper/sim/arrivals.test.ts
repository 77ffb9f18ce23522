import assert from "node:assert/strict";
import { test } from "node:test";
import { PaperExchange } from "../../../src/paper/exchange/index.js";
import { PoissonArrivals } from "../../../src/paper/sim/arrivals.js";
import { makeMarketSpecs } from "../../../src/paper/sim/market-catalog.js";
import { MarketSimulator } from "../../../src/paper/sim/market-sim.js";

function draw(seed: number, n: number, rate: number, markets = 100) {
  const a = new PoissonArrivals(seed, markets);
  a.reset(1000, rate);
  const at = new Float64Array(n);
  const market = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    at[i] = a.nextAtMs;
    market[i] = a.nextMarket;
    a.advance();
  }
  return { at, market };
}

test("poisson arrivals: times never go back and the mean rate is the target", () => {
  const rate = 20_000;
  const n = 200_000;
  const { at } = draw(1, n, rate);
  for (let i = 1; i < n; i++) assert.ok(at[i]! >= at[i - 1]!, `arrival ${i} before ${i - 1}`);
  assert.ok(at[0]! >= 1000);
  const measured = (n * 1000) / (at[n - 1]! - 1000);
  assert.ok(Math.abs(measured - rate) / rate < 0.03, `rate ${measured}`);
});

test("poisson arrivals: gaps are sub-millisecond and market events come as clusters on one market", () => {
  const n = 100_000;
  const { at, market } = draw(2, n, 20_000, 1000);
  let subMs = 0;
  let clustered = 0;
  let runs = 0;
  let lastEventMarket = -1;
  for (let i = 1; i < n; i++) {
    if (at[i]! - at[i - 1]! < 1) subMs++;
    if (market[i]! >= 0) {
      clustered++;
      // single actions interleave with an event's cluster; a run is a change of event market
      if (market[i] !== lastEventMarket) runs++;
      lastEventMarket = market[i]!;
    }
  }
  assert.ok(subMs / n > 0.95, `sub-ms gaps ${subMs / n}`);
  // about 30 % of actions belong to events, ~12 actions per event
  assert.ok(clustered / n > 0.25 && clustered / n < 0.35, `event share ${clustered / n}`);
  assert.ok(clustered / runs > 5, `actions per event run ${clustered / runs}`);
  for (let i = 0; i < n; i++) assert.ok(market[i]! < 1000);
});

test("poisson arrivals: the same seed gives the same schedule, another seed does not", () => {
  const a = draw(5, 5000, 10_000);
  const b = draw(5, 5000, 10_000);
  const c = draw(6, 5000, 10_000);
  assert.deepEqual(a.at, b.at);
  assert.deepEqual(a.market, b.market);
  assert.notDeepEqual(a.at, c.at);
});

test("the simulator in poisson mode runs the flow through the core until stopped", async () => {
  const specs = makeMarketSpecs({ count: 20 });
  const core = new PaperExchange({ markets: specs, clock: Date.now });
  let deltas = 0;
  core.setListener({
    bookDelta: () => {
      deltas++;
    },
  });
  const sim = new MarketSimulator({ core, markets: specs, seed: 3, ratePerSec: 5000, arrivals: "poisson" });
  assert.equal(sim.arrivals, "poisson");
  sim.seedBooks();
  const seeded = deltas;
  sim.start();
  for (let i = 0; i < 400 && sim.stats.actions < 200; i++) await new Promise((r) => setTimeout(r, 5));
  sim.stop();
  assert.ok(sim.stats.actions >= 200, `actions ${sim.stats.actions}`);
  assert.ok(deltas > seeded);
  assert.equal(sim.stats.rejected, 0);
  const after = sim.stats.actions;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(sim.stats.actions, after, "no action after stop");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { STRUCTURE_RANGES } from "../../../src/kalshi/price-grid.js";
import { gridOf, PaperExchange } from "../../../src/paper/exchange/index.js";
import { catalogSizeFor, makeMarketSpecs, marketIdFor } from "../../../src/paper/sim/market-catalog.js";
import { MarketSimulator } from "../../../src/paper/sim/market-sim.js";

function run(
  seed: number,
  steps: number,
): { books: string; deltas: number; sim: MarketSimulator; core: PaperExchange } {
  const specs = makeMarketSpecs({ count: 12 });
  const core = new PaperExchange({ markets: specs, clock: () => 1_700_000_000_000 });
  let deltas = 0;
  core.setListener({
    bookDelta: () => {
      deltas++;
    },
  });
  const sim = new MarketSimulator({ core, markets: specs, seed, ratePerSec: 0, maxRestingPerMarket: 30 });
  sim.seedBooks();
  sim.step(steps);
  const books = JSON.stringify(specs.map((s) => core.orderbook(s.ticker, 0)));
  return { books, deltas, sim, core };
}

test("the catalogue mixes every price grid (with $0.0001 at the edges and in the centre) and both fee types, with stable UUID market ids", () => {
  const specs = makeMarketSpecs({ count: 12 });
  assert.deepEqual(new Set(specs.map((s) => s.priceLevelStructure)), new Set(Object.keys(STRUCTURE_RANGES)));
  assert.deepEqual(new Set(specs.map((s) => s.feeType)), new Set(["quadratic", "quadratic_with_maker_fees"]));
  for (const s of specs) assert.match(s.ticker, /^[A-Z0-9.-]+$/);
  assert.equal(marketIdFor(specs[0]!.ticker), marketIdFor(specs[0]!.ticker));
  assert.match(
    marketIdFor(specs[0]!.ticker),
    /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test("a catalogue of catalogSizeFor(n) markets holds n that are not combos, spread over every shard", () => {
  for (const n of [1, 18, 20, 200]) {
    const specs = makeMarketSpecs({ count: catalogSizeFor(n) });
    const plain = specs.filter((s) => s.mveCollectionTicker === undefined);
    assert.equal(plain.length, n);
    assert.equal(specs.at(-1)!.mveCollectionTicker, undefined, "no catalogue smaller would do");
    if (n >= 6) assert.deepEqual(new Set(plain.map((s) => s.exchangeIndex)), new Set([0, 1, 2]));
  }
  assert.equal(catalogSizeFor(200), 222, "every tenth event (two markets) is a combo");
});

test("prices keep to the whole $0.01–$0.99 scale: books stay where the markets started", () => {
  const { core } = run(2, 20_000);
  const mids = makeMarketSpecs({ count: 12 }).map((s) => {
    const m = core.market(s.ticker);
    assert.ok(m.ok);
    return (m.value.yesBidTicks + m.value.yesAskTicks) / 2;
  });
  // plain markets start between $0.15 and $0.85 and walk $0.0015 per action
  assert.ok(
    mids.filter((p) => p > 1_500 && p < 8_500).length >= 6,
    `most books mid-scale: ${mids.join(", ")}`,
  );
  for (const p of mids) assert.ok(p > 0 && p < 10_000);
});

test("the simulated makers cancel on every shard (each cancel routed to its market's shard)", () => {
  const specs = makeMarketSpecs({ count: 12 });
  const core = new PaperExchange({ markets: specs, clock: () => 1_700_000_000_000, shardCount: 3 });
  const canceledOn = [0, 0, 0];
  core.setListener({
    orderUpdate: (_user, o) => {
      if (o.status === "canceled" && o.lastUpdateReason === "UserCanceled") canceledOn[o.exchangeIndex]!++;
    },
  });
  const sim = new MarketSimulator({ core, markets: specs, seed: 3, ratePerSec: 0 });
  sim.seedBooks();
  sim.step(6_000);
  for (const k of [0, 1, 2]) assert.ok(canceledOn[k]! > 100, `cancels per shard: ${canceledOn.join(", ")}`);
});

test("the same seed replays the same books; another seed does not", () => {
  const a = run(3, 3000);
  assert.equal(a.books, run(3, 3000).books);
  assert.notEqual(a.books, run(4, 3000).books);
});

test("flow places, cancels and takes through the core, at least one book update per action", () => {
  // The action rate is the book-update rate the engine is measured at (bench/paper-sim.bench.ts).
  const { sim, deltas } = run(1, 5000);
  assert.equal(sim.stats.rejected, 0);
  assert.ok(sim.stats.placed > 0 && sim.stats.canceled > 0 && sim.stats.takes > 0, JSON.stringify(sim.stats));
  assert.ok(deltas >= sim.stats.actions, `deltas ${deltas} for ${sim.stats.actions} actions`);
});

test("books stay two-sided, uncrossed and on each market's grid", () => {
  const { core } = run(2, 8000);
  for (const m of core.markets()) {
    const book = core.orderbook(m.ticker, 0);
    assert.ok(book.ok);
    assert.ok(book.value.yes.length > 0 && book.value.no.length > 0, m.ticker);
    const bestYes = book.value.yes.at(-1)![0];
    const bestNo = book.value.no.at(-1)![0];
    assert.ok(bestYes + bestNo < 10_000, `${m.ticker} crossed: ${bestYes} + ${bestNo}`);
    const grid = gridOf(m.priceLevelStructure);
    for (const [p] of book.value.yes) assert.ok(grid.isOnGrid(p), `${m.ticker} YES ${p}`);
    for (const [p] of book.value.no) assert.ok(grid.isOnGrid(10_000 - p), `${m.ticker} NO ${p}`);
  }
  // the fine part of an edge grid carries quotes: some price is off the $0.001 grid
  const fine = core.markets().filter((m) => m.priceLevelStructure === "center_deci_edge_centi_cent");
  assert.ok(fine.length > 0);
  for (const m of fine) {
    const book = core.orderbook(m.ticker, 0);
    assert.ok(book.ok);
    const prices = [...book.value.yes, ...book.value.no].map(([p]) => p);
    assert.ok(
      prices.some((p) => p % 10 !== 0),
      `${m.ticker} quotes only on $0.001: ${prices.join(",")}`,
    );
  }
});

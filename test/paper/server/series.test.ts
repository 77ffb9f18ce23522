/**
 * Per-series fees and category refusals over real sockets: series carry fee_type and
 * fee_multiplier and a fill's fee_cost follows its series' schedule; with refusedCategories a
 * create in such a market is refused 403 naming the attestation, other categories still trade.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Json, orderBody, startTestExchange, type TestExchange } from "./helpers.js";

describe("paper exchange series fees and location attestation", () => {
  let ex: TestExchange;
  let markets: Json[];
  before(async () => {
    ex = await startTestExchange({ markets: 18, refusedCategories: ["Sports"] });
    markets = (await ex.call("GET", "/markets?limit=100")).json.markets;
  });
  after(async () => ex.close());

  test("series show their fee schedule; markets their series and category", async () => {
    const all = (await ex.call("GET", "/series")).json.series as Json[];
    const by = new Map(all.map((s) => [s.ticker, s]));
    assert.deepEqual(by.get("KXPAPER"), {
      ticker: "KXPAPER",
      category: "Economics",
      fee_type: "quadratic",
      fee_multiplier: 1,
    });
    assert.equal(by.get("KXPAPERMM").fee_type, "quadratic_with_maker_fees");
    assert.equal(by.get("KXPAPERHALF").fee_multiplier, 0.5);
    assert.equal((await ex.call("GET", "/series/KXPAPERHALF")).json.series.category, "Climate");
    assert.equal((await ex.call("GET", "/series/NOPE")).status, 404);
    for (const m of markets) assert.equal(by.get(m.series_ticker).category, m.category);
  });

  test("a taker fill's fee_cost follows its series' multiplier (half on KXPAPERHALF)", async () => {
    ex.px.core.deposit(ex.px.keyId, 1_000_000_000);
    // fee_cost of one IOC buy, and the exact 0.07 × multiplier × Σ C·P·(1 − P).
    const fee = async (series: string, rate: number): Promise<[number, number]> => {
      const m = markets.find((x) => x.series_ticker === series && x.price_level_structure === "linear_cent")!;
      const r = await ex.call(
        "POST",
        "/portfolio/events/orders",
        orderBody(m.ticker, {
          price: m.yes_ask_dollars,
          count: "3.00",
          time_in_force: "immediate_or_cancel",
        }),
      );
      const fills = (await ex.call("GET", `/portfolio/fills?order_id=${r.json.order_id}`)).json
        .fills as Json[];
      assert.ok(fills.length > 0, JSON.stringify(r.json));
      let sum = 0;
      let paid = 0;
      for (const f of fills) {
        const p = Number(f.yes_price_dollars);
        sum += Number(f.count_fp) * p * (1 - p);
        paid += Number(f.fee_cost);
      }
      return [paid, rate * sum];
    };
    const [full, expectFull] = await fee("KXPAPER", 0.07);
    const [half, expectHalf] = await fee("KXPAPERHALF", 0.035);
    assert.ok(full > 0 && half > 0);
    // The exchange rounds each order's fee up (fee_cost is authoritative): paid is the exact
    // value rounded up by less than a cent — a wrong multiplier misses by far more.
    for (const [paid, exact] of [
      [full, expectFull],
      [half, expectHalf],
    ] as const) {
      assert.ok(paid >= exact - 1e-9 && paid - exact < 0.01, `${paid} vs ${exact}`);
    }
  });

  test("a refused category answers 403 naming the attestation; other categories trade", async () => {
    const sports = markets.find((m) => m.category === "Sports")!;
    const econ = markets.find((m) => m.category === "Economics")!;
    const r = await ex.call(
      "POST",
      "/portfolio/events/orders",
      orderBody(sports.ticker, { price: "0.0100" }),
    );
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, "location_attestation_required");
    assert.match(r.json.error.message, /attestation/);
    assert.equal(
      (await ex.call("POST", "/portfolio/events/orders", orderBody(econ.ticker, { price: "0.0100" }))).status,
      201,
    );
  });
});

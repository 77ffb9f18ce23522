import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadPrivateKey } from "../../../src/kalshi/auth-signer.js";
import { KalshiRestClient } from "../../../src/kalshi/rest-client.js";
import { STANDARD_FEE_SCHEDULE } from "../../../src/orders/accounts/fees.js";
import { feeScheduleOf, SeriesFeeSchedules } from "../../../src/orders/accounts/series-fees.js";
import { startPaperExchange } from "../../../src/paper/index.js";

/** Per-series fee schedules from `GET /series/{series_ticker}` into the fee model. */
describe("per-series fee schedules", () => {
  it("reads each series once and gives every market its series' schedule", async () => {
    const asked: string[] = [];
    const answers: Record<string, { feeType: string; feeMultiplier: number | string }> = {
      KXA: { feeType: "quadratic_with_maker_fees", feeMultiplier: 0.5 },
      KXB: { feeType: "quadratic", feeMultiplier: "1" },
      KXC: { feeType: "per_contract_tiers", feeMultiplier: 1 },
    };
    const rest = {
      async getSeriesFees(series: string) {
        asked.push(series);
        const a = answers[series];
        if (a === undefined) throw new Error("kalshi REST 404 not_found: series not found");
        return a;
      },
    };
    const fees = new SeriesFeeSchedules();
    const report = await fees.load(rest, [
      { m: 0, seriesTicker: "KXA" },
      { m: 1, seriesTicker: "KXA" },
      { m: 2, seriesTicker: "KXB" },
      { m: 3, seriesTicker: "KXC" },
      { m: 4, seriesTicker: "KXD" },
      { m: 5 },
    ]);
    assert.deepEqual(asked, ["KXA", "KXB", "KXC", "KXD"]);
    assert.deepEqual(fees.of(0), { feeType: "quadratic_with_maker_fees", multiplierBp: 5_000 });
    assert.equal(fees.of(1), fees.of(0));
    assert.deepEqual(fees.of(2), { feeType: "quadratic", multiplierBp: 10_000 });
    for (const m of [3, 4, 5, 99]) assert.equal(fees.of(m), STANDARD_FEE_SCHEDULE, `market ${m}: standard`);
    assert.equal(report.loaded, 2);
    assert.equal(report.nonStandard, 1);
    assert.deepEqual(report.failed, [
      'KXC: unknown fee_type "per_contract_tiers"',
      "KXD: kalshi REST 404 not_found: series not found",
    ]);
  });

  it("refuses an unreadable multiplier instead of guessing", () => {
    assert.equal(
      feeScheduleOf({ feeType: "quadratic", feeMultiplier: "x" }),
      'unreadable fee_multiplier "x"',
    );
    assert.equal(
      feeScheduleOf({ feeType: "quadratic", feeMultiplier: -1 }),
      'unreadable fee_multiplier "-1"',
    );
  });
});

describe("per-series fee schedules from the paper exchange (real sockets)", () => {
  it("reads every traded series' fee_type and fee_multiplier as the exchange serves them", async () => {
    const px = await startPaperExchange({ markets: 12, ratePerSec: 0, seed: 3 });
    try {
      const rest = new KalshiRestClient({
        baseUrl: px.restUrl,
        key: { keyId: px.keyId, privateKey: loadPrivateKey(px.keyFile) },
      });
      const markets = await rest.collectAll((cursor) => rest.getMarkets({ cursor }));
      const fees = new SeriesFeeSchedules();
      const report = await fees.load(
        rest,
        markets.map((mk, m) => ({ m, seriesTicker: mk.seriesTicker })),
      );
      assert.deepEqual(report.failed, []);
      assert.ok(report.loaded > 0);
      markets.forEach((mk, m) => {
        const truth = px.core.market(mk.ticker);
        assert.ok(truth.ok);
        assert.deepEqual(fees.of(m), {
          feeType: truth.value.feeType,
          multiplierBp: truth.value.feeMultiplierBp,
        });
      });
    } finally {
      await px.close();
    }
  });
});

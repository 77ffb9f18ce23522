/**
 * The paper exchange's fee accumulator and the engine ledger's (src/orders/accounts/fees.ts) implement
 * kalshi-api-notes.md independently; they must charge the same fee on every fill.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { OrderFeeAccumulator } from "../../../src/orders/accounts/fees.js";
import { chargeFillFee } from "../../../src/paper/exchange/fees.js";
import { DEFAULT_MAKER_RATE_PPM, DEFAULT_TAKER_RATE_PPM } from "../../../src/paper/exchange/index.js";

describe("paper exchange fees vs the engine ledger's fees", () => {
  it("charge identical per-fill fees over random fill sequences", () => {
    const fill = fc.record({
      isTaker: fc.boolean(),
      priceTicks: fc.integer({ min: 1, max: 9999 }),
      sizeHundredths: fc.integer({ min: 1, max: 500_000 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom("quadratic" as const, "quadratic_with_maker_fees" as const),
        fc.constantFrom(10_000, 5_000, 12_500, 20_000),
        fc.array(fill, { minLength: 1, maxLength: 300 }),
        (feeType, multiplierBp, fills) => {
          const engine = new OrderFeeAccumulator({ feeType, multiplierBp });
          const paperOrder = { feeRoundingMicros: 0 };
          for (const f of fills) {
            const rate = f.isTaker
              ? DEFAULT_TAKER_RATE_PPM
              : feeType === "quadratic"
                ? 0
                : DEFAULT_MAKER_RATE_PPM;
            assert.equal(
              chargeFillFee(paperOrder, rate, multiplierBp, f.sizeHundredths, f.priceTicks),
              engine.chargeFill(f.isTaker, f.priceTicks, f.sizeHundredths),
            );
          }
        },
      ),
      { numRuns: 300, seed: 424242 },
    );
  });
});

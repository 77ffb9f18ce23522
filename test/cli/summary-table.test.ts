import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { summaryTable } from "../../src/cli/summary-table.js";
import type { EngineSummary } from "../../src/engine/engine.js";
import { pnlSnapshot, portfolioSnapshot } from "../../src/stats/snapshot.js";

describe("final summary table", () => {
  it("shows P&L, cash, trades and each market's position, mark and P&L", () => {
    const summary = {
      reason: "SIGINT",
      uptime_s: 42,
      portfolio: portfolioSnapshot({
        freeCashMicros: 9_945_620_000,
        reservedCashMicros: 0,
        positionsHundredths: [["KX-A", 1000]],
      }),
      pnl: pnlSnapshot({
        realisedMicros: -2_560_000,
        unrealisedMicros: 150_000,
        feesMicros: 340_000,
        markets: [
          {
            ticker: "KX-A",
            contractsHundredths: 1000,
            costBasisMicros: 4_500_000,
            yesMarkHalfTicks: 9300,
            realisedMicros: -2_560_000,
            unrealisedMicros: 150_000,
            feesMicros: 340_000,
          },
        ],
      }),
      trades: { fills: 19, orders_sent: 10, orders_rejected: 1 },
      canceled_at_shutdown: 2,
      incomplete_at_shutdown: [],
    } as unknown as EngineSummary;
    const text = summaryTable(summary);
    assert.match(text, /realised\s+-\$2\.5600/);
    assert.match(text, /fees\s+\$0\.3400/);
    assert.match(text, /unrealised \(at mid\)\s+\$0\.1500/);
    assert.match(text, /net\s+-\$2\.7500/);
    assert.match(text, /fills\s+19/);
    assert.match(text, /KX-A\s+10\.00\s+0\.4650\s+-2\.5600\s+0\.1500\s+0\.3400/);
  });
});

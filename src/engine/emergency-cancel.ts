/**
 * The kill switch io can still pull when the orders thread is gone: list every resting order over
 * REST and cancel each one, with io's own REST client. The ledger died with the orders thread, so
 * this works from the exchange's view alone; every attempt is bounded (a few passes), and what
 * could not be canceled is reported, never hidden.
 */
import type { KalshiRestClient } from "../kalshi/rest-client.js";

export interface EmergencyCancelReport {
  canceled: number;
  /** resting orders still listed after the last pass, or -1 when the list could not be read */
  stillResting: number;
  errors: string[];
}

export async function cancelAllResting(rest: KalshiRestClient, passes = 5): Promise<EmergencyCancelReport> {
  const report: EmergencyCancelReport = { canceled: 0, stillResting: -1, errors: [] };
  for (let pass = 0; pass < passes; pass++) {
    let resting: Array<{ orderId: string; ticker: string }>;
    try {
      resting = await rest.collectAll((cursor) => rest.getOrders({ status: "resting", cursor, limit: 200 }));
    } catch (e) {
      report.errors.push(`list resting orders: ${e instanceof Error ? e.message : String(e)}`);
      report.stillResting = -1;
      continue;
    }
    report.stillResting = resting.length;
    if (resting.length === 0) break;
    for (const { orderId, ticker } of resting) {
      // routed by its market: an unrouted cancel reaches shard 0 only
      const r = await rest
        .cancelOrder(orderId, { marketTicker: ticker })
        .catch((e: unknown) => ({ kind: "error" as const, e }));
      if (r.kind === "ok") report.canceled++;
      else if (report.errors.length < 20) report.errors.push(`cancel ${orderId}: ${r.kind}`);
    }
  }
  return report;
}

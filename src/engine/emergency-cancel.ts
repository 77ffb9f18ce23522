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
    let resting: string[];
    try {
      const orders = await rest.collectAll((cursor) =>
        rest.getOrders({ status: "resting", cursor, limit: 200 }),
      );
      resting = orders.map((o) => o.orderId);
    } catch (e) {
      report.errors.push(`list resting orders: ${e instanceof Error ? e.message : String(e)}`);
      report.stillResting = -1;
      continue;
    }
    report.stillResting = resting.length;
    if (resting.length === 0) break;
    for (const id of resting) {
      const r = await rest.cancelOrder(id).catch((e: unknown) => ({ kind: "error" as const, e }));
      if (r.kind === "ok") report.canceled++;
      else if (report.errors.length < 20) report.errors.push(`cancel ${id}: ${r.kind}`);
    }
  }
  return report;
}

import type { BookTableTopSource } from "./market-catalog.js";
import type { OrderManager } from "./order-manager.js";

/** Marks every held position from the current book (a stale or empty book keeps its last mark). */
export function markPositions(om: OrderManager, books: BookTableTopSource): void {
  const top = { bestYesBidTicks: 0, bestNoBidTicks: 0 };
  for (const m of om.accounts.markets()) {
    if (om.accounts.position(m).contractsHundredths === 0) continue;
    if (books.readTop(m, top)) om.onBookTop(m, top.bestYesBidTicks, top.bestNoBidTicks);
  }
}

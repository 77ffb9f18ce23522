/**
 * Publishes the ledger and the working orders to the PortfolioTable (orders thread, its only
 * writer). Decide workers read it under one global seqlock, so every publish is one
 * beginWrite … endWrite bracket holding cash plus the markets that changed (correctness-rules.md rule 24:
 * the order thread publishes state; nobody waits for it).
 *
 * `PortfolioWriter` is the writer half of the PortfolioTable contract (portfolio-table.ts, owned
 * by the shared-memory module); it is an interface here so the ledger logic and its tests do not
 * depend on the SAB layout. Order summaries follow observation-v1.md §8: buy/sell is the engine
 * action, limits are on the YES scale (the V2 YES-leg price), "newest" = largest placed time.
 */

import type { ReadonlyWorkingOrders } from "../execution/working-orders.js";
import { isBuy, type Ledger } from "./ledger.js";
import {
  MAX_SHARDS,
  noOpenOrders,
  type PortfolioOrderSummary as OrderSummary,
  type PortfolioWriter,
} from "./portfolio-table.js";

export type { OrderSummary, PortfolioWriter };

export class PortfolioPublisher {
  private readonly summary: OrderSummary = noOpenOrders();
  publishes = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly working: ReadonlyWorkingOrders,
    private readonly writer: PortfolioWriter | undefined,
  ) {}

  /** The order summary of one market from its working orders (at most one bid and one ask). */
  summarize(m: number): OrderSummary {
    const s = this.summary;
    s.hasOpenBuy = false;
    s.hasOpenSell = false;
    s.newestBuyYesLimitTicks = 0;
    s.newestBuyPlacedMs = 0;
    s.newestSellYesLimitTicks = 0;
    s.newestSellPlacedMs = 0;
    for (const side of ["bid", "ask"] as const) {
      const w = this.working.get(m, side);
      if (w === undefined) continue;
      if (isBuy(w.action)) {
        if (!s.hasOpenBuy || w.placedMs > s.newestBuyPlacedMs) {
          s.newestBuyYesLimitTicks = w.yesPriceTicks;
          s.newestBuyPlacedMs = w.placedMs;
        }
        s.hasOpenBuy = true;
      } else {
        if (!s.hasOpenSell || w.placedMs > s.newestSellPlacedMs) {
          s.newestSellYesLimitTicks = w.yesPriceTicks;
          s.newestSellPlacedMs = w.placedMs;
        }
        s.hasOpenSell = true;
      }
    }
    return s;
  }

  /** Total cash (the observation's cash feature reads total free cash) and each shard's. */
  private writeCash(w: PortfolioWriter): void {
    const l = this.ledger;
    w.setCash(l.freeCashMicros, l.reservedCashMicros);
    if (w.setShardCash === undefined) return;
    const shards = Math.min(l.shardCount, MAX_SHARDS);
    for (let k = 0; k < shards; k++) w.setShardCash(k, l.freeCashOn(k), l.reservedCashOn(k));
  }

  private writeMarket(w: PortfolioWriter, m: number): void {
    const p = this.ledger.position(m);
    w.setPosition(m, p.contractsHundredths, p.costBasisMicros);
    w.setOrderSummary(m, this.summarize(m));
  }

  /** Cash + one market's position and orders. */
  publishMarket(m: number): void {
    const w = this.writer;
    if (w === undefined) return;
    w.beginWrite();
    try {
      this.writeCash(w);
      this.writeMarket(w, m);
    } finally {
      w.endWrite();
    }
    this.publishes++;
  }

  /** Everything (startup, after reconciliation). */
  publishAll(): void {
    const w = this.writer;
    if (w === undefined) return;
    const markets = new Set<number>(this.ledger.markets());
    for (const { market } of this.working.all()) markets.add(market);
    w.beginWrite();
    try {
      this.writeCash(w);
      for (const m of markets) this.writeMarket(w, m);
    } finally {
      w.endWrite();
    }
    this.publishes++;
  }
}

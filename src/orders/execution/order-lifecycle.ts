/**
 * Each of our orders as one thing (orders thread): its ledger reservation, its working-set entry
 * and its journal records move together, by the transitions of order-states.ts and nothing else.
 * A change that does not happen (refused, intent not durable) is undone by its `refused`
 * transition — the reservation from before the change comes back — never by hand at a call site.
 */
import type { RestOrder } from "../../kalshi/rest-types.js";
import type { Ledger, PlaceRequest, PlaceResult } from "../accounts/ledger.js";
import { yesLegTicks } from "../accounts/ledger-types.js";
import type { IntentRecord, OrderJournal, OutcomeRecord } from "./journal.js";
import { type OrderState, type OrderTrigger, type Transition, transitionOf } from "./order-states.js";
import type { OrderEvent } from "./order-types.js";
import { type WorkingOrder, WorkingOrders } from "./working-orders.js";

export type OrderInput =
  | { on: "change_sent" | "refused" | "lost" | "not_found" | "filled" | "settled" | "rests" }
  /** the total count still to reserve for: what filled, or what stays after a cancel */
  | { on: "done" | "canceled" | "exchange_canceled"; keepHundredths: number }
  /** the exchange's view of the order (its status decides between the two) */
  | { on: "found"; order: RestOrder };

export interface LifecycleDeps {
  ledger: Ledger;
  journal: Pick<OrderJournal, "append">;
  emit: (e: OrderEvent) => void;
  now: () => number;
}

/** The trigger the exchange's view of an order is. */
export function foundTrigger(o: RestOrder): OrderTrigger {
  return o.status === "resting" && o.remainingCountHundredths > 0 ? "found_resting" : "found_gone";
}

export class OrderLifecycle {
  readonly working = new WorkingOrders();
  /** the reservation before a change in flight (restored if the change is refused) */
  private readonly beforeChange = new WeakMap<
    WorkingOrder,
    { ownLimitTicks: number; countHundredths: number }
  >();

  constructor(private readonly deps: LifecycleDeps) {}

  /** A create: its reservation (refused when it cannot be paid) and its `pending` working order together. */
  open(m: number, w: WorkingOrder, req: PlaceRequest): PlaceResult {
    const placed = this.deps.ledger.place(req);
    if (placed.ok) this.working.set(m, w);
    return placed;
  }

  /**
   * An order the exchange already rests (startup): reserved whatever free cash says — the
   * exchange holds its cost, and free cash is set from the balance afterwards — and worked as
   * `resting`. `w` null reserves one that will not be worked (a second resting order of the same
   * market and side: canceled as an orphan).
   */
  adoptResting(m: number, w: WorkingOrder | null, req: PlaceRequest): PlaceResult {
    const placed = this.deps.ledger.place(req, true);
    if (placed.ok && w !== null) this.working.set(m, w);
    return placed;
  }

  /**
   * An amend or cancel is about to go out: the amend's new reservation (false, nothing changed,
   * when free cash cannot take it), then `changing`.
   */
  beginChange(w: WorkingOrder, reservation?: { ownLimitTicks: number; countHundredths: number }): boolean {
    const lo = this.deps.ledger.orders.get(w.clientOrderId);
    if (lo !== undefined && reservation !== undefined) {
      const before = { ownLimitTicks: lo.ownLimitTicks, countHundredths: lo.countHundredths };
      if (!this.deps.ledger.amend(w.clientOrderId, reservation.ownLimitTicks, reservation.countHundredths))
        return false;
      this.beforeChange.set(w, before);
    }
    this.apply(w, { on: "change_sent" });
    return true;
  }

  /** Appends the write's intent and syncs it; not durable → the write is `refused` (rule 15). */
  async journalIntent(m: number, w: WorkingOrder, intent: IntentRecord): Promise<boolean> {
    try {
      await this.deps.journal.append(intent);
      return true;
    } catch {
      this.apply(w, { on: "refused" });
      this.deps.emit({ kind: "order_refused", market: m, reason: "journal_error" });
      return false;
    }
  }

  /** The exchange's order id (fills from REST carry only that). */
  link(w: WorkingOrder, exchangeOrderId: string): void {
    if (exchangeOrderId === "") return;
    w.exchangeOrderId = exchangeOrderId;
    this.deps.ledger.orders.linkExchangeId(w.clientOrderId, exchangeOrderId);
  }

  /** An amend renamed the order (`updated_client_order_id`): both ids find it from now on. */
  rename(w: WorkingOrder, newClientOrderId: string): void {
    this.deps.ledger.orders.alias(newClientOrderId, w.clientOrderId);
    this.working.rename(w.clientOrderId, newClientOrderId);
  }

  /** Applies one trigger by the table; returns the order's state after it. */
  apply(w: WorkingOrder, input: OrderInput): OrderState {
    const trigger = input.on === "found" ? foundTrigger(input.order) : input.on;
    const t = transitionOf(w.state, trigger);
    if (t === undefined) return w.state;
    if (input.on === "found") this.adopt(w, input.order, t);
    this.reserveFor(w.clientOrderId, t, input, w);
    if (t.to !== "changing") this.beforeChange.delete(w);
    w.state = t.to;
    if (t.to === "closed") this.working.remove(w.clientOrderId);
    return t.to;
  }

  /**
   * A trigger for an order known by its ids: applied to its working order, or — when none works
   * it any more — to what the ledger still reserves for it (as a `closed` order).
   */
  applyByIds(clientOrderId: string, input: OrderInput): OrderState | undefined {
    const lo = this.deps.ledger.orders.get(clientOrderId);
    const found = this.working.find(clientOrderId) ?? (lo ? this.working.find(lo.clientOrderId) : undefined);
    if (found !== undefined) return this.apply(found.order, input);
    if (lo === undefined) return undefined;
    const t = transitionOf("closed", input.on === "found" ? foundTrigger(input.order) : input.on);
    if (t !== undefined) this.reserveFor(lo.clientOrderId, t, input, undefined);
    return "closed";
  }

  /** The outcome of a write (or of its resolution), appended to the journal and told. */
  record(m: number, cid: string, result: OutcomeRecord["result"], code?: string, orderId?: string): void {
    const rec: OutcomeRecord = { t: "outcome", cid, tsMs: this.deps.now(), result };
    if (code !== undefined) rec.code = code;
    if (orderId !== undefined) rec.orderId = orderId;
    this.deps.journal
      .append(rec)
      .catch(() => this.deps.emit({ kind: "order_refused", market: m, reason: "journal_error" }));
    this.deps.emit({
      kind: "order_outcome",
      market: m,
      clientOrderId: cid,
      result,
      ...(code ? { code } : {}),
    });
  }

  /** The exchange's view of the order: its id (and name, if the exchange renamed it), price, count. */
  private adopt(w: WorkingOrder, o: RestOrder, t: Transition): void {
    const { ledger } = this.deps;
    if (
      o.clientOrderId !== "" &&
      o.clientOrderId !== w.clientOrderId &&
      ledger.orders.get(o.clientOrderId) === undefined
    )
      this.rename(w, o.clientOrderId);
    this.link(w, o.orderId);
    w.filledHundredths = Math.max(w.filledHundredths, o.fillCountHundredths);
    if (t.to === "resting") {
      w.yesPriceTicks = o.yesPriceTicks;
      w.countHundredths = o.fillCountHundredths + o.remainingCountHundredths;
    }
  }

  private reserveFor(cid: string, t: Transition, input: OrderInput, w: WorkingOrder | undefined): void {
    const { ledger } = this.deps;
    switch (t.reservation) {
      case "none":
        return;
      case "release":
        ledger.cancelRemainder(cid);
        return;
      case "keep": {
        const lo = ledger.orders.get(cid);
        const keep = "keepHundredths" in input ? input.keepHundredths : 0;
        if (lo?.open) ledger.amend(cid, lo.ownLimitTicks, Math.max(lo.filledHundredths, keep));
        return;
      }
      case "restore": {
        const before = w === undefined ? undefined : this.beforeChange.get(w);
        if (before !== undefined) ledger.amend(cid, before.ownLimitTicks, before.countHundredths);
        return;
      }
      case "adopt": {
        if (input.on !== "found" || w === undefined) return;
        const o = input.order;
        const lo = ledger.orders.get(w.clientOrderId);
        const total = o.fillCountHundredths + (o.status === "resting" ? o.remainingCountHundredths : 0);
        if (lo?.open)
          ledger.amend(
            w.clientOrderId,
            yesLegTicks(w.action, o.yesPriceTicks),
            Math.max(lo.filledHundredths, total),
          );
        return;
      }
    }
  }
}

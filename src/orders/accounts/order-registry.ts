/**
 * The order registry (orders thread): every order the ledger reserved cash for, found by its
 * client order id, by each id an amend gave it (`updated_client_order_id`) and by the exchange's
 * order id; which of them are open; finished ones kept a while for late fills (oldest forgotten
 * first, so memory stays bounded over a long session).
 *
 * It holds no money and decides no transition. The ledger (ledger.ts) adds an order when it
 * reserves for it and retires it once its reservation is released; which order moves when is the
 * order state machine's (execution/order-states.ts, applied by execution/order-lifecycle.ts), which
 * also links the ids the exchange answers with.
 *
 * Invariants (test/orders/accounts/order-registry.test.ts): every id of a known order finds that
 * order; an order is open exactly until it is retired; at most `maxClosedOrders` retired orders
 * are remembered, and forgetting one forgets every id that found it.
 */
import type { LedgerOrder } from "./ledger-types.js";

/** What the registry lets every reader do (the ledger alone adds and retires orders). */
export type OrderLookup = Pick<OrderRegistry, "get" | "resolve" | "clientOrderIdOf" | "openOrders">;

export class OrderRegistry {
  private readonly byId = new Map<string, LedgerOrder>();
  /** open orders only (an amended order is in `byId` under two ids but here once) */
  private readonly open = new Set<LedgerOrder>();
  private readonly byExchangeId = new Map<string, string>();
  /** retired orders, oldest first (a second retire keeps the first place) */
  private readonly closed = new Set<LedgerOrder>();
  private readonly aliases = new WeakMap<LedgerOrder, string[]>();

  /** `maxClosedOrders`: finished orders kept for late fills (oldest forgotten first) */
  constructor(private readonly maxClosedOrders = 100_000) {}

  has(clientOrderId: string): boolean {
    return this.byId.has(clientOrderId);
  }

  get(clientOrderId: string): LedgerOrder | undefined {
    return this.byId.get(clientOrderId);
  }

  clientOrderIdOf(exchangeOrderId: string): string | undefined {
    return this.byExchangeId.get(exchangeOrderId);
  }

  /**
   * The client order id a venue report names: its own when the registry knows it, else the one
   * its exchange order id was linked to (REST fills carry only that); undefined when neither.
   */
  resolve(clientOrderId: string | undefined, exchangeOrderId: string | undefined): string | undefined {
    if (clientOrderId !== undefined && this.byId.has(clientOrderId)) return clientOrderId;
    return exchangeOrderId ? this.byExchangeId.get(exchangeOrderId) : undefined;
  }

  /** The open orders, a copy. */
  openOrders(): LedgerOrder[] {
    return [...this.open];
  }

  /** The open orders, to read without a copy (not while adding or retiring). */
  eachOpen(): IterableIterator<LedgerOrder> {
    return this.open.values();
  }

  /** A new open order (the ledger, once it has reserved for it); its id must be new. */
  add(order: LedgerOrder): void {
    if (this.byId.has(order.clientOrderId))
      throw new Error(`order registry: client order id ${order.clientOrderId} is already known`);
    this.byId.set(order.clientOrderId, order);
    this.open.add(order);
  }

  /** The order is finished (the ledger, once its reservation is released); idempotent. */
  retire(order: LedgerOrder): void {
    order.open = false;
    this.open.delete(order);
    this.closed.add(order);
    if (this.closed.size > this.maxClosedOrders) this.forgetOldestClosed();
  }

  /** Links the exchange's order_id (fills from REST carry only that); "" links nothing. */
  linkExchangeId(clientOrderId: string, exchangeOrderId: string): void {
    const o = this.byId.get(clientOrderId);
    if (o === undefined || exchangeOrderId === "") return;
    o.exchangeOrderId = exchangeOrderId;
    this.byExchangeId.set(exchangeOrderId, clientOrderId);
  }

  /** An amend renames the order (`updated_client_order_id`); both ids then find it. */
  alias(newClientOrderId: string, clientOrderId: string): void {
    const o = this.byId.get(clientOrderId);
    if (o === undefined) return;
    this.byId.set(newClientOrderId, o);
    const list = this.aliases.get(o);
    if (list === undefined) this.aliases.set(o, [newClientOrderId]);
    else list.push(newClientOrderId);
  }

  /** Drops the oldest finished order and every id that finds it. */
  private forgetOldestClosed(): void {
    const oldest = this.closed.values().next().value as LedgerOrder;
    this.closed.delete(oldest);
    for (const id of [oldest.clientOrderId, ...(this.aliases.get(oldest) ?? [])]) {
      if (this.byId.get(id) === oldest) this.byId.delete(id);
    }
    if (oldest.exchangeOrderId !== "") this.byExchangeId.delete(oldest.exchangeOrderId);
  }
}

/**
 * Optional Kalshi order groups (kalshi-api-notes.md; correctness-rules.md rule 18): every order the
 * engine places joins its market's shard's group — groups do not work across exchange shards, so
 * there is one per shard in use (`OrderGroups`) — and the exchange itself cancels the group's resting orders and
 * refuses new ones once its fills reach the contract limit within a rolling 15 s window — a cap on
 * runaway fills that holds even when this engine misbehaves.
 *
 * A trigger (an `order_group_updates` "triggered" event, or a refusal naming the group) trips the
 * circuit breakers — the REST group object has no `is_triggered`, so nothing is polled. After
 * their cool-down the next decision resets the group and trading resumes, so the cap acts as "at
 * most N contracts per 15 s, then a pause". A reset seen on the channel (ours or anyone's) rearms
 * the guard without another request.
 */
import type { KalshiRestClient } from "../../kalshi/rest-client.js";
import type { CircuitBreakers } from "../risk/breakers.js";

export type OrderGroupApi = Pick<KalshiRestClient, "createOrderGroup" | "resetOrderGroup">;

/** Whether an exchange refusal code says the order's group has reached its limit. */
export function isOrderGroupLimitCode(code: string): boolean {
  return code.toLowerCase().includes("order_group");
}

/**
 * Creates the group (startup). A lost or rate-limited answer is retried with a new group — an
 * unused empty group is harmless; a refusal stops startup with the exchange's reason.
 */
export async function openOrderGroup(
  rest: OrderGroupApi,
  contractsLimit: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  exchangeIndex = 0,
): Promise<string> {
  let last = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await rest.createOrderGroup(contractsLimit, exchangeIndex);
    if (r.kind === "ok" && r.value.orderGroupId !== "") return r.value.orderGroupId;
    if (r.kind === "rejected" || r.kind === "conflict") {
      throw new Error(
        `order group (contracts limit ${contractsLimit}, shard ${exchangeIndex}) refused by the exchange: ${r.error.code} ${r.error.message}`,
      );
    }
    last =
      r.kind === "ok" ? "answer without order_group_id" : r.kind === "unknown" ? r.reason : "rate limited";
    await sleep(250 * 2 ** attempt);
  }
  throw new Error(`order group could not be created: ${last}`);
}

/** One order group per exchange shard in use: a market's orders join its shard's group. */
export class OrderGroups {
  constructor(private readonly byShard: ReadonlyMap<number, OrderGroupGuard>) {}

  /** The group of one shard (a single group stands for shard 0: `OrderGroups.of`). */
  static single(guard: OrderGroupGuard, shard = 0): OrderGroups {
    return new OrderGroups(new Map([[shard, guard]]));
  }

  of(shard: number): OrderGroupGuard | undefined {
    return this.byShard.get(shard);
  }

  byId(orderGroupId: string): OrderGroupGuard | undefined {
    for (const g of this.byShard.values()) if (g.orderGroupId === orderGroupId) return g;
    return undefined;
  }

  /** Σ triggers over every shard's group. */
  get triggers(): number {
    let n = 0;
    for (const g of this.byShard.values()) n += g.triggers;
    return n;
  }
}

/** Creates one group per distinct shard (startup); a refusal stops startup (`openOrderGroup`). */
export async function openOrderGroups(
  rest: OrderGroupApi,
  contractsLimit: number,
  shards: Iterable<number>,
  breakers: CircuitBreakers,
  sleep?: (ms: number) => Promise<void>,
): Promise<OrderGroups> {
  const byShard = new Map<number, OrderGroupGuard>();
  for (const k of [...new Set(shards)].sort((a, b) => a - b)) {
    const id = await openOrderGroup(rest, contractsLimit, sleep, k);
    byShard.set(k, new OrderGroupGuard(rest, id, breakers));
  }
  return new OrderGroups(byShard);
}

export class OrderGroupGuard {
  triggered = false;
  triggers = 0;
  resets = 0;
  private resetting: Promise<boolean> | null = null;

  constructor(
    private readonly rest: OrderGroupApi,
    readonly orderGroupId: string,
    private readonly breakers: CircuitBreakers,
  ) {}

  /** The exchange refused an order because the group triggered. */
  noteTriggered(nowMs: number): void {
    if (!this.triggered) {
      this.triggered = true;
      this.triggers++;
    }
    this.breakers.trip("order_group_triggered", nowMs);
  }

  /** An `order_group_updates` event for this group (kalshi-api-notes.md). */
  onUpdate(event: "triggered" | "reset" | "deleted", nowMs: number): void {
    if (event === "triggered") this.noteTriggered(nowMs);
    else if (event === "reset" && this.triggered && this.resetting === null) {
      this.triggered = false;
      this.resets++;
    }
  }

  /**
   * Call when the breakers allow trading again: resets a triggered group; true when orders may
   * be placed. A failed reset trips the breakers again, so the next try waits a cool-down.
   */
  rearm(nowMs: number): Promise<boolean> {
    if (!this.triggered) return Promise.resolve(true);
    this.resetting ??= this.rest.resetOrderGroup(this.orderGroupId).then((r) => {
      this.resetting = null;
      if (r.kind !== "ok") {
        this.breakers.trip("order_group_triggered", nowMs);
        return false;
      }
      this.triggered = false;
      this.resets++;
      return true;
    });
    return this.resetting;
  }
}

/**
 * An optional Kalshi order group (kalshi-api-notes.md; correctness-rules.md rule 18): every order the
 * engine places joins one group, and the exchange itself cancels the group's resting orders and
 * refuses new ones once its fills reach the contract limit within a rolling 15 s window — a cap on
 * runaway fills that holds even when this engine misbehaves.
 *
 * A trigger (an `order_group_updates` "triggered" event, or a refusal naming the group) trips the
 * circuit breakers — the REST group object has no `is_triggered`, so nothing is polled. After
 * their cool-down the next decision resets the group and trading resumes, so the cap acts as "at
 * most N contracts per 15 s, then a pause". A reset seen on the channel (ours or anyone's) rearms
 * the guard without another request.
 */
import type { KalshiRestClient } from "../kalshi/rest-client.js";
import type { CircuitBreakers } from "./breakers.js";

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
): Promise<string> {
  let last = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await rest.createOrderGroup(contractsLimit);
    if (r.kind === "ok" && r.value.orderGroupId !== "") return r.value.orderGroupId;
    if (r.kind === "rejected" || r.kind === "conflict") {
      throw new Error(
        `order group (contracts limit ${contractsLimit}) refused by the exchange: ${r.error.code} ${r.error.message}`,
      );
    }
    last =
      r.kind === "ok" ? "answer without order_group_id" : r.kind === "unknown" ? r.reason : "rate limited";
    await sleep(250 * 2 ** attempt);
  }
  throw new Error(`order group could not be created: ${last}`);
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

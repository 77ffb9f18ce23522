/**
 * Intra-exchange transfers (orders thread): Kalshi checks collateral inside each matching engine,
 * so before an order whose shard lacks free cash the engine moves funds there from the shard with
 * the most free cash (`POST /portfolio/intra_exchange_instance_transfer`, kalshi-api-notes.md).
 * Policy `off` moves nothing: such an order is refused (drops{reason=shard_cash}).
 *
 * One transfer at a time (a second order waiting for the same shard then finds it funded). Each:
 *   intent appended and fsync'd to the order journal → the amount leaves the source shard in the
 *   ledger (spendable nowhere while in flight) → REST → outcome appended:
 *   - ok: the destination shard is credited;
 *   - refused / 429: the source gets it back; the order is refused (drops{reason=transfer_failed});
 *   - unknown (timeout, reset, 5xx): it stays out of both shards and is NEVER sent again — the
 *     request has no client id, so a resend could move the money twice. The reconciliation's
 *     per-shard comparison with `balance_breakdown` (reconciler.ts) settles where it is, and
 *     after a crash between request and answer the startup reconciliation reads the balances
 *     that already include it and closes the intent in the journal.
 * Every transfer is one structured log line, one `transfer` event on `/events` (audited like
 * every event, engine/audit.ts) and counted by outcome (transfers{result}).
 */
import type { WriteResult } from "../../kalshi/rest-client.js";
import type { Ledger } from "../accounts/ledger.js";
import type { OrderJournal } from "./journal.js";
import type { OrderEvent } from "./order-types.js";

/** config `orders.transferPolicy` (src/config/schema.ts) */
export type TransferPolicy = "auto" | "off";

/**
 * Moved on top of what the order needs, when the source has it: later orders on the shard then
 * need no transfer of their own (each transfer is a write against the account's rate budget).
 */
export const TRANSFER_TOP_UP_MICROS = 100_000_000;

/** The log line's name of a transfer event's `detail`, by result. */
const DETAIL_FIELD = { ok: "transfer_id", refused: "code", unknown: "reason" } as const;

/** Kalshi's transfer `amount` is in centi-cents: whole multiples of 100 micros. */
const AMOUNT_UNIT_MICROS = 100;

export interface TransferRestApi {
  transferBetweenShards(
    fromShard: number,
    toShard: number,
    amountMicros: number,
  ): Promise<WriteResult<{ transferId: string }>>;
}

export interface TransferLogLine {
  level: "info" | "warn";
  msg: string;
  fields: Record<string, string | number>;
}

/** Why `fund` could not make the cash free (the order is then refused with this reason). */
export type FundResult = "funded" | "shard_cash" | "transfer_failed";

export function newTransferStats() {
  return { ok: 0, refused: 0, unknown: 0, movedMicros: 0 };
}

export class ShardTransfers {
  readonly stats = newTransferStats();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rest: TransferRestApi,
    private readonly ledger: Ledger,
    private readonly journal: Pick<OrderJournal, "append">,
    readonly policy: TransferPolicy,
    private readonly log: (line: TransferLogLine) => void,
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly emit: (e: Extract<OrderEvent, { kind: "transfer" }>) => void = () => {},
  ) {}

  /** Makes `needMicros` free on `shard`, moving funds there if the policy allows. */
  fund(shard: number, needMicros: number): Promise<FundResult> {
    if (this.policy === "off") return Promise.resolve("shard_cash");
    const run = this.chain.then(() => this.fundNow(shard, needMicros));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async fundNow(shard: number, needMicros: number): Promise<FundResult> {
    const ledger = this.ledger;
    const short = needMicros - ledger.freeCashOn(shard);
    if (short <= 0) return "funded"; // a transfer before this one funded it
    const from = ledger.richestShardExcept(shard);
    const available = from < 0 ? 0 : floorUnit(ledger.freeCashOn(from));
    const minimum = ceilUnit(short);
    if (available < minimum) return "shard_cash";
    const amount = Math.min(available, ceilUnit(short + TRANSFER_TOP_UP_MICROS));
    const id = `transfer-${this.newId()}`;
    const tsMs = this.now();
    try {
      await this.journal.append({
        t: "intent",
        op: "transfer",
        cid: id,
        tsMs,
        ticker: "",
        fromShard: from,
        toShard: shard,
        amountMicros: amount,
      });
    } catch {
      return "transfer_failed"; // not durable → not sent
    }
    if (!ledger.transferOut(from, amount)) return "transfer_failed";
    const r = await this.rest.transferBetweenShards(from, shard, amount);
    const tell = (
      result: "ok" | "refused" | "unknown",
      detail: string,
      level: "info" | "warn",
      msg: string,
    ) => {
      const fields = { transfer: id, from_shard: from, to_shard: shard, amount_micros: amount, result };
      this.log({
        level,
        msg,
        fields: {
          ...fields,
          [DETAIL_FIELD[result]]: detail,
        },
      });
      this.emit({
        kind: "transfer",
        id,
        fromShard: from,
        toShard: shard,
        amountMicros: amount,
        result,
        detail,
      });
    };
    if (r.kind === "ok") {
      ledger.transferIn(shard, amount);
      this.stats.ok++;
      this.stats.movedMicros += amount;
      this.outcome(id, "accepted", undefined, r.value.transferId);
      tell("ok", r.value.transferId, "info", "transfer between exchange shards");
      return ledger.freeCashOn(shard) >= needMicros ? "funded" : "shard_cash";
    }
    if (r.kind === "rejected" || r.kind === "rate_limited" || r.kind === "conflict") {
      ledger.transferIn(from, amount);
      this.stats.refused++;
      const code = r.error.code || String(r.error.status);
      this.outcome(id, "rejected", code);
      tell("refused", code, "warn", "transfer between exchange shards refused");
      return "transfer_failed";
    }
    this.stats.unknown++;
    this.outcome(id, "unknown", r.reason);
    tell(
      "unknown",
      r.reason,
      "warn",
      "transfer between exchange shards of unknown outcome: not resent, settled by the balance breakdown",
    );
    return "transfer_failed";
  }

  private outcome(
    id: string,
    result: "accepted" | "rejected" | "unknown",
    code?: string,
    orderId?: string,
  ): void {
    const rec = {
      t: "outcome" as const,
      cid: id,
      tsMs: this.now(),
      result,
      ...(code === undefined ? {} : { code }),
      ...(orderId === undefined ? {} : { orderId }),
    };
    this.journal.append(rec).catch(() => undefined); // a lost outcome reads as unknown: settled at start
  }
}

function ceilUnit(micros: number): number {
  return Math.ceil(micros / AMOUNT_UNIT_MICROS) * AMOUNT_UNIT_MICROS;
}

function floorUnit(micros: number): number {
  return Math.max(0, Math.floor(micros / AMOUNT_UNIT_MICROS) * AMOUNT_UNIT_MICROS);
}

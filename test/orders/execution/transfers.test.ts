import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WriteResult } from "../../../src/kalshi/rest-client.js";
import { Ledger } from "../../../src/orders/accounts/ledger.js";
import type { JournalRecord } from "../../../src/orders/execution/journal.js";
import type { OrderEvent } from "../../../src/orders/execution/order-types.js";
import {
  ShardTransfers,
  TRANSFER_TOP_UP_MICROS,
  type TransferLogLine,
  type TransferPolicy,
} from "../../../src/orders/execution/transfers.js";

/** Transfers between exchange shards before an order (transfers.ts), against a scripted exchange. */
type Answer = WriteResult<{ transferId: string }>;

function setup(answers: Answer[], policy: TransferPolicy = "auto") {
  const ledger = new Ledger(0, { shardOf: (m) => m });
  ledger.correctFreeCash(500_000_000, 0);
  ledger.correctFreeCash(50_000_000, 2);
  const journal: JournalRecord[] = [];
  const sent: Array<{ from: number; to: number; amount: number; journaled: number }> = [];
  const logs: TransferLogLine[] = [];
  const events: OrderEvent[] = [];
  let id = 0;
  const rest = {
    async transferBetweenShards(from: number, to: number, amount: number): Promise<Answer> {
      sent.push({ from, to, amount, journaled: journal.length });
      return answers.shift() ?? { kind: "unknown", reason: "no answer scripted" };
    },
  };
  const transfers = new ShardTransfers(
    rest,
    ledger,
    { append: async (r: JournalRecord) => void journal.push(r) },
    policy,
    (l) => logs.push(l),
    () => 1_000,
    () => String(++id),
    (e) => events.push(e),
  );
  return { ledger, journal, sent, logs, events, transfers };
}

const OK: Answer = { kind: "ok", status: 200, value: { transferId: "T1" } };

describe("transfers between exchange shards", () => {
  it("moves what the order needs plus the top-up from the richest shard, journaled before it is sent", async () => {
    const { ledger, journal, sent, logs, events, transfers } = setup([OK]);
    assert.equal(await transfers.fund(1, 12_345_678), "funded");
    assert.deepEqual(events, [
      {
        kind: "transfer",
        id: "transfer-1",
        fromShard: 0,
        toShard: 1,
        amountMicros: 112_345_700,
        result: "ok",
        detail: "T1",
      },
    ]);
    assert.deepEqual(sent, [{ from: 0, to: 1, amount: 12_345_700 + TRANSFER_TOP_UP_MICROS, journaled: 1 }]);
    assert.equal(journal[0]!.t === "intent" && journal[0]!.op, "transfer");
    assert.equal(ledger.freeCashOn(1), 12_345_700 + TRANSFER_TOP_UP_MICROS);
    assert.equal(ledger.freeCashMicros, 550_000_000, "money moved, none made or lost");
    assert.deepEqual(transfers.stats, { ok: 1, refused: 0, unknown: 0, movedMicros: 112_345_700 });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.fields.result, "ok");
    // funded now: the next order on the shard needs no transfer
    assert.equal(await transfers.fund(1, 50_000_000), "funded");
    assert.equal(sent.length, 1);
  });

  it("serialises concurrent requests for one shard: the second finds it funded", async () => {
    const { sent, transfers } = setup([OK, OK]);
    const r = await Promise.all([transfers.fund(1, 10_000_000), transfers.fund(1, 20_000_000)]);
    assert.deepEqual(r, ["funded", "funded"]);
    assert.equal(sent.length, 1);
  });

  it("gives a refused or rate-limited transfer back to its source and fails the order", async () => {
    const { ledger, journal, events, transfers } = setup([
      { kind: "rate_limited", error: { status: 429, code: "", message: "too many requests", details: "" } },
    ]);
    assert.equal(await transfers.fund(1, 10_000_000), "transfer_failed");
    assert.deepEqual(
      events.map((e) => e.kind === "transfer" && `${e.result} ${e.detail}`),
      ["refused 429"],
    );
    assert.equal(ledger.freeCashOn(0), 500_000_000);
    assert.equal(ledger.freeCashOn(1), 0);
    assert.deepEqual(transfers.stats, { ok: 0, refused: 1, unknown: 0, movedMicros: 0 });
    await new Promise((r) => setImmediate(r));
    const last = journal.at(-1)!;
    assert.equal(last.t === "outcome" ? last.result : last.t, "rejected");
  });

  it("never resends a transfer of unknown outcome: the amount stays out of both shards", async () => {
    const { ledger, sent, transfers, logs, events } = setup([{ kind: "unknown", reason: "timeout" }]);
    assert.equal(await transfers.fund(1, 10_000_000), "transfer_failed");
    assert.deepEqual(
      events.map((e) => e.kind === "transfer" && `${e.result} ${e.detail}`),
      ["unknown timeout"],
    );
    assert.equal(sent.length, 1);
    assert.equal(ledger.freeCashOn(0), 500_000_000 - sent[0]!.amount);
    assert.equal(ledger.freeCashOn(1), 0);
    assert.deepEqual(transfers.stats, { ok: 0, refused: 0, unknown: 1, movedMicros: 0 });
    assert.equal(logs[0]!.level, "warn");
  });

  it("moves nothing with policy off, or when no one shard can cover the order", async () => {
    const off = setup([OK], "off");
    assert.equal(await off.transfers.fund(1, 10_000_000), "shard_cash");
    assert.equal(off.sent.length, 0);
    assert.equal(off.events.length, 0, "no transfer, no event");
    const poor = setup([OK]);
    assert.equal(
      await poor.transfers.fund(1, 520_000_000),
      "shard_cash",
      "500 + 50 in two shards is not one",
    );
    assert.equal(poor.sent.length, 0);
    // what the source has, when less than the top-up, is enough
    const tight = setup([OK]);
    assert.equal(await tight.transfers.fund(1, 450_000_000), "funded");
    assert.equal(tight.sent[0]!.amount, 500_000_000);
  });
});

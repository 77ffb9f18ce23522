import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type IntentRecord, OrderJournal } from "../../src/orders/journal.js";

const dir = mkdtempSync(join(tmpdir(), "orders-journal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function intent(cid: string): IntentRecord {
  return {
    t: "intent",
    op: "create",
    cid,
    tsMs: 1_700_000_000_000,
    ticker: "KX-T",
    action: "BUY_YES",
    side: "bid",
    yesPriceTicks: 450,
    countHundredths: 1000,
  };
}

describe("order journal (lessons.md rule 15)", () => {
  it("has the intent on disk when append resolves (written + fsync'd before the request)", async () => {
    const path = join(dir, "a.ndjson");
    const { journal, replay } = await OrderJournal.open(path);
    assert.equal(replay.records.length, 0);
    await journal.append(intent("c1"));
    const onDisk = readFileSync(path, "utf8");
    assert.equal(onDisk, `${JSON.stringify(intent("c1"))}\n`);
    assert.equal(journal.syncs, 1);
    await journal.close();
  });

  it("group-commits concurrent appends and keeps their order", async () => {
    const path = join(dir, "b.ndjson");
    const { journal } = await OrderJournal.open(path);
    await Promise.all([1, 2, 3, 4, 5].map((i) => journal.append(intent(`c${i}`))));
    assert.ok(journal.syncs <= 2, `syncs ${journal.syncs}`);
    await journal.close();
    const { journal: j2, replay } = await OrderJournal.open(path);
    assert.deepEqual(
      replay.records.map((r) => r.cid),
      ["c1", "c2", "c3", "c4", "c5"],
    );
    await j2.close();
  });

  it("replays intents without a final outcome as unresolved", async () => {
    const path = join(dir, "c.ndjson");
    const { journal } = await OrderJournal.open(path);
    await journal.append(intent("ok"));
    await journal.append({ t: "outcome", cid: "ok", tsMs: 1, result: "accepted", orderId: "x1" });
    await journal.append(intent("lost")); // crashed before the answer
    await journal.append(intent("timeout"));
    await journal.append({ t: "outcome", cid: "timeout", tsMs: 2, result: "unknown" });
    await journal.append(intent("rej"));
    await journal.append({ t: "outcome", cid: "rej", tsMs: 3, result: "rejected", code: "invalid_order" });
    await journal.close();
    const { journal: j2, replay } = await OrderJournal.open(path);
    assert.deepEqual([...replay.unresolved.keys()].sort(), ["lost", "timeout"]);
    assert.equal(replay.unresolved.get("lost")?.yesPriceTicks, 450);
    await j2.close();
  });

  it("tolerates a torn last line: drops it, truncates it away, and appends cleanly after", async () => {
    const path = join(dir, "d.ndjson");
    const { journal } = await OrderJournal.open(path);
    await journal.append(intent("c1"));
    await journal.close();
    appendFileSync(path, '{"t":"intent","op":"create","cid":"c2","ts'); // crash mid-write
    const { journal: j2, replay } = await OrderJournal.open(path);
    assert.deepEqual(
      replay.records.map((r) => r.cid),
      ["c1"],
    );
    assert.ok(replay.tornBytes > 0);
    assert.equal(replay.corruptLines, 0);
    await j2.append(intent("c3"));
    await j2.close();
    const { journal: j3, replay: r3 } = await OrderJournal.open(path);
    assert.deepEqual(
      r3.records.map((r) => r.cid),
      ["c1", "c3"],
    );
    assert.equal(r3.tornBytes, 0);
    assert.equal(r3.corruptLines, 0);
    await j3.close();
  });

  it("refuses appends after close", async () => {
    const { journal } = await OrderJournal.open(join(dir, "e.ndjson"));
    await journal.close();
    await assert.rejects(journal.append(intent("late")));
  });
});

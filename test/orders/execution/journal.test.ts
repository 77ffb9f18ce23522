import assert from "node:assert/strict";
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type IntentRecord, OrderJournal } from "../../../src/orders/execution/journal.js";

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
    yesPriceTicks: 4500,
    countHundredths: 1000,
  };
}

describe("order journal (correctness-rules.md rule 15)", () => {
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
      replay.records.filter((r) => r.t !== "snapshot").map((r) => r.cid),
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
    assert.equal(replay.unresolved.get("lost")?.yesPriceTicks, 4500);
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
      replay.records.filter((r) => r.t !== "snapshot").map((r) => r.cid),
      ["c1"],
    );
    assert.ok(replay.tornBytes > 0);
    assert.equal(replay.corruptLines, 0);
    await j2.append(intent("c3"));
    await j2.close();
    const { journal: j3, replay: r3 } = await OrderJournal.open(path);
    assert.deepEqual(
      r3.records.filter((r) => r.t !== "snapshot").map((r) => r.cid),
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

  it("is readable by its owner only (0600), also when an older run created it 0644", async () => {
    const path = join(dir, "f.ndjson");
    const { journal } = await OrderJournal.open(path);
    await journal.append(intent("c1"));
    await journal.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    chmodSync(path, 0o644);
    const { journal: j2 } = await OrderJournal.open(path);
    await j2.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("folds settled intents into a snapshot at open, so startup reads only what is unresolved", async () => {
    const path = join(dir, "g.ndjson");
    let { journal } = await OrderJournal.open(path);
    for (let run = 0; run < 3; run++) {
      for (let i = 0; i < 500; i++) {
        const cid = `r${run}-${i}`;
        await journal.append(intent(cid));
        await journal.append({ t: "outcome", cid, tsMs: 1, result: i % 2 ? "accepted" : "rejected" });
      }
      await journal.append(intent(`r${run}-lost`)); // no answer before the crash
      await journal.close();
      const reopened = await OrderJournal.open(path);
      journal = reopened.journal;
      assert.equal(reopened.replay.settledIntents, 500 * (run + 1));
      assert.deepEqual(
        [...reopened.replay.unresolved.keys()].sort(),
        Array.from({ length: run + 1 }, (_, r) => `r${r}-lost`),
      );
      // the file holds the snapshot and the unresolved intents only
      const lines = readFileSync(path, "utf8").trim().split("\n");
      assert.equal(lines.length, 1 + run + 1);
      assert.equal(JSON.parse(lines[0]!).t, "snapshot");
    }
    await journal.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AuditTrail } from "../../src/engine/audit.js";
import type { EngineEvent } from "../../src/events/engine-event.js";

const dir = mkdtempSync(join(tmpdir(), "kalshi-engine-audit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function recorder() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const log = {
    info: (fields: object, msg: string) => lines.push({ level: "info", fields: { ...fields }, msg }),
    warn: (fields: object, msg: string) => lines.push({ level: "warn", fields: { ...fields }, msg }),
  };
  return { log, lines };
}

describe("audit trail", () => {
  it("logs orders, fills, breakers, kill and control (with who); fills also go to fills.ndjson", async () => {
    const { log, lines } = recorder();
    const runDir = join(dir, "run-1");
    const audit = new AuditTrail(log, runDir);
    const events: EngineEvent[] = [
      {
        kind: "decision",
        seq: 1,
        tsUs: 1,
        market: "KX",
        action: "buy_yes",
        sizeHundredths: 100,
        bookSeq: 1,
        recvTsUs: 1,
        decisionTsUs: 1,
        skippedReason: "",
        priceTicks: 4500,
        batchSize: 1,
        appliedCount: 0,
      },
      {
        kind: "order",
        seq: 2,
        tsUs: 2,
        status: "acked",
        clientOrderId: "c1",
        orderId: "o1",
        market: "KX",
        side: "yes",
        action: "buy",
        priceTicks: 4500,
        countHundredths: 1000,
        reason: "",
      },
      {
        kind: "fill",
        seq: 3,
        tsUs: 1_773_153_000_000_000,
        fillId: "f1",
        orderId: "o1",
        market: "KX",
        side: "yes",
        action: "buy",
        priceTicks: 4500,
        countHundredths: 1000,
        feeMicros: 180_000,
      },
      { kind: "breaker", seq: 4, tsUs: 4, name: "orders", state: "tripped", reason: "5 rejects" },
      { kind: "kill", seq: 5, tsUs: 5, engaged: true, reason: "cancels: 2" },
      { kind: "pnl", seq: 6, tsUs: 6, realisedMicros: 1, unrealisedMicros: 2, feesMicros: 3 },
    ];
    for (const e of events) audit.event(e);
    // an event kind added later (e.g. a settlement) is audited too
    audit.event({ kind: "settlement", seq: 7, tsUs: 7, market: "KX" } as unknown as EngineEvent);
    audit.control("kill", { remote: "127.0.0.1", tokenId: "0a1b2c3d", agent: "curl/8" }, { kill: true });
    audit.control("resume", undefined, new Error("trading halted"));
    await audit.close();

    assert.deepEqual(
      lines.map((l) => [l.fields.audit, l.msg]),
      [
        ["order", "order acked"],
        ["fill", "fill"],
        ["breaker", "breaker tripped"],
        ["kill_switch", "kill switch engaged"],
        ["settlement", "settlement"],
        ["control", "control kill"],
        ["control", "control resume failed"],
      ],
    );
    assert.equal(lines[0]?.fields.price, "0.4500");
    assert.deepEqual(
      [lines[5]?.fields.remote, lines[5]?.fields.token_id, lines[5]?.fields.agent],
      ["127.0.0.1", "0a1b2c3d", "curl/8"],
    );
    const fills = readFileSync(join(runDir, "fills.ndjson"), "utf8").trim().split("\n");
    assert.equal(fills.length, 1);
    assert.deepEqual(JSON.parse(fills[0]!), {
      ts: "2026-03-10T14:30:00.000Z",
      fill_id: "f1",
      order_id: "o1",
      market: "KX",
      side: "yes",
      action: "buy",
      price: "0.4500",
      count: "10.00",
      fee: "0.1800",
    });
  });
});

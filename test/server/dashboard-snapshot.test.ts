/**
 * The dashboard page opened after orders were placed (Chromium against the real server and a
 * fake engine, so nothing moves unless the test says so): the open-orders, fills and orders tables
 * show what happened before the page existed (`/snapshot`), then follow `/events` — an order
 * acked appears, a canceled one and a fully filled one disappear.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EngineEvent, FillEvent, OpenOrder, OrderEvent } from "../../src/events/engine-event.js";
import { startEngineServer } from "../../src/server/engine-server.js";
import type { EngineServer } from "../../src/server/types.js";
import { waitFor } from "../engine/helpers.js";
import { chromiumMissing, launchChromium, openDashboard } from "./chromium.js";
import { FakeEngine } from "./fixtures/fake-engine.js";

const MARKET = "KXEX-26MAR10-A";

function open(clientOrderId: string, orderId: string, countHundredths: number, filled: number): OpenOrder {
  return {
    clientOrderId,
    orderId,
    market: MARKET,
    side: "yes",
    action: "buy",
    priceTicks: 4150,
    countHundredths,
    filledHundredths: filled,
  };
}

function orderEvent(seq: number, status: OrderEvent["status"], o: OpenOrder): OrderEvent {
  const { filledHundredths: _, ...rest } = o;
  return { kind: "order", seq, tsUs: seq, status, reason: "", ...rest };
}

function fillEvent(seq: number, fillId: string, orderId: string, countHundredths: number): FillEvent {
  return {
    kind: "fill",
    seq,
    tsUs: seq,
    fillId,
    orderId,
    market: MARKET,
    side: "yes",
    action: "buy",
    priceTicks: 4150,
    countHundredths,
    feeMicros: 7_000,
  };
}

describe("dashboard opened after orders were placed (fake engine)", { skip: chromiumMissing }, () => {
  const engine = new FakeEngine();
  let server: EngineServer;
  before(async () => {
    server = await startEngineServer({ port: 0, controlToken: "snapshot-test-token" }, engine.deps());
  });
  after(() => server.close());

  it("loads the open orders, fills and orders from /snapshot, then applies /events", async () => {
    const a = open("aaaaaaaa-1", "ex-a", 1000, 0);
    const b = open("bbbbbbbb-2", "ex-b", 500, 200);
    const c = open("cccccccc-3", "ex-c", 700, 0);
    // before the page exists: two orders acked, one partly filled
    const before: EngineEvent[] = [
      orderEvent(1, "acked", a),
      orderEvent(2, "acked", b),
      fillEvent(3, "fill-00000001", "ex-b", 200),
    ];
    for (const e of before) engine.emit(e);
    engine.openOrders = [a, b];

    const browser = await launchChromium();
    try {
      const { page, errors } = await openDashboard(browser, `${server.url}/`);
      const column = (table: string) => page.locator(`#${table} tr td:first-child`).allTextContents();
      const until = (table: string, want: string[], what: string) =>
        waitFor(async () => JSON.stringify(await column(table)) === JSON.stringify(want), what, 30_000);

      await until("open", ["aaaaaaaa", "bbbbbbbb"], "the orders resting before the page opened");
      assert.deepEqual(await page.locator("#open tr").nth(2).locator("td").allTextContents(), [
        "bbbbbbbb",
        MARKET,
        "yes",
        "buy",
        "0.4150",
        "5.00",
        "2.00",
        "resting",
      ]);
      await until("fills", ["00000001"], "the fill made before the page opened");
      await until("orders", ["bbbbbbbb", "aaaaaaaa"], "the order events before the page opened");

      // live: c acked; a canceled; b's remaining 3 contracts filled (no order event for that)
      engine.openOrders = [c];
      engine.emit(orderEvent(4, "acked", c));
      engine.emit(orderEvent(5, "canceled", a));
      engine.emit(fillEvent(6, "fill-00000002", "ex-b", 300));
      await until("open", ["cccccccc"], "the table to follow /events");
      await until("fills", ["00000002", "00000001"], "the new fill on top");
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await browser.close();
    }
  });
});

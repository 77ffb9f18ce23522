import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookSideField } from "../../../src/kalshi/adapter/field-rules.js";
import {
  PrivateReports,
  privateSkipCounter,
  type SkipReason,
} from "../../../src/kalshi/adapter/private-reports.js";
import { RECORD_BYTES, readReportRecord } from "../../../src/kalshi/adapter/report-records.js";
import {
  fillReportOfRest,
  ledgerFillOf,
  reportOfMessage,
  settlementReportOfRest,
  type VenueReport,
} from "../../../src/kalshi/adapter/reports.js";
import type { FillMessage } from "../../../src/kalshi/message-types.js";
import { parseServerMessage } from "../../../src/kalshi/messages.js";
import { parseRestFill, parseRestSettlement } from "../../../src/kalshi/rest-types.js";
import { BytesRing } from "../../../src/shm/bytes-ring.js";
import { Counters } from "../../../src/stats/counters.js";
import { ENGINE_METRICS } from "../../../src/stats/engine-metrics.js";

const indexOf = (ticker: string) => ["KX-A", "HIGHNY-22DEC23-B53.5"].indexOf(ticker);

// The field set of Kalshi's documented `fill` message (websockets/user-fills, kalshi-api-notes.md).
const DOCUMENTED_FILL = {
  trade_id: "d91bc706-ee49-470d-82d8-11418bda6fed",
  order_id: "ee587a1c-8b87-4dcf-b721-9f6f790619fa",
  client_order_id: "c-1",
  market_ticker: "HIGHNY-22DEC23-B53.5",
  is_taker: true,
  side: "yes",
  action: "buy",
  outcome_side: "yes",
  book_side: "bid",
  yes_price_dollars: "0.7500",
  count_fp: "278.00",
  fee_cost: "0.3400",
  post_position_fp: "500.00",
  purchased_side: "yes",
  subaccount: 3,
  ts: 1671899397,
  ts_ms: 1671899397000,
};

function fill(msg: Record<string, unknown>): FillMessage {
  const m = parseServerMessage(JSON.stringify({ type: "fill", sid: 13, msg }));
  assert.equal(m.kind, "fill");
  return m as FillMessage;
}

function report(msg: Record<string, unknown>): VenueReport {
  const r = reportOfMessage(fill(msg), indexOf);
  assert.notEqual(typeof r, "string");
  return r as VenueReport;
}

describe("Kalshi adapter: fill reports (one mapping for WS and REST)", () => {
  it("maps the documented fill to a ledger fill keyed by trade_id, with the exchange's fee", () => {
    const r = report(DOCUMENTED_FILL);
    assert.equal(r.kind, "fill");
    assert.deepEqual(r.kind === "fill" && ledgerFillOf(r.fill), {
      fillId: DOCUMENTED_FILL.trade_id,
      market: 1,
      exchangeOrderId: DOCUMENTED_FILL.order_id,
      clientOrderId: "c-1",
      side: "bid",
      yesPriceTicks: 7500,
      sizeHundredths: 27_800,
      isTaker: true,
      exchangeFeeMicros: 340_000,
    });
  });

  it("accepts every documented fill action and an unknown one; the book side decides", () => {
    for (const action of ["buy", "sell", "sell_partial", "sell_to_close", "", "something_new"]) {
      const m = fill({ ...DOCUMENTED_FILL, action, book_side: "ask" });
      assert.equal(m.action, action === "something_new" ? "" : action);
      assert.equal(m.bookSide, "ask", `action ${JSON.stringify(action)}`);
    }
  });

  it("without book_side, reads the legacy side × action table (every sell variant sells)", () => {
    const { book_side: _, ...noBookSide } = DOCUMENTED_FILL;
    const side = (s: string, action: string, extra: Record<string, unknown> = {}) =>
      fill({ ...noBookSide, outcome_side: undefined, purchased_side: undefined, side: s, action, ...extra })
        .bookSide;
    assert.equal(side("yes", "buy"), "bid");
    assert.equal(side("yes", "sell"), "ask");
    assert.equal(side("no", "buy"), "ask");
    assert.equal(side("no", "sell"), "bid");
    assert.equal(side("yes", "sell_to_close"), "ask");
    assert.equal(side("no", "sell_partial"), "bid");
    // unknown action: the purchased side as a purchase
    assert.equal(side("yes", "", { purchased_side: "no" }), "ask");
  });

  it("REST fills go through the same rules and the same ledger mapping", () => {
    const rest = parseRestFill({
      fill_id: "f-1",
      trade_id: DOCUMENTED_FILL.trade_id,
      order_id: DOCUMENTED_FILL.order_id,
      ticker: "HIGHNY-22DEC23-B53.5",
      side: "no",
      action: "sell_to_close",
      yes_price_dollars: "0.7500",
      count_fp: "278.00",
      is_taker: true,
      fee_cost: "0.3400",
      ts: 1671899397,
    });
    const fromRest = fillReportOfRest(rest, indexOf);
    const ws = report({ ...DOCUMENTED_FILL, side: "no", action: "sell_to_close", book_side: undefined });
    assert.ok(fromRest !== null && ws.kind === "fill");
    assert.equal(fromRest.bookSide, "bid");
    const { clientOrderId: _c, ...restFill } = ledgerFillOf(fromRest)!;
    const { clientOrderId: _w, ...wsFill } = ledgerFillOf(ws.fill)!;
    assert.deepEqual(restFill, wsFill);
    assert.equal(bookSideField({ side: "bid" }), "bid", "a V2 side is a book side");
    assert.equal(bookSideField({}), "", "nothing says: no side");
    assert.equal(fillReportOfRest({ ...rest, side: "" }, indexOf), null);
  });

  it("reports a market that is not ours as such", () => {
    assert.equal(
      reportOfMessage(fill({ ...DOCUMENTED_FILL, market_ticker: "KX-ZZ" }), indexOf),
      "unknown_market",
    );
  });
});

// The field set of Kalshi's `market_lifecycle_v2` message (websockets/market-lifecycle,
// kalshi-api-notes.md): event_type, open_ts, close_ts, result, determination_ts,
// settlement_value, settled_ts, is_deactivated, price_level_structure.
const lifecycle = (msg: Record<string, unknown>) =>
  parseServerMessage(
    JSON.stringify({ type: "market_lifecycle_v2", sid: 30, seq: 5, msg: { market_ticker: "KX-A", ...msg } }),
  );

describe("Kalshi adapter: settlement reports", () => {
  it("a settled market_lifecycle_v2 frame pays YES $1 (yes), $0 (no), its value (scalar), or voids", () => {
    const settled = (result: string, extra: Record<string, unknown> = {}) => {
      const m = lifecycle({ event_type: "settled", result, settled_ts: 1761000000, ...extra });
      assert.equal(m.kind, "market_lifecycle_v2");
      return reportOfMessage(m as never, indexOf);
    };
    assert.deepEqual(settled("yes"), {
      kind: "settlement",
      settlement: { market: 0, yesPayoutMicros: 1_000_000, tsMs: 1_761_000_000_000 },
    });
    assert.equal((settled("no") as VenueReport & { kind: "settlement" }).settlement.yesPayoutMicros, 0);
    assert.equal(
      (settled("scalar", { settlement_value: "0.4200" }) as VenueReport & { kind: "settlement" }).settlement
        .yesPayoutMicros,
      420_000,
    );
    assert.equal((settled("void") as VenueReport & { kind: "settlement" }).settlement.yesPayoutMicros, -1);
    assert.equal(settled("scalar"), "unknown_result", "a scalar without its value cannot be paid out");
  });

  it("other lifecycle events and other markets move no money", () => {
    const m = lifecycle({ event_type: "determined", result: "yes", determination_ts: 1761000000 });
    assert.equal(reportOfMessage(m as never, indexOf), null);
    const other = parseServerMessage(
      JSON.stringify({
        type: "market_lifecycle_v2",
        msg: { market_ticker: "KX-ZZ", event_type: "settled", result: "yes" },
      }),
    );
    assert.equal(reportOfMessage(other as never, indexOf), null);
  });

  it("a REST settlement (market_result, value in cents) gives the same report", () => {
    const st = parseRestSettlement({
      ticker: "KX-A",
      market_result: "scalar",
      yes_count_fp: "3.00",
      no_count_fp: "0.00",
      revenue: 126,
      value: 42,
      settled_time: "2025-10-20T22:40:00Z",
    });
    assert.deepEqual(settlementReportOfRest(st, indexOf), {
      market: 0,
      yesPayoutMicros: 420_000,
      tsMs: Date.parse("2025-10-20T22:40:00Z"),
    });
    assert.equal(settlementReportOfRest({ ...st, ticker: "KX-ZZ" }, indexOf), null);
  });
});

// The field set of Kalshi's `order_group_updates` message (websockets/order-group-updates):
// event_type (created, triggered, reset, deleted, limit_updated), order_group_id,
// contracts_limit_fp (created, limit_updated), and the channel's own seq.
describe("Kalshi adapter: order group reports", () => {
  const update = (msg: Record<string, unknown>) =>
    parseServerMessage(JSON.stringify({ type: "order_group_updates", sid: 40, seq: 3, msg }));

  it("parses the documented fields and reports triggered, reset and deleted", () => {
    const created = update({ event_type: "created", order_group_id: "g-1", contracts_limit_fp: "25.00" });
    assert.deepEqual(created, {
      kind: "order_group_updates",
      sid: 40,
      seq: 3,
      eventType: "created",
      orderGroupId: "g-1",
      contractsLimitHundredths: 2500,
    });
    assert.equal(
      reportOfMessage(created as never, indexOf),
      null,
      "creation changes nothing the engine holds",
    );
    for (const event of ["triggered", "reset", "deleted"]) {
      const m = update({ event_type: event, order_group_id: "g-1" });
      assert.deepEqual(reportOfMessage(m as never, indexOf), {
        kind: "orderGroup",
        group: { orderGroupId: "g-1", event },
      });
    }
  });
});

describe("FillRing records (io → orders thread, no JSON)", () => {
  const counters = new Counters(ENGINE_METRICS);
  const count = privateSkipCounter(counters);
  function forward(...frames: string[]): { reports: VenueReport[]; skipped: SkipReason[] } {
    const ring = BytesRing.create(RECORD_BYTES, 8);
    const skipped: SkipReason[] = [];
    const io = new PrivateReports(ring, indexOf, (why) => {
      skipped.push(why);
      count(why);
    });
    for (const f of frames) io.onFrameText(f);
    const reports: VenueReport[] = [];
    ring.drain((tag, bytes) => {
      const r = readReportRecord(tag, bytes);
      assert.ok(r !== null);
      reports.push(r);
    });
    return { reports, skipped };
  }

  it("round-trips a fill and an order status exactly", () => {
    const userOrder = {
      order_id: "o-1",
      client_order_id: "c-1",
      ticker: "KX-A",
      status: "canceled",
      side: "yes",
      outcome_side: "yes",
      book_side: "bid",
      yes_price_dollars: "0.4150",
      fill_count_fp: "2.50",
      remaining_count_fp: "0.00",
      initial_count_fp: "10.00",
    };
    const { reports, skipped } = forward(
      JSON.stringify({ type: "fill", sid: 13, msg: DOCUMENTED_FILL }),
      JSON.stringify({ type: "user_order", sid: 21, msg: userOrder }),
      JSON.stringify({
        type: "fill",
        sid: 13,
        msg: { ...DOCUMENTED_FILL, fee_cost: undefined, is_taker: false },
      }),
      JSON.stringify({
        type: "market_lifecycle_v2",
        sid: 30,
        seq: 9,
        msg: { market_ticker: "KX-A", event_type: "settled", result: "no", settled_ts: 1761000000 },
      }),
      JSON.stringify({
        type: "order_group_updates",
        sid: 40,
        seq: 1,
        msg: { event_type: "triggered", order_group_id: "g-1" },
      }),
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(reports[4], { kind: "orderGroup", group: { orderGroupId: "g-1", event: "triggered" } });
    assert.deepEqual(reports[0], reportOfMessage(fill(DOCUMENTED_FILL), indexOf));
    assert.deepEqual(reports[1], {
      kind: "orderStatus",
      status: {
        orderId: "o-1",
        clientOrderId: "c-1",
        market: 0,
        status: "canceled",
        fillCountHundredths: 250,
        remainingCountHundredths: 0,
      },
    });
    assert.equal(reports[2]?.kind === "fill" && reports[2].fill.feeMicros, undefined);
    assert.equal(reports[2]?.kind === "fill" && reports[2].fill.isTaker, false);
    assert.deepEqual(reports[3], {
      kind: "settlement",
      settlement: { market: 0, yesPayoutMicros: 0, tsMs: 1_761_000_000_000 },
    });
  });

  it("counts what it cannot forward: unknown market, unknown status, an id too long, a full ring", () => {
    const frames = [
      JSON.stringify({ type: "fill", msg: { ...DOCUMENTED_FILL, market_ticker: "KX-ZZ" } }),
      JSON.stringify({ type: "fill", msg: { ...DOCUMENTED_FILL, client_order_id: "x".repeat(64) } }),
      JSON.stringify({
        type: "user_order",
        msg: {
          order_id: "o",
          ticker: "KX-A",
          status: "pending",
          yes_price_dollars: "0.5",
          fill_count_fp: "0",
          remaining_count_fp: "1",
        },
      }),
    ];
    const ok = JSON.stringify({ type: "fill", msg: DOCUMENTED_FILL });
    const { reports, skipped } = forward(...frames, ...Array(9).fill(ok));
    assert.equal(reports.length, 8);
    assert.deepEqual(skipped, ["unknown_market", "unencodable", "unknown_status", "ring_full"]);
    for (const reason of ["unknown_market", "unencodable", "unknown_status"]) {
      assert.equal(counters.counter("private_frames_skipped", { reason }).value, 1, reason);
    }
    assert.equal(counters.counter("ring_overflows", { ring: "fill" }).value, 1);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FRAME_DELTA, FRAME_MALFORMED, FRAME_OTHER, FrameScanner } from "../../src/kalshi/frame-scanner.js";
import {
  type BookLevel,
  MessageParseError,
  type MessageParseReason,
  parseServerMessage,
  type ServerMessage,
  tryParseServerMessage,
} from "../../src/kalshi/messages.js";

type Case = [name: string, frame: string, want: ServerMessage];

function check(cases: Case[]): void {
  for (const [name, frame, want] of cases) assert.deepEqual(parseServerMessage(frame), want, name);
}

// The JSON examples of kalshi-api-notes.md, `//` annotations removed.
const SPEC = {
  subscribed: `{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}`,
  okTopLevel: `{"id":3,"sid":7,"seq":222,"type":"ok","market_tickers":["A","B","C"]}`,
  okInMsg: `{"id":3,"sid":7,"seq":222,"type":"ok","msg":{"market_tickers":["A","B","C"]}}`,
  unsubscribed: `{"id":5,"sid":7,"seq":310,"type":"unsubscribed"}`,
  okList: `{"id":6,"type":"ok","msg":[{"channel":"orderbook_delta","sid":1},{"channel":"fill","sid":3}]}`,
  error: `{"id":123,"type":"error","msg":{"code":6,"msg":"Already subscribed"}}`,
  snapshot: `{"type":"orderbook_snapshot","sid":2,"seq":1,
 "msg":{"market_ticker":"FED-23DEC-T3.00",
        "market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1",
        "yes_dollars_fp":[["0.0800","300.00"],["0.2200","333.00"]],
        "no_dollars_fp":[["0.5400","20.00"],["0.5600","146.00"]]}}`,
  delta: `{"type":"orderbook_delta","sid":2,"seq":3,
 "msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43-...",
        "price_dollars":"0.9600","delta_fp":"-54.00","side":"yes",
        "client_order_id":"8c35ecb3-...","subaccount":0,
        "ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}`,
  ticker: `{"type":"ticker","sid":11,
 "msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f...",
        "price_dollars":"0.4800","yes_bid_dollars":"0.4500","yes_ask_dollars":"0.5300",
        "yes_bid_size_fp":"300.00","yes_ask_size_fp":"150.00","last_trade_size_fp":"25.00",
        "volume_fp":"33896.00","open_interest_fp":"20422.00",
        "dollar_volume":16948,"dollar_open_interest":10211,
        "ts":1669149841,"ts_ms":1669149841000,"time":"2022-11-22T20:44:01Z"}}`,
  trade: `{"type":"trade","sid":4,"seq":42,
 "msg":{"trade_id":"f851595a-...","market_ticker":"KXBTCD-26FEB14-T100000",
        "yes_price_dollars":"0.5500","no_price_dollars":"0.4500","count_fp":"10.00",
        "taker_side":"yes","taker_outcome_side":"yes","taker_book_side":"bid",
        "ts":1707667200,"ts_ms":1707667200000}}`,
  fill: `{"type":"fill","sid":13,
 "msg":{"trade_id":"d91bc706-...","order_id":"ee587a1c-...","client_order_id":"...",
        "market_ticker":"HIGHNY-22DEC23-B53.5","is_taker":true,
        "side":"yes","action":"buy","outcome_side":"yes","book_side":"bid",
        "yes_price_dollars":"0.7500","count_fp":"278.00","fee_cost":"0.3400",
        "post_position_fp":"500.00","purchased_side":"yes","subaccount":3,
        "ts":1671899397,"ts_ms":1671899397000}}`,
};

// The docs list fields without a JSON example for these; values here are illustrative.
const BUILT = {
  userOrder: `{"type":"user_order","sid":21,"msg":{"order_id":"o-1","client_order_id":"c-1",
    "ticker":"KXBTCD-26OCT2717-T99999.99","status":"canceled","side":"yes","outcome_side":"yes",
    "book_side":"bid","yes_price_dollars":"0.4150","fill_count_fp":"2.50","remaining_count_fp":"0.00",
    "initial_count_fp":"10.00","taker_fees_dollars":"0.0200","maker_fees_dollars":"0.0000",
    "created_ts_ms":1761000000000,"expiration_ts_ms":1761003600000,
    "last_update_reason":"PostOnlyCrossCancel"}}`,
  position: `{"type":"market_position","sid":22,"msg":{"user_id":"u-1","market_ticker":"FED-23DEC-T3.00",
    "position_fp":"-12.50","position_cost_dollars":"5.2500","realized_pnl_dollars":"-1.2300",
    "fees_paid_dollars":"0.0700","position_fee_cost_dollars":"0.0400","volume_fp":"40.00","subaccount":0}}`,
  lifecycle: `{"type":"market_lifecycle_v2","sid":30,"seq":5,"msg":{"market_ticker":"FED-23DEC-T3.00",
    "event_type":"settled","open_ts":1669000000,"close_ts":1669149841,"determination_ts":1669150000,
    "settled_ts":1669153600,"result":"yes","settlement_value":"1.0000","is_deactivated":false,
    "price_level_structure":"linear_cent","additional_metadata":{"name":"Fed"}}}`,
  event: `{"type":"event_lifecycle","sid":30,"seq":6,"msg":{"event_ticker":"FED-23DEC","title":"Fed rate",
    "subtitle":"Dec 2023","collateral_return_type":"binary","series_ticker":"FED",
    "strike_date":1703030400,"strike_period":""}}`,
};

// Legacy wire (pre 2026-03-12), kalshi-api-notes.md
const LEGACY = {
  snapshot: `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"FED-23DEC-T3.00",
    "yes":[[8,300],[22,333]],"no":[[54,20],[56,146]]}}`,
  transitional: `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"FED-23DEC-T3.00",
    "yes_dollars":[["0.08",300],["0.22",333]],"no_dollars":[["0.54",20]],"yes":[[1,1]],"no":[[1,1]]}}`,
  delta: `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00",
    "price":96,"delta":-54,"side":"no"}}`,
  fill: `{"type":"fill","sid":13,"msg":{"trade_id":"t-1","order_id":"o-1","market_ticker":"HIGHNY-22DEC23-B53.5",
    "is_taker":false,"side":"no","action":"sell","yes_price":75,"count":278,"post_position":-500,"ts":1671899397}}`,
  position: `{"type":"market_position","sid":22,"msg":{"user_id":"u-1","market_ticker":"FED-23DEC-T3.00",
    "position":-12,"position_cost":52500,"realized_pnl":-12300,"fees_paid":700,"volume":40}}`,
  ticker: `{"type":"ticker","sid":11,"msg":{"market_ticker":"FED-23DEC-T3.00","price":48,"yes_bid":45,
    "yes_ask":53,"volume":33896,"open_interest":20422,"ts":1669149841,"Clock":123}}`,
  trade: `{"type":"trade","sid":4,"seq":42,"msg":{"trade_id":"t-9","market_ticker":"KXBTCD-26FEB14-T100000",
    "yes_price":55,"no_price":45,"count":10,"taker_side":"no","ts":1707667200}}`,
  subscribed: `{"type":"subscribed","id":1}`,
};

describe("command replies (kalshi-api-notes.md)", () => {
  it("parses every reply example of the spec", () => {
    check([
      ["subscribed", SPEC.subscribed, { kind: "subscribed", id: 1, channel: "orderbook_delta", sid: 1 }],
      [
        "ok, tickers at top level",
        SPEC.okTopLevel,
        { kind: "ok", id: 3, sid: 7, seq: 222, marketTickers: ["A", "B", "C"] },
      ],
      [
        "ok, tickers in msg",
        SPEC.okInMsg,
        { kind: "ok", id: 3, sid: 7, seq: 222, marketTickers: ["A", "B", "C"] },
      ],
      ["unsubscribed", SPEC.unsubscribed, { kind: "unsubscribed", id: 5, sid: 7, seq: 310 }],
      [
        "list_subscriptions",
        SPEC.okList,
        {
          kind: "ok",
          id: 6,
          subscriptions: [
            { channel: "orderbook_delta", sid: 1 },
            { channel: "fill", sid: 3 },
          ],
        },
      ],
      ["error", SPEC.error, { kind: "error", id: 123, code: 6, message: "Already subscribed" }],
      ["old subscribed without msg", LEGACY.subscribed, { kind: "subscribed", id: 1 }],
    ]);
  });

  it("keeps the market of an error and accepts an error without id or text", () => {
    check([
      [
        "market",
        `{"id":9,"type":"error","msg":{"code":16,"msg":"Market not found","market_ticker":"X-1","market_id":"m"}}`,
        { kind: "error", id: 9, code: 16, message: "Market not found", marketTicker: "X-1", marketId: "m" },
      ],
      ["bare", `{"type":"error","msg":{"code":1}}`, { kind: "error", code: 1, message: "" }],
    ]);
  });
});

describe("book messages, current wire (kalshi-api-notes.md)", () => {
  it("parses the snapshot and delta examples of the spec", () => {
    check([
      [
        "snapshot",
        SPEC.snapshot,
        {
          kind: "orderbook_snapshot",
          sid: 2,
          seq: 1,
          marketTicker: "FED-23DEC-T3.00",
          marketId: "9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1",
          yes: [
            { priceTicks: 800, sizeHundredths: 30000 },
            { priceTicks: 2200, sizeHundredths: 33300 },
          ],
          no: [
            { priceTicks: 5400, sizeHundredths: 2000 },
            { priceTicks: 5600, sizeHundredths: 14600 },
          ],
          skippedLevels: 0,
          replacedLevels: 0,
        },
      ],
      [
        "delta",
        SPEC.delta,
        {
          kind: "orderbook_delta",
          sid: 2,
          seq: 3,
          marketTicker: "FED-23DEC-T3.00",
          marketId: "9b0f6b43-...",
          side: "yes",
          priceTicks: 9600,
          deltaHundredths: -5400,
          tsMs: 1669149841000,
          clientOrderId: "8c35ecb3-...",
          subaccount: 0,
        },
      ],
    ]);
  });

  it("keeps both snapshot arrays as bids on their own scale, never split at 50¢ (correctness-rules.md rule 1)", () => {
    const m = parseServerMessage(
      `{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M",
        "yes_dollars_fp":[["0.8000","1.00"],["0.3000","2.00"]],"no_dollars_fp":[["0.3000","3.00"],["0.9000","4.00"]]}}`,
    );
    assert.equal(m.kind, "orderbook_snapshot");
    assert.deepEqual(m.yes, [
      { priceTicks: 3000, sizeHundredths: 200 },
      { priceTicks: 8000, sizeHundredths: 100 },
    ]);
    assert.deepEqual(m.no, [
      { priceTicks: 3000, sizeHundredths: 300 },
      { priceTicks: 9000, sizeHundredths: 400 },
    ]);
  });

  it("reads a delta as a signed change in exact integer hundredths (correctness-rules.md rule 3)", () => {
    const cases: Array<[string, number]> = [
      [`"-54.00"`, -5400],
      [`"0.01"`, 1],
      [`"+0.10"`, 10],
      [`"0"`, 0],
      [`-0.29`, -29],
      [`12.5`, 1250],
    ];
    for (const [delta, want] of cases) {
      const m = parseServerMessage(
        `{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","price_dollars":"0.5","delta_fp":${delta},"side":"no"}}`,
      );
      assert.equal(m.kind === "orderbook_delta" && m.deltaHundredths, want, delta);
    }
  });

  it("reports the envelope sid and seq of book messages for per-sid gap checks (correctness-rules.md rule 2)", () => {
    const sidSeq = (env: string) => {
      const m = parseServerMessage(
        `{"type":"orderbook_delta"${env},"msg":{"market_ticker":"M","price":50,"delta":1,"side":"yes"}}`,
      );
      assert.equal(m.kind, "orderbook_delta");
      return [m.sid, m.seq];
    };
    assert.deepEqual(sidSeq(`,"sid":7,"seq":12`), [7, 12]);
    // Not integer JSON numbers: still a book message, just not seq-checked (observation-v1.md §3.6),
    // exactly as frame-scanner.ts reads them.
    assert.deepEqual(sidSeq(`,"sid":1.5,"seq":"x"`), [undefined, undefined]);
    assert.deepEqual(sidSeq(`,"sid":"7","seq":"12"`), [undefined, undefined]);
  });

  it("keeps the exchange ts_ms, and leaves it absent when it is not an integer (correctness-rules.md rule 6)", () => {
    const delta = (ts: string) =>
      parseServerMessage(
        `{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","price":50,"delta":1,"side":"yes"${ts}}}`,
      );
    const tsOf = (m: ServerMessage) => (m.kind === "orderbook_delta" ? m.tsMs : Number.NaN);
    assert.equal(tsOf(delta(`,"ts_ms":1669149841000`)), 1669149841000);
    assert.equal(tsOf(delta(`,"ts_ms":"1669149841000"`)), 1669149841000);
    assert.equal(tsOf(delta(`,"ts_ms":1669149841000.5`)), undefined);
    assert.equal(tsOf(delta(`,"ts":"2022-11-22T20:44:01Z"`)), undefined); // deprecated ts is not T
  });
});

describe("snapshot sides (observation-v1.md §3.3)", () => {
  const snap = (msgBody: string) => {
    const m = parseServerMessage(
      `{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M"${msgBody}}}`,
    );
    assert.equal(m.kind, "orderbook_snapshot");
    return m;
  };
  const yesOf = (body: string) => {
    const m = snap(body);
    return [m.yes.map((l) => [l.priceTicks, l.sizeHundredths]), m.skippedLevels, m.replacedLevels];
  };

  it("takes the first present, non-null source of yes_dollars_fp, yes_dollars, yes", () => {
    const cases: Array<[string, string, unknown]> = [
      [
        "fp wins",
        `,"yes_dollars_fp":[["0.10","1"]],"yes_dollars":[["0.20","1"]],"yes":[[30,1]]`,
        [[[1000, 100]], 0, 0],
      ],
      ["null fp falls through", `,"yes_dollars_fp":null,"yes_dollars":[["0.20","1"]]`, [[[2000, 100]], 0, 0]],
      ["cents last", `,"yes_dollars_fp":null,"yes_dollars":null,"yes":[[30,2]]`, [[[3000, 200]], 0, 0]],
      ["present non-array does not fall through", `,"yes_dollars_fp":"oops","yes":[[30,2]]`, [[], 0, 0]],
      ["missing side is empty", "", [[], 0, 0]],
      ["empty arrays", `,"yes_dollars_fp":[],"no_dollars_fp":[]`, [[], 0, 0]],
    ];
    for (const [name, body, want] of cases) assert.deepEqual(yesOf(body), want, name);
  });

  it("skips invalid levels and counts ≤ 0, counting them", () => {
    const body = `,"yes_dollars_fp":[["0.41555","1"],["1.0000","1"],["0.0000","1"],["0.50","0"],["0.50","-1"],
      ["0.50","1.005"],["0.50"],"0.50",null,[true,"1"],["0.50",null],["0.45","2.00","extra"],["abc","1"]]`;
    assert.deepEqual(yesOf(body), [[[4500, 200]], 12, 0]);
  });

  it("skips cent levels that are not whole cents in 1..99", () => {
    assert.deepEqual(yesOf(`,"yes":[[0,1],[100,1],[4.5,1],[99,1],[1,"0.5"]]`), [
      [
        [100, 50],
        [9900, 100],
      ],
      3,
      0,
    ]);
  });

  it("lets a repeated price replace the earlier level and sorts ascending", () => {
    assert.deepEqual(yesOf(`,"yes_dollars_fp":[["0.60","1"],["0.20","2"],["0.60","3"],["0.60","0"]]`), [
      [
        [2000, 200],
        [6000, 300],
      ],
      1,
      1,
    ]);
  });
});

describe("what can reject a book message (observation-v1.md §3.3, §3.4)", () => {
  it("never rejects a snapshot or a valid delta for a malformed extra field", () => {
    const snapshot = parseServerMessage(
      `{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M","market_id":5,"ts_ms":"soon",
        "yes_dollars_fp":[["0.50","1"]]}}`,
    );
    assert.deepEqual(snapshot, {
      kind: "orderbook_snapshot",
      sid: 1,
      seq: 1,
      marketTicker: "M",
      yes: [{ priceTicks: 5000, sizeHundredths: 100 }],
      no: [],
      skippedLevels: 0,
      replacedLevels: 0,
    });
    const delta = parseServerMessage(
      `{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","market_id":[],"client_order_id":7,
        "subaccount":"main","price_dollars":"0.50","delta_fp":"1","side":"yes"}}`,
    );
    assert.deepEqual(delta, {
      kind: "orderbook_delta",
      sid: 1,
      seq: 2,
      marketTicker: "M",
      side: "yes",
      priceTicks: 5000,
      deltaHundredths: 100,
    });
  });

  it("keeps book sizes within the int32 hundredths of a BookTable level", () => {
    const snapshot = parseServerMessage(
      `{"type":"orderbook_snapshot","msg":{"market_ticker":"M","yes_dollars_fp":[["0.50","21474836.47"],["0.60","21474836.48"]]}}`,
    );
    assert.equal(snapshot.kind, "orderbook_snapshot");
    assert.deepEqual(
      [snapshot.yes, snapshot.skippedLevels],
      [[{ priceTicks: 5000, sizeHundredths: 0x7fffffff }], 1],
    );
    const err = tryParseServerMessage(
      `{"type":"orderbook_delta","msg":{"market_ticker":"M","price":50,"delta_fp":"-21474836.48","side":"no"}}`,
    );
    assert.ok(err instanceof MessageParseError);
    assert.equal(
      err.message,
      'orderbook_delta: msg.delta_fp "-21474836.48" is beyond the int32 size of a book level',
    );
  });
});

describe("numbers or strings (kalshi-api-notes.md, observation-v1.md §3.2)", () => {
  it("reads JSON numbers and strings alike", () => {
    const snapshot = parseServerMessage(
      `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"M",
        "yes_dollars_fp":[[0.62,12.5],["0.415","3"]],"no_dollars":[[0.001,"0.01"]]}}`,
    );
    assert.equal(snapshot.kind, "orderbook_snapshot");
    assert.deepEqual(snapshot.yes, [
      { priceTicks: 4150, sizeHundredths: 300 },
      { priceTicks: 6200, sizeHundredths: 1250 },
    ]);
    assert.deepEqual(snapshot.no, [{ priceTicks: 10, sizeHundredths: 1 }]);
    const fill = parseServerMessage(
      `{"type":"fill","sid":1,"msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":true,
        "side":"yes","action":"buy","yes_price_dollars":0.75,"count_fp":278,"fee_cost":0.34,"ts_ms":"1671899397000"}}`,
    );
    assert.equal(fill.kind, "fill");
    assert.deepEqual(
      [fill.yesPriceTicks, fill.countHundredths, fill.feeCostMicros, fill.tsMs],
      [7500, 27800, 340000, 1671899397000],
    );
    const delta = parseServerMessage(
      `{"type":"orderbook_delta","sid":3,"seq":4,"msg":{"market_ticker":"M","price":"42","delta":"-3","side":"no"}}`,
    );
    assert.deepEqual(delta, {
      kind: "orderbook_delta",
      sid: 3,
      seq: 4,
      marketTicker: "M",
      side: "no",
      priceTicks: 4200,
      deltaHundredths: -300,
    });
  });

  it("uses the legacy delta fields only when the current ones are absent or null (observation-v1.md §3.4)", () => {
    const delta = (fields: string) => {
      const m = parseServerMessage(
        `{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"M","side":"yes",${fields}}}`,
      );
      return m.kind === "orderbook_delta" ? [m.priceTicks, m.deltaHundredths] : [];
    };
    assert.deepEqual(delta(`"price_dollars":"0.4150","price":10,"delta_fp":"1.50","delta":9`), [4150, 150]);
    assert.deepEqual(delta(`"price_dollars":null,"price":10,"delta_fp":null,"delta":9`), [1000, 900]);
  });
});

describe("private and public channels (kalshi-api-notes.md)", () => {
  it("parses the ticker, trade and fill examples of the spec", () => {
    check([
      [
        "ticker",
        SPEC.ticker,
        {
          kind: "ticker",
          sid: 11,
          marketTicker: "FED-23DEC-T3.00",
          marketId: "9b0f...",
          lastPriceTicks: 4800,
          yesBidTicks: 4500,
          yesAskTicks: 5300,
          yesBidSizeHundredths: 30000,
          yesAskSizeHundredths: 15000,
          lastTradeSizeHundredths: 2500,
          volumeHundredths: 3389600,
          openInterestHundredths: 2042200,
          dollarVolumeMicros: 16_948_000_000,
          dollarOpenInterestMicros: 10_211_000_000,
          tsMs: 1669149841000,
        },
      ],
      [
        "trade",
        SPEC.trade,
        {
          kind: "trade",
          sid: 4,
          seq: 42,
          tradeId: "f851595a-...",
          marketTicker: "KXBTCD-26FEB14-T100000",
          yesPriceTicks: 5500,
          noPriceTicks: 4500,
          countHundredths: 1000,
          takerSide: "yes",
          takerBookSide: "bid",
          tsMs: 1707667200000,
        },
      ],
      [
        "fill",
        SPEC.fill,
        {
          kind: "fill",
          sid: 13,
          tradeId: "d91bc706-...",
          orderId: "ee587a1c-...",
          clientOrderId: "...",
          marketTicker: "HIGHNY-22DEC23-B53.5",
          isTaker: true,
          side: "yes",
          orderSide: "yes",
          action: "buy",
          bookSide: "bid",
          yesPriceTicks: 7500,
          countHundredths: 27800,
          feeCostMicros: 340000,
          postPositionHundredths: 50000,
          subaccount: 3,
          tsMs: 1671899397000,
        },
      ],
    ]);
  });

  it("parses a fill with each of today's actions, and a future one, keeping side, price and counts", () => {
    // websockets/user-fills: action ∈ buy, sell, sell_partial, sell_to_close, "" (kalshi-api-notes.md)
    for (const [wire, want] of [
      ["buy", "buy"],
      ["sell", "sell"],
      ["sell_partial", "sell_partial"],
      ["sell_to_close", "sell_to_close"],
      ["", ""],
      ["close_all_someday", ""],
    ] as const) {
      const m = parseServerMessage(SPEC.fill.replace('"action":"buy"', `"action":"${wire}"`));
      assert.equal(m.kind, "fill");
      if (m.kind !== "fill") continue;
      assert.deepEqual(
        [m.action, m.bookSide, m.side, m.yesPriceTicks, m.countHundredths, m.feeCostMicros],
        [want, "bid", "yes", 7500, 27800, 340000],
        `action "${wire}"`,
      );
    }
  });

  it("reads dollar strings with up to 6 decimals (python-sdk Fill): prices stay on the $0.0001 grid", () => {
    const six = SPEC.fill
      .replace('"yes_price_dollars":"0.7500"', '"yes_price_dollars":"0.753700"')
      .replace('"fee_cost":"0.3400"', '"fee_cost":"0.012345"');
    const m = parseServerMessage(six);
    assert.ok(m.kind === "fill");
    assert.deepEqual([m.yesPriceTicks, m.feeCostMicros], [7537, 12_345]);
    const offGrid = SPEC.fill.replace('"yes_price_dollars":"0.7500"', '"yes_price_dollars":"0.75371"');
    assert.throws(
      () => parseServerMessage(offGrid),
      /yes_price_dollars "0.75371" is not on the \$0.0001 grid/,
    );
  });

  it("parses order_group_updates frames of every event type (field set of websockets/order-group-updates)", () => {
    const frame = (seq: number, msg: string) =>
      `{"type":"order_group_updates","sid":40,"seq":${seq},"msg":{"order_group_id":"og-1",${msg}}}`;
    check([
      [
        "created",
        frame(1, `"event_type":"created","contracts_limit_fp":"25.00","exchange_index":1`),
        {
          kind: "order_group_updates",
          sid: 40,
          seq: 1,
          eventType: "created",
          orderGroupId: "og-1",
          contractsLimitHundredths: 2500,
          exchangeIndex: 1,
        },
      ],
      [
        "triggered",
        frame(2, `"event_type":"triggered"`),
        { kind: "order_group_updates", sid: 40, seq: 2, eventType: "triggered", orderGroupId: "og-1" },
      ],
      [
        "reset",
        frame(3, `"event_type":"reset"`),
        { kind: "order_group_updates", sid: 40, seq: 3, eventType: "reset", orderGroupId: "og-1" },
      ],
      [
        "limit_updated",
        frame(4, `"event_type":"limit_updated","contracts_limit_fp":"5.00"`),
        {
          kind: "order_group_updates",
          sid: 40,
          seq: 4,
          eventType: "limit_updated",
          orderGroupId: "og-1",
          contractsLimitHundredths: 500,
        },
      ],
      [
        "deleted",
        frame(5, `"event_type":"deleted"`),
        { kind: "order_group_updates", sid: 40, seq: 5, eventType: "deleted", orderGroupId: "og-1" },
      ],
    ]);
    assert.throws(() => parseServerMessage(frame(6, `"contracts_limit_fp":"1.00"`)), MessageParseError);
  });

  it("parses user_order, market_position and lifecycle messages built from the spec's field lists", () => {
    check([
      [
        "user_order",
        BUILT.userOrder,
        {
          kind: "user_order",
          sid: 21,
          orderId: "o-1",
          clientOrderId: "c-1",
          ticker: "KXBTCD-26OCT2717-T99999.99",
          status: "canceled",
          side: "yes",
          outcomeSide: "yes",
          bookSide: "bid",
          yesPriceTicks: 4150,
          fillCountHundredths: 250,
          remainingCountHundredths: 0,
          initialCountHundredths: 1000,
          takerFeesMicros: 20000,
          makerFeesMicros: 0,
          createdTsMs: 1761000000000,
          expirationTsMs: 1761003600000,
          lastUpdateReason: "PostOnlyCrossCancel",
        },
      ],
      [
        "market_position",
        BUILT.position,
        {
          kind: "market_position",
          sid: 22,
          userId: "u-1",
          marketTicker: "FED-23DEC-T3.00",
          positionHundredths: -1250,
          positionCostMicros: 5_250_000,
          realizedPnlMicros: -1_230_000,
          feesPaidMicros: 70_000,
          positionFeeCostMicros: 40_000,
          volumeHundredths: 4000,
          subaccount: 0,
        },
      ],
      [
        "market_lifecycle_v2",
        BUILT.lifecycle,
        {
          kind: "market_lifecycle_v2",
          sid: 30,
          seq: 5,
          marketTicker: "FED-23DEC-T3.00",
          eventType: "settled",
          openTsMs: 1669000000000,
          closeTsMs: 1669149841000,
          determinationTsMs: 1669150000000,
          settledTsMs: 1669153600000,
          result: "yes",
          settlementValueMicros: 1_000_000,
          isDeactivated: false,
          priceLevelStructure: "linear_cent",
          additionalMetadata: { name: "Fed" },
        },
      ],
      [
        "event_lifecycle",
        BUILT.event,
        {
          kind: "event_lifecycle",
          sid: 30,
          seq: 6,
          eventTicker: "FED-23DEC",
          title: "Fed rate",
          subtitle: "Dec 2023",
          collateralReturnType: "binary",
          seriesTicker: "FED",
          strikeDateTsMs: 1703030400000,
        },
      ],
    ]);
  });

  it("reads a fill's side from outcome_side, then purchased_side, then side", () => {
    const fill = (sides: string) => {
      const m = parseServerMessage(
        `{"type":"fill","msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":true,"action":"sell",
          "yes_price_dollars":"0.40","count_fp":"1","ts_ms":1${sides}}}`,
      );
      return m.kind === "fill" ? [m.side, m.orderSide] : [];
    };
    assert.deepEqual(fill(`,"side":"yes","outcome_side":"no","purchased_side":"yes"`), ["no", "yes"]);
    assert.deepEqual(fill(`,"side":"yes","purchased_side":"no"`), ["no", "yes"]);
    assert.deepEqual(fill(`,"side":"no"`), ["no", "no"]);
  });

  it("reads ticker prices that are empty, $0 or $1 as absent", () => {
    const m = parseServerMessage(
      `{"type":"ticker","sid":1,"msg":{"market_ticker":"M","price_dollars":"","yes_bid_dollars":"0.0000",
        "yes_ask_dollars":"1.0000"}}`,
    );
    assert.deepEqual(m, { kind: "ticker", sid: 1, marketTicker: "M" });
    const legacy = parseServerMessage(
      `{"type":"ticker","sid":1,"msg":{"market_ticker":"M","price":0,"yes_bid":0,"yes_ask":100}}`,
    );
    assert.deepEqual(legacy, { kind: "ticker", sid: 1, marketTicker: "M" });
  });
});

describe("legacy wire (kalshi-api-notes.md)", () => {
  it("parses every message type in its legacy shape", () => {
    const books = {
      yes: [
        { priceTicks: 800, sizeHundredths: 30000 },
        { priceTicks: 2200, sizeHundredths: 33300 },
      ],
      skippedLevels: 0,
      replacedLevels: 0,
    };
    check([
      [
        "snapshot, integer cents",
        LEGACY.snapshot,
        {
          kind: "orderbook_snapshot",
          sid: 2,
          seq: 1,
          marketTicker: "FED-23DEC-T3.00",
          ...books,
          no: [
            { priceTicks: 5400, sizeHundredths: 2000 },
            { priceTicks: 5600, sizeHundredths: 14600 },
          ],
        },
      ],
      [
        "snapshot, transitional yes_dollars wins over yes",
        LEGACY.transitional,
        {
          kind: "orderbook_snapshot",
          sid: 2,
          seq: 1,
          marketTicker: "FED-23DEC-T3.00",
          ...books,
          no: [{ priceTicks: 5400, sizeHundredths: 2000 }],
        },
      ],
      [
        "delta",
        LEGACY.delta,
        {
          kind: "orderbook_delta",
          sid: 2,
          seq: 3,
          marketTicker: "FED-23DEC-T3.00",
          side: "no",
          priceTicks: 9600,
          deltaHundredths: -5400,
        },
      ],
      [
        "fill",
        LEGACY.fill,
        {
          kind: "fill",
          sid: 13,
          tradeId: "t-1",
          orderId: "o-1",
          marketTicker: "HIGHNY-22DEC23-B53.5",
          isTaker: false,
          side: "no",
          orderSide: "no",
          action: "sell",
          bookSide: "bid",
          yesPriceTicks: 7500,
          countHundredths: 27800,
          postPositionHundredths: -50000,
          tsMs: 1671899397000,
        },
      ],
      [
        "market_position, centi-cents → micros",
        LEGACY.position,
        {
          kind: "market_position",
          sid: 22,
          userId: "u-1",
          marketTicker: "FED-23DEC-T3.00",
          positionHundredths: -1200,
          positionCostMicros: 5_250_000,
          realizedPnlMicros: -1_230_000,
          feesPaidMicros: 70_000,
          volumeHundredths: 4000,
        },
      ],
      [
        "ticker",
        LEGACY.ticker,
        {
          kind: "ticker",
          sid: 11,
          marketTicker: "FED-23DEC-T3.00",
          lastPriceTicks: 4800,
          yesBidTicks: 4500,
          yesAskTicks: 5300,
          volumeHundredths: 3389600,
          openInterestHundredths: 2042200,
          tsMs: 1669149841000,
        },
      ],
      [
        "trade",
        LEGACY.trade,
        {
          kind: "trade",
          sid: 4,
          seq: 42,
          tradeId: "t-9",
          marketTicker: "KXBTCD-26FEB14-T100000",
          yesPriceTicks: 5500,
          noPriceTicks: 4500,
          countHundredths: 1000,
          takerSide: "no",
          tsMs: 1707667200000,
        },
      ],
    ]);
  });
});

describe("errors", () => {
  const delta = (fields: string) =>
    `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED",${fields}}}`;
  const fill = (fields: string) =>
    `{"type":"fill","sid":1,"msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":true,
      "side":"yes","action":"buy","yes_price_dollars":"0.75","ts_ms":1,${fields}}}`;
  const cases: Array<
    [frame: string, reason: MessageParseReason, field: string | undefined, message: string | RegExp]
  > = [
    ["{", "not_json", undefined, /^frame is not JSON: /],
    ["", "not_json", undefined, /^frame is not JSON: /],
    ["[1]", "not_object", undefined, "frame is not a JSON object (got an array)"],
    ["null", "not_object", undefined, "frame is not a JSON object (got null)"],
    ["42", "not_object", undefined, "frame is not a JSON object (got number)"],
    [`{"msg":{}}`, "missing_field", "type", "missing type"],
    [`{"type":5}`, "invalid_field", "type", "type 5 is not a string"],
    [`{"type":"foo"}`, "unknown_type", undefined, 'unknown message type "foo"'],
    [`{"type":"constructor"}`, "unknown_type", undefined, 'unknown message type "constructor"'],
    [`{"type":"fill","sid":1}`, "missing_field", "msg", "fill: missing msg"],
    [`{"type":"fill","sid":1,"msg":"x"}`, "invalid_field", "msg", 'fill: msg "x" is not an object'],
    [
      delta(`"price_dollars":"0.41","delta_fp":"1"`),
      "missing_field",
      "msg.side",
      "orderbook_delta: missing msg.side",
    ],
    [
      delta(`"side":"yes","delta_fp":"1"`),
      "missing_field",
      "msg.price_dollars",
      "orderbook_delta: missing msg.price_dollars (or legacy msg.price)",
    ],
    [
      delta(`"side":"yes","price":50`),
      "missing_field",
      "msg.delta_fp",
      "orderbook_delta: missing msg.delta_fp (or legacy msg.delta)",
    ],
    [
      delta(`"side":"yes","price_dollars":"0.41555","delta_fp":"1"`),
      "invalid_price",
      "msg.price_dollars",
      'orderbook_delta: msg.price_dollars "0.41555" is not on the $0.0001 grid',
    ],
    [
      delta(`"side":"yes","price_dollars":0.41555,"delta_fp":"1"`),
      "invalid_price",
      "msg.price_dollars",
      "orderbook_delta: msg.price_dollars 0.41555 is not on the $0.0001 grid",
    ],
    [
      delta(`"side":"yes","price_dollars":"1.0000","delta_fp":"1"`),
      "invalid_price",
      "msg.price_dollars",
      'orderbook_delta: msg.price_dollars "1.0000" is outside $0.0001..$0.9999',
    ],
    [
      delta(`"side":"yes","price_dollars":"0.4e1","delta_fp":"1"`),
      "invalid_price",
      "msg.price_dollars",
      'orderbook_delta: msg.price_dollars "0.4e1" is not a decimal number',
    ],
    [
      delta(`"side":"yes","price_dollars":true,"delta_fp":"1"`),
      "invalid_price",
      "msg.price_dollars",
      "orderbook_delta: msg.price_dollars true is not a number or a decimal string",
    ],
    [
      delta(`"side":"yes","price":0,"delta":1`),
      "invalid_price",
      "msg.price",
      "orderbook_delta: msg.price 0 is outside 1..99 cents",
    ],
    [
      delta(`"side":"yes","price":4.5,"delta":1`),
      "invalid_price",
      "msg.price",
      "orderbook_delta: msg.price 4.5 is not a whole number of cents",
    ],
    [
      delta(`"side":"maybe","price":50,"delta":1`),
      "invalid_field",
      "msg.side",
      'orderbook_delta: msg.side "maybe" must be "yes" or "no"',
    ],
    [
      delta(`"side":"yes","price":50,"delta_fp":"abc"`),
      "invalid_count",
      "msg.delta_fp",
      'orderbook_delta: msg.delta_fp "abc" is not a decimal number',
    ],
    [
      `{"type":"orderbook_snapshot","msg":{"market_ticker":""}}`,
      "invalid_field",
      "msg.market_ticker",
      'orderbook_snapshot: msg.market_ticker "" is not a non-empty string',
    ],
    [
      fill(`"count_fp":"1.005"`),
      "invalid_count",
      "msg.count_fp",
      'fill: msg.count_fp "1.005" has more than 2 decimals',
    ],
    [fill(`"count_fp":"0.00"`), "invalid_count", "msg.count_fp", 'fill: msg.count_fp "0.00" is not positive'],
    [
      fill(`"count_fp":"1","is_taker":"yes"`),
      "invalid_field",
      "msg.is_taker",
      'fill: msg.is_taker "yes" is not true or false',
    ],
    [
      fill(`"count_fp":"1","fee_cost":"0.1234567"`),
      "invalid_field",
      "msg.fee_cost",
      'fill: msg.fee_cost "0.1234567" has more than 6 decimals',
    ],
    [
      `{"type":"error","msg":{"code":"x"}}`,
      "invalid_field",
      "msg.code",
      'error: msg.code "x" is not an integer',
    ],
    [`{"type":"subscribed"}`, "missing_field", "id", "subscribed: missing id"],
    [
      `{"id":6,"type":"ok","msg":[{"channel":"fill"}]}`,
      "missing_field",
      "msg[0].sid",
      "ok: missing msg[0].sid",
    ],
    [
      `{"type":"user_order","msg":{"order_id":"o","ticker":"M","status":"resting","yes_price_dollars":"0.5",
          "fill_count_fp":"0","remaining_count_fp":"-1"}}`,
      "invalid_count",
      "msg.remaining_count_fp",
      'user_order: msg.remaining_count_fp "-1" is negative',
    ],
    [
      `{"type":"trade","msg":{"trade_id":"t","market_ticker":"M","yes_price":50,"count":1,"taker_side":"yes","ts":"soon"}}`,
      "invalid_field",
      "msg.ts",
      'trade: msg.ts "soon" is not a Unix time in seconds or an RFC 3339 time',
    ],
  ];

  it("names the reason, the field and the value of every error", () => {
    for (const [frame, reason, field, message] of cases) {
      const err = tryParseServerMessage(frame);
      assert.ok(err instanceof MessageParseError, frame);
      assert.ok(err instanceof Error);
      assert.equal(err.name, "MessageParseError");
      assert.equal(err.reason, reason, frame);
      assert.equal(err.field, field, frame);
      if (typeof message === "string") assert.equal(err.message, message, frame);
      else assert.match(err.message, message, frame);
      assert.throws(() => parseServerMessage(frame), MessageParseError);
    }
  });

  it("carries type, sid, seq and market of a rejected book message so gaps are still counted", () => {
    const err = tryParseServerMessage(delta(`"side":"yes","price_dollars":"0.41555","delta_fp":"1"`));
    assert.ok(err instanceof MessageParseError);
    assert.deepEqual([err.messageType, err.sid, err.seq, err.marketTicker], ["orderbook_delta", 2, 3, "FED"]);
  });
});

describe("fuzz", () => {
  const validFrames = [...Object.values(SPEC), ...Object.values(BUILT), ...Object.values(LEGACY)];

  /** Any other outcome than a message or a MessageParseError fails the property. */
  function parsesOrRejects(text: string): void {
    try {
      checkUnits(parseServerMessage(text));
    } catch (err) {
      if (!(err instanceof MessageParseError)) throw err;
    }
    const result = tryParseServerMessage(text);
    if (!(result instanceof MessageParseError)) checkUnits(result);
  }

  /** Parsed units stay integers in range whatever the input. */
  function checkUnits(value: unknown, key = ""): void {
    if (Array.isArray(value)) for (const v of value) checkUnits(v, key);
    else if (typeof value === "object" && value !== null && key !== "additionalMetadata") {
      for (const [k, v] of Object.entries(value)) checkUnits(v, k);
    } else if (key.endsWith("Ticks")) {
      assert.ok(
        typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 9999,
        `${key}=${value}`,
      );
    } else if (/(Hundredths|Micros|TsMs)$/.test(key) || key === "tsMs")
      assert.ok(Number.isSafeInteger(value), key);
  }

  it("every valid frame of this file parses", () => {
    for (const frame of validFrames)
      assert.ok(!(tryParseServerMessage(frame) instanceof MessageParseError), frame);
  });

  it("random strings never throw anything but MessageParseError", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json()), parsesOrRejects), {
      numRuns: 1000,
      seed: 42,
    });
  });

  it("random mutations of valid frames never throw anything but MessageParseError", () => {
    const jsonMutation = fc.record({
      frame: fc.constantFrom(...validFrames),
      pick: fc.nat(),
      op: fc.constantFrom("set", "delete"),
      value: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(jsonMutation, ({ frame, pick, op, value }) =>
        parsesOrRejects(mutateJson(frame, pick, op, value)),
      ),
      { numRuns: 3000, seed: 7 },
    );
    const textMutation = fc.record({
      frame: fc.constantFrom(...validFrames),
      at: fc.nat(),
      cut: fc.nat({ max: 3 }),
      insert: fc.string({ maxLength: 3 }),
    });
    fc.assert(
      fc.property(textMutation, ({ frame, at, cut, insert }) => {
        const i = at % (frame.length + 1);
        parsesOrRejects(frame.slice(0, i) + insert + frame.slice(i + cut));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});

describe("agreement with the hot-path frame scanner (frame-scanner.ts)", () => {
  const scanner = new FrameScanner();
  const bookFrames = [SPEC.snapshot, SPEC.delta, LEGACY.snapshot, LEGACY.transitional, LEGACY.delta];

  /** Scanner levels in frame order, later replacing earlier, as the book applies them. */
  function scannedSide(ticks: Int32Array, sizes: Int32Array, count: number): BookLevel[] {
    const byPrice = new Map<number, number>();
    for (let i = 0; i < count; i++) byPrice.set(ticks[i], sizes[i]);
    return [...byPrice]
      .sort((a, b) => a[0] - b[0])
      .map(([priceTicks, sizeHundredths]) => ({ priceTicks, sizeHundredths }));
  }

  // The scanner also keeps integers beyond 2^53 (sid/seq/ts_ms); this parser reads them as absent.
  const orUndefined = (x: number) => (Number.isSafeInteger(x) ? x : undefined);

  function agree(text: string): void {
    const kind = scanner.scan(text);
    const parsed = tryParseServerMessage(text);
    if (kind === FRAME_MALFORMED) {
      assert.ok(parsed instanceof MessageParseError && parsed.reason === "not_json", text);
      return;
    }
    if (kind === FRAME_OTHER) {
      const book = !(parsed instanceof MessageParseError) && parsed.kind.startsWith("orderbook_");
      assert.ok(!book, text);
      return;
    }
    const env = {
      sid: orUndefined(scanner.sid),
      seq: orUndefined(scanner.seq),
      marketTicker: scanner.tickerString(),
    };
    if (kind === FRAME_DELTA) {
      const valid =
        scanner.side >= 0 && !Number.isNaN(scanner.priceTicks) && !Number.isNaN(scanner.deltaHundredths);
      if (!valid) {
        // Rejected, but still identified for seq counting (observation-v1.md §3.6).
        assert.ok(parsed instanceof MessageParseError, text);
        assert.deepEqual({ sid: parsed.sid, seq: parsed.seq, marketTicker: parsed.marketTicker }, env, text);
        return;
      }
      assert.ok(!(parsed instanceof MessageParseError) && parsed.kind === "orderbook_delta", text);
      assert.deepEqual(
        [
          parsed.sid,
          parsed.seq,
          parsed.marketTicker,
          parsed.side,
          parsed.priceTicks,
          parsed.deltaHundredths,
          parsed.tsMs,
        ],
        [
          env.sid,
          env.seq,
          env.marketTicker,
          scanner.side === 0 ? "yes" : "no",
          scanner.priceTicks,
          scanner.deltaHundredths,
          orUndefined(scanner.tsMs),
        ],
        text,
      );
      return;
    }
    assert.ok(!(parsed instanceof MessageParseError) && parsed.kind === "orderbook_snapshot", text);
    assert.deepEqual(
      [parsed.sid, parsed.seq, parsed.marketTicker, parsed.tsMs, parsed.skippedLevels, parsed.yes, parsed.no],
      [
        env.sid,
        env.seq,
        env.marketTicker,
        orUndefined(scanner.tsMs),
        scanner.skippedLevels,
        scannedSide(scanner.yesTicks, scanner.yesSizes, scanner.yesCount),
        scannedSide(scanner.noTicks, scanner.noSizes, scanner.noCount),
      ],
      text,
    );
  }

  it("agrees on the spec's book frames and on every frame of the error table's kinds", () => {
    for (const frame of [...bookFrames, ...Object.values(SPEC), ...Object.values(LEGACY)]) agree(frame);
  });

  it("agrees on random mutations of book frames", () => {
    const mutation = fc.record({
      frame: fc.constantFrom(...bookFrames),
      pick: fc.nat(),
      op: fc.constantFrom("set", "delete"),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom("0.4150", "0.4155", 0.415, "12.50", 12.5, -3, "1e2", null, "", "yes", "no", [
          ["0.5", "1"],
        ]),
      ),
    });
    fc.assert(
      fc.property(mutation, ({ frame, pick, op, value }) => agree(mutateJson(frame, pick, op, value))),
      { numRuns: 3000, seed: 3 },
    );
  });
});

/** Sets or deletes the value at the `pick`-th path (in walk order) of the frame's JSON. */
function mutateJson(frame: string, pick: number, op: string, value: unknown): string {
  const root = JSON.parse(frame) as unknown;
  const slots: Array<[container: Record<string, unknown> | unknown[], key: string | number]> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push([node, i]);
        walk(child);
      });
    } else if (typeof node === "object" && node !== null) {
      for (const [k, child] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, k]);
        walk(child);
      }
    }
  };
  walk(root);
  const [container, key] = slots[pick % slots.length];
  if (op === "delete" && !Array.isArray(container)) delete container[key as string];
  else (container as Record<string | number, unknown>)[key] = value;
  return JSON.stringify(root);
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  PaperExchange,
  renderBalance,
  renderCancelResponse,
  renderCreateOrderResponse,
  renderError,
  renderFill,
  renderMarket,
  renderOrder,
  renderOrderbook,
  renderPosition,
} from "../../../src/paper/exchange/index.js";
import { DOLLAR, MARKETS, makeExchange, place, req, unwrap } from "./helpers.js";

describe("paper exchange renderers and accounts", () => {
  it("renders a partially filled ask order as Kalshi's Order object", () => {
    const f = makeExchange();
    place(f, "b", req("MAKER", "bid", 5600, 4));
    const o = place(f, "a", req("MAKER", "ask", 5500, 10, { clientOrderId: "cid-1" }));
    const json = renderOrder(o);
    assert.equal(json.client_order_id, "cid-1");
    assert.deepEqual([json.side, json.action, json.outcome_side, json.book_side], ["no", "buy", "no", "ask"]);
    assert.deepEqual([json.yes_price_dollars, json.no_price_dollars], ["0.5500", "0.4500"]);
    assert.deepEqual(
      [json.status, json.fill_count_fp, json.remaining_count_fp, json.initial_count_fp],
      ["resting", "4.00", "6.00", "10.00"],
    );
    // a sold YES at 0.56 = bought NO at 0.44 as taker: cost 4 × 0.44, fee 0.07·4·0.44·0.56 =
    // 0.068992 → $0.0690 (up to $0.0001).
    assert.deepEqual([json.taker_fill_cost_dollars, json.taker_fees_dollars], ["1.7600", "0.0690"]);
    assert.equal(json.last_update_reason, "PartiallyFilled");
    assert.equal(json.created_time, new Date(f.now.ms).toISOString());
    const created = renderCreateOrderResponse(o);
    assert.deepEqual(
      [created.fill_count, created.remaining_count, created.average_fill_price, created.average_fee_paid],
      ["4.00", "6.00", "0.5600", "0.017250"],
    );
  });

  it("renders fills, positions, balance, market, orderbook, cancel and errors", () => {
    const f = makeExchange();
    place(f, "b", req("LIN", "ask", 4000, 3));
    const o = place(f, "a", req("LIN", "bid", 4200, 5));
    const fill = renderFill(f.ex.listFills("a")[0]!);
    assert.deepEqual(
      [
        fill.count_fp,
        fill.yes_price_dollars,
        fill.no_price_dollars,
        fill.is_taker,
        fill.fee_cost,
        fill.post_position_fp,
      ],
      ["3.00", "0.4000", "0.6000", true, "0.0504", "3.00"],
    );
    const pos = renderPosition(f.ex.positions("a")[0]!);
    assert.deepEqual(
      [pos.position_fp, pos.market_exposure_dollars, pos.total_traded_dollars, pos.fees_paid_dollars],
      ["3.00", "1.2000", "1.2000", "0.0504"],
    );
    // $1000 − 1.20 − 0.0504 − held 2 × 0.42 = $997.9096
    const bal = renderBalance(unwrap(f.ex.balance("a")));
    assert.deepEqual([bal.balance_dollars], ["997.9096"]);
    const market = renderMarket(unwrap(f.ex.market("LIN")));
    assert.deepEqual(
      [market.yes_bid_dollars, market.last_price_dollars, market.volume_fp, market.open_interest_fp],
      ["0.4200", "0.4000", "3.00", "3.00"],
    );
    assert.deepEqual(market.price_ranges, [{ start: "0.0000", end: "1.0000", step: "0.0100" }]);
    assert.deepEqual(renderOrderbook(unwrap(f.ex.orderbook("LIN", 0))), {
      orderbook_fp: { yes_dollars: [["0.4200", "2.00"]], no_dollars: [] },
    });
    const cancel = renderCancelResponse(unwrap(f.ex.cancelOrder("a", o.orderId)).order, 200);
    assert.equal(cancel.reduced_by, "2.00");
    const e = f.ex.getOrder("a", "nope");
    assert.ok(!e.ok);
    assert.deepEqual(renderError(e.error), {
      error: { code: "order_not_found", message: "order nope not found", details: "", service: "paper" },
    });
  });

  it("accounts: duplicate open is 409, deposits add, unknown users are 404", () => {
    const f = makeExchange();
    const dup = f.ex.openAccount("a", 1);
    assert.deepEqual(!dup.ok && [dup.error.status, dup.error.code], [409, "account_already_exists"]);
    assert.equal(unwrap(f.ex.deposit("a", 5 * DOLLAR)).balanceMicros, 1005 * DOLLAR);
    const missing = f.ex.balance("nobody");
    assert.equal(!missing.ok && missing.error.status, 404);
  });

  it("simulator accounts (keepHistory false) forget finished orders and fills", () => {
    const ex = new PaperExchange({ markets: MARKETS, clock: () => 1 });
    unwrap(ex.openAccount("sim", 1000 * DOLLAR, { keepHistory: false }));
    unwrap(ex.openAccount("eng", 1000 * DOLLAR));
    const resting = unwrap(ex.createOrder("sim", req("LIN", "ask", 5000, 5)));
    unwrap(ex.createOrder("eng", req("LIN", "bid", 5000, 5)));
    assert.equal(resting.status, "executed");
    assert.equal(ex.getOrder("sim", resting.orderId).ok, false);
    assert.deepEqual(ex.listFills("sim"), []);
    assert.equal(ex.listFills("eng").length, 1);
    assert.equal(ex.positions("sim")[0]!.positionHundredths, -500, "positions are still kept");
  });

  it("rejects a bad market config at construction", () => {
    assert.throws(() => new PaperExchange({ markets: [MARKETS[0]!, MARKETS[0]!], clock: () => 0 }));
    assert.throws(
      () => new PaperExchange({ markets: [{ ...MARKETS[0]!, feeMultiplier: 0.00001 }], clock: () => 0 }),
    );
  });
});

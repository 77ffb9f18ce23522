/**
 * Seed frames of every Kalshi WebSocket message type the engine may receive, in the current and the
 * legacy wire, and a seeded mutator (tests and `make fuzz` only). Frames follow the field sets of
 * kalshi-api-notes.md; values are illustrative.
 */

/** Message groups: every group is fuzzed on its own, so a rare type gets as many frames as a common one. */
export const SEED_FRAMES: Readonly<Record<string, readonly string[]>> = {
  orderbook_snapshot: [
    `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43","yes_dollars_fp":[["0.0800","300.00"],["0.2200","333.00"]],"no_dollars_fp":[["0.5400","20.00"],["0.5600","146.00"]]}}`,
    `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"KXA","yes_dollars_fp":[["0.4537","1.50"],["0.0001","0.01"],["0.9999","12.00"]],"no_dollars_fp":[["0.5462","3.25"]],"ts_ms":1761000000000}}`,
    `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"FED-23DEC-T3.00","yes":[[8,300],[22,333]],"no":[[54,20],[56,146]]}}`,
    `{"type":"orderbook_snapshot","sid":2,"seq":1,"msg":{"market_ticker":"FED-23DEC-T3.00","yes_dollars":[["0.08",300],["0.22",333]],"no_dollars":[["0.54",20]],"yes":[[1,1]],"no":[[1,1]]}}`,
  ],
  orderbook_delta: [
    `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f6b43","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes","client_order_id":"8c35ecb3","subaccount":0,"ts":"2022-11-22T20:44:01Z","ts_ms":1669149841000}}`,
    `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KXA","market_id":"m","price_dollars":"0.4537","delta_fp":"2.50","side":"no","ts_ms":1761000000001}}`,
    `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","price":96,"delta":-54,"side":"no"}}`,
  ],
  fill: [
    `{"type":"fill","sid":13,"msg":{"trade_id":"d91bc706","order_id":"ee587a1c","client_order_id":"c-1","market_ticker":"HIGHNY-22DEC23-B53.5","is_taker":true,"side":"yes","action":"buy","outcome_side":"yes","book_side":"bid","yes_price_dollars":"0.7500","count_fp":"278.00","fee_cost":"0.3400","post_position_fp":"500.00","purchased_side":"yes","subaccount":3,"ts":1671899397,"ts_ms":1671899397000}}`,
    `{"type":"fill","sid":13,"msg":{"trade_id":"t-2","order_id":"o-2","market_ticker":"KXA","is_taker":false,"side":"no","action":"sell_to_close","book_side":"ask","yes_price_dollars":"0.4537","count_fp":"1.25","fee_cost":"0.0000","post_position_fp":"0.00","exchange_index":1,"ts_ms":1761000000000}}`,
    `{"type":"fill","sid":13,"msg":{"trade_id":"t-1","order_id":"o-1","market_ticker":"HIGHNY-22DEC23-B53.5","is_taker":false,"side":"no","action":"sell","yes_price":75,"count":278,"post_position":-500,"ts":1671899397}}`,
  ],
  user_order: [
    `{"type":"user_order","sid":21,"msg":{"order_id":"o-1","client_order_id":"c-1","ticker":"KXBTCD-26OCT2717-T99999.99","status":"canceled","side":"yes","outcome_side":"yes","book_side":"bid","yes_price_dollars":"0.4150","fill_count_fp":"2.50","remaining_count_fp":"0.00","initial_count_fp":"10.00","taker_fees_dollars":"0.0200","maker_fees_dollars":"0.0000","created_ts_ms":1761000000000,"expiration_ts_ms":1761003600000,"last_update_reason":"PostOnlyCrossCancel"}}`,
  ],
  market_position: [
    `{"type":"market_position","sid":22,"msg":{"user_id":"u-1","market_ticker":"FED-23DEC-T3.00","position_fp":"-12.50","position_cost_dollars":"5.2500","realized_pnl_dollars":"-1.2300","fees_paid_dollars":"0.0700","position_fee_cost_dollars":"0.0400","volume_fp":"40.00","subaccount":0}}`,
    `{"type":"market_position","sid":22,"msg":{"user_id":"u-1","market_ticker":"FED-23DEC-T3.00","position":-12,"position_cost":52500,"realized_pnl":-12300,"fees_paid":700,"volume":40}}`,
  ],
  market_lifecycle_v2: [
    `{"type":"market_lifecycle_v2","sid":30,"seq":5,"msg":{"market_ticker":"FED-23DEC-T3.00","event_type":"settled","open_ts":1669000000,"close_ts":1669149841,"determination_ts":1669150000,"settled_ts":1669153600,"result":"yes","settlement_value":"1.0000","is_deactivated":false,"price_level_structure":"linear_cent","additional_metadata":{"name":"Fed"}}}`,
  ],
  event_lifecycle: [
    `{"type":"event_lifecycle","sid":30,"seq":6,"msg":{"event_ticker":"FED-23DEC","title":"Fed rate","subtitle":"Dec 2023","collateral_return_type":"binary","series_ticker":"FED","strike_date":1703030400,"strike_period":""}}`,
  ],
  order_group_updates: [
    `{"type":"order_group_updates","sid":40,"seq":2,"msg":{"event_type":"triggered","order_group_id":"g-1","contracts_limit_fp":"100.00","exchange_index":2,"ts_ms":1761000000000}}`,
  ],
  ticker: [
    `{"type":"ticker","sid":11,"msg":{"market_ticker":"FED-23DEC-T3.00","market_id":"9b0f","price_dollars":"0.4800","yes_bid_dollars":"0.4500","yes_ask_dollars":"0.5300","yes_bid_size_fp":"300.00","yes_ask_size_fp":"150.00","last_trade_size_fp":"25.00","volume_fp":"33896.00","open_interest_fp":"20422.00","dollar_volume":16948,"dollar_open_interest":10211,"ts":1669149841,"ts_ms":1669149841000,"time":"2022-11-22T20:44:01Z"}}`,
  ],
  trade: [
    `{"type":"trade","sid":4,"seq":42,"msg":{"trade_id":"f851595a","market_ticker":"KXBTCD-26FEB14-T100000","yes_price_dollars":"0.5500","no_price_dollars":"0.4500","count_fp":"10.00","taker_side":"yes","taker_outcome_side":"yes","taker_book_side":"bid","ts":1707667200,"ts_ms":1707667200000}}`,
  ],
  replies: [
    `{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}`,
    `{"id":3,"sid":7,"seq":222,"type":"ok","msg":{"market_tickers":["A","B","C"]}}`,
    `{"id":6,"type":"ok","msg":[{"channel":"orderbook_delta","sid":1},{"channel":"fill","sid":3}]}`,
    `{"id":5,"sid":7,"seq":310,"type":"unsubscribed"}`,
    `{"id":123,"type":"error","msg":{"code":25,"msg":"Subscription buffer overflow"}}`,
  ],
};

/**
 * One mutation step: [op, position, length, pick]. Positions and picks are taken modulo what they
 * index, so any integers are a valid plan (fast-check generates them; a plan replays exactly).
 */
export type MutationStep = readonly [number, number, number, number];

/** Characters that move a JSON scanner between states, plus raw control and non-ASCII ones. */
const ALPHABET = '{}[],:"\\\\ 0123456789.-+eE\u0000\u0001\u001f\t\n\r\u007f\u00e9\u2028\ud800\udfffntfuabx';
const TOKENS = [
  "null",
  "true",
  "false",
  "-",
  "1e5",
  "-0",
  "0.4537",
  "0.00001",
  "99999999999999999999",
  '""',
  "[]",
  "{}",
  "[[",
  "]]",
  "\\u0000",
  "\\u0022",
  "\\\\",
  '\\"',
  '"yes"',
  '"no"',
  '"price_dollars":',
  '"delta_fp":',
  '"market_ticker":"KXA"',
  '"yes_dollars_fp":[["0.5","1"]]',
  '"type":"orderbook_delta"',
  ",",
  '"sid":1,',
];

export const MUTATION_OPS = 8;

/** Applies a mutation plan to a frame (pure: the same plan gives the same text). */
export function mutate(frame: string, plan: readonly MutationStep[]): string {
  let s = frame;
  for (const [op, pos, len, pick] of plan) {
    const n = s.length;
    const at = n === 0 ? 0 : pos % (n + 1);
    const span = Math.min(len % 24, n - at);
    switch (op % MUTATION_OPS) {
      case 0: // insert a scanner-relevant character
        s = s.slice(0, at) + ALPHABET[pick % ALPHABET.length] + s.slice(at);
        break;
      case 1: // replace one character
        s = s.slice(0, at) + ALPHABET[pick % ALPHABET.length] + s.slice(at + 1);
        break;
      case 2: // delete a run
        s = s.slice(0, at) + s.slice(at + Math.max(1, span));
        break;
      case 3: // insert a JSON token
        s = s.slice(0, at) + TOKENS[pick % TOKENS.length] + s.slice(at);
        break;
      case 4: // duplicate a run somewhere else
        {
          const to = n === 0 ? 0 : pick % (n + 1);
          s = s.slice(0, to) + s.slice(at, at + span) + s.slice(to);
        }
        break;
      case 5: // truncate
        s = s.slice(0, at);
        break;
      case 6: // a digit run becomes very long (overflow, precision)
        s = `${s.slice(0, at)}${"9".repeat(1 + (pick % 40))}${s.slice(at)}`;
        break;
      default:
        {
          // raw control character inside the nearest string (the class of the first hang)
          const q = s.indexOf('"', at);
          const k = q < 0 ? at : q + 1;
          s = s.slice(0, k) + String.fromCharCode(pick % 32) + s.slice(k);
        }
        break;
    }
  }
  return s;
}

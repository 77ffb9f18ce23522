/**
 * Parsing and validation of WS commands (kalshi-api-notes.md) into typed requests, with
 * Kalshi's error codes. Pure: no sockets, no state; the hub applies the result.
 */

export const CHANNELS = [
  "orderbook_delta",
  "ticker",
  "trade",
  "fill",
  "user_orders",
  "market_positions",
  "market_lifecycle_v2",
  "order_group_updates",
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels whose data messages carry `seq` (kalshi-api-notes.md table). */
export const SEQ_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  "orderbook_delta",
  "trade",
  "market_lifecycle_v2",
  "order_group_updates",
]);

export const WS_ERRORS = {
  unableToProcess: [1, "Unable to process message"],
  paramsRequired: [2, "Params required"],
  channelsRequired: [3, "Channels required"],
  sidsRequired: [4, "Subscription IDs required"],
  unknownCommand: [5, "Unknown command"],
  unknownSid: [7, "Unknown subscription ID"],
  unknownChannel: [8, "Unknown channel name"],
  invalidParameter: [11, "Invalid parameter"],
  exactlyOneSid: [12, "Exactly one subscription ID is required"],
  unsupportedAction: [13, "Unsupported action"],
  tickerRequired: [14, "Market Ticker required"],
  actionRequired: [15, "Action required"],
  marketNotFound: [16, "Market not found"],
  bufferOverflow: [25, "Subscription buffer overflow"],
} as const satisfies Record<string, readonly [number, string]>;
export type WsError = (typeof WS_ERRORS)[keyof typeof WS_ERRORS];

export type Command =
  | {
      cmd: "subscribe";
      id: number;
      channels: Channel[];
      /** undefined = all markets */
      tickers: string[] | undefined;
      useYesPrice: boolean;
      sendInitialSnapshot: boolean;
    }
  | { cmd: "unsubscribe"; id: number; sids: number[] }
  | {
      cmd: "update_subscription";
      id: number;
      sid: number;
      action: "add_markets" | "delete_markets" | "get_snapshot";
      tickers: string[];
    }
  | { cmd: "list_subscriptions"; id: number };

export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; id: number; error: WsError; ticker?: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(id: number, error: WsError, ticker?: string): ParseResult {
  return ticker === undefined ? { ok: false, id, error } : { ok: false, id, error, ticker };
}

const TICKER_RE = /^[A-Za-z0-9.-]{1,100}$/;

/** `market_ticker` xor `market_tickers` → list; undefined when neither; an error when malformed. */
function parseTickers(id: number, params: Record<string, unknown>): string[] | undefined | ParseResult {
  const one = params.market_ticker;
  const many = params.market_tickers;
  if (one !== undefined && many !== undefined) return fail(id, WS_ERRORS.invalidParameter);
  if (one !== undefined) {
    if (typeof one !== "string" || !TICKER_RE.test(one)) return fail(id, WS_ERRORS.invalidParameter);
    return [one];
  }
  if (many !== undefined) {
    if (!Array.isArray(many) || many.some((t) => typeof t !== "string" || !TICKER_RE.test(t))) {
      return fail(id, WS_ERRORS.invalidParameter);
    }
    return [...new Set(many as string[])];
  }
  return undefined;
}

function isFailure(v: unknown): v is ParseResult {
  return isObject(v) && v.ok === false;
}

/** Parses one text frame. `isKnownMarket` decides error 16. */
export function parseCommand(text: string, isKnownMarket: (ticker: string) => boolean): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail(0, WS_ERRORS.unableToProcess);
  }
  if (!isObject(raw)) return fail(0, WS_ERRORS.unableToProcess);
  const id = typeof raw.id === "number" && Number.isSafeInteger(raw.id) ? raw.id : 0;
  const cmd = raw.cmd;
  if (cmd === "list_subscriptions") return { ok: true, command: { cmd, id } };
  if (cmd !== "subscribe" && cmd !== "unsubscribe" && cmd !== "update_subscription") {
    return fail(id, WS_ERRORS.unknownCommand);
  }
  const params = raw.params;
  if (!isObject(params)) return fail(id, WS_ERRORS.paramsRequired);

  if (cmd === "unsubscribe") {
    const sids = params.sids ?? (params.sid !== undefined ? [params.sid] : undefined);
    if (!Array.isArray(sids) || sids.length === 0) return fail(id, WS_ERRORS.sidsRequired);
    if (sids.some((s) => typeof s !== "number" || !Number.isSafeInteger(s))) {
      return fail(id, WS_ERRORS.invalidParameter);
    }
    return { ok: true, command: { cmd, id, sids: sids as number[] } };
  }

  const tickers = parseTickers(id, params);
  if (isFailure(tickers)) return tickers;
  for (const t of tickers ?? []) if (!isKnownMarket(t)) return fail(id, WS_ERRORS.marketNotFound, t);

  if (cmd === "subscribe") {
    const channels = params.channels;
    if (!Array.isArray(channels) || channels.length === 0) return fail(id, WS_ERRORS.channelsRequired);
    for (const c of channels) {
      if (typeof c !== "string" || !(CHANNELS as readonly string[]).includes(c)) {
        return fail(id, WS_ERRORS.unknownChannel);
      }
    }
    const unique = [...new Set(channels as Channel[])];
    // orderbook_delta needs explicit markets (kalshi-api-notes.md table).
    if (unique.includes("orderbook_delta") && (tickers === undefined || tickers.length === 0)) {
      return fail(id, WS_ERRORS.tickerRequired);
    }
    if (params.use_yes_price !== undefined && typeof params.use_yes_price !== "boolean") {
      return fail(id, WS_ERRORS.invalidParameter);
    }
    return {
      ok: true,
      command: {
        cmd,
        id,
        channels: unique,
        tickers,
        useYesPrice: params.use_yes_price === true,
        sendInitialSnapshot: params.send_initial_snapshot === true,
      },
    };
  }

  // update_subscription: `action` must be inside params (error 15), exactly one sid (error 12).
  const action = params.action;
  if (action === undefined) return fail(id, WS_ERRORS.actionRequired);
  let sid: unknown;
  if (params.sid !== undefined && params.sids !== undefined) return fail(id, WS_ERRORS.exactlyOneSid);
  if (params.sid !== undefined) sid = params.sid;
  else if (Array.isArray(params.sids) && params.sids.length === 1) sid = params.sids[0];
  else return fail(id, WS_ERRORS.exactlyOneSid);
  if (typeof sid !== "number" || !Number.isSafeInteger(sid)) return fail(id, WS_ERRORS.exactlyOneSid);
  if (action !== "add_markets" && action !== "delete_markets" && action !== "get_snapshot") {
    return fail(id, WS_ERRORS.unsupportedAction);
  }
  if (tickers === undefined || tickers.length === 0) return fail(id, WS_ERRORS.tickerRequired);
  return { ok: true, command: { cmd, id, sid, action, tickers } };
}

/** `{"id":…,"type":"error","msg":{"code":…,"msg":…}}`. */
export function errorFrame(id: number, error: WsError, ticker?: string, sid?: number): string {
  const sidPart = sid === undefined ? "" : `"sid":${sid},`;
  const tickerPart = ticker === undefined ? "" : `,"market_ticker":${JSON.stringify(ticker)}`;
  return `{"id":${id},${sidPart}"type":"error","msg":{"code":${error[0]},"msg":"${error[1]}"${tickerPart}}}`;
}

/**
 * EngineEvent ⇄ FlatBuffers bytes (schemas/events.fbs) and → JSON text. Used on io by the
 * `/events` stream (one codec per server, one reused Builder) and by tests and tools to decode.
 *
 * The enum tables below map our string unions to the schema's enums by position; the schema
 * declares them in the same order as the `*_ACTIONS`/`*_STATUSES` arrays in engine-event.ts.
 */
import * as flatbuffers from "flatbuffers";
import {
  BREAKER_STATES,
  DECISION_ACTIONS,
  type EngineEvent,
  FEED_STATUSES,
  ORDER_ACTIONS,
  ORDER_STATUSES,
  SIDES,
  type TransferResult,
} from "./engine-event.js";
import {
  Breaker,
  Decision,
  EventBody,
  EngineEvent as FbEngineEvent,
  Feed,
  Fill,
  Holds,
  Kill,
  Order,
  Pnl,
  Position,
  Settlement,
  Transfer,
} from "./generated/events_generated.js";

export class EventCodec {
  private readonly builder: flatbuffers.Builder;
  /** UTF-8 of recent short strings (tickers, ids, reasons repeat): saves a TextEncoder call each */
  private readonly utf8Cache = new Map<string, Uint8Array>();
  private readonly encoder = new TextEncoder();

  constructor(initialBytes = 512) {
    this.builder = new flatbuffers.Builder(initialBytes);
  }

  /** "" is written as an absent field (decoded back to ""), so empty strings cost nothing. */
  private readonly str = (s: string): flatbuffers.Offset => {
    if (s === "") return 0;
    if (s.length > MAX_CACHED_CHARS) return this.builder.createString(s);
    let utf8 = this.utf8Cache.get(s);
    if (utf8 === undefined) {
      if (this.utf8Cache.size >= MAX_CACHED_STRINGS) this.utf8Cache.clear();
      utf8 = this.encoder.encode(s);
      this.utf8Cache.set(s, utf8);
    }
    return this.builder.createString(utf8);
  };

  /**
   * Encodes into the codec's reused buffer. The returned view is valid until the next `encode`;
   * uWS `send` copies synchronously, anything that keeps the bytes must `slice()` them.
   */
  encode(event: EngineEvent): Uint8Array {
    const b = this.builder;
    b.clear();
    const [type, body] = encodeBody(b, this.str, event);
    const root = FbEngineEvent.createEngineEvent(
      b,
      long(event.seq, "seq"),
      long(event.tsUs, "tsUs"),
      type,
      body,
    );
    FbEngineEvent.finishEngineEventBuffer(b, root);
    return b.asUint8Array();
  }
}

const MAX_CACHED_CHARS = 64;
const MAX_CACHED_STRINGS = 4096;

export function encodeEventJson(event: EngineEvent): string {
  return JSON.stringify(event);
}

export function decodeEvent(bytes: Uint8Array): EngineEvent {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (!FbEngineEvent.bufferHasIdentifier(bb))
    throw new Error("events: not an EngineEvent buffer (identifier)");
  const e = FbEngineEvent.getRootAsEngineEvent(bb);
  const header = { seq: Number(e.seq()), tsUs: Number(e.tsUs()) };
  switch (e.bodyType()) {
    case EventBody.Decision: {
      const d = e.body(new Decision()) as Decision;
      return {
        kind: "decision",
        ...header,
        market: d.market() ?? "",
        action: at(DECISION_ACTIONS, d.action()),
        sizeHundredths: d.sizeHundredths(),
        bookSeq: Number(d.bookSeq()),
        recvTsUs: Number(d.recvTsUs()),
        decisionTsUs: Number(d.decisionTsUs()),
        skippedReason: d.skippedReason() ?? "",
        priceTicks: d.priceTicks(),
        batchSize: d.batchSize(),
        appliedCount: Number(d.appliedCount()),
      };
    }
    case EventBody.Order: {
      const o = e.body(new Order()) as Order;
      return {
        kind: "order",
        ...header,
        status: at(ORDER_STATUSES, o.status()),
        clientOrderId: o.clientOrderId() ?? "",
        orderId: o.orderId() ?? "",
        market: o.market() ?? "",
        side: at(SIDES, o.side()),
        action: at(ORDER_ACTIONS, o.action()),
        priceTicks: o.priceTicks(),
        countHundredths: o.countHundredths(),
        reason: o.reason() ?? "",
      };
    }
    case EventBody.Fill: {
      const f = e.body(new Fill()) as Fill;
      return {
        kind: "fill",
        ...header,
        fillId: f.fillId() ?? "",
        orderId: f.orderId() ?? "",
        market: f.market() ?? "",
        side: at(SIDES, f.side()),
        action: at(ORDER_ACTIONS, f.action()),
        priceTicks: f.priceTicks(),
        countHundredths: f.countHundredths(),
        feeMicros: Number(f.feeMicros()),
      };
    }
    case EventBody.Position: {
      const p = e.body(new Position()) as Position;
      return {
        kind: "position",
        ...header,
        market: p.market() ?? "",
        contractsHundredths: Number(p.contractsHundredths()),
        costBasisMicros: Number(p.costBasisMicros()),
      };
    }
    case EventBody.Pnl: {
      const p = e.body(new Pnl()) as Pnl;
      return {
        kind: "pnl",
        ...header,
        realisedMicros: Number(p.realisedMicros()),
        unrealisedMicros: Number(p.unrealisedMicros()),
        feesMicros: Number(p.feesMicros()),
      };
    }
    case EventBody.Breaker: {
      const br = e.body(new Breaker()) as Breaker;
      return {
        kind: "breaker",
        ...header,
        name: br.name() ?? "",
        state: at(BREAKER_STATES, br.state()),
        reason: br.reason() ?? "",
      };
    }
    case EventBody.Kill: {
      const k = e.body(new Kill()) as Kill;
      return { kind: "kill", ...header, engaged: k.engaged(), reason: k.reason() ?? "" };
    }
    case EventBody.Feed: {
      const f = e.body(new Feed()) as Feed;
      return {
        kind: "feed",
        ...header,
        status: at(FEED_STATUSES, f.status()),
        sid: f.sid(),
        markets: f.markets(),
        reason: f.reason() ?? "",
      };
    }
    case EventBody.Holds: {
      const h = e.body(new Holds()) as Holds;
      return { kind: "holds", ...header, count: Number(h.count()), intervalMs: h.intervalMs() };
    }
    case EventBody.Settlement: {
      const st = e.body(new Settlement()) as Settlement;
      return {
        kind: "settlement",
        ...header,
        market: st.market() ?? "",
        yesPayoutMicros: Number(st.yesPayoutMicros()),
        closedHundredths: Number(st.closedHundredths()),
        proceedsMicros: Number(st.proceedsMicros()),
        realisedMicros: Number(st.realisedMicros()),
      };
    }
    case EventBody.Transfer: {
      const tr = e.body(new Transfer()) as Transfer;
      return {
        kind: "transfer",
        ...header,
        id: tr.id() ?? "",
        fromShard: tr.fromShard(),
        toShard: tr.toShard(),
        amountMicros: Number(tr.amountMicros()),
        result: (tr.result() ?? "") as TransferResult,
        detail: tr.detail() ?? "",
      };
    }
    default:
      throw new Error(`events: unknown event body type ${e.bodyType()}`);
  }
}

function encodeBody(
  b: flatbuffers.Builder,
  str: (s: string) => flatbuffers.Offset,
  ev: EngineEvent,
): [EventBody, flatbuffers.Offset] {
  switch (ev.kind) {
    case "decision": {
      const market = str(ev.market);
      const skipped = str(ev.skippedReason);
      return [
        EventBody.Decision,
        Decision.createDecision(
          b,
          market,
          index(DECISION_ACTIONS, ev.action, "action"),
          int(ev.sizeHundredths, "sizeHundredths"),
          long(ev.bookSeq, "bookSeq"),
          long(ev.recvTsUs, "recvTsUs"),
          long(ev.decisionTsUs, "decisionTsUs"),
          skipped,
          int(ev.priceTicks, "priceTicks"),
          int(ev.batchSize, "batchSize"),
          long(ev.appliedCount, "appliedCount"),
        ),
      ];
    }
    case "order": {
      const clientOrderId = str(ev.clientOrderId);
      const orderId = str(ev.orderId);
      const market = str(ev.market);
      const reason = str(ev.reason);
      return [
        EventBody.Order,
        Order.createOrder(
          b,
          index(ORDER_STATUSES, ev.status, "status"),
          clientOrderId,
          orderId,
          market,
          index(SIDES, ev.side, "side"),
          index(ORDER_ACTIONS, ev.action, "action"),
          int(ev.priceTicks, "priceTicks"),
          int(ev.countHundredths, "countHundredths"),
          reason,
        ),
      ];
    }
    case "fill": {
      const fillId = str(ev.fillId);
      const orderId = str(ev.orderId);
      const market = str(ev.market);
      return [
        EventBody.Fill,
        Fill.createFill(
          b,
          fillId,
          orderId,
          market,
          index(SIDES, ev.side, "side"),
          index(ORDER_ACTIONS, ev.action, "action"),
          int(ev.priceTicks, "priceTicks"),
          int(ev.countHundredths, "countHundredths"),
          long(ev.feeMicros, "feeMicros"),
        ),
      ];
    }
    case "position": {
      const market = str(ev.market);
      return [
        EventBody.Position,
        Position.createPosition(
          b,
          market,
          long(ev.contractsHundredths, "contractsHundredths"),
          long(ev.costBasisMicros, "costBasisMicros"),
        ),
      ];
    }
    case "pnl":
      return [
        EventBody.Pnl,
        Pnl.createPnl(
          b,
          long(ev.realisedMicros, "realisedMicros"),
          long(ev.unrealisedMicros, "unrealisedMicros"),
          long(ev.feesMicros, "feesMicros"),
        ),
      ];
    case "holds":
      return [
        EventBody.Holds,
        Holds.createHolds(b, long(ev.count, "count"), int(ev.intervalMs, "intervalMs")),
      ];
    case "settlement": {
      const market = str(ev.market);
      return [
        EventBody.Settlement,
        Settlement.createSettlement(
          b,
          market,
          long(ev.yesPayoutMicros, "yesPayoutMicros"),
          long(ev.closedHundredths, "closedHundredths"),
          long(ev.proceedsMicros, "proceedsMicros"),
          long(ev.realisedMicros, "realisedMicros"),
        ),
      ];
    }
    case "transfer": {
      const id = str(ev.id);
      const result = str(ev.result);
      const detail = str(ev.detail);
      return [
        EventBody.Transfer,
        Transfer.createTransfer(
          b,
          id,
          int(ev.fromShard, "fromShard"),
          int(ev.toShard, "toShard"),
          long(ev.amountMicros, "amountMicros"),
          result,
          detail,
        ),
      ];
    }
    case "breaker": {
      const name = str(ev.name);
      const reason = str(ev.reason);
      return [
        EventBody.Breaker,
        Breaker.createBreaker(b, name, index(BREAKER_STATES, ev.state, "state"), reason),
      ];
    }
    case "kill": {
      const reason = str(ev.reason);
      return [EventBody.Kill, Kill.createKill(b, ev.engaged, reason)];
    }
    case "feed": {
      const reason = str(ev.reason);
      return [
        EventBody.Feed,
        Feed.createFeed(
          b,
          index(FEED_STATUSES, ev.status, "status"),
          int(ev.sid, "sid"),
          int(ev.markets, "markets"),
          reason,
        ),
      ];
    }
  }
}

function long(v: number, field: string): bigint {
  if (!Number.isSafeInteger(v)) throw new Error(`events: ${field} = ${v} is not a safe integer`);
  return BigInt(v);
}

function int(v: number, field: string): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new Error(`events: ${field} = ${v} is not a 32-bit integer`);
  }
  return v;
}

function index<T extends string>(values: readonly T[], v: T, field: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw new Error(`events: ${field} = ${JSON.stringify(v)} is not one of ${values.join(", ")}`);
  return i;
}

function at<T extends string>(values: readonly T[], i: number): T {
  const v = values[i];
  if (v === undefined) throw new Error(`events: enum value ${i} out of range (${values.join(", ")})`);
  return v;
}

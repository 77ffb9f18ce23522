/**
 * FillRing records: the venue reports io hands the orders thread, as fixed-layout byte records in
 * a BytesRing (src/shm/bytes-ring.ts). io parses each private frame once (adapter) and writes
 * one record; the orders thread reads the numbers back and never sees JSON. Writer: io (one
 * ReportRecordWriter). Reader: the orders thread (readReportRecord). This module owns the layout.
 *
 * The ring's tag is the record kind (REPORT_KINDS); every record is RECORD_BYTES long,
 * little-endian:
 *
 *   fill (tag 1)                              order status (tag 2)
 *   0..3    Uint32  market index              0..3    Uint32  market index
 *   4       Uint8   book side (0 bid, 1 ask)  4       Uint8   status (0 resting, 1 canceled, 2 executed)
 *   5       Uint8   flags: 1 taker, 2 fee     5..7    zero
 *   6..7    zero                              8..15   Float64 fill count, hundredths
 *   8..15   Float64 YES price, ticks          16..23  Float64 remaining count, hundredths
 *   16..23  Float64 count, hundredths         24..39  zero
 *   24..31  Float64 fee, micros (flag 2)      40..103 id: order id
 *   32..39  Float64 exchange time, ms         104..167 id: client order id
 *   40..103 id: trade id                      168..231 zero
 *   104..167 id: order id
 *   168..231 id: client order id
 *
 *   settlement (tag 3)
 *   0..3    Uint32  market index
 *   4..7    zero
 *   8..15   Float64 payout of one YES contract, micros (-1: void, returned at cost)
 *   16..23  Float64 settlement time, ms
 *   24..231 zero
 *
 *   order group (tag 4)
 *   0..3    zero
 *   4       Uint8   event (0 triggered, 1 reset, 2 deleted)
 *   5..39   zero
 *   40..103 id: order group id
 *   104..231 zero
 *
 * An id slot is one length byte (0..63) and up to 63 ASCII bytes. Kalshi's ids are UUIDs and the
 * engine's client order ids are shorter; a report whose id does not fit is refused (the writer
 * answers "unencodable", io counts it) rather than truncated — REST reconciliation still brings it in.
 */
import type { BytesRing } from "../../shm/bytes-ring.js";
import { BOOK_SIDES, ORDER_STATUSES } from "../vocabulary.js";
import {
  type FillReport,
  ORDER_GROUP_EVENTS,
  type OrderGroupReport,
  type OrderStatusReport,
  type SettlementReport,
  type VenueReport,
} from "./reports.js";

export const REPORT_KINDS = { fill: 1, orderStatus: 2, settlement: 3, orderGroup: 4 } as const;
export const RECORD_BYTES = 232;
const ID_BYTES = 64;
const MAX_ID_CHARS = ID_BYTES - 1;
const FLAG_TAKER = 1;
const FLAG_FEE = 2;

export type WriteOutcome = "ok" | "unencodable" | "ring_full";

/** io's side: one scratch record, reused for every report (no allocation per report). */
export class ReportRecordWriter {
  private readonly bytes = new Uint8Array(RECORD_BYTES);
  private readonly view = new DataView(this.bytes.buffer);

  constructor(private readonly ring: BytesRing) {}

  write(report: VenueReport): WriteOutcome {
    if (report.kind === "fill") return this.writeFill(report.fill);
    if (report.kind === "orderStatus") return this.writeOrderStatus(report.status);
    if (report.kind === "settlement") return this.writeSettlement(report.settlement);
    return this.writeOrderGroup(report.group);
  }

  writeOrderGroup(r: OrderGroupReport): WriteOutcome {
    this.bytes.fill(0);
    this.view.setUint8(4, ORDER_GROUP_EVENTS.indexOf(r.event));
    if (!this.putId(40, r.orderGroupId)) return "unencodable";
    return this.ring.tryWrite(REPORT_KINDS.orderGroup, this.bytes) ? "ok" : "ring_full";
  }

  writeSettlement(r: SettlementReport): WriteOutcome {
    this.bytes.fill(0);
    this.view.setUint32(0, r.market, true);
    this.view.setFloat64(8, r.yesPayoutMicros, true);
    this.view.setFloat64(16, r.tsMs, true);
    return this.ring.tryWrite(REPORT_KINDS.settlement, this.bytes) ? "ok" : "ring_full";
  }

  /** "unencodable" when an id is too long or not ASCII; "ring_full" when the reader is behind. */
  writeFill(r: FillReport): WriteOutcome {
    this.bytes.fill(0);
    const v = this.view;
    v.setUint32(0, r.market, true);
    v.setUint8(4, r.bookSide === "bid" ? 0 : 1);
    v.setUint8(5, (r.isTaker ? FLAG_TAKER : 0) | (r.feeMicros !== undefined ? FLAG_FEE : 0));
    v.setFloat64(8, r.yesPriceTicks, true);
    v.setFloat64(16, r.countHundredths, true);
    v.setFloat64(24, r.feeMicros ?? 0, true);
    v.setFloat64(32, r.tsMs, true);
    if (!this.putId(40, r.tradeId) || !this.putId(104, r.orderId) || !this.putId(168, r.clientOrderId)) {
      return "unencodable";
    }
    return this.ring.tryWrite(REPORT_KINDS.fill, this.bytes) ? "ok" : "ring_full";
  }

  writeOrderStatus(r: OrderStatusReport): WriteOutcome {
    this.bytes.fill(0);
    const v = this.view;
    v.setUint32(0, r.market, true);
    v.setUint8(4, ORDER_STATUSES.indexOf(r.status));
    v.setFloat64(8, r.fillCountHundredths, true);
    v.setFloat64(16, r.remainingCountHundredths, true);
    if (!this.putId(40, r.orderId) || !this.putId(104, r.clientOrderId)) return "unencodable";
    return this.ring.tryWrite(REPORT_KINDS.orderStatus, this.bytes) ? "ok" : "ring_full";
  }

  private putId(at: number, id: string): boolean {
    if (id.length > MAX_ID_CHARS) return false;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c > 0x7f) return false;
      this.bytes[at + 1 + i] = c;
    }
    this.bytes[at] = id.length;
    return true;
  }
}

/** The orders thread's side: one record back to a report; null for an unknown tag or a short record. */
export function readReportRecord(tag: number, bytes: Uint8Array): VenueReport | null {
  if (bytes.length < RECORD_BYTES) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (tag === REPORT_KINDS.fill) {
    const flags = v.getUint8(5);
    const fill: FillReport = {
      market: v.getUint32(0, true),
      bookSide: BOOK_SIDES[v.getUint8(4) & 1]!,
      isTaker: (flags & FLAG_TAKER) !== 0,
      yesPriceTicks: v.getFloat64(8, true),
      countHundredths: v.getFloat64(16, true),
      tsMs: v.getFloat64(32, true),
      tradeId: getId(bytes, 40),
      orderId: getId(bytes, 104),
      clientOrderId: getId(bytes, 168),
    };
    if ((flags & FLAG_FEE) !== 0) fill.feeMicros = v.getFloat64(24, true);
    return { kind: "fill", fill };
  }
  if (tag === REPORT_KINDS.orderStatus) {
    const status = ORDER_STATUSES[v.getUint8(4)];
    if (status === undefined) return null;
    return {
      kind: "orderStatus",
      status: {
        market: v.getUint32(0, true),
        status,
        fillCountHundredths: v.getFloat64(8, true),
        remainingCountHundredths: v.getFloat64(16, true),
        orderId: getId(bytes, 40),
        clientOrderId: getId(bytes, 104),
      },
    };
  }
  if (tag === REPORT_KINDS.orderGroup) {
    const event = ORDER_GROUP_EVENTS[v.getUint8(4)];
    return event === undefined
      ? null
      : { kind: "orderGroup", group: { orderGroupId: getId(bytes, 40), event } };
  }
  if (tag === REPORT_KINDS.settlement) {
    return {
      kind: "settlement",
      settlement: {
        market: v.getUint32(0, true),
        yesPayoutMicros: v.getFloat64(8, true),
        tsMs: v.getFloat64(16, true),
      },
    };
  }
  return null;
}

function getId(bytes: Uint8Array, at: number): string {
  const n = Math.min(bytes[at]!, MAX_ID_CHARS);
  return String.fromCharCode(...bytes.subarray(at + 1, at + 1 + n));
}

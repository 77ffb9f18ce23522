import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BREAKER_STATES,
  DECISION_ACTIONS,
  type EngineEvent,
  FEED_STATUSES,
  ORDER_ACTIONS,
  ORDER_STATUSES,
  SIDES,
  TRANSFER_RESULTS,
} from "../../src/events/engine-event.js";
import { decodeEvent, EventCodec, encodeEventJson } from "../../src/events/event-codec.js";
import { SAMPLE_EVENTS } from "./fixtures/sample-events.js";

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const safe = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const header = { seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }), tsUs: safe };
const arbEvent: fc.Arbitrary<EngineEvent> = fc.oneof(
  fc.record({
    kind: fc.constant("decision" as const),
    ...header,
    market: fc.string(),
    action: fc.constantFrom(...DECISION_ACTIONS),
    sizeHundredths: int32,
    bookSeq: safe,
    recvTsUs: safe,
    decisionTsUs: safe,
    skippedReason: fc.string(),
    priceTicks: int32,
    batchSize: int32,
    appliedCount: safe,
  }),
  fc.record({
    kind: fc.constant("order" as const),
    ...header,
    status: fc.constantFrom(...ORDER_STATUSES),
    clientOrderId: fc.string(),
    orderId: fc.string(),
    market: fc.string(),
    side: fc.constantFrom(...SIDES),
    action: fc.constantFrom(...ORDER_ACTIONS),
    priceTicks: int32,
    countHundredths: int32,
    reason: fc.string({ unit: "grapheme" }),
  }),
  fc.record({
    kind: fc.constant("fill" as const),
    ...header,
    fillId: fc.string(),
    orderId: fc.string(),
    market: fc.string(),
    side: fc.constantFrom(...SIDES),
    action: fc.constantFrom(...ORDER_ACTIONS),
    priceTicks: int32,
    countHundredths: int32,
    feeMicros: safe,
  }),
  fc.record({
    kind: fc.constant("position" as const),
    ...header,
    market: fc.string(),
    contractsHundredths: safe,
    costBasisMicros: safe,
  }),
  fc.record({
    kind: fc.constant("pnl" as const),
    ...header,
    realisedMicros: safe,
    unrealisedMicros: safe,
    feesMicros: safe,
  }),
  fc.record({ kind: fc.constant("holds" as const), ...header, count: safe, intervalMs: int32 }),
  fc.record({
    kind: fc.constant("settlement" as const),
    ...header,
    market: fc.string(),
    yesPayoutMicros: safe,
    closedHundredths: safe,
    proceedsMicros: safe,
    realisedMicros: safe,
  }),
  fc.record({
    kind: fc.constant("transfer" as const),
    ...header,
    id: fc.string(),
    fromShard: int32,
    toShard: int32,
    amountMicros: safe,
    result: fc.constantFrom(...TRANSFER_RESULTS),
    detail: fc.string(),
  }),
  fc.record({
    kind: fc.constant("breaker" as const),
    ...header,
    name: fc.string(),
    state: fc.constantFrom(...BREAKER_STATES),
    reason: fc.string(),
  }),
  fc.record({ kind: fc.constant("kill" as const), ...header, engaged: fc.boolean(), reason: fc.string() }),
  fc.record({
    kind: fc.constant("feed" as const),
    ...header,
    status: fc.constantFrom(...FEED_STATUSES),
    sid: int32,
    markets: int32,
    reason: fc.string(),
  }),
);

describe("EventCodec", () => {
  it("round-trips every event kind through FlatBuffers bytes", () => {
    const codec = new EventCodec();
    for (const event of SAMPLE_EVENTS) {
      const bytes = codec.encode(event).slice();
      assert.deepEqual(decodeEvent(bytes), event);
    }
  });

  it("JSON text parses back to the same object as the bytes decode to", () => {
    const codec = new EventCodec();
    for (const event of SAMPLE_EVENTS) {
      assert.deepEqual(JSON.parse(encodeEventJson(event)), decodeEvent(codec.encode(event)));
    }
  });

  it("round-trips arbitrary events with one reused builder (property)", () => {
    const codec = new EventCodec(16); // small start: forces the builder to grow
    fc.assert(
      fc.property(arbEvent, (event) => {
        assert.deepEqual(decodeEvent(codec.encode(event).slice()), { ...event });
      }),
      { seed: 20261124, numRuns: 500 },
    );
  });

  it("rejects non-integer and out-of-range numbers instead of truncating", () => {
    const codec = new EventCodec();
    const fill = SAMPLE_EVENTS[2]!;
    assert.throws(() => codec.encode({ ...fill, priceTicks: 41.5 } as EngineEvent), /priceTicks = 41.5/);
    assert.throws(() => codec.encode({ ...fill, feeMicros: 2 ** 60 } as EngineEvent), /feeMicros/);
    assert.throws(() => codec.encode({ ...fill, side: "maybe" } as unknown as EngineEvent), /side = "maybe"/);
  });

  it("refuses bytes that are not an EngineEvent buffer", () => {
    assert.throws(() => decodeEvent(new Uint8Array(16)), /not an EngineEvent/);
  });
});

/**
 * Decision log: every policy decision (HOLD included) a decide worker makes while recording, with
 * the exact book state and the observation it was based on — the evidence `verify` checks.
 *
 * Path: decide worker → its own FrameRing (shared memory, tag RecordTag.decision) → recorder
 * writer thread → DecisionRecord (schemas/feed-log.fbs, identifier "KFLD") in decisions-*.kfl.
 *
 * Ring payload (272 bytes, little-endian host order; this module owns it):
 *   bytes 0..63    8 × Float64: market index, action index, action kind, size hundredths,
 *                  book seq, applied count, frame receive ms, decided ms
 *   bytes 64..271  52 × Float32: the observation
 */
import * as flatbuffers from "flatbuffers";
import { DecisionRecord } from "../events/generated/feed-log_generated.js";
import { OBSERVATION_SIZE } from "../features/names.js";
import { type FrameRing, RecordTag } from "./frame-ring.js";

const HEADER_WORDS = 8;
export const DECISION_PAYLOAD_BYTES = HEADER_WORDS * 8 + OBSERVATION_SIZE * 4;
const IDENTIFIER = "KFLD";

/** Producer (decide worker): one reused scratch record. */
export class DecisionLogWriter {
  /** decisions refused because the ring was full (or recording stopped) */
  dropped = 0;
  private readonly bytes = new Uint8Array(DECISION_PAYLOAD_BYTES);
  private readonly words = new Float64Array(this.bytes.buffer, 0, HEADER_WORDS);
  private readonly obs = new Float32Array(this.bytes.buffer, HEADER_WORDS * 8, OBSERVATION_SIZE);

  constructor(private readonly ring: FrameRing) {}

  write(
    market: number,
    actionIndex: number,
    kind: number,
    sizeHundredths: number,
    bookSeq: number,
    appliedCount: number,
    frameRecvMs: number,
    decidedMs: number,
    observation: Float32Array,
    offset: number,
  ): void {
    const w = this.words;
    w[0] = market;
    w[1] = actionIndex;
    w[2] = kind;
    w[3] = sizeHundredths;
    w[4] = bookSeq;
    w[5] = appliedCount;
    w[6] = frameRecvMs;
    w[7] = decidedMs;
    this.obs.set(observation.subarray(offset, offset + OBSERVATION_SIZE));
    if (this.ring.tryWrite(RecordTag.decision, Math.round(decidedMs * 1000), this.bytes)) this.ring.publish();
    else this.dropped++;
  }
}

/** Writer thread: ring payload → size-prefixed DecisionRecord bytes (valid until the next call). */
export class DecisionRecordEncoder {
  private readonly builder = new flatbuffers.Builder(1024);
  private readonly obs = new Float32Array(OBSERVATION_SIZE);

  constructor(private readonly tickers: readonly string[]) {}

  encode(payload: Uint8Array): Uint8Array {
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const word = (i: number) => view.getFloat64(i * 8, true);
    for (let i = 0; i < OBSERVATION_SIZE; i++) this.obs[i] = view.getFloat32(HEADER_WORDS * 8 + i * 4, true);
    const b = this.builder;
    b.clear();
    const market = b.createString(this.tickers[word(0)] ?? `#${word(0)}`);
    const observation = DecisionRecord.createObservationVector(b, this.obs);
    const root = DecisionRecord.createDecisionRecord(
      b,
      BigInt(Math.round(word(7) * 1000)),
      BigInt(Math.round(word(6) * 1000)),
      market,
      word(1),
      word(2),
      word(3),
      BigInt(word(4)),
      BigInt(word(5)),
      observation,
    );
    b.finish(root, IDENTIFIER, true);
    return b.asUint8Array();
  }
}

export interface LoggedDecision {
  decidedUs: number;
  frameRecvUs: number;
  market: string;
  actionIndex: number;
  action: number;
  sizeHundredths: number;
  bookSeq: number;
  appliedCount: number;
  observation: Float32Array;
}

/** Reads one DecisionRecord (the body after the size prefix). */
export function decodeDecisionRecord(body: Uint8Array): LoggedDecision {
  const bb = new flatbuffers.ByteBuffer(body);
  if (!bb.__has_identifier(IDENTIFIER)) throw new Error("decision log: record is not a DecisionRecord");
  const d = DecisionRecord.getRootAsDecisionRecord(bb);
  return {
    decidedUs: Number(d.decidedUs()),
    frameRecvUs: Number(d.frameRecvUs()),
    market: d.market() ?? "",
    actionIndex: d.actionIndex(),
    action: d.action(),
    sizeHundredths: d.sizeHundredths(),
    bookSeq: Number(d.bookSeq()),
    appliedCount: Number(d.appliedCount()),
    observation: Float32Array.from(d.observationArray() ?? []),
  };
}

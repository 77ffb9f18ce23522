/**
 * Minimal protobuf wire-format encoder (pure, cold path: used to write ONNX models).
 *
 * Only what `onnx-writer.ts` needs: varint (wire type 0), length-delimited (wire type 2) and
 * 32-bit (wire type 5) fields. Repeated scalars are written unpacked, one field per value, which
 * every protobuf parser accepts for both proto2 and proto3 schemas (onnx.proto is proto2).
 *
 * A message is built bottom-up: encode the children first, then embed their bytes with
 * `bytesField`. Models here are a few hundred KB at most, so the copying is irrelevant.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative safe integer (int64 values up to 2^53). */
  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`protobuf varint needs a non-negative safe integer, got ${value}`);
    }
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** int32/int64/enum/bool field (non-negative values only; ONNX never needs negatives here). */
  intField(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** float field (wire type 5, little-endian IEEE-754 single). */
  floatField(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
    this.len += 4;
    return this;
  }

  bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  stringField(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

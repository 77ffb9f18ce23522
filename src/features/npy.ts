/**
 * NumPy .npy v1.0 files of float32 rows (`features export`; cold path, io of the CLI process).
 *
 * Format: magic "\x93NUMPY", version 1.0, little-endian uint16 header length, then an ASCII
 * Python dict `{'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), }` padded with
 * spaces and ended by '\n' so the data starts on a 64-byte boundary; then rows × cols
 * little-endian float32 in C order.
 *
 * Streaming: the header reserves HEADER_BYTES, rows are buffered and appended as they come, and
 * `close` rewrites the header in place with the final row count (same length, more padding), so
 * a dataset of any size never has to sit in memory.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { endianness } from "node:os";

const HEADER_BYTES = 128; // 10-byte preamble + 118-byte dict: room for a 20-digit row count
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function npyHeader(rows: number, cols: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const headerLen = HEADER_BYTES - 10;
  if (dict.length + 1 > headerLen) throw new Error("npy header does not fit");
  const buf = Buffer.alloc(HEADER_BYTES, 0x20);
  MAGIC.forEach((b, i) => {
    buf[i] = b;
  });
  buf[6] = 1; // major version
  buf[7] = 0; // minor version
  buf.writeUInt16LE(headerLen, 8);
  buf.write(dict, 10, "latin1");
  buf[HEADER_BYTES - 1] = 0x0a;
  return buf;
}

export class NpyWriter {
  readonly cols: number;
  rows = 0;
  private readonly fd: number;
  private readonly chunk: Buffer;
  private readonly chunkF32: Float32Array;
  private readonly chunkRows: number;
  private pendingRows = 0;
  private closed = false;
  private readonly littleEndian = endianness() === "LE";

  constructor(path: string, cols: number, chunkRows = 4096) {
    this.cols = cols;
    this.chunkRows = chunkRows;
    this.chunk = Buffer.alloc(chunkRows * cols * 4);
    this.chunkF32 = new Float32Array(this.chunk.buffer, this.chunk.byteOffset, chunkRows * cols);
    this.fd = openSync(path, "w");
    writeSync(this.fd, npyHeader(0, cols)); // placeholder, patched by close()
  }

  /** Appends one row (cols float32 values from row[offset..]). */
  writeRow(row: Float32Array, offset = 0): void {
    const base = this.pendingRows * this.cols;
    if (this.littleEndian) this.chunkF32.set(row.subarray(offset, offset + this.cols), base);
    else for (let i = 0; i < this.cols; i++) this.chunk.writeFloatLE(row[offset + i], (base + i) * 4);
    this.pendingRows++;
    this.rows++;
    if (this.pendingRows === this.chunkRows) this.flush();
  }

  private flush(): void {
    if (this.pendingRows === 0) return;
    writeSync(this.fd, this.chunk, 0, this.pendingRows * this.cols * 4);
    this.pendingRows = 0;
  }

  /** Flushes the rows and patches the header's shape with the final row count. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    writeSync(this.fd, npyHeader(this.rows, this.cols), 0, HEADER_BYTES, 0);
    closeSync(this.fd);
  }
}

/** Reads a 2-D '<f4' C-order .npy file (tests, tools). */
export function readNpy(path: string): { rows: number; cols: number; data: Float32Array } {
  const buf = readFileSync(path);
  if (!MAGIC.every((b, i) => buf[i] === b)) throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString("latin1", start, start + headerLen);
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False"))
    throw new Error(`${path}: expected little-endian float32 in C order, got ${header.trim()}`);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (shape === null) throw new Error(`${path}: expected a 2-D shape, got ${header.trim()}`);
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  const dataStart = start + headerLen;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) data[i] = buf.readFloatLE(dataStart + i * 4);
  return { rows, cols, data };
}

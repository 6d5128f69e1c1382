/**
 * Redis's listpack (listpack.c): the flat encoding of small hashes, sorted sets and quicklist
 * nodes, as it appears in RDB files.
 *
 *   <total bytes: u32 LE> <element count: u16 LE, 65535 when larger> <entry>... <0xFF>
 *   entry = <encoding + data> <backlen: size of encoding + data, 1-5 bytes, 7 bits per byte>
 *
 * Strings that are the canonical text of a 64-bit integer are stored as integers (7-bit, 13-bit,
 * 16, 24, 32 or 64-bit), like lpAppend does; other strings with a 6, 12 or 32-bit length.
 */
import { parseCanonicalInt64, type Int64 } from '../../types/intset';
import { latin1Slice, latin1Write } from './latin1';

const HEADER_SIZE = 6;
const COUNT_UNKNOWN = 65535;
const EOF_BYTE = 0xff;

/** Bytes of the backlen that follows an entry of `size` bytes (lpEncodeBacklen). */
function backlenSize(size: number): number {
  return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
}

/**
 * Builds listpacks into one reusable buffer: reset(), append elements, finish() gives the bytes
 * (a view valid until the next reset).
 */
export class ListpackBuilder {
  private buf = Buffer.allocUnsafe(4096);
  private pos = HEADER_SIZE;
  private count = 0;

  reset(): void {
    this.pos = HEADER_SIZE;
    this.count = 0;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra + 1;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private backlen(size: number): void {
    const b = this.buf;
    let p = this.pos;
    if (size <= 127) {
      b[p++] = size;
    } else if (size < 16383) {
      b[p++] = size >>> 7;
      b[p++] = (size & 127) | 128;
    } else if (size < 2097151) {
      b[p++] = size >>> 14;
      b[p++] = ((size >>> 7) & 127) | 128;
      b[p++] = (size & 127) | 128;
    } else if (size < 268435455) {
      b[p++] = size >>> 21;
      b[p++] = ((size >>> 14) & 127) | 128;
      b[p++] = ((size >>> 7) & 127) | 128;
      b[p++] = (size & 127) | 128;
    } else {
      b[p++] = Math.floor(size / 268435456);
      b[p++] = ((size >>> 21) & 127) | 128;
      b[p++] = ((size >>> 14) & 127) | 128;
      b[p++] = ((size >>> 7) & 127) | 128;
      b[p++] = (size & 127) | 128;
    }
    this.pos = p;
    this.count++;
  }

  /** Appends a string element (a latin1 string), as an integer when it is one. */
  appendString(s: string): void {
    const n = s.length;
    if (n > 0 && n <= 20) {
      const c = s.charCodeAt(0);
      if ((c >= 48 && c <= 57) || c === 45) {
        const v = parseCanonicalInt64(s);
        if (v !== null) return this.appendInteger(v);
      }
    }
    const header = n < 64 ? 1 : n < 4096 ? 2 : 5;
    this.ensure(header + n + 5);
    const b = this.buf;
    let p = this.pos;
    if (n < 64) {
      b[p++] = 0x80 | n;
    } else if (n < 4096) {
      b[p++] = 0xe0 | (n >>> 8);
      b[p++] = n & 0xff;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(n, p);
      p += 4;
    }
    latin1Write(b, s, p, n);
    this.pos = p + n;
    this.backlen(header + n);
  }

  /** Appends an integer element with the smallest integer encoding. */
  appendInteger(v: Int64): void {
    this.ensure(9 + 5);
    const b = this.buf;
    let p = this.pos;
    let size: number;
    if (typeof v === 'bigint') {
      b[p] = 0xf4;
      b.writeBigInt64LE(v, p + 1);
      size = 9;
    } else if (v >= 0 && v <= 127) {
      b[p] = v;
      size = 1;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[p] = 0xc0 | (u >>> 8);
      b[p + 1] = u & 0xff;
      size = 2;
    } else if (v >= -32768 && v <= 32767) {
      b[p] = 0xf1;
      b.writeInt16LE(v, p + 1);
      size = 3;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p] = 0xf2;
      b.writeIntLE(v, p + 1, 3);
      size = 4;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[p] = 0xf3;
      b.writeInt32LE(v, p + 1);
      size = 5;
    } else {
      b[p] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p + 1);
      size = 9;
    }
    p += size;
    this.pos = p;
    this.backlen(size);
  }

  /** Writes the header and end marker; returns the whole listpack (a view into the builder). */
  finish(): Buffer {
    const b = this.buf;
    b[this.pos++] = EOF_BYTE;
    b.writeUInt32LE(this.pos, 0);
    b.writeUInt16LE(this.count < COUNT_UNKNOWN ? this.count : COUNT_UNKNOWN, 4);
    return b.subarray(0, this.pos);
  }
}

/** Why a listpack is invalid (thrown by decodeListpack; the RDB reader adds the file offset). */
export class ListpackError extends Error {}

/** Bytes of an encoding's header and data, for the entry at p, or -1 if it runs past `end`. */
function entrySize(b: Uint8Array, p: number, end: number): number {
  const e = b[p];
  if (e < 0x80) return 1;
  if (e < 0xc0) return 1 + (e & 0x3f);
  if (e < 0xe0) return 2;
  if (e < 0xf0) return p + 1 < end ? 2 + (((e & 0x0f) << 8) | b[p + 1]) : -1;
  switch (e) {
    case 0xf0:
      return p + 5 <= end ? 5 + ((b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16)) + b[p + 4] * 16777216) : -1;
    case 0xf1:
      return 3;
    case 0xf2:
      return 4;
    case 0xf3:
      return 5;
    case 0xf4:
      return 9;
    default:
      return -1;
  }
}

/** The element at p (whose encoding + data take `size` bytes) as a latin1 string. */
function entryValue(b: Buffer, p: number, size: number): string {
  const e = b[p];
  if (e < 0x80) return String(e);
  if (e < 0xc0) return latin1Slice(b, p + 1, p + size);
  if (e < 0xe0) {
    const u = ((e & 0x1f) << 8) | b[p + 1];
    return String(u >= 4096 ? u - 8192 : u);
  }
  if (e < 0xf0) return latin1Slice(b, p + 2, p + size);
  switch (e) {
    case 0xf0:
      return latin1Slice(b, p + 5, p + size);
    case 0xf1:
      return String(b.readInt16LE(p + 1));
    case 0xf2:
      return String(b.readIntLE(p + 1, 3));
    case 0xf3:
      return String(b.readInt32LE(p + 1));
    default:
      return b.readBigInt64LE(p + 1).toString();
  }
}

/** Reads the backlen that ends at `last` (inclusive) backwards, as lpDecodeBacklen. */
function readBacklen(b: Uint8Array, first: number, last: number): number {
  let value = 0;
  let shift = 1;
  let p = last;
  for (;;) {
    value += (b[p] & 127) * shift;
    if (!(b[p] & 128)) break;
    if (p === first) return -1;
    shift *= 128;
    p--;
  }
  return p === first ? value : -1;
}

/**
 * The elements of the listpack in b[start, end), appended to `out` as latin1 strings. Checks
 * the header, every entry's bounds and backlen, the element count and the end marker.
 */
export function decodeListpack(b: Buffer, start: number, end: number, out: string[] = []): string[] {
  if (end - start < HEADER_SIZE + 1) throw new ListpackError('listpack too short');
  const total = b.readUInt32LE(start);
  if (total !== end - start) throw new ListpackError('listpack size does not match its header');
  const declared = b.readUInt16LE(start + 4);
  const last = end - 1;
  if (b[last] !== EOF_BYTE) throw new ListpackError('listpack without its end marker');
  let p = start + HEADER_SIZE;
  let count = 0;
  while (p < last) {
    const size = entrySize(b, p, last);
    if (size < 0 || p + size > last) throw new ListpackError('listpack entry out of range');
    const backlen = backlenSize(size);
    if (p + size + backlen > last || readBacklen(b, p + size, p + size + backlen - 1) !== size) {
      throw new ListpackError('listpack entry with a bad back length');
    }
    out.push(entryValue(b, p, size));
    p += size + backlen;
    count++;
  }
  if (declared !== COUNT_UNKNOWN && declared !== count) throw new ListpackError('listpack element count does not match its header');
  return out;
}

/**
 * Reading the primitives of an RDB file from a Buffer (rdbLoadLen, rdbGenericLoadStringObject,
 * rdbLoadDoubleValue, ...), with every read checked against the end of the data: a file cut
 * short raises an RdbFormatError that says so, never a RangeError or a garbage value.
 */
import { lzfDecompress } from './lzf';
import { latin1Slice, latin1Write } from './latin1';
import { strtod } from '../../types/strtod';
import { RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_6BITLEN, RDB_ENCVAL, RdbEncoding } from './rdb-constants';

/** A file that cannot be loaded: where and why. `truncated` when the data ended too early. */
export class RdbFormatError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly truncated = false,
  ) {
    super(`${reason} (offset ${offset})`);
  }
}

/** A byte range of the input, or of the decompression buffer (valid until the next blob read). */
export interface Blob {
  buf: Buffer;
  start: number;
  end: number;
}

export class RdbInput {
  pos: number;
  /** Set by lengthOrEncoding(): the value read was a special encoding number, not a length. */
  private encoded = false;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly blob: Blob = { buf: Buffer.alloc(0), start: 0, end: 0 };

  constructor(
    readonly data: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** Throws the "unexpected end" error unless n more bytes are there. */
  need(n: number): void {
    if (this.pos + n > this.data.length) {
      throw new RdbFormatError(`unexpected end of file, ${n} more bytes needed`, this.data.length, true);
    }
  }

  corrupt(reason: string, offset = this.pos): RdbFormatError {
    return new RdbFormatError(reason, offset);
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  /** rdbLoadLenByRef: a length, or (with `encoded` set) a special string encoding number. */
  private lengthOrEncoding(): number {
    const first = this.byte();
    const kind = (first & 0xc0) >> 6;
    this.encoded = false;
    if (kind === RDB_ENCVAL) {
      this.encoded = true;
      return first & 0x3f;
    }
    if (kind === RDB_6BITLEN) return first & 0x3f;
    if (kind === RDB_14BITLEN) return ((first & 0x3f) << 8) | this.byte();
    const d = this.data;
    if (first === RDB_32BITLEN) {
      this.need(4);
      const v = d.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (first === RDB_64BITLEN) {
      this.need(8);
      const v = d.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt('length too large', this.pos - 9);
      return Number(v);
    }
    throw this.corrupt(`Unknown length encoding ${first} in rdbLoadLen()`, this.pos - 1);
  }

  /** rdbLoadLen: a length (a string encoding here is corrupt data). */
  length(): number {
    const v = this.lengthOrEncoding();
    if (this.encoded) throw this.corrupt('unexpected string encoding where a length was expected', this.pos - 1);
    return v;
  }

  /** A length that must be able to describe items still in the file (at least `minBytes` each). */
  count(minBytes = 1): number {
    const at = this.pos;
    const n = this.length();
    if (n * minBytes > this.remaining) throw new RdbFormatError(`length ${n} runs past the end of the file`, at, true);
    return n;
  }

  /** rdbGenericLoadStringObject: a string (integer, LZF or plain) as a byte range. */
  stringBlob(): Blob {
    const at = this.pos;
    const n = this.lengthOrEncoding();
    const d = this.data;
    const blob = this.blob;
    if (!this.encoded) {
      this.need(n);
      blob.buf = d;
      blob.start = this.pos;
      blob.end = this.pos + n;
      this.pos += n;
      return blob;
    }
    if (n === RdbEncoding.Lzf) return this.lzfBlob(at);
    const text = String(this.encodedInteger(n, at));
    const size = text.length;
    this.ensureScratch(size);
    latin1Write(this.scratch, text, 0, size);
    blob.buf = this.scratch;
    blob.start = 0;
    blob.end = size;
    return blob;
  }

  /** rdbGenericLoadStringObject as a latin1 string. */
  string(): string {
    const at = this.pos;
    const n = this.lengthOrEncoding();
    if (!this.encoded) {
      this.need(n);
      const s = latin1Slice(this.data, this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    if (n === RdbEncoding.Lzf) {
      const blob = this.lzfBlob(at);
      return latin1Slice(blob.buf, blob.start, blob.end);
    }
    return String(this.encodedInteger(n, at));
  }

  /** rdbGenericLoadStringObject for a string value: an integer-encoded one as its number. */
  stringOrInteger(): string | number {
    const at = this.pos;
    const first = this.data[at];
    if (first >= 0xc0 && first <= 0xc2) {
      this.pos++;
      return this.encodedInteger(first & 0x3f, at);
    }
    return this.string();
  }

  /** The value of an INT8/INT16/INT32 string encoding. */
  private encodedInteger(encoding: number, at: number): number {
    const d = this.data;
    let v: number;
    if (encoding === RdbEncoding.Int8) {
      this.need(1);
      v = d.readInt8(this.pos);
      this.pos += 1;
    } else if (encoding === RdbEncoding.Int16) {
      this.need(2);
      v = d.readInt16LE(this.pos);
      this.pos += 2;
    } else if (encoding === RdbEncoding.Int32) {
      this.need(4);
      v = d.readInt32LE(this.pos);
      this.pos += 4;
    } else {
      throw this.corrupt(`Unknown RDB string encoding type ${encoding}`, at);
    }
    return v;
  }

  private ensureScratch(size: number): void {
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
  }

  /** rdbLoadLzfStringObject: the decompressed bytes, in the scratch buffer. */
  private lzfBlob(at: number): Blob {
    const compressed = this.length();
    const length = this.length();
    this.need(compressed);
    // Each 3-byte back-reference yields at most 264 bytes: anything claiming more is corrupt
    // (and is refused before allocating for it).
    if (length > compressed * 88 + 32) throw this.corrupt('Invalid LZF compressed string', at);
    this.ensureScratch(length);
    const produced = lzfDecompress(this.data, this.pos, compressed, this.scratch, 0, length);
    if (produced !== length || length === 0) throw this.corrupt('Invalid LZF compressed string', at);
    this.pos += compressed;
    const blob = this.blob;
    blob.buf = this.scratch;
    blob.start = 0;
    blob.end = length;
    return blob;
  }

  /** rdbLoadDoubleValue: the text form of scores in RDB_TYPE_ZSET (253 NaN, 254 +inf, 255 -inf). */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    this.need(n);
    const text = latin1Slice(this.data, this.pos, this.pos + n);
    this.pos += n;
    return strtod(text).value;
  }

  /** rdbLoadBinaryDoubleValue: 8 bytes, little endian. */
  binaryDouble(): number {
    this.need(8);
    const v = this.data.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** rdbLoadMillisecondTime: a signed 64-bit little-endian count of milliseconds. */
  int64(): number {
    this.need(8);
    const lo = this.data.readUInt32LE(this.pos);
    const hi = this.data.readInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  /** rdbLoadTime: a signed 32-bit little-endian count of seconds. */
  int32(): number {
    this.need(4);
    const v = this.data.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
}

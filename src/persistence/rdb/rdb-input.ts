/**
 * Reading the primitives of an RDB file from a Buffer (rdbLoadLen, rdbGenericLoadStringObject,
 * rdbLoadDoubleValue, ...), with every read checked against the end of the data: a file cut
 * short raises an RdbFormatError that says so, never a RangeError or a garbage value.
 */
import { Crc64 } from './crc64';
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

/** Reads `length` bytes at file offset `position` into `into` at `offset`; returns how many it read. */
export type RdbByteSource = (into: Buffer, offset: number, length: number, position: number) => number;

/** Bytes read from a file at a time (a window grows when one item needs more). */
const WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * The input: a whole Buffer, or a file read through a window (RDB files can be larger than one
 * Buffer or fs.readFileSync allows). `pos` is always an offset in the whole input; `data[i]`
 * holds the input's byte `base + i`. Bytes before `pos` may be dropped when the window moves, so
 * a Blob stays valid only until the next read.
 */
export class RdbInput {
  pos: number;
  /** Set by lengthOrEncoding(): the value read was a special encoding number, not a length. */
  private encoded = false;
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly blob: Blob = { buf: Buffer.alloc(0), start: 0, end: 0 };
  private data: Buffer;
  /** Input offset of data[0], and how many bytes of data are valid. */
  private base = 0;
  private filled: number;
  /** Running CRC-64 of the input from `crcFrom` up to `crcPos` (when the caller asked for one). */
  private crc: Crc64 | null = null;
  private crcPos = 0;

  /** `size` and `source` read a file through a window; without them `data` is the whole input. */
  constructor(
    data: Buffer,
    start = 0,
    readonly size = data.length,
    private readonly source: RdbByteSource | null = null,
  ) {
    this.data = data;
    this.filled = source ? 0 : data.length;
    this.pos = start;
    this.base = source ? start : 0;
  }

  /** An input reading `size` bytes of a file through `source`, from offset `start`. */
  static fromSource(source: RdbByteSource, size: number, start = 0, windowBytes = WINDOW_BYTES): RdbInput {
    return new RdbInput(Buffer.allocUnsafe(Math.min(windowBytes, Math.max(size - start, 1))), start, size, source);
  }

  get remaining(): number {
    return this.size - this.pos;
  }

  /** Throws the "unexpected end" error unless n more bytes are there (reading them in if needed). */
  need(n: number): void {
    if (this.pos + n > this.size) {
      throw new RdbFormatError(`unexpected end of file, ${n} more bytes needed`, this.size, true);
    }
    if (this.pos + n > this.base + this.filled) this.refill(n);
  }

  /** Moves the window to start at pos, large enough for n bytes, and reads the file into it. */
  private refill(n: number): void {
    this.feedCrc(this.pos);
    const keep = this.base + this.filled - this.pos;
    const from = this.pos - this.base;
    if (n > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.max(n, this.data.length * 2));
      this.data.copy(grown, 0, from, from + keep);
      this.data = grown;
    } else {
      this.data.copyWithin(0, from, from + keep);
    }
    this.base = this.pos;
    this.filled = keep;
    while (this.filled < n) {
      const want = Math.min(this.data.length - this.filled, this.size - (this.base + this.filled));
      const got = this.source!(this.data, this.filled, want, this.base + this.filled);
      if (got <= 0) throw new RdbFormatError('unexpected end of file while reading', this.base + this.filled, true);
      this.filled += got;
    }
  }

  /** Starts a CRC-64 of the input from the current position. */
  startCrc(): void {
    this.crc = new Crc64();
    this.crcPos = this.pos;
  }

  /** Adds the bytes from the last fed position up to input offset `end` to the CRC. */
  private feedCrc(end: number): void {
    if (this.crc === null || end <= this.crcPos) return;
    this.crc.update(this.data, this.crcPos - this.base, end - this.base);
    this.crcPos = end;
  }

  /** The CRC-64 of the input from startCrc() up to input offset `end` (not read past). */
  crcUpTo(end: number): Crc64 {
    this.feedCrc(end);
    return this.crc!;
  }

  /** `n` bytes at the position as a latin1 string, moving past them. */
  text(n: number): string {
    this.need(n);
    const i = this.pos - this.base;
    this.pos += n;
    return latin1Slice(this.data, i, i + n);
  }

  /** 8 bytes at the position as an unsigned 64-bit little-endian integer, moving past them. */
  uint64LE(): bigint {
    this.need(8);
    const v = this.data.readBigUInt64LE(this.pos - this.base);
    this.pos += 8;
    return v;
  }

  /** True when the 8 bytes at input offset `at` (already read) equal `crc`. */
  crcMatchesAt(crc: Crc64, at: number): boolean {
    return crc.matches(this.data, at - this.base);
  }

  corrupt(reason: string, offset = this.pos): RdbFormatError {
    return new RdbFormatError(reason, offset);
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++ - this.base];
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
    if (first === RDB_32BITLEN) {
      this.need(4);
      const v = this.data.readUInt32BE(this.pos - this.base);
      this.pos += 4;
      return v;
    }
    if (first === RDB_64BITLEN) {
      this.need(8);
      const v = this.data.readBigUInt64BE(this.pos - this.base);
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
    const blob = this.blob;
    if (!this.encoded) {
      this.need(n);
      blob.buf = this.data;
      blob.start = this.pos - this.base;
      blob.end = blob.start + n;
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
    if (!this.encoded) return this.text(n);
    if (n === RdbEncoding.Lzf) {
      const blob = this.lzfBlob(at);
      return latin1Slice(blob.buf, blob.start, blob.end);
    }
    return String(this.encodedInteger(n, at));
  }

  /** rdbGenericLoadStringObject for a string value: an integer-encoded one as its number. */
  stringOrInteger(): string | number {
    const at = this.pos;
    this.need(1);
    const first = this.data[at - this.base];
    if (first >= 0xc0 && first <= 0xc2) {
      this.pos++;
      return this.encodedInteger(first & 0x3f, at);
    }
    return this.string();
  }

  /** The value of an INT8/INT16/INT32 string encoding. */
  private encodedInteger(encoding: number, at: number): number {
    let v: number;
    if (encoding === RdbEncoding.Int8) {
      this.need(1);
      v = this.data.readInt8(this.pos - this.base);
      this.pos += 1;
    } else if (encoding === RdbEncoding.Int16) {
      this.need(2);
      v = this.data.readInt16LE(this.pos - this.base);
      this.pos += 2;
    } else if (encoding === RdbEncoding.Int32) {
      this.need(4);
      v = this.data.readInt32LE(this.pos - this.base);
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
    const produced = lzfDecompress(this.data, this.pos - this.base, compressed, this.scratch, 0, length);
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
    return strtod(this.text(n)).value;
  }

  /** rdbLoadBinaryDoubleValue: 8 bytes, little endian. */
  binaryDouble(): number {
    this.need(8);
    const v = this.data.readDoubleLE(this.pos - this.base);
    this.pos += 8;
    return v;
  }

  /** rdbLoadMillisecondTime: a signed 64-bit little-endian count of milliseconds. */
  int64(): number {
    this.need(8);
    const lo = this.data.readUInt32LE(this.pos - this.base);
    const hi = this.data.readInt32LE(this.pos - this.base + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  /** rdbLoadTime: a signed 32-bit little-endian count of seconds. */
  int32(): number {
    this.need(4);
    const v = this.data.readInt32LE(this.pos - this.base);
    this.pos += 4;
    return v;
  }
}

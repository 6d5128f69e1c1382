/**
 * Writes RDB version 10 files as Redis 7.0.15 does (rdb.c): the header with its AUX fields, then
 * per database SELECTDB + RESIZEDB and the key-value pairs (with EXPIRETIME_MS, IDLE or FREQ in
 * front when they apply), then EOF and the CRC-64 of everything before it.
 *
 * Each value is written in the RDB type of its current encoding: strings with integer or LZF
 * encodings when they apply, lists as quicklists of listpacks (one per node), sets as intsets or
 * plain member lists, hashes and sorted sets as listpacks or plain pairs (binary double scores,
 * highest first as Redis walks its skiplist).
 * Streams are RDB_TYPE_STREAM_LISTPACKS_2 (stream-writer.ts).
 *
 * Output goes through 1 MB chunks handed to `write`; each chunk is a fresh Buffer the callee may
 * keep. The CRC is computed over the chunks as they leave.
 */
import { MutableString } from '../../types/mutable-string';
import type { Quicklist } from '../../types/quicklist';
import type { SetValue } from '../../types/set';
import type { HashValue } from '../../types/hash';
import { ZsetEntries, listpackScoreText, type SortedSet } from '../../types/zset';
import { parseCanonicalInt64, type Int64 } from '../../types/intset';
import type { RedisValue } from '../../keyspace/value';
import { Crc64 } from './crc64';
import { lzfCompress } from './lzf';
import { ListpackBuilder } from './listpack';
import { encodeIntset } from './intset';
import { writeStreamValue, type RdbValueOutput } from './stream-writer';
import type { Stream } from '../../types/stream';
import { latin1Slice, latin1Write } from './latin1';
import {
  QUICKLIST_NODE_CONTAINER_PACKED,
  RDB_REDIS_VERSION,
  RDB_VERSION,
  RdbOpcode,
  RdbType,
} from './rdb-constants';

export interface RdbWriterOptions {
  /** LZF-compress strings longer than 20 bytes when that saves at least 4 bytes (rdbcompression). */
  compression: boolean;
  /** Write the CRC-64 at the end (rdbchecksum); 8 zero bytes otherwise. */
  checksum: boolean;
  /**
   * AUX fields: values for redis-ver, redis-bits, ctime, used-mem and aof-base replace the
   * defaults in place; other fields (repl-id ...) go before aof-base, as Redis orders them.
   */
  aux?: Record<string, string>;
  /** Shorthand for aux aof-base 1: the base of an AOF (an RDB preamble). */
  aofBase?: boolean;
}

/** Per-key eviction data saved before the key: LRU idle time or LFU counter (never both). */
export interface EntryMeta {
  lruIdleSeconds?: number;
  lfuFreq?: number;
}

const CHUNK_SIZE = 1 << 20;
/** AUX fields every file starts with, in Redis's order; aof-base comes last. */
const DEFAULT_AUX = ['redis-ver', 'redis-bits', 'ctime', 'used-mem'];

/** rdbSavedObjectLen: the bytes a value takes in an RDB file, without its type and key (DEBUG OBJECT). */
export function savedObjectLength(value: RedisValue, compression: boolean): number {
  let length = 0;
  new RdbWriter((chunk) => (length += chunk.length), { compression, checksum: false }).objectOnly(value);
  return length;
}

/** The value of a canonical decimal integer of at most 11 chars within int32, or null (rdbTryIntegerEncoding). */
function smallIntegerOf(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  const c = s.charCodeAt(0);
  if ((c < 48 || c > 57) && c !== 45) return null;
  const v = parseCanonicalInt64(s);
  return typeof v === 'number' && v >= -2147483648 && v <= 2147483647 ? v : null;
}

export class RdbWriter {
  private buf = Buffer.allocUnsafe(CHUNK_SIZE);
  private pos = 0;
  private readonly crc: Crc64 | null;
  private readonly listpack = new ListpackBuilder();
  private lzfIn = Buffer.allocUnsafe(4096);
  private lzfOut = Buffer.allocUnsafe(4096);
  private readonly zsetEntries = new ZsetEntries();
  /** The primitives, for the codecs of other files (streams). */
  private readonly valueOutput: RdbValueOutput = {
    len: (n) => this.len(n),
    string: (s) => this.string(s),
    byteString: (src, start, end) => this.byteString(src, start, end),
    raw: (src, start, end) => this.bytes(src, start, end),
    int64LE: (v) => this.int64LE(v),
  };
  /** Bytes handed to `write` so far (the file size once finished). */
  written = 0;

  constructor(
    private readonly write: (chunk: Buffer) => void,
    private readonly options: RdbWriterOptions,
  ) {
    this.crc = options.checksum ? new Crc64() : null;
  }

  // ---- output buffer ----

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.crc?.update(chunk);
    this.written += chunk.length;
    this.buf = Buffer.allocUnsafe(CHUNK_SIZE);
    this.pos = 0;
    this.write(chunk);
  }

  /** Makes room for n <= CHUNK_SIZE bytes. */
  private room(n: number): void {
    if (this.pos + n > CHUNK_SIZE) this.flush();
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n < 64 && n <= CHUNK_SIZE - this.pos) {
      // A loop beats creating a subarray view for short copies.
      const b = this.buf;
      const p = this.pos - start;
      for (let i = start; i < end; i++) b[p + i] = src[i];
      this.pos += n;
      return;
    }
    while (start < end) {
      if (this.pos === CHUNK_SIZE) this.flush();
      const n = Math.min(end - start, CHUNK_SIZE - this.pos);
      this.buf.set(src.subarray(start, start + n), this.pos);
      this.pos += n;
      start += n;
    }
  }

  /** The bytes of a latin1 string. */
  private latin1(s: string): void {
    const n = s.length;
    if (n <= CHUNK_SIZE - this.pos) {
      const b = this.buf;
      const p = this.pos;
      latin1Write(b, s, p, n);
      this.pos = p + n;
      return;
    }
    for (let i = 0; i < n; ) {
      if (this.pos === CHUNK_SIZE) this.flush();
      const part = Math.min(n - i, CHUNK_SIZE - this.pos);
      latin1Write(this.buf, s.slice(i, i + part), this.pos, part);
      this.pos += part;
      i += part;
    }
  }

  // ---- RDB primitives ----

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length (big endian). */
  private len(n: number): void {
    this.room(9);
    const b = this.buf;
    if (n < 64) {
      b[this.pos++] = n;
    } else if (n < 16384) {
      b[this.pos++] = 0x40 | (n >>> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0x81;
      b.writeUInt32BE(Math.floor(n / 4294967296), this.pos);
      b.writeUInt32BE(n % 4294967296, this.pos + 4);
      this.pos += 8;
    }
  }

  /** rdbEncodeInteger: an int8, int16 or int32 string encoding (v must fit 32 bits). */
  private encodedInt(v: number): void {
    this.room(5);
    const b = this.buf;
    if (v >= -128 && v <= 127) {
      b[this.pos++] = 0xc0;
      b.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos++] = 0xc1;
      b.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = 0xc2;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
    }
  }

  /** An LZF blob (0xC3, compressed length, original length, data) if compression gains 4+ bytes. */
  private lzf(src: Uint8Array, start: number, length: number): boolean {
    if (this.lzfOut.length < length) this.lzfOut = Buffer.allocUnsafe(Math.max(length, this.lzfOut.length * 2));
    const compressed = lzfCompress(src, start, length, this.lzfOut, length - 4);
    if (compressed === 0) return false;
    this.byte(0xc3);
    this.len(compressed);
    this.len(length);
    this.bytes(this.lzfOut, 0, compressed);
    return true;
  }

  /** rdbSaveRawString for a latin1 string: integer encoding, LZF, or length + bytes. */
  private string(s: string): void {
    const n = s.length;
    if (n <= 11) {
      const v = smallIntegerOf(s);
      if (v !== null) return this.encodedInt(v);
    }
    if (this.options.compression && n > 20) {
      if (this.lzfIn.length < n) this.lzfIn = Buffer.allocUnsafe(Math.max(n, this.lzfIn.length * 2));
      latin1Write(this.lzfIn, s, 0, n);
      if (this.lzf(this.lzfIn, 0, n)) return;
    }
    this.len(n);
    this.latin1(s);
  }

  /** rdbSaveRawString for bytes in a buffer. */
  private byteString(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 11) {
      const v = smallIntegerOf(latin1Slice(src, start, end));
      if (v !== null) return this.encodedInt(v);
    }
    if (this.options.compression && n > 20 && this.lzf(src, start, n)) return;
    this.len(n);
    this.bytes(src, start, end);
  }

  /** rdbSaveLongLongAsStringObject: an integer encoding, or its decimal text. */
  private integerString(v: number): void {
    if (v >= -2147483648 && v <= 2147483647) this.encodedInt(v);
    else this.string(String(v));
  }

  private int64LE(v: number): void {
    this.room(8);
    const hi = Math.floor(v / 4294967296);
    this.buf.writeUInt32LE(v - hi * 4294967296, this.pos);
    this.buf.writeInt32LE(hi, this.pos + 4);
    this.pos += 8;
  }

  private doubleLE(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  private auxField(key: string, value: string): void {
    this.byte(RdbOpcode.Aux);
    this.string(key);
    this.string(value);
  }

  // ---- file structure ----

  /** "REDIS0010" and the AUX fields. */
  header(): void {
    this.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    const aux = this.options.aux ?? {};
    const defaults: Record<string, string> = {
      'redis-ver': RDB_REDIS_VERSION,
      'redis-bits': '64',
      ctime: String(Math.floor(Date.now() / 1000)),
      'used-mem': String(process.memoryUsage().heapUsed),
    };
    for (const name of DEFAULT_AUX) this.auxField(name, aux[name] ?? defaults[name]);
    for (const [name, value] of Object.entries(aux)) {
      if (!DEFAULT_AUX.includes(name) && name !== 'aof-base') this.auxField(name, value);
    }
    this.auxField('aof-base', this.options.aofBase ? '1' : (aux['aof-base'] ?? '0'));
  }

  /** SELECTDB and RESIZEDB: the start of a database's keys (Redis skips empty databases). */
  selectDb(dbId: number, keyCount: number, expiresCount: number): void {
    this.byte(RdbOpcode.SelectDb);
    this.len(dbId);
    this.byte(RdbOpcode.ResizeDb);
    this.len(keyCount);
    this.len(expiresCount);
  }

  /** One key with its value, absolute expire time (ms) and eviction data. */
  entry(key: string, value: RedisValue, expireAtMs: number | undefined, meta?: EntryMeta): void {
    if (expireAtMs !== undefined) {
      this.byte(RdbOpcode.ExpireTimeMs);
      this.int64LE(expireAtMs);
    }
    if (meta?.lruIdleSeconds !== undefined) {
      this.byte(RdbOpcode.Idle);
      this.len(meta.lruIdleSeconds);
    }
    if (meta?.lfuFreq !== undefined) {
      this.byte(RdbOpcode.Freq);
      this.byte(meta.lfuFreq);
    }
    this.object(key, value);
  }

  /**
   * A function library (rdbSaveFunctions): RDB_OPCODE_FUNCTION2 and the library's code, written
   * after the header's AUX fields and before the databases (and in FUNCTION DUMP payloads).
   * `flush` hands the bytes to `write` now (for a payload that has no finish()).
   */
  functionLibrary(code: string, flush = false): void {
    this.byte(RdbOpcode.Function2);
    this.string(code);
    if (flush) this.flush();
  }

  /** Only the value, as rdbSaveObject writes it (savedObjectLength). */
  objectOnly(value: RedisValue): void {
    this.object(null, value);
    this.flush();
  }

  /** The type byte and the value, as DUMP serializes them (rdbSaveObjectType + rdbSaveObject). */
  typedObject(value: RedisValue): void {
    this.typeWithoutKey = true;
    try {
      this.object(null, value);
    } finally {
      this.typeWithoutKey = false;
    }
    this.flush();
  }

  /** Set while typedObject() writes: begin() writes the type byte but no key. */
  private typeWithoutKey = false;

  /** The type byte and the key, unless only the object is wanted (key null). */
  private begin(type: RdbType, key: string | null): void {
    if (key === null) {
      if (this.typeWithoutKey) this.byte(type);
      return;
    }
    this.byte(type);
    this.string(key);
  }

  private object(key: string | null, value: RedisValue): void {
    if (typeof value === 'string') {
      this.begin(RdbType.String, key);
      this.string(value);
    } else if (typeof value === 'number') {
      this.begin(RdbType.String, key);
      this.integerString(value);
    } else if (value instanceof MutableString) {
      this.begin(RdbType.String, key);
      this.byteString(value.buf, 0, value.length);
    } else {
      switch (value.type) {
        case 'list':
          return this.list(key, value as Quicklist);
        case 'set':
          return this.set(key, value as SetValue);
        case 'hash':
          return this.hash(key, value as HashValue);
        case 'zset':
          return this.zset(key, value as SortedSet);
        case 'stream':
          this.begin(RdbType.StreamListpacks2, key);
          return writeStreamValue(this.valueOutput, value as Stream, this.listpack);
        default:
          throw new Error(`${value.type} type not supported yet`);
      }
    }
  }

  /** EOF and the checksum; flushes everything. */
  finish(): void {
    this.byte(RdbOpcode.Eof);
    this.room(8);
    this.crc?.update(this.buf, 0, this.pos);
    if (this.crc) this.crc.toBuffer().copy(this.buf, this.pos);
    else this.buf.fill(0, this.pos, this.pos + 8);
    this.pos += 8;
    const chunk = this.buf.subarray(0, this.pos);
    this.written += chunk.length;
    this.pos = 0;
    this.write(chunk);
  }

  // ---- collections ----

  private listpackBlob(): void {
    const lp = this.listpack.finish();
    this.byteString(lp, 0, lp.length);
  }

  /** RDB_TYPE_LIST_QUICKLIST_2: one PACKED listpack per node. */
  private list(key: string | null, list: Quicklist): void {
    this.begin(RdbType.ListQuicklist2, key);
    this.len(list.nodeCount);
    const lp = this.listpack;
    for (let node = list.head; node !== null; node = node.next) {
      this.len(QUICKLIST_NODE_CONTAINER_PACKED);
      lp.reset();
      for (const element of node.values()) lp.appendString(element);
      this.listpackBlob();
    }
  }

  private set(key: string | null, set: SetValue): void {
    const size = set.size;
    if (set.isIntset) {
      this.begin(RdbType.SetIntset, key);
      const members: Int64[] = new Array(size);
      for (let i = 0; i < size; i++) members[i] = parseCanonicalInt64(set.at(i))!;
      const blob = encodeIntset(members);
      this.byteString(blob, 0, blob.length);
      return;
    }
    this.begin(RdbType.Set, key);
    this.len(size);
    for (let i = 0; i < size; i++) this.string(set.at(i));
  }

  private hash(key: string | null, hash: HashValue): void {
    const size = hash.size;
    if (hash.encoding() === 'listpack') {
      this.begin(RdbType.HashListpack, key);
      const lp = this.listpack;
      lp.reset();
      for (let i = 0; i < size; i++) {
        lp.appendString(hash.fieldAt(i));
        lp.appendString(hash.valueAt(i));
      }
      return this.listpackBlob();
    }
    this.begin(RdbType.Hash, key);
    this.len(size);
    for (let i = 0; i < size; i++) {
      this.string(hash.fieldAt(i));
      this.string(hash.valueAt(i));
    }
  }

  private zset(key: string | null, zset: SortedSet): void {
    const entries = this.zsetEntries;
    entries.members.length = 0;
    entries.scores.length = 0;
    const size = zset.size;
    if (zset.isCompact) {
      this.begin(RdbType.ZsetListpack, key);
      zset.entries(entries);
      const lp = this.listpack;
      lp.reset();
      for (let i = 0; i < size; i++) {
        lp.appendString(entries.members[i]);
        lp.appendString(listpackScoreText(entries.scores[i]));
      }
      return this.listpackBlob();
    }
    // Highest score first: loading then inserts each member at the head of the skiplist.
    this.begin(RdbType.Zset2, key);
    this.len(size);
    zset.rangeByRank(0, size - 1, true, entries);
    for (let i = 0; i < size; i++) {
      this.string(entries.members[i]);
      this.doubleLE(entries.scores[i]);
    }
  }
}

/**
 * Test-only encoders for the formats Redis 7.0 no longer writes but still reads: ziplists,
 * zipmaps, and RDB version 9 files with ziplist-encoded lists/hashes/zsets, quicklists of
 * ziplists, plain lists, RDB_TYPE_ZSET with text scores and second-resolution expire times.
 * Written from the format descriptions in ziplist.c / zipmap.c / rdb.c, independently of the
 * reader under test.
 */
import { crc64 } from '../../src/persistence/rdb/crc64';

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]{0,18})$/;

function integerOf(s: string): bigint | null {
  if (!CANONICAL_INTEGER.test(s)) return null;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

function intBytes(v: bigint, size: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return b.subarray(0, size);
}

/** One ziplist entry's encoding and data (zipStoreEntryEncoding + the payload). */
function ziplistPayload(s: string): Buffer {
  const v = integerOf(s);
  if (v !== null) {
    if (v >= 0n && v <= 12n) return Buffer.from([0xf1 + Number(v)]);
    if (v >= -128n && v <= 127n) return Buffer.concat([Buffer.from([0xfe]), intBytes(v, 1)]);
    if (v >= -32768n && v <= 32767n) return Buffer.concat([Buffer.from([0xc0]), intBytes(v, 2)]);
    if (v >= -8388608n && v <= 8388607n) return Buffer.concat([Buffer.from([0xf0]), intBytes(v, 3)]);
    if (v >= -2147483648n && v <= 2147483647n) return Buffer.concat([Buffer.from([0xd0]), intBytes(v, 4)]);
    return Buffer.concat([Buffer.from([0xe0]), intBytes(v, 8)]);
  }
  const data = Buffer.from(s, 'latin1');
  const n = data.length;
  let header: Buffer;
  if (n <= 0x3f) header = Buffer.from([n]);
  else if (n <= 0x3fff) header = Buffer.from([0x40 | (n >> 8), n & 0xff]);
  else {
    header = Buffer.alloc(5);
    header[0] = 0x80;
    header.writeUInt32BE(n, 1);
  }
  return Buffer.concat([header, data]);
}

export function encodeZiplist(entries: string[]): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  let offset = 10;
  for (const e of entries) {
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), intBytes(BigInt(prev), 4)]);
    const entry = Buffer.concat([prevlen, ziplistPayload(e)]);
    parts.push(entry);
    tail = offset;
    offset += entry.length;
    prev = entry.length;
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(10);
  header.writeUInt32LE(10 + body.length + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  return Buffer.concat([header, body, Buffer.from([0xff])]);
}

export function encodeZipmap(pairs: [string, string][]): Buffer {
  const length = (n: number): Buffer => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), intBytes(BigInt(n), 4)]));
  const parts: Buffer[] = [Buffer.from([pairs.length < 254 ? pairs.length : 254])];
  for (const [f, v] of pairs) {
    parts.push(length(f.length), Buffer.from(f, 'latin1'), length(v.length), Buffer.from([0]), Buffer.from(v, 'latin1'));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

function rdbLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

function rdbString(s: string | Buffer): Buffer {
  const data = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([rdbLength(data.length), data]);
}

/** rdbSaveDoubleValue: a length byte (253 nan, 254 inf, 255 -inf) and the "%.17g" text. */
function textScore(score: string): Buffer {
  if (score === 'inf') return Buffer.from([254]);
  if (score === '-inf') return Buffer.from([255]);
  return Buffer.concat([Buffer.from([score.length]), Buffer.from(score, 'latin1')]);
}

/** Keys of the file, in database 0 and 3 (the expired key is not counted). */
export const V9_KEYS: string[] = [];

/** An RDB version 9 file exercising every older object type. */
export function buildV9File(): Buffer {
  V9_KEYS.length = 0;
  const parts: Buffer[] = [Buffer.from('REDIS0009', 'latin1')];
  const aux = (k: string, v: string): void => {
    parts.push(Buffer.from([0xfa]), rdbString(k), rdbString(v));
  };
  const key = (type: number, name: string, payload: Buffer[], count = true): void => {
    parts.push(Buffer.from([type]), rdbString(name), ...payload);
    if (count) V9_KEYS.push(name);
  };
  aux('redis-ver', '6.2.14');
  aux('redis-bits', '64');
  aux('lua', 'return 1');

  parts.push(Buffer.from([0xfe, 0]), Buffer.from([0xfb]), rdbLength(14), rdbLength(3));
  const intsAndStrings = ['0', '12', '13', '-1', '127', '-128', '200', '-32768', '40000', '-8388608', '8388608', '2147483648', '-9223372036854775808', 'text', '', 'x'.repeat(70), 'y'.repeat(20000), '007', '-0'];

  key(1, 'list:plain', [rdbLength(3), rdbString('a'), rdbString('12'), rdbString('x'.repeat(100))]);
  key(10, 'list:ziplist', [rdbString(encodeZiplist(intsAndStrings))]);
  key(14, 'list:quicklist', [
    rdbLength(3),
    rdbString(encodeZiplist(['a', 'b'])),
    rdbString(encodeZiplist(intsAndStrings.slice(0, 10))),
    rdbString(encodeZiplist(['last'])),
  ]);
  const big: string[] = [];
  for (let i = 0; i < 700; i++) big.push(`item-${i}`);
  key(14, 'list:quicklist-big', [rdbLength(2), rdbString(encodeZiplist(big.slice(0, 650))), rdbString(encodeZiplist(big.slice(650)))]);
  key(9, 'hash:zipmap', [rdbString(encodeZipmap([['f1', 'v1'], ['n', '42'], ['empty', '']]))]);
  key(9, 'hash:zipmap-long', [rdbString(encodeZipmap([['f', 'v'.repeat(300)], ['g', 'h']]))]);
  key(13, 'hash:ziplist', [rdbString(encodeZiplist(['a', '1', 'b', 'two', 'c', 'x'.repeat(100)]))]);
  key(12, 'zset:ziplist', [rdbString(encodeZiplist(['a', '-inf', 'b', '1', 'c', '1.5', 'd', '100000', 'e', 'inf']))]);
  key(3, 'zset:text', [
    rdbLength(5),
    rdbString('high'), textScore('inf'),
    rdbString('low'), textScore('-inf'),
    rdbString('half'), textScore('0.5'),
    rdbString('neg'), textScore('-2'),
    rdbString('x'.repeat(80)), textScore('3.0000000000000001'),
  ]);
  key(3, 'zset:text-small', [rdbLength(2), rdbString('a'), textScore('1'), rdbString('b'), textScore('2')]);
  const intset = Buffer.alloc(8 + 3 * 4);
  intset.writeUInt32LE(4, 0);
  intset.writeUInt32LE(3, 4);
  [-100000, 5, 70000].forEach((v, i) => intset.writeInt32LE(v, 8 + 4 * i));
  key(11, 'set:intset', [rdbString(intset)]);
  key(2, 'set:plain', [rdbLength(3), rdbString('a'), rdbString('1'), rdbString('b')]);
  key(2, 'set:plain-ints', [rdbLength(3), rdbString('3'), rdbString('1'), rdbString('2')]);
  // A second-resolution expire time in the future (a signed 32-bit count), a millisecond one,
  // and one in the past.
  parts.push(Buffer.from([0xfd]), intBytes(2000000000n, 4));
  key(0, 'string:expire-seconds', [rdbString('s')]);
  parts.push(Buffer.from([0xfc]), intBytes(4102444800123n, 8));
  key(0, 'string:expire-ms', [rdbString('ms')]);
  parts.push(Buffer.from([0xfc]), intBytes(1000n, 8));
  key(0, 'string:expired', [rdbString('gone')], false);

  parts.push(Buffer.from([0xfe, 3]));
  key(0, 'db3', [rdbString('three')]);

  parts.push(Buffer.from([0xff]));
  const body = Buffer.concat(parts);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

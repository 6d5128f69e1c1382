import { describe, expect, test } from 'vitest';
import { RdbWriter, type EntryMeta, type RdbWriterOptions } from '../../src/persistence/rdb/writer';
import { readRdb, RdbFormatError, type RdbVisitor } from '../../src/persistence/rdb/reader';
import { loadLimitsFrom } from '../../src/persistence/rdb/value-loader';
import { crc64 } from '../../src/persistence/rdb/crc64';
import { Server } from '../../src/server/server';
import { configFrom } from '../../src/index';
import { MutableString } from '../../src/types/mutable-string';
import { Quicklist } from '../../src/types/quicklist';
import { SetValue } from '../../src/types/set';
import { HashValue } from '../../src/types/hash';
import { SortedSet, ZaddIn } from '../../src/types/zset';
import { encodingOf, type RedisValue } from '../../src/keyspace/value';
import { seededRandom } from '../helpers/seeded-random';

const FIXED_AUX = { ctime: '1700000000', 'used-mem': '1000000' };

interface Written {
  file: Buffer;
  chunks: Buffer[];
}

function write(build: (w: RdbWriter) => void, options: Partial<RdbWriterOptions> = {}): Written {
  const chunks: Buffer[] = [];
  const w = new RdbWriter((c) => chunks.push(c), { compression: true, checksum: true, aux: FIXED_AUX, ...options });
  w.header();
  build(w);
  w.finish();
  return { file: Buffer.concat(chunks), chunks };
}

/** The bytes of one entry in database 0: everything after SELECTDB/RESIZEDB up to EOF. */
function entryBytes(key: string, value: RedisValue, options: Partial<RdbWriterOptions> = {}, expire?: number, meta?: EntryMeta): string {
  const header = write(() => undefined, options).file.length - 9; // without EOF + checksum
  const { file } = write((w) => {
    w.selectDb(0, 1, 0);
    w.entry(key, value, expire, meta);
  }, options);
  return file.subarray(header + 5, file.length - 9).toString('hex');
}

interface ReadEntry {
  db: number;
  key: string;
  value: RedisValue | null;
  expireAtMs: number | undefined;
  lruIdle: number;
  lfuFreq: number;
}

const limits = loadLimitsFrom(configFrom({}));

function read(file: Buffer, verifyChecksum = true, wholeFile = true): { entries: ReadEntry[]; aux: [string, string][]; version: number } {
  const entries: ReadEntry[] = [];
  const aux: [string, string][] = [];
  let db = 0;
  const visitor: RdbVisitor = {
    aux: (name, value) => aux.push([name, value]),
    selectDb: (id) => (db = id),
    entry: (key, value, expireAtMs, lruIdle, lfuFreq) => entries.push({ db, key, value, expireAtMs, lruIdle, lfuFreq }),
  };
  const result = readRdb(file, visitor, { limits, verifyChecksum });
  if (wholeFile) expect(result.end).toBe(file.length);
  return { entries, aux, version: result.version };
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('RdbWriter: strings as rdbSaveRawString encodes them', () => {
  test('integers of up to 11 chars in int8/int16/int32 encodings, keys too', () => {
    expect(entryBytes('k', '123')).toBe(`00016bc07b`);
    expect(entryBytes('k', 123)).toBe(`00016bc07b`);
    expect(entryBytes('k', '-129')).toBe(`00016bc17fff`);
    expect(entryBytes('k', '2147483647')).toBe(`00016bc2ffffff7f`);
    expect(entryBytes('42', 'v')).toBe(`00c02a0176`);
    expect(entryBytes('-5', 'v')).toBe(`00c0fb0176`);
  });

  test('other integer-looking strings are written as text', () => {
    expect(entryBytes('k', '2147483648')).toBe(`00016b0a${hex('2147483648')}`);
    expect(entryBytes('k', 2147483648)).toBe(`00016b0a${hex('2147483648')}`);
    expect(entryBytes('k', '9223372036854775807')).toBe(`00016b13${hex('9223372036854775807')}`);
    expect(entryBytes('k', '007')).toBe(`00016b03${hex('007')}`);
    expect(entryBytes('k', '-0')).toBe(`00016b02${hex('-0')}`);
    expect(entryBytes('k', '')).toBe(`00016b00`);
  });

  test('LZF above 20 bytes when compression is on and it gains 4 bytes', () => {
    const twentyOne = 'a'.repeat(21);
    expect(entryBytes('k', twentyOne)).toMatch(/^00016bc3/);
    expect(entryBytes('k', twentyOne, { compression: false })).toBe(`00016b15${hex(twentyOne)}`);
    expect(entryBytes('k', 'a'.repeat(20))).toBe(`00016b14${hex('a'.repeat(20))}`);
    const noise = 'qwertyuiopasdfghjklzxcvbnm';
    expect(entryBytes('k', noise)).toBe(`00016b1a${hex(noise)}`);
    // 14-bit and 32-bit lengths.
    expect(entryBytes('k', 'x'.repeat(100), { compression: false }).slice(0, 10)).toBe('00016b4064');
    expect(entryBytes('k', 'x'.repeat(20000), { compression: false }).slice(0, 16)).toBe('00016b8000004e20');
  });

  test('strings edited in place (MutableString) are written like any other', () => {
    expect(entryBytes('k', new MutableString('12'))).toBe(`00016bc00c`);
    expect(entryBytes('k', new MutableString('\x00\xff'))).toBe(`00016b0200ff`);
  });

  test('expire times, LRU idle seconds and LFU counters come before the type', () => {
    expect(entryBytes('k', 'v', {}, 4102444800000)).toBe(`fc00d8c32cbb030000` + `00016b0176`);
    expect(entryBytes('k', 'v', {}, undefined, { lruIdleSeconds: 100 })).toBe(`f84064` + `00016b0176`);
    expect(entryBytes('k', 'v', {}, undefined, { lfuFreq: 7 })).toBe(`f907` + `00016b0176`);
  });
});

describe('RdbWriter: file structure', () => {
  test('header and AUX fields in Redis\'s order, aof-base last', () => {
    const { aux, version } = read(write(() => undefined, { aux: { ...FIXED_AUX, 'repl-id': 'abc' } }).file);
    expect(version).toBe(10);
    expect(aux).toEqual([
      ['redis-ver', '7.0.15'],
      ['redis-bits', '64'],
      ['ctime', '1700000000'],
      ['used-mem', '1000000'],
      ['repl-id', 'abc'],
      ['aof-base', '0'],
    ]);
    expect(read(write(() => undefined, { aofBase: true }).file).aux.at(-1)).toEqual(['aof-base', '1']);
    const file = write(() => undefined).file;
    expect(file.subarray(0, 9).toString()).toBe('REDIS0010');
  });

  test('EOF and the CRC-64 of everything before it (zeros with checksum off)', () => {
    const { file } = write((w) => {
      w.selectDb(0, 1, 0);
      w.entry('k', 'v', undefined);
    });
    expect(file[file.length - 9]).toBe(0xff);
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(file, 0, file.length - 8));
    const unchecked = write(() => undefined, { checksum: false }).file;
    expect(unchecked.readBigUInt64LE(unchecked.length - 8)).toBe(0n);
  });

  test('output leaves in 1 MB chunks, each a Buffer of its own, big values spanning several', () => {
    const random = seededRandom(7);
    let big = '';
    for (let i = 0; i < 3_000_000; i++) big += String.fromCharCode(Math.floor(random() * 256));
    const { file, chunks } = write((w) => {
      w.selectDb(0, 2, 0);
      w.entry('big', big, undefined);
      w.entry('after', 'x', undefined);
    });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1 << 20);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
    const { entries } = read(file);
    expect(entries.map((e) => e.key)).toEqual(['big', 'after']);
    expect(entries[0].value).toBe(big);
  });

  test('SELECTDB and RESIZEDB per database', () => {
    const { file } = write((w) => {
      w.selectDb(3, 1, 1);
      w.entry('a', 'b', 4102444800000);
      w.selectDb(200, 1, 0);
      w.entry('c', 'd', undefined);
    });
    expect(file.includes(Buffer.from('fe03fb0101', 'hex'))).toBe(true);
    expect(file.includes(Buffer.from('fe40c8fb0100', 'hex'))).toBe(true);
  });
});

describe('round trips through RdbWriter and readRdb', () => {
  function zset(entries: [number, string][]): SortedSet {
    const z = new SortedSet();
    for (const [score, member] of entries) z.add(score, member, 0 as ZaddIn, { maxEntries: 128, maxValue: 64 });
    return z;
  }

  test('every type and encoding comes back with the same contents and encoding', () => {
    const bigList = Quicklist.from(Array.from({ length: 2000 }, (_, i) => (i % 2 ? String(i) : `e${i}`)));
    const intset = new SetValue();
    for (const m of ['1', '-5', '9223372036854775807']) intset.add(m, 512);
    const strings = new SetValue();
    for (const m of ['a', '\x00', '7']) strings.add(m, 512);
    const smallHash = new HashValue();
    smallHash.set('f', 'v', 128, 64);
    smallHash.set('n', '-12', 128, 64);
    const bigHash = new HashValue();
    for (let i = 0; i < 600; i++) bigHash.set(`f${i}`, `${i}`, 512, 64);
    const lp = zset([[1, 'a'], [-Infinity, 'b'], [0.1, 'c'], [2 ** 62, 'd']]);
    const skip = zset(Array.from({ length: 200 }, (_, i) => [i / 3, `m${i}`] as [number, string]));
    const values: [string, RedisValue][] = [
      ['str', 'hello'], ['int', 42], ['neg', -7], ['bigint', '9007199254740993'], ['bin', '\x00\xff'],
      ['list', Quicklist.from(['a', '1', ''])], ['biglist', bigList],
      ['intset', intset], ['set', strings], ['hash', smallHash], ['bighash', bigHash], ['zlp', lp], ['zskip', skip],
    ];
    const { file } = write((w) => {
      w.selectDb(0, values.length, 1);
      for (const [k, v] of values) w.entry(k, v, k === 'str' ? 123456789 : undefined);
    });
    const { entries } = read(file);
    expect(entries.map((e) => e.key)).toEqual(values.map(([k]) => k));
    for (let i = 0; i < values.length; i++) {
      const [key, original] = values[i];
      const loaded = entries[i].value!;
      expect(encodingOf(loaded), key).toBe(encodingOf(original));
      expect(JSON.stringify(contents(loaded)), key).toBe(JSON.stringify(contents(original)));
    }
    expect(entries[0].expireAtMs).toBe(123456789);
    expect((entries.find((e) => e.key === 'biglist')!.value as Quicklist).nodeCount).toBe(bigList.nodeCount);
  });

  test('eviction data comes back as written; -1 when absent', () => {
    const { file } = write((w) => {
      w.selectDb(0, 3, 0);
      w.entry('idle', 'v', undefined, { lruIdleSeconds: 3600 });
      w.entry('freq', 'v', undefined, { lfuFreq: 200 });
      w.entry('none', 'v', undefined);
    });
    const { entries } = read(file);
    expect(entries.map((e) => [e.lruIdle, e.lfuFreq])).toEqual([[3600, -1], [-1, 200], [-1, -1]]);
  });
});

/** A value's contents in a comparable form. */
function contents(v: RedisValue): unknown {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v instanceof MutableString) return v.toString();
  if (v instanceof Quicklist) return v.toArray();
  if (v instanceof SetValue) return v.members().sort();
  if (v instanceof HashValue) return Array.from({ length: v.size }, (_, i) => [v.fieldAt(i), v.valueAt(i)]).sort();
  if (v instanceof SortedSet) {
    const e = v.entries();
    return [e.members, e.scores.map(String)];
  }
  throw new Error('unexpected value');
}

describe('readRdb: bad files', () => {
  const sample = write((w) => {
    w.selectDb(0, 8, 1);
    w.entry('s', 'a'.repeat(100), 4102444800000);
    w.entry('l', Quicklist.from(['x', '1', 'y'.repeat(30)]), undefined);
    w.entry('h', (() => { const h = new HashValue(); h.set('f', 'v', 128, 64); return h; })(), undefined);
    w.entry('n', 12, undefined, { lruIdleSeconds: 5 });
    w.selectDb(1, 4, 0);
    const ints = new SetValue();
    for (const m of ['1', '300', '-70000']) ints.add(m, 512);
    w.entry('i', ints, undefined, { lfuFreq: 3 });
    const strings = new SetValue();
    for (const m of ['a', 'b']) strings.add(m, 512);
    w.entry('t', strings, undefined);
    const small = new SortedSet();
    small.add(1.5, 'm', 0, { maxEntries: 128, maxValue: 64 });
    w.entry('z', small, undefined);
    const big = new SortedSet();
    big.add(2, 'x'.repeat(70), 0, { maxEntries: 128, maxValue: 64 });
    w.entry('y', big, undefined);
  }).file;

  const failure = (file: Buffer, verify = true): RdbFormatError => {
    try {
      read(file, verify);
    } catch (e) {
      expect(e).toBeInstanceOf(RdbFormatError);
      return e as RdbFormatError;
    }
    throw new Error('expected the read to fail');
  };

  test('a file cut anywhere is reported as truncated, at its end', () => {
    for (let cut = 0; cut < sample.length; cut++) {
      const e = failure(sample.subarray(0, cut));
      expect(e.truncated, `cut at ${cut}`).toBe(true);
      expect(e.offset).toBeLessThanOrEqual(cut);
    }
  });

  test('any flipped bit fails the checksum, or an earlier check, never with another error', () => {
    for (let at = 0; at < sample.length; at++) {
      const damaged = Buffer.from(sample);
      damaged[at] ^= 1 << (at % 8);
      failure(damaged);
    }
  });

  test('without checksum verification, damaged bytes give a result or an RdbFormatError', () => {
    for (let at = 9; at < sample.length - 8; at++) {
      for (const value of [0x00, 0xff, 0x80, 0xc3, 0x40]) {
        const damaged = Buffer.from(sample);
        damaged[at] = value;
        try {
          read(damaged, false, false);
        } catch (e) {
          expect(e, `byte ${at} = ${value}: ${(e as Error).message}`).toBeInstanceOf(RdbFormatError);
        }
      }
    }
  });

  test('wrong magic, unknown versions, checksum mismatch', () => {
    expect(failure(Buffer.from('RADIS0010')).reason).toBe('Wrong signature trying to load DB from file');
    expect(failure(Buffer.from('REDIS0011\xff', 'latin1')).reason).toBe("Can't handle RDB format version 0011");
    expect(failure(Buffer.from('REDIS0000\xff', 'latin1')).reason).toBe("Can't handle RDB format version 0000");
    const damaged = Buffer.from(sample);
    damaged[damaged.length - 1] ^= 0xff;
    const e = failure(damaged);
    expect(e.reason).toMatch(/^Wrong RDB checksum expected: \([0-9a-f]+\) got: \([0-9a-f]+\)$/);
    expect(e.offset).toBe(sample.length - 8);
    // A zero checksum means "saved without one"; files before version 5 have none.
    const zero = Buffer.from(sample);
    zero.fill(0, zero.length - 8);
    expect(read(zero).entries.length).toBe(8);
    const v4 = Buffer.from(sample.subarray(0, sample.length - 8));
    v4.write('0004', 5);
    expect(read(v4).version).toBe(4);
  });

  const withBody = (body: string): Buffer => {
    const file = Buffer.from(`REDIS0010${body}\xff`, 'latin1');
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(file));
    return Buffer.concat([file, crc]);
  };

  test('types and opcodes Nodis does not load are refused with a clear reason', () => {
    expect(failure(withBody('\x14\x01k\x00')).reason).toBe('Unknown RDB encoding type 20');
    expect(failure(withBody('\x08\x01k\x00')).reason).toBe('Unknown RDB encoding type 8');
    expect(failure(withBody('\x07\x01k\x00')).reason).toBe('module types are not supported');
    expect(failure(withBody('\xf7\x00')).reason).toMatch(/module data/);
    expect(failure(withBody('\xf5\x04code')).reason).toMatch(/functions/);
    // RDB_OPCODE_FUNCTION (7.0 release candidates) is read as Redis 7.0 reads it: name, engine, description flag, code.
    expect(failure(withBody('\xf6\x01f\x03LUA\x00\x04code')).reason).toMatch(/functions/);
  });

  test('corrupt objects are reported at their offset', () => {
    // A list quicklist node with an unknown container.
    const e = failure(withBody('\x12\x01k\x01\x05\x00'));
    expect(e.reason).toBe('Quicklist integrity check failed.');
    expect(e.offset).toBe(13);
    expect(failure(withBody('\x10\x01k\x03abc')).reason).toMatch(/^Hash listpack integrity check failed: /);
    expect(failure(withBody('\x00\x01k\xc5')).reason).toBe('Unknown RDB string encoding type 5');
    expect(failure(withBody('\x00\x01k\x82')).reason).toBe('Unknown length encoding 130 in rdbLoadLen()');
    expect(failure(withBody('\x00\x01k\xc3\x05\x0a\x20\x00\x00\x00\x00')).reason).toBe('Invalid LZF compressed string');
    // A decompressed length no LZF data of that size can produce is refused up front.
    expect(failure(withBody('\x00\x01k\xc3\x01\x80\x40\x00\x00\x00\x00')).reason).toBe('Invalid LZF compressed string');
    expect(failure(withBody('\x02\x01k\x02\x01a\x01a')).reason).toBe('Duplicate set members detected');
    expect(failure(withBody('\x04\x01k\x02\x01a\x01b\x01a\x01c')).reason).toBe('Duplicate hash fields detected');
    const nanScore = Buffer.alloc(8);
    nanScore.writeDoubleLE(NaN);
    expect(failure(withBody(`\x05\x01k\x01\x01a${nanScore.toString('latin1')}`)).reason).toBe('Zset with NAN score detected');
    expect(failure(withBody('\x05\x01k\x02\x01a\x00\x00\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x00\x00\x00\x00\xf0\x3f')).reason).toBe(
      'Duplicate zset fields detected',
    );
  });

  test('empty collections are handed over as null (Redis skips them)', () => {
    const { entries } = read(withBody('\x01\x01a\x00\x02\x01b\x00\x04\x01c\x00\x05\x01d\x00\x12\x01e\x00'));
    expect(entries.map((e) => [e.key, e.value])).toEqual([['a', null], ['b', null], ['c', null], ['d', null], ['e', null]]);
  });
});

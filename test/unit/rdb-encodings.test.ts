import { describe, expect, test } from 'vitest';
import { ListpackBuilder, decodeListpack } from '../../src/persistence/rdb/listpack';
import { decodeIntset, encodeIntset } from '../../src/persistence/rdb/intset';
import { decodeZiplist } from '../../src/persistence/rdb/ziplist';
import { decodeZipmap } from '../../src/persistence/rdb/zipmap';
import { encodeZiplist, encodeZipmap } from '../persistence/rdb-v9-builder';
import { BOUNDARY_INTEGERS } from '../persistence/rdb-dataset';

function listpackOf(values: string[]): Buffer {
  const lp = new ListpackBuilder();
  lp.reset();
  for (const v of values) lp.appendString(v);
  return Buffer.from(lp.finish());
}

const hex = (b: Buffer): string => b.toString('hex');

describe('listpack', () => {
  test('writes the bytes redis-server writes (a hash listpack from a real dump)', () => {
    const lp = listpackOf(['f', 'x'.repeat(200)]);
    const expected = Buffer.concat([
      Buffer.from([0xd6, 0, 0, 0, 2, 0, 0x81, 0x66, 2, 0xe0, 0xc8]),
      Buffer.alloc(200, 'x'),
      Buffer.from([1, 0xca, 0xff]),
    ]);
    expect(hex(lp)).toBe(hex(expected));
  });

  test('integer encodings at every boundary (7, 13, 16, 24, 32 and 64 bits)', () => {
    const entry = (v: string): string => hex(listpackOf([v]).subarray(6, -1));
    expect(entry('0')).toBe('0001');
    expect(entry('127')).toBe('7f01');
    expect(entry('128')).toBe('c08002');
    expect(entry('-1')).toBe('dfff02');
    expect(entry('4095')).toBe('cfff02');
    expect(entry('-4096')).toBe('d00002');
    expect(entry('4096')).toBe('f1001003');
    expect(entry('-32768')).toBe('f1008003');
    expect(entry('32768')).toBe('f200800004');
    expect(entry('-8388608')).toBe('f200008004');
    expect(entry('8388608')).toBe('f30000800005');
    expect(entry('2147483647')).toBe('f3ffffff7f05');
    expect(entry('2147483648')).toBe('f4000000800000000009');
    expect(entry('-9223372036854775808')).toBe('f4000000000000008009');
    expect(entry('9223372036854775807')).toBe('f4ffffffffffffff7f09');
  });

  test('non-canonical integers stay strings; string lengths of 6, 12 and 32 bits', () => {
    const entry = (v: string): Buffer => listpackOf([v]).subarray(6, -1);
    expect(hex(entry('-0'))).toBe('822d3003');
    expect(hex(entry('01'))).toBe('82303103');
    expect(hex(entry('9223372036854775808'))).toBe(`93${Buffer.from('9223372036854775808').toString('hex')}14`);
    expect(hex(entry(''))).toBe('8001');
    expect(hex(entry('a'.repeat(63)).subarray(0, 1))).toBe('bf');
    const e64 = entry('a'.repeat(64));
    expect(hex(e64.subarray(0, 2))).toBe('e040');
    expect(hex(e64.subarray(-1))).toBe('42');
    const e5000 = entry('b'.repeat(5000));
    expect(hex(e5000.subarray(0, 5))).toBe('f088130000');
    expect(hex(e5000.subarray(-2))).toBe('278d');
  });

  test('round trips every shape of element, and counts past 65535 as unknown', () => {
    const values = [...BOUNDARY_INTEGERS, '', '\x00\xff', 'x'.repeat(127), 'y'.repeat(4095), 'z'.repeat(20000)];
    const lp = listpackOf(values);
    expect(decodeListpack(lp, 0, lp.length)).toEqual(values);
    const many = Array.from({ length: 70000 }, (_, i) => String(i % 300));
    const big = listpackOf(many);
    expect(big.readUInt16LE(4)).toBe(65535);
    expect(decodeListpack(big, 0, big.length)).toEqual(many);
  });

  test('a builder is reusable: reset starts a new listpack', () => {
    const lp = new ListpackBuilder();
    lp.appendString('first');
    lp.finish();
    lp.reset();
    lp.appendString('second');
    const out = lp.finish();
    expect(decodeListpack(out, 0, out.length)).toEqual(['second']);
  });

  test('rejects corrupt listpacks', () => {
    const good = listpackOf(['a', '1', 'hello']);
    const broken = (edit: (b: Buffer) => Buffer): (() => string[]) => {
      const b = edit(Buffer.from(good));
      return () => decodeListpack(b, 0, b.length);
    };
    expect(broken((b) => b.subarray(0, b.length - 1))).toThrow(/size does not match/);
    expect(broken((b) => { b[b.length - 1] = 0; return b; })).toThrow(/end marker/);
    expect(broken((b) => { b.writeUInt16LE(5, 4); return b; })).toThrow(/element count/);
    expect(broken((b) => { b[6] = 0x85; return b; })).toThrow(/out of range|back length/);
    expect(broken((b) => { b[8] = 7; return b; })).toThrow(/back length/);
    expect(broken((b) => { b[6] = 0xf5; return b; })).toThrow(/out of range/);
    expect(() => decodeListpack(Buffer.from([1, 2]), 0, 2)).toThrow(/too short/);
  });
});

describe('intset', () => {
  test('the narrowest encoding that holds every member', () => {
    expect(hex(encodeIntset([1, 2, 3]))).toBe('0200000003000000010002000300');
    expect(hex(encodeIntset([-40000, 1]))).toBe('0400000002000000c063ffff01000000');
    expect(encodeIntset([1, 2 ** 40]).readUInt32LE(0)).toBe(8);
    expect(encodeIntset([-(2n ** 63n), 9223372036854775807n]).readUInt32LE(0)).toBe(8);
    expect(hex(encodeIntset([]))).toBe('0200000000000000');
  });

  test('round trips, with BigInts beyond 2^53', () => {
    const members = [-(2n ** 63n), -5, 0, 2 ** 40, 9007199254740993n, 2n ** 63n - 1n];
    const blob = encodeIntset(members);
    expect(decodeIntset(blob, 0, blob.length)).toEqual(members);
  });

  test('rejects bad encodings, sizes and unsorted members', () => {
    const blob = encodeIntset([1, 2, 3]);
    const bad = Buffer.from(blob);
    bad.writeUInt32LE(3, 0);
    expect(() => decodeIntset(bad, 0, bad.length)).toThrow(/invalid encoding/);
    expect(() => decodeIntset(blob, 0, blob.length - 1)).toThrow(/size/);
    const unsorted = Buffer.from(blob);
    unsorted.writeInt16LE(9, 8);
    expect(() => decodeIntset(unsorted, 0, unsorted.length)).toThrow(/order/);
    expect(() => decodeIntset(blob, 0, 4)).toThrow(/too short/);
  });
});

describe('ziplist (read only)', () => {
  test('the example in ziplist.c: "2" and "5"', () => {
    const zl = Buffer.from('0f0000000c0000000200' + '00f3' + '02f6' + 'ff', 'hex');
    expect(decodeZiplist(zl, 0, zl.length)).toEqual(['2', '5']);
  });

  test('every integer and string encoding, 254+ byte previous lengths', () => {
    const values = ['0', '12', '13', '-1', '-128', '127', '128', '-32768', '32767', '40000', '-8388608', '8388608',
      '2147483648', '-9223372036854775808', 'text', '', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(16384), 'after-big'];
    const zl = encodeZiplist(values);
    expect(decodeZiplist(zl, 0, zl.length)).toEqual(values);
  });

  test('rejects corrupt ziplists', () => {
    const zl = encodeZiplist(['a', 'b', '1']);
    const edit = (f: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(zl);
      f(b);
      return b;
    };
    expect(() => decodeZiplist(zl, 0, zl.length - 1)).toThrow(/size/);
    expect(() => { const b = edit((b) => b.writeUInt16LE(7, 8)); decodeZiplist(b, 0, b.length); }).toThrow(/count/);
    expect(() => { const b = edit((b) => { b[13] = 9; }); decodeZiplist(b, 0, b.length); }).toThrow(/previous length/);
    expect(() => { const b = edit((b) => { b[11] = 0x3f; }); decodeZiplist(b, 0, b.length); }).toThrow(/out of range/);
    expect(() => { const b = edit((b) => { b[b.length - 1] = 1; }); decodeZiplist(b, 0, b.length); }).toThrow(/end marker/);
  });
});

describe('zipmap (read only)', () => {
  test('the example in zipmap.c, and 254+ byte lengths with free space', () => {
    const zm = encodeZipmap([['foo', 'bar'], ['hello', 'world']]);
    expect(hex(zm)).toBe(`02 03 ${hex(Buffer.from('foo'))} 03 00 ${hex(Buffer.from('bar'))} 05 ${hex(Buffer.from('hello'))} 05 00 ${hex(Buffer.from('world'))} ff`.replace(/ /g, ''));
    expect(decodeZipmap(zm, 0, zm.length)).toEqual(['foo', 'bar', 'hello', 'world']);
    const long = encodeZipmap([['f', 'v'.repeat(300)]]);
    expect(decodeZipmap(long, 0, long.length)).toEqual(['f', 'v'.repeat(300)]);
    // A value with 2 bytes of free space after it.
    const free = Buffer.from([1, 1, 0x61, 1, 2, 0x62, 0, 0, 0xff]);
    expect(decodeZipmap(free, 0, free.length)).toEqual(['a', 'b']);
  });

  test('rejects corrupt or empty zipmaps', () => {
    expect(() => decodeZipmap(Buffer.from([0, 0xff]), 0, 2)).toThrow(/empty/);
    expect(() => decodeZipmap(Buffer.from([1, 5, 0x61, 0xff]), 0, 4)).toThrow(/out of range/);
    expect(() => decodeZipmap(Buffer.from([2, 1, 0x61, 1, 0, 0x62, 0xff]), 0, 7)).toThrow(/count/);
    expect(() => decodeZipmap(Buffer.from([1, 1, 0x61, 1, 0, 0x62]), 0, 6)).toThrow(/end marker/);
  });
});

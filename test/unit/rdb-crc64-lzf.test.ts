import { describe, expect, test } from 'vitest';
import { Crc64, crc64 } from '../../src/persistence/rdb/crc64';
import { lzfCompress, lzfDecompress } from '../../src/persistence/rdb/lzf';
import { seededRandom } from '../helpers/seeded-random';

/** The textbook bit-by-bit form of Redis's _crc64 (crc64.c), to check the table-driven one. */
function referenceCrc64(data: Uint8Array): bigint {
  const poly = 0xad93d23594c935a9n;
  const mask = (1n << 64n) - 1n;
  let crc = 0n;
  for (const c of data) {
    for (let i = 1; i & 0xff; i <<= 1) {
      let bit = (crc & 0x8000000000000000n) !== 0n;
      if (c & i) bit = !bit;
      crc = (crc << 1n) & mask;
      if (bit) crc ^= poly;
    }
  }
  let reflected = 0n;
  for (let i = 0n; i < 64n; i++) if (crc & (1n << i)) reflected |= 1n << (63n - i);
  return reflected;
}

function randomBuffer(random: () => number, n: number, alphabet = 256): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * alphabet);
  return b;
}

describe('crc64', () => {
  test('the check value of CRC-64/Jones as Redis computes it', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(Buffer.alloc(0))).toBe(0n);
  });

  test('matches the bit-by-bit definition for every length and alignment', () => {
    const random = seededRandom(1);
    const data = randomBuffer(random, 200);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 60; end += 7) {
        expect(crc64(data, start, end), `[${start}, ${end})`).toBe(referenceCrc64(data.subarray(start, end)));
      }
    }
  });

  test('fed in pieces it gives the CRC of the whole', () => {
    const random = seededRandom(2);
    const data = randomBuffer(random, 10000);
    const crc = new Crc64();
    for (let at = 0; at < data.length; ) {
      const n = Math.min(data.length - at, 1 + Math.floor(random() * 50));
      crc.update(data, at, at + n);
      at += n;
    }
    expect(crc.value()).toBe(crc64(data));
    const bytes = crc.toBuffer();
    expect(bytes.readBigUInt64LE()).toBe(crc64(data));
    expect(crc.matches(bytes, 0)).toBe(true);
    bytes[3] ^= 1;
    expect(crc.matches(bytes, 0)).toBe(false);
  });
});

describe('lzf', () => {
  function roundTrip(input: Buffer): number {
    const out = Buffer.alloc(input.length + 16);
    const n = lzfCompress(input, 0, input.length, out, input.length - 4);
    if (n === 0) return 0;
    const back = Buffer.alloc(input.length);
    expect(lzfDecompress(out, 0, n, back, 0, back.length)).toBe(input.length);
    expect(back.equals(input)).toBe(true);
    return n;
  }

  test('compresses exactly as liblzf does in redis-server (a listpack from a real dump)', () => {
    // hash h with field f and a 200-byte value, as redis-server 7.0.15 saved it
    const listpack = Buffer.concat([
      Buffer.from([0xd6, 0, 0, 0, 2, 0, 0x81, 0x66, 2, 0xe0, 0xc8]),
      Buffer.alloc(200, 'x'),
      Buffer.from([1, 0xca, 0xff]),
    ]);
    const out = Buffer.alloc(300);
    const n = lzfCompress(listpack, 0, listpack.length, out, listpack.length - 4);
    expect(out.subarray(0, n).toString('hex')).toBe('0bd60000000200816602e0c878e0be000201caff');
  });

  test('round trips compressible, incompressible and run-heavy data of many sizes', () => {
    const random = seededRandom(3);
    for (const size of [5, 21, 32, 33, 100, 264, 265, 1000, 8191, 8192, 9000, 70000, 300000]) {
      roundTrip(randomBuffer(random, size, 4));
      roundTrip(Buffer.alloc(size, 'a'));
      const text = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(Math.ceil(size / 44)).slice(0, size));
      const compressed = roundTrip(text);
      if (size >= 100) expect(compressed).toBeGreaterThan(0);
    }
  });

  test('gives up (0) when the output does not fit, as incompressible data does', () => {
    const random = seededRandom(4);
    const noise = randomBuffer(random, 1000);
    const out = Buffer.alloc(2000);
    expect(lzfCompress(noise, 0, noise.length, out, noise.length - 4)).toBe(0);
    expect(lzfCompress(noise, 0, 0, out, 100)).toBe(0);
    // A larger output allowance stores it as literal runs (1 control byte per 32).
    expect(lzfCompress(noise, 0, noise.length, out, 2000)).toBe(1000 + Math.ceil(1000 / 32));
  });

  test('compresses a range of a larger buffer', () => {
    const data = Buffer.from('0123456789' + 'abcabcabcabcabcabcabcabcabcabc' + 'ZZZ');
    const out = Buffer.alloc(64);
    const n = lzfCompress(data, 10, 30, out, 26);
    expect(n).toBeGreaterThan(0);
    const back = Buffer.alloc(30);
    expect(lzfDecompress(out, 0, n, back, 0, 30)).toBe(30);
    expect(back.toString()).toBe('abc'.repeat(10));
  });

  test('rejects corrupt input: references before the start, output overflow, cut runs', () => {
    const out = Buffer.alloc(10);
    // A back-reference at the very start has nothing to copy from.
    expect(lzfDecompress(Buffer.from([0x20, 0x00]), 0, 2, out, 0, 10)).toBe(-1);
    // A literal run longer than the output.
    expect(lzfDecompress(Buffer.from([0x1f, ...Buffer.alloc(32)]), 0, 33, out, 0, 10)).toBe(-1);
    // A literal run cut short.
    expect(lzfDecompress(Buffer.from([0x05, 1, 2]), 0, 3, out, 0, 10)).toBe(-1);
    // A reference missing its offset byte.
    expect(lzfDecompress(Buffer.from([0x00, 0x61, 0x20]), 0, 3, out, 0, 10)).toBe(-1);
  });
});

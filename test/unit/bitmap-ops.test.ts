import { describe, expect, test } from 'vitest';
import { bitAt, bitop, countBits, findBit, popcount } from '../../src/types/bitmap';

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const r = s >> 16;
    out[i] = r % 3 === 0 ? 0 : r % 3 === 1 ? 0xff : r & 0xff;
  }
  return out;
}

describe('bitmap operations', () => {
  test('popcount matches a bit-by-bit count for any alignment and range', () => {
    const backing = randomBytes(300, 9);
    for (let shift = 0; shift < 4; shift++) {
      const buf = backing.subarray(shift);
      for (const [start, end] of [[0, buf.length], [1, 200], [3, 3], [5, 270], [0, 64], [7, 71]]) {
        let naive = 0;
        for (let bit = start * 8; bit < end * 8; bit++) naive += bitAt(buf, bit);
        expect(popcount(buf, start, end), `${shift} ${start} ${end}`).toBe(naive);
      }
    }
  });

  test('countBits and findBit agree with bit-by-bit scans', () => {
    const buf = randomBytes(40, 4);
    for (let start = 0; start < 320; start += 7) {
      for (let end = start; end < 320; end += 13) {
        let count = 0;
        let first0 = -1;
        let first1 = -1;
        for (let bit = start; bit <= end; bit++) {
          const b = bitAt(buf, bit);
          count += b;
          if (b === 0 && first0 === -1) first0 = bit;
          if (b === 1 && first1 === -1) first1 = bit;
        }
        expect(countBits(buf, start, end)).toBe(count);
        expect(findBit(buf, 0, start, end)).toBe(first0);
        expect(findBit(buf, 1, start, end)).toBe(first1);
      }
    }
  });

  test('bitop pads shorter sources with zeros', () => {
    const a = Uint8Array.of(0xf0, 0x0f, 0xff);
    const b = Uint8Array.of(0xff);
    expect([...bitop('and', [a, b])]).toEqual([0xf0, 0, 0]);
    expect([...bitop('or', [a, b])]).toEqual([0xff, 0x0f, 0xff]);
    expect([...bitop('xor', [a, b])]).toEqual([0x0f, 0x0f, 0xff]);
    expect([...bitop('not', [b])]).toEqual([0]);
    expect(bitop('or', [new Uint8Array(0), new Uint8Array(0)]).length).toBe(0);
  });
});

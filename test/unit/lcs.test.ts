import { describe, expect, test } from 'vitest';
import { computeLcs, lcsTableBytes } from '../../src/types/lcs';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('LCS', () => {
  test('the example of the Redis documentation', () => {
    const result = computeLcs(bytes('ohmytext'), bytes('mynewtext'), { text: true, ranges: true, minMatchLen: 0 });
    expect(result.length).toBe(6);
    expect(result.text).toBe('mytext');
    expect(result.ranges).toEqual([
      { aStart: 4, aEnd: 7, bStart: 5, bEnd: 8, length: 4 },
      { aStart: 2, aEnd: 3, bStart: 0, bEnd: 1, length: 2 },
    ]);
  });

  test('MINMATCHLEN filters ranges but not the length', () => {
    const result = computeLcs(bytes('ohmytext'), bytes('mynewtext'), { text: false, ranges: true, minMatchLen: 4 });
    expect(result.length).toBe(6);
    expect(result.ranges.map((r) => r.length)).toEqual([4]);
  });

  test('empty and disjoint strings', () => {
    expect(computeLcs(bytes(''), bytes('abc'), { text: true, ranges: true, minMatchLen: 0 })).toEqual({ length: 0, text: '', ranges: [] });
    expect(computeLcs(bytes('abc'), bytes('xyz'), { text: true, ranges: false, minMatchLen: 0 }).text).toBe('');
  });

  test('binary bytes', () => {
    expect(computeLcs(bytes('\x00\xff\x01'), bytes('\xff\x00\x01'), { text: true, ranges: false, minMatchLen: 0 }).text).toBe('\xff\x01');
  });

  test('table size as Redis computes it', () => {
    expect(lcsTableBytes(500, 500)).toBe(501 * 501 * 4);
  });
});

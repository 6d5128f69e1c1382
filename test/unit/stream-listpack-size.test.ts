/**
 * Listpack element sizes that decide where stream nodes split (stream-node-max-bytes): strings
 * that are canonical 64-bit integers count as integers, as lpStringToInt64 reads them; anything
 * else (a leading zero or '+', "-0", spaces, out of range) counts as a string.
 */
import { describe, expect, test } from 'vitest';
import { lpIntSize, lpStringSize } from '../../src/types/stream-listpack-size';

/** Size of a short string element: encoding byte, the bytes, a 1-byte back-length. */
const shortString = (s: string): number => 1 + s.length + 1;

describe('lpStringSize', () => {
  test('canonical integers are sized as integers', () => {
    for (const [text, value] of [
      ['0', 0],
      ['7', 7],
      ['127', 127],
      ['128', 128],
      ['-1', -1],
      ['-4096', -4096],
      ['32767', 32767],
      ['8388608', 8388608],
      ['-2147483648', -2147483648],
      ['9007199254740993', 2 ** 53],
    ] as const) {
      expect(lpStringSize(text)).toBe(lpIntSize(value));
    }
    expect(lpStringSize('9223372036854775807')).toBe(10);
    expect(lpStringSize('-9223372036854775808')).toBe(10);
  });

  test('everything else is sized as a string', () => {
    for (const text of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1a', '0x10', '1.5', '9223372036854775808', '-9223372036854775809', '123456789012345678901']) {
      expect(lpStringSize(text)).toBe(shortString(text));
    }
    expect(lpStringSize('x'.repeat(64))).toBe(2 + 64 + 1);
  });
});

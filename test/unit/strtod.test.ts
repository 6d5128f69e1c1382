/**
 * The strtod emulation (glibc's rules) and Redis's strict double parsing (string2d). Hexadecimal
 * expectations come from Python's float.fromhex, which rounds as glibc does.
 */
import { describe, expect, test } from 'vitest';
import { parseStrictDouble, strtod } from '../../src/types/strtod';

describe('strtod', () => {
  test.each([
    ['1.5', 1.5, 3],
    ['  -2e3xyz', -2000, 6],
    ['+.5', 0.5, 3],
    ['5.', 5, 2],
    ['1e', 1, 1],
    ['1e+', 1, 1],
    ['1e-2', 0.01, 4],
    ['inf', Infinity, 3],
    ['-Infinity', -Infinity, 9],
    ['infinit', Infinity, 3],
    ['0x10', 16, 4],
    ['0x', 0, 1],
    ['0xg', 0, 1],
    ['0x1p3', 8, 5],
    ['0x1.8p1', 3, 7],
    ['-0X.8P1', -1, 7],
    ['0x1p', 1, 3],
    ['', 0, 0],
    ['abc', 0, 0],
    ['-', 0, 0],
    [' ', 0, 0],
    ['1\x002', 1, 1],
    ['0b1', 0, 1],
  ])('%j -> %d (end %d)', (text, value, end) => {
    const r = strtod(text);
    expect(r.value).toBe(value);
    expect(r.end).toBe(end);
  });

  test('nan, with or without a (chars) suffix', () => {
    expect(strtod('nan').value).toBeNaN();
    expect(strtod('-NaN(abc_1)').end).toBe(11);
    expect(strtod('nan(ab').end).toBe(3);
  });

  test('hexadecimal mantissas round to nearest, ties to even, down to subnormals', () => {
    expect(strtod('0x1.fffffffffffff8p0').value).toBe(2);
    expect(strtod('0x1.fffffffffffff7p0').value).toBe(1.9999999999999998);
    expect(strtod('0x1.0000000000000801p0').value).toBe(1.0000000000000002);
    expect(strtod('0x1p-1074').value).toBe(5e-324);
    expect(strtod('0x1.8p-1075').value).toBe(5e-324);
    expect(strtod('0x.8p-1073').value).toBe(5e-324);
    expect(strtod('0x123456789abcdef0123p-10').value).toBe(5.247073869855161e18);
    expect(strtod('0x1p-1075')).toEqual({ value: 0, end: 9, outOfRange: true });
    expect(strtod('0x1p1024')).toEqual({ value: Infinity, end: 8, outOfRange: true });
  });

  test('overflow and underflow are reported', () => {
    expect(strtod('1e400')).toEqual({ value: Infinity, end: 5, outOfRange: true });
    expect(strtod('-1e400').value).toBe(-Infinity);
    expect(strtod('1e-400')).toEqual({ value: 0, end: 6, outOfRange: true });
    expect(strtod('0e-400').outOfRange).toBe(false);
    expect(strtod('4e-320').outOfRange).toBe(false);
  });
});

describe('parseStrictDouble (Redis string2d)', () => {
  test.each([
    ['1', 1],
    ['-0', -0],
    ['00012', 12],
    ['3.25', 3.25],
    ['1E3', 1000],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['0x1p3', 8],
    ['4e-320', 4e-320],
    ['123456789012345678901234567890', 1.2345678901234568e29],
  ])('%j is %d', (text, value) => {
    expect(parseStrictDouble(text)).toBe(value);
  });

  test.each(['', ' 1', '1 ', '1\x00', 'nan', '-nan', '1e400', '1e-400', 'abc', '1e', '0x', '1,5', '\t1'])('%j is refused', (text) => {
    expect(parseStrictDouble(text)).toBeNull();
  });
});

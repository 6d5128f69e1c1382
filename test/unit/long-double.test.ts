import { describe, expect, test } from 'vitest';
import {
  addLongDouble,
  formatLongDoubleHuman,
  longDoubleFromNumber,
  parseLongDouble,
  type LongDouble,
} from '../../src/types/long-double';

function sum(a: string, b: string): string {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  if (!x || !y) throw new Error(`not a number: ${a} or ${b}`);
  const s = addLongDouble(x, y);
  return s.kind === 'finite' ? formatLongDoubleHuman(s) : s.kind;
}

describe('long double arithmetic (values checked against redis-server INCRBYFLOAT)', () => {
  test.each([
    ['10.5', '0.1', '10.6'],
    ['0.1', '0.2', '0.3'],
    ['5.0e3', '2.0e2', '5200'],
    ['0', '0.000003814697265625', '0.00000381469726562'],
    ['3', '-3', '0'],
    ['0', '-1e-20', '0'],
    ['1e-20', '1e-17', '0.00000000000000001'],
    ['9223372036854775807', '1', '9223372036854775808'],
    ['0', '0x1p4', '16'],
    ['0', '+.5', '0.5'],
  ])('%s + %s = %s', (a, b, expected) => {
    expect(sum(a, b)).toBe(expected);
  });

  test('1e308 + 1e308 keeps the 64-bit mantissa rounding of the decimal input', () => {
    expect(sum('1e308', '1e308')).toBe(
      '199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096',
    );
  });

  test('overflow to infinity and NaN', () => {
    expect(sum('1e4932', '1e4932')).toBe('infinite');
    expect(sum('inf', '1')).toBe('infinite');
    expect(sum('inf', '-inf')).toBe('nan');
  });

  test('refuses what Redis refuses: syntax, NaN, overflow, underflow to zero, 5120+ characters', () => {
    const refused = ['', ' 1', '1 ', 'nan', '1e', '.', 'e5', '0x', '0x1p', '1\x002', 'infinit', '1e5000', '1e-5000'];
    refused.push('1'.repeat(5119), '0.' + '1'.repeat(5118));
    for (const text of refused) expect(parseLongDouble(text), JSON.stringify(text.slice(0, 20))).toBeNull();
  });

  test('accepts what strtold accepts, including subnormals and exact zeros', () => {
    for (const text of ['-inf', 'Infinity', '+1', '5.', '-.5e1', '0X1P3', '0e999999999', '3e-4950', '0.' + '1'.repeat(5117)]) {
      expect(parseLongDouble(text), text.slice(0, 20)).not.toBeNull();
    }
  });

  test('integers convert exactly', () => {
    const v = longDoubleFromNumber(Number.MAX_SAFE_INTEGER) as Extract<LongDouble, { kind: 'finite' }>;
    expect(formatLongDoubleHuman(v)).toBe('9007199254740991');
    expect(formatLongDoubleHuman(longDoubleFromNumber(-42))).toBe('-42');
  });
});

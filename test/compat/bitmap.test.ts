/**
 * Bitmap commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Keys are
 * prefixed per test so that scripts never depend on what another test left behind.
 */
import { test } from 'vitest';
import { compatScript as compat, describeCompat, type Step } from './harness';
import { seededRandom as prng } from '../helpers/seeded-random';

const BINARY = '\x00\xff\x0f\xf0\x55\xaa\x01\x80';
const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

describeCompat('bitmap commands compat', (pair) => {
  compat(pair, 'setbit-getbit', (k) => [
    ['SETBIT', k('a'), '7', '1'],
    ['GET', k('a')],
    ['SETBIT', k('a'), '7', '1'],
    ['SETBIT', k('a'), '7', '0'],
    ['SETBIT', k('a'), '100', '1'],
    ['GET', k('a')],
    ['STRLEN', k('a')],
    ['GETBIT', k('a'), '100'],
    ['GETBIT', k('a'), '101'],
    ['GETBIT', k('a'), '1000000'],
    ['GETBIT', k('missing'), '0'],
    ['SETBIT', k('a'), '-1', '1'],
    ['SETBIT', k('a'), 'x', '1'],
    ['SETBIT', k('a'), '4294967296', '1'],
    ['SETBIT', k('a'), '4294967295', '2'],
    ['SETBIT', k('a'), '0', '2'],
    ['SETBIT', k('a'), '0', '-1'],
    ['SETBIT', k('a'), '0', 'x'],
    ['SETBIT', k('a'), '0', ''],
    ['SETBIT', k('a'), LLONG_MAX, '1'],
    ['GETBIT', k('a'), '-1'],
    ['GETBIT', k('a'), '4294967296'],
    ['GETBIT', k('a'), '4294967295'],
    ['GETBIT', k('a'), 'x'],
    ['SET', k('n'), '123'],
    ['GETBIT', k('n'), '2'],
    ['GETBIT', k('n'), '3'],
    ['GETBIT', k('n'), '23'],
    ['GETBIT', k('n'), '24'],
    ['SETBIT', k('n'), '7', '0'],
    ['GET', k('n')],
    ['SET', k('s'), 'x'],
    ['SETBIT', k('s'), '1', '1'],
    ['SETBIT', k('s'), '1', '1'],
    ['GET', k('s')],
    ['SET', k('b'), BINARY],
    ['GETBIT', k('b'), '8'],
    ['SETBIT', k('b'), '0', '1'],
    ['GET', k('b')],
    ['SETBIT', k('a'), '1'],
    ['GETBIT', k('a')],
  ]);

  compat(pair, 'bitcount', (k) => {
    const steps: Step[] = [['SET', k('s'), 'foobar'], ['SET', k('n'), '-1234'], ['SET', k('e'), ''], ['SET', k('b'), BINARY]];
    const ranges = [
      [], ['0', '0'], ['1', '1'], ['0', '-1'], ['-2', '-1'], ['-1', '-2'], ['5', '30'], ['-100', '100'], ['3', '1'],
      ['0', '0', 'BIT'], ['1', '5', 'bit'], ['5', '30', 'BIT'], ['-5', '-1', 'BIT'], ['0', '-1', 'BYTE'], ['7', '8', 'BIT'],
      ['-1', '-100', 'BIT'], ['3', '3', 'BIT'], ['-100', '-1', 'BIT'], [LLONG_MIN, LLONG_MAX], [LLONG_MIN, LLONG_MAX, 'BIT'],
      ['0'], ['0', '1', 'FOO'], ['-1', '-5', 'FOO'], ['x', '1'], ['1', 'x'], ['x', '1', 'FOO'], ['0', '1', 'BIT', 'x'],
    ];
    for (const key of ['s', 'n', 'e', 'b', 'missing']) for (const r of ranges) steps.push(['BITCOUNT', k(key), ...r]);
    return steps;
  });

  compat(pair, 'bitpos', (k) => {
    const steps: Step[] = [
      ['SET', k('ff'), '\xff\xf0\x00'],
      ['SET', k('zeros'), '\x00\x00\x00'],
      ['SET', k('ones'), '\xff\xff\xff'],
      ['SET', k('mix'), '\x00\x00\x01\x80\xff'],
      ['SET', k('n'), '12'],
      ['SET', k('e'), ''],
    ];
    const ranges = [
      [], ['0'], ['1'], ['2'], ['-1'], ['5'], ['0', '-1'], ['1', '1'], ['2', '1'], ['-2', '-1'], ['0', '100'],
      ['0', '-1', 'BIT'], ['3', '5', 'BIT'], ['5', '20', 'bit'], ['-3', '-1', 'BIT'], ['12', '12', 'BIT'], ['7', '9', 'BIT'],
      ['8', '15', 'BIT'], ['20', '10', 'BIT'], ['0', '-1', 'BYTE'], ['1', '2', 'byte'], [LLONG_MIN, LLONG_MAX, 'BIT'],
      ['x'], ['0', 'x'], ['0', '1', 'FOO'], ['0', 'x', 'FOO'], ['x', '1', 'FOO'], ['0', '1', 'BIT', 'x'],
    ];
    for (const key of ['ff', 'zeros', 'ones', 'mix', 'n', 'e', 'missing']) {
      for (const bit of ['0', '1']) for (const r of ranges) steps.push(['BITPOS', k(key), bit, ...r]);
    }
    steps.push(['BITPOS', k('ff'), '2'], ['BITPOS', k('ff'), '-1'], ['BITPOS', k('ff'), 'x'], ['BITPOS', k('missing'), '2']);
    steps.push(['BITPOS', k('missing'), 'x', '0', 'FOO'], ['BITPOS', k('missing'), '0', 'x', 'FOO'], ['BITPOS', k('ff')]);
    return steps;
  });

  test('bitcount and bitpos on random bitmaps', async () => {
    const random = prng(3);
    const pick = (n: number): number => Math.floor(random() * n);
    const steps: Step[] = [];
    for (let i = 0; i < 40; i++) {
      const key = `rnd-bits:${i}`;
      const kinds = ['\x00', '\xff', String.fromCharCode(pick(256))];
      const value = Array.from({ length: pick(12) }, () => kinds[pick(3)]).join('');
      steps.push(['SET', key, value]);
      for (let j = 0; j < 8; j++) {
        const a = String(pick(120) - 60);
        const b = String(pick(120) - 60);
        const unit = ['BIT', 'BYTE'][pick(2)];
        steps.push(['BITCOUNT', key, a, b, unit], ['BITPOS', key, String(pick(2)), a, b, unit], ['BITPOS', key, String(pick(2)), a]);
      }
    }
    await pair.expectSame(steps);
  });

  compat(pair, 'bitop', (k) => [
    ['SET', k('a'), 'foobar'],
    ['SET', k('b'), 'abcdef'],
    ['SET', k('c'), '\xff\x00'],
    ['BITOP', 'AND', k('and'), k('a'), k('b')],
    ['GET', k('and')],
    ['BITOP', 'or', k('or'), k('a'), k('b'), k('c')],
    ['GET', k('or')],
    ['BITOP', 'Xor', k('xor'), k('a'), k('c')],
    ['GET', k('xor')],
    ['BITOP', 'NOT', k('not'), k('a')],
    ['GET', k('not')],
    ['BITOP', 'AND', k('and2'), k('a'), k('c'), k('missing')],
    ['GET', k('and2')],
    ['BITOP', 'OR', k('or2'), k('missing'), k('c')],
    ['GET', k('or2')],
    ['BITOP', 'AND', k('single'), k('c')],
    ['GET', k('single')],
    ['BITOP', 'NOT', k('not2'), k('missing')],
    ['GET', k('not2')],
    ['SET', k('gone'), 'x'],
    ['BITOP', 'OR', k('gone'), k('missing'), k('missing2')],
    ['GET', k('gone')],
    ['BITOP', 'XOR', k('a'), k('a'), k('b')],
    ['GET', k('a')],
    ['SET', k('n'), '100'],
    ['BITOP', 'XOR', k('nx'), k('n'), k('b')],
    ['GET', k('nx')],
    ['SET', k('e'), ''],
    ['BITOP', 'NOT', k('ne'), k('e')],
    ['GET', k('ne')],
    ['BITOP', 'NOT', k('x'), k('a'), k('b')],
    ['BITOP', 'NOT', k('x')],
    ['BITOP', 'NAND', k('x'), k('a')],
    ['BITOP', 'ANDX', k('x'), k('a')],
    ['BITOP', 'AND', k('x')],
    ['BITOP', 'AND'],
    ['SET', k('bin'), BINARY],
    ['BITOP', 'NOT', k('nb'), k('bin')],
    ['GET', k('nb')],
    ['SETBIT', k('nb'), '0', '0'],
    ['GET', k('nb')],
    ['BITOP', 'and\x00x', k('nul'), k('b')],
    ['BITCOUNT', k('nul'), '0', '-1', 'bit\x00'],
    ['BITPOS', k('nul'), '1', '0', '-1', 'BYTE\x00x'],
    ['BITFIELD', k('nul'), 'get\x00', 'u8', '0', 'OVERFLOW', 'sat\x00', 'INCRBY', 'u8', '0', '999'],
  ]);

  compat(pair, 'bitfield', (k) => [
    ['BITFIELD', k('a'), 'SET', 'u8', '0', '255'],
    ['BITFIELD', k('a'), 'GET', 'u8', '0'],
    ['BITFIELD', k('a'), 'GET', 'i8', '0', 'GET', 'u4', '0', 'GET', 'i4', '4', 'GET', 'u1', '7'],
    ['BITFIELD', k('a'), 'INCRBY', 'u8', '0', '1'],
    ['BITFIELD', k('a'), 'INCRBY', 'i8', '0', '-129'],
    ['BITFIELD', k('a'), 'SET', 'i5', '3', '-7', 'GET', 'i5', '3', 'GET', 'u16', '0'],
    ['BITFIELD', k('a'), 'set', 'u8', '#1', '200', 'get', 'u8', '#1', 'GET', 'u8', '8'],
    ['GET', k('a')],
    ['BITFIELD', k('a')],
    ['BITFIELD', k('a'), 'OVERFLOW', 'SAT'],
    ['BITFIELD', k('a'), 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '1000', 'INCRBY', 'i8', '0', '-1000', 'INCRBY', 'u8', '0', '-1000'],
    ['BITFIELD', k('a'), 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000', 'INCRBY', 'u8', '0', '1', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '0', '1000'],
    ['BITFIELD', k('a'), 'overflow', 'fail', 'SET', 'u2', '0', '4', 'SET', 'i2', '0', '-3', 'SET', 'i2', '0', '-2'],
    ['BITFIELD', k('a'), 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-5', 'SET', 'i8', '0', LLONG_MIN, 'SET', 'i8', '0', LLONG_MAX, 'GET', 'i8', '0'],
    ['BITFIELD', k('a'), 'OVERFLOW', 'WRAP', 'SET', 'u8', '0', '-5', 'SET', 'i8', '0', LLONG_MIN, 'SET', 'i8', '0', '300'],
    ['BITFIELD', k('w'), 'SET', 'i64', '0', LLONG_MIN, 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '1', 'GET', 'i64', '0'],
    ['BITFIELD', k('w'), 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', LLONG_MAX, 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', LLONG_MIN, 'INCRBY', 'i64', '0', LLONG_MIN],
    ['BITFIELD', k('w'), 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '-1'],
    ['BITFIELD', k('w'), 'SET', 'u63', '1', LLONG_MAX, 'GET', 'u63', '1', 'INCRBY', 'u63', '1', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', '1', '-1', 'INCRBY', 'u63', '1', LLONG_MIN],
    ['BITFIELD', k('w'), 'OVERFLOW', 'SAT', 'SET', 'u63', '0', '-1', 'SET', 'i64', '3', '-1', 'GET', 'i64', '3', 'GET', 'u63', '5'],
    ['GET', k('w')],
    ['BITFIELD', k('w'), 'GET', 'u64', '0'],
    ['BITFIELD', k('w'), 'GET', 'i65', '0'],
    ['BITFIELD', k('w'), 'GET', 'i0', '0'],
    ['BITFIELD', k('w'), 'GET', 'I8', '0'],
    ['BITFIELD', k('w'), 'GET', 'x8', '0'],
    ['BITFIELD', k('w'), 'GET', 'u', '0'],
    ['BITFIELD', k('w'), 'GET', 'u08', '0'],
    ['BITFIELD', k('w'), 'GET', 'u-1', '0'],
    ['BITFIELD', k('w'), 'GET', 'u8\x00zz', '0'],
    ['BITFIELD', k('w'), 'GET', 'u8', '-1'],
    ['BITFIELD', k('w'), 'GET', 'u8', 'x'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#x'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#-1'],
    ['BITFIELD', k('w'), 'GET', 'u8', '4294967295'],
    ['BITFIELD', k('w'), 'GET', 'u8', '4294967296'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#536870911'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#536870912'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#1152921504606846976'],
    ['BITFIELD', k('w'), 'GET', 'u8', '#2305843009213693951'],
    ['BITFIELD', k('w'), 'GET', 'i64', '#144115188075855872'],
    ['BITFIELD', k('w'), 'SET', 'u8', '0', 'x'],
    ['BITFIELD', k('w'), 'SET', 'u8', '0', '1.5'],
    ['BITFIELD', k('w'), 'SET', 'u8', '0', '9223372036854775808'],
    ['BITFIELD', k('w'), 'INCRBY', 'u8', '0'],
    ['BITFIELD', k('w'), 'SET', 'u8', '0'],
    ['BITFIELD', k('w'), 'GET', 'u8'],
    ['BITFIELD', k('w'), 'OVERFLOW'],
    ['BITFIELD', k('w'), 'OVERFLOW', 'FOO'],
    ['BITFIELD', k('w'), 'FOO', 'u8', '0'],
    ['BITFIELD', k('w'), 'GET', 'u8', '0', 'SET', 'u8', '0', 'x'],
    ['BITFIELD', k('w'), 'SET', 'u8', '0', '1', 'GET', 'u99', '0'],
    ['GET', k('w')],
    ['BITFIELD', k('missing'), 'GET', 'u8', '0', 'GET', 'i16', '100'],
    ['SET', k('n'), '1234'],
    ['BITFIELD', k('n'), 'GET', 'u8', '0', 'GET', 'u32', '0', 'GET', 'i64', '#0'],
    ['BITFIELD', k('n'), 'INCRBY', 'u8', '0', '1'],
    ['GET', k('n')],
  ]);

  compat(pair, 'bitfield-growth-and-fail', (k) => [
    ['BITFIELD', k('f'), 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '5'],
    ['GET', k('f')],
    ['SET', k('g'), 'a'],
    ['BITFIELD', k('g'), 'OVERFLOW', 'FAIL', 'SET', 'u2', '30', '7'],
    ['GET', k('g')],
    ['BITFIELD', k('g'), 'SET', 'u8', '0', '97', 'INCRBY', 'u8', '8', '0'],
    ['GET', k('g')],
    ['BITFIELD', k('h'), 'SET', 'i8', '#3', '-1', 'GET', 'i8', '#3', 'GET', 'u4', '#7'],
    ['GET', k('h')],
    ['BITFIELD', k('h'), 'SET', 'u1', '39', '1', 'SET', 'u1', '40', '1'],
    ['GET', k('h')],
  ]);

  compat(pair, 'bitfield-ro', (k) => [
    ['SET', k('a'), 'hello'],
    ['BITFIELD_RO', k('a'), 'GET', 'u8', '0', 'GET', 'i4', '#3'],
    ['BITFIELD_RO', k('a')],
    ['BITFIELD_RO', k('a'), 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', k('a'), 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'],
    ['BITFIELD_RO', k('a'), 'INCRBY', 'u8', '0', '1', 'GET', 'u99', '0'],
    ['BITFIELD_RO', k('a'), 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
    ['BITFIELD_RO', k('missing'), 'GET', 'u8', '0'],
    ['BITFIELD_RO', k('a'), 'GET', 'u8'],
    ['GET', k('a')],
  ]);

  test('bitfield random operations', async () => {
    const random = prng(5);
    const pick = (n: number): number => Math.floor(random() * n);
    const steps: Step[] = [];
    const values = ['0', '1', '-1', '127', '-128', '255', '256', '65535', '-65536', LLONG_MAX, LLONG_MIN, '4611686018427387904', '-4611686018427387905'];
    for (let i = 0; i < 150; i++) {
      const argv = ['BITFIELD', `rnd-bf:${pick(4)}`];
      for (let j = 0; j < 4; j++) {
        const signed = pick(2) === 0;
        const type = (signed ? 'i' : 'u') + (1 + pick(signed ? 64 : 63));
        const offset = String(pick(80));
        const value = pick(3) === 0 ? values[pick(values.length)] : String(pick(2000) - 1000);
        switch (pick(4)) {
          case 0:
            argv.push('GET', type, offset);
            break;
          case 1:
            argv.push('SET', type, offset, value);
            break;
          case 2:
            argv.push('INCRBY', type, offset, value);
            break;
          default:
            argv.push('OVERFLOW', ['WRAP', 'SAT', 'FAIL'][pick(3)]);
        }
      }
      steps.push(argv);
    }
    for (let i = 0; i < 4; i++) steps.push(['GET', `rnd-bf:${i}`]);
    await pair.expectSame(steps);
  });
});

describeCompat(
  'bitmap commands compat with a small proto-max-bulk-len',
  (pair) => {
    compat(pair, 'limits', (k) => [
      ['SETBIT', k('a'), String(8 * 1024 * 1024 - 1), '1'],
      ['STRLEN', k('a')],
      ['SETBIT', k('a'), String(8 * 1024 * 1024), '1'],
      ['GETBIT', k('a'), String(8 * 1024 * 1024)],
      ['BITCOUNT', k('a')],
      ['BITPOS', k('a'), '1'],
      ['BITFIELD', k('a'), 'GET', 'u8', '#1048575'],
      ['BITFIELD', k('a'), 'GET', 'u8', '#1048576'],
      ['BITFIELD', k('a'), 'SET', 'u16', '8388600', '1'],
    ]);
  },
  { nodis: { config: { 'proto-max-bulk-len': '1mb' } }, redisDirectives: ['--proto-max-bulk-len', '1mb'] },
);

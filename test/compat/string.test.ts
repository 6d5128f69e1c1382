/**
 * String commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Keys are
 * prefixed per test so that scripts never depend on what another test left behind.
 */
import { test } from 'vitest';
import { compatScript as compat, describeCompat, type Step } from './harness';
import { seededRandom as prng } from '../helpers/seeded-random';

const MB = 'x'.repeat(1024 * 1024);
const BINARY = '\x00\xff\r\n\x01binary\x00';
const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

describeCompat('string commands compat', (pair) => {
  compat(pair, 'set-get', (k) => [
    ['SET', k('a'), 'v'],
    ['GET', k('a')],
    ['GET', k('missing')],
    ['SET', k('a'), ''],
    ['GET', k('a')],
    ['SET', k('bin'), BINARY],
    ['GET', k('bin')],
    ['SET', k('int'), '12345'],
    ['GET', k('int')],
    ['SET', k('neg'), '-00012'],
    ['GET', k('neg')],
    ['SET', k('long'), LLONG_MIN],
    ['GET', k('long')],
    ['SET', k('big'), MB],
    ['GET', k('big')],
    ['SET', k('a'), 'v', 'foo'],
    ['SET', k('a')],
    ['GET', k('a'), 'b'],
  ]);

  compat(pair, 'set-nx-xx-get', (k) => [
    ['SET', k('a'), '1', 'NX'],
    ['SET', k('a'), '2', 'NX'],
    ['GET', k('a')],
    ['SET', k('a'), '3', 'XX'],
    ['SET', k('b'), '3', 'XX'],
    ['GET', k('b')],
    ['SET', k('a'), '4', 'GET'],
    ['SET', k('c'), '4', 'GET'],
    ['SET', k('a'), '5', 'NX', 'GET'],
    ['GET', k('a')],
    ['SET', k('d'), '5', 'XX', 'GET'],
    ['GET', k('d')],
    ['SET', k('a'), '6', 'XX', 'GET'],
    ['SET', k('a'), '7', 'get', 'GET', 'nx'],
    ['SET', k('a'), '7', 'NX', 'XX'],
    ['SET', k('a'), '7', 'XX', 'NX'],
    ['SET', k('a'), '7', 'nx', 'nx'],
    ['SET', k('a'), '7', 'NXX'],
    ['SET', k('a'), '7', 'N'],
    ['GET', k('a')],
    // Option names compare as C strings: a NUL byte ends them.
    ['SET', k('a'), '8', 'xx\x00junk', 'get\x00'],
    ['SET', k('a'), '9', 'EX\x00', '100', 'GET'],
    ['GETEX', k('a'), 'persist\x00x'],
    ['SET', k('a'), '9', 'nx\x01'],
    ['LCS', k('a'), k('a'), 'len\x00'],
  ]);

  compat(pair, 'set-expire-options', (k) => [
    ['SET', k('a'), 'v', 'EX', '100'],
    ['SET', k('a'), 'v', 'px', '100000'],
    ['SET', k('a'), 'v', 'EXAT', '99999999999'],
    ['SET', k('a'), 'v', 'PXAT', '99999999999999'],
    ['SET', k('a'), 'v', 'KEEPTTL'],
    ['SET', k('a'), 'v', 'EX', '10', 'EX', '20'],
    ['SET', k('a'), 'v', 'EX', '10', 'NX', 'GET'],
    ['SET', k('a'), 'v', 'XX', 'KEEPTTL', 'GET'],
    ['SET', k('a'), 'v', 'EX'],
    ['SET', k('a'), 'v', 'PXAT'],
    ['SET', k('a'), 'v', 'EX', '10', 'PX', '10'],
    ['SET', k('a'), 'v', 'EX', '10', 'KEEPTTL'],
    ['SET', k('a'), 'v', 'KEEPTTL', 'EXAT', '10'],
    ['SET', k('a'), 'v', 'PXAT', '10', 'EXAT', '10'],
    ['SET', k('a'), 'v', 'PERSIST'],
    ['SET', k('a'), 'v', 'EX', '0'],
    ['SET', k('a'), 'v', 'EX', '-1'],
    ['SET', k('a'), 'v', 'PX', '0'],
    ['SET', k('a'), 'v', 'EXAT', '0'],
    ['SET', k('a'), 'v', 'PXAT', '-5'],
    ['SET', k('a'), 'v', 'EX', 'abc'],
    ['SET', k('a'), 'v', 'EX', '1.5'],
    ['SET', k('a'), 'v', 'EX', ''],
    ['SET', k('a'), 'v', 'EX', '+5'],
    ['SET', k('a'), 'v', 'EX', '9223372036854775'],
    ['SET', k('a'), 'v', 'EX', '9223372036854776'],
    ['SET', k('a'), 'v', 'EX', LLONG_MAX],
    ['SET', k('a'), 'v', 'PX', LLONG_MAX],
    ['SET', k('a'), 'v', 'PX', '9223372036854775808'],
    ['SET', k('a'), 'v', 'EXAT', '9223372036854775'],
    ['SET', k('a'), 'v', 'PXAT', LLONG_MAX],
    ['SET', k('a'), 'v', 'EX', '9999999999999'],
    ['GET', k('a')],
    ['SET', k('a'), 'v', 'EX', '-1', 'GET'],
    ['SET', k('a'), 'v', 'EX', 'x', 'NX', 'XX'],
  ]);

  compat(pair, 'encodings', (k) => {
    const steps: Step[] = [];
    const values = ['123', '-5', '0', LLONG_MAX, LLONG_MIN, '9223372036854775808', '01', '-0', '+1', '1.5', '', 'x'.repeat(44), 'x'.repeat(45), BINARY];
    values.forEach((v, i) => steps.push(['SET', k(`s${i}`), v], ['OBJECT', 'ENCODING', k(`s${i}`)]));
    steps.push(
      ['APPEND', k('a1'), '12'], ['OBJECT', 'ENCODING', k('a1')],
      ['APPEND', k('a1'), '3'], ['OBJECT', 'ENCODING', k('a1')],
      ['INCR', k('a1')], ['OBJECT', 'ENCODING', k('a1')],
      ['APPEND', k('a2'), 'text'], ['OBJECT', 'ENCODING', k('a2')],
      ['SETRANGE', k('r1'), '0', 'ab'], ['OBJECT', 'ENCODING', k('r1')],
      ['SET', k('r2'), '99'], ['SETRANGE', k('r2'), '0', ''], ['OBJECT', 'ENCODING', k('r2')],
      ['SETRANGE', k('r2'), '0', '1'], ['OBJECT', 'ENCODING', k('r2')],
      ['EXISTS', k('r3')], ['SETRANGE', k('r3'), '4', ''], ['EXISTS', k('r3')],
      ['SETBIT', k('b1'), '1', '1'], ['OBJECT', 'ENCODING', k('b1')],
      ['SET', k('b2'), 'abc'], ['SETBIT', k('b2'), '1', '0'], ['OBJECT', 'ENCODING', k('b2')],
      ['BITFIELD', k('b3'), 'SET', 'u8', '0', '48'], ['OBJECT', 'ENCODING', k('b3')],
      ['BITOP', 'OR', k('b4'), k('s0')], ['OBJECT', 'ENCODING', k('b4')],
      ['INCRBY', k('i1'), '5'], ['OBJECT', 'ENCODING', k('i1')],
      ['SET', k('i2'), '9223372036854775806'], ['INCR', k('i2')], ['OBJECT', 'ENCODING', k('i2')],
      ['INCRBYFLOAT', k('f1'), '10.5'], ['OBJECT', 'ENCODING', k('f1')],
      ['INCRBYFLOAT', k('f2'), '1e60'], ['OBJECT', 'ENCODING', k('f2')],
      ['MSET', k('m1'), '7', k('m2'), 'seven'], ['OBJECT', 'ENCODING', k('m1')], ['OBJECT', 'ENCODING', k('m2')],
      ['GETSET', k('m1'), 'x'.repeat(50)], ['OBJECT', 'ENCODING', k('m1')],
      ['SETEX', k('e1'), '100', '42'], ['OBJECT', 'ENCODING', k('e1')],
      ['SETNX', k('e2'), '-42'], ['OBJECT', 'ENCODING', k('e2')],
    );
    return steps;
  });

  compat(pair, 'ttls', (k) => [
    ['SET', k('a'), 'v', 'EX', '100'],
    ['TTL', k('a')],
    ['SET', k('a'), 'w', 'KEEPTTL'],
    ['TTL', k('a')],
    ['APPEND', k('a'), 'x'],
    ['SETRANGE', k('a'), '0', 'y'],
    ['SETBIT', k('a'), '1', '1'],
    ['TTL', k('a')],
    ['SET', k('a'), 'v'],
    ['TTL', k('a')],
    ['SET', k('n'), '1', 'PX', '100000'],
    ['INCR', k('n')],
    ['INCRBYFLOAT', k('n'), '0.5'],
    ['TTL', k('n')],
    ['GETSET', k('n'), '1'],
    ['TTL', k('n')],
    ['SETEX', k('e'), '50', 'v'],
    ['TTL', k('e')],
    ['GETEX', k('e'), 'EX', '70'],
    ['TTL', k('e')],
    ['GETEX', k('e'), 'PERSIST'],
    ['TTL', k('e')],
    ['SET', k('x'), 'v', 'EXAT', '99999999999'],
    ['EXPIRETIME', k('x')],
    ['SET', k('x'), 'v', 'PXAT', '99999999999999'],
    ['PEXPIRETIME', k('x')],
    ['GETEX', k('x'), 'EXAT', '88888888888'],
    ['EXPIRETIME', k('x')],
    ['SET', k('p'), 'v', 'EXAT', '1'],
    ['EXISTS', k('p')],
    ['MSET', k('p'), 'v'],
    ['BITOP', 'NOT', k('x'), k('p')],
    ['TTL', k('x')],
  ]);

  compat(pair, 'setnx-setex-psetex', (k) => [
    ['SETNX', k('a'), '1'],
    ['SETNX', k('a'), '2'],
    ['GET', k('a')],
    ['SETEX', k('b'), '100', 'v'],
    ['GET', k('b')],
    ['SETEX', k('b'), '0', 'v'],
    ['SETEX', k('b'), '-10', 'v'],
    ['SETEX', k('b'), 'ten', 'v'],
    ['SETEX', k('b'), LLONG_MAX, 'v'],
    ['PSETEX', k('c'), '100000', 'v'],
    ['GET', k('c')],
    ['PSETEX', k('c'), '0', 'v'],
    ['PSETEX', k('c'), '1.0', 'v'],
    ['PSETEX', k('c'), LLONG_MAX, 'v'],
    ['SETEX', k('b'), '100'],
    ['SETNX', k('a')],
  ]);

  compat(pair, 'getex', (k) => [
    ['SET', k('a'), 'v'],
    ['GETEX', k('a')],
    ['GETEX', k('a'), 'EX', '100'],
    ['GETEX', k('a'), 'px', '100000'],
    ['GETEX', k('a'), 'EXAT', '99999999999'],
    ['GETEX', k('a'), 'PXAT', '99999999999999'],
    ['GETEX', k('a'), 'PERSIST'],
    ['GETEX', k('missing'), 'EX', '100'],
    ['GETEX', k('missing'), 'EX', '-100'],
    ['GETEX', k('missing'), 'EX', 'x'],
    ['GETEX', k('a'), 'EX', '0'],
    ['GETEX', k('a'), 'EX', '-1'],
    ['GETEX', k('a'), 'EX', 'x'],
    ['GETEX', k('a'), 'PX', LLONG_MAX],
    ['GETEX', k('a'), 'EX'],
    ['GETEX', k('a'), 'PERSIST', 'EX', '10'],
    ['GETEX', k('a'), 'EX', '10', 'PERSIST'],
    ['GETEX', k('a'), 'EX', '10', 'PX', '10'],
    ['GETEX', k('a'), 'KEEPTTL'],
    ['GETEX', k('a'), 'NX'],
    ['GETEX', k('a'), 'GET'],
    ['GETEX', k('a'), 'PERSIST', 'PERSIST'],
    ['GETEX', k('a'), 'EXAT', '1'],
    ['GET', k('a')],
    ['SET', k('b'), 'w'],
    ['GETEX', k('b'), 'PXAT', '1'],
    ['GETEX', k('b')],
  ]);

  compat(pair, 'getdel-getset', (k) => [
    ['SET', k('a'), 'v'],
    ['GETDEL', k('a')],
    ['GETDEL', k('a')],
    ['GET', k('a')],
    ['GETSET', k('b'), '1'],
    ['GETSET', k('b'), '2'],
    ['GET', k('b')],
    ['GETSET', k('b'), BINARY],
    ['GETDEL', k('b')],
    ['GETSET', k('b')],
  ]);

  compat(pair, 'mget-mset-msetnx', (k) => [
    ['MSET', k('a'), '1', k('b'), '2', k('a'), '3'],
    ['MGET', k('a'), k('b'), k('missing'), k('a')],
    ['MSET', k('a'), '1', k('b')],
    ['MSET', k('a')],
    ['MSETNX', k('a'), '1', k('c'), '2'],
    ['MGET', k('c')],
    ['MSETNX', k('c'), '1', k('d'), '2'],
    ['MSETNX', k('d'), '1', k('d'), '2'],
    ['MGET', k('c'), k('d')],
    ['MSETNX', k('e'), '1', k('f')],
    ['MSET', k('bin'), BINARY, k('empty'), ''],
    ['MGET', k('bin'), k('empty')],
  ]);

  compat(pair, 'append-strlen', (k) => [
    ['APPEND', k('a'), 'hello'],
    ['APPEND', k('a'), ' world'],
    ['GET', k('a')],
    ['STRLEN', k('a')],
    ['STRLEN', k('missing')],
    ['APPEND', k('n'), '12'],
    ['APPEND', k('n'), '34'],
    ['INCR', k('n')],
    ['APPEND', k('e'), ''],
    ['GET', k('e')],
    ['STRLEN', k('e')],
    ['APPEND', k('a'), ''],
    ['APPEND', k('b'), BINARY],
    ['APPEND', k('b'), BINARY],
    ['GET', k('b')],
    ['SET', k('i'), '-123'],
    ['STRLEN', k('i')],
    ['APPEND', k('i'), '0'],
    ['GET', k('i')],
    ['APPEND', k('big'), MB],
    ['APPEND', k('big'), MB],
    ['STRLEN', k('big')],
    ['APPEND', k('a')],
    ['STRLEN', k('a'), k('b')],
  ]);

  compat(pair, 'getrange-substr', (k) => {
    const steps: Step[] = [['SET', k('s'), 'This is a string'], ['SET', k('n'), '1234567'], ['SET', k('e'), '']];
    const ranges = [
      ['0', '3'], ['-3', '-1'], ['0', '-1'], ['10', '100'], ['-100', '-50'], ['-1', '-5'], ['5', '3'],
      ['-5', '3'], ['3', '-100'], ['100', '200'], ['0', '0'], ['-1', '-1'], [LLONG_MIN, LLONG_MAX],
      [LLONG_MAX, LLONG_MIN], ['0', LLONG_MAX], ['-16', '-16'], ['-17', '0'],
    ];
    for (const key of ['s', 'n', 'e', 'missing']) {
      for (const [a, b] of ranges) steps.push(['GETRANGE', k(key), a, b]);
    }
    steps.push(['SUBSTR', k('s'), '0', '3'], ['SUBSTR', k('s'), '-3', '-1']);
    steps.push(['GETRANGE', k('s'), 'a', '1'], ['GETRANGE', k('s'), '1', '1.5'], ['GETRANGE', k('missing'), 'x', '1']);
    steps.push(['GETRANGE', k('s'), '0'], ['SET', k('big'), MB], ['GETRANGE', k('big'), '1000', '200000']);
    return steps;
  });

  compat(pair, 'setrange', (k) => [
    ['SETRANGE', k('a'), '0', 'hello'],
    ['SETRANGE', k('a'), '6', 'world'],
    ['GET', k('a')],
    ['SETRANGE', k('a'), '1', 'E'],
    ['GET', k('a')],
    ['SETRANGE', k('b'), '5', 'x'],
    ['GET', k('b')],
    ['SETRANGE', k('c'), '0', ''],
    ['GET', k('c')],
    ['SETRANGE', k('c'), '100', ''],
    ['SETRANGE', k('a'), '100', ''],
    ['SETRANGE', k('a'), '0', ''],
    ['SET', k('n'), '12345'],
    ['SETRANGE', k('n'), '1', '9'],
    ['GET', k('n')],
    ['INCR', k('n')],
    ['SETRANGE', k('a'), '-1', 'x'],
    ['SETRANGE', k('a'), 'x', 'x'],
    ['SETRANGE', k('a'), '1.5', 'x'],
    ['SETRANGE', k('a'), '536870911', ''],
    ['SETRANGE', k('a'), '536870912', 'x'],
    ['SETRANGE', k('z'), '536870912', 'x'],
    ['SETRANGE', k('z'), '536870911', 'xy'],
    ['SETRANGE', k('z'), LLONG_MAX, 'x'],
    ['GET', k('z')],
    ['SETRANGE', k('bin'), '3', BINARY],
    ['GET', k('bin')],
    ['SETRANGE', k('a'), '0'],
  ]);

  compat(pair, 'incr-decr', (k) => [
    ['INCR', k('a')],
    ['INCR', k('a')],
    ['DECR', k('a')],
    ['DECR', k('b')],
    ['INCRBY', k('a'), '100'],
    ['INCRBY', k('a'), '-1000'],
    ['DECRBY', k('a'), '-5'],
    ['DECRBY', k('a'), '5'],
    ['INCRBY', k('a'), '0'],
    ['INCRBY', k('a'), 'x'],
    ['INCRBY', k('a'), '1.0'],
    ['INCRBY', k('a'), ''],
    ['INCRBY', k('a'), '9223372036854775808'],
    ['DECRBY', k('a'), 'x'],
    ['SET', k('max'), '9223372036854775806'],
    ['INCR', k('max')],
    ['INCR', k('max')],
    ['GET', k('max')],
    ['INCRBY', k('max'), LLONG_MIN],
    ['DECRBY', k('max'), LLONG_MAX],
    ['SET', k('min'), '-9223372036854775807'],
    ['DECR', k('min')],
    ['DECR', k('min')],
    ['INCRBY', k('min'), '-1'],
    ['DECRBY', k('min'), LLONG_MIN],
    ['DECRBY', k('zero'), LLONG_MIN],
    ['INCRBY', k('zero'), LLONG_MIN],
    ['INCRBY', k('zero'), LLONG_MAX],
    ['INCRBY', k('zero'), '1'],
    ['SET', k('safe'), '9007199254740991'],
    ['INCR', k('safe')],
    ['INCR', k('safe')],
    ['INCRBY', k('safe'), '-3'],
    ['DECRBY', k('safe'), '9007199254740991'],
    ['SET', k('negsafe'), '-9007199254740991'],
    ['DECR', k('negsafe')],
    ['INCRBY', k('negsafe'), '9007199254740993'],
    ['INCRBY', k('p'), '4611686018427387904'],
    ['INCRBY', k('p'), '4611686018427387903'],
    ['INCRBY', k('p'), '1'],
    ['INCR', k('a'), 'x'],
  ]);

  compat(pair, 'incr-not-an-integer', (k) => {
    const steps: Step[] = [];
    const values = ['1.5', ' 1', '1 ', '01', '+1', '-0', '-', 'abc', '', '1e3', '0x10', BINARY, '9223372036854775808', '-9223372036854775809', '12345678901234567890'];
    values.forEach((v, i) => steps.push(['SET', k(`v${i}`), v], ['INCR', k(`v${i}`)], ['DECRBY', k(`v${i}`), '2'], ['GET', k(`v${i}`)]));
    steps.push(['APPEND', k('raw'), '4'], ['APPEND', k('raw'), '2'], ['INCRBY', k('raw'), '8'], ['GET', k('raw')]);
    return steps;
  });

  compat(pair, 'incrbyfloat', (k) => [
    ['SET', k('a'), '10.5'],
    ['INCRBYFLOAT', k('a'), '0.1'],
    ['INCRBYFLOAT', k('b'), '0.1'],
    ['INCRBYFLOAT', k('b'), '0.2'],
    ['SET', k('c'), '5.0e3'],
    ['INCRBYFLOAT', k('c'), '2.0e2'],
    ['INCRBYFLOAT', k('c'), '-5200'],
    ['INCRBYFLOAT', k('d'), '1e308'],
    ['INCRBYFLOAT', k('d'), '1e308'],
    ['INCRBYFLOAT', k('e'), '1e4932'],
    ['INCRBYFLOAT', k('e'), '1e4932'],
    ['INCRBYFLOAT', k('f'), '1e-20'],
    ['INCRBYFLOAT', k('f'), '1e-17'],
    ['INCRBYFLOAT', k('g'), '-1e-20'],
    ['INCRBYFLOAT', k('h'), '0.000003814697265625'],
    ['INCRBYFLOAT', k('h'), '3e-4950'],
    ['INCRBYFLOAT', k('i'), '1e-5000'],
    ['INCRBYFLOAT', k('i'), '1e5000'],
    ['INCRBYFLOAT', k('i'), 'inf'],
    ['INCRBYFLOAT', k('i'), '-inf'],
    ['INCRBYFLOAT', k('i'), 'nan'],
    ['INCRBYFLOAT', k('i'), 'abc'],
    ['INCRBYFLOAT', k('i'), ''],
    ['INCRBYFLOAT', k('i'), ' 1'],
    ['INCRBYFLOAT', k('i'), '1 '],
    ['INCRBYFLOAT', k('i'), '1\x002'],
    ['INCRBYFLOAT', k('i'), '0x1p4'],
    ['INCRBYFLOAT', k('i'), '+.5'],
    ['INCRBYFLOAT', k('i'), '5.'],
    ['INCRBYFLOAT', k('i'), '-0.0'],
    ['INCRBYFLOAT', k('i'), '1e'],
    ['INCRBYFLOAT', k('i'), '1'.repeat(5119)],
    ['INCRBYFLOAT', k('i'), '1'.repeat(5120)],
    ['INCRBYFLOAT', k('i'), '0.' + '0'.repeat(5000) + '1'],
    ['SET', k('j'), LLONG_MAX],
    ['INCRBYFLOAT', k('j'), '1'],
    ['SET', k('k'), 'abc'],
    ['INCRBYFLOAT', k('k'), '1'],
    ['INCRBYFLOAT', k('k'), 'x'],
    ['SET', k('l'), 'inf'],
    ['INCRBYFLOAT', k('l'), '1'],
    ['SET', k('m'), '  1'],
    ['INCRBYFLOAT', k('m'), '1'],
    ['SET', k('n'), '3'],
    ['INCRBYFLOAT', k('n'), '-3'],
    ['INCRBYFLOAT', k('n'), '-0.5'],
    ['INCRBYFLOAT', k('n'), '1.5'],
    ['INCR', k('n')],
    ['INCRBYFLOAT', k('n')],
  ]);

  test('incrbyfloat on random operands matches long double arithmetic', async () => {
    const random = prng(7);
    const pick = (n: number): number => Math.floor(random() * n);
    const operand = (): string => {
      const sign = pick(3) === 0 ? '-' : '';
      switch (pick(6)) {
        case 0:
          return `${sign}${pick(1000)}.${pick(1000)}`;
        case 1:
          return sign + (random() * 10 ** (pick(40) - 20)).toString();
        case 2:
          return `${sign}${pick(100)}e${pick(9000) - 4500}`;
        case 3:
          return `${sign}0.${'0'.repeat(pick(20))}${pick(100000)}`;
        case 4:
          return `${sign}${pick(2 ** 31)}${pick(2 ** 31)}`;
        default:
          return `${sign}0x${pick(1 << 30).toString(16)}.${pick(4096).toString(16)}p${pick(200) - 100}`;
      }
    };
    const steps: Step[] = [];
    for (let i = 0; i < 400; i++) steps.push(['SET', `rnd-float:${i}`, operand()], ['INCRBYFLOAT', `rnd-float:${i}`, operand()]);
    for (let i = 0; i < 100; i++) steps.push(['INCRBYFLOAT', 'rnd-float:acc', operand()]);
    await pair.expectSame(steps);
  });

  compat(pair, 'lcs', (k) => [
    ['MSET', k('a'), 'ohmytext', k('b'), 'mynewtext'],
    ['LCS', k('a'), k('b')],
    ['LCS', k('a'), k('b'), 'LEN'],
    ['LCS', k('a'), k('b'), 'IDX'],
    ['LCS', k('a'), k('b'), 'idx', 'MINMATCHLEN', '4'],
    ['LCS', k('a'), k('b'), 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
    ['LCS', k('a'), k('b'), 'IDX', 'WITHMATCHLEN'],
    ['LCS', k('a'), k('b'), 'IDX', 'MINMATCHLEN', '-5'],
    ['LCS', k('a'), k('b'), 'IDX', 'MINMATCHLEN', '100'],
    ['LCS', k('a'), k('b'), 'LEN', 'WITHMATCHLEN'],
    ['LCS', k('a'), k('b'), 'WITHMATCHLEN'],
    ['LCS', k('a'), k('b'), 'LEN', 'IDX'],
    ['LCS', k('a'), k('b'), 'IDX', 'LEN'],
    ['LCS', k('a'), k('b'), 'MINMATCHLEN'],
    ['LCS', k('a'), k('b'), 'MINMATCHLEN', 'x'],
    ['LCS', k('a'), k('b'), 'FOO'],
    ['LCS', k('a'), k('missing')],
    ['LCS', k('missing'), k('missing'), 'IDX'],
    ['LCS', k('a'), k('missing'), 'LEN'],
    ['LCS', k('a'), k('a'), 'IDX', 'WITHMATCHLEN'],
    ['MSET', k('n1'), '1234567', k('n2'), '9243167'],
    ['LCS', k('n1'), k('n2'), 'IDX', 'WITHMATCHLEN'],
    ['MSET', k('x'), 'ACCGGTCGAGTGCGCGGAAGCCGGCCGAA', k('y'), 'GTCGTTCGGAATGCCGTTGCTCTGTAAA'],
    ['LCS', k('x'), k('y')],
    ['LCS', k('x'), k('y'), 'IDX', 'WITHMATCHLEN'],
    ['LCS', k('x'), k('y'), 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'],
    ['MSET', k('b1'), BINARY + 'abc', k('b2'), 'zz' + BINARY],
    ['LCS', k('b1'), k('b2'), 'IDX', 'WITHMATCHLEN'],
    ['LCS', k('b1'), k('b2')],
    ['LCS', k('a')],
  ]);

  test('lcs on random strings', async () => {
    const random = prng(11);
    const steps: Step[] = [];
    for (let i = 0; i < 30; i++) {
      const text = (n: number): string => Array.from({ length: n }, () => 'ACGT'[Math.floor(random() * 4)]).join('');
      const a = text(Math.floor(random() * 60));
      const b = text(Math.floor(random() * 60));
      steps.push(['MSET', `rnd-lcs:a${i}`, a, `rnd-lcs:b${i}`, b]);
      steps.push(['LCS', `rnd-lcs:a${i}`, `rnd-lcs:b${i}`]);
      steps.push(['LCS', `rnd-lcs:a${i}`, `rnd-lcs:b${i}`, 'IDX', 'MINMATCHLEN', String(i % 4), 'WITHMATCHLEN']);
    }
    await pair.expectSame(steps, { resp: 3 });
  });
});

describeCompat(
  'string commands compat with a small proto-max-bulk-len',
  (pair) => {
    const limit = 1024 * 1024;
    compat(pair, 'limits', (k) => [
      ['SETRANGE', k('a'), String(limit - 1), 'x'],
      ['STRLEN', k('a')],
      ['SETRANGE', k('a'), String(limit), 'x'],
      ['SETRANGE', k('a'), String(limit - 1), 'xy'],
      ['APPEND', k('a'), 'y'],
      ['SET', k('b'), 'x'.repeat(limit - 2)],
      ['APPEND', k('b'), 'yy'],
      ['APPEND', k('b'), 'z'],
      ['STRLEN', k('b')],
      ['SET', k('l1'), 'a'.repeat(500)],
      ['SET', k('l2'), 'b'.repeat(500)],
      ['LCS', k('l1'), k('l2'), 'LEN'],
      ['SET', k('l3'), 'a'.repeat(600)],
      ['SET', k('l4'), 'a'.repeat(600)],
      ['LCS', k('l3'), k('l4'), 'LEN'],
      ['LCS', k('l3'), k('missing')],
    ]);
  },
  { nodis: { config: { 'proto-max-bulk-len': '1mb' } }, redisDirectives: ['--proto-max-bulk-len', '1mb'] },
);

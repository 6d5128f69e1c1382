import { expect, test } from 'vitest';
import { compatScript, describeCompat, type Step } from './harness';
import type { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, type RespValue } from '../helpers/resp-value';
import { onBoth } from './on-both';

/** A reply with its numbers replaced by their RESP type: the shape MEMORY STATS must share with Redis. */
function shape(value: RespValue): unknown {
  if (typeof value === 'number') return '<integer>';
  if (typeof value === 'string') return /^-?[0-9][0-9.e+-]*$/.test(value) ? '<number as bulk>' : value;
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    if ('double' in value) return '<double>';
    if ('map' in value) return { map: value.map.map(([k, v]) => [shape(k), shape(v)]) };
  }
  return value;
}

/** Connects in the given protocol and runs `script` on both servers. */
function onBothWith<T>(pair: Parameters<typeof onBoth>[0], resp: 2 | 3, script: (conn: RawConnection) => Promise<T>) {
  return onBoth(pair, async (conn) => {
    if (resp === 3) await call(conn, 'HELLO', '3');
    return script(conn);
  });
}

describeCompat('memory compat', (pair) => {
  compatScript(pair, 'MEMORY HELP, subcommands and arity', () => [
    ['MEMORY', 'HELP'],
    ['memory', 'help'],
    ['MEMORY', 'HELP', 'extra'],
    ['MEMORY'],
    ['MEMORY', 'nosuch'],
    ['MEMORY', 'nosuch', 'a', 'b'],
    ['MEMORY', 'USAGE'],
    ['MEMORY', 'STATS', 'extra'],
    ['MEMORY', 'DOCTOR', 'extra'],
    ['MEMORY', 'MALLOC-STATS', 'extra'],
    ['MEMORY', 'PURGE', 'extra'],
    ['MEMORY', 'PURGE'],
    ['memory', 'Purge'],
  ]);

  compatScript(pair, 'MEMORY USAGE of a missing key, SAMPLES accepted', (k) => [
    ['MEMORY', 'USAGE', k('missing')],
    ['MEMORY', 'USAGE', k('missing'), 'SAMPLES', '0'],
    ['MEMORY', 'USAGE', k('missing'), 'samples', '5'],
    ['MEMORY', 'USAGE', k('missing'), 'SaMpLeS', '9223372036854775807'],
    ['MEMORY', 'USAGE', k('missing'), 'SAMPLES', '1', 'SAMPLES', '2'],
    // Redis compares option names as C strings: a NUL byte ends the name.
    ['MEMORY', 'USAGE', k('missing'), 'SAMPLES\x00junk', '3'],
    ['MEMORY', 'USAGE', '\x00\xff binary'],
    ['MEMORY', 'USAGE', ''],
    // A key in another database is not seen.
    ['SELECT', '3'],
    ['SET', k('db3'), 'v'],
    ['SELECT', '0'],
    ['MEMORY', 'USAGE', k('db3')],
  ]);

  const samplesErrors = (key: string): Step[] => [
    ['MEMORY', 'USAGE', key, 'SAMPLES'],
    ['MEMORY', 'USAGE', key, 'FOO'],
    ['MEMORY', 'USAGE', key, 'FOO', '1'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '1', 'FOO'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '1', 'SAMPLES'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', 'x'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', ''],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '1.5'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', ' 1'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '+1'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '01'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '-0'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '-9223372036854775808'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '9223372036854775808'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '99999999999999999999'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', 'x', 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', key, 'SAMPLES', '-1', 'SAMPLES', 'x'],
  ];

  compatScript(pair, 'MEMORY USAGE SAMPLES errors come before the look-up', (k) => [
    ...samplesErrors(k('missing')),
    ['SET', k('present'), 'value'],
    ...samplesErrors(k('present')),
    // The number itself is Nodis's own estimate.
    { argv: ['MEMORY', 'USAGE', k('present')], compare: false },
  ]);

  compatScript(pair, 'MEMORY DOCTOR on an empty instance', () => [['MEMORY', 'DOCTOR']]);

  for (const resp of [2, 3] as const) {
    test(`MEMORY STATS has Redis's fields, order and types, empty and with keys (RESP${resp})`, async () => {
      const [redis, nodis] = await onBothWith(pair, resp, async (conn) => {
        await call(conn, 'FLUSHALL');
        const empty = shape(await call(conn, 'MEMORY', 'STATS'));
        await call(conn, 'SET', 'k', 'v');
        await call(conn, 'SELECT', '3');
        await call(conn, 'SET', 'k3', 'v', 'EX', '100');
        await call(conn, 'RPUSH', 'list', 'a', 'b');
        await call(conn, 'SELECT', '12');
        await call(conn, 'HSET', 'h', 'f', 'v');
        const withKeys = shape(await call(conn, 'MEMORY', 'STATS'));
        await call(conn, 'FLUSHALL');
        return { empty, withKeys };
      });
      expect(nodis).toEqual(redis);
      // The shape itself: db.N entries sit between functions.caches and overhead.total.
      const names = (s: unknown): unknown[] => (resp === 3 ? (s as { map: unknown[][] }).map.map((p) => p[0]) : (s as unknown[]).filter((_, i) => i % 2 === 0));
      expect(names(nodis.withKeys).slice(9, 14)).toEqual(['functions.caches', 'db.0', 'db.3', 'db.12', 'overhead.total']);
      expect(names(nodis.empty)).toHaveLength(27);
    });

    test(`MEMORY DOCTOR and MALLOC-STATS reply kinds (RESP${resp})`, async () => {
      const [redis, nodis] = await onBothWith(pair, resp, async (conn) => {
        const kind = (v: RespValue): string =>
          typeof v === 'string' ? 'bulk' : v !== null && typeof v === 'object' && 'verbatim' in v ? `verbatim ${v.format}` : JSON.stringify(v);
        return [kind(await call(conn, 'MEMORY', 'DOCTOR')), kind(await call(conn, 'MEMORY', 'MALLOC-STATS'))];
      });
      expect(nodis).toEqual(redis);
      expect(nodis).toEqual(resp === 3 ? ['verbatim txt', 'verbatim txt'] : ['bulk', 'bulk']);
    });
  }
});

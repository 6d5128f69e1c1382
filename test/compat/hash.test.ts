/**
 * Hash commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Small hashes
 * (listpack) answer in Redis's exact order; big ones (hashtable) are compared without order.
 */
import { expect, test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { onBoth } from './on-both';
import { expectSameUnordered, fullScan } from './unordered';
import { callParsed, type RespValue } from '../helpers/resp-value';

const BINARY = '\x00\xff\r\n\x01bin\x00';
const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';
const LONG_64 = 'v'.repeat(64);
const LONG_65 = 'v'.repeat(65);

/** HSET key f0 v0 f1 v1 ... with n fields. */
function fields(n: number, prefix = 'f', value = (i: number) => `v${i}`): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}${i}`, value(i));
  return out;
}

describeCompat(
  'hash commands compat',
  (pair) => {
    compat(pair, 'hset-hget-basics', (k) => [
      ['HSET', k('h'), 'a', '1', 'b', '2', 'c', '3'],
      ['HSET', k('h'), 'b', '20', 'd', '4'],
      ['HGETALL', k('h')],
      ['HKEYS', k('h')],
      ['HVALS', k('h')],
      ['HGET', k('h'), 'b'],
      ['HGET', k('h'), 'zz'],
      ['HGET', k('missing'), 'a'],
      ['HMGET', k('h'), 'a', 'zz', 'd', 'a'],
      ['HMGET', k('missing'), 'a', 'b'],
      ['HLEN', k('h')],
      ['HLEN', k('missing')],
      ['HSTRLEN', k('h'), 'b'],
      ['HSTRLEN', k('h'), 'zz'],
      ['HSTRLEN', k('missing'), 'zz'],
      ['HEXISTS', k('h'), 'a'],
      ['HEXISTS', k('h'), 'zz'],
      ['HEXISTS', k('missing'), 'a'],
      ['HGETALL', k('missing')],
      ['HKEYS', k('missing')],
      ['HVALS', k('missing')],
      ['HSET', k('h'), 'a', 'x', 'a', 'y'],
      ['HGET', k('h'), 'a'],
      ['HSET', k('h'), 'e', ''],
      ['HGET', k('h'), 'e'],
      ['HSTRLEN', k('h'), 'e'],
      ['HSET', k('h'), '', 'empty-field'],
      ['HGETALL', k('h')],
      ['TYPE', k('h')],
      ['OBJECT', 'ENCODING', k('h')],
    ]);

    compat(pair, 'hset-arity-and-hmset', (k) => [
      ['HSET', k('h'), 'a'],
      ['HSET', k('h'), 'a', '1', 'b'],
      ['HSET', k('h')],
      ['HMSET', k('h'), 'a', '1', 'b'],
      ['HMSET', k('h'), 'a', '1', 'b', '2'],
      ['HMSET', k('h'), 'a', '3'],
      ['HGETALL', k('h')],
      ['EXISTS', k('h')],
      ['SET', k('s'), 'x'],
      // The argument count is checked before the key's type.
      ['HSET', k('s'), 'a', '1', 'b'],
      ['HMSET', k('s'), 'a'],
    ]);

    compat(pair, 'hsetnx', (k) => [
      ['HSETNX', k('h'), 'a', '1'],
      ['HSETNX', k('h'), 'a', '2'],
      ['HSETNX', k('h'), 'b', '3'],
      ['HGETALL', k('h')],
      ['HSETNX', k('h'), 'long', LONG_65],
      ['OBJECT', 'ENCODING', k('h')],
      ['HGET', k('h'), 'long'],
    ]);

    compat(pair, 'binary-fields-and-values', (k) => [
      ['HSET', k('h'), BINARY, BINARY, '\xff', '\x00', 'f', BINARY + BINARY],
      ['HGET', k('h'), BINARY],
      ['HGET', k('h'), '\xff'],
      ['HSTRLEN', k('h'), 'f'],
      ['HEXISTS', k('h'), BINARY],
      ['HGETALL', k('h')],
      ['HDEL', k('h'), '\xff'],
      ['HKEYS', k('h')],
    ]);

    compat(pair, 'hdel', (k) => [
      ['HSET', k('h'), 'a', '1', 'b', '2', 'c', '3'],
      ['HDEL', k('h'), 'zz'],
      ['HDEL', k('h'), 'a', 'a', 'zz'],
      ['HGETALL', k('h')],
      ['HDEL', k('missing'), 'a'],
      ['HDEL', k('h'), 'b', 'c', 'zz'],
      ['EXISTS', k('h')],
      ['HLEN', k('h')],
      ['HSET', k('h'), 'a', '1', 'b', '2', 'c', '3'],
      ['HDEL', k('h'), 'b'],
      ['HSET', k('h'), 'b', '4'],
      ['HGETALL', k('h')],
    ]);

    compat(pair, 'wrongtype', (k) => [
      ['SET', k('s'), 'x'],
      ['HSET', k('s'), 'a', '1'],
      ['HMSET', k('s'), 'a', '1'],
      ['HSETNX', k('s'), 'a', '1'],
      ['HGET', k('s'), 'a'],
      ['HMGET', k('s'), 'a'],
      ['HDEL', k('s'), 'a'],
      ['HLEN', k('s')],
      ['HSTRLEN', k('s'), 'a'],
      ['HEXISTS', k('s'), 'a'],
      ['HGETALL', k('s')],
      ['HKEYS', k('s')],
      ['HVALS', k('s')],
      ['HINCRBY', k('s'), 'a', '1'],
      ['HINCRBYFLOAT', k('s'), 'a', '1'],
      ['HRANDFIELD', k('s')],
      ['HRANDFIELD', k('s'), '1'],
      ['HRANDFIELD', k('s'), '1', 'WITHVALUES'],
      ['HSCAN', k('s'), '0'],
      ['HSET', k('h'), 'a', '1'],
      ['GET', k('h')],
      ['APPEND', k('h'), 'x'],
      ['SADD', k('h'), 'x'],
      ['GET', k('s')],
    ]);

    compat(pair, 'hincrby', (k) => [
      ['HINCRBY', k('h'), 'n', '5'],
      ['HINCRBY', k('h'), 'n', '-7'],
      ['HINCRBY', k('h'), 'n', '0'],
      ['HGET', k('h'), 'n'],
      ['HINCRBY', k('h'), 'm', LLONG_MAX],
      ['HINCRBY', k('h'), 'm', '1'],
      ['HINCRBY', k('h'), 'm', '-1'],
      ['HINCRBY', k('h'), 'm', LLONG_MIN],
      ['HGET', k('h'), 'm'],
      ['HSET', k('h'), 'low', LLONG_MIN],
      ['HINCRBY', k('h'), 'low', '-1'],
      ['HINCRBY', k('h'), 'low', '1'],
      ['HINCRBY', k('h'), 'low', LLONG_MAX],
      ['HSET', k('h'), 'big', '9007199254740993'],
      ['HINCRBY', k('h'), 'big', '2'],
      ['HINCRBY', k('h'), 'big', '-9007199254740995'],
      ['HINCRBY', k('h'), 'n', 'x'],
      ['HINCRBY', k('h'), 'n', '1.5'],
      ['HINCRBY', k('h'), 'n', '9223372036854775808'],
      ['HINCRBY', k('h'), 'n', ' 1'],
      ['HINCRBY', k('h'), 'n', '+1'],
      ['HINCRBY', k('h'), 'n', '01'],
      ['HINCRBY', k('h'), 'n', ''],
      ['HSET', k('h'), 's', 'abc', 'f', '1.5', 'sp', ' 1', 'z', '01', 'e', '', 'p', '+3', 'neg0', '-0'],
      ['HINCRBY', k('h'), 's', '1'],
      ['HINCRBY', k('h'), 'f', '1'],
      ['HINCRBY', k('h'), 'sp', '1'],
      ['HINCRBY', k('h'), 'z', '1'],
      ['HINCRBY', k('h'), 'e', '1'],
      ['HINCRBY', k('h'), 'p', '1'],
      ['HINCRBY', k('h'), 'neg0', '1'],
      ['HGETALL', k('h')],
      ['HINCRBY', k('new'), 'x', 'y'],
      ['EXISTS', k('new')],
    ]);

    compat(pair, 'hincrbyfloat', (k) => [
      ['HINCRBYFLOAT', k('h'), 'f', '10.5'],
      ['HINCRBYFLOAT', k('h'), 'f', '0.1'],
      ['HINCRBYFLOAT', k('h'), 'f', '-5'],
      ['HINCRBYFLOAT', k('h'), 'f', '1e3'],
      ['HINCRBYFLOAT', k('h'), 'f', '5.0e3'],
      ['HINCRBYFLOAT', k('h'), 'f', '3.0000000000000000001'],
      ['HINCRBYFLOAT', k('h'), 'f', '-1011105.6'],
      ['HGET', k('h'), 'f'],
      ['HSET', k('h'), 'i', '17179869184'],
      ['HINCRBYFLOAT', k('h'), 'i', '1.5'],
      ['HINCRBYFLOAT', k('h'), 'g', '0x10'],
      ['HINCRBYFLOAT', k('h'), 'g', '1.1e-5'],
      ['HINCRBYFLOAT', k('h'), 'big', '1e4000'],
      ['HSTRLEN', k('h'), 'big'],
      ['OBJECT', 'ENCODING', k('h')],
      ['HINCRBYFLOAT', k('h'), 'f', 'inf'],
      ['HINCRBYFLOAT', k('h'), 'f', '-inf'],
      ['HINCRBYFLOAT', k('h'), 'f', 'nan'],
      ['HINCRBYFLOAT', k('h'), 'f', 'abc'],
      ['HINCRBYFLOAT', k('h'), 'f', ''],
      ['HINCRBYFLOAT', k('h'), 'f', ' 1'],
      ['HINCRBYFLOAT', k('h'), 'f', '1e5000'],
      ['HSET', k('h'), 'huge', '1e4931', 's', 'abc', 'inf', 'inf'],
      ['HINCRBYFLOAT', k('h'), 'huge', '1e4931'],
      ['HINCRBYFLOAT', k('h'), 's', '1'],
      ['HINCRBYFLOAT', k('h'), 'inf', '1'],
      ['HINCRBYFLOAT', k('h'), 'f', '-0'],
      ['HINCRBYFLOAT', k('h'), 'z', '-0'],
      ['HGET', k('h'), 'z'],
      ['SET', k('str'), 'x'],
      ['HINCRBYFLOAT', k('str'), 'f', 'inf'],
      ['HINCRBYFLOAT', k('str'), 'f', 'abc'],
      ['HINCRBYFLOAT', k('str'), 'f', '1'],
    ]);

    compat(pair, 'listpack-value-threshold', (k) => [
      ['HSET', k('a'), 'f', LONG_64],
      ['OBJECT', 'ENCODING', k('a')],
      ['HSET', k('a'), LONG_64, 'x'],
      ['OBJECT', 'ENCODING', k('a')],
      ['HSET', k('a'), 'g', LONG_65],
      ['OBJECT', 'ENCODING', k('a')],
      ['HDEL', k('a'), 'g'],
      ['OBJECT', 'ENCODING', k('a')],
      ['HSET', k('b'), LONG_65, 'x'],
      ['OBJECT', 'ENCODING', k('b')],
      ['HINCRBY', k('c'), LONG_65, '1'],
      ['OBJECT', 'ENCODING', k('c')],
      ['HINCRBYFLOAT', k('d'), LONG_65, '1.5'],
      ['OBJECT', 'ENCODING', k('d')],
      ['HSET', k('e'), 'a', '1'],
      ['HINCRBYFLOAT', k('e'), 'a', '0.' + '1'.repeat(70)],
      ['OBJECT', 'ENCODING', k('e')],
    ]);

    compat(pair, 'listpack-entries-threshold', (k) => [
      ['HSET', k('h'), ...fields(512)],
      ['OBJECT', 'ENCODING', k('h')],
      ['HSET', k('h'), 'f0', 'again'],
      ['OBJECT', 'ENCODING', k('h')],
      ['HSET', k('h'), 'f512', 'x'],
      ['OBJECT', 'ENCODING', k('h')],
      ['HDEL', k('h'), 'f512', 'f511', 'f510'],
      ['OBJECT', 'ENCODING', k('h')],
      ['HLEN', k('h')],
      ['HSET', k('big'), ...fields(513)],
      ['OBJECT', 'ENCODING', k('big')],
      ['HGET', k('big'), 'f400'],
      ['HSTRLEN', k('big'), 'f400'],
      ['HEXISTS', k('big'), 'f512'],
      ['HMGET', k('big'), 'f1', 'nope', 'f512'],
    ]);

    compat(pair, 'config-thresholds', (k) => [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '3'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '4'],
      ['HSET', k('a'), 'a', '1', 'b', '2', 'c', '3'],
      ['OBJECT', 'ENCODING', k('a')],
      ['HSET', k('a'), 'd', '4'],
      ['OBJECT', 'ENCODING', k('a')],
      ['HSET', k('b'), 'abcd', 'abcd'],
      ['OBJECT', 'ENCODING', k('b')],
      ['HSET', k('b'), 'abcde', '1'],
      ['OBJECT', 'ENCODING', k('b')],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'],
      ['HSET', k('c'), 'a', '1'],
      ['OBJECT', 'ENCODING', k('c')],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
      ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
      ['HSET', k('c'), 'b', '1'],
      ['OBJECT', 'ENCODING', k('c')],
    ]);

    compat(pair, 'hrandfield-deterministic', (k) => [
      ['HRANDFIELD', k('missing')],
      ['HRANDFIELD', k('missing'), '5'],
      ['HRANDFIELD', k('missing'), '-5', 'WITHVALUES'],
      ['HSET', k('h'), 'a', '1', 'b', '2', 'c', '3'],
      ['HRANDFIELD', k('h'), '0'],
      ['HRANDFIELD', k('h'), '0', 'WITHVALUES'],
      ['HRANDFIELD', k('h'), '3'],
      ['HRANDFIELD', k('h'), '100', 'WITHVALUES'],
      ['HRANDFIELD', k('h'), '100', 'withvalues'],
      ['HRANDFIELD', k('h'), '3', 'withvalues\x00junk'],
      ['HSET', k('one'), 'only', 'v'],
      ['HRANDFIELD', k('one')],
      ['HRANDFIELD', k('one'), '1'],
      ['HRANDFIELD', k('one'), '-3', 'WITHVALUES'],
      ['HRANDFIELD', k('one'), '1', 'WITHVALUES'],
    ]);

    compat(pair, 'hrandfield-errors', (k) => [
      ['HSET', k('h'), 'a', '1'],
      ['HRANDFIELD', k('h'), 'x'],
      ['HRANDFIELD', k('h'), '1.5'],
      ['HRANDFIELD', k('h'), '1', 'WITHVALUE'],
      ['HRANDFIELD', k('h'), '1', 'WITHVALUES', 'x'],
      ['HRANDFIELD', k('h'), LLONG_MIN],
      ['HRANDFIELD', k('h'), LLONG_MIN, 'WITHVALUES'],
      ['HRANDFIELD', k('h'), '-4611686018427387905', 'WITHVALUES'],
      ['HRANDFIELD', k('h'), '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', k('h'), '4611686018427387903', 'WITHVALUES'],
      ['HRANDFIELD', k('h'), LLONG_MAX],
      ['HRANDFIELD', k('missing'), 'x'],
      ['HRANDFIELD', k('missing'), '1', 'foo'],
    ]);

    compat(pair, 'hscan-listpack', (k) => [
      ['HSCAN', k('missing'), '0'],
      ['HSET', k('h'), 'a', '1', 'b', '2', 'ab', '3', BINARY, '4'],
      ['HSCAN', k('h'), '0'],
      ['HSCAN', k('h'), '0', 'COUNT', '1'],
      ['HSCAN', k('h'), '0', 'MATCH', 'a*'],
      ['HSCAN', k('h'), '0', 'MATCH', '*b', 'COUNT', '100'],
      ['HSCAN', k('h'), '0', 'match', 'zz*'],
      ['HSCAN', k('h'), '0', 'MATCH', '*'],
      ['HSCAN', k('h'), '12345'],
      ['HSCAN', k('h'), 'x'],
      ['HSCAN', k('h'), '-1'],
      ['HSCAN', k('h'), '0', 'COUNT', '0'],
      ['HSCAN', k('h'), '0', 'COUNT', 'x'],
      ['HSCAN', k('h'), '0', 'COUNT'],
      ['HSCAN', k('h'), '0', 'TYPE', 'string'],
      ['HSCAN', k('h'), '0', 'FOO', 'bar'],
      ['HSCAN', k('missing'), '0', 'COUNT', '0'],
      ['HSCAN', k('missing'), 'x'],
    ]);

    compat(pair, 'expired-keys-are-missing', (k) => [
      ['HSET', k('h'), 'a', '1'],
      ['PEXPIRE', k('h'), '1'],
      ['DEBUG', 'SLEEP', '0.01'],
      ['HGET', k('h'), 'a'],
      ['HLEN', k('h')],
      ['HSET', k('h'), 'b', '2'],
      ['HGETALL', k('h')],
      ['TTL', k('h')],
    ]);

    compat(pair, 'ttl-kept-on-writes', (k) => [
      ['HSET', k('h'), 'a', '1', 'b', '2'],
      ['EXPIRE', k('h'), '100'],
      ['HSET', k('h'), 'c', '3'],
      ['HDEL', k('h'), 'a'],
      ['HINCRBY', k('h'), 'n', '1'],
      ['HINCRBYFLOAT', k('h'), 'n', '1.5'],
      ['TTL', k('h')],
    ]);

    compat(pair, 'digest', (k) => [
      ['HSET', k('small'), 'a', '1', 'b', '2', BINARY, BINARY],
      ['HSET', k('small2'), BINARY, BINARY, 'b', '2', 'a', '1'],
      ['HSET', k('big'), ...fields(600)],
      ['DEBUG', 'DIGEST-VALUE', k('small'), k('small2'), k('big'), k('missing')],
      ['HSET', k('i'), 'n', '12'],
      ['HINCRBY', k('i'), 'n', '30'],
      ['DEBUG', 'DIGEST-VALUE', k('i')],
      ['DEBUG', 'DIGEST'],
    ]);

    compat(pair, 'copy-rename-type', (k) => [
      ['HSET', k('h'), 'a', '1', 'b', '2'],
      ['COPY', k('h'), k('c')],
      ['HSET', k('c'), 'a', 'changed'],
      ['HGETALL', k('h')],
      ['HGETALL', k('c')],
      ['RENAME', k('c'), k('d')],
      ['HGETALL', k('d')],
      ['TYPE', k('d')],
      ['OBJECT', 'ENCODING', k('d')],
      ['HSET', k('big'), ...fields(513)],
      ['COPY', k('big'), k('big2')],
      ['OBJECT', 'ENCODING', k('big2')],
      ['HLEN', k('big2')],
    ]);

    for (const resp of [2, 3] as const) {
      test(`hashtable replies, order aside (RESP${resp})`, async () => {
        const big = fields(700, 'field:', (i) => (i % 3 === 0 ? String(i) : `value-${i}`));
        await expectSameUnordered(
          pair,
          [['HSET', 'big', ...big], ['HDEL', 'big', 'field:1', 'field:2', 'field:699']],
          [
            ['HGETALL', 'big'],
            ['HKEYS', 'big'],
            ['HVALS', 'big'],
            ['HRANDFIELD', 'big', '1000'],
            { argv: ['HRANDFIELD', 'big', '1000', 'WITHVALUES'], pairs: true },
          ],
          resp,
        );
      });
    }

    test('HSCAN on a hashtable returns every field once a full iteration ends', async () => {
      const [redis, nodis] = await onBoth(pair, async (conn) => {
        await callParsed(conn, 'FLUSHALL');
        await callParsed(conn, 'HSET', 'big', ...fields(1000));
        const all = await fullScan(conn, 'HSCAN', 'big', [], true);
        const matched = await fullScan(conn, 'HSCAN', 'big', ['MATCH', 'f1*', 'COUNT', '50'], true);
        return { all: all.elements, matched: matched.elements, manyCalls: all.calls > 10 };
      });
      expect(nodis).toEqual(redis);
      expect(nodis.all).toHaveLength(1000);
    });

    /** The fields (and values) of a HRANDFIELD reply with a count, whatever the protocol. */
    function entriesOf(reply: RespValue, withValues: boolean, resp: number): [string, string | null][] {
      const items = reply as RespValue[];
      if (!withValues) return items.map((f) => [f as string, null]);
      if (resp === 3) return items.map((p) => [(p as string[])[0], (p as string[])[1]]);
      const out: [string, string | null][] = [];
      for (let i = 0; i < items.length; i += 2) out.push([items[i] as string, items[i + 1] as string]);
      return out;
    }

    for (const resp of [2, 3] as const) {
      test(`HRANDFIELD random replies: shapes and members as redis-server (RESP${resp})`, async () => {
        const cases: [string, string[]][] = [
          ['small', fields(10)],
          ['big', fields(600)],
        ];
        const counts = ['-20', '-1', '1', '2', '4', '9', '300', '599'];
        const [redis, nodis] = await onBoth(pair, async (conn) => {
          if (resp === 3) await callParsed(conn, 'HELLO', '3');
          await callParsed(conn, 'FLUSHALL');
          const shapes: unknown[] = [];
          for (const [key, content] of cases) {
            await callParsed(conn, 'HSET', key, ...content);
            const values = new Map<string, string>();
            for (let i = 0; i < content.length; i += 2) values.set(content[i], content[i + 1]);
            for (const count of counts) {
              for (const withValues of [false, true]) {
                const argv = ['HRANDFIELD', key, count, ...(withValues ? ['WITHVALUES'] : [])];
                const reply = await callParsed(conn, ...argv);
                const entries = entriesOf(reply, withValues, resp);
                const distinct = new Set(entries.map(([f]) => f)).size;
                const consistent = entries.every(([f, v]) => values.has(f) && (v === null || values.get(f) === v));
                shapes.push({
                  argv,
                  length: (reply as RespValue[]).length,
                  entries: entries.length,
                  consistent,
                  unique: distinct === entries.length || Number(count) < 0,
                });
              }
            }
            const single = await callParsed(conn, 'HRANDFIELD', key);
            shapes.push({ single: typeof single, member: values.has(single as string) });
          }
          return shapes;
        });
        expect(nodis).toEqual(redis);
      });
    }
  },
  { nodis: { config: { 'enable-debug-command': 'yes' } }, redisDirectives: ['--enable-debug-command', 'yes'] },
);

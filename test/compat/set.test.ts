/**
 * Set commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3. Intsets answer in
 * Redis's exact (ascending) order; hashtable sets are compared without order; random replies
 * are compared by shape and membership.
 */
import { expect, test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { onBoth } from './on-both';
import { expectSameUnordered, fullScan } from './unordered';
import { callParsed, type RespValue } from '../helpers/resp-value';

const BINARY = '\x00\xff\r\n\x01bin\x00';
const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';

/** n members: prefix0, prefix1, ... ('' prefix: the integers 0..n-1). */
function members(n: number, prefix = '', from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** The members of an array or set reply. */
function itemsOf(reply: RespValue): string[] {
  if (Array.isArray(reply)) return reply as string[];
  if (reply !== null && typeof reply === 'object' && 'set' in reply) return reply.set as string[];
  throw new Error(`not a collection reply: ${JSON.stringify(reply)}`);
}

/** The reply's type tag: array, set, or the JS type. */
function shapeOf(reply: RespValue): string {
  if (Array.isArray(reply)) return 'array';
  if (reply !== null && typeof reply === 'object') return Object.keys(reply)[0];
  return reply === null ? 'null' : typeof reply;
}

describeCompat(
  'set commands compat',
  (pair) => {
    compat(pair, 'sadd-srem-basics', (k) => [
      ['SADD', k('s'), 'a', 'b', 'c', 'a'],
      ['SADD', k('s'), 'a', 'd'],
      ['SCARD', k('s')],
      ['SCARD', k('missing')],
      ['SISMEMBER', k('s'), 'a'],
      ['SISMEMBER', k('s'), 'z'],
      ['SISMEMBER', k('missing'), 'a'],
      ['SMISMEMBER', k('s'), 'a', 'z', 'd', 'a'],
      ['SMISMEMBER', k('missing'), 'a', 'b'],
      ['SREM', k('s'), 'z'],
      ['SREM', k('s'), 'a', 'a', 'z'],
      ['SREM', k('missing'), 'a'],
      ['SCARD', k('s')],
      ['SREM', k('s'), 'b', 'c', 'd', 'e'],
      ['EXISTS', k('s')],
      ['SMEMBERS', k('missing')],
      ['SADD', k('e'), ''],
      ['SISMEMBER', k('e'), ''],
      ['SMEMBERS', k('e')],
      ['TYPE', k('e')],
    ]);

    compat(pair, 'intset-order-and-encoding', (k) => [
      ['SADD', k('i'), '5', '-3', '100', '0', '42', LLONG_MAX, LLONG_MIN, '9007199254740993', '-9007199254740993'],
      ['OBJECT', 'ENCODING', k('i')],
      ['SMEMBERS', k('i')],
      ['SISMEMBER', k('i'), '42'],
      ['SISMEMBER', k('i'), '042'],
      ['SISMEMBER', k('i'), '9007199254740993'],
      ['SISMEMBER', k('i'), '9007199254740992'],
      ['SISMEMBER', k('i'), 'x'],
      ['SREM', k('i'), '042', '+5', '5'],
      ['SMEMBERS', k('i')],
      ['SUNION', k('i')],
      ['SSCAN', k('i'), '0'],
      ['SRANDMEMBER', k('i'), '100'],
      ['SADD', k('i'), '07'],
      ['OBJECT', 'ENCODING', k('i')],
      ['SADD', k('j'), '9223372036854775808'],
      ['OBJECT', 'ENCODING', k('j')],
      ['SADD', k('m'), '-0'],
      ['OBJECT', 'ENCODING', k('m')],
      ['SADD', k('n'), ' 1'],
      ['OBJECT', 'ENCODING', k('n')],
      ['SADD', k('o'), '1', 'x'],
      ['OBJECT', 'ENCODING', k('o')],
      ['SREM', k('o'), 'x'],
      ['OBJECT', 'ENCODING', k('o')],
      ['SADD', k('p'), 'x', '1'],
      ['OBJECT', 'ENCODING', k('p')],
    ]);

    compat(pair, 'intset-entries-threshold', (k) => [
      ['SADD', k('s'), ...members(512)],
      ['OBJECT', 'ENCODING', k('s')],
      ['SADD', k('s'), '0'],
      ['OBJECT', 'ENCODING', k('s')],
      ['SADD', k('s'), '512'],
      ['OBJECT', 'ENCODING', k('s')],
      ['SREM', k('s'), '512', '511'],
      ['OBJECT', 'ENCODING', k('s')],
      ['SCARD', k('s')],
      ['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      ['SADD', k('t'), '1', '2'],
      ['OBJECT', 'ENCODING', k('t')],
      ['SADD', k('t'), '3'],
      ['OBJECT', 'ENCODING', k('t')],
      ['CONFIG', 'SET', 'set-max-intset-entries', '0'],
      ['SADD', k('u'), '1'],
      ['OBJECT', 'ENCODING', k('u')],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ]);

    compat(pair, 'binary-members', (k) => [
      ['SADD', k('s'), BINARY, '\xff', '\x00', 'x'],
      ['SISMEMBER', k('s'), BINARY],
      ['SMISMEMBER', k('s'), '\x00', '\x00\x00'],
      ['SREM', k('s'), '\xff', 'x'],
      ['SCARD', k('s')],
      ['SMOVE', k('s'), k('d'), BINARY],
      ['SMEMBERS', k('d')],
    ]);

    compat(pair, 'wrongtype', (k) => [
      ['SET', k('str'), 'x'],
      ['SADD', k('a'), '1', '2', '3'],
      ['SADD', k('str'), 'a'],
      ['SREM', k('str'), 'a'],
      ['SMEMBERS', k('str')],
      ['SISMEMBER', k('str'), 'a'],
      ['SMISMEMBER', k('str'), 'a'],
      ['SCARD', k('str')],
      ['SPOP', k('str')],
      ['SPOP', k('str'), '2'],
      ['SRANDMEMBER', k('str')],
      ['SRANDMEMBER', k('str'), '2'],
      ['SSCAN', k('str'), '0'],
      ['SINTER', k('a'), k('str')],
      ['SINTER', k('missing'), k('str')],
      ['SINTERSTORE', k('d'), k('a'), k('missing'), k('str')],
      ['SINTERSTORE', k('d'), k('missing'), k('str')],
      ['SINTERCARD', '2', k('missing'), k('str')],
      ['SUNION', k('missing'), k('str')],
      ['SUNIONSTORE', k('d'), k('a'), k('str')],
      ['SDIFF', k('missing'), k('str')],
      ['SDIFF', k('a'), k('str')],
      ['SDIFFSTORE', k('d'), k('a'), k('str')],
      ['EXISTS', k('d')],
      ['SADD', k('d'), 'x'],
      ['SINTERSTORE', k('d'), k('missing'), k('str')],
      ['SMEMBERS', k('d')],
    ]);

    compat(pair, 'smove', (k) => [
      ['SADD', k('a'), '1', '2', 'x'],
      ['SADD', k('b'), '3'],
      ['SET', k('str'), 'v'],
      ['SMOVE', k('a'), k('b'), '1'],
      ['SMEMBERS', k('b')],
      ['OBJECT', 'ENCODING', k('b')],
      ['SMOVE', k('a'), k('b'), 'nope'],
      ['SMOVE', k('a'), k('b'), 'x'],
      ['OBJECT', 'ENCODING', k('b')],
      ['SMISMEMBER', k('b'), '1', '3', 'x', '2'],
      ['SMOVE', k('a'), k('new'), '2'],
      ['EXISTS', k('a')],
      ['SMEMBERS', k('new')],
      ['OBJECT', 'ENCODING', k('new')],
      ['SMOVE', k('missing'), k('str'), '1'],
      ['SMOVE', k('str'), k('b'), '1'],
      ['SMOVE', k('b'), k('str'), '1'],
      ['SMOVE', k('b'), k('b'), '1'],
      ['SMOVE', k('b'), k('b'), 'nope'],
      ['SADD', k('c'), '1'],
      ['SMOVE', k('b'), k('c'), '1'],
      ['SMISMEMBER', k('b'), '1', '3', 'x'],
      ['SMEMBERS', k('c')],
      ['SMOVE', k('c'), k('x'), 'a'],
      ['SADD', k('y'), 'word'],
      ['SMOVE', k('y'), k('z'), 'word'],
      ['OBJECT', 'ENCODING', k('z')],
    ]);

    compat(pair, 'sinter-sunion-sdiff-on-intsets', (k) => [
      ['SADD', k('a'), '1', '2', '3', '4', '5'],
      ['SADD', k('b'), '4', '5', '6', '7'],
      ['SADD', k('c'), '5', '7', '9'],
      ['SINTER', k('a'), k('b')],
      ['SINTER', k('a'), k('b'), k('c')],
      ['SINTER', k('a'), k('a')],
      ['SINTER', k('a'), k('missing')],
      ['SUNION', k('a'), k('b'), k('c')],
      ['SUNION', k('a'), k('missing')],
      ['SUNION', k('missing')],
      ['SDIFF', k('a'), k('b')],
      ['SDIFF', k('a'), k('b'), k('c')],
      ['SDIFF', k('a'), k('a')],
      ['SDIFF', k('a'), k('b'), k('a')],
      ['SDIFF', k('a'), k('missing')],
      ['SDIFF', k('missing'), k('a')],
      ['SINTERCARD', '2', k('a'), k('b')],
      ['SINTERCARD', '1', k('a')],
      ['SINTERCARD', '3', k('a'), k('b'), k('c')],
      ['SINTERCARD', '2', k('a'), k('missing')],
      ['SINTERCARD', '1', k('a'), 'LIMIT', '3'],
      ['SINTERCARD', '1', k('a'), 'LIMIT', '0'],
      ['SINTERCARD', '1', k('a'), 'limit', '100'],
      ['SINTERCARD', '1', k('a'), 'LIMIT', '1', 'LIMIT', '2'],
    ]);

    compat(pair, 'store-commands', (k) => [
      ['SADD', k('a'), '1', '2', '3', 'x', 'y'],
      ['SADD', k('b'), '2', '3', 'y', 'z'],
      ['SADD', k('ints'), '3', '1', '2'],
      ['SINTERSTORE', k('d'), k('a'), k('ints')],
      ['SMEMBERS', k('d')],
      ['OBJECT', 'ENCODING', k('d')],
      ['SINTERSTORE', k('d'), k('a'), k('b')],
      ['OBJECT', 'ENCODING', k('d')],
      ['SCARD', k('d')],
      ['SUNIONSTORE', k('d'), k('ints'), k('missing')],
      ['OBJECT', 'ENCODING', k('d')],
      ['SMEMBERS', k('d')],
      ['SDIFFSTORE', k('d'), k('a'), k('b')],
      ['OBJECT', 'ENCODING', k('d')],
      ['SMISMEMBER', k('d'), '1', 'x', '2', 'y'],
      ['SDIFFSTORE', k('d'), k('a'), k('a')],
      ['EXISTS', k('d')],
      ['SET', k('d'), 'string'],
      ['EXPIRE', k('d'), '100'],
      ['SUNIONSTORE', k('d'), k('ints')],
      ['TYPE', k('d')],
      ['TTL', k('d')],
      ['SINTERSTORE', k('d'), k('missing'), k('a')],
      ['EXISTS', k('d')],
      ['SINTERSTORE', k('d'), k('missing'), k('a')],
      ['SUNIONSTORE', k('d'), k('missing')],
      ['SDIFFSTORE', k('d'), k('missing'), k('a')],
      ['SINTERSTORE', k('a'), k('a'), k('ints')],
      ['SMEMBERS', k('a')],
      ['OBJECT', 'ENCODING', k('a')],
      ['SINTERCARD', '2', k('b'), k('ints')],
    ]);

    compat(pair, 'sdiff-algorithm-shows-in-encoding', (k) => [
      // A small first set against big others: algorithm 1, integers only -> intset.
      ['SADD', k('a'), '1', 'x'],
      ['SADD', k('b'), 'x', ...members(20, 'm')],
      ['SDIFFSTORE', k('d1'), k('a'), k('b')],
      ['OBJECT', 'ENCODING', k('d1')],
      // A big first set against a small one: algorithm 2 copies the first set (a hashtable)
      // and removes from it, so the result stays a hashtable.
      ['SADD', k('c'), 'x', ...members(20)],
      ['SADD', k('e'), 'x'],
      ['SDIFFSTORE', k('d2'), k('c'), k('e')],
      ['OBJECT', 'ENCODING', k('d2')],
      ['SCARD', k('d2')],
      ['SDIFFSTORE', k('d3'), k('c'), k('e'), k('missing'), k('e')],
      ['OBJECT', 'ENCODING', k('d3')],
      ['SDIFF', k('c'), k('c'), k('e')],
    ]);

    compat(pair, 'sintercard-errors', (k) => [
      ['SADD', k('a'), '1'],
      ['SINTERCARD', '0', k('a')],
      ['SINTERCARD', '-1', k('a')],
      ['SINTERCARD', 'x', k('a')],
      ['SINTERCARD', '9223372036854775808', k('a')],
      ['SINTERCARD', '3', k('a'), k('b')],
      ['SINTERCARD', '1', k('a'), 'LIMIT', '-1'],
      ['SINTERCARD', '1', k('a'), 'LIMIT', 'x'],
      ['SINTERCARD', '1', k('a'), 'LIMIT'],
      ['SINTERCARD', '1', k('a'), 'FOO', '1'],
      ['SINTERCARD', '1', k('a'), 'limit\x00x', '1'],
      ['SINTERCARD', '2', k('a'), 'LIMIT', '1'],
    ]);

    compat(pair, 'spop-errors-and-deterministic-cases', (k) => [
      ['SPOP', k('missing')],
      ['SPOP', k('missing'), '3'],
      ['SPOP', k('missing'), '0'],
      ['SPOP', k('missing'), '-1'],
      ['SADD', k('s'), '3', '1', '2'],
      ['SPOP', k('s'), '-1'],
      ['SPOP', k('s'), 'x'],
      ['SPOP', k('s'), '1.5'],
      ['SPOP', k('s'), LLONG_MIN],
      ['SPOP', k('s'), '1', '2'],
      ['SPOP', k('s'), '0'],
      ['SPOP', k('s'), '3'],
      ['EXISTS', k('s')],
      ['SADD', k('s'), '3', '1', '2'],
      ['SPOP', k('s'), LLONG_MAX],
      ['SADD', k('one'), 'only'],
      ['SPOP', k('one')],
      ['EXISTS', k('one')],
      ['SADD', k('one'), 'only'],
      ['SPOP', k('one'), '1'],
      ['EXISTS', k('one')],
    ]);

    compat(pair, 'srandmember-errors-and-deterministic-cases', (k) => [
      ['SRANDMEMBER', k('missing')],
      ['SRANDMEMBER', k('missing'), '3'],
      ['SRANDMEMBER', k('missing'), '-3'],
      ['SADD', k('s'), '3', '1', '2'],
      ['SRANDMEMBER', k('s'), '0'],
      ['SRANDMEMBER', k('s'), '3'],
      ['SRANDMEMBER', k('s'), '100'],
      ['SRANDMEMBER', k('s'), LLONG_MAX],
      ['SRANDMEMBER', k('s'), 'x'],
      ['SRANDMEMBER', k('s'), '1', '2'],
      ['SRANDMEMBER', k('s'), LLONG_MIN],
      ['SRANDMEMBER', k('missing'), LLONG_MIN],
      ['SADD', k('one'), 'only'],
      ['SRANDMEMBER', k('one')],
      ['SRANDMEMBER', k('one'), '1'],
      ['SRANDMEMBER', k('one'), '-3'],
    ]);

    compat(pair, 'sscan-intset', (k) => [
      ['SSCAN', k('missing'), '0'],
      ['SADD', k('s'), '10', '1', '12', '2', '100'],
      ['SSCAN', k('s'), '0'],
      ['SSCAN', k('s'), '0', 'COUNT', '1'],
      ['SSCAN', k('s'), '0', 'MATCH', '1*'],
      ['SSCAN', k('s'), '0', 'MATCH', '*0', 'COUNT', '100'],
      ['SSCAN', k('s'), '7'],
      ['SSCAN', k('s'), 'x'],
      ['SSCAN', k('s'), '0', 'COUNT', '0'],
      ['SSCAN', k('s'), '0', 'COUNT', 'x'],
      ['SSCAN', k('s'), '0', 'MATCH'],
      ['SSCAN', k('s'), '0', 'TYPE', 'set'],
      ['SSCAN', k('missing'), '0', 'COUNT', '0'],
    ]);

    compat(pair, 'expired-keys', (k) => [
      ['SADD', k('s'), 'a'],
      ['SADD', k('t'), 'a', 'b'],
      ['PEXPIRE', k('s'), '1'],
      ['DEBUG', 'SLEEP', '0.01'],
      ['SISMEMBER', k('s'), 'a'],
      ['SINTER', k('t'), k('s')],
      ['SUNIONSTORE', k('u'), k('t'), k('s')],
      ['SMISMEMBER', k('u'), 'a', 'b'],
      ['SMOVE', k('s'), k('t'), 'a'],
      ['SADD', k('s'), 'b'],
      ['TTL', k('s')],
      ['SMEMBERS', k('s')],
      ['EXPIRE', k('t'), '100'],
      ['SADD', k('t'), 'c'],
      ['SREM', k('t'), 'a'],
      ['TTL', k('t')],
    ]);

    compat(pair, 'digest', (k) => [
      ['SADD', k('ints'), '3', '1', '2'],
      ['SADD', k('words'), 'a', 'b', BINARY],
      ['SADD', k('big'), ...members(600, 'm')],
      ['DEBUG', 'DIGEST-VALUE', k('ints'), k('words'), k('big')],
      ['SADD', k('mixed'), '1', 'x'],
      ['SREM', k('mixed'), 'x'],
      ['SADD', k('plain'), '1'],
      ['DEBUG', 'DIGEST-VALUE', k('mixed'), k('plain')],
      ['DEBUG', 'DIGEST'],
    ]);

    compat(pair, 'copy-rename', (k) => [
      ['SADD', k('s'), '1', '2'],
      ['COPY', k('s'), k('c')],
      ['SADD', k('c'), 'x'],
      ['SMEMBERS', k('s')],
      ['OBJECT', 'ENCODING', k('s')],
      ['OBJECT', 'ENCODING', k('c')],
      ['RENAME', k('c'), k('d')],
      ['SCARD', k('d')],
    ]);

    for (const resp of [2, 3] as const) {
      test(`hashtable replies, order aside (RESP${resp})`, async () => {
        await expectSameUnordered(
          pair,
          [
            ['SADD', 'a', ...members(300, 'm'), ...members(50)],
            ['SADD', 'b', ...members(100, 'm', 250), ...members(10)],
            ['SADD', 'c', 'x', 'm1', 'm260'],
          ],
          [
            ['SMEMBERS', 'a'],
            ['SINTER', 'a', 'b'],
            ['SINTER', 'b', 'a', 'c'],
            ['SUNION', 'a', 'b', 'c'],
            ['SDIFF', 'a', 'b'],
            ['SDIFF', 'b', 'a'],
            ['SDIFF', 'a', 'b', 'c'],
            ['SRANDMEMBER', 'b', '1000'],
            ['SINTERSTORE', 'd', 'a', 'b'],
            ['SMEMBERS', 'd'],
            ['OBJECT', 'ENCODING', 'd'],
            ['SUNIONSTORE', 'd', 'a', 'b'],
            ['SMEMBERS', 'd'],
            ['SDIFFSTORE', 'd', 'a', 'b'],
            ['SMEMBERS', 'd'],
            ['OBJECT', 'ENCODING', 'd'],
          ],
          resp,
        );
      });
    }

    test('SSCAN on a hashtable returns every member once a full iteration ends', async () => {
      const [redis, nodis] = await onBoth(pair, async (conn) => {
        await callParsed(conn, 'FLUSHALL');
        await callParsed(conn, 'SADD', 'big', ...members(1000, 'm'));
        const all = await fullScan(conn, 'SSCAN', 'big');
        const matched = await fullScan(conn, 'SSCAN', 'big', ['MATCH', 'm1*', 'COUNT', '50']);
        return { all: all.elements, matched: matched.elements, manyCalls: all.calls > 10 };
      });
      expect(nodis).toEqual(redis);
      expect(nodis.all).toHaveLength(1000);
    });

    for (const resp of [2, 3] as const) {
      test(`SRANDMEMBER and SPOP random replies: shapes and members as redis-server (RESP${resp})`, async () => {
        const contents: [string, string[]][] = [
          ['ints', members(40)],
          ['words', members(40, 'w')],
          ['big', members(700, 'b')],
          // A hashtable of integers: survivors of a big SPOP go to a new set, an intset again.
          ['bigints', members(600)],
        ];
        const [redis, nodis] = await onBoth(pair, async (conn) => {
          if (resp === 3) await callParsed(conn, 'HELLO', '3');
          await callParsed(conn, 'FLUSHALL');
          const shapes: unknown[] = [];
          for (const [key, content] of contents) {
            await callParsed(conn, 'SADD', key, ...content);
            const all = new Set(content);
            for (const count of ['-50', '-1', '1', '2', '13', '20', '39']) {
              const reply = await callParsed(conn, 'SRANDMEMBER', key, count);
              const items = itemsOf(reply);
              shapes.push({
                count,
                shape: shapeOf(reply),
                length: items.length,
                members: items.every((m) => all.has(m)),
                unique: new Set(items).size === items.length || Number(count) < 0,
              });
            }
            shapes.push({ single: shapeOf(await callParsed(conn, 'SRANDMEMBER', key)) });
            // SPOP: small counts, then most of the set, then the rest.
            let left = content.length;
            for (const count of [null, '1', '3', String(content.length - 8), '100']) {
              const reply = await callParsed(conn, 'SPOP', key, ...(count === null ? [] : [count]));
              const items = count === null ? [reply as string] : itemsOf(reply);
              for (const m of items) {
                if (!all.delete(m)) throw new Error(`SPOP returned ${m}, not a member`);
              }
              left -= items.length;
              const card = await callParsed(conn, 'SCARD', key);
              const encoding = left > 0 ? await callParsed(conn, 'OBJECT', 'ENCODING', key) : null;
              shapes.push({ count, shape: shapeOf(reply), popped: items.length, card, left, encoding });
            }
          }
          return shapes;
        });
        expect(nodis).toEqual(redis);
      });
    }
  },
  { nodis: { config: { 'enable-debug-command': 'yes' } }, redisDirectives: ['--enable-debug-command', 'yes'] },
);

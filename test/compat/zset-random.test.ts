/**
 * ZRANDMEMBER and ZSCAN against redis-server 7.0.15. Exact where Redis is deterministic (counts
 * covering the whole set, errors, listpack scans); otherwise the replies are compared by shape,
 * membership, uniqueness and order rules, and skiplist scans by the set of pairs they return.
 */
import { expect, test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { onBoth } from './on-both';
import { fullScan } from './unordered';
import { callParsed, type RespValue } from '../helpers/resp-value';
import type { RawConnection } from '../helpers/raw-connection';

function pairs(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i), `m${String(i).padStart(3, '0')}`);
  return out;
}

/** Members and scores of a WITHSCORES reply, flat (RESP2) or as pairs (RESP3). */
function scoredItems(reply: RespValue): [string, string][] {
  const items = reply as RespValue[];
  if (items.length > 0 && Array.isArray(items[0])) {
    return (items as [string, { double: string }][]).map(([m, s]) => [m, s.double]);
  }
  const out: [string, string][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i] as string, items[i + 1] as string]);
  return out;
}

describeCompat('zset random and scan compat', (pair) => {
  compat(pair, 'zrandmember-deterministic', (k) => [
    ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c'],
    ['ZRANDMEMBER', k('z'), '3'],
    ['ZRANDMEMBER', k('z'), '100', 'WITHSCORES'],
    ['ZRANDMEMBER', k('z'), '0'],
    ['ZRANDMEMBER', k('z'), '0', 'WITHSCORES'],
    ['ZRANDMEMBER', k('missing')],
    ['ZRANDMEMBER', k('missing'), '5'],
    ['ZRANDMEMBER', k('missing'), '-5', 'WITHSCORES'],
    ['ZADD', k('one'), '7', 'only'],
    ['ZRANDMEMBER', k('one')],
    ['ZRANDMEMBER', k('one'), '-3', 'WITHSCORES'],
    ['ZRANDMEMBER', k('one'), '1', 'WITHSCORES'],
    ['ZADD', k('big'), ...pairs(200)],
    ['ZRANDMEMBER', k('big'), '200', 'WITHSCORES'],
  ]);

  compat(pair, 'zrandmember-errors', (k) => [
    ['ZADD', k('z'), '1', 'a'],
    ['ZRANDMEMBER', k('z'), 'x'],
    ['ZRANDMEMBER', k('z'), '1.5'],
    ['ZRANDMEMBER', k('z'), '-9223372036854775808'],
    ['ZRANDMEMBER', k('z'), '-9223372036854775807', 'x'],
    ['ZRANDMEMBER', k('z'), '1', 'WITHSCORE'],
    ['ZRANDMEMBER', k('z'), '1', 'WITHSCORES', 'x'],
    ['ZRANDMEMBER', k('z'), '4611686018427387904', 'WITHSCORES'],
    ['ZRANDMEMBER', k('z'), '-4611686018427387904', 'WITHSCORES'],
    ['ZRANDMEMBER', k('z'), '9223372036854775807'],
    ['SET', k('str'), 'v'],
    ['ZRANDMEMBER', k('str')],
    ['ZRANDMEMBER', k('str'), '1'],
    ['ZRANDMEMBER', k('str'), 'x'],
  ]);

  for (const resp of [2, 3] as const) {
    test(`zrandmember random shapes (RESP${resp})`, async () => {
      const check = async (conn: RawConnection, key: string, size: number) => {
        if (resp === 3) await callParsed(conn, 'HELLO', '3');
        await callParsed(conn, 'DEL', key);
        await callParsed(conn, 'ZADD', key, ...pairs(size));
        const one = await callParsed(conn, 'ZRANDMEMBER', key);
        const unique = scoredItems(await callParsed(conn, 'ZRANDMEMBER', key, '5', 'WITHSCORES'));
        const repeated = scoredItems(await callParsed(conn, 'ZRANDMEMBER', key, '-30', 'WITHSCORES'));
        const plain = (await callParsed(conn, 'ZRANDMEMBER', key, '-4')) as string[];
        const most = scoredItems(await callParsed(conn, 'ZRANDMEMBER', key, String(size - 1), 'WITHSCORES'));
        return { one, unique, repeated, plain, most };
      };
      for (const size of [20, 300]) {
        const [redis, nodis] = await onBoth(pair, (conn) => check(conn, `rand:${resp}:${size}`, size));
        for (const result of [redis, nodis]) {
          const valid = (m: string, s: string) => m === `m${String(Number(s)).padStart(3, '0')}`;
          expect(typeof result.one).toBe('string');
          expect(result.unique).toHaveLength(5);
          expect(new Set(result.unique.map(([m]) => m)).size).toBe(5);
          expect(result.repeated).toHaveLength(30);
          expect(result.plain).toHaveLength(4);
          expect(result.most).toHaveLength(size - 1);
          expect(new Set(result.most.map(([m]) => m)).size).toBe(size - 1);
          for (const [m, s] of [...result.unique, ...result.repeated, ...result.most]) expect(valid(m, s)).toBe(true);
        }
        // A listpack's unique sample comes in listpack (score) order on both.
        if (size === 20) {
          for (const result of [redis, nodis]) {
            const scores = result.unique.map(([, s]) => Number(s));
            expect(scores).toEqual([...scores].sort((a, b) => a - b));
          }
        }
      }
    });
  }

  compat(pair, 'zscan-listpack', (k) => [
    ['ZADD', k('z'), '1', 'a', '2.5', 'b', '-inf', 'c', '1e17', 'd', '-0', 'e', '\x00\xff', 'aa'],
    ['ZSCAN', k('z'), '0'],
    ['ZSCAN', k('z'), '0', 'COUNT', '1'],
    ['ZSCAN', k('z'), '0', 'MATCH', 'a*'],
    ['ZSCAN', k('z'), '0', 'MATCH', '*', 'COUNT', '100'],
    ['ZSCAN', k('z'), '12345'],
    ['ZSCAN', k('missing'), '0'],
    ['ZSCAN', k('missing'), '0', 'FOO'],
    ['ZSCAN', k('z'), 'x'],
    ['ZSCAN', k('z'), '-1'],
    ['ZSCAN', k('z'), '0', 'COUNT', '0'],
    ['ZSCAN', k('z'), '0', 'COUNT', 'x'],
    ['ZSCAN', k('z'), '0', 'TYPE', 'zset'],
    ['ZSCAN', k('z'), '0', 'MATCH'],
    ['SET', k('str'), 'v'],
    ['ZSCAN', k('str'), '0'],
    ['ZSCAN', k('str'), 'x'],
  ]);

  test('zscan of a skiplist returns every pair once the cursor is back to 0', async () => {
    const [redis, nodis] = await onBoth(pair, async (conn) => {
      await callParsed(conn, 'DEL', 'scan:big');
      const args = pairs(500);
      args.push('0.1', 'frac', 'inf', 'top', '1e17', 'huge');
      await callParsed(conn, 'ZADD', 'scan:big', ...args);
      const all = await fullScan(conn, 'ZSCAN', 'scan:big', [], true);
      const matched = await fullScan(conn, 'ZSCAN', 'scan:big', ['MATCH', 'm1*', 'COUNT', '7'], true);
      return { all: all.elements, matched: matched.elements, several: all.calls > 1 };
    });
    expect(nodis).toEqual(redis);
    expect(nodis.all).toHaveLength(503);
    expect(nodis.several).toBe(true);
  });
});

/**
 * SORT and SORT_RO against redis-server 7.0.15, byte for byte, in RESP2 and RESP3, on lists,
 * sets (intsets, whose order is known) and sorted sets.
 */
import { test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { expectSameUnordered } from './unordered';

describeCompat('sort compat', (pair) => {
  compat(pair, 'numeric-and-alpha', (k) => [
    ['RPUSH', k('l'), '3', '10', '-1', '2.5', '0', '1e2', ' 7', '0x10', '', '-inf', '10'],
    ['SORT', k('l')],
    ['SORT', k('l'), 'DESC'],
    ['SORT', k('l'), 'ALPHA'],
    ['SORT', k('l'), 'alpha', 'desc'],
    ['SORT', k('l'), 'LIMIT', '2', '3'],
    ['SORT', k('l'), 'LIMIT', '-5', '3'],
    ['SORT', k('l'), 'LIMIT', '2', '-1'],
    ['SORT', k('l'), 'LIMIT', '100', '3'],
    ['SORT', k('l'), 'LIMIT', '0', '0'],
    ['SORT', k('l'), 'LIMIT', '10', '5'],
    ['SORT_RO', k('l'), 'DESC', 'LIMIT', '1', '2'],
    ['RPUSH', k('bad'), '1', 'x'],
    ['SORT', k('bad')],
    ['SORT', k('bad'), 'ALPHA'],
    ['RPUSH', k('bad2'), '1e400'],
    ['SORT', k('bad2')],
    ['RPUSH', k('bad3'), 'nan'],
    ['SORT', k('bad3')],
    ['RPUSH', k('bad4'), '1e-310'],
    ['SORT', k('bad4')],
    ['RPUSH', k('nul'), '5\x00junk', '3', '\x00', 'a\x00b', 'a\x00a'],
    ['SORT', k('nul')],
    ['SORT', k('nul'), 'ALPHA'],
    ['RPUSH', k('ties'), 'b', '1', 'a', '01', '1.0'],
    ['SORT', k('ties'), 'LIMIT', '0', '2'],
  ]);

  compat(pair, 'sets-and-sorted-sets', (k) => [
    ['SADD', k('s'), '5', '-2', '17', '3'],
    ['SORT', k('s')],
    ['SORT', k('s'), 'DESC', 'ALPHA'],
    ['SORT', k('s'), 'BY', 'nosort'],
    ['SORT', k('s'), 'BY', 'nosort', 'LIMIT', '1', '2'],
    ['SORT', k('s'), 'BY', 'nosort', 'STORE', k('dst')],
    ['LRANGE', k('dst'), '0', '-1'],
    ['SADD', k('w'), 'b', 'c', 'a'],
    ['SORT', k('w'), 'ALPHA'],
    ['SORT', k('w'), 'BY', 'nosort', 'STORE', k('dst')],
    ['LRANGE', k('dst'), '0', '-1'],
    ['ZADD', k('z'), '3', 'c', '1', 'a', '2', 'b', '2', 'bb'],
    ['SORT', k('z'), 'ALPHA'],
    ['SORT', k('z'), 'BY', 'nosort'],
    ['SORT', k('z'), 'BY', 'nosort', 'DESC'],
    ['SORT', k('z'), 'BY', 'nosort', 'LIMIT', '1', '2'],
    ['SORT', k('z'), 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
    ['SORT', k('z'), 'BY', 'nosort', 'LIMIT', '3', '10'],
    ['SORT', k('z'), 'BY', 'nosort', 'LIMIT', '9', '10'],
    ['ZADD', k('zn'), '1', '30', '2', '4', '3', '100'],
    ['SORT', k('zn')],
    ['RPUSH', k('l'), 'x', 'y', 'z'],
    ['SORT', k('l'), 'BY', 'nosort', 'DESC'],
    ['SORT', k('l'), 'BY', 'nosort', 'DESC', 'LIMIT', '1', '5'],
    ['SORT', k('l'), 'BY', 'nosort', 'LIMIT', '1', '1'],
    ['SORT', k('l'), 'BY', 'nosort', 'LIMIT', '5', '1'],
  ]);

  compat(pair, 'by-and-get-patterns', (k) => [
    ['RPUSH', k('ids'), '1', '2', '3', '4'],
    ['MSET', k('w_1'), '40', k('w_2'), '10', k('w_3'), '30', k('o_1'), 'one', k('o_2'), 'two', k('o_3'), 'three'],
    ['HSET', k('h_1'), 'rank', '2', 'name', 'uno'],
    ['HSET', k('h_2'), 'rank', '1', 'name', 'dos'],
    ['HSET', k('h_4'), 'rank', 'zz', 'name', 'cuatro'],
    ['SORT', k('ids'), 'BY', k('w_*')],
    ['SORT', k('ids'), 'BY', k('w_*'), 'DESC'],
    ['SORT', k('ids'), 'BY', k('w_*'), 'GET', k('o_*')],
    ['SORT', k('ids'), 'BY', k('w_*'), 'GET', '#', 'GET', k('o_*'), 'GET', k('h_*->name')],
    ['SORT', k('ids'), 'BY', k('h_*->rank'), 'ALPHA'],
    ['SORT', k('ids'), 'BY', k('h_*->rank')],
    ['SORT', k('ids'), 'BY', k('h_*->rank'), 'GET', k('h_*->name'), 'GET', k('h_*->nope')],
    ['SORT', k('ids'), 'BY', k('o_*'), 'ALPHA'],
    ['SORT', k('ids'), 'BY', k('o_*'), 'ALPHA', 'DESC', 'GET', '#'],
    ['SORT', k('ids'), 'GET', k('missing_*')],
    ['SORT', k('ids'), 'GET', 'nostar'],
    ['SORT', k('ids'), 'GET', k('h_*->')],
    ['SORT', k('ids'), 'GET', k('w_*'), 'BY', 'nosort'],
    ['SORT', k('ids'), 'GET', '#\x00x'],
    ['SORT', k('ids'), 'BY', 'no\x00*', 'GET', '#'],
    ['SORT', k('ids'), 'GET', k('ids')],
    // A BY or GET key of the wrong type counts as missing.
    ['SORT', k('ids'), 'BY', k('ids*'), 'GET', k('h_*')],
    ['SORT_RO', k('ids'), 'BY', k('w_*'), 'LIMIT', '0', '2', 'GET', k('o_*')],
  ]);

  compat(pair, 'store', (k) => [
    ['RPUSH', k('l'), '3', '1', '2'],
    ['SORT', k('l'), 'STORE', k('dst')],
    ['LRANGE', k('dst'), '0', '-1'],
    ['TYPE', k('dst')],
    ['OBJECT', 'ENCODING', k('dst')],
    ['SET', k('other'), 'x'],
    ['EXPIRE', k('other'), '100'],
    ['SORT', k('l'), 'DESC', 'STORE', k('other')],
    ['TTL', k('other')],
    ['LRANGE', k('other'), '0', '-1'],
    ['SORT', k('l'), 'GET', k('nope_*'), 'GET', '#', 'STORE', k('dst')],
    ['LRANGE', k('dst'), '0', '-1'],
    ['SORT', k('l'), 'LIMIT', '0', '0', 'STORE', k('dst')],
    ['EXISTS', k('dst')],
    ['SORT', k('missing'), 'STORE', k('other')],
    ['EXISTS', k('other')],
    ['SORT', k('missing'), 'STORE', k('other')],
    ['SORT', k('l'), 'STORE', k('l')],
    ['LRANGE', k('l'), '0', '-1'],
    ['RPUSH', k('nul'), 'b\x00a', 'b\x00b', 'b'],
    ['SORT', k('nul'), 'ALPHA', 'STORE', k('dst')],
    ['LRANGE', k('dst'), '0', '-1'],
    ['SORT_RO', k('l'), 'STORE', k('dst')],
  ]);

  compat(pair, 'errors-and-missing', (k) => [
    ['SORT', k('missing')],
    ['SORT', k('missing'), 'ALPHA', 'LIMIT', '0', '1'],
    ['SORT_RO', k('missing')],
    ['SET', k('str'), 'x'],
    ['SORT', k('str')],
    ['HSET', k('h'), 'a', '1'],
    ['SORT', k('h')],
    ['SORT_RO', k('h')],
    ['RPUSH', k('l'), '1'],
    ['SORT', k('l'), 'LIMIT', '0'],
    ['SORT', k('l'), 'LIMIT', 'x', '1'],
    ['SORT', k('l'), 'LIMIT', '0', '1.5'],
    ['SORT', k('l'), 'BY'],
    ['SORT', k('l'), 'GET'],
    ['SORT', k('l'), 'STORE'],
    ['SORT', k('l'), 'FOO'],
    ['SORT', k('str'), 'FOO'],
    ['SORT', k('l'), 'asc\x00x', 'limit\x00', '0', '1'],
    ['SORT', k('l'), 'ASC', 'DESC', 'ASC'],
  ]);

  for (const resp of [2, 3] as const) {
    test(`hashtable sets, order aside (RESP${resp})`, async () => {
      const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
      await expectSameUnordered(
        pair,
        [['SADD', 'big', ...words, ...Array.from({ length: 600 }, (_, i) => String(i))]],
        [
          ['SORT', 'big', 'BY', 'nosort'],
          ['SORT', 'big', 'ALPHA', 'BY', 'nosort', 'STORE', 'dst'],
          ['LRANGE', 'dst', '0', '-1'],
        ],
        resp,
      );
      await pair.expectSame(
        [
          ['SADD', 'w', ...words],
          ['SORT', 'w', 'ALPHA'],
          ['SORT', 'w', 'ALPHA', 'DESC', 'LIMIT', '3', '4'],
          ['SORT', 'w', 'BY', 'nosort', 'STORE', 'dst'],
          ['LRANGE', 'dst', '0', '-1'],
        ],
        { resp },
      );
    });
  }
});

describeCompat('SORT converts a sorted set to the skiplist encoding', (pair) => {
  test('OBJECT ENCODING after SORT on a small sorted set', async () => {
    await pair.expectSame([
      ['ZADD', 'z', '1', 'a', '2', 'b'],
      ['OBJECT', 'ENCODING', 'z'],
      ['SORT', 'z', 'ALPHA', 'LIMIT', '0', '1'],
      ['OBJECT', 'ENCODING', 'z'],
    ]);
  });
});

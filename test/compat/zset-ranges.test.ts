/**
 * Sorted set ranges against redis-server 7.0.15, byte for byte, in RESP2 and RESP3: ZRANGE with
 * all its options and errors, the older range commands, ZRANGESTORE and ZREMRANGEBY*, on both
 * encodings.
 */
import { compatScript as compat, describeCompat, type Step } from './harness';

const LONG = 'y'.repeat(70);

/** ZADD arguments for n members with scores 0..n-1 (member names sort like their scores). */
function pairs(n: number, prefix = 'm'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i), `${prefix}${String(i).padStart(3, '0')}`);
  return out;
}

/** ZADD arguments for n members with score 0 (for lexicographic ranges). */
function lexPairs(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push('0', `e${String(i).padStart(3, '0')}`);
  return out;
}

/** The same rank, score and lex range queries, for a key holding pairs(n) and one holding lexPairs(n). */
function rangeQueries(z: string, lex: string): Step[] {
  return [
    ['ZRANGE', z, '0', '4'],
    ['ZRANGE', z, '-3', '-1', 'WITHSCORES'],
    ['ZRANGE', z, '2', '1'],
    ['ZRANGE', z, '-1000', '2'],
    ['ZRANGE', z, '5', '100000'],
    ['ZRANGE', z, '1000', '2000'],
    ['ZRANGE', z, '-9223372036854775808', '9223372036854775807'],
    ['ZRANGE', z, '0', '2', 'REV', 'WITHSCORES'],
    ['ZRANGE', z, '-2', '-1', 'REV'],
    ['ZREVRANGE', z, '0', '2', 'WITHSCORES'],
    ['ZRANGE', z, '3', '(6', 'BYSCORE', 'WITHSCORES'],
    ['ZRANGE', z, '(3', '6', 'BYSCORE', 'LIMIT', '1', '2'],
    ['ZRANGE', z, '-inf', '+inf', 'BYSCORE', 'LIMIT', '2', '3', 'WITHSCORES'],
    ['ZRANGE', z, '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '3'],
    ['ZRANGE', z, '-inf', '+inf', 'BYSCORE', 'LIMIT', '4', '-1'],
    ['ZRANGE', z, '-inf', '+inf', 'BYSCORE', 'LIMIT', '4', '0'],
    ['ZRANGE', z, '-inf', '+inf', 'BYSCORE', 'LIMIT', '100000', '5'],
    ['ZRANGE', z, '6', '3', 'BYSCORE', 'REV', 'WITHSCORES'],
    ['ZRANGE', z, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '1', '3'],
    ['ZRANGE', z, '(6', '(3', 'BYSCORE', 'REV'],
    ['ZRANGE', z, '3', '6', 'BYSCORE', 'REV'],
    ['ZRANGEBYSCORE', z, '2', '4', 'WITHSCORES'],
    ['ZRANGEBYSCORE', z, '-inf', '+inf', 'LIMIT', '3', '2'],
    ['ZRANGEBYSCORE', z, '-inf', '+inf', 'WITHSCORES', 'LIMIT', '1', '1', 'LIMIT', '2', '2'],
    ['ZREVRANGEBYSCORE', z, '4', '2', 'WITHSCORES'],
    ['ZREVRANGEBYSCORE', z, '+inf', '-inf', 'LIMIT', '0', '3'],
    ['ZREVRANGEBYSCORE', z, '2', '4'],
    ['ZRANGEBYSCORE', z, '(2', '(2'],
    ['ZRANGEBYSCORE', z, '1e400', '+inf'],
    ['ZRANGE', lex, '[e001', '(e004', 'BYLEX'],
    ['ZRANGE', lex, '-', '+', 'BYLEX', 'LIMIT', '2', '3'],
    ['ZRANGE', lex, '+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2'],
    ['ZRANGE', lex, '(e005', '[e002', 'BYLEX', 'REV'],
    ['ZRANGE', lex, '-', '+', 'BYLEX', 'LIMIT', '-1', '2'],
    ['ZRANGE', lex, '-', '+', 'BYLEX', 'LIMIT', '1000', '2'],
    ['ZRANGE', lex, '[e002', '+', 'BYLEX', 'LIMIT', '1', '-5'],
    ['ZRANGEBYLEX', lex, '(e001', '[e003'],
    ['ZRANGEBYLEX', lex, '[e', '(f', 'LIMIT', '0', '2'],
    ['ZREVRANGEBYLEX', lex, '[e003', '(e001'],
    ['ZREVRANGEBYLEX', lex, '+', '[e', 'LIMIT', '1', '1'],
    ['ZRANGEBYLEX', lex, '+', '-'],
    ['ZRANGEBYLEX', lex, '[e003', '[e003'],
    ['ZRANGEBYLEX', lex, '(e003', '[e003'],
  ];
}

describeCompat('zset range commands compat', (pair) => {
  compat(pair, 'ranges-listpack', (k) => [
    ['ZADD', k('z'), ...pairs(10)],
    ['ZADD', k('lex'), ...lexPairs(10)],
    ['OBJECT', 'ENCODING', k('z')],
    ...rangeQueries(k('z'), k('lex')),
  ]);

  compat(pair, 'ranges-skiplist', (k) => [
    ['ZADD', k('z'), ...pairs(300)],
    ['ZADD', k('lex'), ...lexPairs(300)],
    ['OBJECT', 'ENCODING', k('lex')],
    ...rangeQueries(k('z'), k('lex')),
    ['ZRANGE', k('z'), '250', '-1', 'REV'],
    ['ZRANGE', k('z'), '100', '(150', 'BYSCORE', 'LIMIT', '20', '5', 'WITHSCORES'],
    ['ZRANGE', k('z'), '150', '100', 'BYSCORE', 'REV', 'LIMIT', '45', '10'],
    ['ZRANGE', k('lex'), '[e100', '+', 'BYLEX', 'LIMIT', '150', '3'],
    ['ZRANGE', k('lex'), '[e100', '-', 'BYLEX', 'REV', 'LIMIT', '90', '20'],
  ]);

  compat(pair, 'range-edge-cases', (k) => [
    ['ZADD', k('z'), '1', 'a', '1', 'b', '1', 'c', '-inf', 'low', 'inf', 'high', '0', '\x00', '0', '\xff'],
    ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ['ZRANGE', k('z'), '-inf', '-inf', 'BYSCORE', 'WITHSCORES'],
    ['ZRANGE', k('z'), '(-inf', '(inf', 'BYSCORE'],
    ['ZRANGE', k('z'), 'inf', 'inf', 'BYSCORE'],
    ['ZRANGE', k('z'), '[\x00', '[\xff', 'BYLEX'],
    ['ZRANGE', k('missing'), '0', '-1'],
    ['ZRANGE', k('missing'), '0', '-1', 'WITHSCORES'],
    ['ZRANGE', k('missing'), '-', '+', 'BYLEX'],
    ['ZRANGEBYSCORE', k('missing'), '0', '1'],
    // Lexicographic ranges over members with different scores: Redis scans the listpack.
    ['ZADD', k('mixed'), '1', 'd', '2', 'a', '3', 'c', '4', 'b', '5', 'e'],
    ['ZRANGE', k('mixed'), '[b', '[d', 'BYLEX'],
    ['ZRANGE', k('mixed'), '[d', '[b', 'BYLEX', 'REV'],
    ['ZRANGE', k('mixed'), '(a', '+', 'BYLEX', 'LIMIT', '1', '2'],
    ['ZLEXCOUNT', k('mixed'), '[b', '[d'],
    ['ZLEXCOUNT', k('mixed'), '[a', '[c'],
    ['ZREMRANGEBYLEX', k('mixed'), '[c', '+'],
    ['ZRANGE', k('mixed'), '0', '-1', 'WITHSCORES'],
  ]);

  compat(pair, 'range-errors', (k) => [
    ['ZADD', k('z'), '1', 'a', '2', 'b'],
    ['ZRANGE', k('z'), 'a', '1'],
    ['ZRANGE', k('z'), '0', '1.5'],
    ['ZRANGE', k('z'), '0', '1', 'LIMIT', '0', '1'],
    ['ZRANGE', k('z'), '0', '1', 'LIMIT', '0', '-1'],
    ['ZRANGE', k('z'), '0', '1', 'LIMIT', '5', '-1', 'WITHSCORES'],
    ['ZRANGE', k('z'), '0', '1', 'LIMIT', 'x', '1'],
    ['ZRANGE', k('z'), '0', '1', 'LIMIT', '1'],
    ['ZRANGE', k('z'), '0', '1', 'BYSCORE', 'LIMIT', '0', 'x'],
    ['ZRANGE', k('z'), '0', '1', 'BYSCORE', 'BYLEX'],
    ['ZRANGE', k('z'), '0', '1', 'BYSCORE', 'BYSCORE'],
    ['ZRANGE', k('z'), '0', '1', 'REV', 'REV'],
    ['ZRANGE', k('z'), '-', '+', 'BYLEX', 'WITHSCORES'],
    ['ZRANGE', k('z'), '0', '1', 'WITHSCORES', 'WITHSCORES'],
    ['ZRANGE', k('z'), '0', '1', 'FOO'],
    ['ZRANGE', k('z'), 'a', 'b', 'BYSCORE'],
    ['ZRANGE', k('z'), '0', '1', 'BYLEX'],
    ['ZRANGE', k('z'), '[a', 'b', 'BYLEX'],
    ['ZRANGE', k('z'), '0', 'x', 'BYSCORE', 'REV'],
    ['ZRANGE', k('z'), '0', '1', 'byscore', 'rev', 'withscores', 'limit', '0', '1'],
    ['ZRANGE', k('z'), '0', '1', 'withscores\x00x'],
    ['ZRANGE', k('z'), '0'],
    ['ZRANGEBYSCORE', k('z'), '0', '1', 'REV'],
    ['ZRANGEBYSCORE', k('z'), '0', '1', 'BYSCORE'],
    ['ZRANGEBYSCORE', k('z'), '0', '1', 'LIMIT', '0'],
    ['ZRANGEBYSCORE', k('z'), 'x', '1'],
    ['ZREVRANGEBYSCORE', k('z'), '1', 'x'],
    ['ZRANGEBYLEX', k('z'), '-', '+', 'WITHSCORES'],
    ['ZRANGEBYLEX', k('z'), 'a', '+'],
    ['ZREVRANGE', k('z'), '0', '1', 'LIMIT', '0', '1'],
    ['ZREVRANGE', k('z'), '0', '1', 'REV'],
    ['ZREVRANGE', k('z'), '0', '1', 'BYSCORE'],
    ['SET', k('str'), 'v'],
    ['ZRANGE', k('str'), '0', '1'],
    ['ZRANGE', k('str'), 'x', '1'],
    ['ZRANGEBYLEX', k('str'), '-', '+'],
    ['ZRANGE', k('missing'), 'x', '1'],
    ['ZRANGE', k('missing'), '0', '1', 'FOO'],
  ]);

  compat(pair, 'zrangestore', (k) => [
    ['ZADD', k('src'), ...pairs(10)],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '2'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', k('dst')],
    ['ZRANGESTORE', k('dst'), k('src'), '(2', '5', 'BYSCORE', 'LIMIT', '1', '2'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', k('dst'), k('src'), '5', '2', 'BYSCORE', 'REV'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', k('dst'), k('src'), '[m003', '+', 'BYLEX', 'LIMIT', '0', '3'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '1', 'REV'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['EXPIRE', k('dst'), '100'],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '0'],
    ['TTL', k('dst')],
    ['ZRANGESTORE', k('dst'), k('src'), '5', '1'],
    ['EXISTS', k('dst')],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '0'],
    ['ZRANGESTORE', k('dst'), k('missing'), '0', '-1'],
    ['EXISTS', k('dst')],
    ['ZRANGESTORE', k('dst'), k('src'), '100', '200', 'BYSCORE'],
    ['SET', k('str'), 'v'],
    ['ZRANGESTORE', k('str'), k('src'), '0', '1'],
    ['TYPE', k('str')],
    ['ZRANGESTORE', k('dst'), k('str'), '0', '1'],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '1', 'WITHSCORES'],
    ['ZRANGESTORE', k('dst'), k('src'), '0', '1', 'LIMIT', '0', '1'],
    ['ZRANGESTORE', k('dst'), k('src'), '-', '+', 'BYLEX', 'WITHSCORES'],
    ['ZRANGESTORE', k('src'), k('src'), '1', '3'],
    ['ZRANGE', k('src'), '0', '-1', 'WITHSCORES'],
    ['ZADD', k('neg0'), '-0', 'a', '1', LONG],
    ['ZRANGESTORE', k('dst'), k('neg0'), '0', '0'],
    ['ZSCORE', k('dst'), 'a'],
  ]);

  compat(pair, 'zrangestore-encodings', (k) => [
    ['ZADD', k('big'), ...pairs(300)],
    ['ZRANGESTORE', k('d1'), k('big'), '0', '127'],
    ['OBJECT', 'ENCODING', k('d1')],
    ['ZRANGESTORE', k('d2'), k('big'), '0', '128'],
    ['OBJECT', 'ENCODING', k('d2')],
    ['ZRANGESTORE', k('d3'), k('big'), '0', '(128', 'BYSCORE'],
    ['OBJECT', 'ENCODING', k('d3')],
    ['ZRANGESTORE', k('d4'), k('big'), '0', '128', 'BYSCORE'],
    ['OBJECT', 'ENCODING', k('d4')],
    ['ZRANGESTORE', k('d5'), k('big'), '-', '+', 'BYLEX', 'LIMIT', '0', '10'],
    ['OBJECT', 'ENCODING', k('d5')],
    ['ZADD', k('long'), '1', 'a', '2', LONG, '3', 'c'],
    ['ZRANGESTORE', k('d6'), k('long'), '0', '0'],
    ['OBJECT', 'ENCODING', k('d6')],
    ['ZRANGESTORE', k('d7'), k('long'), '0', '-1'],
    ['OBJECT', 'ENCODING', k('d7')],
    ['ZRANGE', k('d7'), '0', '-1', 'WITHSCORES'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
    ['ZRANGESTORE', k('d8'), k('long'), '0', '0'],
    ['OBJECT', 'ENCODING', k('d8')],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
  ]);

  compat(pair, 'zremrange', (k) => [
    ['ZADD', k('z'), ...pairs(10)],
    ['ZREMRANGEBYRANK', k('z'), '0', '1'],
    ['ZREMRANGEBYRANK', k('z'), '-2', '-1'],
    ['ZREMRANGEBYRANK', k('z'), '5', '1'],
    ['ZREMRANGEBYRANK', k('z'), '100', '200'],
    ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ['ZREMRANGEBYSCORE', k('z'), '(2', '4'],
    ['ZREMRANGEBYSCORE', k('z'), '100', '200'],
    ['ZREMRANGEBYSCORE', k('z'), '5', '2'],
    ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ['ZADD', k('lex'), ...lexPairs(10)],
    ['ZREMRANGEBYLEX', k('lex'), '[e002', '(e005'],
    ['ZREMRANGEBYLEX', k('lex'), '(e007', '+'],
    ['ZREMRANGEBYLEX', k('lex'), '+', '-'],
    ['ZRANGE', k('lex'), '0', '-1'],
    ['ZREMRANGEBYLEX', k('lex'), '-', '+'],
    ['EXISTS', k('lex')],
    ['ZREMRANGEBYSCORE', k('z'), '-inf', '+inf'],
    ['EXISTS', k('z')],
    ['ZADD', k('z'), '1', 'a'],
    ['ZREMRANGEBYRANK', k('z'), '0', '-1'],
    ['EXISTS', k('z')],
    ['ZREMRANGEBYRANK', k('missing'), '0', '-1'],
    ['ZREMRANGEBYSCORE', k('missing'), '0', '1'],
    ['ZREMRANGEBYLEX', k('missing'), '-', '+'],
    ['ZREMRANGEBYRANK', k('missing'), 'x', '1'],
    ['ZREMRANGEBYSCORE', k('missing'), 'x', '1'],
    ['ZREMRANGEBYLEX', k('missing'), 'x', '+'],
    ['SET', k('str'), 'v'],
    ['ZREMRANGEBYRANK', k('str'), '0', '1'],
    ['ZREMRANGEBYSCORE', k('str'), '0', '1'],
    ['ZREMRANGEBYLEX', k('str'), '-', '+'],
    ['ZREMRANGEBYRANK', k('str'), '0', 'x'],
  ]);

  compat(pair, 'zremrange-skiplist', (k) => [
    ['ZADD', k('z'), ...pairs(300)],
    ['ZREMRANGEBYRANK', k('z'), '10', '19'],
    ['ZREMRANGEBYSCORE', k('z'), '(100', '200'],
    ['ZREMRANGEBYRANK', k('z'), '-5', '-1'],
    ['ZCARD', k('z')],
    ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', k('z')],
    ['ZADD', k('lex'), ...lexPairs(300)],
    ['ZREMRANGEBYLEX', k('lex'), '[e100', '[e199'],
    ['ZREMRANGEBYLEX', k('lex'), '-', '(e010'],
    ['ZRANGE', k('lex'), '0', '-1'],
    ['ZREMRANGEBYSCORE', k('z'), '-inf', '+inf'],
    ['EXISTS', k('z')],
  ]);
});

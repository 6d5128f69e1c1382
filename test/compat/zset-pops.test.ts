/**
 * Sorted set pops against redis-server 7.0.15, byte for byte, in RESP2 and RESP3: ZPOPMIN,
 * ZPOPMAX, ZMPOP, and the blocking forms when they are served at once. Waiting clients are
 * tested in test/commands/zset-blocking.test.ts.
 */
import { compatScript as compat, describeCompat } from './harness';

function pairs(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i), `m${String(i).padStart(3, '0')}`);
  return out;
}

describeCompat('zset pop commands compat', (pair) => {
  compat(pair, 'zpopmin-zpopmax', (k) => [
    ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
    ['ZPOPMIN', k('z')],
    ['ZPOPMAX', k('z')],
    ['ZPOPMIN', k('z'), '2'],
    ['ZPOPMAX', k('z'), '1'],
    ['ZPOPMIN', k('z'), '0'],
    ['ZPOPMAX', k('z'), '100'],
    ['EXISTS', k('z')],
    ['ZPOPMIN', k('z')],
    ['ZPOPMIN', k('z'), '3'],
    ['ZPOPMAX', k('missing'), '0'],
    ['ZADD', k('inf'), 'inf', 'x', '-inf', 'y', '0.1', 'w'],
    ['ZPOPMIN', k('inf'), '5'],
  ]);

  compat(pair, 'zpop-skiplist', (k) => [
    ['ZADD', k('z'), ...pairs(300)],
    ['ZPOPMIN', k('z'), '5'],
    ['ZPOPMAX', k('z'), '5'],
    ['ZPOPMIN', k('z')],
    ['ZCARD', k('z')],
    ['OBJECT', 'ENCODING', k('z')],
    ['ZPOPMAX', k('z'), '1000'],
    ['EXISTS', k('z')],
  ]);

  compat(pair, 'zpop-errors', (k) => [
    ['ZADD', k('z'), '1', 'a'],
    ['ZPOPMIN', k('z'), '-1'],
    ['ZPOPMIN', k('z'), 'x'],
    ['ZPOPMAX', k('missing'), 'x'],
    ['ZPOPMIN', k('z'), '1', '2'],
    ['ZPOPMIN', k('z'), '9223372036854775808'],
    ['SET', k('str'), 'v'],
    ['ZPOPMIN', k('str')],
    ['ZPOPMAX', k('str'), '0'],
    ['ZPOPMIN', k('str'), '-1'],
    ['ZPOPMIN'],
  ]);

  compat(pair, 'zmpop', (k) => [
    ['ZADD', k('a'), '1', 'a1', '2', 'a2', '3', 'a3'],
    ['ZADD', k('b'), '10', 'b1', '20', 'b2'],
    ['ZMPOP', '1', k('a'), 'MIN'],
    ['ZMPOP', '2', k('missing'), k('a'), 'MAX'],
    ['ZMPOP', '2', k('a'), k('b'), 'MIN', 'COUNT', '10'],
    ['ZMPOP', '2', k('a'), k('b'), 'max', 'count', '1'],
    ['ZMPOP', '2', k('a'), k('b'), 'MIN', 'COUNT', '5'],
    ['ZMPOP', '2', k('a'), k('b'), 'MIN'],
    ['EXISTS', k('a'), k('b')],
    ['SET', k('str'), 'v'],
    ['ZADD', k('c'), '1', 'c1'],
    ['ZMPOP', '2', k('str'), k('c'), 'MIN'],
    ['ZMPOP', '2', k('c'), k('str'), 'MIN'],
    ['ZMPOP', '2', k('missing'), k('str'), 'MIN'],
  ]);

  compat(pair, 'zmpop-errors', (k) => [
    ['ZADD', k('a'), '1', 'a1'],
    ['ZMPOP', '0', k('a'), 'MIN'],
    ['ZMPOP', '-1', k('a'), 'MIN'],
    ['ZMPOP', 'x', k('a'), 'MIN'],
    ['ZMPOP', '2', k('a'), 'MIN'],
    ['ZMPOP', '1', k('a'), 'MID'],
    ['ZMPOP', '1', k('a'), 'MIN', 'COUNT'],
    ['ZMPOP', '1', k('a'), 'MIN', 'COUNT', '0'],
    ['ZMPOP', '1', k('a'), 'MIN', 'COUNT', '-5'],
    ['ZMPOP', '1', k('a'), 'MIN', 'COUNT', 'x'],
    ['ZMPOP', '1', k('a'), 'MIN', 'COUNT', '1', 'COUNT', '1'],
    ['ZMPOP', '1', k('a'), 'MIN', 'FOO'],
    ['ZMPOP', '9223372036854775807', k('a'), 'MIN'],
    ['ZMPOP', '1', k('a'), 'min\x00x', 'count\x00', '1'],
    ['ZMPOP', '1', k('a')],
  ]);

  compat(pair, 'blocking-served-at-once', (k) => [
    ['ZADD', k('a'), '1', 'a1', '2', 'a2', '3', 'a3'],
    ['ZADD', k('b'), '1', 'b1'],
    ['BZPOPMIN', k('missing'), k('a'), '0'],
    ['BZPOPMAX', k('a'), k('b'), '0.01'],
    ['BZMPOP', '0', '2', k('missing'), k('b'), 'MAX', 'COUNT', '3'],
    ['BZMPOP', '0', '1', k('a'), 'MIN'],
    ['EXISTS', k('a'), k('b')],
    ['SET', k('str'), 'v'],
    ['ZADD', k('c'), '1', 'c1'],
    ['BZPOPMIN', k('missing'), k('str'), '0'],
    ['BZPOPMIN', k('c'), k('str'), '0'],
    ['BZMPOP', '0', '2', k('missing'), k('str'), 'MIN'],
  ]);

  compat(pair, 'blocking-errors', (k) => [
    ['ZADD', k('a'), '1', 'a1'],
    ['BZPOPMIN', k('a'), 'x'],
    ['BZPOPMIN', k('a'), '-1'],
    ['BZPOPMIN', k('a'), '1e400'],
    ['BZPOPMIN', k('a'), 'nan'],
    ['BZPOPMAX', k('a')],
    ['SET', k('str'), 'v'],
    ['BZPOPMIN', k('str'), 'x'],
    ['BZMPOP', 'x', '1', k('a'), 'MIN'],
    ['BZMPOP', '-1', '1', k('a'), 'MIN'],
    ['BZMPOP', '0', '0', k('a'), 'MIN'],
    ['BZMPOP', 'x', '0', k('a'), 'MIN'],
    ['BZMPOP', '0', '1', k('a'), 'MID'],
    ['BZMPOP', '0', '1', k('a'), 'MIN', 'COUNT', '0'],
    ['BZMPOP', '0', '1', k('a')],
  ]);
});

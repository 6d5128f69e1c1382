/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD against redis-server 7.0.15, byte for
 * byte, in RESP2 and RESP3: weights, aggregates, infinities, plain sets as inputs, errors and the
 * encoding of stored results. Plain sets as inputs are intsets or single-member sets here, whose
 * order Redis reproduces; results are sorted anyway.
 */
import { compatScript as compat, describeCompat } from './harness';

const LONG = 'z'.repeat(65);

function pairs(n: number, prefix = 'm', step = 1): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i * step), `${prefix}${i}`);
  return out;
}

describeCompat('zset set operations compat', (pair) => {
  compat(pair, 'zunion', (k) => [
    ['ZADD', k('a'), '1', 'x', '2', 'y', '3', 'z'],
    ['ZADD', k('b'), '10', 'y', '20', 'z', '30', 'w'],
    ['ZUNION', '2', k('a'), k('b')],
    ['ZUNION', '2', k('a'), k('b'), 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'WEIGHTS', '2', '0.5', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'AGGREGATE', 'MIN', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'AGGREGATE', 'max', 'WITHSCORES', 'WEIGHTS', '1', '-1'],
    ['ZUNION', '3', k('a'), k('missing'), k('b'), 'WITHSCORES'],
    ['ZUNION', '1', k('missing')],
    ['ZUNION', '1', k('missing'), 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('a'), 'WITHSCORES'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', '0', 'WITHSCORES'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', '-1', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'AGGREGATE', 'SUM', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'WEIGHTS', '1', '2', 'WEIGHTS', '3', '4', 'WITHSCORES'],
  ]);

  compat(pair, 'zinter', (k) => [
    ['ZADD', k('a'), '1', 'x', '2', 'y', '3', 'z'],
    ['ZADD', k('b'), '10', 'y', '20', 'z', '30', 'w'],
    ['ZADD', k('c'), '100', 'z', '200', 'y', '300', 'q', '400', 'r'],
    ['ZINTER', '2', k('a'), k('b')],
    ['ZINTER', '2', k('a'), k('b'), 'WITHSCORES'],
    ['ZINTER', '3', k('a'), k('b'), k('c'), 'WITHSCORES'],
    ['ZINTER', '3', k('c'), k('b'), k('a'), 'WEIGHTS', '1', '2', '3', 'AGGREGATE', 'MIN', 'WITHSCORES'],
    ['ZINTER', '2', k('a'), k('b'), 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZINTER', '2', k('a'), k('missing')],
    ['ZINTER', '2', k('a'), k('a'), 'WITHSCORES'],
    ['ZINTERCARD', '2', k('a'), k('b')],
    ['ZINTERCARD', '3', k('a'), k('b'), k('c')],
    ['ZINTERCARD', '2', k('a'), k('b'), 'LIMIT', '1'],
    ['ZINTERCARD', '2', k('a'), k('b'), 'LIMIT', '0'],
    ['ZINTERCARD', '2', k('a'), k('b'), 'LIMIT', '100'],
    ['ZINTERCARD', '2', k('a'), k('missing')],
    ['ZINTERCARD', '1', k('c'), 'LIMIT', '2', 'LIMIT', '3'],
  ]);

  compat(pair, 'zdiff', (k) => [
    ['ZADD', k('a'), '1', 'x', '2', 'y', '3', 'z', '4', 'v'],
    ['ZADD', k('b'), '10', 'y'],
    ['ZADD', k('c'), '10', 'v', '11', 'nope'],
    ['ZDIFF', '1', k('a')],
    ['ZDIFF', '2', k('a'), k('b'), 'WITHSCORES'],
    ['ZDIFF', '3', k('a'), k('b'), k('c'), 'WITHSCORES'],
    ['ZDIFF', '2', k('b'), k('a')],
    ['ZDIFF', '2', k('missing'), k('a')],
    ['ZDIFF', '2', k('a'), k('missing'), 'WITHSCORES'],
    ['ZDIFF', '2', k('a'), k('a')],
    ['ZDIFF', '2', k('a'), k('b'), 'WEIGHTS', '1', '2'],
    ['ZDIFF', '2', k('a'), k('b'), 'AGGREGATE', 'SUM'],
  ]);

  compat(pair, 'infinities-and-nan', (k) => [
    ['ZADD', k('a'), 'inf', 'x', '-inf', 'y', '0', 'z', '5', 'w'],
    ['ZADD', k('b'), '-inf', 'x', 'inf', 'y', 'inf', 'z', '-0', 'w'],
    ['ZUNION', '2', k('a'), k('b'), 'WITHSCORES'],
    ['ZINTER', '2', k('a'), k('b'), 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'WEIGHTS', '0', '0', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'WEIGHTS', 'inf', '-inf', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'AGGREGATE', 'MIN', 'WITHSCORES'],
    ['ZUNION', '2', k('a'), k('b'), 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', '-0', 'WITHSCORES'],
    ['ZUNIONSTORE', k('dst'), '1', k('a'), 'WEIGHTS', '-0'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', '0x10', 'WITHSCORES'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', '1e400'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', 'nan'],
  ]);

  compat(pair, 'plain-sets-as-inputs', (k) => [
    ['SADD', k('ints'), '1', '2', '3'],
    ['SADD', k('one'), 'x'],
    ['ZADD', k('z'), '5', '1', '6', 'x', '7', '9'],
    ['ZUNION', '3', k('ints'), k('one'), k('z'), 'WITHSCORES'],
    ['ZINTER', '2', k('ints'), k('z'), 'WITHSCORES'],
    ['ZINTER', '2', k('z'), k('one'), 'WEIGHTS', '2', '3', 'WITHSCORES'],
    ['ZDIFF', '2', k('z'), k('ints'), 'WITHSCORES'],
    ['ZDIFF', '2', k('ints'), k('z'), 'WITHSCORES'],
    ['ZINTERCARD', '2', k('ints'), k('z')],
    ['ZUNIONSTORE', k('dst'), '2', k('ints'), k('one')],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', k('dst')],
    ['ZUNION', '1', k('ints'), 'AGGREGATE', 'MAX', 'WEIGHTS', '-2', 'WITHSCORES'],
  ]);

  compat(pair, 'store-forms', (k) => [
    ['ZADD', k('a'), '1', 'x', '2', 'y', '3', 'z'],
    ['ZADD', k('b'), '10', 'y', '20', 'z', '30', 'w'],
    ['ZUNIONSTORE', k('dst'), '2', k('a'), k('b')],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZINTERSTORE', k('dst'), '2', k('a'), k('b'), 'WEIGHTS', '1', '3'],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['ZDIFFSTORE', k('dst'), '2', k('a'), k('b')],
    ['ZRANGE', k('dst'), '0', '-1', 'WITHSCORES'],
    ['EXPIRE', k('dst'), '100'],
    ['ZUNIONSTORE', k('dst'), '1', k('a')],
    ['TTL', k('dst')],
    ['ZINTERSTORE', k('dst'), '2', k('a'), k('missing')],
    ['EXISTS', k('dst')],
    ['ZINTERSTORE', k('dst'), '2', k('a'), k('missing')],
    ['ZDIFFSTORE', k('dst'), '2', k('a'), k('a')],
    ['ZUNIONSTORE', k('a'), '2', k('a'), k('b')],
    ['ZRANGE', k('a'), '0', '-1', 'WITHSCORES'],
    ['SET', k('str'), 'v'],
    ['ZUNIONSTORE', k('str'), '1', k('b')],
    ['TYPE', k('str')],
    ['ZUNIONSTORE', k('dst'), '1', k('b'), 'WITHSCORES'],
    ['ZINTERSTORE', k('dst'), '1', k('b'), 'LIMIT', '1'],
    ['ZDIFFSTORE', k('dst'), '1', k('b'), 'WEIGHTS', '1'],
  ]);

  compat(pair, 'store-encodings', (k) => [
    ['ZADD', k('big'), ...pairs(200)],
    ['ZADD', k('other'), ...pairs(100, 'm', 1)],
    ['ZINTERSTORE', k('d1'), '2', k('big'), k('other')],
    ['OBJECT', 'ENCODING', k('d1')],
    ['ZDIFFSTORE', k('d2'), '2', k('big'), k('other')],
    ['OBJECT', 'ENCODING', k('d2')],
    ['ZUNIONSTORE', k('d3'), '1', k('big')],
    ['OBJECT', 'ENCODING', k('d3')],
    ['ZADD', k('long'), '1', LONG, '2', 'short'],
    ['ZUNIONSTORE', k('d4'), '1', k('long')],
    ['OBJECT', 'ENCODING', k('d4')],
    ['ZDIFFSTORE', k('d5'), '2', k('long'), k('long2')],
    ['OBJECT', 'ENCODING', k('d5')],
    ['ZADD', k('long2'), '1', LONG],
    ['ZDIFFSTORE', k('d6'), '2', k('long'), k('long2')],
    ['OBJECT', 'ENCODING', k('d6')],
    ['ZINTERSTORE', k('d7'), '2', k('long'), k('big')],
    ['EXISTS', k('d7')],
    ['ZUNIONSTORE', k('d8'), '2', k('other'), k('long2')],
    ['OBJECT', 'ENCODING', k('d8')],
    ['ZRANGE', k('d1'), '0', '-1', 'WITHSCORES'],
  ]);

  compat(pair, 'setop-errors', (k) => [
    ['ZADD', k('a'), '1', 'x'],
    ['SET', k('str'), 'v'],
    ['RPUSH', k('list'), 'v'],
    ['ZUNION', '0', k('a')],
    ['ZUNION', '-1', k('a')],
    ['ZUNION', 'x', k('a')],
    ['ZUNION', '2', k('a')],
    ['ZUNION', '1', k('str')],
    ['ZUNION', '2', k('a'), k('list')],
    ['ZUNION', '1', k('str'), 'WEIGHTS', 'x'],
    ['ZUNION', '1', k('a'), 'WEIGHTS'],
    ['ZUNION', '1', k('a'), 'WEIGHTS', 'x'],
    ['ZUNION', '2', k('a'), k('a'), 'WEIGHTS', '1'],
    ['ZUNION', '1', k('a'), 'AGGREGATE'],
    ['ZUNION', '1', k('a'), 'AGGREGATE', 'AVG'],
    ['ZUNION', '1', k('a'), 'LIMIT', '1'],
    ['ZUNION', '1', k('a'), 'FOO'],
    ['ZINTER', '0', k('a')],
    ['ZDIFF', '0', k('a')],
    ['ZUNIONSTORE', k('d'), '0', k('a')],
    ['ZINTERSTORE', k('d'), '0', k('a')],
    ['ZDIFFSTORE', k('d'), '0', k('a')],
    ['ZUNIONSTORE', k('d'), '2', k('a')],
    ['ZINTERCARD', '0', k('a')],
    ['ZINTERCARD', 'x', k('a')],
    ['ZINTERCARD', '2', k('a')],
    ['ZINTERCARD', '1', k('a'), 'LIMIT', '-1'],
    ['ZINTERCARD', '1', k('a'), 'LIMIT', 'x'],
    ['ZINTERCARD', '1', k('a'), 'LIMIT'],
    ['ZINTERCARD', '1', k('a'), 'WITHSCORES'],
    ['ZINTERCARD', '1', k('a'), 'WEIGHTS', '1'],
    ['ZINTERCARD', '1', k('str')],
    ['ZUNION', '1', k('a'), 'withscores\x00', 'aggregate\x00', 'max\x00'],
  ]);
});

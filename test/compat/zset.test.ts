/**
 * Sorted set commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3: adding,
 * scoring, counting, ranks, score formatting, encodings and their conversions, DEBUG DIGEST.
 * Ranges, set operations and pops have their own compat files.
 */
import { expect, test } from 'vitest';
import { compatScript as compat, describeCompat, type Step } from './harness';
import { onBoth } from './on-both';

const BINARY = '\x00\xff\r\n\x01bin\x00';
const LONG = 'x'.repeat(65);

/** ZADD arguments for n members m0..m(n-1) with scores 0..n-1. */
function pairs(n: number, prefix = 'm'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(String(i), `${prefix}${i}`);
  return out;
}

describeCompat(
  'zset commands compat',
  (pair) => {
    compat(pair, 'zadd-basics', (k) => [
      ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c'],
      ['ZADD', k('z'), '1', 'a', '5', 'b', '4', 'd'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['ZCARD', k('z')],
      ['ZADD', k('z'), '1', 'a', '1', 'a', '2', 'a'],
      ['ZSCORE', k('z'), 'a'],
      ['ZADD', k('z'), 'CH', '9', 'a', '9', 'b', '7', 'e'],
      ['ZADD', k('z'), 'ch', '9', 'a'],
      ['ZADD', k('bin'), '0', BINARY, '0', '', '-1', '\xff'],
      ['ZRANGE', k('bin'), '0', '-1', 'WITHSCORES'],
      ['ZSCORE', k('bin'), ''],
      ['TYPE', k('z')],
      ['OBJECT', 'ENCODING', k('z')],
    ]);

    compat(pair, 'zadd-flags', (k) => [
      ['ZADD', k('z'), '10', 'a'],
      ['ZADD', k('z'), 'NX', '20', 'a', '1', 'b'],
      ['ZADD', k('z'), 'XX', '30', 'a', '1', 'c'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['ZADD', k('z'), 'GT', '5', 'a', '50', 'b'],
      ['ZADD', k('z'), 'GT', 'CH', '40', 'a', '60', 'b', '1', 'new'],
      ['ZADD', k('z'), 'LT', 'CH', '40', 'a', '1', 'b'],
      ['ZADD', k('z'), 'XX', 'GT', 'CH', '100', 'a', '100', 'nope'],
      ['ZADD', k('z'), 'XX', 'LT', 'CH', '0', 'a', '0', 'nope'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['ZADD', k('missing'), 'XX', '1', 'a'],
      ['EXISTS', k('missing')],
      ['ZADD', k('missing'), 'XX', 'INCR', '1', 'a'],
      ['EXISTS', k('missing')],
      ['ZADD', k('z'), 'Nx', 'Ch', '1', 'a', '1', 'q'],
      ['ZADD', k('z'), 'nx\x00junk', '1', 'r'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      // Scores and would-be options that do not start with a letter.
      ['ZADD', k('s'), '+inf', 'a', '.5', 'b', '-1e3', 'c', '007', 'd'],
      ['ZADD', k('s'), '@NX', '1', 'e'],
      ['ZADD', k('s'), '', '1', 'e'],
      ['ZADD', k('s'), 'CH', 'NX', 'nan', 'e'],
      ['ZRANGE', k('s'), '0', '-1', 'WITHSCORES'],
    ]);

    compat(pair, 'zadd-incr', (k) => [
      ['ZADD', k('z'), 'INCR', '1.5', 'a'],
      ['ZADD', k('z'), 'INCR', '-0.5', 'a'],
      ['ZADD', k('z'), 'INCR', 'NX', '1', 'a'],
      ['ZADD', k('z'), 'INCR', 'NX', '1', 'b'],
      ['ZADD', k('z'), 'INCR', 'XX', '1', 'c'],
      ['ZADD', k('z'), 'INCR', 'GT', '-1', 'a'],
      ['ZADD', k('z'), 'INCR', 'GT', '1', 'a'],
      ['ZADD', k('z'), 'INCR', 'LT', '1', 'a'],
      ['ZADD', k('z'), 'INCR', 'LT', '-5', 'a'],
      ['ZADD', k('z'), 'INCR', '0', 'a'],
      ['ZADD', k('z'), 'INCR', 'CH', '0', 'a'],
      ['ZADD', k('z'), 'INCR', 'inf', 'a'],
      ['ZADD', k('z'), 'INCR', '-inf', 'a'],
      ['ZSCORE', k('z'), 'a'],
      ['ZADD', k('z'), 'INCR', '1', 'a', '2', 'b'],
      ['ZINCRBY', k('z'), '2.5', 'b'],
      ['ZINCRBY', k('z'), '-inf', 'b'],
      ['ZINCRBY', k('z'), '+inf', 'b'],
      ['ZINCRBY', k('z'), '1', 'new'],
      ['ZINCRBY', k('z'), 'abc', 'b'],
      ['ZINCRBY', k('z'), 'nan', 'b'],
      ['ZINCRBY', k('z'), 'nx', 'b'],
      ['ZINCRBY', k('z'), '0.1', 'f'],
      ['ZINCRBY', k('z'), '0.2', 'f'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ]);

    compat(pair, 'zadd-errors', (k) => [
      ['SET', k('str'), 'v'],
      ['ZADD', k('str'), '1', 'a'],
      ['ZINCRBY', k('str'), '1', 'a'],
      ['ZADD', k('z')],
      ['ZADD', k('z'), '1'],
      ['ZADD', k('z'), '1', 'a', '2'],
      ['ZADD', k('z'), 'NX'],
      ['ZADD', k('z'), 'NX', '1'],
      ['ZADD', k('z'), 'NX', 'XX', '1', 'a'],
      ['ZADD', k('z'), 'GT', 'LT', '1', 'a'],
      ['ZADD', k('z'), 'GT', 'NX', '1', 'a'],
      ['ZADD', k('z'), 'LT', 'NX', '1', 'a'],
      ['ZADD', k('z'), 'INCR', '1', 'a', '2', 'b'],
      ['ZADD', k('z'), 'NX', 'XX', 'INCR', '1', 'a', '2', 'b'],
      ['ZADD', k('z'), 'abc', 'a'],
      ['ZADD', k('z'), '1', 'a', 'nan', 'b'],
      ['ZADD', k('z'), 'FOO', '1', 'a'],
      ['EXISTS', k('z')],
      ['ZADD', k('z'), '1e400', 'a'],
      ['ZADD', k('z'), '1e-400', 'a'],
      ['ZADD', k('z'), ' 1', 'a'],
      ['ZADD', k('z'), '1 ', 'a'],
      ['ZADD', k('z'), '', 'a'],
      ['ZADD', k('z'), '1\x00', 'a'],
      ['ZADD', k('z'), '0x', 'a'],
      ['ZADD', k('z'), '1e', 'a'],
      ['EXISTS', k('z')],
      ['ZADD', k('z'), 'inf', 'a', '-inf', 'b'],
      ['ZINCRBY', k('z'), '-inf', 'a'],
      ['ZADD', k('z'), 'INCR', '+inf', 'b'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
    ]);

    compat(pair, 'score-formats', (k) => [
      [
        'ZADD', k('z'),
        '0.1', 'a', '1e17', 'b', '-1e-5', 'c', '3.0', 'd', '+5', 'e', '.5', 'f', '5.', 'g', '1E3', 'h',
        '0x10', 'i', '0x1p3', 'j', '0x1.8p1', 'k', '-0X.8P1', 'l', '4e-320', 'm', '123456789012345678', 'n',
        '1.7976931348623157e308', 'o', 'Infinity', 'p', '-INF', 'q', '9007199254740993', 'r', '-0', 's',
        '1e16', 't', '12345678901234567890', 'u', '0.30000000000000004', 'v', '00012', 'w',
        '72057594037927936', 'x', '-9007199254740991', 'y', '99999999999999984', 'z',
      ],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['ZSCORE', k('z'), 's'],
      ['ZSCAN', k('z'), '0'],
      ['ZMSCORE', k('z'), 'a', 'b', 'nope', 's', 'q'],
      ['DEBUG', 'DIGEST-VALUE', k('z')],
      ['ZADD', k('z'), '1', LONG],
      ['OBJECT', 'ENCODING', k('z')],
      ['ZSCORE', k('z'), 's'],
      // (ZSCAN of a skiplist answers in dict order: compared without order in zset-random.test.ts.)
      ['ZADD', k('neg0'), '-0', 'a'],
      ['ZSCORE', k('neg0'), 'a'],
      ['ZADD', k('neg0big'), '1', LONG, '-0', 'a'],
      ['ZSCORE', k('neg0big'), 'a'],
      ['ZINCRBY', k('neg0big'), '-0', 'b'],
      ['ZSCORE', k('neg0big'), 'b'],
      ['ZADD', k('incr0'), 'INCR', '-0', 'a'],
      ['ZSCORE', k('incr0'), 'a'],
      ['DEBUG', 'DIGEST-VALUE', k('z'), k('neg0'), k('neg0big'), k('missing')],
    ]);

    compat(pair, 'zrem-zscore-zmscore-zcard', (k) => [
      ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c'],
      ['ZREM', k('z'), 'a', 'x', 'a'],
      ['ZREM', k('z'), 'nope'],
      ['ZREM', k('missing'), 'a'],
      ['ZCARD', k('z')],
      ['ZCARD', k('missing')],
      ['ZSCORE', k('z'), 'b'],
      ['ZSCORE', k('z'), 'a'],
      ['ZSCORE', k('missing'), 'a'],
      ['ZMSCORE', k('z'), 'a', 'b', 'c'],
      ['ZMSCORE', k('missing'), 'a', 'b'],
      ['ZMSCORE', k('z')],
      ['ZREM', k('z'), 'b', 'c', 'd'],
      ['EXISTS', k('z')],
      ['SET', k('str'), 'v'],
      ['ZREM', k('str'), 'a'],
      ['ZSCORE', k('str'), 'a'],
      ['ZMSCORE', k('str'), 'a'],
      ['ZCARD', k('str')],
      ['ZREM', k('z')],
    ]);

    compat(pair, 'zrank-zrevrank', (k) => [
      ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c', '3', 'd', '-inf', 'e'],
      ['ZRANK', k('z'), 'e'],
      ['ZRANK', k('z'), 'c'],
      ['ZRANK', k('z'), 'd'],
      ['ZREVRANK', k('z'), 'd'],
      ['ZREVRANK', k('z'), 'e'],
      ['ZRANK', k('z'), 'nope'],
      ['ZREVRANK', k('missing'), 'a'],
      ['ZADD', k('big'), ...pairs(200)],
      ['ZRANK', k('big'), 'm150'],
      ['ZREVRANK', k('big'), 'm150'],
      ['ZRANK', k('big'), 'm0'],
      ['ZREVRANK', k('big'), 'm199'],
      ['ZRANK', k('big'), 'nope'],
      ['SET', k('str'), 'v'],
      ['ZRANK', k('str'), 'a'],
      ['ZRANK', k('z')],
      ['ZRANK', k('z'), 'a', 'b'],
    ]);

    compat(pair, 'zcount-zlexcount', (k) => [
      ['ZADD', k('z'), '1', 'a', '2', 'b', '3', 'c', '4', 'd', 'inf', 'e'],
      ['ZCOUNT', k('z'), '-inf', '+inf'],
      ['ZCOUNT', k('z'), '(1', '3'],
      ['ZCOUNT', k('z'), '(1', '(3'],
      ['ZCOUNT', k('z'), '3', '1'],
      ['ZCOUNT', k('z'), '(2', '(2'],
      ['ZCOUNT', k('z'), '2', '2'],
      ['ZCOUNT', k('z'), 'inf', 'inf'],
      ['ZCOUNT', k('z'), '', ''],
      ['ZCOUNT', k('z'), '(', '5'],
      ['ZCOUNT', k('z'), ' 2', '3'],
      ['ZCOUNT', k('z'), '2\x00junk', '3'],
      ['ZCOUNT', k('z'), '1e400', '1e400'],
      ['ZCOUNT', k('z'), '0x2', '0x1p2'],
      ['ZCOUNT', k('z'), 'a', '1'],
      ['ZCOUNT', k('z'), '1', 'nan'],
      ['ZCOUNT', k('z'), '1 ', '2'],
      ['ZCOUNT', k('z'), '((1', '2'],
      ['ZCOUNT', k('missing'), '0', '1'],
      ['ZCOUNT', k('missing'), 'x', '1'],
      ['ZADD', k('lex'), '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', ''],
      ['ZLEXCOUNT', k('lex'), '-', '+'],
      ['ZLEXCOUNT', k('lex'), '[b', '[d'],
      ['ZLEXCOUNT', k('lex'), '(b', '(d'],
      ['ZLEXCOUNT', k('lex'), '[', '(b'],
      ['ZLEXCOUNT', k('lex'), '(', '+'],
      ['ZLEXCOUNT', k('lex'), '+', '-'],
      ['ZLEXCOUNT', k('lex'), '-', '-'],
      ['ZLEXCOUNT', k('lex'), '+', '+'],
      ['ZLEXCOUNT', k('lex'), '[d', '[b'],
      ['ZLEXCOUNT', k('lex'), '[c', '[c'],
      ['ZLEXCOUNT', k('lex'), '(c', '[c'],
      ['ZLEXCOUNT', k('lex'), '-\x00x', '+\x00'],
      ['ZLEXCOUNT', k('lex'), 'b', 'd'],
      ['ZLEXCOUNT', k('lex'), '', '+'],
      ['ZLEXCOUNT', k('lex'), '-x', '+'],
      ['ZLEXCOUNT', k('lex'), '[a', '++'],
      ['ZLEXCOUNT', k('missing'), '-', '+'],
      ['ZLEXCOUNT', k('missing'), 'x', '+'],
      ['SET', k('str'), 'v'],
      ['ZCOUNT', k('str'), '0', '1'],
      ['ZLEXCOUNT', k('str'), '-', '+'],
      ['ZCOUNT', k('str'), 'x', '1'],
    ]);

    compat(pair, 'zcount-zlexcount-skiplist', (k) => {
      const lex: string[] = [];
      for (let i = 0; i < 300; i++) lex.push('0', `e${String(i).padStart(3, '0')}`);
      return [
        ['ZADD', k('z'), ...pairs(300)],
        ['ZCOUNT', k('z'), '10', '(20'],
        ['ZCOUNT', k('z'), '(10', '+inf'],
        ['ZCOUNT', k('z'), '-inf', '-1'],
        ['ZCOUNT', k('z'), '299', '299'],
        ['ZADD', k('lex'), ...lex],
        ['OBJECT', 'ENCODING', k('lex')],
        ['ZLEXCOUNT', k('lex'), '[e100', '(e200'],
        ['ZLEXCOUNT', k('lex'), '-', '[e000'],
        ['ZLEXCOUNT', k('lex'), '(e299', '+'],
        ['ZLEXCOUNT', k('lex'), '[e2', '+'],
        ['ZLEXCOUNT', k('lex'), '-', '+'],
      ];
    });

    compat(pair, 'encoding-conversions', (k) => {
      const steps: Step[] = [
        ['ZADD', k('z'), ...pairs(128)],
        ['OBJECT', 'ENCODING', k('z')],
        ['ZADD', k('z'), '0', 'm0'],
        ['OBJECT', 'ENCODING', k('z')],
        ['ZADD', k('z'), '1000', 'extra'],
        ['OBJECT', 'ENCODING', k('z')],
        ['ZREM', k('z'), 'extra', 'm1', 'm2'],
        ['OBJECT', 'ENCODING', k('z')],
        ['ZADD', k('long'), '1', 'x'.repeat(64)],
        ['OBJECT', 'ENCODING', k('long')],
        ['ZADD', k('long'), '1', LONG],
        ['OBJECT', 'ENCODING', k('long')],
        ['ZADD', k('first-long'), '1', LONG],
        ['OBJECT', 'ENCODING', k('first-long')],
        ['ZADD', k('dups'), ...Array.from({ length: 200 }, () => ['1', 'same']).flat()],
        ['OBJECT', 'ENCODING', k('dups')],
        ['ZADD', k('many'), ...pairs(129)],
        ['OBJECT', 'ENCODING', k('many')],
        ['ZADD', k('incr'), 'INCR', '1', LONG],
        ['OBJECT', 'ENCODING', k('incr')],
        ['ZADD', k('xx'), 'XX', '1', LONG],
        ['EXISTS', k('xx')],
        ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
        ['ZADD', k('small'), '1', 'a', '2', 'b'],
        ['OBJECT', 'ENCODING', k('small')],
        ['ZADD', k('small'), '3', 'b'],
        ['OBJECT', 'ENCODING', k('small')],
        ['ZADD', k('small'), '3', 'c'],
        ['OBJECT', 'ENCODING', k('small')],
        ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'],
        ['ZADD', k('zero'), '1', 'a'],
        ['OBJECT', 'ENCODING', k('zero')],
        ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
        ['CONFIG', 'SET', 'zset-max-listpack-value', '0'],
        ['ZADD', k('novalue'), '1', 'a'],
        ['OBJECT', 'ENCODING', k('novalue')],
        ['ZADD', k('empty-member'), '1', ''],
        ['OBJECT', 'ENCODING', k('empty-member')],
        ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
        ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ];
      return steps;
    });

    compat(pair, 'digest', (k) => [
      ['ZADD', k('small'), '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', BINARY],
      ['DEBUG', 'DIGEST-VALUE', k('small')],
      ['ZADD', k('big'), ...pairs(200), '0.1', 'frac'],
      ['DEBUG', 'DIGEST-VALUE', k('big')],
      ['COPY', k('big'), k('copy')],
      ['DEBUG', 'DIGEST-VALUE', k('copy')],
      ['OBJECT', 'ENCODING', k('copy')],
      ['DEBUG', 'DIGEST'],
    ]);

    test('keyspace hits and misses are counted as Redis counts them', async () => {
      const commands = [
        ['ZRANGESTORE', 'st:dst', 'st:src', '0', '-1'],
        ['ZRANGESTORE', 'st:dst', 'st:missing', '0', '-1'],
        ['ZUNIONSTORE', 'st:dst', '2', 'st:src', 'st:missing'],
        ['ZINTER', '2', 'st:src', 'st:missing'],
        ['ZINTERCARD', '1', 'st:src'],
        ['ZMPOP', '2', 'st:missing', 'st:src', 'MIN'],
        ['ZPOPMIN', 'st:missing'],
        ['ZMSCORE', 'st:missing', 'a'],
        ['ZSCORE', 'st:src', 'b'],
        ['ZRANK', 'st:missing', 'a'],
        ['ZCARD', 'st:missing'],
        ['ZREMRANGEBYRANK', 'st:missing', '0', '1'],
        ['ZADD', 'st:src', '5', 'z'],
        ['ZRANDMEMBER', 'st:src', '2'],
        ['ZSCAN', 'st:src', '0'],
      ];
      const [redis, nodis] = await onBoth(pair, async (conn) => {
        const counts: string[] = [];
        await conn.call('DEL', 'st:src', 'st:dst');
        await conn.call('ZADD', 'st:src', '1', 'a', '2', 'b', '3', 'c');
        for (const argv of commands) {
          await conn.call('CONFIG', 'RESETSTAT');
          await conn.call(...argv);
          const info = await conn.call('INFO', 'stats');
          counts.push(`${argv[0]} ${/keyspace_hits:(\d+)/.exec(info)![1]}/${/keyspace_misses:(\d+)/.exec(info)![1]}`);
        }
        return counts;
      });
      expect(nodis).toEqual(redis);
    });

    compat(pair, 'expired-key', (k) => [
      ['ZADD', k('z'), '1', 'a'],
      ['PEXPIRE', k('z'), '1'],
      ['DEBUG', 'SLEEP', '0.01'],
      ['ZCARD', k('z')],
      ['ZSCORE', k('z'), 'a'],
      ['ZADD', k('z'), 'XX', '2', 'a'],
      ['ZADD', k('z'), '2', 'b'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['TTL', k('z')],
      ['ZADD', k('ttl'), '1', 'a'],
      ['EXPIRE', k('ttl'), '100'],
      ['ZADD', k('ttl'), '2', 'b'],
      ['TTL', k('ttl')],
      ['ZREM', k('ttl'), 'a', 'b'],
      ['TTL', k('ttl')],
    ]);
  },
  {
    nodis: { config: { 'enable-debug-command': 'yes' } },
    redisDirectives: ['--enable-debug-command', 'yes'],
  },
);

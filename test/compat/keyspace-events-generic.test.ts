/**
 * Keyspace events of the generic key commands (DEL, EXPIRE family, RENAME, MOVE, COPY, RESTORE,
 * FLUSH*, SWAPDB...), of expiry and of the notify-keyspace-events class flags, compared with
 * redis-server byte for byte.
 */
import { test } from 'vitest';
import { describeCompat } from './harness';
import { DEBUG_ENABLED, eventScript, expectSameEvents, withoutActiveExpiry, type EventStep } from './keyspace-events-script';

/** One event of every class, and a key miss (the expiry is a lazy one, at the GET). */
const EVERY_CLASS: EventStep[] = [
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
  ['SET', 's', 'v'],
  ['EXPIRE', 's', '100'],
  ['LPUSH', 'l', 'a'],
  ['SADD', 'set', 'a'],
  ['HSET', 'h', 'f', 'v'],
  ['ZADD', 'z', '1', 'a'],
  ['SET', 'gone', 'v', 'PX', '5'],
  { sleep: 30 },
  ['GET', 'gone'],
  ['GET', 'nokey'],
  ['DEL', 's'],
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
];

/**
 * Sets key "e" to expire in 5 ms, waits for it to, then runs `argv` (which meets the expired key).
 * Not 1 ms: see the lazy-expiry scripts below.
 */
function expiredThen(argv: string[]): EventStep[] {
  return [['SET', 'e', 'v', 'PX', '5'], { sleep: 30 }, argv];
}

describeCompat('compat: keyspace events of generic commands', (pair) => {
  eventScript(pair, 'DEL, UNLINK, EXISTS, TYPE and key misses', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'],
    ['DEL', 'a', 'nokey', 'b', 'a'],
    ['UNLINK', 'c', 'nokey'],
    ['DEL', 'nokey'],
    ['EXISTS', 'nokey'],
    ['TYPE', 'nokey'],
    ['TTL', 'nokey'],
    ['OBJECT', 'ENCODING', 'nokey'],
    ['TOUCH', 'nokey'],
    ['RANDOMKEY'],
    ['KEYS', '*'],
    ['SET', '\x00bin\xff\r\n', 'v'],
    ['DEL', '\x00bin\xff\r\n'],
  ]);

  // Reads of a missing key report "keymiss"; writes, OBJECT and blocking pops do not.
  eventScript(pair, 'key misses of read commands', [
    ['SET', 'str', 'abc'],
    ['RPUSH', 'list', '2', '1'],
    ['SADD', 'set', 'a'],
    ['ZADD', 'zset', '1', 'a'],
    ['HSET', 'hash', 'f', 'v'],
    ['GET', 'm1'],
    ['MGET', 'm1', 'str', 'm2'],
    ['SET', 'm3', 'v', 'GET'],
    ['GETSET', 'm4', 'v'],
    ['GETDEL', 'm5'],
    ['GETEX', 'm5', 'EX', '10'],
    ['STRLEN', 'm5'],
    ['GETRANGE', 'm5', '0', '1'],
    ['LCS', 'm5', 'str'],
    ['GETBIT', 'm5', '1'],
    ['BITCOUNT', 'm5'],
    ['BITPOS', 'm5', '0'],
    ['BITOP', 'AND', 'dst', 'm5', 'str'],
    ['EXISTS', 'm5', 'str', 'm6'],
    ['TYPE', 'm5'],
    ['TTL', 'm5'],
    ['PTTL', 'm5'],
    ['EXPIRETIME', 'm5'],
    ['PEXPIRETIME', 'm5'],
    ['TOUCH', 'm5', 'str'],
    ['OBJECT', 'ENCODING', 'm5'],
    ['OBJECT', 'FREQ', 'm5'],
    ['OBJECT', 'IDLETIME', 'm5'],
    ['OBJECT', 'REFCOUNT', 'm5'],
    ['MEMORY', 'USAGE', 'm5'],
    ['COPY', 'm5', 'dst'],
    ['RENAME', 'm5', 'dst'],
    ['MOVE', 'm5', '1'],
    ['DEL', 'm5'],
    ['EXPIRE', 'm5', '10'],
    ['PERSIST', 'm5'],
    ['APPEND', 'm7', ''],
    ['LRANGE', 'm5', '0', '-1'],
    ['LLEN', 'm5'],
    ['LINDEX', 'm5', '0'],
    ['LPOS', 'm5', 'a'],
    ['LPOP', 'm5'],
    ['LMPOP', '2', 'm5', 'm6', 'LEFT'],
    ['LMOVE', 'm5', 'dst', 'LEFT', 'LEFT'],
    ['BLPOP', 'm5', 'list', '0'],
    ['SMEMBERS', 'm5'],
    ['SISMEMBER', 'm5', 'a'],
    ['SMISMEMBER', 'm5', 'a'],
    ['SCARD', 'm5'],
    ['SRANDMEMBER', 'm5'],
    ['SINTER', 'm5', 'set'],
    ['SINTER', 'set', 'm5', 'm6'],
    ['SUNION', 'm5', 'set', 'm6'],
    ['SDIFF', 'set', 'm5', 'm6'],
    ['SDIFF', 'm5', 'set'],
    ['SINTERCARD', '2', 'm5', 'set'],
    ['SINTERSTORE', 'dst', 'm5', 'set'],
    ['SUNIONSTORE', 'dst', 'm5', 'set'],
    ['SSCAN', 'm5', '0'],
    ['SMOVE', 'm5', 'set', 'a'],
    ['HGET', 'm5', 'f'],
    ['HMGET', 'm5', 'f'],
    ['HGETALL', 'm5'],
    ['HKEYS', 'm5'],
    ['HVALS', 'm5'],
    ['HLEN', 'm5'],
    ['HSTRLEN', 'm5', 'f'],
    ['HEXISTS', 'm5', 'f'],
    ['HRANDFIELD', 'm5'],
    ['HSCAN', 'm5', '0'],
    ['HDEL', 'm5', 'f'],
    ['ZSCORE', 'm5', 'a'],
    ['ZMSCORE', 'm5', 'a'],
    ['ZCARD', 'm5'],
    ['ZCOUNT', 'm5', '0', '1'],
    ['ZLEXCOUNT', 'm5', '-', '+'],
    ['ZRANK', 'm5', 'a'],
    ['ZREVRANK', 'm5', 'a'],
    ['ZRANGE', 'm5', '0', '-1'],
    ['ZRANGEBYSCORE', 'm5', '0', '1'],
    ['ZREVRANGEBYLEX', 'm5', '+', '-'],
    ['ZRANDMEMBER', 'm5'],
    ['ZSCAN', 'm5', '0'],
    ['ZUNION', '2', 'm5', 'zset'],
    ['ZINTER', '2', 'zset', 'm5'],
    ['ZDIFF', '2', 'zset', 'm5'],
    ['ZINTERCARD', '2', 'm5', 'zset'],
    ['ZUNIONSTORE', 'dst', '2', 'm5', 'zset'],
    ['ZRANGESTORE', 'dst', 'm5', '0', '-1'],
    ['ZPOPMIN', 'm5'],
    ['ZMPOP', '1', 'm5', 'MIN'],
    ['BZPOPMIN', 'm5', 'zset', '0'],
    ['SORT', 'm5'],
    ['SORT', 'list', 'BY', 'w_*'],
    ['SORT', 'list', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*', 'GET', 'h_*->f'],
    ['SORT', 'list', 'BY', 'hash->f', 'STORE', 'dst'],
    ['SORT_RO', 'list', 'GET', 'o_*'],
    ['SORT', 'm5', 'STORE', 'dst'],
    ['SET', 'w_1', '10'],
    ['SET', 'w_2', 'x'],
    ['SORT', 'list', 'BY', 'w_*', 'ALPHA'],
  ], ['KEm', 'KEAm']);

  eventScript(pair, 'EXPIRE family, PERSIST', [
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '100'],
    ['PEXPIRE', 'k', '100000'],
    ['EXPIREAT', 'k', '99999999999'],
    ['PEXPIREAT', 'k', '99999999999999'],
    ['EXPIRE', 'k', '100', 'NX'],
    ['EXPIRE', 'k', '200', 'XX'],
    ['EXPIRE', 'k', '1', 'GT'],
    ['EXPIRE', 'k', '1000', 'LT'],
    ['EXPIRE', 'nokey', '100'],
    ['EXPIRE', 'k', 'abc'],
    ['PERSIST', 'k'],
    ['PERSIST', 'k'],
    ['PERSIST', 'nokey'],
    ['EXPIRE', 'k', '0'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '-1'],
    ['SET', 'k', 'v'],
    ['PEXPIREAT', 'k', '1'],
    ['SET', 'k', 'v'],
    ['EXPIREAT', 'k', '0'],
    ['LPUSH', 'l', 'a'],
    ['PEXPIRE', 'l', '-100'],
    ['SET', 'k', 'v'],
    ['EXPIRE', 'k', '9223372036854775807'],
    ['PEXPIRE', 'k', '9223372036854775807'],
  ]);

  eventScript(pair, 'RENAME, RENAMENX', [
    ['SET', 'a', '1'],
    ['RENAME', 'a', 'b'],
    ['RENAME', 'nokey', 'b'],
    ['RENAME', 'b', 'b'],
    ['SET', 'c', '3'],
    ['RENAME', 'b', 'c'],
    ['SET', 'd', '4', 'EX', '100'],
    ['RENAME', 'd', 'e'],
    ['RENAMENX', 'e', 'c'],
    ['RENAMENX', 'e', 'f'],
    ['RENAMENX', 'f', 'f'],
    ['RENAMENX', 'nokey', 'g'],
  ]);

  eventScript(pair, 'MOVE, COPY, SWAPDB, FLUSHDB, FLUSHALL, SELECT', [
    ['SET', 'a', '1'],
    ['MOVE', 'a', '1'],
    ['MOVE', 'a', '1'],
    ['MOVE', 'nokey', '1'],
    ['SET', 'a', '2'],
    ['MOVE', 'a', '1'],
    ['SELECT', '1'],
    ['COPY', 'a', 'b'],
    ['COPY', 'a', 'b'],
    ['COPY', 'a', 'b', 'REPLACE'],
    ['COPY', 'a', 'c', 'DB', '3'],
    ['COPY', 'nokey', 'c'],
    ['SET', 'x', 'y'],
    ['DEL', 'x'],
    ['SELECT', '0'],
    ['SWAPDB', '0', '1'],
    ['SET', 'z', '1'],
    ['FLUSHDB'],
    ['SET', 'z', '1'],
    ['FLUSHALL'],
    ['SET', 'z', '1'],
    ['FLUSHDB', 'ASYNC'],
  ]);

  // TTLs of 5 ms, not 1: Redis deletes a key at once (a "del" event) when the expire time it
  // computed has already passed by the time it checks, which a 1 ms TTL meets whenever a
  // millisecond ticks in between on a loaded machine.
  eventScript(pair, 'lazy expiry on access, in the right database', withoutActiveExpiry([
    ['SET', 'a', 'v', 'PX', '5'],
    ['SELECT', '2'],
    ['SET', 'b', 'v', 'PX', '5'],
    { sleep: 30 },
    ['EXISTS', 'b'],
    ['SELECT', '0'],
    ['GET', 'a'],
    ['SET', 'c', 'v', 'PX', '5'],
    { sleep: 30 },
    ['SET', 'c', 'new', 'NX'],
    ['SET', 'd', 'v', 'PX', '5'],
    { sleep: 30 },
    ['DEL', 'd'],
    ['LPUSH', 'l', 'a'],
    ['PEXPIRE', 'l', '5'],
    { sleep: 30 },
    ['LPUSH', 'l', 'b'],
    ['DEL', 'c', 'l'],
    ...expiredThen(['KEYS', '*']),
    ['DEL', 'e'],
    ...expiredThen(['SCAN', '0']),
    ...expiredThen(['SCAN', '0', 'TYPE', 'string']),
    ...expiredThen(['RANDOMKEY']),
    ...expiredThen(['INCR', 'e']),
    ...expiredThen(['APPEND', 'e', 'x']),
    ...expiredThen(['SET', 'e', 'v', 'XX']),
    ...expiredThen(['SET', 'e', 'v', 'GET']),
    ...expiredThen(['GETEX', 'e', 'PERSIST']),
    ...expiredThen(['EXPIRE', 'e', '100']),
    ...expiredThen(['PERSIST', 'e']),
    ...expiredThen(['TTL', 'e']),
    ...expiredThen(['RENAME', 'e', 'f']),
    ['SET', 'f', 'v'],
    ...expiredThen(['RENAME', 'f', 'e']),
    ...expiredThen(['COPY', 'f', 'e']),
    ...expiredThen(['COPY', 'e', 'g']),
    ...expiredThen(['MOVE', 'e', '1']),
    ['SELECT', '1'],
    ...expiredThen(['SELECT', '0']),
    ['SET', 'e', 'v'],
    ['MOVE', 'e', '1'],
    ['DEL', 'f'],
  ]));

  eventScript(pair, 'lazy expiry of collections met by writes', withoutActiveExpiry([
    ['RPUSH', 'l', 'a'],
    ['SADD', 's', 'a'],
    ['SADD', 's2', 'a'],
    ['HSET', 'h', 'f', 'v'],
    ['ZADD', 'z', '1', 'a'],
    ['PEXPIRE', 'l', '5'],
    ['PEXPIRE', 's', '5'],
    ['PEXPIRE', 'h', '5'],
    ['PEXPIRE', 'z', '5'],
    { sleep: 30 },
    ['LMOVE', 'l', 'dst', 'LEFT', 'LEFT'],
    ['RPUSHX', 'l', 'x'],
    ['SMOVE', 's2', 's', 'a'],
    ['SINTERSTORE', 'dst2', 's', 's2'],
    ['HSETNX', 'h', 'f', 'v'],
    ['HINCRBY', 'h', 'n', '1'],
    ['ZINCRBY', 'z', '1', 'a'],
    ['ZUNIONSTORE', 'z', '1', 'z'],
  ]));

  eventScript(pair, 'commands queued in MULTI report at EXEC, in order', [
    ['MULTI'],
    ['SET', 'a', '1'],
    ['LPUSH', 'l', 'x'],
    ['LPOP', 'l'],
    ['EXPIRE', 'a', '0'],
    ['INCR', 'a'],
    ['EXEC'],
  ]);

  // TTLs long enough that neither key can expire before the pause, so both expiries fall in it
  // (with 1 ms, either server's cycle could take `a` while the SET of `b` was being compared).
  eventScript(pair, 'active expiry', [
    ['SET', 'a', 'v', 'PX', '100'],
    ['SELECT', '5'],
    ['SET', 'b', 'v', 'PX', '100'],
    { sleep: 600 },
  ]);

  const flagSets = ['KEA', 'KA', 'EA', 'K$', 'Eg', 'El', 'Es', 'Eh', 'Ez', 'Ex', 'Ee', 'Et', 'Ed', 'Em', 'En', 'KEAm', 'KEAn', 'K', 'E', 'A', 'g$', 'Kg$lshzxetd', 'KEg$lshzxetdmn', 'nE'];
  for (const flags of flagSets) {
    test(`notify-keyspace-events ${flags} selects only its classes`, async () => {
      await expectSameEvents(pair, flags, EVERY_CLASS);
    });
  }

  test('events reach RESP3 subscribers as push frames', async () => {
    await expectSameEvents(pair, 'KEA', EVERY_CLASS, 3);
  });

  test('a RESP3 client subscribed to its own events gets them before its reply', async () => {
    const command = (...argv: string[]): string => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
    await pair.expectSame(
      [
        ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
        ['PSUBSCRIBE', '__key*__:*'],
        { raw: command('SET', 'k', 'v', 'EX', '100'), replies: 5 },
        { raw: command('SELECT', '9') },
        { raw: command('DEL', 'nokey', 'k'), replies: 1 },
        { raw: command('LPUSH', 'l', 'a'), replies: 3 },
        { raw: command('LPOP', 'l'), replies: 5 },
        ['PUNSUBSCRIBE'],
        ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      ],
      { resp: 3 },
    );
  });

  test('CONFIG SET / GET of notify-keyspace-events', async () => {
    const steps: string[][] = [];
    for (const flags of ['', 'KEA', 'AKE', 'gA', 'Kg$lshzxetd', 'Kg$lshzxetdmn', 'nAKEm', 'xE', 'EKm', 'AAAA', 'KEAx', 'K', 'd', '$l']) {
      steps.push(['CONFIG', 'SET', 'notify-keyspace-events', flags], ['CONFIG', 'GET', 'notify-keyspace-events']);
    }
    for (const bad of ['KEAq', 'a', ' ', 'k', 'KE A']) steps.push(['CONFIG', 'SET', 'notify-keyspace-events', bad]);
    steps.push(['CONFIG', 'GET', 'notify-keyspace-events'], ['CONFIG', 'SET', 'notify-keyspace-events', '']);
    await pair.expectSame(steps);
  });
}, DEBUG_ENABLED);

import { expect, test } from 'vitest';
import { describeCompat, type CompatPair, type Step } from './harness';
import { RawConnection } from '../helpers/raw-connection';

const set = (...args: string[]): string[] => ['CONFIG', 'SET', ...args];
const get = (...args: string[]): string[] => ['CONFIG', 'GET', ...args];

/** Parses a flat array (RESP2) or map (RESP3) of bulk strings into sorted "name=value" pairs. */
function pairsOf(reply: string): string[] {
  const lines = reply.split('\r\n');
  const header = lines[0];
  if (header[0] !== '*' && header[0] !== '%') throw new Error(`not an array or map: ${JSON.stringify(reply)}`);
  const items: string[] = [];
  for (let i = 1; i < lines.length - 1; i += 2) items.push(lines[i + 1]);
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}=${items[i + 1]}`);
  return pairs.sort();
}

/**
 * CONFIG GET with several results: Redis orders them by its hash table, randomly seeded at each
 * start, so the replies are compared as sets (and the header, which carries the count, exactly).
 */
async function expectSameSet(pair: CompatPair, argv: string[], resp: 2 | 3 = 2): Promise<void> {
  const replies: string[] = [];
  for (const port of [pair.redisPort, pair.nodisPort]) {
    const conn = await RawConnection.connect(port);
    try {
      if (resp === 3) await conn.call('HELLO', '3');
      replies.push(await conn.call(...argv));
    } finally {
      conn.close();
    }
  }
  const [redis, nodis] = replies;
  expect(nodis.split('\r\n')[0], argv.join(' ')).toBe(redis.split('\r\n')[0]);
  expect(pairsOf(nodis), argv.join(' ')).toEqual(pairsOf(redis));
}

/** Sets a value on both servers, reads it back, and restores the given value. */
function roundTrips(name: string, values: string[], restore: string): Step[] {
  return [...values.flatMap((v) => [set(name, v), get(name)]), set(name, restore)];
}

describeCompat('CONFIG compat', (pair) => {
  test('CONFIG SET errors, to the letter', async () => {
    await pair.expectSame([
      set('foo', 'bar'),
      set('maxmemory', 'abc'),
      set('MAXMEMORY', 'abc'),
      set('hash-max-ziplist-entries', 'abc'),
      set('maxmemory', '1', 'MAXMEMORY', '2'),
      set('dir', '/tmp'),
      set('dbfilename', 'x'),
      set('daemonize', 'no'),
      set('DATABASES', '3'),
      set('daemonize', 'no', 'foo', 'bar'),
      set('foo', 'bar', 'daemonize', 'no'),
      set('maxmemory', '5', 'foo', 'bar'),
      set('daemonize', 'no', 'daemonize', 'no'),
      set('timeout', '1', 'timeout', '2', 'foo', 'bar'),
      set('port'),
      set('timeout', '1', 'maxmemory'),
      ['CONFIG', 'SET'],
      set('timeout', '-1'),
      set('timeout', '1.5'),
      set('timeout', '99999999999'),
      set('timeout', '1k'),
      set('timeout', ''),
      set('protected-mode', 'maybe'),
      set('notify-keyspace-events', 'Z'),
      set('save', '1 2 3'),
      set('save', '0 1'),
      set('save', '1 -1'),
      set('save', '  100   5  '),
      set('maxclients', '0'),
      set('lfu-log-factor', '-1'),
      set('hash-max-listpack-value', '-1'),
      set('busy-reply-threshold', '-1'),
      set('slowlog-max-len', '-1'),
      set('slowlog-log-slower-than', '-5'),
      set('maxmemory-samples', '0'),
      set('active-expire-effort', '11'),
      set('proto-max-bulk-len', '18446744073709551615'),
      set('maxmemory', '-1'),
      set('maxmemory', '1.5gb'),
      set('latency-tracking-info-percentiles', '101'),
      set('latency-tracking-info-percentiles', 'abc'),
      set('latency-tracking-info-percentiles', ' 50'),
      set('maxmemory-policy', 'lru'),
      set('appendfsync', 'sometimes'),
      set('enable-protected-configs', 'yes'),
    ]);
  });

  test('immutable and protected directives', async () => {
    await pair.expectSame(
      ['appendfilename', 'appenddirname', 'rdbchecksum', 'pidfile', 'logfile', 'tcp-backlog', 'enable-debug-command', 'daemonize', 'databases']
        .map((name) => set(name, 'x')),
    );
  });

  test('a failed CONFIG SET changes nothing', async () => {
    await pair.expectSame([
      set('timeout', '5', 'maxmemory', 'abc'),
      get('timeout'),
      set('timeout', '5', 'maxmemory', '1mb', 'hz', 'x'),
      get('timeout'),
      get('maxmemory'),
      set('timeout', '5', 'foo', 'bar'),
      get('timeout'),
    ]);
  });

  test('CONFIG GET of one directive', async () => {
    for (const resp of [2, 3] as const) {
      await pair.expectSame(
        [
          get('timeout'), get('maxmemory'), get('maxmemory-policy'), get('databases'), get('appendonly'), get('save'),
          get('requirepass'), get('notify-keyspace-events'), get('busy-reply-threshold'), get('lua-time-limit'),
          get('hash-max-ziplist-entries'), get('hash-max-listpack-entries'), get('list-max-ziplist-size'),
          get('zset-max-listpack-value'), get('set-max-intset-entries'), get('stream-node-max-bytes'),
          get('latency-tracking'), get('latency-tracking-info-percentiles'), get('lazyfree-lazy-user-flush'),
          get('proto-max-bulk-len'), get('client-query-buffer-limit'), get('slowlog-log-slower-than'),
          get('enable-protected-configs'), get('enable-debug-command'), get('daemonize'), get('protected-mode'),
          get('appendfsync'), get('dbfilename'), get('tcp-keepalive'), get('maxclients'), get('hll-sparse-max-bytes'),
          get('HZ'), get('MaxMemory'), get('HZ', 'hz'), get('timeout', 'TIMEOUT', 'time?ut'),
          get('nonexistent'), get(''), get('hz['), get('nonexistent', 'x*y'),
          ['CONFIG', 'GET'], ['CONFIG'], ['CONFIG', 'FOO'], ['CONFIG', 'HELP'], ['CONFIG', 'HELP', 'x'],
          ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'REWRITE', 'x'], ['CONFIG', 'REWRITE'], ['config', 'help'],
        ],
        { resp },
      );
    }
  });

  test('CONFIG GET with several names and patterns', async () => {
    for (const resp of [2, 3] as const) {
      for (const argv of [
        get('hash-max-*'), get('*ziplist*'), get('*listpack*'), get('lazyfree-*'), get('h*'), get('HZ', 'h*'),
        get('hz', 'H*'), get('hash-max-ziplist-entries', 'hash-max-*-entries'), get('lua-time-limit', 'busy-reply-threshold'),
        get('timeout', 'databases', 'maxmemory', 'hz', 'nonexistent'), get('slowlog*'), get('latency*'),
        get('stream-node*'), get('appendf*'), get('maxmemory-p*'), get('*-max-listpack-[ev]*'), get('lfu-?????-*'),
        get('active-expire*'), get('LAZYFREE-LAZY-USER-*'),
      ]) {
        await expectSameSet(pair, argv, resp);
      }
    }
  });

  test('values are normalized as Redis does', async () => {
    await pair.expectSame([
      ...roundTrips('maxmemory', ['100kb', '100k', '2MB', '3g', '', 'kb', '007', '18446744073709551615', '18446744073709551616', '20000000000gb', '17179869183gb'], '0'),
      ...roundTrips('hz', ['1000', '0', '11'], '10'),
      ...roundTrips('save', ['', '100 ', '100 +5', '100 99999999999', '3600 1 300 100 60 10000'], ''),
      ...roundTrips('notify-keyspace-events', ['KEA', 'gxE', 'AA', '$$', '$lshzxetdnmAKE', 'nKm', 'Ex'], ''),
      ...roundTrips('latency-tracking-info-percentiles', ['99.999 0.5', '1e1 0.1234567890123', '50 0x10', '1e-7 .5', ''], '50 99 99.9'),
      ...roundTrips('protected-mode', ['NO', 'Yes'], 'yes'),
      ...roundTrips('maxmemory-policy', ['ALLKEYS-LRU', 'volatile-TTL'], 'noeviction'),
      ...roundTrips('appendfsync', ['ALWAYS', 'no'], 'everysec'),
      ...roundTrips('list-max-listpack-size', ['-6', '2147483647'], '-2'),
      ...roundTrips('slowlog-log-slower-than', ['-1', '9223372036854775807'], '10000'),
      ...roundTrips('proto-max-bulk-len', ['1mb', '1g'], '512mb'),
      ...roundTrips('stream-node-max-bytes', ['1k'], '4096'),
    ]);
  });

  test('aliases and several pairs in one CONFIG SET', async () => {
    await pair.expectSame([
      set('hash-max-ziplist-entries', '100'),
      get('hash-max-listpack-entries'),
      get('hash-max-ziplist-entries'),
      set('lua-time-limit', '200'),
      get('busy-reply-threshold'),
      set('hash-max-ziplist-entries', '2', 'hash-max-listpack-entries', '3'),
      get('hash-max-ziplist-entries'),
      set('timeout', '4', 'maxmemory', '1mb', 'zset-max-ziplist-value', '32', 'lazyfree-lazy-user-flush', 'yes'),
      get('timeout'), get('maxmemory'), get('zset-max-listpack-value'), get('lazyfree-lazy-user-flush'),
      set('timeout', '0', 'maxmemory', '0', 'zset-max-listpack-value', '64', 'lazyfree-lazy-user-flush', 'no',
        'hash-max-listpack-entries', '512', 'busy-reply-threshold', '5000'),
    ]);
  });

  test('requirepass: set, shown by CONFIG GET, cleared', async () => {
    await pair.expectSame([
      set('requirepass', 'sec ret'),
      get('requirepass'),
      ['AUTH', 'sec ret'],
      set('requirepass', ''),
      get('requirepass'),
    ]);
  });

  test('CONFIG RESETSTAT replies OK', async () => {
    await pair.expectSame([['CONFIG', 'RESETSTAT'], ['config', 'resetstat']]);
  });
});

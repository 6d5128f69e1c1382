import { test } from 'vitest';
import { describeCompat } from './harness';

/** Runs a script with maxmemory set, putting the defaults back afterwards on both servers. */
const reset = [
  ['CONFIG', 'SET', 'maxmemory', '0'],
  ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
];

describeCompat('maxmemory compat', (pair) => {
  test('noeviction: commands flagged denyoom get the OOM error; reads, deletes and admin commands run', async () => {
    await pair.expectSame([
      ['SET', 'k', 'v'],
      ['RPUSH', 'list', 'a', 'b'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'k2', 'v'],
      ['APPEND', 'k', 'more'],
      ['INCR', 'counter'],
      ['LPUSH', 'list', 'x'],
      ['SADD', 'set', 'x'],
      ['HSET', 'hash', 'f', 'v'],
      ['ZADD', 'zset', '1', 'x'],
      ['SETBIT', 'bits', '7', '1'],
      ['GET', 'k'],
      ['LRANGE', 'list', '0', '-1'],
      ['LPOP', 'list'],
      ['EXPIRE', 'k', '100'],
      ['PERSIST', 'k'],
      ['DBSIZE'],
      ['PING'],
      ['DEL', 'k'],
      ['EXISTS', 'k'],
      ...reset,
      ['SET', 'k', 'back'],
    ]);
  });

  test('an allkeys policy evicts everything it can, then refuses the write', async () => {
    await pair.expectSame([
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['SADD', 's', 'x'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'c', '3'],
      ['DBSIZE'],
      ['GET', 'a'],
      ...reset,
    ]);
  });

  test('a volatile policy evicts only keys with a TTL, then refuses the write', async () => {
    await pair.expectSame([
      ['SET', 'persistent', '1'],
      ['SET', 'volatile', '2', 'EX', '100'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'c', '3'],
      ['EXISTS', 'volatile'],
      ['GET', 'persistent'],
      ...reset,
    ]);
  });

  test('configuration of memory directives: values and errors', async () => {
    await pair.expectSame([
      ['CONFIG', 'SET', 'maxmemory', '100mb'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '-1'],
      ['CONFIG', 'SET', 'maxmemory', '1zb'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
      ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'lru'],
      ['CONFIG', 'SET', 'maxmemory-samples', '0'],
      ['CONFIG', 'SET', 'maxmemory-samples', '10'],
      ['CONFIG', 'GET', 'maxmemory-samples'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '101'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '-1'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '100'],
      ['CONFIG', 'GET', 'maxmemory-eviction-tenacity'],
      ['CONFIG', 'SET', 'maxmemory-clients', '5%'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'maxmemory-clients', '101%'],
      ['CONFIG', 'SET', 'maxmemory-clients', 'abc'],
      ['CONFIG', 'SET', 'maxmemory-clients', '-5'],
      ['CONFIG', 'SET', 'maxmemory-clients', '64kb'],
      ['CONFIG', 'GET', 'maxmemory-clients'],
      ['CONFIG', 'SET', 'lfu-log-factor', '-1'],
      ['CONFIG', 'SET', 'lfu-decay-time', '5'],
      // (A pattern would list them in the order of Redis's dict, which varies between runs.)
      ['CONFIG', 'GET', 'lfu-decay-time'],
      ['CONFIG', 'GET', 'lfu-log-factor'],
      ['OBJECT', 'FREQ', 'nosuchkey'],
      ['SET', 'k', 'v'],
      ['OBJECT', 'FREQ', 'k'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
      ['OBJECT', 'FREQ', 'k'],
      ['CONFIG', 'SET', 'maxmemory-clients', '0'],
      ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '10'],
      ['CONFIG', 'SET', 'maxmemory-samples', '5'],
      ['CONFIG', 'SET', 'lfu-decay-time', '1'],
      ...reset,
    ]);
  });
});

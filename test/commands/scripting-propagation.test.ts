/**
 * What scripts write to the AOF: the commands they ran, never the EVAL; one write alone, several in
 * MULTI/EXEC (SELECT inside included), nothing for a read-only script; byte for byte as
 * redis-server 7.0.15 writes it.
 */
import { describe, expect, test } from 'vitest';
import { describeNeedingRedis } from '../compat/harness';
import { readAofFile, resp, sendAll, startNodisOn, startRedisOn, tempDir, useCleanup } from '../persistence/aof-helpers';

useCleanup();

const INCR_FILE = 'appendonly.aof.1.incr.aof';

const SCRIPT: string[][] = [
  ['EVAL', "return redis.call('get', 'a')", '0'],
  ['EVAL', "redis.call('set', KEYS[1], ARGV[1])", '1', 'one', 'v\x00\xff'],
  ['EVAL', "redis.call('set', 'x', '1') redis.call('select', '2') redis.call('set', 'y', 'v') redis.call('incr', 'n')", '0'],
  ['SET', 'after', '1'],
  ['EVAL', "redis.call('set', 'p', '1') return redis.call('nosuch')", '0'],
  ['EVAL', "redis.call('set', 'q', '1') redis.pcall('incr', 'after') redis.pcall('lpush', 'after', 'x')", '0'],
  ['EVAL_RO', "return redis.call('get', 'x')", '0'],
  ['EVAL', "redis.call('get', 'x') redis.call('del', 'nosuchkey')", '0'],
  ['EVAL', "redis.call('rpush', 'l', 'a') redis.call('lpop', 'l')", '0'],
];

const EXPECTED_AOF = resp(
  ['SELECT', '0'],
  ['set', 'one', 'v\x00\xff'],
  ['MULTI'],
  ['set', 'x', '1'],
  ['SELECT', '2'],
  ['set', 'y', 'v'],
  ['incr', 'n'],
  ['EXEC'],
  ['SELECT', '0'],
  ['SET', 'after', '1'],
  ['set', 'p', '1'],
  ['MULTI'],
  ['set', 'q', '1'],
  ['incr', 'after'],
  ['EXEC'],
  ['MULTI'],
  ['rpush', 'l', 'a'],
  ['lpop', 'l'],
  ['EXEC'],
);

describe('scripts in the AOF', () => {
  test('a script propagates as the commands it ran, in one unit', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await sendAll(n.port, SCRIPT);
    expect(readAofFile(dir, INCR_FILE)).toBe(EXPECTED_AOF);
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('GET', 'one')).toBe('$3\r\nv\x00\xff\r\n');
    expect(await again.call('GET', 'after')).toBe('$1\r\n2\r\n');
    expect(await again.call('SELECT', '2')).toBe('+OK\r\n');
    expect(await again.call('GET', 'n')).toBe('$1\r\n1\r\n');
  });
});

describeNeedingRedis('scripts AOF interop')('scripts AOF interop with redis-server', () => {
  test('redis-server writes the same AOF for the same scripts', async () => {
    const redisDir = tempDir();
    const redis = await startRedisOn(redisDir, ['--appendonly', 'yes']);
    await sendAll(redis.port, SCRIPT);
    await redis.shutdown();
    expect(readAofFile(redisDir, INCR_FILE)).toBe(EXPECTED_AOF);
  });
});

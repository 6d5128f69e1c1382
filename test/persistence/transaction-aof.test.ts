/**
 * What transactions write to the AOF: nothing for a read-only EXEC, the command alone for one
 * write, MULTI ... EXEC around several (SELECT inside included), byte for byte as redis-server
 * 7.0.15 writes it; and restarting from such a file (Nodis's own or Redis's) restores the data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RawConnection } from '../helpers/raw-connection';
import { describeNeedingRedis } from '../compat/harness';
import { aofDir, readAofFile, resp, sendAll, startNodisOn, startRedisOn, tempDir, useCleanup } from './aof-helpers';

useCleanup();

const INCR_FILE = 'appendonly.aof.1.incr.aof';

/** Transactions with 0, 1 and several writes, SELECT inside, a runtime error, an abort. */
const SCRIPT: string[][] = [
  ['MULTI'], ['GET', 'a'], ['EXEC'],
  ['MULTI'], ['SET', 'one', '1'], ['GET', 'one'], ['EXEC'],
  ['MULTI'], ['SET', 'x', '1'], ['SELECT', '2'], ['SET', 'y', 'v\x00\xff'], ['INCR', 'n'], ['EXEC'],
  ['MULTI'], ['SET', 'z', '1'], ['EXEC'],
  ['SELECT', '0'],
  ['MULTI'], ['SET', 'e', '1', 'PXAT', '4102444800000'], ['RPUSH', 'l', 'a', 'b'], ['EXEC'],
  ['MULTI'], ['INCR', 'one'], ['LPUSH', 'one', 'x'], ['EXEC'],
  ['MULTI'], ['SET', 'lost', '1'], ['NOSUCH'], ['EXEC'],
  ['SET', 'after', '1'],
];

const EXPECTED_AOF = resp(
  ['SELECT', '0'],
  ['SET', 'one', '1'],
  ['MULTI'],
  ['SET', 'x', '1'],
  ['SELECT', '2'],
  ['SET', 'y', 'v\x00\xff'],
  ['INCR', 'n'],
  ['EXEC'],
  ['SET', 'z', '1'],
  ['SELECT', '0'],
  ['MULTI'],
  ['SET', 'e', '1', 'PXAT', '4102444800000'],
  ['RPUSH', 'l', 'a', 'b'],
  ['EXEC'],
  ['INCR', 'one'],
  ['SET', 'after', '1'],
);

/** The dataset the script leaves, read back through `call`. */
async function dataset(call: (...argv: string[]) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (const db of ['0', '2']) {
    await call('SELECT', db);
    for (const key of ['one', 'x', 'y', 'n', 'z', 'e', 'l', 'lost', 'after']) {
      const read = key === 'l' ? ['LRANGE', key, '0', '-1'] : ['GET', key];
      out.push(`${db}:${key}:${await call(...read)}:${await call('PEXPIRETIME', key)}`);
    }
  }
  return out;
}

describe('transactions in the AOF', () => {
  test('EXEC propagates as one unit; a restart replays it', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await sendAll(n.port, SCRIPT);
    expect(readAofFile(dir, INCR_FILE)).toBe(EXPECTED_AOF);
    const before = await dataset(n.call);
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await dataset(again.call)).toEqual(before);
    expect(await again.call('SELECT', '0')).toBe('+OK\r\n');
    expect(await again.call('GET', 'one')).toBe('$1\r\n2\r\n');
    expect(await again.call('LRANGE', 'l', '0', '-1')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await again.call('EXISTS', 'lost')).toBe(':0\r\n');
  });
});

describeNeedingRedis('transactions AOF interop')('transactions AOF interop with redis-server', () => {
  test('redis-server writes the same AOF, and Nodis loads the one redis-server wrote', async () => {
    const redisDir = tempDir();
    const redis = await startRedisOn(redisDir, ['--appendonly', 'yes']);
    await sendAll(redis.port, SCRIPT);
    const conn = await RawConnection.connect(redis.port);
    const fromRedis = await dataset((...argv) => conn.call(...argv));
    conn.close();
    await redis.shutdown();
    expect(readAofFile(redisDir, INCR_FILE)).toBe(EXPECTED_AOF);

    const nodisDir = tempDir();
    fs.cpSync(aofDir(redisDir), path.join(nodisDir, 'appendonlydir'), { recursive: true });
    const n = await startNodisOn(nodisDir);
    expect(await dataset(n.call)).toEqual(fromRedis);
  });
});

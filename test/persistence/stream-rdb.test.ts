/**
 * Streams in RDB files both ways with the real tools: Nodis saves -> redis-check-rdb accepts the
 * file and redis-server 7.0.15 loads streams that answer XINFO STREAM FULL, XRANGE, XINFO GROUPS
 * and XPENDING byte for byte as Nodis's; redis-server saves -> Nodis loads the same streams.
 * Also Nodis's own round trip (DEBUG RELOAD) and the stream value in an AOF's RDB preamble.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { describeNeedingRedis } from '../compat/harness';
import { startNodisOn, startRedisOn, tempDir, useCleanup } from './aof-helpers';
import { describeStreams, populateStreams, waitForRewrite } from './stream-dataset';

useCleanup();
const describeWithRedis = describeNeedingRedis('stream-rdb');

function checkRdb(file: string): void {
  const check = spawnSync('redis-check-rdb', [file], { encoding: 'latin1' });
  expect(check.stdout + check.stderr).toContain('RDB looks OK');
  expect(check.status).toBe(0);
}

describeWithRedis('streams: Nodis writes, redis-server reads', () => {
  for (const [label, config] of [
    ['defaults', {}],
    ['rdbcompression no', { rdbcompression: 'no' }],
    ['small nodes', { 'stream-node-max-entries': '7', 'stream-node-max-bytes': '300' }],
  ] as [string, Record<string, string>][]) {
    test(`every stream shape (${label})`, async () => {
      const dir = tempDir('nodis-stream-rdb-');
      const n = await startNodisOn(dir, { appendonly: 'no', ...config });
      await populateStreams(n.port);
      expect(await n.call('SAVE')).toBe('+OK\r\n');
      checkRdb(path.join(dir, 'dump.rdb'));
      const expected = await describeStreams(n.port);
      await n.stop();

      const directives = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
      const r = await startRedisOn(dir, directives);
      expect(await describeStreams(r.port)).toEqual(expected);
      await r.shutdown();
    });
  }
});

describeWithRedis('streams: redis-server writes, Nodis reads', () => {
  test('every stream shape, then saved again by Nodis and read by redis-server', async () => {
    const dir = tempDir('nodis-stream-rdb-');
    const r = await startRedisOn(dir);
    await populateStreams(r.port);
    expect(await r.call('SAVE')).toBe('+OK\r\n');
    const expected = await describeStreams(r.port);
    await r.shutdown();

    const n = await startNodisOn(dir, { appendonly: 'no' });
    expect(await describeStreams(n.port)).toEqual(expected);
    // Nodis's own file of what it loaded: the same bytes as redis-server's, but the header and
    // the order of the keys.
    const redisFile = fs.readFileSync(path.join(dir, 'dump.rdb'));
    expect(await n.call('SAVE')).toBe('+OK\r\n');
    const nodisFile = fs.readFileSync(path.join(dir, 'dump.rdb'));
    expect(bodyOf(nodisFile).length).toBe(bodyOf(redisFile).length);
    await n.stop();

    const again = await startRedisOn(dir);
    expect(await describeStreams(again.port)).toEqual(expected);
    await again.shutdown();
  });
});

/** An RDB file's keys (from the first SELECTDB up to the checksum): the AUX header differs. */
function bodyOf(file: Buffer): Buffer {
  const select = file.indexOf(Buffer.from([0xfe, 0x00, 0xfb]));
  return file.subarray(select, file.length - 8);
}

test('DEBUG RELOAD keeps every stream as it was', async () => {
  const dir = tempDir('nodis-stream-rdb-');
  const n = await startNodisOn(dir, { appendonly: 'no' });
  await populateStreams(n.port);
  const before = await describeStreams(n.port);
  expect(await n.call('DEBUG', 'RELOAD')).toBe('+OK\r\n');
  expect(await describeStreams(n.port)).toEqual(before);
});

test('an AOF with the RDB preamble restarts with the same streams', async () => {
  const dir = tempDir('nodis-stream-rdb-');
  const n = await startNodisOn(dir, { 'aof-use-rdb-preamble': 'yes' });
  await populateStreams(n.port);
  expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
  await waitForRewrite(n.call);
  const before = await describeStreams(n.port);
  await n.stop();
  const restarted = await startNodisOn(dir, { 'aof-use-rdb-preamble': 'yes' });
  expect(await describeStreams(restarted.port)).toEqual(before);
});

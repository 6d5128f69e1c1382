/**
 * Streams through an AOF rewrite, with both base formats: the command form (aof.c
 * rewriteStreamObject: XADD, XSETID, XGROUP CREATE ... ENTRIESREAD, CREATECONSUMER, XCLAIM ...
 * FORCE) and the RDB preamble. After BGREWRITEAOF, a restarted Nodis and redis-server 7.0.15
 * started on a copy of the same directory hold the same streams; redis-check-aof accepts it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { describeNeedingRedis } from '../compat/harness';
import { aofDir, checkAof, readAofFile, aofFiles, startNodisOn, startRedisOn, tempDir, useCleanup, resp } from './aof-helpers';
import { describeStreams, populateStreams, waitForRewrite } from './stream-dataset';

useCleanup();
const describeWithRedis = describeNeedingRedis('stream-aof');

/** Replies with the millisecond timestamps (delivery and seen times) masked: replays set them anew. */
function withoutTimes(described: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, replies] of Object.entries(described)) out[key] = replies.map((r) => r.replace(/:1\d{12}\r\n/g, ':T\r\n'));
  return out;
}

describeWithRedis('streams through BGREWRITEAOF', () => {
  for (const preamble of ['no', 'yes']) {
    test(`aof-use-rdb-preamble ${preamble}: a restart and redis-server give the same streams`, async () => {
      const dir = tempDir('nodis-stream-aof-');
      const n = await startNodisOn(dir, { 'aof-use-rdb-preamble': preamble });
      await populateStreams(n.port);
      expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
      await waitForRewrite(n.call);
      await n.stop();
      const base = newestBase(dir);
      expect(base.endsWith(preamble === 'yes' ? '.rdb' : '.aof')).toBe(true);
      const check = checkAof(path.join(aofDir(dir), 'appendonly.aof.manifest'));
      expect(check.output).toContain('is valid');

      const copy = tempDir('nodis-stream-aof-');
      fs.cpSync(dir, copy, { recursive: true });
      const restarted = await startNodisOn(dir, { 'aof-use-rdb-preamble': preamble });
      const r = await startRedisOn(copy, ['--appendonly', 'yes']);
      const fromRedis = await describeStreams(r.port);
      const fromNodis = await describeStreams(restarted.port);
      if (preamble === 'yes') expect(fromNodis).toEqual(fromRedis);
      else expect(withoutTimes(fromNodis)).toEqual(withoutTimes(fromRedis));
      await r.shutdown();
    });
  }
});

/** The base file of the latest rewrite: the one before it may still be waiting to be deleted. */
function newestBase(dir: string): string {
  const sequence = (name: string): number => Number(/\.(\d+)\.base\./.exec(name)?.[1] ?? -1);
  const bases = aofFiles(dir).filter((name) => name.includes('.base.'));
  return bases.reduce((newest, name) => (sequence(name) > sequence(newest) ? name : newest));
}

test('the command form of a stream is the commands Redis writes', async () => {
  const dir = tempDir('nodis-stream-aof-');
  const n = await startNodisOn(dir, { 'aof-use-rdb-preamble': 'no' });
  for (const argv of [
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '1-2', 'b', '\x00\xff'],
    ['XADD', 's', '1-3', 'c', '3'],
    ['XDEL', 's', '1-3'],
    ['XGROUP', 'CREATE', 's', 'g', '0'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'idle'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>'],
    ['XCLAIM', 's', 'g', 'c', '0', '1-1', 'TIME', '1700000000000', 'RETRYCOUNT', '4'],
    ['XADD', 'empty', 'MAXLEN', '0', '5-5', 'f', 'v'],
  ]) {
    expect(await n.call(...argv)).not.toMatch(/^-/);
  }
  expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
  await waitForRewrite(n.call);
  const base = newestBase(dir);
  const text = readAofFile(dir, base);
  expect(text).toContain(
    resp(
      ['XADD', 's', '1-1', 'a', '1'],
      ['XADD', 's', '1-2', 'b', '\x00\xff'],
      ['XSETID', 's', '1-3', 'ENTRIESADDED', '3', 'MAXDELETEDID', '1-3'],
      ['XGROUP', 'CREATE', 's', 'g', '1-1', 'ENTRIESREAD', '-1'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-1', 'TIME', '1700000000000', 'RETRYCOUNT', '4', 'JUSTID', 'FORCE'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'idle'],
    ),
  );
  expect(text).toContain(
    resp(['XADD', 'empty', 'MAXLEN', '0', '0-1', 'x', 'y'], ['XSETID', 'empty', '5-5', 'ENTRIESADDED', '1', 'MAXDELETEDID', '0-0']),
  );
});

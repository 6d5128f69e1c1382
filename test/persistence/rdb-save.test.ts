/**
 * SAVE end to end: the reply, the file it leaves in dir/dbfilename (accepted by redis-check-rdb),
 * and the clean failure when the file cannot be written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { describeCompat } from '../compat/harness';
import { useNodis } from '../helpers/nodis';
import { loadRdbFile } from '../../src/persistence/rdb-file';
import { Server } from '../../src/server/server';
import { configFrom } from '../../src/index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-save-'));
const log: string[] = [];
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describeCompat(
  'SAVE',
  (pair) => {
    test('replies +OK, and counts its arguments', async () => {
      await pair.expectSame([['SET', 'k', 'v'], ['RPUSH', 'l', 'a', 'b'], ['SAVE'], ['SAVE', 'extra'], ['DBSIZE'], ['SAVE']]);
    });
    test('dbfilename must be a plain file name', async () => {
      await pair.expectSame([
        ['CONFIG', 'SET', 'dbfilename', 'sub/dump.rdb'],
        ['CONFIG', 'SET', 'dbfilename', 'sub\\dump.rdb'],
        ['CONFIG', 'GET', 'dbfilename'],
        ['CONFIG', 'SET', 'dbfilename', 'other.rdb'],
        ['CONFIG', 'GET', 'dbfilename'],
        ['CONFIG', 'SET', 'dbfilename', 'dump.rdb'],
      ]);
    });
  },
  { nodis: { config: { dir, 'enable-protected-configs': 'yes' } }, redisDirectives: ['--enable-protected-configs', 'yes'] },
);

describe('SAVE', () => {
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-save-own-'));
  afterAll(() => fs.rmSync(own, { recursive: true, force: true }));
  const nodis = useNodis({ config: { dir: own, loglevel: 'notice' }, logSink: (line) => log.push(line) });

  test('writes dir/dbfilename, which redis-check-rdb accepts and loads back the same keys', async () => {
    const raw = await nodis.raw();
    await raw.call('SET', 'k\x00\xff', 'v');
    await raw.call('SELECT', '3');
    await raw.call('HSET', 'h', 'f', '1');
    expect(await raw.call('SAVE')).toBe('+OK\r\n');
    const file = path.join(own, 'dump.rdb');
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
    expect(check.stdout).toContain('RDB looks OK');
    expect(log.join('\n')).toContain('DB saved on disk');
    const copy = new Server({ config: configFrom({}) });
    expect(loadRdbFile(copy, file).keysLoaded).toBe(2);
    expect(copy.keyspace.databases[0].peek('k\x00\xff')).toBe('v');
    expect(copy.keyspace.databases[3].size).toBe(1);
    expect(fs.readdirSync(own)).toEqual(['dump.rdb']);
  });

  test('a file that cannot be written: -ERR, the reason in the log, the target untouched', async () => {
    const raw = await nodis.raw();
    const file = path.join(own, 'dump.rdb');
    fs.rmSync(file);
    fs.mkdirSync(file);
    log.length = 0;
    expect(await raw.call('SAVE')).toBe('-ERR\r\n');
    expect(log.join('\n')).toMatch(/Error moving temp DB file temp-\d+\.rdb on the final destination/);
    expect(fs.statSync(file).isDirectory()).toBe(true);
    expect(fs.readdirSync(own)).toEqual(['dump.rdb']);
    fs.rmdirSync(file);
    expect(await raw.call('SAVE')).toBe('+OK\r\n');
  });
});

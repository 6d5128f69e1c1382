/**
 * Saving as Redis does it around the snapshot: BGSAVE and its replies, LASTSAVE and INFO
 * persistence, save points run by the cron (and the retry delay after a failure), MISCONF after
 * a failed background save, what FLUSHALL and SHUTDOWN do with saves and with a BGSAVE in
 * progress. Failures are made real: a dbfilename that is a directory (rename fails), a removed
 * dir (open fails), a temp file that points at /dev/full (writes fail with ENOSPC).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/keyspace/clock';
import { persistenceOf, MISCONF_ERROR } from '../../src/persistence/persistence-state';
import { parseSavePoints, reachedSavePoint } from '../../src/persistence/save-points';
import { loadRdbFile } from '../../src/persistence/rdb-file';
import { startNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import { startRedisServer, type RedisProcess } from '../compat/harness';
import { commandRunner, copyKeyspace, keyspaceDifferences, offlineServer, tempDir, waitFor } from './dataset-helpers';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

/** A Nodis server saving into a fresh dir, with its log lines collected. */
async function nodisIn(config: Record<string, string> = {}, clock?: ManualClock) {
  const dir = newDir();
  const log: string[] = [];
  const handle = await startNodis({ config: { dir, loglevel: 'notice', ...config }, clock, logSink: (line) => log.push(line.trimEnd()) });
  const raw = await handle.raw();
  const state = persistenceOf(handle.server);
  return { ...handle, dir, log, raw, state };
}

async function info(conn: RawConnection, field: string): Promise<string> {
  const text = await conn.call('INFO', 'persistence');
  const line = text.split('\r\n').find((l) => l.startsWith(`${field}:`));
  if (line === undefined) throw new Error(`no ${field} in INFO`);
  return line.slice(field.length + 1);
}

/** Waits for the cron (hz 10) to run at least twice. */
const cronTicks = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250));

const OK = '+OK\r\n';
const STARTED = '+Background saving started\r\n';

describe('save points', () => {
  test('parsing the save directive and finding the point reached', () => {
    expect(parseSavePoints('')).toEqual([]);
    const points = parseSavePoints('3600 1 300 100 60 10000');
    expect(points).toEqual([{ seconds: 3600, changes: 1 }, { seconds: 300, changes: 100 }, { seconds: 60, changes: 10000 }]);
    expect(reachedSavePoint(points, 0, 100000)).toBeNull();
    expect(reachedSavePoint(points, 1, 3600)).toBeNull(); // strictly more seconds than the point
    expect(reachedSavePoint(points, 1, 3601)).toEqual({ seconds: 3600, changes: 1 });
    expect(reachedSavePoint(points, 100, 301)).toEqual({ seconds: 300, changes: 100 });
    expect(reachedSavePoint(points, 99, 301)).toBeNull();
    expect(reachedSavePoint(points, 10000, 61)).toEqual({ seconds: 60, changes: 10000 });
    expect(reachedSavePoint(parseSavePoints('10 0'), 0, 11)).toEqual({ seconds: 10, changes: 0 });
  });

  test('the cron starts a BGSAVE once a save point is reached, and LASTSAVE moves', async () => {
    const clock = new ManualClock(Date.now());
    const n = await nodisIn({ save: '100 3 10 1000' }, clock);
    const startedAt = Math.floor(clock.now() / 1000);
    expect(await n.raw.call('LASTSAVE')).toBe(`:${startedAt}\r\n`);
    await n.raw.call('SET', 'a', '1');
    await n.raw.call('SET', 'b', '2');
    clock.advance(101_000);
    await cronTicks();
    expect(n.state.rdbSaves).toBe(0); // 2 changes: below both points
    await n.raw.call('SET', 'c', '3');
    expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe('3');
    await cronTicks();
    await waitFor(() => n.state.rdbSaves === 1 && n.state.current === null);
    expect(n.log.some((l) => l.endsWith('3 changes in 100 seconds. Saving...'))).toBe(true);
    expect(n.log.some((l) => l.endsWith('Background saving terminated with success'))).toBe(true);
    expect(await n.raw.call('LASTSAVE')).toBe(`:${startedAt + 101}\r\n`);
    expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe('0');
    expect(await info(n.raw, 'rdb_last_bgsave_status')).toBe('ok');
    expect(fs.existsSync(path.join(n.dir, 'dump.rdb'))).toBe(true);
    // No new change: no new save, however long it waits.
    clock.advance(500_000);
    await cronTicks();
    expect(n.state.rdbSaves).toBe(1);
    await n.stop();
  });

  test('after a failed background save the next automatic one waits 5 seconds', async () => {
    const clock = new ManualClock(Date.now());
    const n = await nodisIn({ save: '1 1', 'enable-protected-configs': 'yes' }, clock);
    fs.mkdirSync(path.join(n.dir, 'isdir', 'x'), { recursive: true });
    expect(await n.raw.call('CONFIG', 'SET', 'dbfilename', 'isdir')).toBe(OK);
    await n.raw.call('SET', 'a', '1');
    clock.advance(2000);
    await waitFor(() => n.state.rdbSaves === 1 && n.state.current === null);
    expect(n.state.lastBgsaveStatus).toBe('err');
    clock.advance(4000);
    await cronTicks();
    expect(n.state.rdbSaves).toBe(1);
    clock.advance(2000);
    await waitFor(() => n.state.rdbSaves === 2 && n.state.current === null);
    expect(n.state.lastBgsaveStatus).toBe('err');
    // Once the file can be written, the next try succeeds and writes are allowed again.
    expect(await n.raw.call('CONFIG', 'SET', 'dbfilename', 'dump.rdb')).toBe(OK);
    clock.advance(6000);
    await waitFor(() => n.state.rdbSaves === 3 && n.state.current === null);
    expect(n.state.lastBgsaveStatus).toBe('ok');
    expect(await n.raw.call('SET', 'b', '2')).toBe(OK);
    await n.stop();
  });
});

describe('BGSAVE', () => {
  test('argument errors and replies are those of redis-server', async () => {
    const n = await nodisIn();
    const reference = await startRedisServer();
    const conn = await RawConnection.connect(reference.port);
    try {
      for (const argv of [['BGSAVE', 'x'], ['BGSAVE', 'SCHEDULE', 'x'], ['bgsave', 'now'], ['LASTSAVE', 'x']]) {
        expect(await n.raw.call(...argv)).toBe(await conn.call(...argv));
      }
      expect(await conn.call('BGSAVE', 'schedule')).toBe(STARTED);
      expect(await n.raw.call('BGSAVE', 'schedule')).toBe(STARTED);
      await waitFor(() => n.state.current === null);
    } finally {
      conn.close();
      await reference.stop();
      await n.stop();
    }
  });

  test('the file holds every database with TTLs and Nodis loads it back identically', async () => {
    const n = await nodisIn();
    const c = n.client();
    await c.set('s', 'value');
    await c.set('n', '12345');
    await c.rpush('l', 'a', 'b', 'c');
    await c.sadd('set', '1', '2', '3');
    await c.hset('h', 'f', 'v');
    await c.zadd('z', 1.5, 'm');
    await c.pexpireat('s', Date.now() + 100_000);
    await c.select(7);
    await c.set('other-db', 'x');
    const before = Number(await n.raw.call('LASTSAVE').then((r) => r.slice(1)));
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    await waitFor(() => n.state.current === null);
    expect(await info(n.raw, 'rdb_saves')).toBe('1');
    expect(await info(n.raw, 'rdb_last_bgsave_time_sec')).toBe('0');
    expect(await info(n.raw, 'rdb_current_bgsave_time_sec')).toBe('-1');
    expect(Number((await n.raw.call('LASTSAVE')).slice(1))).toBeGreaterThanOrEqual(before);
    const loaded = offlineServer();
    loadRdbFile(loaded.server, path.join(n.dir, 'dump.rdb'));
    expect(keyspaceDifferences(copyKeyspace(n.server.keyspace), loaded.server.keyspace)).toEqual([]);
    // A second save replaces the file (the old one is removed off the event loop).
    await c.set('after-first-save', 'y');
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    await waitFor(() => n.state.current === null);
    await waitFor(() => fs.readdirSync(n.dir).length === 1);
    expect(fs.readdirSync(n.dir)).toEqual(['dump.rdb']);
    const reloaded = offlineServer();
    loadRdbFile(reloaded.server, path.join(n.dir, 'dump.rdb'));
    expect(reloaded.server.keyspace.databases[7].peek('after-first-save')).toBe('y');
    expect(keyspaceDifferences(copyKeyspace(n.server.keyspace), reloaded.server.keyspace)).toEqual([]);
    await n.stop();
  });

  test('INFO shows the save in progress', async () => {
    const clock = new ManualClock();
    const n = await nodisIn({}, clock);
    const s = commandRunner(n.server, clock);
    for (let i = 0; i < 20000; i++) s.run('SET', `k${i}`, 'v');
    // One key per event-loop turn: the save outlasts the INFO calls below by far.
    n.state.slice.maxKeys = 1;
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    clock.advance(3000);
    const fields = await n.raw.call('INFO', 'persistence');
    expect(fields).toContain('rdb_bgsave_in_progress:1\r\n');
    expect(fields).toContain('current_save_keys_total:20000\r\n');
    expect(fields).toContain('rdb_current_bgsave_time_sec:3\r\n');
    const processed = Number(/current_save_keys_processed:(\d+)/.exec(fields)![1]);
    expect(processed).toBeGreaterThan(0);
    expect(processed).toBeLessThan(20000);
    expect(fields).toContain(`current_fork_perc:${((processed / 20000) * 100).toFixed(2)}\r\n`);
    n.state.slice.maxKeys = 5000;
    await waitFor(() => n.state.current === null);
    expect(await info(n.raw, 'rdb_bgsave_in_progress')).toBe('0');
    expect(await info(n.raw, 'current_save_keys_total')).toBe('0');
    expect(await info(n.raw, 'current_fork_perc')).toBe('0.00');
    await n.stop();
  });

  test('while another background job runs: refused, or scheduled with SCHEDULE and started later', async () => {
    const n = await nodisIn();
    let rewriting = true;
    n.state.otherJobActive = () => rewriting;
    expect(await n.raw.call('BGSAVE')).toBe(
      "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
    );
    expect(await n.raw.call('BGSAVE', 'SCHEDULE')).toBe('+Background saving scheduled\r\n');
    await cronTicks();
    expect(n.state.rdbSaves).toBe(0);
    rewriting = false;
    await waitFor(() => n.state.rdbSaves === 1 && n.state.current === null);
    expect(n.state.bgsaveScheduled).toBe(false);
    expect(fs.existsSync(path.join(n.dir, 'dump.rdb'))).toBe(true);
    await n.stop();
  });
});

describe('failed background saves', () => {
  test('rename onto a directory: status err, temp file gone, old file intact', async () => {
    const n = await nodisIn({ 'enable-protected-configs': 'yes' });
    await n.raw.call('SET', 'k', 'old');
    expect(await n.raw.call('SAVE')).toBe(OK);
    const original = fs.readFileSync(path.join(n.dir, 'dump.rdb'));
    fs.mkdirSync(path.join(n.dir, 'isdir', 'x'), { recursive: true });
    expect(await n.raw.call('CONFIG', 'SET', 'dbfilename', 'isdir')).toBe(OK);
    await n.raw.call('SET', 'k', 'new');
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    await waitFor(() => n.state.current === null);
    expect(await info(n.raw, 'rdb_last_bgsave_status')).toBe('err');
    expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe('1');
    expect(fs.readdirSync(n.dir).sort()).toEqual(['dump.rdb', 'isdir']);
    expect(fs.readFileSync(path.join(n.dir, 'dump.rdb'))).toEqual(original);
    expect(n.log.some((l) => l.endsWith(
      `Error moving temp DB file temp-${process.pid}.rdb on the final destination isdir (in server root dir ${n.dir}): Is a directory`,
    ))).toBe(true);
    expect(n.log.some((l) => l.endsWith('Background saving error'))).toBe(true);
    await n.stop();
  });

  test('a dir that is gone: the temp file cannot be opened', async () => {
    const n = await nodisIn();
    fs.rmSync(n.dir, { recursive: true });
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    await waitFor(() => n.state.current === null);
    expect(n.state.lastBgsaveStatus).toBe('err');
    expect(n.log.some((l) => l.endsWith(
      `Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${n.dir}) for saving: No such file or directory`,
    ))).toBe(true);
    await n.stop();
  });

  test('a full disk (ENOSPC while writing)', async () => {
    const n = await nodisIn();
    const s = commandRunner(n.server, new ManualClock());
    // More than the writer's 1 MB buffer, so the data reaches the file before the end.
    for (let i = 0; i < 300; i++) s.run('SET', `k${i}`, 'x'.repeat(10000));
    fs.symlinkSync('/dev/full', path.join(n.dir, `temp-${process.pid}.rdb`));
    expect(await n.raw.call('CONFIG', 'SET', 'rdbcompression', 'no')).toBe(OK);
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    await waitFor(() => n.state.current === null);
    expect(n.state.lastBgsaveStatus).toBe('err');
    expect(n.log.some((l) => l.endsWith('Write error saving DB on disk: No space left on device'))).toBe(true);
    expect(fs.readdirSync(n.dir)).toEqual([]);
    await n.stop();
  });
});

describe('MISCONF', () => {
  /** Makes the next BGSAVE fail on both servers (dbfilename names a directory) and runs it. */
  async function failBgsave(conn: RawConnection, dir: string, done: () => Promise<void>): Promise<void> {
    fs.mkdirSync(path.join(dir, 'isdir', 'x'), { recursive: true });
    expect(await conn.call('CONFIG', 'SET', 'dbfilename', 'isdir')).toBe(OK);
    expect(await conn.call('BGSAVE')).toBe(STARTED);
    await done();
  }

  test('writes and PING are refused as by redis-server until a save succeeds', async () => {
    const n = await nodisIn({ save: '3600 1', 'enable-protected-configs': 'yes' });
    const redisDir = newDir();
    let reference: RedisProcess | null = null;
    let conn: RawConnection | null = null;
    try {
      reference = await startRedisServer(['--save', '3600 1', '--enable-protected-configs', 'yes', '--dir', redisDir]);
      conn = await RawConnection.connect(reference.port);
      const r = conn;
      await failBgsave(n.raw, n.dir, () => waitFor(() => n.state.current === null));
      await failBgsave(r, redisDir, async () => {
        for (let i = 0; i < 200 && (await info(r, 'rdb_bgsave_in_progress')) !== '0'; i++) await new Promise((res) => setTimeout(res, 25));
      });
      const script: string[][] = [
        ['SET', 'k', 'v'], ['PING'], ['PING', 'hello'], ['GET', 'k'], ['DEL', 'k'], ['INCR', 'n'], ['EXPIRE', 'k', '10'],
        ['FLUSHDB'], ['LPUSH', 'l', 'x'], ['DBSIZE'], ['ECHO', 'e'], ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'],
        ['SET', 'k', 'v'], ['PING'], ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes'], ['SET', 'k', 'v2'],
        ['CONFIG', 'SET', 'save', ''], ['SET', 'k', 'v3'], ['CONFIG', 'SET', 'save', '3600 1'], ['SET', 'k', 'v4'],
        ['CONFIG', 'SET', 'dbfilename', 'dump.rdb'], ['SAVE'], ['SET', 'k', 'v5'], ['GET', 'k'],
      ];
      for (const argv of script) expect(await n.raw.call(...argv), argv.join(' ')).toBe(await r.call(...argv));
      expect(await r.call('SET', 'x', 'y')).toBe(OK);
      expect(MISCONF_ERROR.startsWith('MISCONF ')).toBe(true);
    } finally {
      conn?.close();
      await reference?.stop();
      await n.stop();
    }
  });

  test('the exact text', async () => {
    const n = await nodisIn({ save: '3600 1' });
    n.state.lastBgsaveStatus = 'err';
    expect(await n.raw.call('SET', 'a', 'b')).toBe(`-${MISCONF_ERROR}\r\n`);
    expect(await n.raw.call('GET', 'a')).toBe('$-1\r\n');
    await n.stop();
  });
});

describe('FLUSHALL and saves', () => {
  test('with save points FLUSHALL stops the BGSAVE in progress and saves the empty dataset', async () => {
    const n = await nodisIn({ save: '3600 1' });
    const s = commandRunner(n.server, new ManualClock());
    for (let i = 0; i < 3000; i++) s.run('SET', `k${i}`, 'v');
    n.state.slice.maxKeys = 1;
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    expect(n.state.current).not.toBeNull();
    expect(await n.raw.call('FLUSHALL')).toBe(OK);
    expect(n.state.current).toBeNull();
    expect(await info(n.raw, 'rdb_last_bgsave_status')).toBe('ok');
    expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe('0');
    expect(fs.readdirSync(n.dir)).toEqual(['dump.rdb']);
    const loaded = offlineServer();
    expect(loadRdbFile(loaded.server, path.join(n.dir, 'dump.rdb')).keysLoaded).toBe(0);
    expect(n.log.some((l) => l.endsWith('Background saving terminated before completion'))).toBe(true);
    await n.stop();
  });

  test('FLUSHALL of empty databases is still propagated (AOF, replicas)', async () => {
    const n = await nodisIn();
    const propagated: string[][] = [];
    n.server.dispatcher.sinks.push({ propagate: (_db, argv) => void propagated.push(argv) });
    expect(await n.raw.call('FLUSHALL')).toBe(OK);
    expect(propagated).toEqual([['FLUSHALL']]);
    await n.stop();
  });

  test('rdb_changes_since_last_save after FLUSHALL, with and without save points, as redis-server', async () => {
    const n = await nodisIn();
    const reference = await startRedisServer(['--dir', newDir()]);
    const conn = await RawConnection.connect(reference.port);
    try {
      for (const c of [n.raw, conn]) {
        await c.call('SAVE');
        await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
        await c.call('FLUSHALL');
        await c.call('FLUSHALL');
      }
      expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe(await info(conn, 'rdb_changes_since_last_save'));
      for (const c of [n.raw, conn]) {
        await c.call('CONFIG', 'SET', 'save', '3600 1');
        await c.call('MSET', 'a', '1', 'b', '2');
        await c.call('FLUSHALL');
      }
      expect(await info(n.raw, 'rdb_changes_since_last_save')).toBe('0');
      expect(await info(conn, 'rdb_changes_since_last_save')).toBe('0');
      expect(await info(n.raw, 'rdb_saves')).toBe(await info(conn, 'rdb_saves'));
    } finally {
      conn.close();
      await reference.stop();
      await n.stop();
    }
  });
});

describe('SHUTDOWN and signals', () => {
  test('SHUTDOWN with save points stops the BGSAVE and saves the whole dataset synchronously', async () => {
    const n = await nodisIn({ save: '3600 1' });
    const s = commandRunner(n.server, new ManualClock());
    for (let i = 0; i < 3000; i++) s.run('SET', `k${i}`, String(i));
    const expected = copyKeyspace(n.server.keyspace);
    n.state.slice.maxKeys = 1;
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    n.raw.send(['SHUTDOWN']);
    expect(await n.raw.readUntilClose(3000)).toBe('');
    expect(fs.readdirSync(n.dir)).toEqual(['dump.rdb']);
    const loaded = offlineServer();
    loadRdbFile(loaded.server, path.join(n.dir, 'dump.rdb'));
    expect(keyspaceDifferences(expected, loaded.server.keyspace)).toEqual([]);
    const order = ['User requested shutdown...', 'There is a child saving an .rdb. Killing it!', 'Saving the final RDB snapshot before exiting.', 'DB saved on disk', 'Nodis is now ready to exit, bye bye...'];
    const at = order.map((line) => n.log.findIndex((l) => l.endsWith(line)));
    expect(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1]))).toBe(true);
    await n.stop();
  });

  test('SHUTDOWN NOSAVE and SHUTDOWN without save points write nothing; SHUTDOWN SAVE does', async () => {
    const a = await nodisIn({ save: '3600 1' });
    await a.raw.call('SET', 'k', 'v');
    a.raw.send(['SHUTDOWN', 'NOSAVE']);
    await a.raw.readUntilClose(3000);
    expect(fs.readdirSync(a.dir)).toEqual([]);
    await a.stop();

    const b = await nodisIn();
    await b.raw.call('SET', 'k', 'v');
    b.raw.send(['SHUTDOWN']);
    await b.raw.readUntilClose(3000);
    expect(fs.readdirSync(b.dir)).toEqual([]);
    await b.stop();

    const c = await nodisIn();
    await c.raw.call('SET', 'k', 'v');
    c.raw.send(['SHUTDOWN', 'SAVE']);
    await c.raw.readUntilClose(3000);
    expect(fs.readdirSync(c.dir)).toEqual(['dump.rdb']);
    await c.stop();
  });

  test('a failed save keeps the server running, unless FORCE', async () => {
    const n = await nodisIn({ save: '3600 1' });
    await n.raw.call('SET', 'k', 'v');
    fs.rmSync(n.dir, { recursive: true });
    expect(await n.raw.call('SHUTDOWN')).toBe('-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    expect(await n.raw.call('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(n.log.some((l) => l.endsWith("Error trying to save the DB, can't exit."))).toBe(true);
    n.raw.send(['SHUTDOWN', 'FORCE']);
    expect(await n.raw.readUntilClose(3000)).toBe('');
    expect(n.log.some((l) => l.endsWith('Error trying to save the DB. Exit anyway.'))).toBe(true);
    await n.stop();
  });

  test('a signal (server.shutdown) saves when save points are set', async () => {
    const n = await nodisIn({ save: '3600 1' });
    await n.raw.call('SET', 'k', 'v');
    expect(await n.server.shutdown('Received SIGTERM', true)).toBe(true);
    const loaded = offlineServer();
    expect(loadRdbFile(loaded.server, path.join(n.dir, 'dump.rdb')).keysLoaded).toBe(1);
    await n.stop();
  });

  test('closing the server during a BGSAVE stops it and removes the temp file', async () => {
    const n = await nodisIn();
    const s = commandRunner(n.server, new ManualClock());
    for (let i = 0; i < 3000; i++) s.run('SET', `k${i}`, 'v');
    n.state.slice.maxKeys = 1;
    expect(await n.raw.call('BGSAVE')).toBe(STARTED);
    expect(fs.readdirSync(n.dir)).toEqual([`temp-${process.pid}.rdb`]);
    await n.stop();
    expect(n.state.current).toBeNull();
    expect(fs.readdirSync(n.dir)).toEqual([]);
  });
});

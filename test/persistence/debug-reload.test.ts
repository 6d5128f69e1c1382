/**
 * DEBUG RELOAD and DEBUG LOADAOF where files matter: corrupt and truncated RDB files (loaded by
 * redis-server and Nodis alike), files redis-server wrote, a BGSAVE or AOF rewrite running
 * meanwhile, LOADAOF after writes, with a damaged AOF or none, and what redis-server dies of
 * (where Nodis replies an error and keeps running).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { createServer, ManualClock } from '../../src/index';
import { persistenceOf } from '../../src/persistence/persistence-state';
import { aofOf } from '../../src/persistence/aof/aof';
import { RawConnection } from '../helpers/raw-connection';
import { describeKeyspace, expectSameKeyspace, sendAll } from './rdb-dataset';
import {
  aofDir, aofFiles, eventually, onCleanup, readAofFile, resp, startNodisOn, startRedisOn, tempDir, useCleanup,
  type NodisOnDir,
} from './aof-helpers';

useCleanup();

const RDB_LOAD_ERROR = '-ERR Error trying to load the RDB dump\r\n';
const AOF_LOAD_ERROR = '-ERR Error trying to load the AOF files, check server logs.\r\n';
const FAR = String(4102444800000);

/** Nodis on `dir` without the AOF (unless asked) nor save points, its log kept. */
function rdbNodis(dir: string, config: Record<string, string> = {}): Promise<NodisOnDir> {
  return startNodisOn(dir, { appendonly: 'no', save: '', ...config });
}

async function connect(port: number): Promise<RawConnection> {
  const conn = await RawConnection.connect(port);
  onCleanup(() => conn.close());
  return conn;
}

/** Sends several commands in one write (handled in one go) and returns their replies. */
async function pipeline(conn: RawConnection, ...commands: string[][]): Promise<string[]> {
  conn.write(resp(...commands));
  const replies: string[] = [];
  for (let i = 0; i < commands.length; i++) replies.push((await conn.readReply(20000)).toString('latin1'));
  return replies;
}

function infoField(info: string, name: string): string {
  const m = new RegExp(`\\r\\n${name}:([^\\r]*)\\r\\n`).exec(info);
  if (!m) throw new Error(`no ${name} in INFO`);
  return m[1];
}

function stringKeys(count: number, value: (i: number) => string): string[][] {
  const commands: string[][] = [];
  for (let i = 0; i < count; i++) commands.push(['SET', `key:${i}`, value(i)]);
  return commands;
}

describe('DEBUG RELOAD', () => {
  test('a damaged file: the same error and the same keys loaded as redis-server, which keeps running too', async () => {
    const source = tempDir();
    const maker = await rdbNodis(source);
    const conn = await connect(maker.port);
    await sendAll(conn, [...stringKeys(30, (i) => `value-${i}`), ['RPUSH', 'list', 'a', 'b', '1'], ['HSET', 'hash', 'f', 'v']]);
    expect(await conn.call('SAVE')).toBe('+OK\r\n');
    const good = fs.readFileSync(path.join(source, 'dump.rdb'));

    const truncated = good.subarray(0, Math.floor(good.length * 0.6));
    const badChecksum = Buffer.from(good);
    badChecksum[badChecksum.length - 1] ^= 0xff;
    const badType = Buffer.from(good);
    const keyAt = badType.indexOf(Buffer.from('\x06key:17', 'latin1'));
    expect(keyAt).toBeGreaterThan(9);
    badType[keyAt - 1] = 0x63; // not an RDB type

    const redisDir = tempDir();
    const nodisDir = tempDir();
    const redis = await startRedisOn(redisDir, ['--appendonly', 'no']);
    const nodis = await rdbNodis(nodisDir);
    const conns = [await connect(redis.port), await connect(nodis.port)];
    // The keys read before the failure stay: some for the cut file, all 32 for the bad checksum.
    const loaded: [Buffer, (keys: number) => boolean][] = [
      [truncated, (keys) => keys > 0 && keys < 32],
      [badChecksum, (keys) => keys === 32],
      [badType, (keys) => keys < 32],
    ];
    for (const [file, expected] of loaded) {
      for (const dir of [redisDir, nodisDir]) fs.writeFileSync(path.join(dir, 'dump.rdb'), file);
      const outcomes = await Promise.all(
        conns.map((c) => pipeline(c, ['SET', 'mine', 'x'], ['DEBUG', 'RELOAD', 'NOSAVE'], ['PING'], ['DBSIZE'], ['DEBUG', 'DIGEST'])),
      );
      expect(outcomes[0].slice(1, 3)).toEqual([RDB_LOAD_ERROR, '+PONG\r\n']);
      expect(expected(Number(outcomes[0][3].slice(1, -2)))).toBe(true);
      expect(outcomes[1]).toEqual(outcomes[0]);
    }
    expect(nodis.log.join('')).toContain('is truncated');
    expect(nodis.log.join('')).toContain('Wrong RDB checksum');
    expect(nodis.log.join('')).toContain('Unknown RDB encoding type 99');
  });

  test('NOFLUSH without MERGE meeting a key already there: the error (redis-server panics), the keys before it loaded', async () => {
    const dir = tempDir();
    const n = await rdbNodis(dir);
    const conn = await connect(n.port);
    await sendAll(conn, stringKeys(50, (i) => `file-${i}`));
    expect(await conn.call('SAVE')).toBe('+OK\r\n');
    await sendAll(conn, [['FLUSHALL'], ['SET', 'key:25', 'mine']]);
    expect(await pipeline(conn, ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH'], ['PING'], ['GET', 'key:25'])).toEqual([
      RDB_LOAD_ERROR,
      '+PONG\r\n',
      '$4\r\nmine\r\n',
    ]);
    const loaded = Number((await conn.call('DBSIZE')).slice(1, -2));
    expect(loaded).toBeGreaterThanOrEqual(1);
    expect(loaded).toBeLessThan(51);
    expect(n.log.join('')).toContain("Duplicated key 'key:25' in DB 0");
    // With MERGE the same reload goes through, the file's value replacing mine.
    expect(await pipeline(conn, ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'], ['DBSIZE'], ['GET', 'key:25'])).toEqual([
      '+OK\r\n',
      ':50\r\n',
      '$7\r\nfile-25\r\n',
    ]);
  });

  test('NOSAVE loads the file redis-server wrote earlier, keys, encodings and TTLs as redis-server has them', async () => {
    const dir = tempDir();
    const redis = await startRedisOn(dir, ['--appendonly', 'no']);
    const rconn = await connect(redis.port);
    const members: string[] = [];
    for (let i = 0; i < 200; i++) members.push(String(i), `m${i}`);
    await sendAll(rconn, [
      ['SET', 'str', 'from redis'],
      ['SET', 'int', '12345'],
      ['PEXPIREAT', 'int', FAR],
      ['RPUSH', 'list', 'a', 'b', 'c'],
      ['SADD', 'intset', '1', '2', '3'],
      ['HSET', 'hash', 'f', 'v'],
      ['ZADD', 'zset', ...members],
      ['SELECT', '9'],
      ['SET', 'db9', 'nine'],
      ['PEXPIREAT', 'db9', FAR],
    ]);
    expect(await rconn.call('SAVE')).toBe('+OK\r\n');
    const expected = await describeKeyspace(redis.port, [0, 9]);
    await redis.shutdown();

    const n = await rdbNodis(dir);
    const conn = await connect(n.port);
    await sendAll(conn, [['SET', 'str', 'newer'], ['SET', 'only-in-memory', '1']]);
    expect(await conn.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('+OK\r\n');
    expectSameKeyspace(await describeKeyspace(n.port, [0, 9]), expected);
    expect(n.log.join('')).toContain('Loading RDB produced by version 7.0.15');
    expect(n.log.join('')).toContain('DB reloaded by DEBUG RELOAD');
  });

  test('RELOAD counts as a save (LASTSAVE, no changes left) and is not propagated; NOSAVE is neither', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const log: string[] = [];
    const server = await createServer({
      port: 0,
      clock,
      config: { dir, appendonly: 'yes', save: '', 'enable-debug-command': 'yes' },
      logSink: (line) => log.push(line),
    });
    onCleanup(() => server.close());
    const conn = await connect(server.port);
    await sendAll(conn, [['SET', 'a', '1'], ['SET', 'b', '2', 'PX', '1000000']]);
    const aofBefore = readAofFile(dir, 'appendonly.aof.1.incr.aof');
    const lastSave = await conn.call('LASTSAVE');

    clock.advance(60_000);
    expect(await pipeline(conn, ['DEBUG', 'RELOAD'], ['LASTSAVE'], ['INFO', 'persistence'])).toEqual([
      '+OK\r\n',
      `:${Math.floor(clock.now() / 1000)}\r\n`,
      expect.stringContaining('\r\nrdb_changes_since_last_save:0\r\n'),
    ]);
    await sendAll(conn, [['SET', 'c', '3']]);
    clock.advance(60_000);
    const [reply, lastSaveAfterNosave, info] = await pipeline(conn, ['DEBUG', 'RELOAD', 'NOSAVE'], ['LASTSAVE'], ['INFO', 'persistence']);
    expect(reply).toBe('+OK\r\n');
    expect(lastSaveAfterNosave).not.toBe(lastSave);
    expect(lastSaveAfterNosave).toBe(`:${Math.floor((clock.now() - 60_000) / 1000)}\r\n`);
    expect(infoField(info, 'rdb_changes_since_last_save')).toBe('1');
    // The reload of the older file dropped c; the TTL of b came back from the file.
    expect(await pipeline(conn, ['EXISTS', 'c'], ['PTTL', 'b'])).toEqual([':0\r\n', `:${1_000_000 - 120_000}\r\n`]);
    // Only the writes reached the AOF: neither reload was appended.
    await eventually(() => expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe(aofBefore + resp(['SET', 'c', '3'])));
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).not.toContain('DEBUG');
  });

  test('a BGSAVE in progress goes on: its file has the dataset as of its start, the reload saved through its own temp file', async () => {
    const dir = tempDir();
    const n = await rdbNodis(dir);
    const conn = await connect(n.port);
    await sendAll(conn, stringKeys(2000, () => 'old'));
    expect(await conn.call('SAVE')).toBe('+OK\r\n');
    await sendAll(conn, stringKeys(2000, () => 'snapshot'));
    const state = persistenceOf(n.server);
    state.slice.maxKeys = 1;
    const file = path.join(dir, 'dump.rdb');
    /** Once the BGSAVE is over: its file is sound, alone in dir, and loads as `expected`. */
    const expectSnapshot = async (expected: [string[], string][]): Promise<void> => {
      await eventually(() => expect(state.current).toBeNull(), 30000);
      expect(state.lastBgsaveStatus).toBe('ok');
      // The replaced file's second name is removed on the thread pool, just after the rename.
      await eventually(() => expect(fs.readdirSync(dir)).toEqual(['dump.rdb']), 5000);
      expect(spawnSync('redis-check-rdb', [file], { encoding: 'utf8' }).stdout).toContain('RDB looks OK!');
      const copy = tempDir();
      fs.copyFileSync(file, path.join(copy, 'dump.rdb'));
      const check = await connect((await rdbNodis(copy)).port);
      for (const [argv, reply] of expected) expect(await check.call(...argv)).toBe(reply);
    };

    // MERGE from the older file replaces every key while the snapshot is being written.
    expect(
      await pipeline(conn, ['BGSAVE'], ['SET', 'during', 'bgsave'], ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'], ['GET', 'key:7']),
    ).toEqual(['+Background saving started\r\n', '+OK\r\n', '+OK\r\n', '$3\r\nold\r\n']);
    await expectSnapshot([
      [['DBSIZE'], ':2000\r\n'],
      [['GET', 'key:7'], '$8\r\nsnapshot\r\n'],
      [['EXISTS', 'during'], ':0\r\n'],
    ]);

    // A plain reload (save, flush, load) while another one runs.
    expect(await pipeline(conn, ['BGSAVE'], ['SET', 'key:8', 'reloaded'], ['DEBUG', 'RELOAD'], ['GET', 'key:8'], ['DBSIZE'])).toEqual([
      '+Background saving started\r\n',
      '+OK\r\n',
      '+OK\r\n',
      '$8\r\nreloaded\r\n',
      ':2001\r\n',
    ]);
    expect(state.current).not.toBeNull();
    expect(n.log.join('')).not.toContain('Background saving error');
    await expectSnapshot([
      [['DBSIZE'], ':2001\r\n'],
      [['GET', 'key:8'], '$3\r\nold\r\n'],
      [['GET', 'during'], '$6\r\nbgsave\r\n'],
    ]);
  });

  test('an AOF rewrite in progress finishes, and the AOF then holds the reloaded dataset', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    await sendAll(conn, stringKeys(1000, (i) => `v${i}`));
    const digest = await conn.call('DEBUG', 'DIGEST');
    persistenceOf(n.server).slice.maxKeys = 1;
    expect(await pipeline(conn, ['BGREWRITEAOF'], ['DEBUG', 'RELOAD'], ['DEBUG', 'LOADAOF'], ['DEBUG', 'DIGEST'])).toEqual([
      '+Background append only file rewriting started\r\n',
      '+OK\r\n',
      '+OK\r\n',
      digest,
    ]);
    const aof = aofOf(n.server);
    expect(aof.rewrite).not.toBeNull();
    await eventually(() => expect(aof.rewrite).toBeNull(), 30000);
    expect(aof.lastRewriteStatus).toBe('ok');
    expect(await pipeline(conn, ['SET', 'after', '1'], ['DEBUG', 'LOADAOF'], ['GET', 'after'], ['DBSIZE'])).toEqual([
      '+OK\r\n',
      '+OK\r\n',
      '$1\r\n1\r\n',
      ':1001\r\n',
    ]);
    await n.stop();
    const again = await startNodisOn(dir);
    const aconn = await connect(again.port);
    await sendAll(aconn, [['DEL', 'after']]);
    expect(await aconn.call('DEBUG', 'DIGEST')).toBe(digest);
  });
});

describe('DEBUG LOADAOF', () => {
  test('after writes: the same dataset, nothing appended again, the replay counted nowhere', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    await sendAll(conn, [
      ['SET', 's', 'v', 'EX', '1000'],
      ['RPUSH', 'l', 'a', 'b'],
      ['HSET', 'h', 'f', '1'],
      ['HINCRBY', 'h', 'f', '5'],
      ['SELECT', '4'],
      ['SADD', 'st', 'x'],
      ['SELECT', '0'],
    ]);
    const digest = await conn.call('DEBUG', 'DIGEST');
    await eventually(() => expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toContain('SADD'));
    const incr = readAofFile(dir, 'appendonly.aof.1.incr.aof');
    const statsBefore = await conn.call('INFO', 'commandstats');

    expect(await pipeline(conn, ['DEBUG', 'LOADAOF'], ['DEBUG', 'DIGEST'], ['INFO', 'persistence'], ['TTL', 's'])).toEqual([
      '+OK\r\n',
      digest,
      expect.stringContaining('\r\nrdb_changes_since_last_save:0\r\n'),
      ':1000\r\n',
    ]);
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe(incr);
    const statsAfter = await conn.call('INFO', 'commandstats');
    for (const command of ['set', 'rpush', 'hset', 'hincrby', 'sadd']) {
      const line = new RegExp(`cmdstat_${command}:calls=(\\d+)`);
      expect(line.exec(statsAfter)![1]).toBe(line.exec(statsBefore)![1]);
    }
    const info = await conn.call('INFO', 'persistence');
    const sizes = aofFiles(dir).filter((f) => !f.endsWith('.manifest')).map((f) => fs.statSync(path.join(aofDir(dir), f)).size);
    expect(Number(infoField(info, 'aof_current_size'))).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(Number(infoField(info, 'aof_base_size'))).toBe(fs.statSync(path.join(aofDir(dir), 'appendonly.aof.1.base.rdb')).size);
    expect(n.log.join('')).toContain('Append Only File loaded by DEBUG LOADAOF');

    // Appending goes on after it, and a restart finds the same dataset.
    expect(await conn.call('SET', 'later', '1')).toBe('+OK\r\n');
    const final = await conn.call('DEBUG', 'DIGEST');
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('DEBUG', 'DIGEST')).toBe(final);
  });

  test('what is written just before it (same read) is flushed to the AOF first and loaded back', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    expect(await pipeline(conn, ['SET', 'k', '1'], ['INCR', 'k'], ['DEBUG', 'LOADAOF'], ['GET', 'k'])).toEqual([
      '+OK\r\n',
      ':2\r\n',
      '+OK\r\n',
      '$1\r\n2\r\n',
    ]);
  });

  test('a blocked client is served by a key the replay creates, once LOADAOF is done', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    await sendAll(conn, [['RPUSH', 'q', 'x', 'y'], ['CONFIG', 'SET', 'appendonly', 'no'], ['DEL', 'q']]);
    const blocked = await connect(n.port);
    blocked.send(['BLPOP', 'q', '0']);
    await eventually(() => expect(n.server.blocking.blockedCount).toBe(1));
    expect(await conn.call('DEBUG', 'LOADAOF')).toBe('+OK\r\n');
    expect((await blocked.readReply()).toString('latin1')).toBe('*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
    expect(await conn.call('LRANGE', 'q', '0', '-1')).toBe('*1\r\n$1\r\ny\r\n');
  });

  test('a truncated AOF: cut back and loaded up to the cut, an error reply (redis-server exits), the server goes on', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    await sendAll(conn, [['SET', 'a', '1'], ['SET', 'b', '2']]);
    const incrFile = path.join(aofDir(dir), 'appendonly.aof.1.incr.aof');
    await eventually(() => expect(fs.readFileSync(incrFile, 'latin1')).toContain('$1\r\nb'));
    const whole = fs.statSync(incrFile).size;
    fs.appendFileSync(incrFile, '*3\r\n$3\r\nSET\r\n$1\r\nc');
    expect(await pipeline(conn, ['DEBUG', 'LOADAOF'], ['PING'], ['MGET', 'a', 'b', 'c'])).toEqual([
      AOF_LOAD_ERROR,
      '+PONG\r\n',
      '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n',
    ]);
    expect(fs.statSync(incrFile).size).toBe(whole);
    expect(n.log.join('')).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled');
    // Writes still reach the (cut back) file.
    expect(await conn.call('SET', 'c', '3')).toBe('+OK\r\n');
    await eventually(() => expect(fs.readFileSync(incrFile, 'latin1').endsWith(resp(['SET', 'c', '3']))).toBe(true));
    expect(await conn.call('DEBUG', 'LOADAOF')).toBe('+OK\r\n');
    expect(await conn.call('GET', 'c')).toBe('$1\r\n3\r\n');
  });

  test('an AOF with an unknown command or a bad manifest: an error reply, the server goes on', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await connect(n.port);
    await sendAll(conn, [['SET', 'a', '1']]);
    const incrFile = path.join(aofDir(dir), 'appendonly.aof.1.incr.aof');
    await eventually(() => expect(fs.readFileSync(incrFile, 'latin1')).toContain('SET'));
    fs.appendFileSync(incrFile, resp(['NOSUCHCOMMAND', 'x']));
    expect(await pipeline(conn, ['DEBUG', 'LOADAOF'], ['PING'], ['GET', 'a'])).toEqual([AOF_LOAD_ERROR, '+PONG\r\n', '$1\r\n1\r\n']);
    expect(n.log.join('')).toContain("Unknown command 'NOSUCHCOMMAND' reading the append only file");

    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'this is not a manifest\n');
    expect(await pipeline(conn, ['DEBUG', 'LOADAOF'], ['PING'], ['DBSIZE'])).toEqual([AOF_LOAD_ERROR, '+PONG\r\n', ':0\r\n']);
    expect(n.log.join('')).toContain('FATAL AOF MANIFEST FILE ERROR');
  });

  test('appendonly no: the AOF directory left from before is loaded; with none, an error (redis-server exits) and an empty dataset', async () => {
    const dir = tempDir();
    const first = await startNodisOn(dir);
    await first.call('SET', 'from-aof', '1');
    await first.stop();

    const n = await rdbNodis(dir);
    const conn = await connect(n.port);
    expect(await pipeline(conn, ['SET', 'mine', '1'], ['DEBUG', 'LOADAOF'], ['KEYS', '*'])).toEqual([
      '+OK\r\n',
      '+OK\r\n',
      '*1\r\n$8\r\nfrom-aof\r\n',
    ]);
    expect(aofOf(n.server).state).toBe('off');

    fs.rmSync(aofDir(dir), { recursive: true, force: true });
    expect(await pipeline(conn, ['SET', 'mine', '1'], ['DEBUG', 'LOADAOF'], ['PING'], ['DBSIZE'])).toEqual([
      '+OK\r\n',
      AOF_LOAD_ERROR,
      '+PONG\r\n',
      ':0\r\n',
    ]);
  });
});

/**
 * The multi-part AOF end to end in Nodis: files and manifest created at start-up, writes appended
 * with SELECT, reload, BGREWRITEAOF (sliced, with writes during it), turning the AOF on and off at
 * runtime, truncated and corrupt files, INFO fields, MISCONF after a failed write.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { persistenceOf } from '../../src/persistence/persistence-state';
import { aofOf } from '../../src/persistence/aof/aof';
import { startBackgroundSave } from '../../src/persistence/background-save';
import { RawConnection } from '../helpers/raw-connection';
import { sendAll } from './rdb-dataset';
import {
  aofDir, aofFiles, eventually, failedStart, readAofFile, readManifest, resp, startNodisOn, tempDir, useCleanup,
} from './aof-helpers';

useCleanup();

const FIRST_MANIFEST = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

describe('start-up with appendonly yes', () => {
  test('an empty dir gets a base, an incr file and the manifest, as Redis 7.0 creates them', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    expect(aofFiles(dir)).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(readManifest(dir)).toBe(FIRST_MANIFEST);
    expect(readAofFile(dir, 'appendonly.aof.1.base.rdb').slice(0, 9)).toBe('REDIS0010');
    expect(readAofFile(dir, 'appendonly.aof.1.base.rdb')).toContain('aof-base\xc0\x01');
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe('');
    expect(n.log.join('')).toContain('Creating AOF base file appendonly.aof.1.base.rdb on server start');
    expect(n.log.join('')).toContain('Creating AOF incr file appendonly.aof.1.incr.aof on server start');
  });

  test('writes are appended as RESP with SELECT when the database changes, and reload', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    expect(await n.call('SET', 'foo', 'bar')).toBe('+OK\r\n');
    await n.call('SELECT', '3');
    await n.call('SET', 'k', 'v\x00\xff');
    await n.call('INCR', 'n');
    await n.call('GET', 'k');
    await n.call('SELECT', '0');
    await n.call('PEXPIREAT', 'foo', '4102444800000');
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe(
      resp(['SELECT', '0'], ['SET', 'foo', 'bar'], ['SELECT', '3'], ['SET', 'k', 'v\x00\xff'], ['INCR', 'n'], ['SELECT', '0'], ['PEXPIREAT', 'foo', '4102444800000']),
    );
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('GET', 'foo')).toBe('$3\r\nbar\r\n');
    expect(await again.call('PEXPIRETIME', 'foo')).toBe(':4102444800000\r\n');
    await again.call('SELECT', '3');
    expect(await again.call('GET', 'k')).toBe('$3\r\nv\x00\xff\r\n');
    expect(await again.call('GET', 'n')).toBe('$1\r\n1\r\n');
    const log = again.log.join('');
    expect(log).toContain('DB loaded from incr file appendonly.aof.1.incr.aof: ');
    expect(log).toMatch(/DB loaded from append only file: \d+\.\d{3} seconds/);
    expect(log).toContain('Opening AOF incr file appendonly.aof.1.incr.aof on server start');
    // Replayed commands are not client work.
    expect(await again.call('INFO', 'persistence')).toContain('rdb_changes_since_last_save:0\r\n');
    expect(await again.call('INFO', 'commandstats')).not.toContain('cmdstat_set');
  });
});

describe('BGREWRITEAOF', () => {
  test('replaces the base and incr files, deletes the old ones, and keeps the data', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await n.call('SET', 'a', '1');
    await n.call('RPUSH', 'list', 'x', 'y');
    expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await eventually(() => expect(readManifest(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n'));
    await eventually(() => expect(aofFiles(dir)).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']));
    await n.call('SET', 'b', '2');
    expect(readAofFile(dir, 'appendonly.aof.2.incr.aof')).toBe(resp(['SELECT', '0'], ['SET', 'b', '2']));
    const log = n.log.join('');
    for (const line of [
      'Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite',
      'Background append only file rewriting started',
      `Successfully created the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof`,
      'Background AOF rewrite terminated with success',
      `Successfully renamed the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof into appendonly.aof.2.base.rdb`,
      'Removing the history file appendonly.aof.1.incr.aof in the background',
      'Removing the history file appendonly.aof.1.base.rdb in the background',
      'Background AOF rewrite finished successfully',
    ]) expect(log).toContain(line);
    const info = await n.call('INFO', 'persistence');
    expect(info).toContain('aof_rewrites:1\r\n');
    expect(info).toContain('aof_last_bgrewrite_status:ok\r\n');
    expect(info).toContain('aof_last_rewrite_time_sec:0\r\n');
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('MGET', 'a', 'b')).toBe('*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
    expect(await again.call('LRANGE', 'list', '0', '-1')).toBe('*2\r\n$1\r\nx\r\n$1\r\ny\r\n');
  });

  test('writes made while the base is written in slices land in the new incr file: nothing lost, nothing twice', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    const conn = await RawConnection.connect(n.port);
    const setup: string[][] = [];
    for (let i = 0; i < 3000; i++) setup.push(['SET', `key:${i}`, `value:${i}`]);
    for (let i = 0; i < 50; i++) setup.push(['RPUSH', 'list', `e${i}`], ['HSET', 'hash', `f${i}`, `${i}`]);
    setup.push(['SELECT', '1'], ['SET', 'other', 'db'], ['SELECT', '0']);
    await sendAll(conn, setup);
    persistenceOf(n.server).slice.maxKeys = 20;
    expect(await conn.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    const during: string[][] = [];
    for (let i = 0; i < 3000; i += 7) {
      during.push(['INCR', `key:${(i * 13) % 3000}:n`], ['APPEND', `key:${i}`, '+'], ['DEL', `key:${(i * 31) % 3000}`], ['RPUSH', 'list', `d${i}`]);
    }
    during.push(['HDEL', 'hash', 'f1'], ['SELECT', '1'], ['FLUSHDB'], ['SET', 'after', 'flush'], ['SELECT', '0'], ['SWAPDB', '0', '2']);
    await sendAll(conn, during);
    expect(aofOf(n.server).rewrite).not.toBeNull();
    await eventually(async () => expect(await conn.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));
    await sendAll(conn, [['SET', 'last', 'write']]);
    const digest = await conn.call('DEBUG', 'DIGEST');
    conn.close();
    await n.stop();
    expect(readManifest(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    const again = await startNodisOn(dir);
    expect(await again.call('DEBUG', 'DIGEST')).toBe(digest);
  });

  test('in AOF command form with aof-use-rdb-preamble no, as rewriteAppendOnlyFileRio writes it', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { 'aof-use-rdb-preamble': 'no' });
    expect(aofFiles(dir)[0]).toBe('appendonly.aof.1.base.aof');
    expect(readAofFile(dir, 'appendonly.aof.1.base.aof')).toBe('');
    const items = Array.from({ length: 70 }, (_, i) => `i${i}`);
    await n.call('RPUSH', 'l', ...items);
    await n.call('SET', 'e', 'v', 'PXAT', '4102444800000');
    await n.call('SELECT', '2');
    await n.call('ZADD', 'z', '0.1', 'm');
    await n.call('BGREWRITEAOF');
    await eventually(() => expect(aofFiles(dir)).toContain('appendonly.aof.2.base.aof'));
    const base = readAofFile(dir, 'appendonly.aof.2.base.aof');
    expect(base).toContain(resp(['RPUSH', 'l', ...items.slice(0, 64)], ['RPUSH', 'l', ...items.slice(64)]));
    expect(base).toContain(resp(['SET', 'e', 'v'], ['PEXPIREAT', 'e', '4102444800000']));
    expect(base).toContain(resp(['SELECT', '2'], ['ZADD', 'z', '0.10000000000000001', 'm']));
    expect(base.startsWith(resp(['SELECT', '0']))).toBe(true);
  });

  test('replies: already in progress; scheduled while a BGSAVE runs, then started by cron', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { hz: '100' });
    const conn = await RawConnection.connect(n.port);
    const setup: string[][] = [];
    for (let i = 0; i < 2000; i++) setup.push(['SET', `key:${i}`, 'x'.repeat(100)]);
    await sendAll(conn, setup);
    persistenceOf(n.server).slice.maxKeys = 1;
    conn.send(['BGREWRITEAOF']);
    conn.send(['BGREWRITEAOF']);
    expect((await conn.readReply()).toString()).toBe('+Background append only file rewriting started\r\n');
    expect((await conn.readReply()).toString()).toBe('-ERR Background append only file rewriting already in progress\r\n');
    expect(await conn.call('INFO', 'persistence')).toMatch(/aof_rewrite_in_progress:1\r\n[^]*aof_current_rewrite_time_sec:0\r\n/);
    await eventually(async () => expect(await conn.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));

    startBackgroundSave(n.server);
    expect(await conn.call('BGREWRITEAOF')).toBe('+Background append only file rewriting scheduled\r\n');
    expect(await conn.call('INFO', 'persistence')).toMatch(/aof_rewrite_scheduled:1\r\n[^]*aof_pending_rewrite:1\r\n/);
    await eventually(async () => expect(await conn.call('INFO', 'persistence')).toContain('aof_rewrites:2\r\n'));
    await eventually(async () => expect(await conn.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));
    expect(readManifest(dir)).toBe('file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
    conn.close();
  });

  test('with the AOF off it writes a base and a manifest without incr files, as Redis does', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { appendonly: 'no' });
    await n.call('SET', 'k', 'v');
    expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await eventually(() => expect(readManifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\n'));
    expect(await n.call('INFO', 'persistence')).toContain('aof_enabled:0\r\n');
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(readManifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  test('a rewrite that cannot write its file fails after replying, and counts as a failure', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    fs.mkdirSync(path.join(dir, `temp-rewriteaof-bg-${process.pid}.aof`));
    expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await eventually(async () => expect(await n.call('INFO', 'persistence')).toContain('aof_last_bgrewrite_status:err\r\n'));
    expect(await n.call('INFO', 'persistence')).toContain('aof_rewrites_consecutive_failures:1\r\n');
    expect(n.log.join('')).toContain('Background AOF rewrite terminated with error');
    // The incr file opened for the rewrite stays in use and in the manifest.
    expect(readManifest(dir)).toContain('file appendonly.aof.2.incr.aof seq 2 type i\n');
  });
});

describe('CONFIG SET appendonly at runtime', () => {
  test('yes: the dataset goes to a first base through a temporary incr file, then writes are appended', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { appendonly: 'no' });
    expect(fs.existsSync(aofDir(dir))).toBe(false);
    await n.call('SET', 'before', '1');
    persistenceOf(n.server).slice.maxKeys = 1;
    expect(await n.call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('+OK\r\n');
    await n.call('SET', 'during', '2');
    expect(await n.call('INFO', 'persistence')).toContain('aof_enabled:1\r\n');
    await eventually(() => expect(readManifest(dir)).toBe(FIRST_MANIFEST));
    await n.call('SET', 'after', '3');
    // As Redis, the first command after the rewrite selects its database again.
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe(
      resp(['SELECT', '0'], ['SET', 'during', '2'], ['SELECT', '0'], ['SET', 'after', '3']),
    );
    const log = n.log.join('');
    expect(log).toContain('Creating AOF incr file temp-appendonly.aof.incr on background rewrite');
    expect(log).toContain('Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into appendonly.aof.1.incr.aof');
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('MGET', 'before', 'during', 'after')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
  });

  test('no: the file is closed and later writes are not appended; yes again starts over from a new base', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await n.call('SET', 'a', '1');
    expect(await n.call('CONFIG', 'SET', 'appendonly', 'no')).toBe('+OK\r\n');
    await n.call('SET', 'b', '2');
    expect(readAofFile(dir, 'appendonly.aof.1.incr.aof')).toBe(resp(['SELECT', '0'], ['SET', 'a', '1']));
    expect(await n.call('INFO', 'persistence')).toContain('aof_enabled:0\r\n');
    expect(await n.call('CONFIG', 'SET', 'appendonly', 'yes')).toBe('+OK\r\n');
    await eventually(() => expect(readManifest(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n'));
    await eventually(() => expect(aofFiles(dir)).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']));
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('MGET', 'a', 'b')).toBe('*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  });

  test('no while the first rewrite runs: the rewrite stops and leaves no temporary file behind', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { appendonly: 'no' });
    const conn = await RawConnection.connect(n.port);
    await sendAll(conn, Array.from({ length: 2000 }, (_, i) => ['SET', `key:${i}`, 'v']));
    persistenceOf(n.server).slice.maxKeys = 1;
    conn.send(['CONFIG', 'SET', 'appendonly', 'yes']);
    conn.send(['SET', 'during', 'rewrite']);
    conn.send(['CONFIG', 'SET', 'appendonly', 'no']);
    for (let i = 0; i < 3; i++) expect((await conn.readReply()).toString()).toBe('+OK\r\n');
    conn.close();
    expect(n.log.join('')).toContain('Killing running AOF rewrite');
    expect(fs.readdirSync(aofDir(dir))).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['appendonlydir']);
    expect(await n.call('INFO', 'persistence')).toMatch(/aof_enabled:0\r\naof_rewrite_in_progress:0\r\n/);
  });

  test('an AOF directory that cannot be created refuses the change', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'appendonlydir'), 'not a directory');
    const n = await startNodisOn(dir, { appendonly: 'no' });
    expect(await n.call('CONFIG', 'SET', 'appendonly', 'yes')).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs.\r\n",
    );
    expect(await n.call('CONFIG', 'GET', 'appendonly')).toBe('*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n');
    expect(n.log.join('')).toContain("Can't open or create append-only dir appendonlydir: ");
  });
});

describe('loading', () => {
  async function writtenDir(): Promise<string> {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await n.call('SET', 'a', '1');
    await n.call('SET', 'b', '2');
    await n.stop();
    return dir;
  }
  const incrPath = (dir: string): string => path.join(aofDir(dir), 'appendonly.aof.1.incr.aof');

  test('a truncated last command is cut off with aof-load-truncated yes, with Redis\'s warnings', async () => {
    const dir = await writtenDir();
    const full = fs.statSync(incrPath(dir)).size;
    fs.truncateSync(incrPath(dir), full - 3);
    const n = await startNodisOn(dir);
    expect(await n.call('MGET', 'a', 'b')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    const valid = resp(['SELECT', '0'], ['SET', 'a', '1']).length;
    expect(fs.statSync(incrPath(dir)).size).toBe(valid);
    const log = n.log.join('');
    expect(log).toContain('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!');
    expect(log).toContain(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${valid} !!!`);
    expect(log).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled');
    // Appending goes on after the last complete command.
    await n.call('SET', 'c', '3');
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('MGET', 'a', 'b', 'c')).toBe('*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n');
  });

  test('a truncated file stops start-up with aof-load-truncated no, and is left as it was', async () => {
    const dir = await writtenDir();
    const size = fs.statSync(incrPath(dir)).size - 1;
    fs.truncateSync(incrPath(dir), size);
    const log = (await failedStart(dir, { 'aof-load-truncated': 'no' })).join('');
    expect(log).toContain(
      'Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the \'aof-load-truncated\' configuration option to yes and restart the server.',
    );
    expect(fs.statSync(incrPath(dir)).size).toBe(size);
  });

  test('bytes that are not commands stop start-up', async () => {
    const dir = await writtenDir();
    fs.appendFileSync(incrPath(dir), 'garbage\r\n');
    const log = (await failedStart(dir)).join('');
    expect(log).toContain(
      'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
    );
  });

  test('an unknown command stops start-up', async () => {
    const dir = await writtenDir();
    fs.appendFileSync(incrPath(dir), resp(['NOSUCHCOMMAND', 'x']));
    expect((await failedStart(dir)).join('')).toContain("Unknown command 'NOSUCHCOMMAND' reading the append only file appendonly.aof.1.incr.aof");
  });

  test('a truncated file that is not the last one stops start-up', async () => {
    const dir = await writtenDir();
    fs.appendFileSync(incrPath(dir), '*2\r\n$3\r\nDEL');
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.2.incr.aof'), resp(['SET', 'x', 'y']));
    fs.appendFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.2.incr.aof seq 2 type i\n');
    expect((await failedStart(dir)).join('')).toContain('Fatal error: the truncated file is not the last file');
  });

  test('a file listed in the manifest that is missing stops start-up', async () => {
    const dir = await writtenDir();
    fs.unlinkSync(incrPath(dir));
    expect((await failedStart(dir)).join('')).toContain('Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory');
  });

  test('MULTI/EXEC blocks are replayed; one cut short at the end is reverted', async () => {
    const dir = await writtenDir();
    fs.appendFileSync(incrPath(dir), resp(['MULTI'], ['SET', 'in', 'tx'], ['INCR', 'a'], ['EXEC'], ['MULTI'], ['SET', 'lost', 'x']));
    const validUpTo = fs.statSync(incrPath(dir)).size - resp(['MULTI'], ['SET', 'lost', 'x']).length;
    const n = await startNodisOn(dir);
    expect(await n.call('MGET', 'in', 'a', 'lost')).toBe('*3\r\n$2\r\ntx\r\n$1\r\n2\r\n$-1\r\n');
    expect(n.log.join('')).toContain('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof');
    expect(fs.statSync(incrPath(dir)).size).toBe(validUpTo);
  });

  test('keys do not expire while loading: the commands after them see them as they did', async () => {
    const dir = await writtenDir();
    // The TTL passed long ago; PERSIST right after it made the key permanent when it ran.
    fs.appendFileSync(
      incrPath(dir),
      resp(['SET', 'k', 'v', 'PXAT', '1000'], ['PERSIST', 'k'], ['SET', 'k2', 'v'], ['PEXPIREAT', 'k2', '1000'], ['PERSIST', 'k2'], ['SET', 'gone', 'v', 'PXAT', '1000']),
    );
    const n = await startNodisOn(dir);
    expect(await n.call('MGET', 'k', 'k2')).toBe('*2\r\n$1\r\nv\r\n$1\r\nv\r\n');
    expect(await n.call('EXISTS', 'gone')).toBe(':0\r\n');
  });

  test('#TS annotations are skipped; aof-timestamp-enabled writes them', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { 'aof-timestamp-enabled': 'yes' });
    await n.call('SET', 'a', '1');
    const text = readAofFile(dir, 'appendonly.aof.1.incr.aof');
    expect(text).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
    await n.stop();
    const again = await startNodisOn(dir);
    expect(await again.call('GET', 'a')).toBe('$1\r\n1\r\n');
  });

  test('with appendonly no, dump.rdb is loaded; with appendonly yes and no AOF yet, it is not (as Redis 7.0)', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { appendonly: 'no' });
    await n.call('SET', 'k', 'v');
    expect(await n.call('SAVE')).toBe('+OK\r\n');
    await n.stop();
    const rdb = await startNodisOn(dir, { appendonly: 'no' });
    expect(await rdb.call('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(rdb.log.join('')).toMatch(/DB loaded from disk: \d+\.\d{3} seconds/);
    await rdb.stop();
    const aof = await startNodisOn(dir);
    expect(await aof.call('DBSIZE')).toBe(':0\r\n');
  });

  test('a corrupt dump.rdb stops start-up and is left as it was', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'dump.rdb'), Buffer.from('REDIS0010\xfe', 'latin1'));
    const log = (await failedStart(dir, { appendonly: 'no' })).join('');
    expect(log).toContain('Fatal error loading the DB');
    expect(fs.readFileSync(path.join(dir, 'dump.rdb'), 'latin1')).toBe('REDIS0010\xfe');
  });
});

describe('manifest errors stop start-up with Redis\'s messages', () => {
  const cases: [string, string][] = [
    ['', 'Found an empty AOF manifest'],
    ['file appendonly.aof.1.base.rdb seq 1 type b', 'The AOF manifest file contains too long line'],
    ['\n', 'Invalid AOF manifest file format'],
    ['file a seq 1\n', 'Invalid AOF manifest file format'],
    ['file a seq 0 type b\n', 'Invalid AOF manifest file format'],
    ['file dir/a seq 1 type b\n', "File can't be a path, just a filename"],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
    ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
    ['file a seq 1 type x\n', 'Unknown AOF file type'],
  ];
  for (const [text, message] of cases) {
    test(`${JSON.stringify(text)}: ${message}`, async () => {
      const dir = tempDir();
      fs.mkdirSync(aofDir(dir));
      fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), text);
      const log = (await failedStart(dir)).join('');
      expect(log).toContain('*** FATAL AOF MANIFEST FILE ERROR ***');
      expect(log).toContain(message);
    });
  }
});

describe('running', () => {
  test('a failed write refuses writes (and PING) with MISCONF until it succeeds; reads still work', async () => {
    const dir = tempDir();
    fs.mkdirSync(aofDir(dir));
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    fs.symlinkSync('/dev/full', path.join(aofDir(dir), 'appendonly.aof.1.incr.aof'));
    const n = await startNodisOn(dir);
    expect(n.log.join('')).toMatch(/DB loaded from append only file: \d+\.\d{3} seconds/);
    expect(await n.call('SET', 'a', '1')).toBe('+OK\r\n');
    expect(await n.call('SET', 'b', '2')).toBe('-MISCONF Errors writing to the AOF file: No space left on device\r\n');
    expect(await n.call('PING')).toBe('-MISCONF Errors writing to the AOF file: No space left on device\r\n');
    expect(await n.call('GET', 'a')).toBe('$1\r\n1\r\n');
    const info = await n.call('INFO', 'persistence');
    expect(info).toContain('aof_last_write_status:err\r\n');
    expect(info).toContain(`aof_buffer_length:${resp(['SELECT', '0'], ['SET', 'a', '1']).length}\r\n`);
    expect(n.log.join('')).toContain('Error writing to the AOF file: No space left on device');
    await n.stop();
    expect(n.log.join('')).toContain('Calling fsync() on the AOF file.');
  });

  test('the AOF is rewritten automatically once past auto-aof-rewrite-min-size and grown by the percentage', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { hz: '100', 'auto-aof-rewrite-min-size': '3000', 'auto-aof-rewrite-percentage': '100' });
    const rewrites = async (): Promise<string> => /aof_rewrites:(\d+)/.exec(await n.call('INFO', 'persistence'))![1];
    // Incompressible values, so that the RDB base is as big as the data.
    const value = (bytes: number): string => randomBytes(bytes / 2).toString('hex');
    await n.call('SET', 'a', value(1000));
    await new Promise((r) => setTimeout(r, 100));
    expect(await rewrites()).toBe('0'); // grown a lot, but below the minimum size
    await n.call('SET', 'b', value(3000));
    await eventually(async () => expect(await rewrites()).toBe('1'));
    expect(n.log.join('')).toMatch(/Starting automatic rewriting of AOF on \d+% growth/);
    await eventually(async () => expect(await n.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));
    const base = Number(/aof_base_size:(\d+)/.exec(await n.call('INFO', 'persistence'))![1]);
    expect(base).toBeGreaterThan(3000);
    await n.call('SET', 'c', value(base / 2));
    await new Promise((r) => setTimeout(r, 100));
    expect(await rewrites()).toBe('1'); // grown by half
    await n.call('SET', 'd', value(base / 2));
    await eventually(async () => expect(await rewrites()).toBe('2'));
  });

  test('INFO persistence: the AOF fields, and the extra ones while the AOF is on', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir, { appendonly: 'no' });
    let info = await n.call('INFO', 'persistence');
    expect(info).toContain('aof_enabled:0\r\n');
    expect(info).not.toContain('aof_current_size');
    await n.call('CONFIG', 'SET', 'appendonly', 'yes');
    await eventually(async () => expect(await n.call('INFO', 'persistence')).toContain('aof_rewrites:1\r\n'));
    await eventually(async () => expect(await n.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));
    await n.call('SET', 'k', 'v');
    info = await n.call('INFO', 'persistence');
    const size = fs.statSync(path.join(aofDir(dir), 'appendonly.aof.1.base.rdb')).size + fs.statSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size;
    expect(info).toMatch(
      new RegExp(`module_fork_last_cow_size:0\\r\\naof_current_size:${size}\\r\\naof_base_size:\\d+\\r\\naof_pending_rewrite:0\\r\\naof_buffer_length:0\\r\\naof_pending_bio_fsync:\\d\\r\\naof_delayed_fsync:0\\r\\n\\r\\n$`),
    );
  });
});

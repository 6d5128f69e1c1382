/**
 * The multi-part AOF both ways with the real tools: a directory Nodis wrote passes
 * redis-check-aof and redis-server 7.0.15 started on it has the same keyspace; a directory
 * redis-server wrote loads into Nodis with the same keyspace; and the same commands give
 * byte-identical incr files.
 */
import { expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeNeedingRedis } from '../compat/harness';
import { RawConnection } from '../helpers/raw-connection';
import { DATASET_DBS, datasetCommands, datasetDigest, describeKeyspace, expectSameKeyspace, sendAll } from './rdb-dataset';
import {
  aofDir, aofFiles, checkAof, eventually, readAofFile, readManifest, resp, startNodisOn, startRedisOn, tempDir, useCleanup,
} from './aof-helpers';

const describeWithRedis = describeNeedingRedis('aof-interop');

useCleanup();

async function populate(port: number, cmds: string[][] = datasetCommands()): Promise<void> {
  const conn = await RawConnection.connect(port);
  try {
    await sendAll(conn, cmds);
  } finally {
    conn.close();
  }
}

/** Writes after a rewrite: changes to keys of the base, new keys, deletes, other databases. */
function laterWrites(): string[][] {
  return [
    ['SELECT', '0'],
    ['SET', 's:embstr', 'changed after the rewrite'],
    ['RPUSH', 'l:small', 'tail'],
    ['HSET', 'h:listpack', 'new', 'field'],
    ['ZADD', 'z:listpack', '9', 'a'],
    ['SREM', 'st:int16', '2'],
    ['DEL', 's:empty'],
    ['SET', 'after:rewrite', '\x00\xff'],
    ['PEXPIREAT', 'after:rewrite', '4102444800000'],
    ['SELECT', '5'],
    ['INCR', 'db5:counter'],
    ['SELECT', '0'],
  ];
}

/**
 * Starts Nodis and redis-server each on its own copy of `dir` (loading touches the files) and
 * expects the same keyspace key by key, encodings included (both apply Redis's rules on load),
 * and the dataset digest `digest` of the server that wrote the files. Returns Nodis's log.
 */
async function expectSameLoad(dir: string, digest: string): Promise<string> {
  const forRedis = tempDir();
  fs.cpSync(dir, forRedis, { recursive: true });
  const r = await startRedisOn(forRedis, ['--appendonly', 'yes']);
  const n = await startNodisOn(dir);
  expectSameKeyspace(await describeKeyspace(n.port, DATASET_DBS), await describeKeyspace(r.port, DATASET_DBS));
  expect(await datasetDigest(r.port)).toBe(digest);
  expect(await datasetDigest(n.port)).toBe(digest);
  return n.log.join('');
}

/** Waits until no AOF rewrite runs on the server at `port`. */
async function rewriteFinished(call: (...argv: string[]) => Promise<string>): Promise<void> {
  await eventually(async () => expect(await call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0\r\n'));
}

describeWithRedis('a directory written by Nodis', () => {
  for (const preamble of ['yes', 'no']) {
    test(`passes redis-check-aof and loads into redis-server (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = tempDir();
      const n = await startNodisOn(dir, { 'aof-use-rdb-preamble': preamble });
      await populate(n.port);
      expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
      await rewriteFinished(n.call);
      await populate(n.port, laterWrites());
      const digest = await datasetDigest(n.port);
      await n.stop();

      const ext = preamble === 'yes' ? 'rdb' : 'aof';
      expect(readManifest(dir)).toBe(`file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
      const check = checkAof(path.join(aofDir(dir), 'appendonly.aof.manifest'));
      expect(check.output).toContain('All AOF files and manifest are valid');
      expect(check.status).toBe(0);
      await expectSameLoad(dir, digest);
    });
  }

  test('several incr files after a rewrite that failed pass the check and load', async () => {
    const dir = tempDir();
    const n = await startNodisOn(dir);
    await populate(n.port);
    // A rewrite whose base cannot be written leaves its new incr file in the manifest.
    const blocker = path.join(dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    fs.mkdirSync(blocker);
    expect(await n.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await rewriteFinished(n.call);
    expect(await n.call('INFO', 'persistence')).toContain('aof_last_bgrewrite_status:err\r\n');
    fs.rmdirSync(blocker);
    await populate(n.port, laterWrites());
    expect(readManifest(dir)).toBe(
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const digest = await datasetDigest(n.port);
    await n.stop();
    const check = checkAof(path.join(aofDir(dir), 'appendonly.aof.manifest'));
    expect(check.status).toBe(0);
    await expectSameLoad(dir, digest);
  });
});

describeWithRedis('a directory written by redis-server', () => {
  for (const preamble of ['yes', 'no']) {
    test(`loads into Nodis with the same keyspace (aof-use-rdb-preamble ${preamble})`, async () => {
      const dir = tempDir();
      const r = await startRedisOn(dir, ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble]);
      await populate(r.port);
      expect(await r.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
      await rewriteFinished(r.call);
      await populate(r.port, laterWrites());
      const digest = await datasetDigest(r.port);
      await r.shutdown();
      expect(aofFiles(dir)).toContain(`appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'}`);
      const log = await expectSameLoad(dir, digest);
      expect(log).toContain(`DB loaded from base file appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'}`);
    });
  }

  test('the same commands give byte-identical incr files', async () => {
    const commands: string[][] = [
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['SELECT', '2'],
      ['RPUSH', 'l', 'x', 'y', 'z'],
      ['LPOP', 'l'],
      ['HSET', 'h', 'f', 'v'],
      ['SADD', 's', 'm1', 'm2'],
      ['ZADD', 'z', '1.5', 'm'],
      ['EXPIREAT', 'l', '4102444800'],
      ['DEL', 'missing'],
      ['GET', 'a'],
      ['APPEND', 'str', '\x00\xff\r\n'],
      ['SETRANGE', 'str', '10', 'x'],
      ['RENAME', 'str', 'str2'],
      ['COPY', 'str2', 'str3', 'DB', '4'],
      ['MOVE', 'h', '7'],
      ['SELECT', '0'],
      ['SWAPDB', '0', '2'],
      ['FLUSHDB'],
      ['SET', 'k', 'v', 'PXAT', '4102444800000'],
      ['GETDEL', 'k'],
      ['FLUSHALL'],
    ];
    const redisDir = tempDir();
    const r = await startRedisOn(redisDir, ['--appendonly', 'yes']);
    await populate(r.port, commands);
    await r.shutdown();
    const nodisDir = tempDir();
    const n = await startNodisOn(nodisDir);
    await populate(n.port, commands);
    await n.stop();
    expect(readAofFile(nodisDir, 'appendonly.aof.1.incr.aof')).toBe(readAofFile(redisDir, 'appendonly.aof.1.incr.aof'));
  });
});

describeWithRedis('a pre-7.0 appendonly.aof in dir', () => {
  for (const preamble of [true, false]) {
    test(`is moved into the AOF directory as the base and loaded the same by both (${preamble ? 'RDB preamble + commands' : 'commands'})`, async () => {
      // An old-style file: what redis-server 7.0 writes as a base, followed by commands.
      const source = tempDir();
      const r = await startRedisOn(source, ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble ? 'yes' : 'no']);
      await populate(r.port);
      await r.call('BGREWRITEAOF');
      await rewriteFinished(r.call);
      await r.shutdown();
      const base = fs.readFileSync(path.join(aofDir(source), `appendonly.aof.2.base.${preamble ? 'rdb' : 'aof'}`));
      const tail = resp(['SELECT', '5'], ['SET', 'from', 'the tail'], ['SELECT', '0'], ['DEL', 's:embstr']);
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'appendonly.aof'), Buffer.concat([base, Buffer.from(tail, 'latin1')]));
      const forRedis = tempDir();
      fs.cpSync(dir, forRedis, { recursive: true });
      const reference = await startRedisOn(forRedis, ['--appendonly', 'yes']);
      const n = await startNodisOn(dir);
      expectSameKeyspace(await describeKeyspace(n.port, DATASET_DBS), await describeKeyspace(reference.port, DATASET_DBS));
      expect(await n.call('EXISTS', 's:embstr')).toBe(':0\r\n');
      expect(readManifest(dir)).toBe(readManifest(forRedis));
      expect(readManifest(dir)).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      const log = n.log.join('');
      expect(log).toContain('Successfully migrated an old-style AOF into the AOF directory appendonlydir.');
      if (preamble) expect(log).toContain('Reading RDB preamble from AOF file...');
    });
  }
});

describeWithRedis('as redis-server shows it', () => {
  async function fieldNames(call: (...argv: string[]) => Promise<string>): Promise<string[]> {
    const info = await call('INFO', 'persistence');
    return [...info.matchAll(/^([a-z_]+):/gm)].map((m) => m[1]);
  }

  test('INFO persistence has the same fields with the AOF on and off', async () => {
    const r = await startRedisOn(tempDir(), ['--appendonly', 'yes']);
    const n = await startNodisOn(tempDir());
    expect(await fieldNames(n.call)).toEqual(await fieldNames(r.call));
    await r.call('CONFIG', 'SET', 'appendonly', 'no');
    await n.call('CONFIG', 'SET', 'appendonly', 'no');
    expect(await fieldNames(n.call)).toEqual(await fieldNames(r.call));
  });

  test('CONFIG GET and SET of the AOF directives', async () => {
    const r = await startRedisOn(tempDir(), ['--appendonly', 'yes']);
    const n = await startNodisOn(tempDir());
    const names = [
      'appendonly', 'appendfilename', 'appenddirname', 'appendfsync', 'no-appendfsync-on-rewrite', 'auto-aof-rewrite-percentage',
      'auto-aof-rewrite-min-size', 'aof-load-truncated', 'aof-use-rdb-preamble', 'aof-rewrite-incremental-fsync',
      'aof-timestamp-enabled', 'aof-disable-auto-gc',
    ];
    for (const name of names) expect(await n.call('CONFIG', 'GET', name), name).toBe(await r.call('CONFIG', 'GET', name));
    const sets: string[][] = [
      ['appendfilename', 'other.aof'],
      ['appenddirname', 'otherdir'],
      ['appendfsync', 'sometimes'],
      ['appendfsync', 'ALWAYS'],
      ['auto-aof-rewrite-percentage', '-1'],
      ['auto-aof-rewrite-percentage', '50'],
      ['auto-aof-rewrite-min-size', '-1'],
      ['auto-aof-rewrite-min-size', '1k'],
      ['aof-use-rdb-preamble', 'maybe'],
      ['aof-load-truncated', 'no'],
    ];
    for (const [name, value] of sets) {
      expect(await n.call('CONFIG', 'SET', name, value), `${name} ${value}`).toBe(await r.call('CONFIG', 'SET', name, value));
      expect(await n.call('CONFIG', 'GET', name), name).toBe(await r.call('CONFIG', 'GET', name));
    }
  });
});

/**
 * Functions in RDB files and the AOF: SAVE / BGSAVE / BGREWRITEAOF (both base formats) and a
 * restart bring the libraries back, DEBUG RELOAD keeps them, files and FUNCTION DUMP payloads go
 * both ways between Nodis and redis-server 7.0.15, and FCALL's writes reach the AOF as the
 * commands the function ran.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { describeNeedingRedis } from '../compat/harness';
import { RawConnection } from '../helpers/raw-connection';
import { aofDir, aofFiles, checkAof, eventually, readAofFile, readManifest, startNodisOn, startRedisOn, tempDir, useCleanup } from './aof-helpers';
import { loadRdbData } from '../../src/persistence/rdb-file';
import { RDB_VERSION } from '../../src/persistence/rdb/rdb-constants';
import { Crc64 } from '../../src/persistence/rdb/crc64';

useCleanup();

const describeWithRedis = describeNeedingRedis('function persistence');

// One function per library: Redis lists a library's functions in hash table order.
const LIB_A =
  "#!lua name=liba\nredis.register_function{function_name='incrby2', callback=function(keys, args) return redis.call('incrby', keys[1], 2) end, description='adds two'}";
const LIB_C =
  "#!lua name=libc\nredis.register_function{function_name='reader', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-oom'}}";
const LIB_B = "#!lua name=libb\nredis.register_function('twice', function(keys, args) redis.call('set', keys[1], args[1]) redis.call('append', keys[1], args[1]) return 'ok' end)";

type Caller = { call(...argv: string[]): Promise<string> };

async function loadLibraries(server: Caller): Promise<void> {
  expect(await server.call('FUNCTION', 'LOAD', LIB_A)).toBe('$4\r\nliba\r\n');
  expect(await server.call('FUNCTION', 'LOAD', LIB_B)).toBe('$4\r\nlibb\r\n');
  expect(await server.call('FUNCTION', 'LOAD', LIB_C)).toBe('$4\r\nlibc\r\n');
}

/** FUNCTION LIST WITHCODE per library (the order of libraries is a hash table's in Redis). */
async function librariesOf(server: Caller): Promise<string[]> {
  return Promise.all(['liba', 'libb', 'libc'].map((name) => server.call('FUNCTION', 'LIST', 'LIBRARYNAME', name, 'WITHCODE')));
}

async function expectLibrariesWork(server: Caller): Promise<void> {
  expect(await server.call('FCALL', 'incrby2', '1', 'counter')).toMatch(/^:\d+\r\n$/);
  expect(await server.call('FCALL', 'twice', '1', 'k2', 'ab')).toBe('$2\r\nok\r\n');
  expect(await server.call('FCALL_RO', 'reader', '1', 'k2')).toBe('$4\r\nabab\r\n');
}

test('SAVE and a restart bring the libraries back (RDB)', async () => {
  const dir = tempDir();
  const first = await startNodisOn(dir, { appendonly: 'no' });
  await loadLibraries(first);
  const before = await librariesOf(first);
  expect(await first.call('SAVE')).toBe('+OK\r\n');
  await first.stop();
  const second = await startNodisOn(dir, { appendonly: 'no' });
  expect(await librariesOf(second)).toEqual(before);
  await expectLibrariesWork(second);
  expect(await second.call('FUNCTION', 'STATS')).toContain('libraries_count\r\n:3\r\n$15\r\nfunctions_count\r\n:3');
});

test('BGSAVE writes the libraries too', async () => {
  const dir = tempDir();
  const first = await startNodisOn(dir, { appendonly: 'no' });
  await loadLibraries(first);
  expect(await first.call('BGSAVE')).toBe('+Background saving started\r\n');
  await eventually(async () => expect(await first.call('INFO', 'persistence')).toContain('rdb_bgsave_in_progress:0'));
  await first.stop();
  const second = await startNodisOn(dir, { appendonly: 'no' });
  await expectLibrariesWork(second);
});

test('DEBUG RELOAD keeps the libraries; MERGE replaces same-named ones', async () => {
  const dir = tempDir();
  const server = await startNodisOn(dir, { appendonly: 'no' });
  await loadLibraries(server);
  expect(await server.call('DEBUG', 'RELOAD')).toBe('+OK\r\n');
  await expectLibrariesWork(server);
  expect(await server.call('DEBUG', 'RELOAD', 'MERGE', 'NOFLUSH', 'NOSAVE')).toBe('+OK\r\n');
  expect(await server.call('FUNCTION', 'STATS')).toContain('libraries_count\r\n:3\r\n');
  // Without MERGE, a library already there makes the load fail.
  expect(await server.call('DEBUG', 'RELOAD', 'NOFLUSH', 'NOSAVE')).toBe('-ERR Error trying to load the RDB dump\r\n');
});

test('FUNCTION LOAD, DELETE, FLUSH and RESTORE are replayed from the AOF; FCALL leaves its effects', async () => {
  const dir = tempDir();
  const first = await startNodisOn(dir);
  await loadLibraries(first);
  expect(await first.call('FUNCTION', 'LOAD', '#!lua name=gone\nredis.register_function("g", function() return 1 end)')).toBe('$4\r\ngone\r\n');
  expect(await first.call('FUNCTION', 'DELETE', 'gone')).toBe('+OK\r\n');
  expect(await first.call('FCALL', 'twice', '1', 'k', 'x')).toBe('$2\r\nok\r\n');
  expect(await first.call('FCALL', 'incrby2', '1', 'n')).toBe(':2\r\n');
  // A function that writes nothing adds nothing to the AOF.
  expect(await first.call('FCALL_RO', 'reader', '1', 'k')).toBe('$2\r\nxx\r\n');
  const incr = aofFiles(dir).find((name) => name.includes('.incr.'))!;
  const text = readAofFile(dir, incr);
  expect(text).toContain('$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n');
  expect(text).toContain('$6\r\nDELETE\r\n$4\r\ngone\r\n');
  expect(text).toContain('*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nx\r\n*3\r\n$6\r\nappend\r\n$1\r\nk\r\n$1\r\nx\r\n*1\r\n$4\r\nEXEC\r\n');
  expect(text).toContain('*3\r\n$6\r\nincrby\r\n$1\r\nn\r\n$1\r\n2\r\n');
  expect(text).not.toContain('FCALL');
  await first.stop();
  const second = await startNodisOn(dir);
  expect(await second.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'gone')).toBe('*0\r\n');
  expect(await second.call('GET', 'k')).toBe('$2\r\nxx\r\n');
  await expectLibrariesWork(second);
  expect(await second.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n');
  await second.stop();
  const third = await startNodisOn(dir);
  expect(await third.call('FUNCTION', 'LIST')).toBe('*0\r\n');
});

for (const preamble of ['yes', 'no']) {
  test(`BGREWRITEAOF with aof-use-rdb-preamble ${preamble} keeps the libraries`, async () => {
    const dir = tempDir();
    const first = await startNodisOn(dir, { 'aof-use-rdb-preamble': preamble });
    await loadLibraries(first);
    const before = await librariesOf(first);
    expect(await first.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await eventually(async () => expect(await first.call('INFO', 'persistence')).toContain('aof_rewrite_in_progress:0'));
    await eventually(() => expect(readManifest(dir)).toContain('seq 2 type b'));
    const base = /file (\S+) seq 2 type b/.exec(readManifest(dir))![1];
    if (preamble === 'no') {
      // rewriteFunctions: one FUNCTION LOAD per library, before any SELECT.
      const text = readAofFile(dir, base);
      expect(text.startsWith('*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n')).toBe(true);
      expect(text).toContain(`$${LIB_B.length}\r\n${LIB_B}\r\n`);
    }
    expect(checkAof(path.join(aofDir(dir), 'appendonly.aof.manifest')).status).toBe(0);
    await first.stop();
    const second = await startNodisOn(dir, { 'aof-use-rdb-preamble': preamble });
    expect(await librariesOf(second)).toEqual(before);
    await expectLibrariesWork(second);
  });
}

test('an RDB with the 7.0 release candidates\' function opcode (246) is read as Redis 7.0 reads it', async () => {
  const dir = tempDir();
  const server = await startNodisOn(dir, { appendonly: 'no' });
  const code = "redis.register_function('oldf', function() return 7 end)";
  const record = Buffer.concat([
    Buffer.from([246, 3]),
    Buffer.from('old'),
    Buffer.from([3]),
    Buffer.from('LUA'),
    Buffer.from([1, 6]),
    Buffer.from('a desc'),
    Buffer.from([code.length]),
    Buffer.from(code),
  ]);
  const file = Buffer.concat([Buffer.from(`REDIS00${RDB_VERSION}`, 'latin1'), record, Buffer.from([255]), Buffer.alloc(8)]);
  loadRdbData(server.server, file, 'test.rdb');
  expect(await server.call('FCALL', 'oldf', '0')).toBe(':7\r\n');
  const listed = await server.call('FUNCTION', 'LIST', 'WITHCODE');
  expect(listed).toContain(`#!LUA name=old\n${code}`);
  expect(listed).toContain('$11\r\ndescription\r\n$-1\r\n');
});

test('an RDB whose library does not compile is refused, naming the library error', async () => {
  const dir = tempDir();
  const server = await startNodisOn(dir, { appendonly: 'no' });
  const code = '#!lua name=bad\nreturn 1 +';
  const file = Buffer.concat([
    Buffer.from(`REDIS00${RDB_VERSION}`, 'latin1'),
    Buffer.from([245, code.length]),
    Buffer.from(code, 'latin1'),
    Buffer.from([255]),
    Buffer.alloc(8),
  ]);
  expect(() => loadRdbData(server.server, file, 'test.rdb')).toThrow(/Failed loading library, Error compiling function/);
});

describeWithRedis('functions between Nodis and redis-server', () => {
  test('an RDB written by Nodis passes redis-check-rdb and loads in redis-server', async () => {
    const dir = tempDir();
    const nodis = await startNodisOn(dir, { appendonly: 'no' });
    await loadLibraries(nodis);
    const expected = await librariesOf(nodis);
    expect(await nodis.call('SAVE')).toBe('+OK\r\n');
    await nodis.stop();
    const check = spawnSync('redis-check-rdb', [path.join(dir, 'dump.rdb')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const redis = await startRedisOn(dir, ['--appendonly', 'no']);
    expect(await librariesOf(redis)).toEqual(expected);
    await expectLibrariesWork(redis);
  });

  test('an RDB written by redis-server loads in Nodis', async () => {
    const dir = tempDir();
    const redis = await startRedisOn(dir, ['--appendonly', 'no']);
    await loadLibraries(redis);
    const expected = await librariesOf(redis);
    expect(await redis.call('SAVE')).toBe('+OK\r\n');
    await redis.shutdown();
    const nodis = await startNodisOn(dir, { appendonly: 'no' });
    expect(await librariesOf(nodis)).toEqual(expected);
    await expectLibrariesWork(nodis);
  });

  test('an AOF rewritten by Nodis in command form loads in redis-server', async () => {
    const dir = tempDir();
    const nodis = await startNodisOn(dir, { 'aof-use-rdb-preamble': 'no' });
    await loadLibraries(nodis);
    const expected = await librariesOf(nodis);
    expect(await nodis.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    await eventually(() => expect(readManifest(dir)).toContain('seq 2 type b'));
    await nodis.stop();
    const redis = await startRedisOn(dir, ['--appendonly', 'yes']);
    expect(await librariesOf(redis)).toEqual(expected);
  });

  test('FUNCTION DUMP payloads restore both ways, and match byte for byte', async () => {
    const dir = tempDir();
    const redis = await startRedisOn(dir, ['--appendonly', 'no']);
    const nodis = await startNodisOn(tempDir(), { appendonly: 'no' });
    expect(await redis.call('FUNCTION', 'LOAD', LIB_A)).toBe('$4\r\nliba\r\n');
    expect(await nodis.call('FUNCTION', 'LOAD', LIB_A)).toBe('$4\r\nliba\r\n');
    const fromRedis = await dumpOf(redis.port);
    const fromNodis = await dumpOf(nodis.port);
    expect(fromNodis.toString('hex')).toBe(fromRedis.toString('hex'));
    // rdbcompression no: the code is stored as it is.
    expect(await nodis.call('CONFIG', 'SET', 'rdbcompression', 'no')).toBe('+OK\r\n');
    expect(await redis.call('CONFIG', 'SET', 'rdbcompression', 'no')).toBe('+OK\r\n');
    expect((await dumpOf(nodis.port)).toString('hex')).toBe((await dumpOf(redis.port)).toString('hex'));

    expect(await redis.call('FUNCTION', 'LOAD', LIB_B)).toBe('$4\r\nlibb\r\n');
    expect(await redis.call('FUNCTION', 'LOAD', LIB_C)).toBe('$4\r\nlibc\r\n');
    const both = await dumpOf(redis.port);
    expect(await restore(nodis.port, both)).toBe('-ERR Library liba already exists\r\n');
    expect(await restore(nodis.port, both, 'REPLACE')).toBe('+OK\r\n');
    expect(await librariesOf(nodis)).toEqual(await librariesOf(redis));
    expect(await nodis.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n');
    expect(await nodis.call('FUNCTION', 'LOAD', LIB_B)).toBe('$4\r\nlibb\r\n');
    expect(await restore(nodis.port, both, 'FLUSH')).toBe('+OK\r\n');
    await expectLibrariesWork(nodis);

    // And back: Nodis's payload into an empty redis-server.
    const payload = await dumpOf(nodis.port);
    expect(await redis.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n');
    expect(await restore(redis.port, payload)).toBe('+OK\r\n');
    expect(await librariesOf(redis)).toEqual(await librariesOf(nodis));
  });

  test('RESTORE errors match redis-server', async () => {
    const redis = await startRedisOn(tempDir(), ['--appendonly', 'no']);
    const nodis = await startNodisOn(tempDir(), { appendonly: 'no' });
    for (const server of [redis, nodis]) expect(await server.call('FUNCTION', 'LOAD', LIB_A)).toBe('$4\r\nliba\r\n');
    const good = await dumpOf(redis.port);
    const other = '#!lua name=other\nredis.register_function("incrby2", function() return 1 end)';
    const withOther = await (async () => {
      const scratch = await startRedisOn(tempDir(), ['--appendonly', 'no']);
      await scratch.call('FUNCTION', 'LOAD', other);
      return dumpOf(scratch.port);
    })();
    const corrupt = Buffer.from(good);
    corrupt[3] ^= 0xff;
    const notFunction = payloadOf(Buffer.from([0, 1, 0x41]));
    const preGa = payloadOf(Buffer.from([246, 1, 0x41]));
    const truncated = payloadOf(Buffer.from([245, 10, 0x41]));
    const cases: [Buffer, string?][] = [[corrupt], [notFunction], [preGa], [truncated], [withOther], [withOther, 'REPLACE'], [good, 'APPEND']];
    for (const [payload, policy] of cases) {
      const expected = await restore(redis.port, payload, policy);
      expect(await restore(nodis.port, payload, policy), `${payload.toString('hex')} ${policy}`).toBe(expected);
    }
    expect(await librariesOf(nodis)).toEqual(await librariesOf(redis));
    // The payload of no libraries, with FLUSH: everything goes.
    const empty = await dumpOf((await startRedisOn(tempDir(), ['--appendonly', 'no'])).port);
    for (const server of [redis, nodis]) {
      expect(await restore(server.port, empty, 'FLUSH')).toBe('+OK\r\n');
      expect(await server.call('FUNCTION', 'LIST')).toBe('*0\r\n');
    }
  });
});

/** `body` with the RDB version and a CRC-64, as a valid DUMP payload frames it. */
function payloadOf(body: Buffer): Buffer {
  const framed = Buffer.concat([body, Buffer.from([RDB_VERSION, 0])]);
  return Buffer.concat([framed, new Crc64().update(framed).toBuffer()]);
}

async function dumpOf(port: number): Promise<Buffer> {
  const conn = await RawConnection.connect(port);
  try {
    const reply = Buffer.from(await conn.call('FUNCTION', 'DUMP'), 'latin1');
    const header = reply.indexOf('\r\n');
    const length = Number(reply.subarray(1, header).toString());
    return reply.subarray(header + 2, header + 2 + length);
  } finally {
    conn.close();
  }
}

async function restore(port: number, payload: Buffer, policy?: string): Promise<string> {
  const conn = await RawConnection.connect(port);
  try {
    const argv = ['FUNCTION', 'RESTORE', payload.toString('latin1'), ...(policy ? [policy] : [])];
    return await conn.call(...argv);
  } finally {
    conn.close();
  }
}

test('the RDB file keeps libraries before the databases', async () => {
  const dir = tempDir();
  const server = await startNodisOn(dir, { appendonly: 'no' });
  await server.call('SET', 'key', 'value');
  await loadLibraries(server);
  expect(await server.call('SAVE')).toBe('+OK\r\n');
  const file = fs.readFileSync(path.join(dir, 'dump.rdb'));
  const firstLibrary = file.indexOf(Buffer.from([245]));
  const selectDb = file.indexOf(Buffer.from([254, 0]));
  expect(firstLibrary).toBeGreaterThan(0);
  expect(firstLibrary).toBeLessThan(selectDb);
});

/**
 * DEBUG RELOAD and DEBUG LOADAOF against redis-server 7.0.15: replies byte for byte, the dataset
 * (every type and encoding, TTLs, several databases) identical after a reload on both servers and
 * to what it was before (DEBUG DIGEST), and the options' semantics (NOSAVE, NOFLUSH, MERGE).
 *
 * Not here, because redis-server dies of them: RELOAD NOFLUSH meeting a key already there
 * (panic), LOADAOF without an AOF to load (exit); see test/persistence/debug-reload.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { onBoth } from './on-both';
import { RawConnection } from '../helpers/raw-connection';
import {
  DATASET_DBS,
  datasetCommands,
  datasetDigest,
  describeKeyspace,
  expectSameKeyspace,
  sendAll,
} from '../persistence/rdb-dataset';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CONFIG SET on both servers (protected directives such as dbfilename and dir included). */
async function configSet(pair: CompatPair, name: string, value: string): Promise<void> {
  const [a, b] = await onBoth(pair, (conn) => conn.call('CONFIG', 'SET', name, value));
  expect([a, b]).toEqual(['+OK\r\n', '+OK\r\n']);
}

/** Polls INFO persistence on both servers until `field` reads `value`. */
async function waitForInfo(pair: CompatPair, field: string, value: string): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const infos = await onBoth(pair, (conn) => conn.call('INFO', 'persistence'));
    if (infos.every((info) => info.includes(`\r\n${field}:${value}\r\n`))) return;
    if (Date.now() > deadline) throw new Error(`${field} never became ${value}`);
    await sleep(20);
  }
}

describeCompat(
  'DEBUG RELOAD / LOADAOF',
  (pair) => {
    test('unknown options are refused before anything is saved or flushed', async () => {
      await pair.expectSame([
        ['SET', 'k', 'v'],
        ['DEBUG', 'RELOAD', 'FOO'],
        ['DEBUG', 'RELOAD', 'MERGE', 'NOFLUSH', 'bogus'],
        ['DEBUG', 'RELOAD', 'NOSAVE', ''],
        ['DEBUG', 'reload', 'mergex'],
        ['GET', 'k'],
        ['DEBUG', 'RELOAD', 'merge', 'NoSave', 'noflush'],
        // Options are compared as C strings: up to the first NUL byte.
        ['DEBUG', 'RELOAD', 'NOSAVE\x00x', 'noflush\x00'],
        ['DEBUG', 'RELOAD', '\x00NOSAVE'],
        ['DEBUG', 'RELOAD', 'NOSAVE', 'NOSAVE', 'NOFLUSH', 'MERGE'],
        ['GET', 'k'],
      ]);
    });

    test('every type and encoding, TTLs, several databases: same dataset after RELOAD on both servers', async () => {
      const conns = await Promise.all([pair.redisPort, pair.nodisPort].map((port) => RawConnection.connect(port)));
      try {
        for (const conn of conns) {
          await conn.call('FLUSHALL');
          await sendAll(conn, datasetCommands());
        }
      } finally {
        for (const conn of conns) conn.close();
      }
      const digestsBefore = await Promise.all([datasetDigest(pair.redisPort), datasetDigest(pair.nodisPort)]);
      expect(digestsBefore[1]).toBe(digestsBefore[0]);
      const nodisBefore = await describeKeyspace(pair.nodisPort, DATASET_DBS);

      await pair.expectSame(
        [
          ['DEBUG', 'RELOAD'],
          ['DBSIZE'],
          ['SELECT', '15'],
          ['DBSIZE'],
          ['SELECT', '0'],
          ['DEBUG', 'RELOAD', 'MERGE'],
          ['DEBUG', 'RELOAD', 'NOSAVE'],
          ['DEBUG', 'DIGEST'],
          ['PEXPIRETIME', 's:embstr'],
          ['OBJECT', 'ENCODING', 'h:many'],
        ],
        { flush: false },
      );

      const digestsAfter = await Promise.all([datasetDigest(pair.redisPort), datasetDigest(pair.nodisPort)]);
      expect(digestsAfter).toEqual(digestsBefore);
      // Key by key (type, encoding after loading, value digest, expire time) as redis-server has it.
      const redisAfter = await describeKeyspace(pair.redisPort, DATASET_DBS);
      const nodisAfter = await describeKeyspace(pair.nodisPort, DATASET_DBS);
      expectSameKeyspace(nodisAfter, redisAfter);
      expect(new Map([...nodisAfter].map(([k, d]) => [k, d.digest]))).toEqual(new Map([...nodisBefore].map(([k, d]) => [k, d.digest])));
    });

    test('encodings chosen again on load: a hash, set and sorted set back under the thresholds', async () => {
      const fields: string[] = [];
      for (let i = 0; i < 200; i++) fields.push(`f${i}`, `v${i}`);
      const members: string[] = [];
      for (let i = 0; i < 200; i++) members.push(String(i), `m${i}`);
      await pair.expectSame([
        ['HSET', 'h', ...fields],
        ['SADD', 's', ...members.filter((_, i) => i % 2 === 1)],
        ['ZADD', 'z', ...members],
        ['SADD', 'ints', '1', '2', 'x'],
        ['SREM', 'ints', 'x'],
        ['HDEL', 'h', ...fields.filter((_, i) => i % 2 === 0).slice(3)],
        ['SREM', 's', ...members.filter((_, i) => i % 2 === 1).slice(3)],
        ['ZREMRANGEBYRANK', 'z', '3', '-1'],
        ['OBJECT', 'ENCODING', 'h'],
        ['OBJECT', 'ENCODING', 's'],
        ['OBJECT', 'ENCODING', 'z'],
        ['OBJECT', 'ENCODING', 'ints'],
        ['DEBUG', 'RELOAD'],
        ['OBJECT', 'ENCODING', 'h'],
        ['OBJECT', 'ENCODING', 's'],
        ['OBJECT', 'ENCODING', 'z'],
        ['OBJECT', 'ENCODING', 'ints'],
        ['HGETALL', 'h'],
        ['SMEMBERS', 'ints'],
        ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
      ]);
    });

    test('RELOAD saves: no changes left to save; NOSAVE leaves the count alone; INFO counts the keys loaded', async () => {
      const fields = ['rdb_changes_since_last_save', 'rdb_last_load_keys_loaded', 'rdb_last_load_keys_expired'];
      const persistence = async (): Promise<string[][]> =>
        (await onBoth(pair, (conn) => conn.call('INFO', 'persistence'))).map((info) =>
          fields.map((f) => new RegExp(`\r\n${f}:(\\d+)\r\n`).exec(info)![1]),
        );
      // A key past its TTL but not reclaimed yet is saved, and counted as expired on load.
      await pair.expectSame([['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'e', '3', 'PX', '1']]);
      await sleep(10);
      try {
        await pair.expectSame([['DEBUG', 'RELOAD']], { flush: false });
      } finally {
        await onBoth(pair, (conn) => conn.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'));
      }
      expect(await persistence()).toEqual([
        ['0', '2', '1'],
        ['0', '2', '1'],
      ]);
      await pair.expectSame([['SET', 'c', '3'], ['INCR', 'c'], ['DEBUG', 'RELOAD', 'NOSAVE'], ['GET', 'c']], { flush: false });
      // The same file again: the same two keys loaded, the same one expired.
      expect(await persistence()).toEqual([
        ['2', '2', '1'],
        ['2', '2', '1'],
      ]);
    });

    test('TTLs survive a reload; keys whose TTL passed before it are not loaded back', async () => {
      const at = String(Date.now() + 3_600_000);
      await pair.expectSame([
        ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
        ['SET', 'ttl', 'v', 'PXAT', at],
        ['SET', 'dying', 'v', 'PX', '1'],
        ['HSET', 'dying-hash', 'f', 'v'],
        ['PEXPIRE', 'dying-hash', '1'],
        ['SELECT', '3'],
        ['SET', 'ttl3', 'v', 'PXAT', at],
        ['SELECT', '0'],
      ]);
      await sleep(20);
      try {
        await pair.expectSame(
          [
            ['DBSIZE'],
            ['DEBUG', 'RELOAD'],
            ['DBSIZE'],
            ['PEXPIRETIME', 'ttl'],
            ['EXISTS', 'dying', 'dying-hash'],
            ['SELECT', '3'],
            ['PEXPIRETIME', 'ttl3'],
          ],
          { flush: false },
        );
      } finally {
        await onBoth(pair, (conn) => conn.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'));
      }
    });

    test('NOSAVE reloads the older file: later writes are gone, TTLs set since are gone too', async () => {
      await pair.expectSame([
        ['SET', 'a', 'old'],
        ['RPUSH', 'list', 'x', 'y'],
        ['SAVE'],
        ['SET', 'a', 'new', 'EX', '100'],
        ['DEL', 'list'],
        ['SET', 'later', '1'],
        ['DEBUG', 'RELOAD', 'NOSAVE'],
        ['GET', 'a'],
        ['TTL', 'a'],
        ['LRANGE', 'list', '0', '-1'],
        ['EXISTS', 'later'],
      ]);
    });

    test('NOSAVE NOFLUSH MERGE: the file adds its keys, and replaces those already there with their TTL', async () => {
      await pair.expectSame([
        ['SET', 'a', 'from-file'],
        ['SET', 'b', 'from-file', 'EX', '1000'],
        ['SADD', 'set', '1', '2'],
        ['SAVE'],
        ['FLUSHALL'],
        ['SET', 'a', 'mine', 'EX', '100'],
        ['SET', 'b', 'mine'],
        ['SET', 'set', 'now-a-string'],
        ['SET', 'only-mine', 'kept'],
        ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'],
        ['DBSIZE'],
        ['GET', 'a'],
        ['TTL', 'a'],
        ['GET', 'b'],
        ['TTL', 'b'],
        ['TYPE', 'set'],
        ['SMEMBERS', 'set'],
        ['GET', 'only-mine'],
        // MERGE with the flush: the plain reload.
        ['DEBUG', 'RELOAD', 'NOSAVE', 'MERGE'],
        ['DBSIZE'],
        ['EXISTS', 'only-mine'],
      ]);
    });

    test('MERGE: a key whose TTL passed in the file leaves the one in memory alone', async () => {
      await pair.expectSame([
        ['SET', 'gone', 'from-file', 'PX', '50'],
        ['SET', 'stays', 'from-file'],
        ['SAVE'],
      ]);
      await sleep(80);
      await pair.expectSame(
        [
          ['SET', 'gone', 'mine'],
          ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'],
          ['GET', 'gone'],
          ['GET', 'stays'],
        ],
        { flush: false },
      );
    });

    test('no file to load: the error, with the dataset flushed (or kept with NOFLUSH)', async () => {
      await configSet(pair, 'dbfilename', 'never-saved.rdb');
      try {
        await pair.expectSame([
          ['SET', 'a', '1'],
          ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH'],
          ['DBSIZE'],
          ['DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'],
          ['DEBUG', 'RELOAD', 'NOSAVE'],
          ['DBSIZE'],
          ['SET', 'b', '2'],
          ['DEBUG', 'RELOAD'],
          ['GET', 'b'],
        ]);
      } finally {
        for (const port of [pair.redisPort, pair.nodisPort]) {
          const conn = await RawConnection.connect(port);
          fs.rmSync(path.join(await configDir(conn), 'never-saved.rdb'), { force: true });
          conn.close();
        }
        await configSet(pair, 'dbfilename', 'dump.rdb');
      }
    });

    test('the save fails: a bare -ERR and nothing flushed', async () => {
      const dirs = await onBoth(pair, configDir);
      const gone = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-reload-gone-'));
      await configSet(pair, 'dir', gone);
      fs.rmSync(gone, { recursive: true, force: true });
      try {
        await pair.expectSame([['SET', 'a', '1'], ['DEBUG', 'RELOAD'], ['DEBUG', 'RELOAD', 'MERGE', 'NOFLUSH'], ['GET', 'a']]);
      } finally {
        for (const [port, dir] of [
          [pair.redisPort, dirs[0]],
          [pair.nodisPort, dirs[1]],
        ] as const) {
          const conn = await RawConnection.connect(port);
          await conn.call('CONFIG', 'SET', 'dir', dir);
          conn.close();
        }
      }
    });

    test('a client blocked on a key RELOAD brings back is not served by it', async () => {
      await pair.expectSame([['RPUSH', 'q', 'x', 'y'], ['SAVE'], ['DEL', 'q']]);
      const [redisResult, nodisResult] = await onBoth(pair, async (conn) => {
        const blocked = await RawConnection.connect(conn.socket.remotePort!);
        try {
          blocked.send(['BLPOP', 'q', '1']);
          while ((await conn.call('INFO', 'clients')).includes('blocked_clients:0\r')) await sleep(5);
          const replies = [await conn.call('DEBUG', 'RELOAD', 'NOSAVE'), await conn.call('LLEN', 'q')];
          // Still blocked: it times out, and the list is left as the file had it.
          replies.push((await blocked.readReply()).toString('latin1'), await conn.call('LRANGE', 'q', '0', '-1'));
          return replies;
        } finally {
          blocked.close();
        }
      });
      expect(nodisResult).toEqual(redisResult);
      expect(redisResult.slice(1, 3)).toEqual([':2\r\n', '*-1\r\n']);
    });

    test('LOADAOF with appendonly yes: the dataset replayed from the AOF, replies identical', async () => {
      await configSet(pair, 'appendonly', 'yes');
      try {
        await waitForInfo(pair, 'aof_rewrite_in_progress', '0');
        await pair.expectSame([
          ['SET', 's', 'v', 'EX', '1000'],
          ['RPUSH', 'l', 'a', 'b', 'c'],
          ['LPOP', 'l'],
          ['HSET', 'h', 'f', 'v', 'g', 'w'],
          ['SADD', 'st', '1', '2', '3', 'x'],
          ['ZADD', 'z', '1.5', 'a', '-inf', 'b'],
          ['INCRBYFLOAT', 'f', '1.1'],
          ['SELECT', '7'],
          ['SET', 'db7', 'x'],
          ['SELECT', '0'],
          ['DEBUG', 'DIGEST'],
          ['DEBUG', 'LOADAOF'],
          ['DEBUG', 'DIGEST'],
          ['TTL', 's'],
          ['LRANGE', 'l', '0', '-1'],
          ['SELECT', '7'],
          ['GET', 'db7'],
          ['SELECT', '0'],
          ['DEBUG', 'LOADAOF', 'extra', 'arguments'],
          ['DBSIZE'],
        ]);
        const changes = (await onBoth(pair, (conn) => conn.call('INFO', 'persistence'))).map(
          (info) => /rdb_changes_since_last_save:(\d+)/.exec(info)![1],
        );
        expect(changes).toEqual(['0', '0']);
      } finally {
        await configSet(pair, 'appendonly', 'no');
      }
    });

    test('LOADAOF with appendonly no loads the AOF left behind, and serves a client blocked on a key it creates', async () => {
      await configSet(pair, 'appendonly', 'yes');
      try {
        await waitForInfo(pair, 'aof_rewrite_in_progress', '0');
        await pair.expectSame([['RPUSH', 'bl', 'x', 'y', 'z'], ['SET', 'other', '1']]);
      } finally {
        await configSet(pair, 'appendonly', 'no');
      }
      // Not in the AOF any more.
      await pair.expectSame([['DEL', 'bl'], ['SET', 'not-in-aof', '1']], { flush: false });
      const [redisResult, nodisResult] = await onBoth(pair, async (conn) => {
        const blocked = await RawConnection.connect(conn.socket.remotePort!);
        try {
          blocked.send(['BLPOP', 'bl', '0']);
          while ((await conn.call('INFO', 'clients')).includes('blocked_clients:0\r')) await sleep(5);
          const replies = [await conn.call('DEBUG', 'LOADAOF')];
          replies.push((await blocked.readReply()).toString('latin1'));
          replies.push(await conn.call('LRANGE', 'bl', '0', '-1'), await conn.call('EXISTS', 'other', 'not-in-aof'), await conn.call('DBSIZE'));
          return replies;
        } finally {
          blocked.close();
        }
      });
      expect(nodisResult).toEqual(redisResult);
      expect(redisResult.slice(0, 2)).toEqual(['+OK\r\n', '*2\r\n$2\r\nbl\r\n$1\r\nx\r\n']);
    });
  },
  {
    nodis: { config: { 'enable-debug-command': 'yes', 'enable-protected-configs': 'yes' }, logSink: () => undefined },
    redisDirectives: ['--enable-debug-command', 'yes', '--enable-protected-configs', 'yes'],
  },
);

async function configDir(conn: RawConnection): Promise<string> {
  const reply = await conn.call('CONFIG', 'GET', 'dir');
  // *2\r\n$3\r\ndir\r\n$N\r\n<dir>\r\n
  return reply.split('\r\n')[4];
}

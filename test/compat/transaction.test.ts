/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH against redis-server 7.0.15, byte for byte: queueing,
 * the EXECABORT paths, runtime errors inside EXEC, RESP3 reply shapes, and WATCH seen from
 * several clients (writes, expiry, flushes, SWAPDB, RENAME, MOVE, COPY...).
 */
import { expect, test } from 'vitest';
import { compatScript, describeCompat, type CompatPair } from './harness';
import { MirroredConnection, withMirrored } from './mirrored';
import { onBoth } from './on-both';
import { RawConnection } from '../helpers/raw-connection';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `body` for RESP2 and RESP3 with two mirrored clients: the watcher and another one. */
function watchScenario(
  pair: CompatPair,
  name: string,
  body: (watcher: MirroredConnection, other: MirroredConnection) => Promise<void>,
): void {
  for (const resp of [2, 3] as const) {
    test(`${name} (RESP${resp})`, () => withMirrored(pair, 2, body, resp));
  }
}

/** MULTI + the queued commands + EXEC on one mirrored client, every reply compared. */
async function transaction(conn: MirroredConnection, ...commands: string[][]): Promise<void> {
  await conn.call(['MULTI']);
  for (const argv of commands) await conn.call(argv);
  await conn.call(['EXEC']);
}

describeCompat(
  'transactions compat',
  (pair) => {
    compatScript(pair, 'queued commands run at EXEC, replies in order', (k) => [
      ['MULTI'],
      ['SET', k('a'), '1'],
      ['INCR', k('a')],
      ['GET', k('a')],
      ['GET', k('missing')],
      ['RPUSH', k('l'), 'x', 'y'],
      ['LRANGE', k('l'), '0', '-1'],
      ['EXEC'],
      ['GET', k('a')],
      ['MULTI'],
      ['EXEC'],
    ]);

    compatScript(pair, 'state errors: nesting, without MULTI, WATCH inside MULTI', (k) => [
      ['EXEC'],
      ['DISCARD'],
      ['MULTI'],
      ['MULTI'],
      ['WATCH', k('a')],
      ['SET', k('a'), '1'],
      ['EXEC'],
      ['MULTI'],
      ['SET', k('b'), '1'],
      ['DISCARD'],
      ['EXISTS', k('b')],
      ['DISCARD'],
    ]);

    compatScript(pair, 'queueing errors abort EXEC with EXECABORT', (k) => [
      ['MULTI'],
      ['SET', k('a'), '1'],
      ['NOSUCHCOMMAND', 'x', 'y'],
      ['INCR', k('a')],
      ['EXEC'],
      ['EXISTS', k('a')],
      ['MULTI'],
      ['SET', k('a')],
      ['EXEC'],
      ['MULTI'],
      ['SAVE'],
      ['EXEC'],
      ['MULTI'],
      ['SHUTDOWN', 'NOSAVE'],
      ['DISCARD'],
      ['MULTI'],
      ['CONFIG', 'NOSUCHSUB'],
      ['EXEC'],
      ['MULTI'],
      ['DISCARD', 'extra'],
      ['SET', k('b'), '1'],
      ['EXEC'],
      ['EXISTS', k('a'), k('b')],
    ]);

    compatScript(pair, 'a refused EXEC aborts with the reason, inside MULTI or not', (k) => [
      ['EXEC', 'extra'],
      ['MULTI'],
      ['SET', k('a'), '1'],
      ['EXEC', 'extra'],
      ['EXEC'],
      ['EXISTS', k('a')],
      ['MULTI'],
      ['MULTI', 'extra'],
      ['EXEC'],
    ]);

    compatScript(pair, 'runtime errors are replies in the array; the other commands run', (k) => [
      ['SET', k('s'), 'text'],
      ['MULTI'],
      ['LPUSH', k('s'), 'x'],
      ['INCR', k('s')],
      ['SET', k('t'), 'v'],
      ['HSET', k('t'), 'f', 'v'],
      ['INCRBYFLOAT', k('n'), 'abc'],
      ['GET', k('t')],
      ['EXEC'],
      ['GET', k('t')],
    ]);

    compatScript(pair, 'RESP3 shapes inside EXEC: maps, sets, doubles, nulls', (k) => [
      ['HSET', k('h'), 'f1', 'v1', 'f2', 'v2'],
      ['SADD', k('set'), 'a'],
      ['ZADD', k('z'), '1.5', 'm'],
      ['MULTI'],
      ['HGETALL', k('h')],
      ['SMEMBERS', k('set')],
      ['ZSCORE', k('z'), 'm'],
      ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'],
      ['GET', k('none')],
      ['HGETALL', k('none')],
      ['EXEC'],
    ]);

    compatScript(pair, 'UNWATCH, SELECT and PING inside MULTI are queued', (k) => [
      ['MULTI'],
      ['UNWATCH'],
      ['SELECT', '3'],
      ['SET', k('in3'), 'x'],
      ['PING'],
      ['ECHO', 'hi'],
      ['EXEC'],
      ['GET', k('in3')],
      ['SELECT', '0'],
      ['GET', k('in3')],
    ]);

    compatScript(pair, 'binary keys and values inside a transaction', (k) => [
      ['MULTI'],
      ['SET', k('\x00\xff'), 'a\x00b\xff\r\n'],
      ['GET', k('\x00\xff')],
      ['APPEND', k('\x00\xff'), '\xfe'],
      ['STRLEN', k('\x00\xff')],
      ['EXEC'],
    ]);

    compatScript(pair, 'blocking commands inside MULTI do not block', (k) => [
      ['MULTI'],
      ['BLPOP', k('empty'), '0'],
      ['BRPOP', k('empty'), '1'],
      ['BLMOVE', k('empty'), k('dst'), 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', k('empty'), k('dst'), '0'],
      ['BZPOPMIN', k('empty'), '0'],
      ['BLMPOP', '0', '1', k('empty'), 'LEFT'],
      ['RPUSH', k('full'), 'v'],
      ['BLPOP', k('full'), '0'],
      ['EXEC'],
    ]);

    compatScript(pair, 'RESET inside MULTI ends the transaction', (k) => [
      ['MULTI'],
      ['SET', k('a'), '1'],
      ['RESET'],
      ['EXEC'],
      ['EXISTS', k('a')],
    ]);

    test('pipelined and inline transactions', async () => {
      await pair.expectSame([
        { raw: 'MULTI\r\nSET p 1\r\nINCR p\r\nEXEC\r\nGET p\r\n', replies: 5 },
        { raw: '*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\np\r\n*1\r\n$4\r\nEXEC\r\n', replies: 3 },
      ]);
    });

    test('a large transaction', async () => {
      const steps: string[][] = [['MULTI']];
      for (let i = 0; i < 500; i++) steps.push(['RPUSH', 'big', 'x'.repeat(i)]);
      steps.push(['EXEC'], ['LLEN', 'big']);
      await pair.expectSame(steps);
    });

    // Out of memory: queueing stops, and an EXEC holding denyoom commands is refused.
    test('OOM while queueing flags the transaction; an EXEC with denyoom commands aborts', async () => {
      await withMirrored(pair, 2, async (tx, admin) => {
        try {
          await tx.call(['MULTI']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '1']);
          await tx.call(['GET', 'k']);
          await tx.call(['EXEC']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
          await tx.call(['MULTI']);
          await tx.call(['SET', 'k', 'v']);
          await tx.call(['GET', 'k']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '1']);
          await tx.call(['EXEC']);
          await tx.call(['MULTI']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
          await tx.call(['GET', 'k']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '1']);
          await tx.call(['DISCARD']);
          await tx.call(['MULTI']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
          await tx.call(['GET', 'k']);
          await admin.call(['CONFIG', 'SET', 'maxmemory', '1']);
          await tx.call(['EXEC']);
        } finally {
          await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
        }
      });
    });

    watchScenario(pair, 'a write by another client fails EXEC; a read does not', async (w, other) => {
      await other.call(['SET', 'k', '1']);
      await w.call(['WATCH', 'k']);
      await other.call(['GET', 'k']);
      await transaction(w, ['GET', 'k']);
      await w.call(['WATCH', 'k']);
      await other.call(['SET', 'k', '1']); // the same value is still a write
      await transaction(w, ['SET', 'k', 'mine']);
      await w.call(['GET', 'k']);
    });

    watchScenario(pair, 'the watcher\'s own write before MULTI counts; writes inside its EXEC do not', async (w) => {
      await w.call(['WATCH', 'k']);
      await w.call(['SET', 'k', '1']);
      await transaction(w, ['GET', 'k']);
      await w.call(['WATCH', 'k']);
      await transaction(w, ['SET', 'k', '2'], ['INCR', 'k']);
      await w.call(['GET', 'k']);
    });

    watchScenario(pair, 'missing keys: DEL of a missing key is no change, creating one is', async (w, other) => {
      await w.call(['WATCH', 'nokey']);
      await other.call(['DEL', 'nokey']);
      await other.call(['PERSIST', 'nokey']);
      await other.call(['EXPIRE', 'nokey', '100']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'nokey']);
      await other.call(['SETNX', 'nokey', 'v']);
      await transaction(w, ['PING']);
    });

    watchScenario(pair, 'TTL changes: EXPIRE and PERSIST touch; PERSIST without a TTL does not', async (w, other) => {
      await other.call(['SET', 'k', 'v']);
      await w.call(['WATCH', 'k']);
      await other.call(['PERSIST', 'k']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'k']);
      await other.call(['EXPIRE', 'k', '100']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'k']);
      await other.call(['PERSIST', 'k']);
      await transaction(w, ['PING']);
    });

    watchScenario(pair, 'RENAME touches both keys; MOVE and COPY touch their targets', async (w, other) => {
      await other.call(['SET', 'src', 'v']);
      await w.call(['WATCH', 'dst']);
      await other.call(['RENAME', 'src', 'dst']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'dst']);
      await other.call(['RENAME', 'dst', 'src']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'src']);
      await other.call(['COPY', 'src', 'copy']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'copy']);
      await other.call(['COPY', 'src', 'copy', 'REPLACE']);
      await transaction(w, ['PING']);
      await w.call(['SELECT', '1']);
      await w.call(['WATCH', 'src']);
      await other.call(['MOVE', 'src', '1']);
      await transaction(w, ['PING']);
      await w.call(['SELECT', '0']);
    });

    watchScenario(pair, 'a watched key belongs to its database', async (w, other) => {
      await w.call(['SELECT', '1']);
      await w.call(['WATCH', 'k']);
      await other.call(['SET', 'k', 'db0']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'k']);
      await other.call(['SELECT', '1']);
      await other.call(['SET', 'k', 'db1']);
      await transaction(w, ['PING']);
      await w.call(['SELECT', '0']);
      await other.call(['SELECT', '0']);
    });

    watchScenario(pair, 'UNWATCH, DISCARD and EXEC forget the watched keys', async (w, other) => {
      await w.call(['WATCH', 'a', 'b']);
      await w.call(['UNWATCH']);
      await other.call(['SET', 'a', '1']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'a']);
      await w.call(['MULTI']);
      await w.call(['DISCARD']);
      await other.call(['SET', 'a', '2']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'a']);
      await transaction(w, ['PING']);
      await other.call(['SET', 'a', '3']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'a']);
      await other.call(['SET', 'a', '4']);
      await w.call(['UNWATCH']); // also forgets that the key was touched
      await transaction(w, ['GET', 'a']);
    });

    watchScenario(pair, 'several keys, watched twice, several watchers of one key', async (w, other) => {
      const third = await MirroredConnection.open(pair);
      try {
        await w.call(['WATCH', 'a', 'b', 'a']);
        await w.call(['WATCH', 'b', 'c']);
        await third.call(['WATCH', 'c']);
        await other.call(['SET', 'c', '1']);
        await transaction(w, ['PING']);
        await transaction(third, ['PING']);
      } finally {
        third.close();
      }
    });

    watchScenario(pair, 'EXECABORT wins over a touched key; a touched WATCH is not undone by WATCH', async (w, other) => {
      await w.call(['WATCH', 'k']);
      await other.call(['SET', 'k', '1']);
      await w.call(['MULTI']);
      await w.call(['NOSUCH']);
      await w.call(['EXEC']);
      await w.call(['WATCH', 'k']);
      await other.call(['SET', 'k', '2']);
      await w.call(['WATCH', 'k', 'other']);
      await transaction(w, ['GET', 'k']);
    });

    watchScenario(pair, 'a transaction of one client fails the WATCH of another', async (w, other) => {
      await w.call(['WATCH', 'k']);
      await transaction(other, ['SET', 'k', 'x'], ['GET', 'k']);
      await transaction(w, ['GET', 'k']);
    });

    watchScenario(pair, 'FLUSHALL and FLUSHDB touch watched keys that existed', async (w, other) => {
      await other.call(['SET', 'exists', '1']);
      await w.call(['WATCH', 'missing']);
      await other.call(['FLUSHALL']);
      await transaction(w, ['PING']);
      await other.call(['SET', 'exists', '1']);
      await w.call(['WATCH', 'exists']);
      await other.call(['FLUSHALL']);
      await transaction(w, ['PING']);
      await other.call(['SET', 'exists', '1']);
      await w.call(['WATCH', 'exists']);
      await other.call(['SELECT', '2']);
      await other.call(['FLUSHDB']);
      await transaction(w, ['PING']);
      await other.call(['SELECT', '0']);
      await other.call(['FLUSHDB']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'exists']);
      await other.call(['FLUSHDB']);
      await transaction(w, ['PING']);
    });

    watchScenario(pair, 'SWAPDB touches watched keys present in either database', async (w, other) => {
      await w.call(['WATCH', 'a']);
      await other.call(['SWAPDB', '0', '1']);
      await transaction(w, ['PING']);
      await other.call(['SELECT', '1']);
      await other.call(['SET', 'a', 'in1']);
      await other.call(['SELECT', '0']);
      await w.call(['WATCH', 'a']);
      await other.call(['SWAPDB', '0', '1']);
      await transaction(w, ['GET', 'a']);
      await w.call(['WATCH', 'a']);
      await other.call(['SWAPDB', '1', '0']);
      await transaction(w, ['GET', 'a']);
      await w.call(['WATCH', 'a']);
      await other.call(['SWAPDB', '0', '0']);
      await transaction(w, ['GET', 'a']);
      await other.call(['SWAPDB', '0', '2']);
      await other.call(['FLUSHALL']);
    });

    watchScenario(pair, 'DEBUG RELOAD touches the watched keys that existed', async (w, other) => {
      await other.call(['SET', 'k', 'v']);
      await w.call(['WATCH', 'missing']);
      await other.call(['DEBUG', 'RELOAD']);
      await transaction(w, ['PING']);
      await w.call(['WATCH', 'k']);
      await other.call(['DEBUG', 'RELOAD']);
      await transaction(w, ['GET', 'k']);
    });

    test('expiry: a key expiring after WATCH fails EXEC; one expired before WATCH does not', async () => {
      await withMirrored(pair, 2, async (w, other) => {
        try {
          await other.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
          // Alive at WATCH, logically expired (not yet deleted) at EXEC.
          await other.call(['SET', 'k', 'v', 'PX', '30']);
          await w.call(['WATCH', 'k']);
          await sleep(60);
          await transaction(w, ['PING']);
          // Already expired at WATCH: no change, even once deleted by a read.
          await other.call(['SET', 'k', 'v', 'PX', '1']);
          await sleep(20);
          await w.call(['WATCH', 'k']);
          await transaction(w, ['PING']);
          await w.call(['WATCH', 'k']);
          await other.call(['GET', 'k']);
          await transaction(w, ['PING']);
          // ... but recreated it is a change.
          await other.call(['SET', 'k', 'v', 'PX', '1']);
          await sleep(20);
          await w.call(['WATCH', 'k']);
          await other.call(['SET', 'k', 'new']);
          await transaction(w, ['GET', 'k']);
          // Deleted by lazy expiry after WATCH while it was alive.
          await other.call(['SET', 'k', 'v', 'PX', '30']);
          await w.call(['WATCH', 'k']);
          await sleep(60);
          await other.call(['EXISTS', 'k']);
          await transaction(w, ['PING']);
          // An expired key flushed: no change.
          await other.call(['SET', 'k', 'v', 'PX', '1']);
          await sleep(20);
          await w.call(['WATCH', 'k']);
          await other.call(['FLUSHDB']);
          await transaction(w, ['PING']);
        } finally {
          await other.call(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
        }
      });
    });

    test('active expiry of a watched key fails EXEC', async () => {
      await withMirrored(pair, 1, async (w) => {
        await w.call(['SET', 'k', 'v', 'PX', '20']);
        await w.call(['WATCH', 'k']);
        await sleep(300);
        await transaction(w, ['PING']);
      });
    });

    test('INFO commandstats and errorstats count what Redis counts', async () => {
      const script = async (conn: RawConnection): Promise<string> => {
        await conn.call('FLUSHALL');
        await conn.call('CONFIG', 'RESETSTAT');
        for (const argv of [
          ['MULTI'], ['SET', 'a', '1'], ['LPUSH', 'a', 'x'], ['GET', 'a'], ['EXEC'],
          ['MULTI'], ['NOSUCH'], ['SET', 'a'], ['EXEC'],
          ['MULTI'], ['SET', 'b', '1'], ['EXEC', 'x'],
          ['EXEC'], ['DISCARD'], ['WATCH', 'a'], ['UNWATCH'],
          ['MULTI'], ['WATCH', 'a'], ['MULTI'], ['DISCARD'],
        ]) {
          await conn.call(...argv);
        }
        const stats = (await conn.call('INFO', 'commandstats')) + (await conn.call('INFO', 'errorstats'));
        const lines = stats.split('\r\n').filter((l) => l.startsWith('cmdstat_') || l.startsWith('errorstat_'));
        return lines.map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort().join('\n');
      };
      const [fromRedis, fromNodis] = await onBoth(pair, script);
      expect(fromNodis).toBe(fromRedis);
    });

    test('MONITOR shows MULTI, the commands as EXEC runs them, then EXEC', async () => {
      const script = async (conn: RawConnection): Promise<string> => {
        const monitor = await RawConnection.connect(conn.socket.remotePort!);
        try {
          await monitor.call('MONITOR');
          for (const argv of [
            ['MULTI'], ['SET', 'a', '1'], ['CLIENT', 'LIST', 'ID', '1'], ['GET', 'a'], ['EXEC'],
            ['MULTI'], ['NOSUCH'], ['EXEC'],
            ['MULTI'], ['SET', 'b', '\x00'], ['EXEC', 'x'],
            ['WATCH', 'a'], ['MULTI'], ['SELECT', '4'], ['DISCARD'],
          ]) {
            await conn.call(...argv);
          }
          await conn.call('PING', 'end');
          const lines: string[] = [];
          for (;;) {
            const line = (await monitor.readReply()).toString('latin1');
            lines.push(line.replace(/^\+[\d.]+ \[(\d+) [^\]]+\]/, '[$1]'));
            if (line.includes('"PING" "end"')) break;
          }
          return lines.join('');
        } finally {
          monitor.close();
        }
      };
      const [fromRedis, fromNodis] = await onBoth(pair, script);
      expect(fromNodis).toBe(fromRedis);
    });
  },
  {
    nodis: { config: { 'enable-debug-command': 'yes' } },
    redisDirectives: ['--enable-debug-command', 'yes'],
  },
);

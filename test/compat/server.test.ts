import { expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, textOf, type RespValue } from '../helpers/resp-value';
import { onBoth } from './on-both';

/** INFO text as [section title, field names or lines] pairs. */
function infoSections(text: string): [string, string[]][] {
  return text
    .split('\r\n\r\n')
    .filter(Boolean)
    .map((block) => {
      const [title, ...lines] = block.split('\r\n').filter(Boolean);
      return [title, lines];
    });
}

const fieldNames = (lines: string[]): string[] => lines.map((l) => l.slice(0, l.indexOf(':')));

describeCompat('server compat', (pair) => {
  test('errorstats count the same errors, by code in byte order', async () => {
    await pair.expectSame([
      ['INFO', 'errorstats'],
      ['nosuchcommand'],
      ['GET'],
      ['SELECT', 'x'],
      ['HELLO', '4'],
      ['AUTH', 'x'],
      ['AUTH', 'user', 'pass'],
      ['INFO', 'ERRORSTATS'],
    ]);
  });

  test('INFO sections and their fields are Redis 7.0.15s, in its order', async () => {
    const [redis, nodis] = await onBoth(pair, async (conn) => textOf(await call(conn, 'INFO', 'everything')));
    const dynamic = new Set(['# Commandstats', '# Errorstats', '# Latencystats', '# Keyspace']);
    const shape = (text: string, extra: string[]): [string, string[]][] =>
      infoSections(text).map(([title, lines]) => [
        title,
        dynamic.has(title) ? [] : fieldNames(lines).filter((name) => !extra.includes(name)),
      ]);
    expect(shape(nodis, ['nodis_version'])).toEqual(shape(redis, []));
    expect(nodis).toMatch(/\r\nredis_version:7\.0\.15\r\n/);
    expect(nodis).toMatch(/\r\nnodis_version:\d+\.\d+\.\d+\S*\r\n/);
    for (const fixed of ['redis_mode:standalone', 'role:master', 'loading:0', 'aof_enabled:0', 'cluster_enabled:0', 'maxclients:10000', 'maxmemory_policy:noeviction']) {
      expect(nodis, fixed).toContain(`\r\n${fixed}\r\n`);
    }
  });

  test('INFO default, all and chosen sections select the same sections', async () => {
    for (const args of [[], ['default'], ['all'], ['server', 'CLIENTS'], ['default', 'commandstats'], ['keyspace', 'server'], ['modules'], ['latencystats']]) {
      const [redis, nodis] = await onBoth(pair, async (conn) => textOf(await call(conn, 'INFO', ...args)));
      const titles = (text: string): string[] => infoSections(text).map(([title]) => title);
      expect(titles(nodis), `INFO ${args.join(' ')}`).toEqual(titles(redis));
    }
  });

  for (const resp of [2, 3] as const) {
    test(`INFO with unknown, fixed and repeated sections (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['INFO', 'nosuchsection'],
          ['INFO', 'cluster'],
          ['INFO', 'CLUSTER', 'nosuch', 'cluster'],
          ['INFO', 'modules'],
          ['INFO', 'module_list'],
          ['INFO', 'keyspace'],
        ],
        { resp },
      );
    });
  }

  test('INFO keyspace counts keys and keys with a TTL in each database', async () => {
    const script = async (conn: RawConnection): Promise<string> => {
      for (const argv of [['FLUSHALL'], ['SET', 'a', '1'], ['SET', 'b', '2', 'EX', '100'], ['SELECT', '3'], ['SET', 'c', '3']]) {
        await call(conn, ...argv);
      }
      return textOf(await call(conn, 'INFO', 'keyspace')).replace(/avg_ttl=\d+/g, 'avg_ttl=N');
    };
    const [redis, nodis] = await onBoth(pair, script);
    expect(nodis).toBe(redis);
  });

  test('INFO commandstats and latencystats lines after CONFIG RESETSTAT', async () => {
    const script = async (conn: RawConnection): Promise<string[]> => {
      for (const argv of [['CONFIG', 'RESETSTAT'], ['SET', 'k', 'v'], ['GET', 'k'], ['GET', 'k'], ['GET'], ['SELECT', 'x'], ['CONFIG', 'GET', 'maxclients']]) {
        await call(conn, ...argv);
      }
      const stats = textOf(await call(conn, 'INFO', 'commandstats', 'latencystats'));
      return stats
        .replace(/usec=\d+,usec_per_call=[\d.]+/g, 'usec=N,usec_per_call=N')
        .replace(/=\d+\.\d{3}/g, '=N')
        .split('\r\n')
        .sort();
    };
    const [redis, nodis] = await onBoth(pair, script);
    expect(nodis).toEqual(redis);
  });

  test('TIME and LASTSAVE reply shapes', async () => {
    const shape = (value: RespValue): string => JSON.stringify(value).replace(/\d+/g, 'N');
    const [redis, nodis] = await onBoth(pair, async (conn) => [shape(await call(conn, 'TIME')), shape(await call(conn, 'LASTSAVE'))]);
    expect(nodis).toEqual(redis);
    await pair.expectSame([['TIME', 'x'], ['LASTSAVE', 'x']]);
  });

  test('SLOWLOG entries, truncation, redaction and subcommands', async () => {
    const longArg = 'x'.repeat(200);
    const manyArgs = ['MSET', ...Array.from({ length: 40 }, (_, i) => `k${i}`)];
    const script = async (conn: RawConnection): Promise<RespValue[]> => {
      const out: RespValue[] = [];
      for (const argv of [
        ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
        ['SLOWLOG', 'RESET'],
        ['SLOWLOG', 'LEN'],
        ['SET', 'k', 'v'],
        ['AUTH', 'secret'],
        ['AUTH', 'someone', 'secret'],
        ['HELLO', '2', 'AUTH', 'default', 'secret'],
        ['ECHO', longArg],
        manyArgs,
        ['CLIENT', 'SETNAME', 'slowpoke'],
        ['PING'],
      ]) {
        const reply = await call(conn, ...argv);
        // HELLO's reply holds the connection id, which differs.
        out.push(argv[0] === 'HELLO' ? 'hello' : reply);
      }
      const entries = (await call(conn, 'SLOWLOG', 'GET', '-1')) as RespValue[][];
      const lastId = entries[0][0] as number;
      // Ids, timestamps, durations and client addresses differ between the two servers.
      out.push(entries.map(([id, , , args, , name]) => [lastId - (id as number), args, name]));
      out.push(await call(conn, 'SLOWLOG', 'LEN'));
      out.push(((await call(conn, 'SLOWLOG', 'GET')) as RespValue[]).length);
      out.push(((await call(conn, 'SLOWLOG', 'GET', '2')) as RespValue[]).length);
      out.push(await call(conn, 'SLOWLOG', 'GET', '0'));
      out.push(await call(conn, 'CONFIG', 'SET', 'slowlog-log-slower-than', '10000'));
      out.push(await call(conn, 'SLOWLOG', 'RESET'));
      return out;
    };
    const [redis, nodis] = await onBoth(pair, script);
    expect(nodis).toEqual(redis);
  });

  test('SLOWLOG errors and HELP', async () => {
    await pair.expectSame([
      ['SLOWLOG', 'GET', 'abc'],
      ['SLOWLOG', 'GET', '-2'],
      ['SLOWLOG', 'GET', '99999999999999999999'],
      ['SLOWLOG', 'GET', '1', '2'],
      ['SLOWLOG', 'LEN', 'x'],
      ['SLOWLOG', 'RESET', 'x'],
      ['SLOWLOG'],
      ['SLOWLOG', 'nosuch'],
      ['SLOWLOG', 'HELP'],
      ['slowlog', 'help'],
    ]);
  });

  test('MONITOR shows commands as Redis does: redacted passwords, database after the command, its own commands', async () => {
    const script = async (conn: RawConnection): Promise<string[]> => {
      const monitor = conn;
      const first = await call(monitor, 'MONITOR');
      monitor.send(['MONITOR']); // ignored: no reply
      const other = await RawConnection.connect(conn.socket.remotePort!);
      try {
        for (const argv of [
          ['SET', 'k', 'v'],
          ['AUTH', 'secret'],
          ['AUTH', 'user', 'secret'],
          ['AUTH', 'a', 'b', 'c'],
          ['HELLO', '2', 'AUTH', 'default', 'secret', 'SETNAME', 'watched'],
          ['SELECT', '1'],
          ['ECHO', '\x00\xff"\\\n\r\t\x07\x08 ok'],
          ['SET', 'n', '12345'],
          ['CLIENT', 'LIST'],
          ['CONFIG', 'GET', 'maxclients'],
          ['INFO', 'cluster'],
          ['nosuchcommand'],
          ['GET'],
        ]) {
          await call(other, ...argv);
        }
        monitor.send(['PING']);
        other.send(['ECHO', 'end']);
        await other.readReply();
      } finally {
        other.close();
      }
      const lines = [JSON.stringify(first)];
      for (;;) {
        const line = (await monitor.readReply()).toString('latin1');
        lines.push(line.replace(/^\+\d+\.\d{6} \[(\d+) [^\]]+\]/, '+T [$1 addr]'));
        if (line.includes('"end"')) return lines;
      }
    };
    const [redis, nodis] = await onBoth(pair, script);
    expect(nodis).toEqual(redis);
  });

  test('SHUTDOWN argument errors, and ABORT with no shutdown in progress', async () => {
    await pair.expectSame([
      ['SHUTDOWN', 'nosuchflag'],
      ['SHUTDOWN', 'SAVE', 'NOSAVE'],
      ['SHUTDOWN', 'ABORT', 'NOW'],
      ['SHUTDOWN', 'FORCE', 'ABORT'],
      ['SHUTDOWN', 'ABORT'],
      ['shutdown', 'abort'],
    ]);
  });
});

const DEBUG_ON = {
  nodis: { config: { 'enable-debug-command': 'yes' } },
  redisDirectives: ['--enable-debug-command', 'yes'],
};

describeCompat(
  'DEBUG compat',
  (pair) => {
    for (const resp of [2, 3] as const) {
      test(`DEBUG PROTOCOL replies every RESP3 type (RESP${resp})`, async () => {
        const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'TRUE', 'nosuch'];
        await pair.expectSame(
          types.map((t) => ['DEBUG', 'PROTOCOL', t]),
          { resp },
        );
      });
    }

    test('DEBUG DIGEST and DIGEST-VALUE match redis-server for string data', async () => {
      const raw = Array.from({ length: 100 }, (_, i) => String.fromCharCode(33 + (i % 90))).join('');
      await pair.expectSame([
        ['DEBUG', 'DIGEST'],
        ['DEBUG', 'DIGEST-VALUE'],
        ['DEBUG', 'DIGEST-VALUE', 'nokey'],
        ['SET', 'small', '7'],
        ['DEBUG', 'DIGEST'],
        ['SET', 'shared', '100'],
        ['SET', 'big', '123456789012'],
        ['SET', 'negative', '-5'],
        ['SET', 'embstr', 'hello'],
        ['SET', 'raw', raw],
        ['SET', 'binary', '\x00\xff\r\n'],
        ['SET', 'empty', ''],
        ['SET', 'float', '3.14'],
        ['SET', 'ttl', 'v', 'EX', '1000'],
        ['APPEND', 'appended', 'abc'],
        ['APPEND', 'appended', 'def'],
        ['SETRANGE', 'ranged', '5', 'x'],
        ['INCR', 'counter'],
        ['SELECT', '5'],
        ['SET', 'small', '7'],
        ['SELECT', '0'],
        ['DEBUG', 'DIGEST'],
        ['DEBUG', 'DIGEST-VALUE', 'small', 'shared', 'big', 'negative', 'embstr', 'raw', 'binary', 'empty', 'float', 'ttl', 'appended', 'ranged', 'counter', 'nokey'],
        ['PERSIST', 'ttl'],
        ['DEBUG', 'DIGEST-VALUE', 'ttl'],
        ['DEBUG', 'DIGEST'],
        ['FLUSHALL'],
        ['DEBUG', 'DIGEST'],
      ]);
    });

    test('DEBUG OBJECT on string and collection values (serializedlength as the RDB writer counts it)', async () => {
      const uncompressible = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP';
      const script = async (conn: RawConnection): Promise<RespValue[]> => {
        const out: RespValue[] = [];
        for (const argv of [
          ['FLUSHALL'],
          ['SET', 'shared', '100'],
          ['SET', 'int', '100000'],
          ['SET', 'negative', '-200'],
          ['SET', 'big', '123456789012'],
          ['SET', 'small', 'abc'],
          ['SET', 'numeric-text', '007'],
          ['SET', 'embstr', uncompressible.slice(0, 30)],
          ['SET', 'raw', uncompressible],
          ['APPEND', 'appended', 'xyz'],
          ['SET', 'empty', ''],
          ['SET', 'compressible', 'a'.repeat(200)],
          ['RPUSH', 'list', 'a', 'b', '1'],
          ['SADD', 'intset', '1', '2', '3'],
          ['HSET', 'hash', 'f', 'v'],
          ['ZADD', 'zset', '1.5', 'm'],
        ]) {
          await call(conn, ...argv);
        }
        for (const key of ['shared', 'int', 'negative', 'big', 'small', 'numeric-text', 'embstr', 'raw', 'appended', 'empty', 'compressible', 'hash', 'zset', 'intset', 'nokey']) {
          const reply = await call(conn, 'DEBUG', 'OBJECT', key);
          out.push(JSON.stringify(reply).replace(/at:0x[0-9a-f]+/, 'at:ADDR').replace(/lru:\d+ lru_seconds_idle:\d+/, 'lru:N'));
        }
        return out;
      };
      const [redis, nodis] = await onBoth(pair, script);
      expect(nodis).toEqual(redis);
    });

    test('DEBUG POPULATE creates the same keys as Redis', async () => {
      await pair.expectSame([
        ['DEBUG', 'POPULATE', '5'],
        ['DEBUG', 'DIGEST'],
        ['SET', 'key:9', 'kept'],
        ['DEBUG', 'POPULATE', '12', 'key'],
        ['DEBUG', 'POPULATE', '3', 'p', '20'],
        ['DEBUG', 'POPULATE', '3', 'q', '3'],
        ['DEBUG', 'DIGEST'],
        ['GET', 'key:9'],
        ['GET', 'p:1'],
        ['DBSIZE'],
        ['DEBUG', 'POPULATE', '-1'],
        ['DEBUG', 'POPULATE', 'abc'],
        ['DEBUG', 'POPULATE', '1', 'x', '-1'],
        ['DEBUG', 'POPULATE', '1', 'x', '1', 'extra'],
        ['DEBUG', 'POPULATE', '0'],
      ]);
    });

    test('DEBUG subcommands, errors and HELP', async () => {
      await pair.expectSame([
        ['DEBUG', 'HELP'],
        ['debug', 'help'],
        ['DEBUG', 'HELP', 'x'],
        ['DEBUG', 'nosuch'],
        ['DEBUG', 'DIGEST', 'x'],
        ['DEBUG', 'SLEEP', '0'],
        ['DEBUG', 'SLEEP', 'abc'],
        ['DEBUG', 'SLEEP', '0.01'],
        ['DEBUG', 'SLEEP'],
        ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
        ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
        ['DEBUG', 'SET-ACTIVE-EXPIRE'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1kb'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'abc'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '-1'],
        ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1gb'],
        ['DEBUG', 'CHANGE-REPL-ID'],
        ['DEBUG', 'CHANGE-REPL-ID', 'x'],
        ['DEBUG', 'ERROR', 'custom failure'],
        ['DEBUG', 'ERROR', 'two\nlines\r'],
        ['DEBUG', 'LOG', 'hello'],
        ['DEBUG', 'OBJECT'],
        ['DEBUG', 'PROTOCOL'],
        ['DEBUG'],
      ]);
    });

    test('DEBUG CHANGE-REPL-ID changes the replication IDs', async () => {
      const ids = async (conn: RawConnection): Promise<string[]> => {
        const text = textOf(await call(conn, 'INFO', 'replication'));
        return ['master_replid', 'master_replid2'].map((name) => new RegExp(`${name}:(\\w+)`).exec(text)![1]);
      };
      const [redis, nodis] = await onBoth(pair, async (conn) => {
        const before = await ids(conn);
        await call(conn, 'DEBUG', 'CHANGE-REPL-ID');
        const after = await ids(conn);
        return [before[0] !== after[0], after[1], after[0].length];
      });
      expect(nodis).toEqual(redis);
    });
  },
  DEBUG_ON,
);

describeCompat('DEBUG refused by default', (pair) => {
  test('DEBUG needs enable-debug-command', async () => {
    await pair.expectSame([['DEBUG', 'HELP'], ['DEBUG', 'OBJECT', 'k'], ['DEBUG'], ['DEBUG', 'nosuch', 'x']]);
  });
});

/** Sets requirepass on both servers for the duration of `body` (new connections must AUTH). */
async function withPassword(pair: CompatPair, body: () => Promise<void>): Promise<void> {
  const admins = await Promise.all([pair.redisPort, pair.nodisPort].map((port) => RawConnection.connect(port)));
  try {
    for (const admin of admins) await admin.call('CONFIG', 'SET', 'requirepass', 'pw');
    await body();
  } finally {
    for (const admin of admins) {
      await admin.call('CONFIG', 'SET', 'requirepass', '');
      admin.close();
    }
  }
}

/** A successful HELLO: its reply holds the connection id, which differs between the servers. */
const hello = (...argv: string[]): { argv: string[]; compare: false } => ({ argv: ['HELLO', ...argv], compare: false });

describeCompat('authentication compat', (pair) => {
  test('commands before AUTH, AUTH forms, WRONGPASS, RESET', async () => {
    await withPassword(pair, () =>
      pair.expectSame(
        [
          ['PING'],
          ['GET', 'k'],
          ['nosuchcommand'],
          ['GET'],
          ['CLIENT', 'ID'],
          ['DEBUG', 'HELP'],
          ['AUTH'],
          ['AUTH', 'a', 'b', 'c'],
          ['AUTH', 'wrong'],
          ['AUTH', 'default', 'wrong'],
          ['AUTH', 'nosuchuser', 'pw'],
          ['HELLO'],
          ['HELLO', '3'],
          ['HELLO', '3', 'AUTH', 'default'],
          ['HELLO', '3', 'AUTH', 'default', 'wrong'],
          ['HELLO', '2', 'SETNAME', 'early'],
          ['AUTH', 'pw'],
          ['PING'],
          ['CLIENT', 'GETNAME'],
          ['RESET'],
          ['PING'],
          ['AUTH', 'default', 'pw'],
          ['PING'],
          ['RESET'],
          hello('2', 'AUTH', 'default', 'pw', 'SETNAME', 'named'),
          ['CLIENT', 'GETNAME'],
          ['SET', 'k', 'v'],
          ['GET', 'k'],
        ],
        { flush: false },
      ),
    );
  });

  test('unauthenticated clients may only send small requests', async () => {
    await withPassword(pair, async () => {
      for (const raw of ['*11\r\n', '*1\r\n$16385\r\n', '*2\r\n$4\r\nECHO\r\n$16385\r\n']) {
        await pair.expectSameUntilClose(raw);
      }
      await pair.expectSame(
        [
          { raw: `*10\r\n${'$1\r\nx\r\n'.repeat(10)}` },
          { raw: `*2\r\n$4\r\nECHO\r\n$16384\r\n${'y'.repeat(16384)}\r\n` },
          ['AUTH', 'pw'],
          { raw: `*12\r\n$4\r\nMSET\r\n${'$1\r\nx\r\n'.repeat(11)}` },
          ['ECHO', 'z'.repeat(20000)],
        ],
        { flush: false },
      );
    });
  });
});

describeCompat('HELLO and AUTH without a password', (pair) => {
  test('HELLO options apply in order; AUTH without a configured password', async () => {
    await pair.expectSame([
      ['AUTH', 'anything'],
      ['AUTH', 'default', 'anything'],
      ['AUTH', 'nosuchuser', 'anything'],
      ['HELLO', '2', 'SETNAME', 'first', 'SETNAME', 'bad name'],
      ['CLIENT', 'GETNAME'],
      ['HELLO', '3', 'SETNAME', 'x', 'bogus'],
      ['CLIENT', 'GETNAME'],
      hello('3', 'AUTH', 'default', 'whatever'),
      ['COMMAND', 'INFO', 'nosuchcommand'],
      ['HELLO', 'x'],
      ['HELLO', '1'],
      ['HELLO', '2', 'SETNAME'],
      ['HELLO', '2', 'AUTH', 'a'],
    ]);
  });
});

describeCompat('connection commands compat', (pair) => {
  for (const resp of [2, 3] as const) {
    test(`PING, ECHO, SELECT and RESET (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['PING'],
          ['ping', 'hello'],
          ['PING', '\x00\xff'],
          ['PING', 'a', 'b'],
          ['ECHO', ''],
          ['ECHO', '\x00\xff\r\n'],
          ['SELECT', '15'],
          ['SELECT', '16'],
          ['SELECT', '-1'],
          ['SELECT', '01'],
          ['SELECT', '1.5'],
          ['SET', 'in15', 'v'],
          ['CLIENT', 'SETNAME', 'before-reset'],
          ['CLIENT', 'NO-EVICT', 'on'],
          ['RESET'],
          ['GET', 'in15'],
          ['CLIENT', 'GETNAME'],
          ['COMMAND', 'INFO', 'nosuchcommand'],
          ['RESET', 'x'],
        ],
        { resp },
      );
    });
  }

  test('RESET ends MONITOR and CLIENT REPLY OFF', async () => {
    await pair.expectSame([
      { raw: '*1\r\n$7\r\nMONITOR\r\n*1\r\n$5\r\nRESET\r\n*2\r\n$4\r\nECHO\r\n$1\r\na\r\n', replies: 3 },
      { raw: '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$5\r\nRESET\r\n*1\r\n$4\r\nPING\r\n', replies: 2 },
    ]);
  });

  test('QUIT answers OK and closes, arguments or not', async () => {
    await pair.expectSameUntilClose('*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    await pair.expectSameUntilClose('*2\r\n$4\r\nQUIT\r\n$1\r\nx\r\n');
  });
});

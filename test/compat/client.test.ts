import { expect, test } from 'vitest';
import { describeCompat } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, textOf } from '../helpers/resp-value';
import { onBoth } from './on-both';

/** A CLIENT LIST line as [field, value] pairs, in order. */
function fields(line: string): [string, string][] {
  return line.split(' ').map((pair) => {
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/** Fields whose values depend on the process (ids, ports, buffer sizes and memory). */
const PROCESS_DEPENDENT = new Set(['id', 'addr', 'laddr', 'fd', 'qbuf', 'qbuf-free', 'rbs', 'rbp', 'tot-mem']);

/** Fields measured in whole seconds: they tick over at different moments on the two servers. */
const SECONDS = new Set(['age', 'idle']);

function comparable(line: string): [string, string][] {
  return fields(line).map(([name, value]) => {
    if (PROCESS_DEPENDENT.has(name)) return [name, '*'];
    if (SECONDS.has(name)) return [name, /^\d+$/.test(value) ? 'seconds' : value];
    return [name, value];
  });
}

describeCompat('CLIENT compat', (pair) => {
  for (const resp of [2, 3] as const) {
    test(`CLIENT INFO and CLIENT LIST lines have Redis 7.0.15's fields (RESP${resp})`, async () => {
      const [redis, nodis] = await onBoth(pair, async (conn) => {
        if (resp === 3) await call(conn, 'HELLO', '3');
        const out: [string, string][][] = [];
        const info = textOf(await call(conn, 'CLIENT', 'INFO'));
        expect(info.endsWith('\n')).toBe(true);
        out.push(comparable(info.trimEnd()));
        await call(conn, 'CLIENT', 'SETNAME', 'lister');
        await call(conn, 'SELECT', '3');
        const id = fields(info)[0][1];
        const list = textOf(await call(conn, 'CLIENT', 'LIST', 'ID', id));
        out.push(comparable(list.trimEnd()));
        const all = textOf(await call(conn, 'CLIENT', 'LIST'));
        const own = all.split('\n').find((l) => l.startsWith(`id=${id} `))!;
        out.push(comparable(own));
        const byType = textOf(await call(conn, 'CLIENT', 'LIST', 'TYPE', 'normal'));
        out.push(comparable(byType.split('\n').find((l) => l.startsWith(`id=${id} `))!));
        return out;
      });
      expect(nodis).toEqual(redis);
    });
  }

  test('CLIENT LIST filters and errors', async () => {
    await pair.expectSame([
      ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
      ['CLIENT', 'LIST', 'TYPE', 'MASTER'],
      ['CLIENT', 'LIST', 'TYPE', 'replica'],
      ['CLIENT', 'LIST', 'TYPE', 'slave'],
      ['CLIENT', 'LIST', 'TYPE', 'nosuch'],
      ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'LIST', 'ID'],
      ['CLIENT', 'LIST', 'ID', '0', '-5', '99999999'],
      ['CLIENT', 'LIST', 'ID', '1', 'abc'],
      ['CLIENT', 'LIST', 'ID', '1', '+2'],
      ['CLIENT', 'LIST', 'nosuch'],
      ['CLIENT', 'LIST', 'TYPE', 'normal', 'extra'],
      ['CLIENT', 'INFO', 'x'],
    ]);
  });

  test('CLIENT SETNAME, GETNAME and ID', async () => {
    await pair.expectSame([
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'my-name_1'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'has space'],
      ['CLIENT', 'SETNAME', 'new\nline'],
      ['CLIENT', 'SETNAME', '\xff'],
      ['CLIENT', 'SETNAME', '\x7f'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a', 'b'],
      ['CLIENT', 'GETNAME', 'x'],
      ['CLIENT', 'ID', 'x'],
    ]);
    for (const resp of [2, 3] as const) await pair.expectSame([['CLIENT', 'GETNAME']], { resp });
    const [redis, nodis] = await onBoth(pair, async (conn) => typeof (await call(conn, 'CLIENT', 'ID')));
    expect(nodis).toBe(redis);
  });

  test('CLIENT REPLY ON, OFF and SKIP', async () => {
    const pipeline = (...commands: string[][]): string =>
      commands.map((argv) => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`).join('');
    await pair.expectSame([
      { raw: pipeline(['CLIENT', 'REPLY', 'OFF'], ['PING'], ['ECHO', 'lost'], ['nosuchcommand'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'a']), replies: 2 },
      { raw: pipeline(['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'skipped'], ['ECHO', 'b']), replies: 1 },
      { raw: pipeline(['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'skipped'], ['ECHO', 'c']), replies: 1 },
      { raw: pipeline(['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'd']), replies: 2 },
      { raw: pipeline(['CLIENT', 'REPLY', 'SKIP'], ['nosuchcommand'], ['GET'], ['ECHO', 'e']), replies: 2 },
      { raw: pipeline(['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'x'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'f']), replies: 2 },
      { raw: pipeline(['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'OFF'], ['ECHO', 'x'], ['CLIENT', 'REPLY', 'ON']), replies: 1 },
      ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'REPLY'],
      ['CLIENT', 'REPLY', 'on', 'off'],
      ['PING'],
    ]);
  });

  test('CLIENT PAUSE and UNPAUSE arguments, NO-EVICT', async () => {
    await pair.expectSame([
      ['CLIENT', 'PAUSE'],
      ['CLIENT', 'PAUSE', 'abc'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '1.5'],
      ['CLIENT', 'PAUSE', '99999999999999999999'],
      ['CLIENT', 'PAUSE', '10', 'nosuch'],
      ['CLIENT', 'PAUSE', 'abc', 'nosuch'],
      ['CLIENT', 'PAUSE', '10', 'WRITE', 'x'],
      ['CLIENT', 'PAUSE', '0'],
      ['CLIENT', 'PAUSE', '0', 'write'],
      ['CLIENT', 'PAUSE', '0', 'ALL'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'UNPAUSE', 'x'],
      ['PING'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'OFF'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT'],
    ]);
  });

  test('CLIENT KILL errors and misses', async () => {
    await pair.expectSame([
      ['CLIENT', 'KILL'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'nosuchaddress'],
      ['CLIENT', 'KILL', 'ID'],
      ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID', '-3'],
      ['CLIENT', 'KILL', 'ID', '99999999'],
      ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'LADDR', 'x'],
      ['CLIENT', 'KILL', 'TYPE', 'nosuch'],
      ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
      ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'USER', 'nosuchuser'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'SKIPME', 'no', 'ID', '99999999'],
      ['CLIENT', 'KILL', 'nosuch', 'x'],
      ['CLIENT', 'KILL', 'ID', '5', 'TYPE'],
      ['CLIENT', 'KILL', 'a', 'b', 'c'],
      ['CLIENT', 'KILL', 'MAXAGE', '10'],
    ]);
  });

  test('CLIENT KILL of the caller closes it after the reply', async () => {
    const [redis, nodis] = await onBoth(pair, async (conn) => {
      const info = textOf(await call(conn, 'CLIENT', 'INFO'));
      const addr = fields(info.trimEnd()).find(([name]) => name === 'addr')![1];
      const killed = await call(conn, 'CLIENT', 'KILL', addr);
      const rest = await conn.readUntilClose(2000);
      return [killed, rest, conn.closed];
    });
    expect(nodis).toEqual(redis);
    const [redis2, nodis2] = await onBoth(pair, async (conn) => {
      const id = String(await call(conn, 'CLIENT', 'ID'));
      const skipped = await call(conn, 'CLIENT', 'KILL', 'ID', id);
      const killed = await call(conn, 'CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no');
      return [skipped, killed, await conn.readUntilClose(2000), conn.closed];
    });
    expect(nodis2).toEqual(redis2);
  });

  test('CLIENT KILL of another connection', async () => {
    const [redis, nodis] = await onBoth(pair, async (conn) => {
      const victim = await RawConnection.connect(conn.socket.remotePort!);
      const victimId = String(await call(victim, 'CLIENT', 'ID'));
      const victimInfo = textOf(await call(victim, 'CLIENT', 'INFO'));
      const laddr = fields(victimInfo.trimEnd()).find(([name]) => name === 'laddr')![1];
      const addr = fields(victimInfo.trimEnd()).find(([name]) => name === 'addr')![1];
      const out: unknown[] = [];
      out.push(await call(conn, 'CLIENT', 'KILL', 'ID', victimId, 'ADDR', 'wrong:1'));
      out.push(await call(conn, 'CLIENT', 'KILL', 'ID', victimId, 'LADDR', laddr, 'USER', 'default', 'ADDR', addr));
      await victim.readUntilClose(2000);
      out.push(victim.closed);
      out.push(await call(conn, 'CLIENT', 'KILL', 'ID', victimId));
      out.push(await call(conn, 'PING'));
      return out;
    });
    expect(nodis).toEqual(redis);
  });

  test('CLIENT HELP and unknown subcommands', async () => {
    await pair.expectSame([['CLIENT', 'HELP'], ['client', 'help'], ['CLIENT', 'HELP', 'x'], ['CLIENT', 'nosuch'], ['CLIENT'], ['client', 'NoSuch', 'a']]);
  });
});

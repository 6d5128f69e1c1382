/**
 * CLIENT subcommands with several connections: listing, killing, pausing, reply modes, client
 * library info, and the connection limits (maxclients, idle timeout).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { startNodis, useNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, parseReply, textOf } from '../helpers/resp-value';

/** CLIENT LIST lines as maps of their fields. */
function clientLines(text: string): Map<string, string>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => new Map(line.split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])));
}

/** Waits (bounded) until `done()` holds; the servers and sockets work asynchronously. */
async function eventually(done: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('CLIENT', () => {
  const nodis = useNodis();
  let raw: RawConnection;
  beforeEach(async () => {
    raw ??= await nodis.raw();
  });

  test('CLIENT ID is unique and increasing; CLIENT LIST shows every connection in order', async () => {
    const a = await nodis.raw();
    const b = await nodis.raw();
    const idA = (await call(a, 'CLIENT', 'ID')) as number;
    const idB = (await call(b, 'CLIENT', 'ID')) as number;
    expect(idB).toBeGreaterThan(idA);
    await call(a, 'CLIENT', 'SETNAME', 'alpha');
    const lines = clientLines(textOf(await call(raw, 'CLIENT', 'LIST')));
    const ids = lines.map((l) => Number(l.get('id')));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const lineA = lines.find((l) => l.get('id') === String(idA))!;
    expect(lineA.get('name')).toBe('alpha');
    expect(lineA.get('cmd')).toBe('client|setname');
    expect(lineA.get('addr')).toBe(`127.0.0.1:${a.socket.localPort}`);
    expect(lineA.get('laddr')).toBe(`127.0.0.1:${nodis.port}`);
    // Duplicated and unknown ids.
    const byId = clientLines(textOf(await call(raw, 'CLIENT', 'LIST', 'ID', String(idB), '999999', String(idA), String(idB))));
    expect(byId.map((l) => Number(l.get('id')))).toEqual([idB, idA, idB]);
    a.close();
    b.close();
  });

  test('a new connection shows cmd=NULL; the caller shows its own command and argv-mem', async () => {
    const fresh = await nodis.raw();
    await eventually(() => nodis.server.clients.size >= 2);
    const mine = (await call(raw, 'CLIENT', 'ID')) as number;
    const lines = clientLines(textOf(await call(raw, 'CLIENT', 'LIST')));
    const freshLine = lines.find((l) => l.get('addr') === `127.0.0.1:${fresh.socket.localPort}`)!;
    expect(freshLine.get('cmd')).toBe('NULL');
    expect(freshLine.get('argv-mem')).toBe('0');
    const own = lines.find((l) => l.get('id') === String(mine))!;
    expect(own.get('cmd')).toBe('client|list');
    expect(own.get('argv-mem')).toBe(String('CLIENT'.length + 'LIST'.length));
    const info = clientLines(textOf(await call(raw, 'CLIENT', 'INFO')))[0];
    expect(info.get('cmd')).toBe('client|info');
    expect(info.get('flags')).toBe('N');
    fresh.close();
  });

  test('CLIENT NO-EVICT and MONITOR show in the flags; NO-EVICT survives RESET', async () => {
    const conn = await nodis.raw();
    await call(conn, 'CLIENT', 'NO-EVICT', 'on');
    expect(clientLines(textOf(await call(conn, 'CLIENT', 'INFO')))[0].get('flags')).toBe('e');
    await call(conn, 'RESET');
    expect(clientLines(textOf(await call(conn, 'CLIENT', 'INFO')))[0].get('flags')).toBe('e');
    await call(conn, 'CLIENT', 'NO-EVICT', 'off');
    expect(clientLines(textOf(await call(conn, 'CLIENT', 'INFO')))[0].get('flags')).toBe('N');
    await call(conn, 'MONITOR');
    const lines = clientLines(textOf(await call(raw, 'CLIENT', 'LIST')));
    expect(lines.find((l) => l.get('addr') === `127.0.0.1:${conn.socket.localPort}`)!.get('flags')).toBe('O');
    conn.close();
  });

  test('CLIENT KILL by ADDR, LADDR, ID, USER and TYPE, with SKIPME', async () => {
    const victims = await Promise.all([nodis.raw(), nodis.raw(), nodis.raw()]);
    const ids = await Promise.all(victims.map((v) => call(v, 'CLIENT', 'ID')));
    expect(await call(raw, 'CLIENT', 'KILL', `127.0.0.1:${victims[0].socket.localPort}`)).toEqual({ status: 'OK' });
    await victims[0].readUntilClose();
    expect(victims[0].closed).toBe(true);
    expect(await call(raw, 'CLIENT', 'KILL', 'ID', String(ids[1]), 'LADDR', `127.0.0.1:${nodis.port}`, 'USER', 'default')).toBe(1);
    await victims[1].readUntilClose();
    expect(victims[1].closed).toBe(true);
    // TYPE normal kills everyone but the caller (SKIPME defaults to yes).
    const killed = (await call(raw, 'CLIENT', 'KILL', 'TYPE', 'normal')) as number;
    expect(killed).toBeGreaterThanOrEqual(1);
    await victims[2].readUntilClose();
    expect(victims[2].closed).toBe(true);
    expect(await call(raw, 'PING')).toEqual({ status: 'PONG' });
    expect(await call(raw, 'CLIENT', 'KILL', 'ID', String(ids[2]))).toBe(0);
  });

  test('ioredis connects without error replies (CLIENT SETINFO is served)', async () => {
    const before = nodis.server.stats.totalErrorReplies;
    const client = nodis.client();
    expect(await client.ping()).toBe('PONG');
    expect(nodis.server.stats.totalErrorReplies).toBe(before);
    client.disconnect();
  });

  test('CLIENT SETINFO stores the library name and version, with 7.2 errors', async () => {
    const conn = await nodis.raw();
    expect(await conn.call('CLIENT', 'SETINFO', 'LIB-NAME', 'my-lib')).toBe('+OK\r\n');
    expect(await conn.call('CLIENT', 'SETINFO', 'lib-ver', '1.2.3')).toBe('+OK\r\n');
    const id = Number((await conn.call('CLIENT', 'ID')).slice(1, -2));
    const client = nodis.server.clients.get(id)!;
    expect([client.libName, client.libVersion]).toEqual(['my-lib', '1.2.3']);
    expect(await conn.call('CLIENT', 'SETINFO', 'lib-name', 'has space')).toBe('-ERR lib-name cannot contain spaces, newlines or special characters.\r\n');
    expect(await conn.call('CLIENT', 'SETINFO', 'nosuch', 'x')).toBe("-ERR Unrecognized option 'nosuch'\r\n");
    expect(await conn.call('CLIENT', 'SETINFO', 'lib-name')).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
    expect(await conn.call('CLIENT', 'SETINFO', 'LIB-VER', '')).toBe('+OK\r\n');
    expect(client.libVersion).toBe('');
    conn.close();
  });

  test('CLIENT REPLY OFF silences errors too, and ON answers', async () => {
    const conn = await nodis.raw();
    conn.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$3\r\nGET\r\n*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n');
    expect((await conn.readReply()).toString()).toBe('+OK\r\n');
    expect(await conn.call('PING')).toBe('+PONG\r\n');
    conn.close();
  });
});

describe('CLIENT PAUSE', () => {
  const nodis = useNodis();
  let admin: RawConnection;
  beforeEach(async () => {
    admin ??= await nodis.raw();
    await call(admin, 'CLIENT', 'UNPAUSE');
  });

  test('WRITE mode holds writes until UNPAUSE, reads go on', async () => {
    const writer = await nodis.raw();
    const reader = await nodis.raw();
    expect(await call(admin, 'CLIENT', 'PAUSE', '100000', 'WRITE')).toEqual({ status: 'OK' });
    writer.send(['SET', 'paused', 'yes']);
    writer.send(['GET', 'paused']);
    // The reader is not held, and the write has not happened.
    expect(await call(reader, 'GET', 'paused')).toBeNull();
    expect(await call(reader, 'PING')).toEqual({ status: 'PONG' });
    expect(nodis.server.keyspace.databases[0].peek('paused')).toBeUndefined();
    expect(await call(admin, 'CLIENT', 'UNPAUSE')).toEqual({ status: 'OK' });
    expect(parseReply(await writer.readReply())).toEqual({ status: 'OK' });
    expect(parseReply(await writer.readReply())).toBe('yes');
    writer.close();
    reader.close();
  });

  test('ALL mode holds reads too, but not CLIENT UNPAUSE; held commands keep their order', async () => {
    const a = await nodis.raw();
    const b = await nodis.raw();
    await call(admin, 'CLIENT', 'PAUSE', '100000', 'ALL');
    a.send(['ECHO', 'a1']);
    b.send(['ECHO', 'b1']);
    a.send(['ECHO', 'a2']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(nodis.server.pause.active).toBe(true);
    // The admin itself is paused for anything but UNPAUSE.
    expect(await call(admin, 'CLIENT', 'UNPAUSE')).toEqual({ status: 'OK' });
    expect(parseReply(await a.readReply())).toBe('a1');
    expect(parseReply(await a.readReply())).toBe('a2');
    expect(parseReply(await b.readReply())).toBe('b1');
    a.close();
    b.close();
  });

  test('a pause ends by itself when its time is up', async () => {
    const writer = await nodis.raw();
    await call(admin, 'CLIENT', 'PAUSE', '50', 'WRITE');
    writer.send(['SET', 'later', '1']);
    expect(parseReply(await writer.readReply(5000))).toEqual({ status: 'OK' });
    expect(nodis.server.pause.active).toBe(false);
    writer.close();
  });

  test('during an ALL pause even CLIENT PAUSE waits; CLIENT UNPAUSE from anyone runs', async () => {
    const other = await nodis.raw();
    const third = await nodis.raw();
    await call(admin, 'CLIENT', 'PAUSE', '100000', 'ALL');
    other.send(['CLIENT', 'PAUSE', '100000', 'WRITE']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await call(third, 'CLIENT', 'UNPAUSE')).toEqual({ status: 'OK' });
    // The held CLIENT PAUSE then runs and starts its own pause.
    expect(parseReply(await other.readReply())).toEqual({ status: 'OK' });
    await eventually(() => nodis.server.pause.active);
    await call(third, 'CLIENT', 'UNPAUSE');
    expect(nodis.server.pause.active).toBe(false);
    other.close();
    third.close();
  });
});

describe('connection limits', () => {
  test('maxclients refuses the connection over the limit', async () => {
    const handle = await startNodis({ config: { maxclients: '2' } });
    const a = await handle.raw();
    const b = await handle.raw();
    expect(await a.call('PING')).toBe('+PONG\r\n');
    expect(await b.call('PING')).toBe('+PONG\r\n');
    const c = await handle.raw();
    expect(await c.readUntilClose()).toBe('-ERR max number of clients reached\r\n');
    expect(c.closed).toBe(true);
    const stats = textOf(parseReply(Buffer.from(await a.call('INFO', 'stats'), 'latin1')));
    expect(stats).toContain('\r\nrejected_connections:1\r\n');
    await handle.stop();
  });

  test('an idle client is closed after timeout seconds; a monitor is not', async () => {
    const handle = await startNodis({ config: { timeout: '1' } });
    const idle = await handle.raw();
    const monitor = await handle.raw();
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    expect(await idle.readUntilClose(5000)).toBe('');
    expect(idle.closed).toBe(true);
    expect(monitor.closed).toBe(false);
    await handle.stop();
  });
});

/**
 * Security: requirepass, AUTH and HELLO AUTH, RESET, the request size limits before
 * authentication, protected mode, and that the password never shows in logs, the slow log or
 * MONITOR.
 */
import type { Socket } from 'node:net';
import { beforeEach, describe, expect, test } from 'vitest';
import { startNodis, useNodis } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { isLoopback, protectedModeMessage } from '../../src/server/protected-mode';
import type { Server } from '../../src/server/server';

const SECRET = 'pw-s3cret-xyz';
const NOAUTH = '-NOAUTH Authentication required.\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';

describe('requirepass', () => {
  const logLines: string[] = [];
  const nodis = useNodis({
    config: { requirepass: SECRET, loglevel: 'debug', 'slowlog-log-slower-than': '0' },
    logSink: (line) => logLines.push(line),
  });
  let raw: RawConnection;
  beforeEach(async () => {
    raw = await nodis.raw();
  });

  test('commands need AUTH first; AUTH and HELLO do not', async () => {
    expect(await raw.call('PING')).toBe(NOAUTH);
    expect(await raw.call('GET', 'k')).toBe(NOAUTH);
    expect(await raw.call('CLIENT', 'ID')).toBe(NOAUTH);
    expect(await raw.call('SELECT', '1')).toBe(NOAUTH);
    expect(await raw.call('HELLO')).toBe(
      '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n',
    );
    // Unknown commands and arity errors come before the authentication check.
    expect(await raw.call('nosuch')).toBe("-ERR unknown command 'nosuch', with args beginning with: \r\n");
    expect(await raw.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
  });

  test('AUTH <password> and AUTH <user> <password>; wrong ones get WRONGPASS', async () => {
    expect(await raw.call('AUTH', 'wrong')).toBe(WRONGPASS);
    expect(await raw.call('AUTH', 'default', 'wrong')).toBe(WRONGPASS);
    expect(await raw.call('AUTH', 'someone', SECRET)).toBe(WRONGPASS);
    expect(await raw.call('PING')).toBe(NOAUTH);
    expect(await raw.call('AUTH', SECRET)).toBe('+OK\r\n');
    expect(await raw.call('PING')).toBe('+PONG\r\n');
    const other = await nodis.raw();
    expect(await other.call('AUTH', 'default', SECRET)).toBe('+OK\r\n');
    expect(await other.call('PING')).toBe('+PONG\r\n');
  });

  test('HELLO AUTH authenticates and switches protocol; a failed one changes nothing', async () => {
    expect(await raw.call('HELLO', '3', 'AUTH', 'default', 'wrong')).toBe(WRONGPASS);
    expect(await raw.call('PING')).toBe(NOAUTH);
    const reply = await raw.call('HELLO', '3', 'AUTH', 'default', SECRET, 'SETNAME', 'me');
    expect(reply).toMatch(/^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n\$6\r\n7\.0\.15\r\n\$5\r\nproto\r\n:3\r\n/);
    expect(await raw.call('CLIENT', 'GETNAME')).toBe('$2\r\nme\r\n');
    expect(await raw.call('COMMAND', 'INFO', 'nosuchcommand')).toBe('*1\r\n_\r\n');
  });

  test('RESET makes the client authenticate again', async () => {
    await raw.call('AUTH', SECRET);
    await raw.call('SELECT', '2');
    expect(await raw.call('RESET')).toBe('+RESET\r\n');
    expect(await raw.call('GET', 'k')).toBe(NOAUTH);
    await raw.call('AUTH', SECRET);
    expect(await raw.call('CLIENT', 'INFO')).toMatch(/ db=0 /);
  });

  test('before AUTH only small requests are read', async () => {
    raw.write('*11\r\n');
    expect(await raw.readUntilClose()).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
    const bulk = await nodis.raw();
    bulk.write('*2\r\n$4\r\nECHO\r\n$16385\r\n');
    expect(await bulk.readUntilClose()).toBe('-ERR Protocol error: unauthenticated bulk length\r\n');
    const small = await nodis.raw();
    expect(await small.call('ECHO', 'x'.repeat(16384))).toBe(NOAUTH);
    expect(await small.call(...Array.from({ length: 10 }, () => 'x'))).toMatch(/^-ERR unknown command/);
    await small.call('AUTH', SECRET);
    expect(await small.call('ECHO', 'y'.repeat(20000))).toBe(`$20000\r\n${'y'.repeat(20000)}\r\n`);
    expect(await small.call('MSET', ...Array.from({ length: 12 }, (_, i) => `k${i}`))).toBe('+OK\r\n');
  });

  test('an ioredis client with the password works; one without it is refused', async () => {
    const good = nodis.client({ password: SECRET });
    expect(await good.set('k', 'v')).toBe('OK');
    const bad = nodis.client({ lazyConnect: true });
    await expect(bad.get('k')).rejects.toThrow(/NOAUTH/);
  });

  test('changing requirepass at runtime applies to new connections', async () => {
    await raw.call('AUTH', SECRET);
    expect(await raw.call('CONFIG', 'SET', 'requirepass', '')).toBe('+OK\r\n');
    const open = await nodis.raw();
    expect(await open.call('PING')).toBe('+PONG\r\n');
    expect(await raw.call('CONFIG', 'SET', 'requirepass', SECRET)).toBe('+OK\r\n');
    expect(await raw.call('PING')).toBe('+PONG\r\n');
    const closed = await nodis.raw();
    expect(await closed.call('PING')).toBe(NOAUTH);
  });

  test('the password never appears in the log, the slow log or MONITOR', async () => {
    const admin = await nodis.raw();
    await admin.call('AUTH', SECRET);
    expect(await admin.call('MONITOR')).toBe('+OK\r\n');
    await raw.call('AUTH', SECRET);
    await raw.call('AUTH', 'default', SECRET);
    await raw.call('AUTH', 'default', `${SECRET}-wrong`);
    await raw.call('HELLO', '2', 'AUTH', 'default', SECRET);
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push((await admin.readReply()).toString('latin1'));
    expect(lines.map((l) => l.replace(/^\+\S+ \[\d+ \S+\] /, ''))).toEqual([
      '"AUTH" "(redacted)"\r\n',
      '"AUTH" "(redacted)" "(redacted)"\r\n',
      '"AUTH" "(redacted)" "(redacted)"\r\n',
      '"HELLO" "2" "AUTH" "(redacted)" "(redacted)"\r\n',
    ]);
    const slowlog = await raw.call('SLOWLOG', 'GET', '-1');
    expect(slowlog).toContain('(redacted)');
    expect(slowlog).not.toContain(SECRET);
    const garbage = await nodis.raw();
    garbage.write(`*1\r\n$${SECRET.length}x\r\n`);
    await garbage.readUntilClose();
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(SECRET);
  });
});

describe('protected mode', () => {
  test('only 127.0.0.1 and ::1 are loopback, as Redis 7.0 checks', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', undefined]) expect(isLoopback(address), String(address)).toBe(true);
    for (const address of ['127.0.0.2', '10.0.0.1', '192.168.1.5', '::ffff:10.0.0.1', 'fe80::1', '0.0.0.0']) expect(isLoopback(address), address).toBe(false);
  });

  test('the DENIED text is Redis 7.0.15s, word for word', () => {
    expect(`-${protectedModeMessage()}\r\n`).toBe(
      "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n",
    );
  });

  /** Hands the server a connection from `address` (a stand-in socket that records what it gets). */
  function connectFrom(server: Server, address: string): { sent: string; ended: boolean } {
    const result = { sent: '', ended: false };
    const socket = {
      remoteAddress: address,
      remotePort: 40000,
      localAddress: '10.0.0.2',
      localPort: 6379,
      end(data?: string) {
        result.sent += data ?? '';
        result.ended = true;
      },
      on: () => socket,
      setKeepAlive: () => socket,
      resume: () => socket,
      destroySoon: () => undefined,
      write: () => true,
    };
    (server as unknown as { accept(s: Socket): void }).accept(socket as unknown as Socket);
    return result;
  }

  test('a non-loopback client is refused when no password is set, accepted with one', async () => {
    const handle = await startNodis();
    const server = handle.server;
    const refused = connectFrom(server, '10.1.2.3');
    expect(refused).toEqual({ sent: `-${protectedModeMessage()}\r\n`, ended: true });
    expect(server.stats.rejectedConnections).toBe(1);
    expect(server.stats.totalConnectionsReceived).toBe(0);
    server.config.set('requirepass', ['pw']);
    const accepted = connectFrom(server, '10.1.2.3');
    expect(accepted.ended).toBe(false);
    server.config.set('requirepass', ['']);
    server.config.set('protected-mode', ['no']);
    expect(connectFrom(server, '10.1.2.4').ended).toBe(false);
    for (const client of [...server.clients.values()]) if (client.addr.startsWith('10.')) server.unlinkClient(client);
    await handle.stop();
  });
});

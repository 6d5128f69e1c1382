/**
 * Client tracking behaviour that needs Nodis alone: the tracking-table-max-keys eviction order,
 * pushes sent while no command runs (active expiry), disconnection cleanup, CLIENT LIST fields,
 * pushes under CLIENT REPLY OFF, and several tracked clients sharing one redirect client.
 */
import { afterEach, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { trackingOf } from '../../src/pubsub/tracking';

const nodis = useNodis();
const opened: RawConnection[] = [];

async function connect(resp: 2 | 3 = 3): Promise<RawConnection> {
  const conn = await nodis.raw();
  opened.push(conn);
  if (resp === 3) await conn.call('HELLO', '3');
  return conn;
}

afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  await (await nodis.raw()).call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
  await (await nodis.raw()).call('FLUSHALL');
});

const push = (...keys: string[]): string =>
  `>2\r\n$10\r\ninvalidate\r\n*${keys.length}\r\n${keys.map((k) => `$${k.length}\r\n${k}\r\n`).join('')}`;

const idOf = async (conn: RawConnection): Promise<string> => (await conn.call('CLIENT', 'ID')).slice(1, -2);

async function expectQuiet(conn: RawConnection): Promise<void> {
  expect(await conn.call('PING', 'quiet')).toBe('$5\r\nquiet\r\n');
}

test('over tracking-table-max-keys the oldest keys leave the table and are invalidated', async () => {
  const tracked = await connect();
  const admin = await connect(2);
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  await tracked.call('MGET', 'k1', 'k2', 'k3', 'k4');
  expect(trackingOf(nodis.server).keyCount).toBe(4);
  expect(await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '2')).toBe('+OK\r\n');
  expect(await admin.call('CONFIG', 'GET', 'tracking-table-max-keys')).toBe('*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n2\r\n');
  // The next command (or the cron) brings the table back under the limit.
  await admin.call('PING');
  expect(await tracked.readReply()).toEqual(Buffer.from(push('k1')));
  expect(await tracked.readReply()).toEqual(Buffer.from(push('k2')));
  expect(trackingOf(nodis.server).keyCount).toBe(2);
  expect(trackingOf(nodis.server).totalItems).toBe(2);
  // 0: no limit.
  await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '0');
  await tracked.call('MGET', 'a', 'b', 'c');
  await admin.call('PING');
  expect(trackingOf(nodis.server).keyCount).toBe(5);
  await expectQuiet(tracked);
});

test('the tracked client\'s own command over the limit: NOLOOP skips, otherwise sent before its reply', async () => {
  const tracked = await connect();
  const admin = await connect(2);
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  await tracked.call('MGET', 'x1', 'x2');
  await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
  tracked.send(['PING']);
  // Evicted before the command runs, so the push comes first.
  const first = (await tracked.readReply()).toString('latin1');
  const second = (await tracked.readReply()).toString('latin1');
  expect([first, second]).toEqual([push('x1'), '+PONG\r\n']);
});

test('an expiry while no command runs reaches the client at once', async () => {
  const tracked = await connect();
  const writer = await connect(2);
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  await writer.call('SET', 'soon', 'v', 'PX', '20');
  await tracked.call('GET', 'soon');
  // Active expiry (the cron) deletes it: nobody sends a command in between.
  expect((await tracked.readReply(3000)).toString('latin1')).toBe(push('soon'));
});

test('BCAST with a binary prefix, CLIENT LIST flags and redir=', async () => {
  const bcast = await connect();
  const writer = await connect(2);
  const prefix = '\x00\xff';
  await bcast.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', prefix);
  await writer.call('SET', `${prefix}key`, '1');
  await writer.call('SET', 'other', '1');
  expect((await bcast.readReply()).toString('latin1')).toBe(push(`${prefix}key`));
  const info = await bcast.call('CLIENT', 'INFO');
  expect(info).toMatch(/ flags=tB /);
  expect(info).toMatch(/ redir=0 /);
  expect(await writer.call('CLIENT', 'INFO')).toMatch(/ flags=N .* redir=-1 /);
  expect(trackingOf(nodis.server).prefixCount).toBe(1);
});

test('a closed client stops being counted and its prefixes go away', async () => {
  const bcast = await connect();
  const tracked = await connect();
  await bcast.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p:', 'PREFIX', 'q:');
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  const tracking = trackingOf(nodis.server);
  expect(tracking.clientCount).toBe(2);
  expect(tracking.prefixCount).toBe(2);
  bcast.close();
  tracked.close();
  const deadline = Date.now() + 2000;
  while (tracking.clientCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(tracking.clientCount).toBe(0);
  expect(tracking.prefixCount).toBe(0);
});

test('pushes are sent under CLIENT REPLY OFF', async () => {
  const tracked = await connect();
  const writer = await connect(2);
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  await tracked.call('GET', 'k');
  tracked.send(['CLIENT', 'REPLY', 'OFF']);
  await writer.call('SET', 'k', 'v');
  expect((await tracked.readReply()).toString('latin1')).toBe(push('k'));
});

test('two tracked clients redirecting to one client: one message each', async () => {
  const target = await connect();
  const first = await connect(2);
  const second = await connect(2);
  const writer = await connect(2);
  const targetId = await idOf(target);
  for (const c of [second, first]) {
    expect(await c.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', targetId)).toBe('+OK\r\n');
    await c.call('GET', 'shared');
  }
  expect(await first.call('CLIENT', 'GETREDIR')).toBe(`:${targetId}\r\n`);
  await writer.call('DEL', 'shared');
  await writer.call('SET', 'shared', 'v');
  expect((await target.readReply()).toString('latin1')).toBe(push('shared'));
  expect((await target.readReply()).toString('latin1')).toBe(push('shared'));
  await expectQuiet(target);
  expect(trackingOf(nodis.server).keyCount).toBe(0);
});

test('a huge number of keys in one read is tracked and invalidated key by key', async () => {
  const tracked = await connect();
  const writer = await connect(2);
  await tracked.call('CLIENT', 'TRACKING', 'ON');
  const keys = Array.from({ length: 500 }, (_, i) => `many:${i}`);
  await tracked.call('MGET', ...keys);
  expect(trackingOf(nodis.server).keyCount).toBe(500);
  await writer.call('DEL', ...keys.map((k) => k));
  await writer.call('MSET', ...keys.flatMap((k) => [k, '1']));
  for (const key of keys) expect((await tracked.readReply()).toString('latin1')).toBe(push(key));
  expect(trackingOf(nodis.server).keyCount).toBe(0);
});

/**
 * node-redis's client-side cache (RESP3, CLIENT TRACKING ON) against Nodis: a cached GET is
 * answered from the cache without reaching the server, and another client's write invalidates
 * the entry through a push, so the next GET goes to the server and sees the new value.
 */
import { createClient, BasicClientSideCache } from 'redis';
import { afterEach, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import { waitFor } from './wait';

const nodis = useNodis();
const opened: { quit?: () => Promise<unknown>; destroy: () => void }[] = [];

afterEach(() => {
  for (const c of opened.splice(0)) c.destroy();
});

/** How many times the server ran a command (its COMMAND STATS). */
function serverCalls(name: string): number {
  return nodis.server.commands.lookup(name)?.stats.calls ?? 0;
}

async function cachingClient(cache: BasicClientSideCache) {
  const client = createClient({ socket: { port: nodis.port, host: '127.0.0.1' }, RESP: 3, clientSideCache: cache });
  client.on('error', () => undefined);
  opened.push(client);
  await client.connect();
  return client;
}

async function plainClient() {
  const client = createClient({ socket: { port: nodis.port, host: '127.0.0.1' } });
  client.on('error', () => undefined);
  opened.push(client);
  await client.connect();
  return client;
}

test('a cached GET makes no round trip and is invalidated by another client\'s SET', async () => {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const cached = await cachingClient(cache);
  const writer = await plainClient();
  await writer.set('greeting', 'hello');

  const before = serverCalls('get');
  expect(await cached.get('greeting')).toBe('hello');
  expect(serverCalls('get')).toBe(before + 1);
  // Served from the cache: the server runs no GET.
  expect(await cached.get('greeting')).toBe('hello');
  expect(await cached.get('greeting')).toBe('hello');
  expect(serverCalls('get')).toBe(before + 1);
  expect(cache.stats().hitCount).toBe(2);
  expect(cache.size()).toBe(1);

  await writer.set('greeting', 'bonjour');
  await waitFor(() => cache.size() === 0, 'the invalidation push to empty the cache');
  expect(await cached.get('greeting')).toBe('bonjour');
  expect(serverCalls('get')).toBe(before + 2);
  expect(await cached.get('greeting')).toBe('bonjour');
  expect(serverCalls('get')).toBe(before + 2);
});

test('FLUSHALL empties the whole cache; expiry invalidates the expired key', async () => {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const cached = await cachingClient(cache);
  const writer = await plainClient();
  await writer.mSet({ a: '1', b: '2' });
  await writer.set('short', 'lived', { PX: 30 });
  expect(await cached.mGet(['a', 'b'])).toEqual(['1', '2']);
  expect(await cached.get('a')).toBe('1');
  expect(await cached.get('short')).toBe('lived');
  expect(cache.size()).toBe(3);

  // Active expiry removes "short" and the server tells the client.
  await waitFor(() => cache.size() === 2, 'the expired key to leave the cache');
  expect(await cached.get('short')).toBeNull();

  await writer.flushAll();
  await waitFor(() => cache.size() === 0, 'FLUSHALL to empty the cache');
  expect(await cached.get('a')).toBeNull();
});

test('the server counts the tracking client and the keys it may cache', async () => {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const cached = await cachingClient(cache);
  const writer = await plainClient();
  await cached.get('counted-1');
  await cached.get('counted-2');
  const info = await writer.info('clients');
  expect(info).toMatch(/tracking_clients:1\r\n/);
  const stats = await writer.info('stats');
  expect(Number(/tracking_total_keys:(\d+)/.exec(stats)![1])).toBeGreaterThanOrEqual(2);
  const list = await writer.clientList();
  expect(list.some((c) => c.flags.includes('t'))).toBe(true);
});

import { afterEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis } from '../helpers/nodis';
import { recordWrites } from '../helpers/record-writes';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const VALUE = 'v'.repeat(100);

async function infoField(r: Redis, section: string, name: string): Promise<number> {
  const info = await r.info(section);
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  if (!m) throw new Error(`no ${name} in INFO ${section}`);
  return Number(m[1]);
}

const usedMemory = (r: Redis) => infoField(r, 'memory', 'used_memory');

/** Sets maxmemory to what is in use now plus `extra` bytes, and returns the limit. */
async function limitAbove(r: Redis, extra: number): Promise<number> {
  const limit = (await usedMemory(r)) + extra;
  await r.config('SET', 'maxmemory', String(limit));
  return limit;
}

/**
 * Writes `count` keys named prefix:N; returns the replies' errors (null for OK). Pipelined in
 * small batches: a long pipeline would sit in the query buffer, which counts as used memory.
 */
async function writeKeys(r: Redis, prefix: string, count: number, ttlSeconds = 0): Promise<(string | null)[]> {
  const errors: (string | null)[] = [];
  for (let start = 0; start < count; start += 20) {
    const pipeline = r.pipeline();
    for (let i = start; i < Math.min(count, start + 20); i++) {
      if (ttlSeconds > 0) pipeline.set(`${prefix}:${i}`, VALUE, 'EX', ttlSeconds + i);
      else pipeline.set(`${prefix}:${i}`, VALUE);
    }
    for (const [error] of (await pipeline.exec())!) errors.push(error ? (error as Error).message : null);
  }
  return errors;
}

async function existing(r: Redis, prefix: string, count: number): Promise<number[]> {
  const pipeline = r.pipeline();
  for (let i = 0; i < count; i++) pipeline.exists(`${prefix}:${i}`);
  const replies = (await pipeline.exec())!;
  return replies.flatMap(([, n], i) => (n === 1 ? [i] : []));
}

describe('maxmemory and eviction', () => {
  const nodis = useNodis();

  afterEach(async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await r.config('SET', 'maxmemory-samples', '5');
    await r.config('SET', 'maxmemory-clients', '0');
    await r.config('RESETSTAT');
    await r.flushall();
  });

  test('noeviction: writes get the OOM error, reads and deletes go on', async () => {
    const r = nodis.client();
    await writeKeys(r, 'keep', 10);
    const limit = await limitAbove(r, 50_000);
    const errors = await writeKeys(r, 'k', 1000);
    expect(errors.indexOf(OOM)).toBeGreaterThan(0);
    expect(errors.every((e) => e === null || e === OOM)).toBe(true);
    // Near the limit, client buffers (which count too) decide a few writes either way; but no
    // more keys were accepted than fit in 50 KB (each costs over 180 bytes).
    expect(errors.filter((e) => e === null).length).toBeLessThan(280);
    expect(await usedMemory(r)).toBeLessThanOrEqual(limit + 1024);
    expect(await r.get('keep:1')).toBe(VALUE);
    // Refused writes leave memory just under the limit; go over it to see every write refused.
    await limitAbove(r, -1000);
    await expect(r.set('small', 'x')).rejects.toThrow(OOM);
    await expect(r.append('keep:1', 'x')).rejects.toThrow(OOM);
    await expect(r.lpush('list', 'x')).rejects.toThrow(OOM);
    expect(await r.del('keep:1', 'keep:2')).toBe(2);
    expect(await r.exists('keep:3')).toBe(1);
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe(0);
    // Deleting made room again.
    await r.flushall();
    expect(await r.set('again', 'x')).toBe('OK');
  });

  test.each(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])('%s stays within a few KB of maxmemory', async (policy) => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', policy);
    const limit = await limitAbove(r, 100_000);
    const errors = await writeKeys(r, 'k', 2000);
    expect(errors.every((e) => e === null)).toBe(true);
    const used = await usedMemory(r);
    expect(used).toBeLessThanOrEqual(limit + 1024);
    expect(used).toBeGreaterThan(limit - 4096);
    const kept = await r.dbsize();
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(2000);
    expect(await infoField(r, 'stats', 'evicted_keys')).toBe(2000 - kept);
  });

  test.each(['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'])(
    '%s evicts only keys with a TTL, then refuses writes',
    async (policy) => {
      const r = nodis.client();
      await r.config('SET', 'maxmemory-policy', policy);
      await writeKeys(r, 'persistent', 200);
      await writeKeys(r, 'volatile', 200, 1000);
      await limitAbove(r, 20_000);
      const errors = await writeKeys(r, 'new', 1000);
      // Every persistent key is still there; volatile ones went first.
      expect(await existing(r, 'persistent', 200)).toHaveLength(200);
      expect(await existing(r, 'volatile', 200)).toEqual([]);
      // Once no key with a TTL is left, writes are refused.
      expect(errors.indexOf(OOM)).toBeGreaterThan(0);
      // Well below what is used: client buffers move used_memory by some KB between two commands.
      await limitAbove(r, -20_000);
      await expect(r.set('one-more', VALUE)).rejects.toThrow(OOM);
      expect(await r.get('persistent:0')).toBe(VALUE);
    },
  );

  test('volatile-ttl evicts the keys that expire soonest first', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await r.config('SET', 'maxmemory-samples', '10');
    // TTLs grow with the index: key 0 expires first.
    await writeKeys(r, 'ttl', 1000, 1000);
    await limitAbove(r, 0);
    await writeKeys(r, 'filler', 100);
    const evicted = [];
    const alive = new Set(await existing(r, 'ttl', 1000));
    for (let i = 0; i < 1000; i++) if (!alive.has(i)) evicted.push(i);
    expect(evicted.length).toBeGreaterThanOrEqual(90);
    // Sampling approximates the order: nearly all evicted keys are among the soonest to expire.
    const early = evicted.filter((i) => i < 300).length;
    expect(early / evicted.length).toBeGreaterThan(0.9);
  });

  test('allkeys-lru keeps the keys that are being used', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await r.config('SET', 'maxmemory-samples', '10');
    await writeKeys(r, 'hot', 100);
    await writeKeys(r, 'cold', 400);
    // The LRU clock has a resolution of one second: let the cold keys age.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await limitAbove(r, 0);
    for (let round = 0; round < 5; round++) {
      const touch = r.pipeline();
      for (let i = 0; i < 100; i++) touch.get(`hot:${i}`);
      await touch.exec();
      await writeKeys(r, `new${round}`, 40);
    }
    expect((await existing(r, 'hot', 100)).length).toBeGreaterThanOrEqual(90);
    expect((await existing(r, 'cold', 400)).length).toBeLessThan(250);
  });

  test('allkeys-lfu keeps the keys that are used often', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await r.config('SET', 'maxmemory-samples', '10');
    await writeKeys(r, 'hot', 100);
    await writeKeys(r, 'cold', 400);
    for (let round = 0; round < 20; round++) {
      const touch = r.pipeline();
      for (let i = 0; i < 100; i++) touch.get(`hot:${i}`);
      await touch.exec();
    }
    expect(Number(await r.object('FREQ', 'hot:1'))).toBeGreaterThan(Number(await r.object('FREQ', 'cold:1')));
    await limitAbove(r, 0);
    await writeKeys(r, 'new', 200);
    expect((await existing(r, 'hot', 100)).length).toBeGreaterThanOrEqual(90);
    expect((await existing(r, 'cold', 400)).length).toBeLessThan(250);
  });

  test('evicted keys propagate as DEL (UNLINK with lazyfree-lazy-eviction) and fire "evicted" events', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    await writeKeys(r, 'old', 50);
    const log = recordWrites(nodis.server, 'e');
    await limitAbove(r, -2000);
    await r.set('new:1', VALUE);
    const deleted = log.propagated.filter((argv) => argv[0] === 'DEL').map((argv) => argv[1]);
    expect(deleted.length).toBeGreaterThan(0);
    expect(log.events.map(([, event, key]) => [event, key])).toEqual(deleted.map((key) => ['evicted', key]));
    // The DELs come before the write that needed the room.
    expect(log.propagated.at(-1)).toEqual(['set', 'new:1', VALUE]);
    expect(log.propagated.filter((argv) => argv[0] === 'set')).toHaveLength(1);
    for (const key of deleted) expect(await r.exists(key)).toBe(0);

    await r.config('SET', 'lazyfree-lazy-eviction', 'yes');
    await limitAbove(r, -2000);
    await r.set('new:2', VALUE);
    expect(log.propagated.some((argv) => argv[0] === 'UNLINK')).toBe(true);
    await r.config('SET', 'lazyfree-lazy-eviction', 'no');
  });

  test('a big eviction is done in rounds between commands, and commands are not refused meanwhile', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    const pipeline = r.pipeline();
    for (let i = 0; i < 50_000; i++) pipeline.set(`big:${i}`, VALUE);
    await pipeline.exec();
    await r.config('SET', 'maxmemory-eviction-tenacity', '0');
    await limitAbove(r, -5_000_000);
    // Tenacity 0: each round stops after 16 keys, so the first commands see the eviction running.
    expect(await r.set('during', 'x')).toBe('OK');
    expect(await r.dbsize()).toBeGreaterThan(20_000);
    const max = Number((await r.config('GET', 'maxmemory'))[1]);
    for (let i = 0; i < 200 && (await usedMemory(r)) > max; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await usedMemory(r)).toBeLessThanOrEqual(max);
    expect(await infoField(r, 'stats', 'total_eviction_exceeded_time')).toBeGreaterThanOrEqual(0);
    await r.config('SET', 'maxmemory-eviction-tenacity', '10');
  });

  test('no eviction while loading or with clients paused', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    await writeKeys(r, 'k', 100);
    const { evictor, keyspace, pause } = nodis.server;
    keyspace.loading = true;
    await limitAbove(r, -10_000);
    expect(evictor.performEvictions()).toBe('ok');
    keyspace.loading = false;
    pause.start('all', Date.now() + 60_000);
    expect(evictor.performEvictions()).toBe('ok');
    expect(keyspace.databases[0].size).toBe(100);
    await r.client('UNPAUSE');
    expect(await r.set('x', 'y')).toBe('OK');
    expect(await r.dbsize()).toBeLessThan(100);
  });
});

describe('client eviction (maxmemory-clients)', () => {
  const nodis = useNodis();

  test('the client holding the most memory is disconnected; no-evict clients are spared', async () => {
    const r = nodis.client();
    const protectedClient = await nodis.raw();
    expect(await protectedClient.call('CLIENT', 'NO-EVICT', 'on')).toBe('+OK\r\n');
    const big = await nodis.raw();
    await big.call('CLIENT', 'SETNAME', 'big');
    // An unfinished 2 MB bulk argument sits in the query buffer.
    big.write(`*2\r\n$4\r\nECHO\r\n$${4 << 20}\r\n${'x'.repeat(2 << 20)}`);
    for (let i = 0; i < 100 && !(await r.client('LIST')).includes('qbuf=2'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await r.config('SET', 'maxmemory-clients', '1mb');
    expect(await r.ping()).toBe('PONG');
    await big.readUntilClose();
    expect(big.closed).toBe(true);
    expect(await r.client('LIST')).not.toContain('name=big');
    expect(await protectedClient.call('PING')).toBe('+PONG\r\n');
    expect(await infoField(r, 'stats', 'evicted_clients')).toBe(1);
    await r.config('SET', 'maxmemory-clients', '0');
  });

  test('maxmemory-clients accepts bytes or a percentage of maxmemory', async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory-clients', '5%');
    expect(await r.config('GET', 'maxmemory-clients')).toEqual(['maxmemory-clients', '5%']);
    await expect(r.config('SET', 'maxmemory-clients', '200%')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
    );
    await expect(r.config('SET', 'maxmemory-clients', '1.5%')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value",
    );
    await r.config('SET', 'maxmemory-clients', '10mb');
    expect(await r.config('GET', 'maxmemory-clients')).toEqual(['maxmemory-clients', '10485760']);
    await r.config('SET', 'maxmemory-clients', '0');
  });
});

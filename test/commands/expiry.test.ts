import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import { ManualClock, type Server } from '../../src/index';
import { ActiveExpire } from '../../src/keyspace/active-expire';

/** Propagated commands and keyspace events, recorded from the server's hooks. */
function record(server: Server): { propagated: string[][]; events: string[][] } {
  const log = { propagated: [] as string[][], events: [] as string[][] };
  // Command names as upper case: clients send them in either case.
  server.dispatcher.sinks.push({ propagate: (_db, argv) => log.propagated.push([argv[0].toUpperCase(), ...argv.slice(1)]) });
  server.keyspaceEventListeners.push((kind, event, key) => log.events.push([kind, event, key]));
  return log;
}

/** Stops the cron's active expiry, so that only the commands under test expire keys. */
function disableBackgroundExpiry(server: Server): void {
  (server as unknown as { cron: { activeExpire: ActiveExpire } }).cron.activeExpire.enabled = false;
}

describe('expiry with a manual clock', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const nodis: NodisHandle = useNodis({ clock });
  let redis: Redis;
  let log: ReturnType<typeof record>;

  beforeEach(async () => {
    redis ??= nodis.client({ enableReadyCheck: false });
    disableBackgroundExpiry(nodis.server);
    nodis.server.dispatcher.sinks.length = 0;
    nodis.server.keyspaceEventListeners.length = 0;
    await redis.flushall();
    log = record(nodis.server);
  });

  test('a key lives through its expire time and is gone one millisecond later', async () => {
    await redis.set('k', 'v');
    expect(await redis.pexpire('k', 100)).toBe(1);
    clock.advance(100);
    expect(await redis.pttl('k')).toBe(0);
    expect(await redis.get('k')).toBe('v');
    clock.advance(1);
    expect(await redis.dbsize()).toBe(1); // not yet reclaimed: DBSIZE counts it, as in Redis
    expect(await redis.get('k')).toBeNull();
    expect(await redis.dbsize()).toBe(0);
  });

  test('reading an expired key propagates a DEL and fires "expired", not the read itself', async () => {
    await redis.set('k', 'v');
    await redis.pexpire('k', 10);
    log.propagated.length = 0;
    log.events.length = 0;
    const expiredBefore = nodis.server.keyspace.expiredKeys;
    clock.advance(11);
    expect(await redis.get('k')).toBeNull();
    expect(log.propagated).toEqual([['DEL', 'k']]);
    expect(log.events).toContainEqual(['x', 'expired', 'k']);
    expect(nodis.server.keyspace.expiredKeys).toBe(expiredBefore + 1);
  });

  test('EXISTS, TYPE, TTL, PTTL, TOUCH, OBJECT, PERSIST and EXPIRE do not see expired keys, and delete them', async () => {
    const probes: [string, (key: string) => Promise<unknown>, unknown][] = [
      ['exists', (k) => redis.exists(k), 0],
      ['type', (k) => redis.type(k), 'none'],
      ['ttl', (k) => redis.ttl(k), -2],
      ['pttl', (k) => redis.pttl(k), -2],
      ['expiretime', (k) => redis.call('EXPIRETIME', k), -2],
      ['touch', (k) => redis.touch(k), 0],
      ['object', (k) => redis.object('ENCODING', k), null],
      ['persist', (k) => redis.persist(k), 0],
      ['expire', (k) => redis.expire(k, 100), 0],
      ['del', (k) => redis.del(k), 0],
      ['rename', (k) => redis.rename(k, 'x').catch((e: Error) => e.message), 'ERR no such key'],
      ['copy', (k) => redis.call('COPY', k, 'x'), 0],
      ['move', (k) => redis.move(k, 1), 0],
    ];
    for (const [name] of probes) {
      await redis.set(name, 'v');
      await redis.pexpire(name, 5);
    }
    clock.advance(6);
    expect(await redis.dbsize()).toBe(probes.length);
    for (const [name, probe, expected] of probes) {
      expect(await probe(name), name).toEqual(expected);
    }
    expect(await redis.dbsize()).toBe(0);
    expect(log.propagated.filter((argv) => argv[0] === 'DEL').length).toBe(probes.length);
    expect(log.events.filter((e) => e[1] === 'expired').length).toBe(probes.length);
    expect(log.events.some((e) => e[1] === 'del')).toBe(false);
  });

  test('KEYS leaves expired keys out without deleting them; SCAN leaves them out and deletes them', async () => {
    await redis.set('live', 'v');
    await redis.set('dead', 'v');
    await redis.pexpire('dead', 1);
    await redis.set('later', 'v');
    await redis.pexpire('later', 1000);
    clock.advance(2);
    expect((await redis.keys('*')).sort()).toEqual(['later', 'live']);
    expect(await redis.dbsize()).toBe(3);
    const [cursor, keys] = await redis.scan('0', 'COUNT', 100);
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(['later', 'live']);
    expect(await redis.dbsize()).toBe(2);
    expect(log.propagated).toContainEqual(['DEL', 'dead']);
  });

  test('SCAN TYPE does not return expired keys either', async () => {
    await redis.set('dead', 'v');
    await redis.pexpire('dead', 1);
    clock.advance(2);
    expect(await redis.scan('0', 'TYPE', 'string')).toEqual(['0', []]);
    expect(await redis.dbsize()).toBe(0);
  });

  test('RANDOMKEY never returns an expired key', async () => {
    for (let i = 0; i < 300; i++) {
      await redis.set(`dead:${i}`, 'v');
      await redis.pexpire(`dead:${i}`, 1);
    }
    await redis.set('live', 'v');
    clock.advance(2);
    expect(await redis.randomkey()).toBe('live');
    await redis.del('live');
    expect(await redis.randomkey()).toBeNull();
    expect(await redis.dbsize()).toBe(0);
  });

  test('writing over an expired key starts a new key without TTL', async () => {
    await redis.set('k', 'old');
    await redis.pexpire('k', 1);
    clock.advance(2);
    await redis.set('k', 'new');
    expect(await redis.ttl('k')).toBe(-1);
    expect(await redis.get('k')).toBe('new');
  });

  test('RENAMENX, COPY and MOVE treat an expired target as absent', async () => {
    await redis.set('src', 'v');
    await redis.set('moving', 'v');
    for (const target of ['t1', 't2']) {
      await redis.set(target, 'old');
      await redis.pexpire(target, 1);
    }
    await redis.select(1);
    await redis.set('moving', 'old');
    await redis.pexpire('moving', 1);
    await redis.select(0);
    clock.advance(2);
    log.propagated.length = 0;
    expect(await redis.renamenx('src', 't1')).toBe(1);
    expect(await redis.call('COPY', 't1', 't2')).toBe(1);
    expect(await redis.move('moving', 1)).toBe(1);
    expect(await redis.ttl('t2')).toBe(-1);
    // Each expired target left as an expiry (DEL) before the command's own write.
    expect(log.propagated.slice(0, 2)).toEqual([['DEL', 't1'], ['RENAMENX', 'src', 't1']]);
    expect(log.propagated.slice(2, 4)).toEqual([['DEL', 't2'], ['COPY', 't1', 't2']]);
    expect(log.propagated.slice(4)).toEqual([['DEL', 'moving'], ['MOVE', 'moving', '1']]);
  });

  test('TTL rounds to the nearest second, PTTL is exact', async () => {
    await redis.set('k', 'v');
    await redis.pexpire('k', 1499);
    expect(await redis.ttl('k')).toBe(1);
    expect(await redis.pttl('k')).toBe(1499);
    await redis.pexpire('k', 1500);
    expect(await redis.ttl('k')).toBe(2);
    clock.advance(1001);
    expect(await redis.pttl('k')).toBe(499);
    expect(await redis.ttl('k')).toBe(0);
    expect(await redis.call('PEXPIRETIME', 'k')).toBe(clock.now() - 1001 + 1500);
  });

  test('EXPIRE propagates PEXPIREAT with the absolute time; a past time propagates DEL', async () => {
    await redis.set('k', 'v');
    log.propagated.length = 0;
    const now = clock.now();
    await redis.expire('k', 10);
    await redis.pexpire('k', 20000, 'GT');
    await redis.call('EXPIREAT', 'k', String(Math.floor(now / 1000) + 30));
    await redis.call('PEXPIREAT', 'k', String(now + 40000));
    expect(await redis.expire('k', 5, 'GT')).toBe(0); // refused: nothing to propagate
    await redis.expire('k', -1);
    expect(log.propagated).toEqual([
      ['PEXPIREAT', 'k', String(now + 10000)],
      ['PEXPIREAT', 'k', String(now + 20000), 'GT'],
      ['PEXPIREAT', 'k', String((Math.floor(now / 1000) + 30) * 1000)],
      ['PEXPIREAT', 'k', String(now + 40000)],
      ['DEL', 'k'],
    ]);
    expect(log.events.filter((e) => e[0] === 'g').map((e) => e[1])).toEqual(['expire', 'expire', 'expire', 'expire', 'del']);
  });

  test('with lazyfree-lazy-expire a past time propagates UNLINK', async () => {
    nodis.server.config.set('lazyfree-lazy-expire', ['yes']);
    try {
      await redis.set('k', 'v');
      log.propagated.length = 0;
      await redis.pexpire('k', 0);
      expect(log.propagated).toEqual([['UNLINK', 'k']]);
    } finally {
      nodis.server.config.set('lazyfree-lazy-expire', ['no']);
    }
  });

  test('PERSIST removes the TTL and fires "persist"', async () => {
    await redis.set('k', 'v');
    await redis.pexpire('k', 100);
    expect(await redis.persist('k')).toBe(1);
    clock.advance(200);
    expect(await redis.get('k')).toBe('v');
    expect(log.events.map((e) => e[1])).toContain('persist');
  });

  test('COPY, MOVE and RENAME carry the exact expire time', async () => {
    await redis.set('k', 'v');
    await redis.pexpire('k', 12345);
    const when = clock.now() + 12345;
    await redis.call('COPY', 'k', 'c', 'DB', '2');
    await redis.rename('k', 'r');
    await redis.move('r', 3);
    for (const [db, key] of [[2, 'c'], [3, 'r']] as const) {
      await redis.select(db);
      expect(await redis.call('PEXPIRETIME', key)).toBe(when);
    }
    await redis.select(0);
    clock.advance(12346);
    for (const [db, key] of [[2, 'c'], [3, 'r']] as const) {
      await redis.select(db);
      expect(await redis.exists(key)).toBe(0);
    }
    await redis.select(0);
  });

  test('active expiry removes keys nobody reads, and leaves the others', async () => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2000; i++) pipeline.set(`short:${i}`, 'v', 'PX', 100);
    for (let i = 0; i < 100; i++) pipeline.set(`long:${i}`, 'v', 'PX', 100000);
    for (let i = 0; i < 100; i++) pipeline.set(`plain:${i}`, 'v');
    await pipeline.exec();
    clock.advance(101);
    const keyspace = nodis.server.keyspace;
    const cycle = new ActiveExpire(keyspace);
    const expiredBefore = keyspace.expiredKeys;
    for (let run = 0; run < 10000 && keyspace.databases[0].expires.size > 100; run++) cycle.run(10, 1);
    expect(await redis.dbsize()).toBe(200);
    expect(keyspace.expiredKeys - expiredBefore).toBe(2000);
    expect(log.propagated.filter((argv) => argv[0] === 'DEL').length).toBe(2000);
    expect(log.events.filter((e) => e[1] === 'expired').length).toBe(2000);
    expect(await redis.exists('long:7', 'plain:7', 'short:7')).toBe(2);
  });

  test('active expiry keeps a key whose time is exactly now', async () => {
    await redis.set('k', 'v');
    await redis.pexpire('k', 50);
    clock.advance(50);
    const cycle = new ActiveExpire(nodis.server.keyspace);
    for (let run = 0; run < 20; run++) cycle.run(10, 1);
    expect(await redis.dbsize()).toBe(1);
    clock.advance(1);
    for (let run = 0; run < 20; run++) cycle.run(10, 1);
    expect(await redis.dbsize()).toBe(0);
  });

  test('OBJECT IDLETIME counts from the last access; OBJECT, TYPE, EXISTS and TTL are not accesses', async () => {
    await redis.set('k', 'v');
    clock.advance(10_000);
    expect(await redis.object('IDLETIME', 'k')).toBe(10);
    await redis.type('k');
    await redis.exists('k');
    await redis.ttl('k');
    await redis.object('ENCODING', 'k');
    clock.advance(5_000);
    expect(await redis.object('IDLETIME', 'k')).toBe(15);
    await redis.get('k');
    expect(await redis.object('IDLETIME', 'k')).toBe(0);
    clock.advance(3_000);
    await redis.touch('k');
    expect(await redis.object('IDLETIME', 'k')).toBe(0);
    clock.advance(4_000);
    await redis.call('COPY', 'k', 'copy');
    expect(await redis.object('IDLETIME', 'k')).toBe(0); // COPY reads its source
    clock.advance(2_000);
    expect(await redis.object('IDLETIME', 'copy')).toBe(2);
    // KEYS and SCAN do not access the keys they list; the write commands below do.
    await redis.keys('*');
    await redis.scan('0', 'TYPE', 'string');
    expect(await redis.object('IDLETIME', 'copy')).toBe(2);
    for (const access of [
      () => redis.expire('copy', 100),
      () => redis.persist('copy'),
      () => redis.rename('copy', 'copy'),
      () => redis.rename('copy', 'renamed').then(() => redis.rename('renamed', 'copy')),
    ]) {
      clock.advance(1_000);
      await access();
      expect(await redis.object('IDLETIME', 'copy')).toBe(0);
    }
    clock.advance(1_000);
    await redis.move('copy', 4);
    await redis.select(4);
    expect(await redis.object('IDLETIME', 'copy')).toBe(0);
    await redis.select(0);
  });
});

describe('access frequency under an LFU policy', () => {
  const clock = new ManualClock(1_700_000_000_000);
  // A log factor of 0 makes every access increment the counter, so the counts are exact.
  const nodis = useNodis({ clock, config: { 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': 0, 'lfu-decay-time': 1 } });

  test('FREQ starts at 5, grows with accesses, decays with time, and moves with the key', async () => {
    const redis = nodis.client({ enableReadyCheck: false });
    disableBackgroundExpiry(nodis.server);
    await redis.set('k', 'v');
    expect(await redis.object('FREQ', 'k')).toBe(5);
    await redis.get('k');
    await redis.get('k');
    expect(await redis.object('FREQ', 'k')).toBe(7);
    // RENAME and MOVE access the key once and carry its counter along.
    await redis.rename('k', 'r');
    expect(await redis.object('FREQ', 'r')).toBe(8);
    await redis.move('r', 1);
    await redis.select(1);
    expect(await redis.object('FREQ', 'r')).toBe(9);
    // A copy starts afresh; its source was read once more.
    await redis.call('COPY', 'r', 'c');
    expect(await redis.object('FREQ', 'c')).toBe(5);
    expect(await redis.object('FREQ', 'r')).toBe(10);
    clock.advance(3 * 60_000);
    expect(await redis.object('FREQ', 'r')).toBe(7);
    await expect(redis.object('IDLETIME', 'r')).rejects.toThrow('An LFU maxmemory policy is selected');
  });
});

describe('the server cron', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const nodis = useNodis({ clock, config: { hz: 100 } });

  test('expires keys in the background, with no command touching them', async () => {
    const redis = nodis.client({ enableReadyCheck: false });
    const pipeline = redis.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`k:${i}`, 'v', 'PX', 10);
    await pipeline.exec();
    expect(await redis.dbsize()).toBe(500);
    clock.advance(11);
    // Wait (bounded) for the cron to reclaim them; DBSIZE itself expires nothing.
    for (let i = 0; i < 500 && (await redis.dbsize()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await redis.dbsize()).toBe(0);
    expect(nodis.server.keyspace.expiredKeys).toBe(500);
  });
});

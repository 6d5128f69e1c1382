import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis } from '../helpers/nodis';
import type { Server } from '../../src/index';

interface Recorded {
  propagated: string[][];
  /** [kind, event, key, db] */
  events: [string, string, string, number][];
}

function record(server: Server): Recorded {
  const log: Recorded = { propagated: [], events: [] };
  // Command names as upper case: clients send them in either case.
  server.dispatcher.sinks.push({ propagate: (_db, argv) => log.propagated.push([argv[0].toUpperCase(), ...argv.slice(1)]) });
  server.keyspaceEventListeners.push((kind, event, key, db) => log.events.push([kind, event, key, db]));
  return log;
}

describe('generic commands', () => {
  const nodis = useNodis();
  let redis: Redis;
  let log: Recorded;

  beforeEach(async () => {
    redis ??= nodis.client({ enableReadyCheck: false });
    nodis.server.dispatcher.sinks.length = 0;
    nodis.server.keyspaceEventListeners.length = 0;
    await redis.select(0);
    await redis.flushall();
    log = record(nodis.server);
  });

  const genericEvents = (): [string, string, number][] =>
    log.events.filter((e) => e[0] === 'g').map(([, event, key, db]) => [event, key, db]);

  test('keyspace events of DEL, UNLINK, RENAME, COPY, MOVE, EXPIRE, PERSIST', async () => {
    await redis.mset('a', '1', 'b', '2', 'c', '3');
    await redis.del('a', 'nokey', 'a');
    await redis.unlink('b');
    await redis.rename('c', 'd');
    expect(await redis.renamenx('d', 'd')).toBe(0);
    await redis.call('COPY', 'd', 'e', 'DB', '3');
    expect(await redis.call('COPY', 'nokey', 'e')).toBe(0);
    await redis.move('d', 2);
    expect(await redis.move('nokey', 2)).toBe(0);
    await redis.set('f', 'v');
    await redis.expire('f', 100);
    await redis.persist('f');
    expect(await redis.persist('f')).toBe(0);
    await redis.expire('f', 0);
    expect(genericEvents()).toEqual([
      ['del', 'a', 0],
      ['del', 'b', 0],
      ['rename_from', 'c', 0],
      ['rename_to', 'd', 0],
      ['copy_to', 'e', 3],
      ['move_from', 'd', 0],
      ['move_to', 'd', 2],
      ['expire', 'f', 0],
      ['persist', 'f', 0],
      ['del', 'f', 0],
    ]);
  });

  test('reads of missing keys fire "keymiss", except OBJECT', async () => {
    await redis.exists('m1');
    await redis.type('m2');
    await redis.ttl('m3');
    await redis.touch('m4');
    await redis.object('ENCODING', 'm5');
    await redis.del('m6');
    expect(log.events.filter((e) => e[1] === 'keymiss').map((e) => e[2])).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  test('keyspace hits and misses are counted by reads, not by writes', async () => {
    const keyspace = nodis.server.keyspace;
    await redis.set('k', 'v');
    const hits = keyspace.keyspaceHits;
    const misses = keyspace.keyspaceMisses;
    await redis.exists('k', 'nokey');
    await redis.type('k');
    await redis.pttl('k');
    await redis.object('ENCODING', 'k');
    await redis.touch('nokey');
    await redis.del('nokey');
    await redis.expire('k', 100);
    await redis.persist('k');
    await redis.rename('k', 'k2');
    expect(keyspace.keyspaceHits - hits).toBe(4);
    expect(keyspace.keyspaceMisses - misses).toBe(2);
  });

  test('what propagates: changes only, FLUSHDB even on an empty database', async () => {
    await redis.del('nokey');
    await redis.exists('nokey');
    await redis.call('OBJECT', 'ENCODING', 'nokey');
    expect(await redis.rename('nokey', 'x').catch((e: Error) => e.message)).toBe('ERR no such key');
    await redis.flushdb();
    await redis.set('k', 'v');
    await redis.touch('k');
    await redis.type('k');
    await redis.expire('k', 100, 'NX');
    await redis.expire('k', 100, 'NX');
    await redis.swapdb(0, 1);
    await redis.flushall();
    expect(log.propagated.map((argv) => argv[0])).toEqual(['FLUSHDB', 'SET', 'PEXPIREAT', 'SWAPDB', 'FLUSHALL']);
    expect(log.propagated[2].slice(3)).toEqual(['NX']);
  });

  test('FLUSHALL counts the keys it removes as changes, as Redis 7.0 does (none when empty)', async () => {
    const keyspace = nodis.server.keyspace;
    const before = keyspace.dirty;
    await redis.flushall();
    expect(keyspace.dirty).toBe(before);
    await redis.mset('a', '1', 'b', '2');
    const beforeFlush = keyspace.dirty;
    await redis.flushall('ASYNC');
    expect(keyspace.dirty).toBe(beforeFlush + 2);
    await redis.flushdb();
    expect(keyspace.dirty).toBe(beforeFlush + 2);
  });

  test('FLUSHDB empties only the selected database, FLUSHALL all of them', async () => {
    for (const db of [0, 1, 15]) {
      await redis.select(db);
      await redis.set(`k${db}`, 'v');
    }
    await redis.select(1);
    await redis.flushdb();
    expect(await redis.dbsize()).toBe(0);
    await redis.select(15);
    expect(await redis.dbsize()).toBe(1);
    await redis.flushall();
    expect(await redis.dbsize()).toBe(0);
    await redis.select(0);
    expect(await redis.dbsize()).toBe(0);
  });

  test('SWAPDB exchanges contents under clients connected to either database', async () => {
    const other = nodis.client({ enableReadyCheck: false, db: 1 });
    await redis.set('in0', 'zero');
    await redis.set('ttl', 'v', 'PX', 100000);
    await other.set('in1', 'one');
    await redis.swapdb(0, 1);
    expect(await redis.get('in1')).toBe('one');
    expect(await redis.exists('in0', 'ttl')).toBe(0);
    expect(await other.get('in0')).toBe('zero');
    expect(await other.pttl('ttl')).toBeGreaterThan(0);
    await redis.swapdb(1, 0);
    expect(await other.get('in1')).toBe('one');
    other.disconnect();
  });

  test('KEYS and a full SCAN return every key, binary keys included', async () => {
    const keys: string[] = [];
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1500; i++) {
      const key = i % 5 === 0 ? `bin:\x00\xff${i}` : `key:${i}`;
      keys.push(key);
      pipeline.set(Buffer.from(key, 'latin1'), 'v');
    }
    await pipeline.exec();
    const asLatin1 = (bufs: Buffer[]): string[] => bufs.map((b) => b.toString('latin1')).sort();
    expect(asLatin1(await redis.keysBuffer('*'))).toEqual([...keys].sort());
    expect(asLatin1(await redis.keysBuffer('bin:\x00*'))).toEqual(keys.filter((k) => k.startsWith('bin:')).sort());
    for (const count of [1, 10, 1000]) {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scanBuffer(cursor, 'COUNT', count);
        cursor = next.toString();
        for (const key of batch) seen.add(key.toString('latin1'));
      } while (cursor !== '0');
      expect(seen.size).toBe(1500);
    }
    const matched: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', 'key:1?', 'COUNT', 100, 'TYPE', 'string');
      cursor = next;
      matched.push(...batch);
    } while (cursor !== '0');
    expect(matched.sort()).toEqual(['key:11', 'key:12', 'key:13', 'key:14', 'key:16', 'key:17', 'key:18', 'key:19']);
  });

  test('SCAN returns every key present for the whole scan while another client adds and deletes keys', async () => {
    const writer = nodis.client({ enableReadyCheck: false });
    const stable: string[] = [];
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1000; i++) {
      pipeline.set(`stable:${i}`, 'v');
      pipeline.set(`churn:${i}`, 'v');
      stable.push(`stable:${i}`);
    }
    await pipeline.exec();
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 25);
      cursor = next;
      for (const key of batch) seen.add(key);
      // Between steps: delete some churn keys and add new ones.
      const changes = writer.pipeline();
      for (let j = 0; j < 10; j++) changes.del(`churn:${(round * 10 + j) % 1000}`);
      for (let j = 0; j < 15; j++) changes.set(`new:${round}:${j}`, 'v');
      await changes.exec();
      round++;
    } while (cursor !== '0');
    for (const key of stable) expect(seen.has(key), key).toBe(true);
    writer.disconnect();
  });

  test('KEYS with a pathological pattern answers at once', async () => {
    await redis.set('a'.repeat(50000), 'v');
    expect(await redis.keys('a*a*a*a*a*a*a*a*a*a*a*a*b')).toEqual([]);
    const [, found] = await redis.scan('0', 'MATCH', '*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*');
    expect(found.length).toBe(1);
  });

  test('RANDOMKEY returns each key of the database sooner or later', async () => {
    await redis.mset('a', '1', 'b', '2', 'c', '3');
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 3; i++) seen.add((await redis.randomkey())!);
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  test('COPY makes an independent value', async () => {
    await redis.set('orig', 'abc');
    await redis.append('orig', 'def');
    await redis.call('COPY', 'orig', 'copy');
    await redis.append('copy', 'ghi');
    await redis.setrange('orig', 0, 'X');
    expect(await redis.get('orig')).toBe('Xbcdef');
    expect(await redis.get('copy')).toBe('abcdefghi');
    expect(await redis.object('ENCODING', 'copy')).toBe('raw');
  });

  test('DEL and EXISTS with many keys', async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `many:${i}`);
    await redis.mset(...keys.flatMap((k) => [k, 'v']));
    expect(await redis.exists(...keys, ...keys)).toBe(10000);
    expect(await redis.del(...keys, ...keys)).toBe(5000);
    expect(await redis.dbsize()).toBe(0);
  });
});

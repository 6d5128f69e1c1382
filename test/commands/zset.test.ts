/**
 * Sorted set commands through the in-process server, for what the wire cannot show byte for byte
 * against redis-server: propagation (what AOF and replicas would get), keyspace events, the dirty
 * counter, TTLs with a manual clock, large sets checked against a model, and the limits Nodis
 * puts on replies too big to build.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { ManualClock, type Server } from '../../src/index';
import type { SortedSet } from '../../src/types/zset';
import { seededRandom } from '../helpers/seeded-random';
import { recordWrites, type RecordedWrites } from '../helpers/record-writes';

/** Propagated commands and the zset (z), generic (g) and new-key (n) keyspace events. */
const record = (server: Server): RecordedWrites => recordWrites(server, 'zgn');

describe('zset commands', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const nodis: NodisHandle = useNodis({ clock });
  let raw: RawConnection;
  let log: ReturnType<typeof record>;
  const zsetAt = (key: string) => nodis.server.keyspace.databases[0].peek(key) as SortedSet;

  beforeEach(async () => {
    raw ??= await nodis.raw();
    await raw.call('FLUSHALL');
    log = record(nodis.server);
  });

  describe('propagation', () => {
    test('writes propagate as sent; no-ops and reads do not', async () => {
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b');
      await raw.call('ZADD', 'z', '1', 'a');
      await raw.call('ZADD', 'z', 'NX', '5', 'a');
      await raw.call('ZADD', 'z', 'XX', '5', 'c');
      await raw.call('ZADD', 'z', 'GT', '0', 'a');
      await raw.call('ZINCRBY', 'z', '1', 'a');
      await raw.call('ZREM', 'z', 'nope');
      await raw.call('ZREM', 'missing', 'a');
      await raw.call('ZREMRANGEBYSCORE', 'z', '100', '200');
      await raw.call('ZPOPMIN', 'missing');
      await raw.call('ZRANGE', 'z', '0', '-1');
      await raw.call('ZRANDMEMBER', 'z', '-5');
      await raw.call('ZUNION', '1', 'z');
      await raw.call('ZRANGESTORE', 'dst', 'missing', '0', '-1');
      await raw.call('ZPOPMAX', 'z', '1');
      expect(log.propagated).toEqual([
        ['ZADD', 'z', '1', 'a', '2', 'b'],
        ['ZINCRBY', 'z', '1', 'a'],
        ['ZPOPMAX', 'z', '1'],
      ]);
    });

    test('ZMPOP and the blocking pops served at once propagate ZPOPMIN/ZPOPMAX', async () => {
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
      await raw.call('ZMPOP', '2', 'missing', 'z', 'MIN');
      await raw.call('ZMPOP', '1', 'z', 'MAX', 'COUNT', '2');
      await raw.call('BZPOPMIN', 'z', '0');
      await raw.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '10');
      await raw.call('ZMPOP', '1', 'z', 'MIN');
      expect(log.propagated).toEqual([
        ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
        ['ZPOPMIN', 'z', '1'],
        ['ZPOPMAX', 'z', '2'],
        ['ZPOPMIN', 'z'],
        ['ZPOPMIN', 'z', '1'],
      ]);
    });

    test('the STORE forms propagate when they write or delete the destination', async () => {
      await raw.call('ZADD', 'z', '1', 'a');
      await raw.call('ZUNIONSTORE', 'dst', '1', 'z');
      await raw.call('ZINTERSTORE', 'dst', '2', 'z', 'missing');
      await raw.call('ZDIFFSTORE', 'dst', '2', 'z', 'missing');
      await raw.call('ZRANGESTORE', 'dst2', 'z', '5', '6');
      expect(log.propagated.map((argv) => argv[0])).toEqual(['ZADD', 'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
    });
  });

  describe('keyspace events', () => {
    test('as t_zset.c notifies them', async () => {
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
      await raw.call('ZADD', 'z', 'INCR', '1', 'a');
      await raw.call('ZINCRBY', 'z', '1', 'a');
      await raw.call('ZADD', 'z', '1', 'b');
      await raw.call('ZREM', 'z', 'b');
      await raw.call('ZREMRANGEBYRANK', 'z', '0', '0');
      await raw.call('ZPOPMAX', 'z');
      await raw.call('ZADD', 'z', '1', 'x');
      await raw.call('ZRANGESTORE', 'r', 'z', '0', '-1');
      await raw.call('ZUNIONSTORE', 'u', '1', 'z');
      await raw.call('ZDIFFSTORE', 'u', '2', 'z', 'z');
      await raw.call('ZREMRANGEBYSCORE', 'z', '-inf', '+inf');
      expect(log.events).toEqual([
        ['n', 'new', 'z'],
        ['z', 'zadd', 'z'],
        ['z', 'zincr', 'z'],
        ['z', 'zincr', 'z'],
        ['z', 'zadd', 'z'],
        ['z', 'zrem', 'z'],
        ['z', 'zremrangebyrank', 'z'],
        ['z', 'zpopmax', 'z'],
        ['g', 'del', 'z'],
        ['n', 'new', 'z'],
        ['z', 'zadd', 'z'],
        ['n', 'new', 'r'],
        ['z', 'zrangestore', 'r'],
        ['n', 'new', 'u'],
        ['z', 'zunionstore', 'u'],
        ['g', 'del', 'u'],
        ['z', 'zremrangebyscore', 'z'],
        ['g', 'del', 'z'],
      ]);
    });

    test('ZMPOP notifies the pop and the deletion of an emptied key', async () => {
      await raw.call('ZADD', 'z', '1', 'a');
      log.events.length = 0;
      await raw.call('ZMPOP', '1', 'z', 'MIN', 'COUNT', '3');
      expect(log.events).toEqual([
        ['z', 'zpopmin', 'z'],
        ['g', 'del', 'z'],
      ]);
    });
  });

  test('the dirty counter moves by the number of changes, as Redis counts them', async () => {
    const keyspace = nodis.server.keyspace;
    let before = keyspace.dirty;
    await raw.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(keyspace.dirty - before).toBe(3);
    before = keyspace.dirty;
    await raw.call('ZADD', 'z', 'CH', '5', 'a', '2', 'b', '9', 'd');
    expect(keyspace.dirty - before).toBe(2);
    before = keyspace.dirty;
    await raw.call('ZPOPMIN', 'z', '2');
    expect(keyspace.dirty - before).toBe(2);
    before = keyspace.dirty;
    await raw.call('ZREM', 'z', 'a', 'd', 'nope');
    expect(keyspace.dirty - before).toBe(2);
  });

  describe('TTLs', () => {
    test('an expired key is gone for every command; writes to a live key keep its TTL', async () => {
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b');
      await raw.call('PEXPIRE', 'z', '100');
      await raw.call('ZADD', 'z', '3', 'c');
      await raw.call('ZREM', 'z', 'a');
      expect(await raw.call('PTTL', 'z')).toBe(':100\r\n');
      clock.advance(101);
      expect(await raw.call('ZCARD', 'z')).toBe(':0\r\n');
      expect(await raw.call('ZADD', 'z', 'XX', '1', 'b')).toBe(':0\r\n');
      expect(await raw.call('ZRANGE', 'z', '0', '-1')).toBe('*0\r\n');
      expect(await raw.call('ZINCRBY', 'z', '1', 'b')).toBe('$1\r\n1\r\n');
      expect(await raw.call('PTTL', 'z')).toBe(':-1\r\n');
    });

    test('an expired source counts as missing for the set operations and ZRANGESTORE', async () => {
      await raw.call('ZADD', 'src', '1', 'a');
      await raw.call('ZADD', 'dst', '1', 'old');
      await raw.call('PEXPIRE', 'src', '10');
      clock.advance(11);
      expect(await raw.call('ZUNIONSTORE', 'dst', '1', 'src')).toBe(':0\r\n');
      expect(await raw.call('EXISTS', 'dst')).toBe(':0\r\n');
      await raw.call('ZADD', 'dst', '1', 'old');
      expect(await raw.call('ZRANGESTORE', 'dst', 'src', '0', '-1')).toBe(':0\r\n');
      expect(await raw.call('EXISTS', 'dst')).toBe(':0\r\n');
    });
  });

  describe('large sorted sets', () => {
    test('100k members: ranks, score ranges, pops and removals match a model', async () => {
      const random = seededRandom(3);
      const model = new Map<string, number>();
      for (let batch = 0; batch < 100; batch++) {
        const args: string[] = [];
        for (let i = 0; i < 1000; i++) {
          const member = `member:${batch * 1000 + i}`;
          const score = Math.floor(random() * 1e6) / 8;
          model.set(member, score);
          args.push(String(score), member);
        }
        await raw.call('ZADD', 'big', ...args);
      }
      const zset = zsetAt('big');
      expect(zset.encoding()).toBe('skiplist');
      const sorted = [...model.entries()].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
      expect(await raw.call('ZCARD', 'big')).toBe(':100000\r\n');
      for (const rank of [0, 1, 4999, 50000, 99999]) {
        const [member] = sorted[rank];
        expect(await raw.call('ZRANK', 'big', member)).toBe(`:${rank}\r\n`);
        expect(await raw.call('ZREVRANK', 'big', member)).toBe(`:${99999 - rank}\r\n`);
      }
      const client = nodis.client();
      const inRange = sorted.filter(([, s]) => s >= 20000 && s < 20100).map(([m]) => m);
      expect(await client.zrangebyscore('big', '20000', '(20100')).toEqual(inRange);
      expect(await client.zrangebyscore('big', '20000', '(20100', 'LIMIT', '3', '4')).toEqual(inRange.slice(3, 7));
      expect(await client.zcount('big', '20000', '(20100')).toBe(inRange.length);
      expect(await client.zrange('big', 70000, 70004)).toEqual(sorted.slice(70000, 70005).map(([m]) => m));
      expect(await client.zpopmin('big', 3)).toEqual(sorted.slice(0, 3).flatMap(([m, s]) => [m, String(s)]));
      expect(await client.zremrangebyrank('big', 0, 996)).toBe(997);
      expect(await client.zcard('big')).toBe(99000);
      expect(await client.zrange('big', 0, 0)).toEqual([sorted[1000][0]]);
      const scan = new Set<string>();
      let cursor = '0';
      do {
        const [next, items] = await client.zscan('big', cursor, 'COUNT', '1000');
        for (let i = 0; i < items.length; i += 2) scan.add(items[i]);
        cursor = next;
      } while (cursor !== '0');
      expect(scan.size).toBe(99000);
    });
  });

  describe('ZRANDMEMBER distribution', () => {
    /** Counts how often each member comes up in `draws` picks with repeats (negative count). */
    async function frequencies(key: string, draws: number): Promise<Map<string, number>> {
      const picks = (await nodis.client().zrandmember(key, -draws)) as string[];
      expect(picks).toHaveLength(draws);
      const counts = new Map<string, number>();
      for (const m of picks) counts.set(m, (counts.get(m) ?? 0) + 1);
      return counts;
    }

    test.each([
      ['listpack', 10],
      ['skiplist', 200],
    ])('repeated picks cover a %s evenly', async (encoding, size) => {
      const args: string[] = [];
      for (let i = 0; i < size; i++) args.push(String(i), `m${i}`);
      await raw.call('ZADD', 'r', ...args);
      expect(zsetAt('r').encoding()).toBe(encoding);
      const draws = size * 200;
      const counts = await frequencies('r', draws);
      expect(counts.size).toBe(size);
      // Chi-square with df = size - 1 degrees of freedom: a fair pick stays below df plus six
      // standard deviations (sqrt(2 df)) but for about one run in a million.
      let chi = 0;
      for (const n of counts.values()) chi += (n - 200) ** 2 / 200;
      const df = size - 1;
      expect(chi).toBeLessThan(df + 6 * Math.sqrt(2 * df) + 10);
    });

    test('distinct picks: every member has its chance, none twice in a reply', async () => {
      const args: string[] = [];
      for (let i = 0; i < 300; i++) args.push(String(i), `m${i}`);
      await raw.call('ZADD', 'd', ...args);
      const seen = new Map<string, number>();
      const client = nodis.client();
      for (let round = 0; round < 200; round++) {
        const picks = (await client.zrandmember('d', 50)) as string[];
        expect(new Set(picks).size).toBe(50);
        for (const m of picks) seen.set(m, (seen.get(m) ?? 0) + 1);
      }
      expect(seen.size).toBe(300);
      // 200 rounds of 50 out of 300: each member about 33 times.
      for (const n of seen.values()) expect(n).toBeGreaterThan(5);
    });
  });

  describe('limits on client input', () => {
    test('ZRANDMEMBER refuses a repeat count too big to answer instead of running out of memory', async () => {
      await raw.call('ZADD', 'z', '1', 'a');
      expect(await raw.call('ZRANDMEMBER', 'z', '-100000000')).toBe('-ERR value is out of range\r\n');
      expect(await raw.call('ZRANDMEMBER', 'z', '-1000', 'WITHSCORES')).toMatch(/^\*2000\r\n/);
    });

    test('huge counts, offsets and ranks are clamped to the set', async () => {
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b');
      expect(await raw.call('ZPOPMIN', 'z', '9223372036854775807')).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
      await raw.call('ZADD', 'z', '1', 'a', '2', 'b');
      expect(await raw.call('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '1', '9223372036854775807')).toBe('*1\r\n$1\r\nb\r\n');
      expect(await raw.call('ZRANGE', 'z', '-9223372036854775808', '9223372036854775807')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
      expect(await raw.call('ZMPOP', '9223372036854775807', 'z', 'MIN')).toBe('-ERR syntax error\r\n');
      // The whole set, from the highest score down, as Redis's zset iterator walks it.
      expect(await raw.call('ZRANDMEMBER', 'z', '9223372036854775807')).toBe('*2\r\n$1\r\nb\r\n$1\r\na\r\n');
    });
  });

  test('CONFIG SET of the listpack limits applies to later writes', async () => {
    await raw.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await raw.call('CONFIG', 'SET', 'zset-max-listpack-entries', '3');
    try {
      expect(zsetAt('z').encoding()).toBe('listpack');
      await raw.call('ZADD', 'z', '5', 'a');
      expect(zsetAt('z').encoding()).toBe('listpack');
      await raw.call('ZADD', 'z', '4', 'd');
      expect(zsetAt('z').encoding()).toBe('skiplist');
      await raw.call('CONFIG', 'SET', 'zset-max-listpack-value', '2');
      await raw.call('ZADD', 'y', '1', 'ab');
      expect(zsetAt('y').encoding()).toBe('listpack');
      await raw.call('ZADD', 'y', '1', 'abc');
      expect(zsetAt('y').encoding()).toBe('skiplist');
    } finally {
      await raw.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
      await raw.call('CONFIG', 'SET', 'zset-max-listpack-value', '64');
    }
  });

  test('RESP3 shapes: doubles for scores, nested pairs, null for a missing score', async () => {
    await raw.call('HELLO', '3');
    try {
      await raw.call('ZADD', 'z', '1.5', 'a', 'inf', 'b');
      expect(await raw.call('ZSCORE', 'z', 'a')).toBe(',1.5\r\n');
      expect(await raw.call('ZSCORE', 'z', 'b')).toBe(',inf\r\n');
      expect(await raw.call('ZSCORE', 'z', 'nope')).toBe('_\r\n');
      expect(await raw.call('ZADD', 'z', 'INCR', 'NX', '1', 'a')).toBe('_\r\n');
      expect(await raw.call('ZRANGE', 'z', '0', '0', 'WITHSCORES')).toBe('*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n');
      expect(await raw.call('ZPOPMIN', 'z')).toBe('*2\r\n$1\r\na\r\n,1.5\r\n');
      expect(await raw.call('ZPOPMIN', 'z', '1')).toBe('*1\r\n*2\r\n$1\r\nb\r\n,inf\r\n');
    } finally {
      await raw.call('HELLO', '2');
    }
  });
});

/**
 * Set commands through the in-process server: what the wire cannot show byte for byte against
 * redis-server (propagation, keyspace events, randomness, SSCAN under concurrent writes, time).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { callParsed, type RespValue } from '../helpers/resp-value';
import { ManualClock, type Server } from '../../src/index';
import { encodingOf } from '../../src/keyspace/value';
import { MAX_REPEATED_PICKS } from '../../src/commands/random-pick';
import { recordWrites, type RecordedWrites } from '../helpers/record-writes';

/** Propagated commands and the set (s) and generic (g) keyspace events, from the server's hooks. */
const record = (server: Server): RecordedWrites => recordWrites(server, 'sg');

const NOW = 1_700_000_000_000;

function itemsOf(reply: RespValue): string[] {
  if (Array.isArray(reply)) return reply as string[];
  if (reply !== null && typeof reply === 'object' && 'set' in reply) return reply.set as string[];
  throw new Error(`not a collection: ${JSON.stringify(reply)}`);
}

describe('set commands', () => {
  const clock = new ManualClock(NOW);
  const nodis: NodisHandle = useNodis({ clock });
  let raw: RawConnection;
  let log: ReturnType<typeof record>;
  const db = () => nodis.server.keyspace.databases[0];
  const call = (...argv: string[]) => callParsed(raw, ...argv);
  const members = (n: number, prefix = '') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  beforeEach(async () => {
    raw ??= await nodis.raw();
    clock.set(NOW);
    db().clear();
    await call('CONFIG', 'SET', 'set-max-intset-entries', '512');
    log = record(nodis.server);
  });

  describe('propagation and keyspace events', () => {
    test('SADD and SREM propagate as sent, and only when they changed something', async () => {
      await call('SADD', 's', 'a', 'b');
      await call('SADD', 's', 'a');
      await call('SREM', 's', 'zz');
      await call('SREM', 'missing', 'a');
      await call('SREM', 's', 'a');
      await call('SREM', 's', 'b', 'c');
      expect(log.propagated).toEqual([
        ['SADD', 's', 'a', 'b'],
        ['SREM', 's', 'a'],
        ['SREM', 's', 'b', 'c'],
      ]);
      expect(log.events).toEqual([
        ['s', 'sadd', 's'],
        ['s', 'srem', 's'],
        ['s', 'srem', 's'],
        ['g', 'del', 's'],
      ]);
    });

    test('SPOP without a count propagates as SREM of the popped member', async () => {
      await call('SADD', 's', 'a', 'b');
      log.propagated.length = 0;
      log.events.length = 0;
      const first = (await call('SPOP', 's')) as string;
      const second = (await call('SPOP', 's')) as string;
      expect([first, second].sort()).toEqual(['a', 'b']);
      expect(await call('SPOP', 's')).toBeNull();
      expect(log.propagated).toEqual([
        ['SREM', 's', first],
        ['SREM', 's', second],
      ]);
      expect(log.events).toEqual([
        ['s', 'spop', 's'],
        ['s', 'spop', 's'],
        ['g', 'del', 's'],
      ]);
    });

    test('SPOP with a count propagates one SREM per popped member (both strategies)', async () => {
      for (const [size, count] of [
        [100, 10],
        [100, 95],
      ]) {
        db().clear();
        await call('SADD', 's', ...members(size, 'm'));
        log.propagated.length = 0;
        const popped = itemsOf(await call('SPOP', 's', String(count)));
        expect(popped).toHaveLength(count);
        expect(new Set(popped).size).toBe(count);
        // Several SREMs leave as one MULTI/EXEC unit, as Redis 7.0 propagates them.
        expect(log.propagated).toEqual([['MULTI'], ...popped.map((m) => ['SREM', 's', m]), ['EXEC']]);
        expect(await call('SCARD', 's')).toBe(size - count);
        expect(await call('SMISMEMBER', 's', ...popped)).toEqual(popped.map(() => 0));
      }
    });

    test('SPOP of the whole set propagates as DEL and keeps nothing', async () => {
      await call('SADD', 's', '3', '1', '2');
      log.propagated.length = 0;
      log.events.length = 0;
      expect(await call('SPOP', 's', '10')).toEqual(['1', '2', '3']);
      expect(log.propagated).toEqual([['DEL', 's']]);
      expect(log.events).toEqual([
        ['s', 'spop', 's'],
        ['g', 'del', 's'],
      ]);
      expect(await call('EXISTS', 's')).toBe(0);
      // SPOP 0 and SPOP on a missing key change nothing.
      await call('SADD', 't', 'x');
      log.propagated.length = 0;
      await call('SPOP', 't', '0');
      await call('SPOP', 'missing', '2');
      expect(log.propagated).toEqual([]);
    });

    test('SPOP that leaves few survivors keeps the TTL of the key', async () => {
      await call('SADD', 's', ...members(50, 'm'));
      await call('PEXPIRE', 's', '100000');
      await call('SPOP', 's', '48');
      expect(await call('PTTL', 's')).toBe(100000);
      expect(await call('SCARD', 's')).toBe(2);
    });

    test('SMOVE fires srem, del and sadd as Redis does', async () => {
      await call('SADD', 'a', 'x');
      await call('SADD', 'b', 'x');
      log.events.length = 0;
      log.propagated.length = 0;
      expect(await call('SMOVE', 'a', 'b', 'x')).toBe(1);
      expect(log.events).toEqual([
        ['s', 'srem', 'a'],
        ['g', 'del', 'a'],
      ]);
      expect(await call('SMOVE', 'b', 'c', 'x')).toBe(1);
      expect(await call('SMOVE', 'c', 'c', 'x')).toBe(1);
      expect(await call('SMOVE', 'c', 'd', 'nope')).toBe(0);
      expect(log.events.slice(2)).toEqual([
        ['s', 'srem', 'b'],
        ['g', 'del', 'b'],
        ['s', 'sadd', 'c'],
      ]);
      expect(log.propagated).toEqual([
        ['SMOVE', 'a', 'b', 'x'],
        ['SMOVE', 'b', 'c', 'x'],
      ]);
    });

    test('*STORE commands fire their event, or del when the result is empty', async () => {
      await call('SADD', 'a', '1', '2');
      await call('SADD', 'b', '2', '3');
      log.events.length = 0;
      log.propagated.length = 0;
      await call('SINTERSTORE', 'd', 'a', 'b');
      await call('SUNIONSTORE', 'd', 'a', 'b');
      await call('SDIFFSTORE', 'd', 'a', 'b');
      await call('SDIFFSTORE', 'd', 'a', 'a');
      await call('SDIFFSTORE', 'd', 'a', 'a');
      expect(log.events).toEqual([
        ['s', 'sinterstore', 'd'],
        ['s', 'sunionstore', 'd'],
        ['s', 'sdiffstore', 'd'],
        ['g', 'del', 'd'],
      ]);
      // The last one deleted nothing: nothing to propagate.
      expect(log.propagated.map((argv) => argv[0])).toEqual(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE', 'SDIFFSTORE']);
    });

    test('reads never propagate', async () => {
      await call('SADD', 'a', '1', '2');
      log.propagated.length = 0;
      for (const argv of [
        ['SMEMBERS', 'a'],
        ['SISMEMBER', 'a', '1'],
        ['SMISMEMBER', 'a', '1'],
        ['SCARD', 'a'],
        ['SRANDMEMBER', 'a', '-5'],
        ['SINTER', 'a', 'a'],
        ['SINTERCARD', '1', 'a'],
        ['SUNION', 'a'],
        ['SDIFF', 'a'],
        ['SSCAN', 'a', '0'],
      ]) {
        await call(...argv);
      }
      expect(log.propagated).toEqual([]);
    });
  });

  describe('randomness', () => {
    /** Rough chi-square bound: each of `bins` counts should be near `expected`. */
    function expectEven(counts: Map<string, number>, bins: number, expected: number): void {
      expect(counts.size).toBe(bins);
      let chi = 0;
      for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
      // For ~20 degrees of freedom, 60 is far beyond any plausible fluctuation.
      expect(chi).toBeLessThan(60);
    }

    for (const [name, prefix] of [
      ['intset', ''],
      ['hashtable', 'w'],
    ]) {
      test(`SRANDMEMBER picks evenly from a ${name}, with and without repeats`, async () => {
        await call('SADD', 's', ...members(20, prefix));
        const repeats = new Map<string, number>();
        for (const m of itemsOf(await call('SRANDMEMBER', 's', '-20000'))) repeats.set(m, (repeats.get(m) ?? 0) + 1);
        expectEven(repeats, 20, 1000);
        // Distinct picks in both strategies (count*3 > size, and the sampling one).
        for (const count of [5, 15]) {
          const picks = new Map<string, number>();
          for (let i = 0; i < 400; i++) {
            const reply = itemsOf(await call('SRANDMEMBER', 's', String(count)));
            expect(new Set(reply).size).toBe(count);
            for (const m of reply) picks.set(m, (picks.get(m) ?? 0) + 1);
          }
          expectEven(picks, 20, (400 * count) / 20);
        }
      });
    }

    test('SPOP picks evenly', async () => {
      const counts = new Map<string, number>();
      for (let i = 0; i < 2000; i++) {
        await call('SADD', 's', ...members(10, 'm'));
        const m = (await call('SPOP', 's')) as string;
        counts.set(m, (counts.get(m) ?? 0) + 1);
        await call('DEL', 's');
      }
      expectEven(counts, 10, 200);
    });

    test('a repeat count too big to answer is refused instead of exhausting memory', async () => {
      await call('SADD', 's', 'a');
      expect(await call('SRANDMEMBER', 's', String(-(MAX_REPEATED_PICKS + 1)))).toEqual({
        error: 'ERR value is out of range',
      });
      expect(await call('SRANDMEMBER', 's', '-9223372036854775807')).toEqual({ error: 'ERR value is out of range' });
      expect(itemsOf(await call('SRANDMEMBER', 's', '9223372036854775807'))).toEqual(['a']);
      expect(await call('PING')).toEqual({ status: 'PONG' });
    });
  });

  describe('SSCAN', () => {
    test('a full iteration returns every member present throughout, despite writes in between', async () => {
      await call('SADD', 's', ...members(2000, 'm'));
      const seen = new Set<string>();
      let cursor = '0';
      let step = 0;
      do {
        const [next, items] = (await call('SSCAN', 's', cursor, 'COUNT', '37')) as [string, string[]];
        for (const m of items) seen.add(m);
        cursor = next;
        // Remove members that are not multiples of 4, add new ones.
        await call('SREM', 's', `m${(step * 7) % 2000 | 1}`, `m${(step * 13) % 2000 | 2}`);
        await call('SADD', 's', `new${step++}`);
      } while (cursor !== '0');
      for (let i = 0; i < 2000; i += 4) expect(seen.has(`m${i}`), `m${i}`).toBe(true);
    });

    test('the elements of a hashtable come in steps of about COUNT', async () => {
      await call('SADD', 's', ...members(100, 'm'));
      const [cursor, items] = (await call('SSCAN', 's', '0', 'COUNT', '10')) as [string, string[]];
      expect(cursor).not.toBe('0');
      expect(items).toHaveLength(10);
    });
  });

  describe('encodings and keys', () => {
    test('a threshold lowered with CONFIG SET applies to later writes only', async () => {
      await call('SADD', 's', '1', '2', '3');
      await call('CONFIG', 'SET', 'set-max-intset-entries', '2');
      expect(encodingOf(db().peek('s')!)).toBe('intset');
      await call('SADD', 's', '2');
      expect(encodingOf(db().peek('s')!)).toBe('intset');
      await call('SADD', 's', '4');
      expect(encodingOf(db().peek('s')!)).toBe('hashtable');
    });

    test('an expired set is gone for every command', async () => {
      await call('SADD', 's', 'a');
      await call('PEXPIRE', 's', '10');
      clock.advance(11);
      expect(await call('SCARD', 's')).toBe(0);
      expect(await call('SMEMBERS', 's')).toEqual([]);
      expect(await call('SADD', 's', 'b')).toBe(1);
      expect(await call('PTTL', 's')).toBe(-1);
    });

    test('a set with a million members', async () => {
      const batch = 10000;
      for (let i = 0; i < 100; i++) await call('SADD', 'big', ...members(batch, `${i}:`));
      expect(await call('SCARD', 'big')).toBe(1_000_000);
      expect(itemsOf(await call('SRANDMEMBER', 'big', '5'))).toHaveLength(5);
      expect(await call('SINTERCARD', '2', 'big', 'big', 'LIMIT', '10')).toBe(10);
      expect(itemsOf(await call('SPOP', 'big', '1000'))).toHaveLength(1000);
      expect(await call('SCARD', 'big')).toBe(999_000);
    });
  });
});

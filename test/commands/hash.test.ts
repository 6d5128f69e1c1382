/**
 * Hash commands through the in-process server: what the wire cannot show byte for byte against
 * redis-server (propagation, keyspace events, randomness, HSCAN under concurrent writes, time).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { callParsed, type RespValue } from '../helpers/resp-value';
import { ManualClock, type Server } from '../../src/index';
import { encodingOf } from '../../src/keyspace/value';
import { MAX_REPEATED_PICKS } from '../../src/commands/random-pick';
import { recordWrites, type RecordedWrites } from '../helpers/record-writes';

/** Propagated commands and the hash (h) and generic (g) keyspace events, from the server's hooks. */
const record = (server: Server): RecordedWrites => recordWrites(server, 'hg');

const NOW = 1_700_000_000_000;

function fields(n: number, prefix = 'f'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${prefix}${i}`, `v${i}`);
  return out;
}

describe('hash commands', () => {
  const clock = new ManualClock(NOW);
  const nodis: NodisHandle = useNodis({ clock });
  let raw: RawConnection;
  let log: ReturnType<typeof record>;
  const db = () => nodis.server.keyspace.databases[0];
  const call = (...argv: string[]) => callParsed(raw, ...argv);

  beforeEach(async () => {
    raw ??= await nodis.raw();
    clock.set(NOW);
    db().clear();
    log = record(nodis.server);
  });

  describe('propagation and keyspace events', () => {
    test('writes propagate as sent; HSET of an unchanged value still does, as in Redis', async () => {
      await call('HSET', 'h', 'a', '1');
      await call('HSET', 'h', 'a', '1');
      await call('HMSET', 'h', 'b', '2');
      await call('HSETNX', 'h', 'a', '9');
      await call('HSETNX', 'h', 'c', '3');
      await call('HINCRBY', 'h', 'n', '5');
      await call('HDEL', 'h', 'zz');
      await call('HDEL', 'missing', 'a');
      await call('HDEL', 'h', 'a');
      expect(log.propagated).toEqual([
        ['HSET', 'h', 'a', '1'],
        ['HSET', 'h', 'a', '1'],
        ['HMSET', 'h', 'b', '2'],
        ['HSETNX', 'h', 'c', '3'],
        ['HINCRBY', 'h', 'n', '5'],
        ['HDEL', 'h', 'a'],
      ]);
      expect(log.events).toEqual([
        ['h', 'hset', 'h'],
        ['h', 'hset', 'h'],
        ['h', 'hset', 'h'],
        ['h', 'hset', 'h'],
        ['h', 'hincrby', 'h'],
        ['h', 'hdel', 'h'],
      ]);
    });

    test('HINCRBYFLOAT propagates as HSET with the result', async () => {
      await call('HINCRBYFLOAT', 'h', 'f', '10.5');
      await call('HINCRBYFLOAT', 'h', 'f', '0.1');
      await call('HINCRBYFLOAT', 'h', 'f', 'x');
      expect(log.propagated).toEqual([
        ['HSET', 'h', 'f', '10.5'],
        ['HSET', 'h', 'f', '10.6'],
      ]);
      expect(log.events).toEqual([
        ['h', 'hincrbyfloat', 'h'],
        ['h', 'hincrbyfloat', 'h'],
      ]);
    });

    test('HDEL of the last field deletes the key and fires del', async () => {
      await call('HSET', 'h', 'a', '1', 'b', '2');
      log.events.length = 0;
      expect(await call('HDEL', 'h', 'a', 'b', 'c')).toBe(2);
      expect(log.events).toEqual([
        ['h', 'hdel', 'h'],
        ['g', 'del', 'h'],
      ]);
      expect(db().peek('h')).toBeUndefined();
    });

    test('failed writes leave no key behind and propagate nothing', async () => {
      await call('HINCRBY', 'h', 'f', 'x');
      await call('HINCRBYFLOAT', 'h', 'f', 'inf');
      await call('HSET', 'h', 'a');
      expect(db().peek('h')).toBeUndefined();
      await call('HSET', 'h', 's', 'abc', 'n', '9223372036854775807');
      log.propagated.length = 0;
      await call('HINCRBY', 'h', 's', '1');
      await call('HINCRBY', 'h', 'n', '1');
      await call('HINCRBYFLOAT', 'h', 's', '1');
      expect(log.propagated).toEqual([]);
    });

    test('reads never propagate', async () => {
      await call('HSET', 'h', 'a', '1');
      log.propagated.length = 0;
      for (const argv of [
        ['HGET', 'h', 'a'],
        ['HMGET', 'h', 'a'],
        ['HLEN', 'h'],
        ['HSTRLEN', 'h', 'a'],
        ['HEXISTS', 'h', 'a'],
        ['HGETALL', 'h'],
        ['HKEYS', 'h'],
        ['HVALS', 'h'],
        ['HRANDFIELD', 'h', '-3', 'WITHVALUES'],
        ['HSCAN', 'h', '0'],
      ]) {
        await call(...argv);
      }
      expect(log.propagated).toEqual([]);
    });
  });

  describe('HRANDFIELD', () => {
    /** Rough chi-square bound: each count should be near `expected`. */
    function expectEven(counts: Map<string, number>, bins: number, expected: number): void {
      expect(counts.size).toBe(bins);
      let chi = 0;
      for (const n of counts.values()) chi += (n - expected) ** 2 / expected;
      expect(chi).toBeLessThan(60);
    }

    for (const [name, limit] of [
      ['listpack', '512'],
      ['hashtable', '0'],
    ]) {
      test(`picks evenly from a ${name}, values matching their fields`, async () => {
        await call('CONFIG', 'SET', 'hash-max-listpack-entries', limit);
        await call('HSET', 'h', ...fields(20));
        await call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
        expect(encodingOf(db().peek('h')!)).toBe(name);
        const reply = (await call('HRANDFIELD', 'h', '-20000', 'WITHVALUES')) as string[];
        const counts = new Map<string, number>();
        for (let i = 0; i < reply.length; i += 2) {
          expect(reply[i + 1]).toBe('v' + reply[i].slice(1));
          counts.set(reply[i], (counts.get(reply[i]) ?? 0) + 1);
        }
        expectEven(counts, 20, 1000);
        for (const count of [5, 15]) {
          const picks = new Map<string, number>();
          for (let i = 0; i < 400; i++) {
            const distinct = (await call('HRANDFIELD', 'h', String(count))) as string[];
            expect(new Set(distinct).size).toBe(count);
            for (const f of distinct) picks.set(f, (picks.get(f) ?? 0) + 1);
          }
          expectEven(picks, 20, (400 * count) / 20);
        }
      });
    }

    test('RESP3 WITHVALUES replies [field, value] pairs', async () => {
      await call('HSET', 'h', 'a', '1', 'b', '2');
      const conn = await nodis.raw();
      await callParsed(conn, 'HELLO', '3');
      const reply = (await callParsed(conn, 'HRANDFIELD', 'h', '-5', 'WITHVALUES')) as RespValue[];
      expect(reply).toHaveLength(5);
      for (const pair of reply as string[][]) expect(['a,1', 'b,2']).toContain(pair.join(','));
    });

    test('a repeat count too big to answer is refused instead of exhausting memory', async () => {
      await call('HSET', 'h', 'a', '1');
      const tooBig = String(-(MAX_REPEATED_PICKS + 1));
      expect(await call('HRANDFIELD', 'h', tooBig)).toEqual({ error: 'ERR value is out of range' });
      expect(await call('HRANDFIELD', 'h', tooBig, 'WITHVALUES')).toEqual({ error: 'ERR value is out of range' });
      expect(await call('HRANDFIELD', 'h', '-9223372036854775807')).toEqual({ error: 'ERR value is out of range' });
      expect(await call('HRANDFIELD', 'h', '-3')).toEqual(['a', 'a', 'a']);
    });
  });

  describe('HSCAN', () => {
    test('a full iteration returns every field present throughout, with its value, despite writes', async () => {
      await call('HSET', 'h', ...fields(2000));
      const seen = new Map<string, string>();
      let cursor = '0';
      let step = 0;
      do {
        const [next, items] = (await call('HSCAN', 'h', cursor, 'COUNT', '40')) as [string, string[]];
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
        cursor = next;
        await call('HDEL', 'h', `f${((step * 7) % 2000) | 1}`, `f${((step * 13) % 2000) | 2}`);
        await call('HSET', 'h', `new${step++}`, 'x');
      } while (cursor !== '0');
      for (let i = 0; i < 2000; i += 4) expect(seen.get(`f${i}`), `f${i}`).toBe(`v${i}`);
    });

    test('COUNT is about the number of fields, as with Redis', async () => {
      await call('HSET', 'h', ...fields(600));
      const [cursor, items] = (await call('HSCAN', 'h', '0', 'COUNT', '20')) as [string, string[]];
      expect(cursor).not.toBe('0');
      expect(items).toHaveLength(40);
    });
  });

  describe('encodings and keys', () => {
    test('thresholds changed with CONFIG SET apply to later writes only', async () => {
      await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
      await call('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
      expect(encodingOf(db().peek('h')!)).toBe('listpack');
      await call('HSET', 'h', 'a', '2');
      expect(encodingOf(db().peek('h')!)).toBe('listpack');
      await call('HSET', 'h', 'd', '4');
      expect(encodingOf(db().peek('h')!)).toBe('hashtable');
      await call('CONFIG', 'SET', 'hash-max-listpack-entries', '512');
    });

    test('an expired hash is gone for every command', async () => {
      await call('HSET', 'h', 'a', '1');
      await call('PEXPIRE', 'h', '10');
      clock.advance(11);
      expect(await call('HLEN', 'h')).toBe(0);
      expect(await call('HGETALL', 'h')).toEqual([]);
      expect(await call('HINCRBY', 'h', 'a', '5')).toBe(5);
      expect(await call('PTTL', 'h')).toBe(-1);
    });

    test('a hash with a million fields', async () => {
      for (let i = 0; i < 100; i++) await call('HSET', 'big', ...fields(10000, `${i}:`));
      expect(await call('HLEN', 'big')).toBe(1_000_000);
      expect(await call('HGET', 'big', '99:9999')).toBe('v9999');
      expect(await call('HRANDFIELD', 'big', '5')).toHaveLength(5);
      expect(await call('HINCRBY', 'big', '50:1', '1')).toEqual({ error: 'ERR hash value is not an integer' });
    });

    test('huge values and binary fields round-trip', async () => {
      const big = 'x'.repeat(5 * 1024 * 1024);
      await call('HSET', 'h', '\x00\xff', big);
      expect(await call('HSTRLEN', 'h', '\x00\xff')).toBe(big.length);
      expect(await call('HGET', 'h', '\x00\xff')).toBe(big);
      expect(encodingOf(db().peek('h')!)).toBe('hashtable');
    });
  });
});

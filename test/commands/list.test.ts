/**
 * List commands through the in-process server: what the wire cannot show byte for byte against
 * redis-server: propagation (what AOF and replicas would get), keyspace events, the list kept
 * per key with its node size, WATCH-style signals, TTLs, and the MULTI rule of blocking commands.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import type { Server } from '../../src/index';
import { Quicklist } from '../../src/types/quicklist';
import { recordWrites, type RecordedWrites } from '../helpers/record-writes';

/** Propagated commands and the list (l) and generic (g) keyspace events. */
const record = (server: Server): RecordedWrites => recordWrites(server, 'lg');

describe('list commands', () => {
  const nodis: NodisHandle = useNodis();
  let raw: RawConnection;
  let log: ReturnType<typeof record>;
  const db = () => nodis.server.keyspace.databases[0];
  const list = (key: string) => db().peek(key) as Quicklist;

  beforeEach(async () => {
    raw ??= await nodis.raw();
    await raw.call('FLUSHALL');
    await raw.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    log = record(nodis.server);
  });

  describe('propagation', () => {
    test('writes propagate as sent; no-ops do not propagate', async () => {
      await raw.call('RPUSH', 'l', 'a', 'b', 'c');
      await raw.call('LPUSHX', 'missing', 'x');
      await raw.call('LPOP', 'l', '0');
      await raw.call('LPOP', 'missing');
      await raw.call('LINSERT', 'l', 'BEFORE', 'nope', 'x');
      await raw.call('LREM', 'l', '0', 'nope');
      await raw.call('LTRIM', 'l', '0', '-1');
      await raw.call('LTRIM', 'l', '0', '1');
      await raw.call('LSET', 'l', '0', 'A');
      await raw.call('LMOVE', 'l', 'd', 'LEFT', 'RIGHT');
      await raw.call('RPOPLPUSH', 'missing', 'd');
      expect(log.propagated).toEqual([
        ['RPUSH', 'l', 'a', 'b', 'c'],
        ['LTRIM', 'l', '0', '1'],
        ['LSET', 'l', '0', 'A'],
        ['LMOVE', 'l', 'd', 'LEFT', 'RIGHT'],
      ]);
    });

    test('LMPOP propagates as LPOP/RPOP with the number popped', async () => {
      await raw.call('RPUSH', 'l', '1', '2', '3');
      log.propagated.length = 0;
      await raw.call('LMPOP', '2', 'missing', 'l', 'RIGHT', 'COUNT', '2');
      await raw.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '100');
      await raw.call('LMPOP', '1', 'l', 'LEFT');
      expect(log.propagated).toEqual([
        ['RPOP', 'l', '2'],
        ['LPOP', 'l', '1'],
      ]);
    });

    test('blocking commands that are served at once propagate as their non-blocking forms', async () => {
      await raw.call('RPUSH', 'l', '1', '2', '3', '4', '5', '6');
      log.propagated.length = 0;
      await raw.call('BLPOP', 'missing', 'l', '0');
      await raw.call('BRPOP', 'l', '1');
      await raw.call('BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '2');
      await raw.call('BLMOVE', 'l', 'd', 'Left', 'right', '0');
      await raw.call('BRPOPLPUSH', 'l', 'd', '0');
      expect(log.propagated).toEqual([
        ['LPOP', 'l'],
        ['RPOP', 'l'],
        ['LPOP', 'l', '2'],
        ['LMOVE', 'l', 'd', 'Left', 'right'],
        ['RPOPLPUSH', 'l', 'd'],
      ]);
      expect(await raw.call('EXISTS', 'l')).toBe(':0\r\n');
    });
  });

  describe('keyspace events', () => {
    test('pushes, edits and pops fire the events Redis fires, and del when a list empties', async () => {
      await raw.call('LPUSH', 'l', 'a', 'b');
      await raw.call('RPUSHX', 'l', 'c');
      await raw.call('LINSERT', 'l', 'AFTER', 'a', 'x');
      await raw.call('LSET', 'l', '0', 'y');
      await raw.call('LREM', 'l', '1', 'x');
      await raw.call('LTRIM', 'l', '0', '-1');
      await raw.call('RPOP', 'l', '10');
      expect(log.events).toEqual([
        ['l', 'lpush', 'l'],
        ['l', 'rpush', 'l'],
        ['l', 'linsert', 'l'],
        ['l', 'lset', 'l'],
        ['l', 'lrem', 'l'],
        ['l', 'ltrim', 'l'],
        ['l', 'rpop', 'l'],
        ['g', 'del', 'l'],
      ]);
    });

    test('LMOVE pushes to the destination first, then pops from the source', async () => {
      await raw.call('RPUSH', 's', 'only');
      log.events.length = 0;
      await raw.call('LMOVE', 's', 'd', 'RIGHT', 'LEFT');
      expect(log.events).toEqual([
        ['l', 'lpush', 'd'],
        ['l', 'rpop', 's'],
        ['g', 'del', 's'],
      ]);
    });

    test('LTRIM and LREM that empty a list delete it', async () => {
      await raw.call('RPUSH', 'a', 'x', 'x');
      await raw.call('RPUSH', 'b', 'y');
      log.events.length = 0;
      await raw.call('LREM', 'a', '0', 'x');
      await raw.call('LTRIM', 'b', '1', '0');
      expect(log.events).toEqual([
        ['l', 'lrem', 'a'],
        ['g', 'del', 'a'],
        ['l', 'ltrim', 'b'],
        ['g', 'del', 'b'],
      ]);
      expect(db().size).toBe(0);
    });
  });

  describe('the stored list', () => {
    test('OBJECT ENCODING is always quicklist; the value is a Quicklist in place', async () => {
      await raw.call('RPUSH', 'l', 'a');
      const value = list('l');
      expect(value).toBeInstanceOf(Quicklist);
      for (let i = 0; i < 5; i++) await raw.call('LPUSH', 'l', ...Array.from({ length: 1000 }, (_, j) => `element-${i}-${j}`));
      expect(list('l')).toBe(value);
      expect(await raw.call('OBJECT', 'ENCODING', 'l')).toBe('$9\r\nquicklist\r\n');
      expect(value.nodeCount).toBeGreaterThan(1);
    });

    test('a list keeps the node size it was created with; CONFIG SET affects new lists', async () => {
      await raw.call('RPUSH', 'old', 'a');
      await raw.call('CONFIG', 'SET', 'list-max-listpack-size', '2');
      await raw.call('RPUSH', 'old', 'b', 'c', 'd');
      await raw.call('RPUSH', 'new', 'a', 'b', 'c', 'd', 'e');
      expect(list('old').fill).toBe(-2);
      expect(list('old').nodeCount).toBe(1);
      expect(list('new').fill).toBe(2);
      expect([...list('new').nodes()]).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
      // LMOVE creates its destination with the current setting too.
      await raw.call('LMOVE', 'old', 'moved', 'LEFT', 'LEFT');
      expect(list('moved').fill).toBe(2);
    });

    test('a list keeps its TTL when changed in place and when emptied and refilled it has none', async () => {
      await raw.call('RPUSH', 'l', 'a', 'b');
      await raw.call('EXPIRE', 'l', '100');
      await raw.call('RPUSH', 'l', 'c');
      await raw.call('LPOP', 'l');
      await raw.call('LSET', 'l', '0', 'x');
      expect(await raw.call('TTL', 'l')).toBe(':100\r\n');
      await raw.call('RPOP', 'l', '5');
      await raw.call('RPUSH', 'l', 'again');
      expect(await raw.call('TTL', 'l')).toBe(':-1\r\n');
    });

    test('COPY gives an independent list; RENAME and MOVE carry it', async () => {
      await raw.call('RPUSH', 'l', 'a', 'b');
      await raw.call('COPY', 'l', 'c');
      await raw.call('RPUSH', 'c', 'x');
      expect(await raw.call('LLEN', 'l')).toBe(':2\r\n');
      expect(list('c')).not.toBe(list('l'));
      await raw.call('RENAME', 'c', 'r');
      expect(await raw.call('LRANGE', 'r', '0', '-1')).toBe('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nx\r\n');
    });

    test('binary elements round-trip through every read', async () => {
      const bin = '\x00\xff\r\n\x80';
      await raw.call('RPUSH', 'l', bin, 'x', bin);
      expect(await raw.call('LINDEX', 'l', '-1')).toBe(`$5\r\n${bin}\r\n`);
      expect(await raw.call('LPOS', 'l', bin, 'COUNT', '0')).toBe('*2\r\n:0\r\n:2\r\n');
      expect(await raw.call('LREM', 'l', '1', bin)).toBe(':1\r\n');
      expect(await raw.call('LPOP', 'l')).toBe('$1\r\nx\r\n');
    });

    test('long lists: LINDEX and LRANGE near both ends, LINSERT in the middle', async () => {
      const values = Array.from({ length: 20000 }, (_, i) => String(i));
      await raw.call('RPUSH', 'l', ...values);
      expect(await raw.call('LINDEX', 'l', '19999')).toBe('$5\r\n19999\r\n');
      expect(await raw.call('LINDEX', 'l', '-20000')).toBe('$1\r\n0\r\n');
      expect(await raw.call('LRANGE', 'l', '-2', '-1')).toBe('*2\r\n$5\r\n19998\r\n$5\r\n19999\r\n');
      expect(await raw.call('LINSERT', 'l', 'AFTER', '10000', 'mid')).toBe(':20001\r\n');
      expect(await raw.call('LINDEX', 'l', '10001')).toBe('$3\r\nmid\r\n');
      expect(await raw.call('LPOS', 'l', '19999')).toBe(':20000\r\n');
      expect(await raw.call('LPOS', 'l', '5', 'MAXLEN', '5')).toBe('$-1\r\n');
      expect(list('l').toArray().slice(9999, 10003)).toEqual(['9999', '10000', 'mid', '10001']);
    });
  });

  describe('blocking commands inside MULTI', () => {
    /** Runs the commands in one MULTI/EXEC and returns EXEC's reply. */
    async function transaction(...commands: string[][]): Promise<string> {
      expect(await raw.call('MULTI')).toBe('+OK\r\n');
      for (const argv of commands) expect(await raw.call(...argv)).toBe('+QUEUED\r\n');
      return raw.call('EXEC');
    }

    test('do not block: they answer the timeout reply at once', async () => {
      try {
        expect(
          await transaction(
            ['BLPOP', 'missing', '0'],
            ['BRPOP', 'missing', 'other', '0'],
            ['BLMPOP', '0', '1', 'missing', 'LEFT'],
            ['BLMOVE', 'missing', 'd', 'LEFT', 'LEFT', '0'],
            ['BRPOPLPUSH', 'missing', 'd', '0'],
          ),
        ).toBe('*5\r\n*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n');
        await raw.call('HELLO', '3');
        expect(await transaction(['BLPOP', 'missing', '0'], ['BRPOPLPUSH', 'missing', 'd', '0'])).toBe('*2\r\n_\r\n_\r\n');
        // With data they are served as usual.
        await raw.call('RPUSH', 'l', 'a', 'b');
        expect(await transaction(['BLMOVE', 'l', 'd', 'LEFT', 'LEFT', '0'], ['BLPOP', 'l', '0'])).toBe(
          '*2\r\n$1\r\na\r\n*2\r\n$1\r\nl\r\n$1\r\nb\r\n',
        );
        expect(nodis.server.blocking.blockedCount).toBe(0);
        expect(log.propagated).toEqual([
          ['RPUSH', 'l', 'a', 'b'],
          ['MULTI'],
          ['LMOVE', 'l', 'd', 'LEFT', 'LEFT'],
          ['LPOP', 'l'],
          ['EXEC'],
        ]);
      } finally {
        await raw.call('HELLO', '2');
      }
    });
  });

  describe('WRONGTYPE and arity', () => {
    test('every list command refuses a string key', async () => {
      await raw.call('SET', 's', 'v');
      const wrongType = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
      const commands: string[][] = [
        ['LPUSH', 's', 'a'],
        ['RPUSHX', 's', 'a'],
        ['LPOP', 's'],
        ['RPOP', 's', '2'],
        ['LLEN', 's'],
        ['LRANGE', 's', '0', '1'],
        ['LINDEX', 's', '0'],
        ['LSET', 's', '0', 'a'],
        ['LINSERT', 's', 'BEFORE', 'a', 'b'],
        ['LREM', 's', '0', 'a'],
        ['LTRIM', 's', '0', '1'],
        ['LPOS', 's', 'a'],
        ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
        ['RPOPLPUSH', 's', 'd'],
        ['LMPOP', '1', 's', 'LEFT'],
        ['BLPOP', 's', '0'],
        ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'],
        ['BLMPOP', '0', '1', 's', 'LEFT'],
      ];
      for (const argv of commands) expect(await raw.call(...argv), argv.join(' ')).toBe(wrongType);
      expect(await raw.call('GET', 's')).toBe('$1\r\nv\r\n');
      expect(log.propagated).toEqual([['SET', 's', 'v']]);
    });

    test('LPOP and RPOP check their real arity', async () => {
      expect(await raw.call('LPOP', 'l', '1', '2')).toBe("-ERR wrong number of arguments for 'lpop' command\r\n");
      expect(await raw.call('rPoP', 'l', '1', '2')).toBe("-ERR wrong number of arguments for 'rpop' command\r\n");
    });
  });
});

/**
 * String commands through the in-process server: what the wire cannot show byte for byte against
 * redis-server (encodings, TTLs with a manual clock, propagation, keyspace events, WRONGTYPE on
 * collection values).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import { encodeCommand, type RawConnection } from '../helpers/raw-connection';
import { ManualClock, type Server } from '../../src/index';
import { encodingOf, type CollectionValue } from '../../src/keyspace/value';
import { MutableString } from '../../src/types/mutable-string';
import { recordWrites, type RecordedWrites } from '../helpers/record-writes';

/**
 * Propagated commands and keyspace events, recorded from the server's hooks. Only the string (\$)
 * and generic (g) events the commands fire themselves are kept: "new" and "keymiss" come from
 * the keyspace and lookup layers.
 */
const record = (server: Server): RecordedWrites => recordWrites(server, '$g');

/** A stand-in collection value, to see string commands meet another type. */
const fakeList: CollectionValue = { type: 'list', encoding: () => 'quicklist', clone: () => fakeList, memoryUsage: () => 0 };

const NOW = 1_700_000_000_000;
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

describe('string commands', () => {
  const clock = new ManualClock(NOW);
  const nodis: NodisHandle = useNodis({ clock });
  let raw: RawConnection;
  let log: ReturnType<typeof record>;
  const db = () => nodis.server.keyspace.databases[0];
  const encoding = (key: string) => {
    const v = db().peek(key);
    return v === undefined ? undefined : encodingOf(v);
  };

  beforeEach(async () => {
    raw ??= await nodis.raw();
    clock.set(NOW);
    db().clear();
    log = record(nodis.server);
  });

  describe('encodings', () => {
    test('SET stores int, embstr or raw by content and length', async () => {
      const cases: [string, string][] = [
        ['123', 'int'],
        ['-5', 'int'],
        ['9223372036854775807', 'int'],
        ['-9223372036854775808', 'int'],
        ['9223372036854775808', 'embstr'],
        ['01', 'embstr'],
        ['-0', 'embstr'],
        ['+1', 'embstr'],
        ['1.5', 'embstr'],
        ['', 'embstr'],
        ['x'.repeat(44), 'embstr'],
        ['x'.repeat(45), 'raw'],
      ];
      for (const [value, expected] of cases) {
        await raw.call('SET', 'k', value);
        expect(encoding('k'), JSON.stringify(value)).toBe(expected);
        expect(await raw.call('GET', 'k')).toBe(`$${value.length}\r\n${value}\r\n`);
      }
      expect(typeof db().peek('k')).toBe('string');
      await raw.call('SET', 'n', '42');
      expect(db().peek('n')).toBe(42);
    });

    test('MSET, GETSET, SETNX, SETEX and APPEND on a new key encode by content', async () => {
      await raw.call('MSET', 'a', '1', 'b', 'text', 'c', 'y'.repeat(50));
      expect([encoding('a'), encoding('b'), encoding('c')]).toEqual(['int', 'embstr', 'raw']);
      await raw.call('GETSET', 'a', 'z');
      await raw.call('SETNX', 'd', '77');
      await raw.call('SETEX', 'e', '100', '78');
      await raw.call('APPEND', 'f', '79');
      expect([encoding('a'), encoding('d'), encoding('e'), encoding('f')]).toEqual(['embstr', 'int', 'int', 'int']);
    });

    test('INCR results are int, also beyond 2^53', async () => {
      await raw.call('SET', 'k', 'abc');
      await raw.call('APPEND', 'n', '1');
      await raw.call('APPEND', 'n', '0');
      expect(encoding('n')).toBe('raw');
      expect(await raw.call('INCR', 'n')).toBe(':11\r\n');
      expect(db().peek('n')).toBe(11);
      await raw.call('SET', 'big', '9007199254740991');
      expect(await raw.call('INCRBY', 'big', '10')).toBe(':9007199254741001\r\n');
      expect(encoding('big')).toBe('int');
      expect(await raw.call('GET', 'big')).toBe('$16\r\n9007199254741001\r\n');
      expect(await raw.call('DECRBY', 'big', '10')).toBe(':9007199254740991\r\n');
      expect(db().peek('big')).toBe(9007199254740991);
    });

    test('APPEND, SETRANGE, SETBIT and BITFIELD leave a raw value, edited in place', async () => {
      await raw.call('SET', 'a', 'x');
      await raw.call('APPEND', 'a', 'y');
      const first = db().peek('a');
      expect(first).toBeInstanceOf(MutableString);
      for (let i = 0; i < 1000; i++) await raw.call('APPEND', 'a', 'z');
      expect(db().peek('a')).toBe(first);
      expect(await raw.call('STRLEN', 'a')).toBe(':1002\r\n');

      await raw.call('SET', 'r', '12');
      await raw.call('SETRANGE', 'r', '0', '3');
      expect(encoding('r')).toBe('raw');
      await raw.call('SETRANGE', 'new', '2', 'ab');
      expect(encoding('new')).toBe('raw');

      await raw.call('SET', 'b', 'abc');
      await raw.call('SETBIT', 'b', '0', '1');
      expect(encoding('b')).toBe('raw');
      const bitmap = db().peek('b');
      await raw.call('SETBIT', 'b', '100', '1');
      expect(db().peek('b')).toBe(bitmap);

      await raw.call('SET', 'f', '5');
      await raw.call('BITFIELD', 'f', 'SET', 'u8', '0', '66');
      expect(encoding('f')).toBe('raw');
      expect(await raw.call('GET', 'f')).toBe('$1\r\nB\r\n');
    });

    test('SETRANGE with an empty value changes nothing, not even the encoding', async () => {
      await raw.call('SET', 'k', '12');
      expect(await raw.call('SETRANGE', 'k', '5', '')).toBe(':2\r\n');
      expect(encoding('k')).toBe('int');
      expect(await raw.call('SETRANGE', 'missing', '5', '')).toBe(':0\r\n');
      expect(db().peek('missing')).toBeUndefined();
    });

    test('INCRBYFLOAT stores its result as a string', async () => {
      await raw.call('INCRBYFLOAT', 'k', '10.5');
      expect(encoding('k')).toBe('embstr');
      await raw.call('INCRBYFLOAT', 'big', '1e100');
      expect(encoding('big')).toBe('raw');
    });
  });

  describe('TTLs', () => {
    test('SET with EX, PX, EXAT and PXAT stores an absolute expire time', async () => {
      await raw.call('SET', 'a', 'v', 'EX', '10');
      await raw.call('SET', 'b', 'v', 'PX', '1500');
      await raw.call('SET', 'c', 'v', 'EXAT', '1800000000');
      await raw.call('SET', 'd', 'v', 'PXAT', '1800000000123');
      await raw.call('SETEX', 'e', '7', 'v');
      await raw.call('PSETEX', 'f', '70', 'v');
      expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => db().getExpire(k))).toEqual([
        NOW + 10_000,
        NOW + 1500,
        1_800_000_000_000,
        1_800_000_000_123,
        NOW + 7000,
        NOW + 70,
      ]);
    });

    test('a key set with PX 1 is gone once the clock passes it', async () => {
      await raw.call('SET', 'k', 'v', 'PX', '1');
      clock.advance(1);
      expect(await raw.call('GET', 'k')).toBe('$1\r\nv\r\n');
      clock.advance(1);
      expect(await raw.call('GET', 'k')).toBe('$-1\r\n');
      expect(await raw.call('SET', 'k', 'w', 'NX')).toBe('+OK\r\n');
    });

    test('SET with EXAT in the past succeeds and the key then reads as missing', async () => {
      expect(await raw.call('SET', 'k', 'v', 'EXAT', '1')).toBe('+OK\r\n');
      expect(await raw.call('GET', 'k')).toBe('$-1\r\n');
      expect(log.propagated).toEqual([
        ['SET', 'k', 'v', 'PXAT', '1000'],
        ['DEL', 'k'],
      ]);
    });

    test('SET, GETSET and MSET clear the TTL; KEEPTTL, INCR, APPEND, SETRANGE, SETBIT and INCRBYFLOAT keep it', async () => {
      const keep = [
        ['SET', 'k', 'v', 'KEEPTTL'],
        ['SET', 'k', '1', 'XX', 'KEEPTTL', 'GET'],
        ['INCR', 'k'],
        ['INCRBYFLOAT', 'k', '1.5'],
        ['APPEND', 'k', '0'],
        ['SETRANGE', 'k', '0', '5'],
        ['SETBIT', 'k', '100', '1'],
        ['BITFIELD', 'k', 'INCRBY', 'u8', '0', '1'],
      ];
      for (const argv of keep) {
        await raw.call('SET', 'k', '1', 'EX', '100');
        await raw.call(...argv);
        expect(db().getExpire('k'), argv.join(' ')).toBe(NOW + 100_000);
      }
      const clear = [['SET', 'k', 'v'], ['GETSET', 'k', 'v'], ['MSET', 'k', 'v'], ['SET', 'k', 'v', 'GET']];
      for (const argv of clear) {
        await raw.call('SET', 'k', '1', 'EX', '100');
        await raw.call(...argv);
        expect(db().getExpire('k'), argv.join(' ')).toBeUndefined();
      }
    });

    test('BITOP replaces the target and its TTL', async () => {
      await raw.call('SET', 'src', 'a');
      await raw.call('SET', 'dst', 'x', 'EX', '100');
      expect(await raw.call('BITOP', 'NOT', 'dst', 'src')).toBe(':1\r\n');
      expect(db().getExpire('dst')).toBeUndefined();
    });

    test('GETEX sets, replaces and removes the TTL', async () => {
      await raw.call('SET', 'k', 'v');
      expect(await raw.call('GETEX', 'k', 'EX', '5')).toBe('$1\r\nv\r\n');
      expect(db().getExpire('k')).toBe(NOW + 5000);
      await raw.call('GETEX', 'k', 'PXAT', String(NOW + 99));
      expect(db().getExpire('k')).toBe(NOW + 99);
      await raw.call('GETEX', 'k');
      expect(db().getExpire('k')).toBe(NOW + 99);
      await raw.call('GETEX', 'k', 'PERSIST');
      expect(db().getExpire('k')).toBeUndefined();
      expect(await raw.call('GETEX', 'k', 'EXAT', String(NOW / 1000))).toBe('$1\r\nv\r\n');
      expect(db().peek('k')).toBeUndefined();
    });

    test('expired keys read as missing for every read command', async () => {
      await raw.call('SET', 'k', 'hello', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('STRLEN', 'k')).toBe(':0\r\n');
      await raw.call('SET', 'k', 'hello', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('GETRANGE', 'k', '0', '-1')).toBe('$0\r\n\r\n');
      await raw.call('SET', 'k', '5', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('INCR', 'k')).toBe(':1\r\n');
      expect(db().getExpire('k')).toBeUndefined();
      await raw.call('SET', 'k', 'abc', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('APPEND', 'k', 'd')).toBe(':1\r\n');
      await raw.call('SET', 'k', 'abc', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('MSETNX', 'k', '1')).toBe(':1\r\n');
      await raw.call('SET', 'k', 'abc', 'PX', '10');
      clock.advance(11);
      expect(await raw.call('GETDEL', 'k')).toBe('$-1\r\n');
      expect(await raw.call('MGET', 'k')).toBe('*1\r\n$-1\r\n');
    });
  });

  describe('propagation', () => {
    test('relative and absolute expires propagate as SET ... PXAT', async () => {
      await raw.call('SET', 'a', 'v', 'EX', '10', 'NX');
      await raw.call('SET', 'a', 'w', 'px', '20', 'GET');
      await raw.call('SET', 'a', 'x', 'EXAT', '1800000000');
      await raw.call('SETEX', 'b', '3', 'v');
      await raw.call('PSETEX', 'c', '4', 'v');
      await raw.call('SET', 'd', 'v', 'EXAT', '9223372036854775');
      expect(log.propagated).toEqual([
        ['SET', 'a', 'v', 'PXAT', String(NOW + 10_000)],
        ['SET', 'a', 'w', 'PXAT', String(NOW + 20)],
        ['SET', 'a', 'x', 'PXAT', '1800000000000'],
        ['SET', 'b', 'v', 'PXAT', String(NOW + 3000)],
        ['SET', 'c', 'v', 'PXAT', String(NOW + 4)],
        ['SET', 'd', 'v', 'PXAT', '9223372036854775000'],
      ]);
    });

    test('SET GET propagates without GET; refused SETs are not propagated', async () => {
      await raw.call('SET', 'k', 'v', 'GET', 'KEEPTTL', 'get');
      await raw.call('SET', 'k', 'v', 'NX');
      await raw.call('SET', 'k', 'v', 'NX', 'GET');
      await raw.call('SETNX', 'k', 'w');
      await raw.call('MSETNX', 'k', 'w', 'k2', 'w');
      await raw.call('SET', 'x', 'v', 'XX');
      await raw.call('SET', 'k', 'w', 'get\x00junk');
      expect(log.propagated).toEqual([
        ['SET', 'k', 'v', 'KEEPTTL'],
        ['SET', 'k', 'w'],
      ]);
    });

    test('GETSET, INCRBYFLOAT, GETDEL and GETEX are rewritten', async () => {
      await raw.call('GETSET', 'k', '1.5');
      await raw.call('INCRBYFLOAT', 'k', '0.25');
      await raw.call('GETEX', 'k', 'EX', '100');
      await raw.call('GETEX', 'k', 'PERSIST');
      await raw.call('GETEX', 'k', 'PERSIST');
      await raw.call('GETEX', 'k');
      await raw.call('GETEX', 'k', 'PXAT', '1');
      await raw.call('SET', 'k', 'v');
      await raw.call('GETDEL', 'k');
      await raw.call('GETDEL', 'k');
      expect(log.propagated).toEqual([
        ['SET', 'k', '1.5'],
        ['SET', 'k', '1.75', 'KEEPTTL'],
        ['PEXPIREAT', 'k', String(NOW + 100_000)],
        ['PERSIST', 'k'],
        ['DEL', 'k'],
        ['SET', 'k', 'v'],
        ['DEL', 'k'],
      ]);
    });

    test('GETDEL and GETEX propagate UNLINK under the lazyfree settings', async () => {
      await raw.call('CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes', 'lazyfree-lazy-expire', 'yes');
      try {
        await raw.call('MSET', 'a', '1', 'b', '2');
        await raw.call('GETDEL', 'a');
        await raw.call('GETEX', 'b', 'EXAT', '1');
      } finally {
        await raw.call('CONFIG', 'SET', 'lazyfree-lazy-user-del', 'no', 'lazyfree-lazy-expire', 'no');
      }
      expect(log.propagated.slice(1)).toEqual([
        ['UNLINK', 'a'],
        ['UNLINK', 'b'],
      ]);
    });

    test('commands that change nothing are not propagated', async () => {
      await raw.call('SET', 'k', 'abc');
      log.propagated.length = 0;
      await raw.call('SETRANGE', 'k', '1', '');
      await raw.call('SETBIT', 'k', '1', '1');
      await raw.call('BITFIELD', 'k', 'SET', 'u8', '0', '97', 'INCRBY', 'u4', '4', '0', 'GET', 'u8', '0');
      await raw.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '9');
      await raw.call('INCR', 'k');
      await raw.call('BITOP', 'AND', 'k2', 'missing');
      expect(log.propagated).toEqual([]);
      await raw.call('APPEND', 'k', '');
      await raw.call('SETBIT', 'k', '1', '0');
      await raw.call('BITOP', 'NOT', 'k3', 'k');
      expect(log.propagated).toEqual([
        ['APPEND', 'k', ''],
        ['SETBIT', 'k', '1', '0'],
        ['BITOP', 'NOT', 'k3', 'k'],
      ]);
    });
  });

  describe('keyspace events', () => {
    test('string events as t_string.c fires them', async () => {
      await raw.call('SET', 'k', '1');
      await raw.call('SET', 'k', '1', 'EX', '10');
      await raw.call('INCRBY', 'k', '2');
      await raw.call('DECR', 'k');
      await raw.call('INCRBYFLOAT', 'k', '1');
      await raw.call('APPEND', 'k', 'x');
      await raw.call('SETRANGE', 'k', '0', 'y');
      await raw.call('GETSET', 'k', 'z');
      await raw.call('MSET', 'a', '1', 'b', '2');
      await raw.call('GETEX', 'a', 'EX', '5');
      await raw.call('GETEX', 'a', 'PERSIST');
      await raw.call('GETEX', 'a', 'EXAT', '1');
      await raw.call('GETDEL', 'b');
      await raw.call('SETEX', 'c', '5', 'v');
      expect(log.events).toEqual([
        ['$', 'set', 'k'],
        ['$', 'set', 'k'],
        ['g', 'expire', 'k'],
        ['$', 'incrby', 'k'],
        ['$', 'incrby', 'k'],
        ['$', 'incrbyfloat', 'k'],
        ['$', 'append', 'k'],
        ['$', 'setrange', 'k'],
        ['$', 'set', 'k'],
        ['$', 'set', 'a'],
        ['$', 'set', 'b'],
        ['g', 'expire', 'a'],
        ['g', 'persist', 'a'],
        ['g', 'del', 'a'],
        ['g', 'del', 'b'],
        ['$', 'set', 'c'],
        ['g', 'expire', 'c'],
      ]);
    });

    test('bitmap events', async () => {
      await raw.call('SETBIT', 'k', '3', '1');
      await raw.call('SETBIT', 'k', '3', '1');
      await raw.call('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '1');
      await raw.call('BITFIELD', 'k', 'GET', 'u8', '0');
      await raw.call('BITOP', 'OR', 'd', 'k');
      await raw.call('BITOP', 'OR', 'd', 'missing');
      await raw.call('BITOP', 'OR', 'd', 'missing');
      expect(log.events).toEqual([
        ['$', 'setbit', 'k'],
        ['$', 'setbit', 'k'],
        ['$', 'set', 'd'],
        ['g', 'del', 'd'],
      ]);
    });

    test('failed commands fire nothing', async () => {
      await raw.call('SET', 'k', 'abc');
      log.events.length = 0;
      await raw.call('INCR', 'k');
      await raw.call('INCRBYFLOAT', 'k', '1');
      await raw.call('SET', 'k', 'v', 'NX');
      await raw.call('SETRANGE', 'k', '-1', 'x');
      await raw.call('SET', 'k', 'v', 'EX', '0');
      expect(log.events).toEqual([]);
    });
  });

  describe('keys of another type', () => {
    beforeEach(() => {
      db().set('list', fakeList);
    });

    test('every string command replies WRONGTYPE and leaves the key alone', async () => {
      const commands = [
        ['GET', 'list'],
        ['GETEX', 'list', 'EX', '10'],
        ['GETDEL', 'list'],
        ['GETSET', 'list', 'v'],
        ['SET', 'list', 'v', 'GET'],
        ['APPEND', 'list', 'x'],
        ['STRLEN', 'list'],
        ['GETRANGE', 'list', '0', '1'],
        ['SUBSTR', 'list', '0', '1'],
        ['SETRANGE', 'list', '0', 'x'],
        ['SETRANGE', 'list', '0', ''],
        ['INCR', 'list'],
        ['DECR', 'list'],
        ['INCRBY', 'list', '2'],
        ['DECRBY', 'list', '2'],
        ['INCRBYFLOAT', 'list', '1.5'],
        ['SETBIT', 'list', '0', '1'],
        ['GETBIT', 'list', '0'],
        ['BITCOUNT', 'list'],
        ['BITCOUNT', 'list', 'x', 'y'],
        ['BITPOS', 'list', '1'],
        ['BITOP', 'AND', 'dest', 'list'],
        ['BITOP', 'OR', 'dest', 'missing', 'list'],
        ['BITFIELD', 'list', 'GET', 'u8', '0'],
        ['BITFIELD', 'list', 'SET', 'u8', '0', '1'],
        ['BITFIELD_RO', 'list', 'GET', 'u8', '0'],
      ];
      for (const argv of commands) expect(await raw.call(...argv), argv.join(' ')).toBe(WRONGTYPE);
      expect(db().peek('list')).toBe(fakeList);
      expect(db().peek('dest')).toBeUndefined();
    });

    test('argument errors come first where Redis checks them first', async () => {
      expect(await raw.call('GETRANGE', 'list', 'x', '1')).toBe('-ERR value is not an integer or out of range\r\n');
      expect(await raw.call('SETBIT', 'list', '-1', '1')).toBe('-ERR bit offset is not an integer or out of range\r\n');
      expect(await raw.call('GETEX', 'list', 'FOO')).toBe('-ERR syntax error\r\n');
      expect(await raw.call('SET', 'list', 'v', 'EX', '0', 'GET')).toBe("-ERR invalid expire time in 'set' command\r\n");
      expect(await raw.call('BITPOS', 'list', '2')).toBe('-ERR The bit argument must be 1 or 0.\r\n');
      expect(await raw.call('BITFIELD', 'list', 'GET', 'u64', '0')).toBe(
        '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n',
      );
      expect(await raw.call('BITFIELD_RO', 'list', 'SET', 'u8', '0', '1')).toBe(
        '-ERR BITFIELD_RO only supports the GET subcommand\r\n',
      );
    });

    test('MGET reads them as null; SET, MSET and BITOP overwrite them', async () => {
      await raw.call('SET', 's', 'v');
      expect(await raw.call('MGET', 'list', 's')).toBe('*2\r\n$-1\r\n$1\r\nv\r\n');
      expect(await raw.call('SET', 'list', 'v')).toBe('+OK\r\n');
      db().set('list2', fakeList);
      expect(await raw.call('MSET', 'list2', 'w')).toBe('+OK\r\n');
      db().set('list3', fakeList);
      expect(await raw.call('BITOP', 'NOT', 'list3', 's')).toBe(':1\r\n');
      expect(await raw.call('MGET', 'list', 'list2', 'list3')).toBe('*3\r\n$1\r\nv\r\n$1\r\nw\r\n$1\r\n\x89\r\n');
    });

    test('SET NX and MSETNX see them as existing keys', async () => {
      expect(await raw.call('SET', 'list', 'v', 'NX')).toBe('$-1\r\n');
      expect(await raw.call('SETNX', 'list', 'v')).toBe(':0\r\n');
      expect(await raw.call('MSETNX', 'new', 'v', 'list', 'v')).toBe(':0\r\n');
      expect(await raw.call('SET', 'list', 'v', 'XX')).toBe('+OK\r\n');
    });

    test('LCS names the problem', async () => {
      await raw.call('SET', 's', 'v');
      const error = '-ERR The specified keys must contain string values\r\n';
      expect(await raw.call('LCS', 's', 'list')).toBe(error);
      expect(await raw.call('LCS', 'list', 'missing', 'FOO')).toBe(error);
    });
  });

  test('keyspace hits, misses and keymiss events are counted by reads', async () => {
    const keymisses: string[] = [];
    nodis.server.keyspaceEventListeners.push((kind, _event, key) => {
      if (kind === 'm') keymisses.push(key);
    });
    const keyspace = nodis.server.keyspace;
    await raw.call('SET', 'k', 'v');
    const hits = keyspace.keyspaceHits;
    const misses = keyspace.keyspaceMisses;
    await raw.call('GET', 'k');
    await raw.call('MGET', 'k', 'missing', 'k');
    await raw.call('GET', 'missing');
    await raw.call('LCS', 'k', 'missing');
    expect(keyspace.keyspaceHits - hits).toBe(4);
    expect(keyspace.keyspaceMisses - misses).toBe(3);
    expect(keymisses).toEqual(['missing', 'missing', 'missing']);
  });

  test('a 1 MB value round-trips through SET, APPEND, GETRANGE and SETRANGE', async () => {
    const redis = nodis.client({ enableReadyCheck: false });
    const big = Buffer.alloc(1024 * 1024, 0xab);
    await redis.set('big', big);
    expect(await redis.append('big', big)).toBe(2 * big.length);
    expect(await redis.setrange('big', 10, 'hello')).toBe(2 * big.length);
    const back = await redis.getBuffer('big');
    expect(back?.length).toBe(2 * big.length);
    expect(back?.subarray(10, 15).toString()).toBe('hello');
    expect((await redis.getrangeBuffer('big', -3, -1)).equals(Buffer.from([0xab, 0xab, 0xab]))).toBe(true);
  });

  test('a pipelined edit after GET of a large raw value does not change the GET reply', async () => {
    const value = 'a'.repeat(10_000);
    await raw.call('SET', 'k', 'x');
    await raw.call('APPEND', 'k', value);
    raw.write(Buffer.concat([encodeCommand(['GET', 'k']), encodeCommand(['SETRANGE', 'k', '0', 'zzz']), encodeCommand(['GET', 'k'])]));
    expect((await raw.readReply()).toString('latin1')).toBe(`$10001\r\nx${value}\r\n`);
    expect((await raw.readReply()).toString('latin1')).toBe(':10001\r\n');
    expect((await raw.readReply()).toString('latin1')).toBe(`$10001\r\nzzz${value.slice(2)}\r\n`);
  });
});

/**
 * Keyspace events of the string and bitmap commands, compared with redis-server byte for byte.
 */
import { describeCompat } from './harness';
import { DEBUG_ENABLED, eventScript, withoutActiveExpiry } from './keyspace-events-script';

describeCompat('compat: keyspace events of string commands', (pair) => {
  eventScript(pair, 'SET and its options', withoutActiveExpiry([
    ['SET', 'k', 'v'],
    ['SET', 'k', 'v2', 'NX'],
    ['SET', 'k', 'v3', 'XX'],
    ['SET', 'missing', 'v', 'XX'],
    ['SET', 'k', 'v4', 'GET'],
    ['SET', 'k', 'v5', 'EX', '100'],
    ['SET', 'k', 'v6', 'PX', '100000', 'NX'],
    ['SET', 'k', 'v7', 'KEEPTTL'],
    ['SET', 'k', 'v8', 'EXAT', '1'],
    ['GET', 'k'],
    ['SET', 'k', 'v9', 'PXAT', '99999999999999'],
    ['SET', 'k', 'v', 'EX', '0'],
    ['SET', 'k', 'v', 'EX', 'abc'],
    ['SET', 'k', 'v', 'NX', 'XX'],
    ['SET', 'k\x00bin\xff', '\x00'],
    ['LPUSH', 'list', 'a'],
    ['SET', 'list', 'v', 'GET'],
    ['SET', 'list', 'v'],
  ]));

  eventScript(pair, 'SETNX, SETEX, PSETEX, GETSET, MSET, MSETNX', [
    ['SETNX', 'a', '1'],
    ['SETNX', 'a', '2'],
    ['SETEX', 'b', '10', 'v'],
    ['SETEX', 'b', '0', 'v'],
    ['SETEX', 'b', '-5', 'v'],
    ['PSETEX', 'c', '10000', 'v'],
    ['GETSET', 'a', 'x'],
    ['GETSET', 'new', 'x'],
    ['MSET', 'a', '1', 'b', '2', 'a', '3'],
    ['MSETNX', 'a', '1', 'z', '2'],
    ['MSETNX', 'y', '1', 'z', '2'],
    ['MSET', 'a'],
  ]);

  eventScript(pair, 'APPEND, SETRANGE, counters', [
    ['APPEND', 'k', 'abc'],
    ['APPEND', 'k', ''],
    ['APPEND', 'k', 'def'],
    ['SETRANGE', 'k', '1', 'X'],
    ['SETRANGE', 'k', '1', ''],
    ['SETRANGE', 'nokey', '0', ''],
    ['SETRANGE', 'nokey', '3', 'v'],
    ['SETRANGE', 'k', '-1', 'v'],
    ['INCR', 'n'],
    ['DECR', 'n'],
    ['INCRBY', 'n', '10'],
    ['DECRBY', 'n', '3'],
    ['INCRBY', 'n', 'x'],
    ['INCR', 'k'],
    ['INCRBYFLOAT', 'f', '1.5'],
    ['INCRBYFLOAT', 'f', 'nan'],
    ['INCRBY', 'n', '9223372036854775807'],
  ]);

  eventScript(pair, 'GET, GETDEL, GETEX and key misses', withoutActiveExpiry([
    ['GET', 'nokey'],
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['GETDEL', 'k'],
    ['GETDEL', 'k'],
    ['SET', 'k', 'v'],
    ['GETEX', 'k'],
    ['GETEX', 'k', 'EX', '100'],
    ['GETEX', 'k', 'PERSIST'],
    ['GETEX', 'k', 'PERSIST'],
    ['GETEX', 'k', 'PXAT', '1'],
    ['GETEX', 'k', 'EX', '100'],
    ['GETEX', 'nokey', 'PERSIST'],
    ['SET', 'k', 'v'],
    ['GETEX', 'k', 'EXAT', '1'],
    ['MGET', 'a', 'k', 'b'],
    ['STRLEN', 'nokey'],
    ['GETRANGE', 'nokey', '0', '1'],
    ['SUBSTR', 'nokey', '0', '1'],
    ['LCS', 'x', 'y'],
  ]));

  eventScript(pair, 'bitmaps', [
    ['SETBIT', 'b', '7', '1'],
    ['SETBIT', 'b', '7', '1'],
    ['SETBIT', 'b', '7', '0'],
    ['SETBIT', 'b', '100', '0'],
    ['GETBIT', 'nokey', '0'],
    ['BITCOUNT', 'nokey'],
    ['BITPOS', 'nokey', '1'],
    ['SET', 'x', 'abc'],
    ['BITOP', 'AND', 'dest', 'b', 'x'],
    ['BITOP', 'OR', 'dest', 'nokey1', 'nokey2'],
    ['BITOP', 'NOT', 'dest2', 'x'],
    ['BITOP', 'XOR', 'dest2', 'nokey'],
    ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'],
    ['BITFIELD', 'bf', 'GET', 'u8', '0'],
    ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '1', 'SET', 'u8', '8', '1'],
    ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
    ['BITFIELD', 'nokey', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 'nokey', 'GET', 'u8', '0'],
    ['BITFIELD', 'bf2', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
  ]);
}, DEBUG_ENABLED);

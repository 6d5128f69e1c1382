/**
 * Bitmap commands through the in-process server: in-place edits, large bitmaps, and how the
 * stored value changes (what compat tests cannot see).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import type { RawConnection } from '../helpers/raw-connection';
import { encodingOf } from '../../src/keyspace/value';
import { MutableString } from '../../src/types/mutable-string';

describe('bitmap commands', () => {
  const nodis: NodisHandle = useNodis();
  let raw: RawConnection;
  const db = () => nodis.server.keyspace.databases[0];

  beforeEach(async () => {
    raw ??= await nodis.raw();
    db().clear();
  });

  test('SETBIT grows one bitmap in place', async () => {
    await raw.call('SETBIT', 'k', '0', '1');
    const bitmap = db().peek('k');
    expect(bitmap).toBeInstanceOf(MutableString);
    for (let offset = 8; offset < 16_000; offset += 8) await raw.call('SETBIT', 'k', String(offset), '1');
    expect(db().peek('k')).toBe(bitmap);
    expect(await raw.call('STRLEN', 'k')).toBe(':2000\r\n');
    expect(await raw.call('BITCOUNT', 'k')).toBe(':2000\r\n');
    expect(await raw.call('BITPOS', 'k', '0')).toBe(':1\r\n');
  });

  test('SETBIT returns the previous bit and clears what it set', async () => {
    expect(await raw.call('SETBIT', 'k', '13', '1')).toBe(':0\r\n');
    expect(await raw.call('SETBIT', 'k', '13', '1')).toBe(':1\r\n');
    expect(await raw.call('GET', 'k')).toBe('$2\r\n\x00\x04\r\n');
    expect(await raw.call('SETBIT', 'k', '13', '0')).toBe(':1\r\n');
    expect(await raw.call('GET', 'k')).toBe('$2\r\n\x00\x00\r\n');
  });

  test('BITCOUNT and BITPOS on a large bitmap', async () => {
    const size = 4 * 1024 * 1024;
    await raw.call('SETRANGE', 'k', String(size - 1), '\x01');
    await raw.call('SETBIT', 'k', '3', '1');
    expect(await raw.call('BITCOUNT', 'k')).toBe(':2\r\n');
    expect(await raw.call('BITCOUNT', 'k', '1', '-1')).toBe(':1\r\n');
    expect(await raw.call('BITCOUNT', 'k', '4', String(size * 8 - 2), 'BIT')).toBe(':0\r\n');
    expect(await raw.call('BITPOS', 'k', '1', '1')).toBe(`:${size * 8 - 1}\r\n`);
    expect(await raw.call('BITPOS', 'k', '0')).toBe(':0\r\n');
    await raw.call('BITOP', 'NOT', 'n', 'k');
    expect(await raw.call('BITPOS', 'n', '0')).toBe(':3\r\n');
    expect(await raw.call('BITPOS', 'n', '0', '1')).toBe(`:${size * 8 - 1}\r\n`);
    expect(await raw.call('BITCOUNT', 'n')).toBe(`:${size * 8 - 2}\r\n`);
  });

  test('BITOP stores a raw value that later edits change in place', async () => {
    await raw.call('SET', 'a', 'abc');
    await raw.call('BITOP', 'OR', 'd', 'a');
    const stored = db().peek('d');
    expect(stored).toBeInstanceOf(MutableString);
    await raw.call('SETBIT', 'd', '30', '1');
    expect(db().peek('d')).toBe(stored);
    expect(await raw.call('GET', 'a')).toBe('$3\r\nabc\r\n');
  });

  test('BITFIELD growth without a successful write still pads the string', async () => {
    await raw.call('SET', 'k', 'a');
    expect(await raw.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '16', '300')).toBe('*1\r\n$-1\r\n');
    expect(await raw.call('GET', 'k')).toBe('$3\r\na\x00\x00\r\n');
    expect(encodingOf(db().peek('k')!)).toBe('raw');
  });

  test('BITFIELD that writes nothing leaves the value as it was', async () => {
    await raw.call('SET', 'k', 'abc');
    expect(await raw.call('BITFIELD', 'k', 'SET', 'u8', '0', '97')).toBe('*1\r\n:97\r\n');
    expect(db().peek('k')).toBe('abc');
  });

  test('BITFIELD in RESP3 replies null for a refused write', async () => {
    const r3 = await nodis.raw();
    await r3.call('HELLO', '3');
    expect(await r3.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '200', 'GET', 'i8', '0')).toBe('*2\r\n_\r\n:0\r\n');
    r3.close();
  });

  test('GETBIT reads integers and strings without converting them', async () => {
    await raw.call('SET', 'n', '7');
    expect(await raw.call('GETBIT', 'n', '7')).toBe(':1\r\n');
    expect(db().peek('n')).toBe(7);
    await raw.call('SET', 's', '\x80');
    expect(await raw.call('GETBIT', 's', '0')).toBe(':1\r\n');
    expect(db().peek('s')).toBe('\x80');
  });
});

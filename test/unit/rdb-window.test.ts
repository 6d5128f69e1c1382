/**
 * A dump is loaded from disk through a window (it may be larger than one Buffer can be): reading
 * through windows of any size, items larger than the window included, gives exactly what reading
 * the whole file at once gives -- the same entries, the same checksum verdict, the same errors.
 */
import { describe, expect, test } from 'vitest';
import { RdbWriter } from '../../src/persistence/rdb/writer';
import { readRdb, readRdbSource, RdbFormatError, type RdbVisitor } from '../../src/persistence/rdb/reader';
import { loadLimitsFrom } from '../../src/persistence/rdb/value-loader';
import { configFrom } from '../../src/index';
import { Quicklist } from '../../src/types/quicklist';
import { HashValue } from '../../src/types/hash';
import { SortedSet } from '../../src/types/zset';
import { encodingOf, stringOf, isStringValue, type RedisValue } from '../../src/keyspace/value';
import { seededRandom } from '../helpers/seeded-random';

const limits = loadLimitsFrom(configFrom({}));

function dump(): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter((c) => chunks.push(c), { compression: true, checksum: true, aux: { ctime: '1700000000', 'used-mem': '1' } });
  const random = seededRandom(3);
  w.header();
  w.selectDb(0, 6, 1);
  w.entry('small', 'v', 4102444800000);
  w.entry('big', 'x'.repeat(5000), undefined); // LZF-compressed, larger than small windows
  w.entry('noise', Array.from({ length: 3000 }, () => String.fromCharCode(Math.floor(random() * 256))).join(''), undefined);
  w.entry('list', Quicklist.from(Array.from({ length: 500 }, (_, i) => `element-${i}`)), undefined);
  const hash = new HashValue();
  for (let i = 0; i < 200; i++) hash.set(`f${i}`, `v${i}`, 128, 64);
  w.entry('hash', hash, undefined);
  const zset = new SortedSet();
  for (let i = 0; i < 50; i++) zset.add(i / 7, `m${i}`, 0, { maxEntries: 128, maxValue: 64 });
  w.entry('zset', zset, undefined);
  w.selectDb(3, 1, 0);
  w.entry('n', 12345, undefined);
  w.finish();
  return Buffer.concat(chunks);
}

/** What a read produced, as comparable text, or the error it failed with. */
function outcome(read: (visitor: RdbVisitor) => { end: number; checksumVerified: boolean }): string {
  const seen: string[] = [];
  let db = 0;
  const visitor: RdbVisitor = {
    aux: (name, value) => seen.push(`aux ${name}=${value}`),
    selectDb: (id) => (db = id),
    entry: (key, value, expireAtMs) => seen.push(`${db} ${key} ${expireAtMs} ${describeValue(value)}`),
  };
  try {
    const result = read(visitor);
    return `${seen.join('\n')}\nend ${result.end} verified ${result.checksumVerified}`;
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
    return `${seen.length} entries, then ${e.message} truncated=${e.truncated}`;
  }
}

function describeValue(value: RedisValue | null): string {
  if (value === null) return 'null';
  if (isStringValue(value)) return stringOf(value);
  return `${encodingOf(value)} ${JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
}

const whole = (file: Buffer, verifyChecksum = true) => (visitor: RdbVisitor) => readRdb(file, visitor, { limits, verifyChecksum });

function windowed(file: Buffer, windowBytes: number, verifyChecksum = true) {
  return (visitor: RdbVisitor) =>
    readRdbSource(
      (into, offset, length, position) => file.copy(into, offset, position, position + length),
      file.length,
      visitor,
      { limits, verifyChecksum },
      0,
      windowBytes,
    );
}

describe('readRdbSource: reading through a window', () => {
  const file = dump();

  test.each([1, 16, 100, 4096, 1 << 20])('window of %i bytes: the same entries and checksum verdict', (windowBytes) => {
    const expected = outcome(whole(file));
    expect(expected).toContain('verified true');
    expect(outcome(windowed(file, windowBytes))).toBe(expected);
  });

  test('a file cut anywhere fails the same way', () => {
    for (let cut = 0; cut < file.length; cut += 7) {
      const part = file.subarray(0, cut);
      expect(outcome(windowed(part, 64)), `cut at ${cut}`).toBe(outcome(whole(part)));
    }
  });

  test('a damaged byte fails the same way, with and without checksum verification', () => {
    for (let at = 0; at < file.length; at += 13) {
      const damaged = Buffer.from(file);
      damaged[at] ^= 0x5a;
      for (const verify of [true, false]) {
        expect(outcome(windowed(damaged, 100, verify)), `byte ${at}`).toBe(outcome(whole(damaged, verify)));
      }
    }
  });

  test('a source that stops short of the size it announced is a truncated file', () => {
    const e = outcome((visitor) =>
      readRdbSource((into, offset, length, position) => (position > 200 ? 0 : file.copy(into, offset, position, position + length)), file.length, visitor, { limits, verifyChecksum: true }, 0, 64),
    );
    expect(e).toMatch(/truncated=true$/);
  });
});

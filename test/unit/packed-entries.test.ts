import { describe, expect, test } from 'vitest';
import {
  EntryCursor,
  compareAt,
  countEntries,
  encodeHeader,
  entryAt,
  equalsAt,
  findEntry,
  headerSize,
  insertEntries,
  lengthAt,
  offsetOf,
  packEntries,
  packedBytes,
  readEntry,
  removeEntries,
  replaceEntry,
  skipEntry,
  spliceBytes,
  startAt,
  unpackEntries,
} from '../../src/types/packed-entries';
import { stringBytes } from '../../src/memory/sizes';
import { seededRandom } from '../helpers/seeded-random';

const BINARY = '\x00\xff\x80\x7f\r\n\x00';
const LONG_200 = 'a'.repeat(199) + '\xff';
const LONG_20000 = 'b\x00'.repeat(10000);
const LONG_3M = 'c'.repeat(3_000_000);
/** Entries of every header size and kind. */
const SAMPLE = [
  ...['', 'x', BINARY, LONG_200, '', LONG_20000],
  ...['field', '\x80', LONG_3M, '\xff'.repeat(127), 'y'.repeat(128)],
];

/** Independent encoder of the format: LEB128 lengths, then the bytes. */
function expectedPacking(values: string[]): string {
  let out = '';
  for (const value of values) {
    let n = value.length;
    const bytes: number[] = [];
    do {
      bytes.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n = Math.floor(n / 0x80);
    } while (n > 0);
    out += String.fromCharCode(...bytes) + value;
  }
  return out;
}

function entriesOf(packed: string): string[] {
  const out: string[] = [];
  const cursor = new EntryCursor(packed);
  while (cursor.next()) out.push(cursor.value());
  return out;
}

describe('headers', () => {
  test.each([
    [0, 1],
    [127, 1],
    [128, 2],
    [16383, 2],
    [16384, 3],
    [2 ** 21 - 1, 3],
    [2 ** 21, 4],
    [2 ** 28 - 1, 4],
    [2 ** 28, 5],
    [2 ** 32 + 5, 5],
  ])('length %i has a %i-byte header that reads back', (length, size) => {
    const header = encodeHeader(length);
    expect(header.length).toBe(size);
    expect(headerSize(length)).toBe(size);
    expect(lengthAt(header + 'tail', 0)).toBe(length);
    for (let i = 0; i < size - 1; i++) expect(header.charCodeAt(i)).toBeGreaterThanOrEqual(0x80);
    expect(header.charCodeAt(size - 1)).toBeLessThan(0x80);
  });

  test('a 128-byte entry: 0x80 0x01, then the bytes', () => {
    expect(packEntries(['y'.repeat(128)])).toBe('\x80\x01' + 'y'.repeat(128));
    expect(packEntries(['', 'ab'])).toBe('\x00\x02ab');
  });
});

describe('pack, walk, read', () => {
  test('packing matches the format and unpacks to the same entries', () => {
    const packed = packEntries(SAMPLE);
    expect(packed).toBe(expectedPacking(SAMPLE));
    expect(unpackEntries(packed)).toEqual(SAMPLE);
    expect(entriesOf(packed)).toEqual(SAMPLE);
    expect(countEntries(packed)).toBe(SAMPLE.length);
  });

  test('empty: no entries', () => {
    expect(packEntries([])).toBe('');
    expect(unpackEntries('')).toEqual([]);
    expect(countEntries('')).toBe(0);
    expect(new EntryCursor('').next()).toBe(false);
    expect(findEntry('', '')).toBe(-1);
    expect(findEntry('', 'a')).toBe(-1);
    expect(packedBytes(0)).toBe(0);
    expect(packedBytes(190)).toBe(stringBytes(190));
  });

  test('offsets: skip, start, read, and the i-th entry in any order', () => {
    const packed = packEntries(SAMPLE);
    let offset = 0;
    for (let i = 0; i < SAMPLE.length; i++) {
      expect(offsetOf(packed, i)).toBe(offset);
      expect(startAt(packed, offset)).toBe(offset + headerSize(SAMPLE[i].length));
      expect(readEntry(packed, offset)).toBe(SAMPLE[i]);
      offset = skipEntry(packed, offset);
    }
    expect(offset).toBe(packed.length);
    expect(offsetOf(packed, SAMPLE.length)).toBe(packed.length);
    // Backwards, by jumps, and across two strings read in turn.
    const other = packEntries(['p', 'q', 'r']);
    for (const i of [10, 3, 7, 0, 9, 9, 1, 2, 8]) {
      expect(entryAt(packed, i)).toBe(SAMPLE[i]);
      expect(entryAt(other, i % 3)).toBe('pqr'[i % 3]);
    }
  });

  test('the cursor gives each entry its header offset and byte range', () => {
    const packed = packEntries(SAMPLE);
    const cursor = new EntryCursor(packed);
    for (let i = 0; i < SAMPLE.length; i++) {
      expect(cursor.next()).toBe(true);
      expect(cursor.offset).toBe(offsetOf(packed, i));
      expect(packed.slice(cursor.start, cursor.end)).toBe(SAMPLE[i]);
      expect(cursor.equals(SAMPLE[i])).toBe(true);
      expect(cursor.compare(SAMPLE[i])).toBe(0);
    }
    expect(cursor.next()).toBe(false);
    // Starting from an entry's offset.
    const from = new EntryCursor(packed, offsetOf(packed, 5));
    expect(from.next() && from.value()).toBe(LONG_20000);
  });
});

describe('comparing in place', () => {
  const packed = packEntries(['abc', '', '\xff\x00', 'ab']);
  const range = (i: number): [number, number] => {
    const cursor = new EntryCursor(packed, offsetOf(packed, i));
    cursor.next();
    return [cursor.start, cursor.end];
  };

  test('equalsAt: same bytes and same length', () => {
    expect(equalsAt(packed, ...range(0), 'abc')).toBe(true);
    expect(equalsAt(packed, ...range(0), 'ab')).toBe(false);
    expect(equalsAt(packed, ...range(0), 'abd')).toBe(false);
    expect(equalsAt(packed, ...range(1), '')).toBe(true);
    expect(equalsAt(packed, ...range(2), '\xff\x00')).toBe(true);
    expect(equalsAt(packed, ...range(2), '\xff\x01')).toBe(false);
  });

  test('compareAt orders by unsigned bytes, then length, as memcmp-based sdscmp', () => {
    const sign = (n: number) => Math.sign(n);
    expect(sign(compareAt(packed, ...range(0), 'abc'))).toBe(0);
    expect(sign(compareAt(packed, ...range(0), 'abd'))).toBe(-1);
    expect(sign(compareAt(packed, ...range(0), 'ab'))).toBe(1);
    expect(sign(compareAt(packed, ...range(3), 'abc'))).toBe(-1);
    expect(sign(compareAt(packed, ...range(1), ''))).toBe(0);
    expect(sign(compareAt(packed, ...range(1), '\x00'))).toBe(-1);
    expect(sign(compareAt(packed, ...range(2), '\x7f'))).toBe(1);
    expect(sign(compareAt(packed, ...range(2), '\xff\x00\x00'))).toBe(-1);
  });
});

describe('findEntry', () => {
  test('finds whole entries only, the first of equal ones, at the stride', () => {
    // "ab" occurs inside entries and across a header; only the whole entries count.
    const packed = packEntries(['xaby', 'ab', 'b', 'ab', '', 'a', '\x02ab']);
    expect(findEntry(packed, 'ab')).toBe(offsetOf(packed, 1));
    expect(findEntry(packed, 'ab', 2)).toBe(-1); // entries 1 and 3: odd
    expect(findEntry(packed, 'b')).toBe(offsetOf(packed, 2));
    expect(findEntry(packed, 'b', 2)).toBe(offsetOf(packed, 2));
    expect(findEntry(packed, '')).toBe(offsetOf(packed, 4));
    expect(findEntry(packed, '', 2)).toBe(offsetOf(packed, 4));
    expect(findEntry(packed, 'a', 2)).toBe(-1);
    expect(findEntry(packed, 'a')).toBe(offsetOf(packed, 5));
    expect(findEntry(packed, '\x02ab')).toBe(offsetOf(packed, 6));
    expect(findEntry(packed, 'x')).toBe(-1);
    expect(findEntry(packed, 'xaby\x02ab')).toBe(-1);
  });

  test('stride 2 looks at fields only, never values', () => {
    const packed = packEntries(['f1', 'f2', 'f2', 'v2', '', '']);
    expect(findEntry(packed, 'f2', 2)).toBe(offsetOf(packed, 2));
    expect(findEntry(packed, 'v2', 2)).toBe(-1);
    expect(findEntry(packed, '', 2)).toBe(offsetOf(packed, 4));
    expect(findEntry(packEntries(['a', '']), '', 2)).toBe(-1);
  });

  test('binary and long entries; an empty entry last', () => {
    const packed = packEntries(SAMPLE);
    for (const entry of SAMPLE) expect(findEntry(packed, entry)).toBe(offsetOf(packed, SAMPLE.indexOf(entry)));
    expect(findEntry(packed, LONG_200.slice(1))).toBe(-1);
    expect(findEntry(packEntries(['a', '']), '')).toBe(2);
  });

  test('agrees with a scan of the array on random entries', () => {
    const random = seededRandom(11);
    const alphabet = 'ab\x00\x01\x02\x03';
    const letter = () => alphabet[Math.floor(random() * alphabet.length)];
    const word = () => Array.from({ length: Math.floor(random() * 4) }, letter).join('');
    for (let round = 0; round < 2000; round++) {
      const values = Array.from({ length: Math.floor(random() * 8) }, word);
      const packed = packEntries(values);
      for (const stride of [1, 2]) {
        const probe = word();
        const index = values.findIndex((v, i) => i % stride === 0 && v === probe);
        expect(findEntry(packed, probe, stride)).toBe(index < 0 ? -1 : offsetOf(packed, index));
      }
    }
  });
});

describe('changes', () => {
  test('insert, replace and remove at the start, middle and end', () => {
    let packed = packEntries(['a', 'b']);
    packed = insertEntries(packed, 0, 'first');
    packed = insertEntries(packed, packed.length, 'f', LONG_200);
    packed = insertEntries(packed, offsetOf(packed, 2), BINARY, '');
    expect(unpackEntries(packed)).toEqual(['first', 'a', BINARY, '', 'b', 'f', LONG_200]);
    packed = replaceEntry(packed, offsetOf(packed, 6), 'short');
    packed = replaceEntry(packed, offsetOf(packed, 0), LONG_20000);
    packed = replaceEntry(packed, offsetOf(packed, 3), 'was empty');
    expect(unpackEntries(packed)).toEqual([LONG_20000, 'a', BINARY, 'was empty', 'b', 'f', 'short']);
    packed = removeEntries(packed, 0, 1);
    packed = removeEntries(packed, offsetOf(packed, 4), 2);
    packed = removeEntries(packed, offsetOf(packed, 1), 2);
    expect(unpackEntries(packed)).toEqual(['a', 'b']);
    expect(removeEntries(packed, 0, 2)).toBe('');
    expect(spliceBytes(packed, 0, packed.length, packEntries(['z']))).toBe('\x01z');
  });

  test('the results equal packings made from scratch, under random changes', () => {
    const random = seededRandom(5);
    const pool = ['', 'x', BINARY, LONG_200, 'y'.repeat(128), 'field:1', 'value:0001'];
    let model: string[] = [];
    let packed = '';
    for (let step = 0; step < 3000; step++) {
      const r = random();
      const at = Math.floor(random() * (model.length + 1));
      const value = pool[Math.floor(random() * pool.length)];
      if (r < 0.4 || model.length === 0) {
        packed = insertEntries(packed, offsetOf(packed, at), value);
        model.splice(at, 0, value);
      } else if (r < 0.7) {
        const i = Math.min(at, model.length - 1);
        packed = replaceEntry(packed, offsetOf(packed, i), value);
        model[i] = value;
      } else {
        const i = Math.min(at, model.length - 1);
        const count = Math.min(1 + Math.floor(random() * 3), model.length - i);
        packed = removeEntries(packed, offsetOf(packed, i), count);
        model.splice(i, count);
      }
      if (model.length > 30) {
        packed = removeEntries(packed, offsetOf(packed, 10), model.length - 10);
        model = model.slice(0, 10);
      }
      expect(packed).toBe(packEntries(model));
    }
  });
});

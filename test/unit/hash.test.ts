import { describe, expect, test } from 'vitest';
import { HashValue } from '../../src/types/hash';
import { DenseMap, scanSlots } from '../../src/types/dense-table';
import { seededRandom } from '../helpers/seeded-random';

/** The hash's entries in iteration order. */
function entries(hash: HashValue): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < hash.size; i++) out.push([hash.fieldAt(i), hash.valueAt(i)]);
  return out;
}

describe('HashValue', () => {
  for (const [maxEntries, maxValue] of [
    [512, 64],
    [8, 64],
    [512, 3],
  ] as const) {
    test(`agrees with a Map under random operations (limits ${maxEntries}/${maxValue})`, () => {
      const random = seededRandom(maxEntries + maxValue);
      const hash = new HashValue();
      const model = new Map<string, string>();
      const mismatches: string[] = [];
      for (let op = 0; op < 20000; op++) {
        const field = random() < 0.2 ? `\x00\xff${Math.floor(random() * 40)}` : `f${Math.floor(random() * 40)}`;
        const r = random();
        if (r < 0.5) {
          const value = `v${Math.floor(random() * 100)}`;
          if (hash.set(field, value, maxEntries, maxValue) === model.has(field)) mismatches.push(`set ${field}`);
          model.set(field, value);
        } else if (r < 0.8) {
          if (hash.delete(field) !== model.has(field)) mismatches.push(`delete ${field}`);
          model.delete(field);
        } else if (hash.get(field) !== model.get(field) || hash.has(field) !== model.has(field)) {
          mismatches.push(`get ${field}`);
        }
        if (hash.size !== model.size) mismatches.push(`size after ${field}`);
      }
      expect(mismatches).toEqual([]);
      expect(new Map(entries(hash))).toEqual(model);
    });
  }

  test('a listpack keeps insertion order; an update keeps its place; a re-added field goes last', () => {
    const hash = new HashValue();
    for (const [f, v] of [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]) {
      hash.set(f, v, 512, 64);
    }
    hash.set('a', 'x', 512, 64);
    expect(entries(hash)).toEqual([
      ['a', 'x'],
      ['b', '2'],
      ['c', '3'],
    ]);
    hash.delete('b');
    hash.set('b', 'y', 512, 64);
    expect(entries(hash).map(([f]) => f)).toEqual(['a', 'c', 'b']);
  });

  test('converts to a hashtable past the entry limit or on a long field or value, and never back', () => {
    const full = new HashValue();
    for (let i = 0; i < 4; i++) full.set(`f${i}`, 'v', 4, 64);
    expect(full.encoding()).toBe('listpack');
    full.set('f0', 'again', 4, 64);
    expect(full.encoding()).toBe('listpack');
    full.set('f4', 'v', 4, 64);
    expect(full.encoding()).toBe('hashtable');
    for (let i = 0; i < 5; i++) full.delete(`f${i}`);
    expect(full.size).toBe(0);
    expect(full.encoding()).toBe('hashtable');

    const longValue = new HashValue();
    longValue.set('f', 'x'.repeat(64), 512, 64);
    expect(longValue.encoding()).toBe('listpack');
    longValue.set('f', 'x'.repeat(65), 512, 64);
    expect(longValue.encoding()).toBe('hashtable');
    expect(longValue.get('f')).toBe('x'.repeat(65));

    const longField = new HashValue();
    longField.set('y'.repeat(65), '1', 512, 64);
    expect(longField.encoding()).toBe('hashtable');

    const noEntries = new HashValue();
    noEntries.set('a', '1', 0, 64);
    expect(noEntries.encoding()).toBe('hashtable');
  });

  test('clone shares nothing', () => {
    for (const limit of [512, 0]) {
      const hash = new HashValue();
      hash.set('a', '1', limit, 64);
      const copy = hash.clone();
      copy.set('a', '2', limit, 64);
      copy.set('b', '3', limit, 64);
      expect(entries(hash)).toEqual([['a', '1']]);
      expect(copy.get('a')).toBe('2');
      expect(copy.encoding()).toBe(hash.encoding());
    }
  });

  test('a listpack holds binary, empty and long fields and values (multi-byte headers)', () => {
    const hash = new HashValue();
    const pairs: [string, string][] = [
      ['\x00\xff', ''],
      ['', '\x00'],
      ['f'.repeat(200), 'v'.repeat(300)],
      ['\xff', 'x'.repeat(20000)],
      ['field:1', 'field:1'],
    ];
    for (const [f, v] of pairs) expect(hash.set(f, v, 512, 20000)).toBe(true);
    expect(hash.encoding()).toBe('listpack');
    expect(entries(hash)).toEqual(pairs);
    for (const [f, v] of pairs) expect(hash.get(f)).toBe(v);
    // A value equal to a field is not taken for one.
    expect(hash.get('x'.repeat(20000))).toBeUndefined();
    expect(hash.has('v'.repeat(300))).toBe(false);
    expect(hash.set('f'.repeat(200), 'short', 512, 20000)).toBe(false);
    expect(hash.delete('\x00\xff')).toBe(true);
    expect(hash.delete('\x00\xff')).toBe(false);
    const visited: [string, string][] = [];
    hash.forEach((f, v) => visited.push([f, v]));
    expect(visited).toEqual([['', '\x00'], ['f'.repeat(200), 'short'], ['\xff', 'x'.repeat(20000)], ['field:1', 'field:1']]);
    expect(entries(hash)).toEqual(visited);
    // Converted, the table keeps the listpack's order.
    hash.set('long', 'y'.repeat(20001), 512, 20000);
    expect(hash.encoding()).toBe('hashtable');
    expect(entries(hash)).toEqual([...visited, ['long', 'y'.repeat(20001)]]);
  });

  test('entries read in any order, across hashes read in turn', () => {
    const a = new HashValue();
    const b = new HashValue();
    for (let i = 0; i < 20; i++) {
      a.set(`a${i}`, `va${i}`, 512, 64);
      b.set(`b${i}`, `vb${i}`, 512, 64);
    }
    for (const i of [19, 0, 7, 7, 3, 18, 1]) {
      expect([a.fieldAt(i), a.valueAt(i)]).toEqual([`a${i}`, `va${i}`]);
      expect([b.fieldAt(i), b.valueAt(i)]).toEqual([`b${i}`, `vb${i}`]);
    }
  });

  test('a listpack scans whole with cursor 0; a hashtable in steps, every field once', () => {
    const small = new HashValue();
    for (let i = 0; i < 10; i++) small.set(`f${i}`, `v${i}`, 512, 64);
    const seen: string[] = [];
    expect(small.scan(0, 1, (f, v) => seen.push(f + '=' + v))).toBe(0);
    expect(seen).toHaveLength(10);

    const big = new HashValue();
    for (let i = 0; i < 100; i++) big.set(`f${i}`, `v${i}`, 16, 64);
    const pairs = new Map<string, string>();
    let cursor = 0;
    do cursor = big.scan(cursor, 7, (f, v) => pairs.set(f, v));
    while (cursor !== 0);
    expect(pairs.size).toBe(100);
    for (const [f, v] of pairs) expect(v).toBe('v' + f.slice(1));
  });
});

describe('DenseMap', () => {
  test('delete moves the last slot into the hole and keeps values with their fields', () => {
    const map = new DenseMap();
    for (let i = 0; i < 5; i++) map.set(`f${i}`, `v${i}`);
    map.delete('f1');
    expect(map.fieldAt(1)).toBe('f4');
    expect(map.valueAt(1)).toBe('v4');
    expect(map.get('f4')).toBe('v4');
    expect(map.size).toBe(4);
    const slots: number[] = [];
    scanSlots(map.size, 0, 100, (slot) => slots.push(slot));
    expect(slots).toEqual([3, 2, 1, 0]);
  });
});

import { describe, expect, test } from 'vitest';
import { SetValue } from '../../src/types/set';
import { IntSet, parseCanonicalInt64 } from '../../src/types/intset';
import { DenseSet, scanSlots } from '../../src/types/dense-table';
import { seededRandom } from '../helpers/seeded-random';

/** Members of varied shapes: small and huge integers, non-canonical integer text, binary. */
function memberOf(random: () => number, intsOnly: boolean): string {
  const r = random();
  const n = Math.floor(random() * 300) - 100;
  if (intsOnly || r < 0.5) return String(n);
  if (r < 0.6) return String(BigInt(Number.MAX_SAFE_INTEGER) + BigInt(n));
  if (r < 0.7) return `0${Math.abs(n)}`;
  if (r < 0.8) return `\x00\xff${n}`;
  return `m${n}`;
}

describe('parseCanonicalInt64', () => {
  test('accepts exactly the canonical texts of 64-bit integers (string2ll)', () => {
    const cases: [string, number | bigint | null][] = [
      ['0', 0],
      ['-1', -1],
      ['123456789012345', 123456789012345],
      ['9007199254740991', 9007199254740991],
      ['9007199254740993', 9007199254740993n],
      ['9223372036854775807', 9223372036854775807n],
      ['-9223372036854775808', -9223372036854775808n],
      ['9223372036854775808', null],
      ['-9223372036854775809', null],
      ['-0', null],
      ['01', null],
      ['+1', null],
      [' 1', null],
      ['1 ', null],
      ['', null],
      ['-', null],
      ['1.0', null],
      ['1e3', null],
      ['00000000000000000001', null],
      ['123456789012345678901', null],
      // 16-20 chars that fail on their first char, and that fail later.
      ['xxxxxxxxxxxxxxxx', null],
      ['+123456789012345', null],
      ['0123456789012345', null],
      [' 123456789012345', null],
      ['1234567890123456x', null],
      ['-1234567890123456', -1234567890123456],
      ['1000000000000000', 1000000000000000],
    ];
    for (const [text, expected] of cases) expect(parseCanonicalInt64(text), text).toBe(expected);
  });
});

describe('IntSet', () => {
  test('stays sorted and agrees with a model under random adds and removes', () => {
    const random = seededRandom(7);
    const ints = new IntSet();
    const model = new Set<bigint>();
    const mismatches: string[] = [];
    for (let op = 0; op < 20000; op++) {
      const big = random() < 0.1;
      const n = Math.floor(random() * 500) - 250;
      const value: number | bigint = big ? 2n ** 62n + BigInt(n) : n;
      const key = BigInt(value);
      if (random() < 0.6) {
        if (ints.add(value) === model.has(key)) mismatches.push(`add ${value}`);
        model.add(key);
      } else {
        if (ints.remove(value) !== model.has(key)) mismatches.push(`remove ${value}`);
        model.delete(key);
      }
      if (ints.has(value) !== model.has(key) || ints.size !== model.size) mismatches.push(`state after ${value}`);
    }
    expect(mismatches).toEqual([]);
    const values = ints.values().map((v) => BigInt(v));
    const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(values).toEqual(sorted);
    expect(new Set(values).size).toBe(values.length);
  });

  test('numbers and BigInts compare by value in one array', () => {
    const ints = new IntSet();
    for (const v of [5, 2n ** 63n - 1n, -(2n ** 63n), 0, -7, 2n ** 53n + 1n]) ints.add(v);
    expect(ints.values().map(String)).toEqual([
      '-9223372036854775808',
      '-7',
      '0',
      '5',
      '9007199254740993',
      '9223372036854775807',
    ]);
    expect(ints.has(2n ** 53n + 1n)).toBe(true);
    expect(ints.has(2 ** 53)).toBe(false);
  });
});

describe('SetValue', () => {
  for (const intsOnly of [true, false]) {
    test(`agrees with a plain Set under random operations (${intsOnly ? 'integers' : 'mixed members'})`, () => {
      const random = seededRandom(intsOnly ? 1 : 2);
      const set = new SetValue();
      const model = new Set<string>();
      const mismatches: string[] = [];
      for (let op = 0; op < 20000; op++) {
        const member = memberOf(random, intsOnly);
        const r = random();
        if (r < 0.55) {
          if (set.add(member, 512) === model.has(member)) mismatches.push(`add ${member}`);
          model.add(member);
        } else if (r < 0.9) {
          if (set.remove(member) !== model.has(member)) mismatches.push(`remove ${member}`);
          model.delete(member);
        } else if (set.has(member) !== model.has(member)) {
          mismatches.push(`has ${member}`);
        }
        if (set.size !== model.size) mismatches.push(`size after ${member}`);
      }
      expect(mismatches).toEqual([]);
      expect(new Set(set.members())).toEqual(model);
      for (let i = 0; i < set.size; i++) expect(model.has(set.at(i))).toBe(true);
    });
  }

  test('is an intset while every member is an integer and there are few enough', () => {
    const set = new SetValue();
    expect(set.encoding()).toBe('intset');
    for (let i = 0; i < 4; i++) set.add(String(10 - i), 4);
    expect(set.encoding()).toBe('intset');
    expect(set.members()).toEqual(['7', '8', '9', '10']);
    set.add('7', 4);
    expect(set.encoding()).toBe('intset');
    set.add('11', 4);
    expect(set.encoding()).toBe('hashtable');
    set.remove('11');
    set.remove('10');
    expect(set.encoding()).toBe('hashtable');
    expect(set.has('7')).toBe(true);
    expect(set.has('07')).toBe(false);
  });

  test('a non-integer member converts at once; "07" and "-0" are not integers', () => {
    for (const member of ['x', '07', '-0', '1.0', '9223372036854775808', '']) {
      const set = new SetValue();
      set.add('1', 512);
      set.add(member, 512);
      expect(set.encoding(), member).toBe('hashtable');
      expect(set.has(member)).toBe(true);
      expect(set.has('1')).toBe(true);
    }
    const empty = new SetValue();
    empty.add('1', 0);
    expect(empty.encoding()).toBe('hashtable');
  });

  test('clone shares nothing', () => {
    for (const member of ['1', 'x']) {
      const set = new SetValue();
      set.add(member, 512);
      const copy = set.clone();
      copy.add('2', 512);
      copy.remove(member);
      expect(set.members()).toEqual([member]);
      expect(copy.members()).toEqual(['2']);
      expect(copy.encoding()).toBe(set.encoding());
    }
  });

  test('an intset scans whole with cursor 0; a hashtable in steps', () => {
    const ints = new SetValue();
    for (let i = 0; i < 100; i++) ints.add(String(i), 512);
    const seen: string[] = [];
    expect(ints.scan(0, 5, (m) => seen.push(m))).toBe(0);
    expect(seen).toHaveLength(100);

    const words = new SetValue();
    for (let i = 0; i < 100; i++) words.add(`w${i}`, 512);
    const visited = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      cursor = words.scan(cursor, 10, (m) => visited.add(m));
      calls++;
    } while (cursor !== 0);
    expect(visited.size).toBe(100);
    expect(calls).toBe(10);
  });

  test('random picks cover every member about evenly', () => {
    const random = seededRandom(3);
    for (const prefix of ['', 'w']) {
      const set = new SetValue();
      for (let i = 0; i < 20; i++) set.add(`${prefix}${i}`, 512);
      const counts = new Map<string, number>();
      for (let i = 0; i < 20000; i++) {
        const m = set.random(random);
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
      expect(counts.size).toBe(20);
      for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(200);
    }
  });
});

describe('DenseSet scan', () => {
  test('never misses a member present for the whole scan, whatever is deleted or added meanwhile', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 50; round++) {
      const set = new DenseSet();
      for (let i = 0; i < 200; i++) set.add(`m${i}`);
      const stable = new Set<string>();
      for (let i = 0; i < 200; i++) if (i % 3 === 0) stable.add(`m${i}`);
      const seen = new Set<string>();
      let cursor = 0;
      let next = 200;
      do {
        cursor = scanSlots(set.size, cursor, 1 + Math.floor(random() * 20), (slot) => seen.add(set.at(slot)));
        // Delete some members that are not in the stable group, add new ones.
        for (let i = 0; i < 5; i++) {
          const victim = `m${Math.floor(random() * 200)}`;
          if (!stable.has(victim)) set.delete(victim);
          set.add(`n${next++}`);
        }
      } while (cursor !== 0);
      for (const m of stable) expect(seen.has(m), m).toBe(true);
    }
  });

  test('a stale cursor past the end restarts from the top instead of failing', () => {
    const seen: number[] = [];
    expect(scanSlots(3, 1000, 10, (slot) => seen.push(slot))).toBe(0);
    expect(seen).toEqual([2, 1, 0]);
    expect(scanSlots(0, 0, 10, () => seen.push(-1))).toBe(0);
  });
});

import { describe, expect, test } from 'vitest';
import { KeyTable } from '../../src/keyspace/key-table';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function keyName(i: number): string {
  // Binary-safe keys of varied shapes and lengths.
  return i % 3 === 0 ? `key:${i}` : i % 3 === 1 ? `\x00\xff${i}` : `${'x'.repeat(i % 40)}${i}`;
}

/** Runs a full SCAN, calling between() after every step, and returns every key it visited. */
function fullScan(table: KeyTable<number>, count: number, between: () => void = () => undefined): string[] {
  const seen: string[] = [];
  let cursor = 0;
  let steps = 0;
  do {
    cursor = table.scan(cursor, count, (key) => seen.push(key));
    between();
    if (++steps > 1_000_000) throw new Error('scan does not terminate');
  } while (cursor !== 0);
  return seen;
}

describe('KeyTable', () => {
  test('set, get, has, delete and size follow a Map under random operations', () => {
    const random = rng(1);
    const table = new KeyTable<number>();
    const model = new Map<string, number>();
    for (let op = 0; op < 50000; op++) {
      const key = keyName(Math.floor(random() * 2000));
      const r = random();
      let agrees: boolean;
      if (r < 0.5) {
        const value = Math.floor(random() * 1000);
        agrees = table.set(key, value) === !model.has(key);
        model.set(key, value);
      } else if (r < 0.8) {
        agrees = table.delete(key) === model.delete(key);
      } else {
        agrees = table.get(key) === model.get(key) && table.has(key) === model.has(key);
      }
      // Plain comparisons in the loop (an expect per operation would dominate the run time).
      if (!agrees || table.size !== model.size) throw new Error(`diverged at operation ${op} on ${JSON.stringify(key)}`);
    }
    expect(new Map(table.entries())).toEqual(model);
    const visited = new Map<string, number>();
    table.forEach((key, value) => visited.set(key, value));
    expect(visited).toEqual(model);
  });

  test('metadata stays with its key while other keys move', () => {
    const random = rng(2);
    const table = new KeyTable<number>();
    const model = new Map<string, number>();
    for (let op = 0; op < 20000; op++) {
      const key = keyName(Math.floor(random() * 500));
      if (random() < 0.6) {
        const meta = Math.floor(random() * 2 ** 32);
        if (table.set(key, 0, meta)) model.set(key, meta);
        else {
          table.setMeta(key, meta);
          model.set(key, meta);
        }
      } else {
        table.delete(key);
        model.delete(key);
      }
    }
    for (const [key, meta] of model) expect(table.getMeta(key)).toBe(meta);
    expect(table.getMeta('missing')).toBeUndefined();
  });

  test('randomKey and randomEntry return present keys, every key eventually, undefined when empty', () => {
    const table = new KeyTable<number>();
    expect(table.randomKey()).toBeUndefined();
    expect(table.randomEntry()).toBeUndefined();
    for (let i = 0; i < 50; i++) table.set(keyName(i), i, i * 7);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const key = table.randomKey()!;
      expect(table.has(key)).toBe(true);
      seen.add(key);
      const [entryKey, value, meta] = table.randomEntry()!;
      expect(table.get(entryKey)).toBe(value);
      expect(table.getMeta(entryKey)).toBe(meta);
    }
    expect(seen.size).toBe(50);
    // Deterministic choice at both ends of the random range.
    expect(table.has(table.randomKey(() => 0)!)).toBe(true);
    expect(table.has(table.randomKey(() => 0.999999999)!)).toBe(true);
  });

  test('a scan of a table that does not change returns every key exactly once', () => {
    for (const count of [1, 3, 10, 1000]) {
      const table = new KeyTable<number>();
      for (let i = 0; i < 777; i++) table.set(keyName(i), i);
      const seen = fullScan(table, count);
      expect(seen.length).toBe(777);
      expect(new Set(seen).size).toBe(777);
    }
    expect(fullScan(new KeyTable<number>(), 10)).toEqual([]);
  });

  test('scan returns every key present for the whole scan while others come and go', () => {
    const random = rng(3);
    for (let round = 0; round < 30; round++) {
      const table = new KeyTable<number>();
      const stable = new Set<string>();
      const volatile = new Set<string>();
      for (let i = 0; i < 600; i++) {
        const key = keyName(i);
        table.set(key, i);
        if (random() < 0.5) stable.add(key);
        else volatile.add(key);
      }
      let next = 600;
      const count = 1 + Math.floor(random() * 20);
      const seen = new Set(
        fullScan(table, count, () => {
          // Between calls, delete some volatile keys and add new ones (the table shrinks and grows).
          const churn = Math.floor(random() * 30);
          for (let i = 0; i < churn; i++) {
            if (random() < 0.5 && volatile.size > 0) {
              const victims = [...volatile];
              const victim = victims[Math.floor(random() * victims.length)];
              volatile.delete(victim);
              table.delete(victim);
            } else {
              const key = keyName(next++);
              volatile.add(key);
              table.set(key, next);
            }
          }
        }),
      );
      for (const key of stable) expect(seen.has(key), `round ${round}: ${JSON.stringify(key)} missed`).toBe(true);
    }
  });

  test('scan survives a table emptied and refilled between calls', () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 100; i++) table.set(keyName(i), i);
    let cursor = table.scan(0, 10, () => undefined);
    for (let i = 0; i < 100; i++) table.delete(keyName(i));
    for (let i = 100; i < 103; i++) table.set(keyName(i), i);
    const seen: string[] = [];
    let steps = 0;
    while (cursor !== 0 && steps++ < 1000) cursor = table.scan(cursor, 10, (key) => seen.push(key));
    expect(cursor).toBe(0);
    expect(seen.every((key) => table.has(key))).toBe(true);
  });

  test('clear empties the table', () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 100; i++) table.set(keyName(i), i);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(keyName(1))).toBeUndefined();
    expect(fullScan(table, 10)).toEqual([]);
  });
});

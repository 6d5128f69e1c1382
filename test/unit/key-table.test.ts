import { describe, expect, test } from 'vitest';
import { KeyTable, SHARD_COUNT, shardOf } from '../../src/keyspace/key-table';
import { Shard, WORDS_PER_SLOT, hashKey, hashKeyBytes } from '../../src/keyspace/key-index';

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

  test('metadata, sizes, slots and byte totals follow a model under random operations', () => {
    const random = rng(4);
    const entryBytes = (key: string, value: number) => key.length * 3 + value;
    const table = new KeyTable<number>(entryBytes);
    const model = new Map<string, { value: number; meta: number; bytes: number }>();
    for (let op = 0; op < 40000; op++) {
      const key = keyName(Math.floor(random() * 1500));
      const r = random();
      const entry = model.get(key);
      if (r < 0.35) {
        const value = Math.floor(random() * 100);
        const meta = Math.floor(random() * 2 ** 32);
        const isNew = table.set(key, value, meta);
        if (isNew !== (entry === undefined)) throw new Error(`set disagrees at ${op}`);
        model.set(key, { value, meta: entry ? entry.meta : meta, bytes: entryBytes(key, value) });
      } else if (r < 0.55) {
        if (table.delete(key) !== model.delete(key)) throw new Error(`delete disagrees at ${op}`);
      } else if (r < 0.7) {
        const meta = Math.floor(random() * 2 ** 32);
        table.setMeta(key, meta);
        if (entry) entry.meta = meta;
      } else if (r < 0.8 && entry) {
        // An in-place change: the table's value is the same object, its size changes.
        entry.value = table.get(key)!;
        table.resize(key);
      } else {
        // Reads of this key and of another one, in both orders, to cross the remembered lookup.
        const other = keyName(Math.floor(random() * 1500));
        if (random() < 0.5) table.get(other);
        const slot = table.slotOf(key);
        const agrees =
          table.getMeta(key) === entry?.meta &&
          table.bytesOf(key) === entry?.bytes &&
          (slot === undefined ? entry === undefined : table.keyAt(shardOf(key), slot) === key && table.metaAt(shardOf(key), slot) === entry!.meta);
        if (!agrees) throw new Error(`metadata, size or slot of ${JSON.stringify(key)} disagrees at ${op}`);
      }
      if (table.size !== model.size) throw new Error(`size disagrees at ${op}`);
    }
    let total = 0;
    for (const e of model.values()) total += e.bytes;
    expect(table.bytes).toBe(total);
    let walked = 0;
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      for (let slot = 0; slot < table.shardSize(shard); slot++) {
        const key = table.keyAt(shard, slot);
        expect(shardOf(key)).toBe(shard);
        expect(table.valueAt(shard, slot)).toBe(model.get(key)!.value);
        walked++;
      }
    }
    expect(walked).toBe(model.size);
    expect(new KeyTable<number>().bytesOf('x')).toBeUndefined();
    table.clear();
    expect(table.bytes).toBe(0);
    expect(table.getMeta(keyName(1))).toBeUndefined();
  });

  test('random picks are about uniform, on small and large tables and after many deletes', () => {
    const random = rng(5);
    for (const [keys, deleted] of [
      [300, 0],
      [3000, 0],
      [6000, 4000],
    ]) {
      const table = new KeyTable<number>();
      for (let i = 0; i < keys; i++) table.set(keyName(i), i);
      // Deleting most keys leaves the largest-shard bound stale: the picks must stay uniform.
      for (let i = 0; i < deleted; i++) table.delete(keyName(i));
      const live = keys - deleted;
      const samples = live * 200;
      const counts = new Map<string, number>();
      for (let i = 0; i < samples; i++) {
        const key = i % 2 ? table.randomKey(random)! : table.randomEntry(random)![0];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(counts.size).toBe(live);
      // 200 picks per key expected (standard deviation about 14); chi-square over live - 1 degrees of freedom.
      let chi2 = 0;
      for (const count of counts.values()) chi2 += (count - 200) ** 2 / 200;
      expect(chi2).toBeLessThan(live + 8 * Math.sqrt(2 * live));
      expect(Math.min(...counts.values())).toBeGreaterThan(110);
      expect(Math.max(...counts.values())).toBeLessThan(300);
    }
  });

  test('scan returns every key present for the whole scan while most keys are deleted (shards shrink)', () => {
    const random = rng(6);
    const table = new KeyTable<number>();
    const stable: string[] = [];
    const doomed: string[] = [];
    for (let i = 0; i < 20000; i++) {
      table.set(keyName(i), i);
      (i % 10 === 0 ? stable : doomed).push(keyName(i));
    }
    const seen = new Set(
      fullScan(table, 50, () => {
        // Every step deletes a few hundred keys and adds a few: the index and arrays of every shard shrink.
        for (let i = 0; i < 300 && doomed.length > 0; i++) {
          const at = Math.floor(random() * doomed.length);
          table.delete(doomed[at]);
          doomed[at] = doomed[doomed.length - 1];
          doomed.pop();
        }
        for (let i = 0; i < 3; i++) table.set(`late:${random()}`, 0);
      }),
    );
    expect(doomed.length).toBe(0);
    for (const key of stable) if (!seen.has(key)) throw new Error(`${JSON.stringify(key)} missed`);
  });

  test('a scan callback may delete the keys it is given', () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 5000; i++) table.set(keyName(i), i);
    const seen = new Set<string>();
    let cursor = 0;
    do {
      cursor = table.scan(cursor, 37, (key) => {
        seen.add(key);
        if (key.length % 2 === 0) table.delete(key);
      });
    } while (cursor !== 0);
    expect(seen.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(table.has(keyName(i))).toBe(keyName(i).length % 2 === 1);
  });

  test('prefetch reads without changing anything: present, absent and colliding keys, empty shards, long lists', () => {
    const random = rng(11);
    const table = new KeyTable<unknown>(() => 10);
    const model = new Map<string, unknown>();
    // Values of every kind prefetch may meet: numbers, strings (it reads their length), objects.
    const valueOf = (i: number): unknown => (i % 3 === 0 ? i : i % 3 === 1 ? 'v'.repeat(i % 40) : { i });
    for (let i = 0; i < 3000; i += 2) {
      const value = valueOf(i);
      table.set(keyName(i), value, i);
      model.set(keyName(i), value);
    }
    const metaBefore = [...model.keys()].map((key) => table.getMeta(key));
    const bytesBefore = table.bytes;
    // MSET-like (every other argument) and MGET-like lists, longer than one prefetch batch, with
    // absent keys, repeated keys and keys whose first probe holds another key.
    for (let round = 0; round < 50; round++) {
      const argv = ['CMD'];
      const length = 1 + Math.floor(random() * 150);
      for (let i = 0; i < length; i++) argv.push(keyName(Math.floor(random() * 3000)));
      table.prefetch(argv, 1, 1 + (round % 2));
    }
    new KeyTable<number>().prefetch(['MGET', 'a', 'b'], 1, 1);
    table.prefetch(['MGET'], 1, 1);
    // The same from bytes, as a query buffer holds them (spans of start, end offsets).
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => keyName(i * 37)).join(''), 'latin1');
    const spans = new Int32Array(80);
    for (let i = 0, at = 0; i < 40; i++) {
      spans[2 * i] = at;
      at += keyName(i * 37).length;
      spans[2 * i + 1] = at;
    }
    table.prefetchBytes(bytes, spans, 40);
    expect(new Map(table.entries())).toEqual(model);
    expect([...model.keys()].map((key) => table.getMeta(key))).toEqual(metaBefore);
    expect(table.bytes).toBe(bytesBefore);
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

/** The index of a shard, for checks of its layout. */
function indexOf(shard: Shard<number>): Int32Array {
  return (shard as unknown as { index: Int32Array }).index;
}

/**
 * Checks a shard's index: every entry has exactly one bucket, which its probe from its home
 * bucket reaches without meeting an empty bucket, and nothing else is in the index.
 */
function checkIndex(shard: Shard<number>): void {
  const index = indexOf(shard);
  const mask = index.length - 1;
  const seen = new Set<number>();
  for (let b = 0; b < index.length; b++) {
    if (index[b] === 0) continue;
    const slot = (index[b] & 0xffffff) - 1;
    if (slot < 0 || slot >= shard.size || seen.has(slot)) throw new Error(`bucket ${b} holds a bad slot ${slot}`);
    seen.add(slot);
    for (let p = shard.words[slot * WORDS_PER_SLOT] & mask; p !== b; p = (p + 1) & mask) {
      if (index[p] === 0) throw new Error(`slot ${slot} sits past an empty bucket`);
    }
  }
  if (seen.size !== shard.size) throw new Error(`${shard.size} entries, ${seen.size} in the index`);
}

describe('Shard index', () => {
  /** Runs random adds and removes on a shard with hashes from `hashOf`, against a Map. */
  function churn(hashOf: (i: number) => number, keys: number, ops: number, seed: number): void {
    const random = rng(seed);
    const shard = new Shard<number>();
    const model = new Map<number, number>();
    for (let op = 0; op < ops; op++) {
      const i = Math.floor(random() * keys);
      const slot = shard.find(keyName(i), hashOf(i));
      if ((slot >= 0) !== model.has(i)) throw new Error(`find disagrees at operation ${op}`);
      if (slot >= 0 && shard.values[slot] !== model.get(i)) throw new Error(`wrong value at operation ${op}`);
      if (slot < 0) {
        shard.add(keyName(i), op, hashOf(i), 0);
        model.set(i, op);
      } else if (random() < 0.7) {
        shard.remove(slot);
        model.delete(i);
      }
      if (op % 97 === 0) checkIndex(shard);
    }
    checkIndex(shard);
    expect(shard.size).toBe(model.size);
    for (const [i, value] of model) expect(shard.values[shard.find(keyName(i), hashOf(i))]).toBe(value);
  }

  test('hashKeyBytes of a latin1 string\'s bytes equals hashKey of the string', () => {
    const random = rng(12);
    for (let i = 0; i < 2000; i++) {
      let key = '';
      const length = Math.floor(random() * 70);
      for (let j = 0; j < length; j++) key += String.fromCharCode(Math.floor(random() * 256));
      const padded = Buffer.from(`ab${key}cd`, 'latin1');
      expect(hashKeyBytes(padded, 2, 2 + key.length)).toBe(hashKey(key));
    }
  });

  test('guessSlot: the slot in the first probe when its tag matches, else -1', () => {
    const shard = new Shard<number>();
    for (let i = 0; i < 200; i++) shard.add(keyName(i), i, hashKey(keyName(i)), 0);
    let exact = 0;
    for (let i = 0; i < 400; i++) {
      const hash = hashKey(keyName(i));
      const guess = shard.guessSlot(hash);
      expect(guess).toBeGreaterThanOrEqual(-1);
      expect(guess).toBeLessThan(shard.size);
      if (i < 200 && guess === shard.find(keyName(i), hash)) exact++;
    }
    // Most present keys sit in their home bucket, where the guess is their slot.
    expect(exact).toBeGreaterThan(100);
    expect(new Shard<number>().guessSlot(hashKey('anything'))).toBe(-1);
  });

  test('keys with one and the same hash (a full collision) are all found, added and removed', () => {
    const shard = new Shard<number>();
    for (let i = 0; i < 100; i++) shard.add(`k${i}`, i, 0x12345678, 0);
    checkIndex(shard);
    for (let i = 0; i < 100; i++) expect(shard.values[shard.find(`k${i}`, 0x12345678)]).toBe(i);
    expect(shard.find('other', 0x12345678)).toBe(-1);
    for (let i = 0; i < 100; i += 2) shard.remove(shard.find(`k${i}`, 0x12345678));
    checkIndex(shard);
    for (let i = 0; i < 100; i++) expect(shard.find(`k${i}`, 0x12345678) >= 0).toBe(i % 2 === 1);
  });

  test('random adds and removes keep every probe run unbroken (backward shift, no tombstones)', () => {
    const mod = (n: number) => (i: number) => Math.imul(i % n, 0x9e3779b1);
    // Distinct hashes; few hashes (long runs of equal home buckets); and hashes whose low bits
    // (the home bucket) are all the same with different tags.
    churn((i) => Math.imul(i, 0x9e3779b1) ^ (i << 7), 300, 20000, 11);
    churn(mod(7), 300, 20000, 12);
    churn((i) => i << 24, 300, 20000, 13);
  });

  test('runs that wrap around the end of the index', () => {
    // Phase 0: the index holds up to 3/4 of its buckets, 6 of 8.
    const shard = new Shard<number>(undefined, undefined, 0);
    // All in the last bucket of 8 (while the index has 8 buckets), so the run wraps to bucket 0.
    for (let i = 0; i < 5; i++) shard.add(`w${i}`, i, 7 | (i << 28), 0);
    expect(shard.buckets).toBe(8);
    checkIndex(shard);
    shard.remove(shard.find('w1', 7 | (1 << 28)));
    shard.remove(shard.find('w3', 7 | (3 << 28)));
    checkIndex(shard);
    for (const i of [0, 2, 4]) expect(shard.values[shard.find(`w${i}`, 7 | (i << 28))]).toBe(i);
    expect(Array.from(indexOf(shard)).filter((b) => b !== 0).length).toBe(3);
  });

  test('the index grows to stay at most 3/4 full and shrinks as keys go, leaving no marks behind', () => {
    const shard = new Shard<number>(undefined, undefined, 0);
    const hashOf = (i: number) => Math.imul(i + 1, 0x9e3779b1);
    for (let i = 0; i < 10000; i++) {
      shard.add(keyName(i), i, hashOf(i), 0);
      if (shard.size * 4 > shard.buckets * 3) throw new Error(`over 3/4 full at ${shard.size}`);
    }
    expect(shard.buckets).toBe(16384);
    checkIndex(shard);
    for (let i = 0; i < 9990; i++) shard.remove(shard.find(keyName(i), hashOf(i)));
    expect(shard.size).toBe(10);
    expect(shard.buckets).toBeLessThanOrEqual(128);
    expect(shard.words.length).toBeLessThan(100 * WORDS_PER_SLOT);
    checkIndex(shard);
    for (let i = 9990; i < 10000; i++) expect(shard.values[shard.find(keyName(i), hashOf(i))]).toBe(i);
    for (let i = 9990; i < 10000; i++) shard.remove(shard.find(keyName(i), hashOf(i)));
    expect(Array.from(indexOf(shard)).every((b) => b === 0)).toBe(true);
  });
});

describe('Shard growth schedule', () => {
  /** The sizes at which a shard's index and words grew, filling it to `n` entries. */
  function growthSizes(phase: number, n: number): { index: number[]; words: number[] } {
    const shard = new Shard<number>(undefined, undefined, phase);
    const sizes = { index: [] as number[], words: [] as number[] };
    for (let i = 0; i < n; i++) {
      const buckets = shard.buckets;
      const words = shard.words.length;
      shard.add(keyName(i), i, Math.imul(i + 1, 0x9e3779b1), 0);
      if (shard.buckets !== buckets) sizes.index.push(shard.size);
      if (shard.words.length !== words) sizes.words.push(shard.size);
      if (shard.size > shard.buckets * 0.75) throw new Error(`over 3/4 full at ${shard.size}`);
      if (shard.words.length < shard.size * WORDS_PER_SLOT) throw new Error(`words too short at ${shard.size}`);
    }
    return sizes;
  }

  test('phase 0 rebuilds the index at 3/4 and doubles words from 4 slots; other phases start elsewhere', () => {
    const first = growthSizes(0, 5000);
    expect(first.index).toEqual([7, 13, 25, 49, 97, 193, 385, 769, 1537, 3073]);
    expect(first.words).toEqual([5, 9, 17, 33, 65, 129, 257, 513, 1025, 2049, 4097]);
    // Phase 1/2: at 5/8 of the buckets, and doubling from 4 * 2^(1/2) = 5.66 slots.
    const middle = growthSizes(0.5, 5000);
    expect(middle.index).toEqual([6, 11, 21, 41, 81, 161, 321, 641, 1281, 2561]);
    expect(middle.words).toEqual([5, 7, 13, 24, 47, 92, 183, 364, 726, 1450, 2898]);
    // Phase 1: at 1/2.
    expect(growthSizes(1, 5000).index).toEqual([5, 9, 17, 33, 65, 129, 257, 513, 1025, 2049, 4097]);
  });

  test('shards with random phases, filled at the same pace, grow at sizes spread over the whole range', () => {
    // The growth that takes each of 64 shards past 4000 entries: on one schedule they would all
    // happen at the same size.
    const firstPast = (sizes: number[]): number => sizes.find((size) => size > 4000)!;
    const index = new Set<number>();
    const words = new Set<number>();
    for (let s = 0; s < 64; s++) {
      const sizes = growthSizes(Math.random(), 9000);
      index.add(firstPast(sizes.index));
      words.add(firstPast(sizes.words));
    }
    expect(index.size).toBeGreaterThan(20);
    expect(words.size).toBeGreaterThan(20);
    expect(Math.max(...index) / Math.min(...index)).toBeGreaterThan(1.3);
    expect(Math.max(...words) / Math.min(...words)).toBeGreaterThan(1.6);
  });
});

describe('hashKey', () => {
  test('spreads usual key shapes evenly over the shards', () => {
    const random = rng(21);
    const hex = () => Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0');
    const shapes: [string, (i: number) => string][] = [
      ['user:N', (i) => `user:${i}`],
      ['session:hex', () => `session:${hex()}${hex()}${hex()}`],
      ['binary', (i) => String.fromCharCode(i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0, 0xff)],
      ['long common prefix', (i) => `${'p'.repeat(200)}${i}`],
      ['N', (i) => String(i)],
    ];
    const keys = 256 * 200;
    for (const [shape, name] of shapes) {
      const counts = new Array<number>(SHARD_COUNT).fill(0);
      for (let i = 0; i < keys; i++) counts[shardOf(name(i))]++;
      const expected = keys / SHARD_COUNT;
      // 200 per shard on average, standard deviation about 14.
      expect(Math.min(...counts), shape).toBeGreaterThan(expected * 0.6);
      expect(Math.max(...counts), shape).toBeLessThan(expected * 1.4);
    }
  });

  test('tells apart keys that differ in one char anywhere, and handles the empty key and wide chars', () => {
    const hashes = new Set<number>();
    const base = 'abcdefghij';
    for (let at = 0; at < base.length; at++) {
      for (let c = 0; c < 256; c++) hashes.add(hashKey(base.slice(0, at) + String.fromCharCode(c) + base.slice(at + 1)));
    }
    expect(hashes.size).toBeGreaterThan(2540); // 2551 distinct keys; a collision or two is chance
    expect(hashKey('')).toBe(hashKey(''));
    expect(hashKey('a')).not.toBe(hashKey('a\x00'));
    const table = new KeyTable<number>();
    for (const key of ['', '\x00', '\x00\x00', 'é', '日本語', '\uffff']) table.set(key, key.length);
    expect([...table.entries()].length).toBe(6);
    expect(table.get('日本語')).toBe(3);
    expect(table.get('')).toBe(0);
  });
});

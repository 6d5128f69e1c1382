/**
 * memoryUsage() of the collection types: (1) under random operations that cross the encoding
 * thresholds, it always equals a count made from scratch by walking the structure; (2) summed over
 * many values, it is close to the heap the values really take in V8.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, test } from 'vitest';
import type { CollectionValue } from '../../src/keyspace/value';
import {
  ARRAY_BYTES,
  ARRAY_SLOT_BYTES,
  BIGINT_BYTES,
  FUNCTION_BYTES,
  arrayBytes,
  exactArrayBytes,
  objectBytes,
  stringBytes,
} from '../../src/memory/sizes';
import { chunkedArrayBytes } from '../../src/types/chunked-array';
import { HashValue } from '../../src/types/hash';
import { headerSize, packedBytes } from '../../src/types/packed-entries';
import { parseCanonicalInt64 } from '../../src/types/intset';
import { Quicklist } from '../../src/types/quicklist';
import { SetValue } from '../../src/types/set';
import { CELL_BYTES, PAGE_BYTES, SKIPLIST_BYTES, type SkipList } from '../../src/types/skiplist';
import { splitMapBytes } from '../../src/types/split-map';
import { SortedSet, ZaddIn, ZsetEntries, type ListpackLimits } from '../../src/types/zset';
import type { LexRange } from '../../src/types/zset-range';
import { seededRandom } from '../helpers/seeded-random';

// ---- the model, counted from scratch ----
// Each count walks the elements; what it cannot see from outside (array exactness, skiplist
// capacity and free lists) it reads from the private fields.

function textBytes(strings: Iterable<string>): number {
  let total = 0;
  for (const s of strings) total += stringBytes(s.length);
  return total;
}

function* range<T>(size: number, at: (i: number) => T): Iterable<T> {
  for (let i = 0; i < size; i++) yield at(i);
}

/** An array that was copied and has not grown since costs its slots only; else slots with spare room. */
const arrayOf = (length: number, exact: boolean) => (exact ? exactArrayBytes(length) : arrayBytes(length));

/**
 * The list object, then per node: the node, its packed string (dropped bytes at its ends
 * included), and the elements waiting unpacked at its ends: their arrays and strings.
 */
function recountList(list: Quicklist): number {
  let total = objectBytes(7);
  for (let node = list.head; node; node = node.next) {
    total += objectBytes(10) + (node.packed.length > 0 ? stringBytes(node.packed.length) : 0);
    for (const pending of [node.front, node.back]) {
      if (pending !== null) total += arrayBytes(pending.length) + textBytes(pending);
    }
  }
  return total;
}

/** Bytes of entries packed one after the other, each behind its varint length. */
function packedLength(entries: Iterable<string>): number {
  let total = 0;
  for (const s of entries) total += headerSize(s.length) + s.length;
  return total;
}

/** A listpack: one packed string of fields and values; a hashtable: Map + field and value arrays. */
function recountHash(hash: HashValue): number {
  const n = hash.size;
  const fields = [...range(n, (i) => hash.fieldAt(i))];
  const values = [...range(n, (i) => hash.valueAt(i))];
  const structure =
    hash.encoding() === 'listpack'
      ? packedBytes(packedLength(fields) + packedLength(values))
      : objectBytes(4) + splitMapBytes(n, hash['table']!['slots'].split) + 2 * chunkedArrayBytes(n) + textBytes(fields) + textBytes(values);
  return objectBytes(3) + structure;
}

/** An intset: an array of numbers, BigInts beyond 2^53; a hashtable: Map + member array. */
function recountSet(set: SetValue): number {
  const n = set.size;
  const members = [...range(n, (i) => set.at(i))];
  const ints = set['ints'];
  if (ints !== null) {
    const bigints = members.filter((m) => typeof parseCanonicalInt64(m) === 'bigint').length;
    return objectBytes(2) + objectBytes(3) + arrayOf(n, ints['exact']) + bigints * BIGINT_BYTES;
  }
  return objectBytes(2) + objectBytes(3) + splitMapBytes(n, set['table']!['slots'].split) + chunkedArrayBytes(n) + textBytes(members);
}

/** Bytes of a packed score: an integer below 2^52 in magnitude as its zigzag value, else a double. */
function packedScoreLength(score: number): number {
  if (!Number.isInteger(score) || Math.abs(score) >= 2 ** 52) return 8;
  let zigzag = score < 0 ? -2 * score - 1 : 2 * score;
  let bytes = 0;
  for (; zigzag > 0; zigzag = Math.floor(zigzag / 256)) bytes++;
  return bytes;
}

/** The cells of a skiplist's pages. */
function skiplistCells(list: SkipList): number {
  let cells = 0;
  for (const page of list['pages']) cells += page.scores.length;
  return cells;
}

/**
 * A listpack: members and scores in one packed string; a skiplist: Map + node array + the list's
 * storage (pages and their cells of capacity, live members' strings, free lists).
 */
function recountZset(zset: SortedSet): number {
  const n = zset.size;
  const strings = textBytes(range(n, (i) => zset.memberAt(i)));
  const base = objectBytes(3);
  const enc = zset['skiplist'];
  if (enc === null) {
    const members = [...range(n, (i) => zset.memberAt(i))];
    const scores = [...range(n, (i) => zset.scoreAt(i))];
    // Each score entry: a one-byte header and its bytes.
    const scoreBytes = scores.reduce((sum, score) => sum + 1 + packedScoreLength(score), 0);
    return base + packedBytes(packedLength(members) + scoreBytes);
  }
  const list = enc.list;
  let freeLists = 0;
  for (const blocks of list['free']) {
    if (blocks !== undefined) freeLists += ARRAY_BYTES + ARRAY_SLOT_BYTES * blocks.length;
  }
  const pages = PAGE_BYTES * list['pages'].length + CELL_BYTES * skiplistCells(list);
  const storage = SKIPLIST_BYTES + pages + strings + freeLists;
  return base + objectBytes(4) + FUNCTION_BYTES + splitMapBytes(n, enc.dict.split) + chunkedArrayBytes(n) + storage;
}

// ---- random elements ----

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function text(random: Random, length: number, alphabet: number): string {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (alphabet === 256 ? 0 : 97) + Math.floor(random() * alphabet);
  return bytes.toString('latin1');
}

/**
 * A pool of elements of every kind: small and large integers (BigInt range included), short
 * text, binary bytes, medium and huge strings. Drawing from a pool makes members repeat.
 */
function elementPool(random: Random, size: number): string[] {
  const pool: string[] = [];
  while (pool.length < size) {
    const r = random();
    let s: string;
    if (r < 0.25) s = String(Math.floor(random() * 2000) - 1000);
    else if (r < 0.35) s = String(BigInt(Math.floor(random() * 2 ** 52)) * 4096n * (random() < 0.5 ? -1n : 1n));
    else if (r < 0.6) s = text(random, 2 + Math.floor(random() * 10), 26);
    else if (r < 0.8) s = text(random, 1 + Math.floor(random() * 40), 256);
    else if (r < 0.95) s = text(random, 50 + Math.floor(random() * 150), 26);
    else s = text(random, 9000 + Math.floor(random() * 20000), 256);
    if (!pool.includes(s)) pool.push(s);
  }
  return pool;
}

// ---- (1) incremental count == recount ----

interface Scenario<T extends CollectionValue> {
  /** A fresh value (also used to start over, as when a key is emptied and created again). */
  make: () => T;
  /** One random change; may return a different value (a clone, a rebuilt value, a fresh one). */
  step: (value: T, random: Random, pool: string[]) => T | void;
  recount: (value: T) => number;
  steps: number;
}

/** Runs a scenario; returns the encoding changes seen ("a>b": a on one step, b on the next). */
function runScenario<T extends CollectionValue>(seed: number, scenario: Scenario<T>): Set<string> {
  const random = seededRandom(seed);
  const pool = elementPool(random, 80);
  let value = scenario.make();
  const transitions = new Set<string>();
  const mismatches: string[] = [];
  for (let i = 0; i < scenario.steps && mismatches.length < 5; i++) {
    const before = value.encoding();
    value = scenario.step(value, random, pool) ?? value;
    if (value.encoding() !== before) transitions.add(`${before}>${value.encoding()}`);
    const expected = scenario.recount(value);
    if (value.memoryUsage() !== expected) mismatches.push(`step ${i}: ${value.memoryUsage()} instead of ${expected}`);
  }
  expect(mismatches).toEqual([]);
  return transitions;
}

describe('memoryUsage() follows every change', () => {
  // Long lists have pushes waiting unpacked at their ends; short ones pack every push.
  for (const [fill, size] of [[-2, 60], [-1, 60], [4, 60], [1, 60], [-2, 600]]) {
    test(`list (fill ${fill}, about ${size} elements): pushes, pops, sets, inserts, removals, trims, clones, rebuilds`, () => {
      const nodeCounts = new Set<number>();
      let pendingSeen = false;
      runScenario(1000 + fill + size, {
        make: () => new Quicklist(fill),
        steps: 4000,
        recount: recountList,
        step(list, random, pool) {
          nodeCounts.add(list.nodeCount);
          for (let node = list.head; node; node = node.next) pendingSeen ||= node.front !== null || node.back !== null;
          const r = random();
          const value = pick(random, pool);
          const grow = list.length < size;
          const values = Array.from({ length: Math.floor(random() * 8) }, () => pick(random, pool));
          if (r < 0.05) list.pushAll(['LPUSH', 'key', ...values], 2, random() < 0.5);
          else if (r < (grow ? 0.35 : 0.15)) list.pushTail(value);
          else if (r < (grow ? 0.55 : 0.3)) list.pushHead(value);
          else if (r < 0.4) list.popHead();
          else if (r < 0.5) list.popTail();
          else if (r < 0.6) list.set(Math.floor(random() * (list.length + 2)) - 1, value);
          else if (r < 0.75) list.insert(list.get(Math.floor(random() * list.length)) ?? value, value, random() < 0.5);
          else if (r < 0.82) list.remove(pick(random, pool), Math.floor(random() * 3), random() < 0.5);
          else if (r < 0.9) list.deleteRange(Math.floor(random() * list.length), Math.floor(random() * 6));
          else if (r < 0.93) return list.clone();
          else if (r < 0.95) return Quicklist.from(list.toArray(), fill);
          else if (r < 0.97) return Quicklist.fromNodes(list.nodes(), fill);
          else while (list.length > 0 && random() < 0.9) list.popTail();
        },
      });
      // Enough shapes to have split and merged nodes.
      expect(Math.max(...nodeCounts)).toBeGreaterThan(fill === -1 ? 3 : 8);
      // Elements waiting unpacked (pushes at the ends of long lists, long elements alone in a node).
      expect(pendingSeen).toBe(true);
    });
  }

  test('hash: listpack and hashtable, both conversions (long strings, too many fields), clones', () => {
    const transitions = runScenario(2000, {
      make: () => new HashValue(),
      steps: 6000,
      recount: recountHash,
      step(hash, random, pool) {
        const r = random();
        // Mostly short strings, so that listpacks live long enough to see updates and grow past 8 fields.
        const short = pool.filter((s) => s.length <= 16);
        const field = pick(random, random() < 0.95 ? short.slice(0, 12) : pool);
        const value = pick(random, random() < 0.9 ? short : pool);
        if (r < 0.5) hash.set(field, value, 8, 16);
        else if (r < 0.9) hash.delete(field);
        else if (r < 0.93) return hash.clone();
        else if (r < 0.96 || hash.size === 0) return new HashValue();
      },
    });
    expect(transitions).toEqual(new Set(['listpack>hashtable', 'hashtable>listpack']));
  });

  test('set: intset (with BigInt members) and hashtable, both conversions, clones', () => {
    const transitions = runScenario(3000, {
      make: () => new SetValue(),
      steps: 6000,
      recount: recountSet,
      step(set, random, pool) {
        const r = random();
        const integers = pool.filter((m) => parseCanonicalInt64(m) !== null);
        // Mostly integers, so that intsets live long enough to grow past 16 members.
        const member = random() < 0.9 ? pick(random, integers) : pick(random, pool);
        if (r < 0.55) set.add(member, 16);
        else if (r < 0.9) set.remove(member);
        else if (r < 0.93) return set.clone();
        else if (r < 0.96 || set.size === 0) return new SetValue();
      },
    });
    expect(transitions).toEqual(new Set(['intset>hashtable', 'hashtable>intset']));
  });

  const limits: ListpackLimits = { maxEntries: 8, maxValue: 16 };
  const scores = [0, -0, 1, 2.5, -3, 1e300, -Infinity, Infinity, 7, 1 / 3];
  const zaddFlags = [0, 0, ZaddIn.NX, ZaddIn.XX, ZaddIn.GT, ZaddIn.LT, ZaddIn.Incr];
  test('sorted set: listpack and skiplist, ZADD flags, range removals, pops, *STORE rebuilds', () => {
    const transitions = runScenario(4000, {
      make: () => new SortedSet(),
      steps: 6000,
      recount: recountZset,
      step(zset, random, pool) {
        const r = random();
        const member = pick(random, pool.slice(0, 30));
        const score = pick(random, scores);
        const low = pick(random, scores);
        const rangeOf = { min: low, max: low + 5, minExclusive: random() < 0.5, maxExclusive: false };
        const lexOf: LexRange = {
          min: { infinity: 0, value: pick(random, pool), exclusive: false },
          max: { infinity: 1, value: '', exclusive: true },
        };
        if (r < 0.45) zset.add(score, member, pick(random, zaddFlags), limits);
        else if (r < 0.6) zset.remove(member);
        else if (r < 0.65 && zset.size > 0) zset.removeRangeByRank(0, Math.floor(random() * zset.size));
        else if (r < 0.7) zset.removeRangeByScore(rangeOf);
        else if (r < 0.73) zset.removeRangeByLex(lexOf);
        else if (r < 0.8) zset.pop(1 + Math.floor(random() * 3), random() < 0.5, new ZsetEntries());
        else if (r < 0.85) {
          const entries = zset.entries();
          return SortedSet.fromSorted(entries.members, entries.scores, limits);
        } else if (r < 0.88) return zset.clone();
        else if (r < 0.9) zset.ensureSkiplist();
        else if (r < 0.93 || zset.size === 0) return new SortedSet();
      },
    });
    expect(transitions).toEqual(new Set(['listpack>skiplist', 'skiplist>listpack']));
  });

  test('sorted set: a large skiplist shrunk until it is rebuilt, with score updates on the way', () => {
    const zset = new SortedSet();
    const big: ListpackLimits = { maxEntries: 128, maxValue: 64 };
    const check = () => expect(zset.memoryUsage()).toBe(recountZset(zset));
    // Enough members for the storage to pass the size where a mostly free one gets rebuilt.
    for (let i = 0; i < 4000; i++) zset.add(i % 97, `member:${i}`, 0, big);
    check();
    const capacity = skiplistCells(zset['skiplist']!.list);
    for (let i = 0; i < 4000; i += 7) {
      zset.add(1, `member:${i}`, ZaddIn.Incr, big);
      check();
    }
    while (zset.size > 100) {
      zset.removeRangeByRank(0, 60);
      check();
      zset.remove(`member:${zset.size}`);
      check();
    }
    // Rebuilt: the storage shrank with the set.
    expect(skiplistCells(zset['skiplist']!.list)).toBeLessThan(capacity / 4);
  });
});

// ---- (2) the estimate against the heap ----

/**
 * The sum of memoryUsage() over many values against the growth of heapUsed + arrayBuffers (the
 * skiplist's typed arrays live outside the heap), after full GCs. Measured on Node 20.20 (x64, no
 * pointer compression), estimate / growth, over several runs:
 *   list   small 0.97   small loaded (fromNodes) 0.95-0.99   large 1.00
 *   hash   small 0.97   large 1.00
 *   set    intset small 1.00-1.01   intset medium 1.00-1.14   hashtable small 1.00   hashtable large 1.00
 *   zset   small 0.97   small loaded (fromSorted) 0.95   large 1.00   huge (skiplist pages) 1.00
 * (The growth includes the 8-byte slot of each value in the array holding them, about 4% of a
 * small packed hash or sorted set.)
 * (The medium intset varies from run to run and with how warm the code is: the spare room V8
 * leaves in an array grown by splice() changes with it, by up to 10% for the same contents.)
 * Every class must stay within ALLOWED_FACTOR either way.
 */
const ALLOWED_FACTOR = 1.25;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapNow(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Random bytes to slice strings from. One buffer for the whole file: a buffer freed while a class
 * is measured would hide a megabyte of its growth.
 */
const SOURCE_BYTES = Buffer.alloc(1 << 20);
{
  const random = seededRandom(7);
  for (let i = 0; i < SOURCE_BYTES.length; i++) SOURCE_BYTES[i] = Math.floor(random() * 256);
}

/** Bytes the way the server gets them: sequential latin1 strings sliced out of a buffer. */
class StringSource {
  constructor(private readonly random: Random) {}
  next(minLength: number, maxLength: number): string {
    const length = minLength + Math.floor(this.random() * (maxLength - minLength + 1));
    const at = Math.floor(this.random() * (SOURCE_BYTES.length - length));
    return SOURCE_BYTES.toString('latin1', at, at + length);
  }
  integer(): string {
    return String(Math.floor(this.random() * 1e9));
  }
}

interface SizeClass {
  name: string;
  /** How many values to build. */
  count: number;
  build: (source: StringSource, random: Random) => CollectionValue;
}

const SMALL = 10000;
const LARGE = 50;
const SMALL_SIZES = [2, 12] as const;
const LARGE_SIZES = [500, 3000] as const;
const ZSET_LIMITS: ListpackLimits = { maxEntries: 128, maxValue: 64 };
const randomScore = (random: Random) => (random() < 0.5 ? Math.floor(random() * 1000) : random() * 1000);
const between = (random: Random, [min, max]: readonly [number, number]) => min + Math.floor(random() * (max - min + 1));

/** Values made empty, then given a random number of elements one by one, as commands do. */
function grown<T extends CollectionValue>(
  name: string,
  count: number,
  sizes: readonly [number, number],
  make: () => T,
  add: (value: T, source: StringSource, random: Random) => void,
): SizeClass {
  return {
    name,
    count,
    build(source, random) {
      const value = make();
      for (let i = between(random, sizes); i > 0; i--) add(value, source, random);
      return value;
    },
  };
}

const addInteger = (set: SetValue, source: StringSource) => set.add(source.integer(), 512);
const addText = (set: SetValue, source: StringSource) => set.add(source.next(4, 24), 512);

const sizeClasses: SizeClass[] = [
  grown('list small', SMALL, SMALL_SIZES, () => new Quicklist(-2), (list, source) => list.pushTail(source.next(4, 24))),
  grown('list large', LARGE, LARGE_SIZES, () => new Quicklist(-2), (list, source) => list.pushTail(source.next(4, 40))),
  {
    name: 'list small, loaded (fromNodes)',
    count: SMALL,
    build(source, random) {
      const node = Array.from({ length: between(random, SMALL_SIZES) }, () => source.next(4, 24));
      return Quicklist.fromNodes([node]);
    },
  },
  grown('hash small (listpack)', SMALL, SMALL_SIZES, () => new HashValue(), (hash, source) =>
    hash.set(source.next(4, 16), source.next(4, 32), 128, 64),
  ),
  grown('hash large (hashtable)', LARGE, LARGE_SIZES, () => new HashValue(), (hash, source) =>
    hash.set(source.next(4, 16), source.next(4, 32), 128, 64),
  ),
  grown('set small (intset)', SMALL, SMALL_SIZES, () => new SetValue(), addInteger),
  grown('set medium (intset)', SMALL / 10, [50, 512], () => new SetValue(), addInteger),
  grown('set small (hashtable)', SMALL, SMALL_SIZES, () => new SetValue(), addText),
  grown('set large (hashtable)', LARGE, LARGE_SIZES, () => new SetValue(), addText),
  grown('zset small (listpack)', SMALL, SMALL_SIZES, () => new SortedSet(), (zset, source, random) =>
    zset.add(randomScore(random), source.next(4, 24), 0, ZSET_LIMITS),
  ),
  grown('zset large (skiplist)', LARGE, LARGE_SIZES, () => new SortedSet(), (zset, source, random) =>
    zset.add(randomScore(random), source.next(4, 24), 0, ZSET_LIMITS),
  ),
  // Several of the skiplist's pages each (the large ones fit in its first page).
  grown('zset huge (skiplist pages)', 3, [40000, 80000], () => new SortedSet(), (zset, source, random) =>
    zset.add(randomScore(random), source.next(4, 24), 0, ZSET_LIMITS),
  ),
  {
    name: 'zset small, loaded (fromSorted)',
    count: SMALL,
    build(source, random) {
      const sorted = new SortedSet();
      for (let i = between(random, SMALL_SIZES); i > 0; i--) {
        sorted.add(randomScore(random), source.next(4, 24), 0, ZSET_LIMITS);
      }
      const { members, scores } = sorted.entries();
      return SortedSet.fromSorted(members, scores, ZSET_LIMITS);
    },
  },
];

describe('memoryUsage() against the V8 heap', () => {
  test.each(sizeClasses.map((c) => [c.name, c] as const))('%s', (_name, sizeClass) => {
    const random = seededRandom(sizeClass.count);
    const source = new StringSource(random);
    // Warm up first, so that the code compiled meanwhile does not count as growth.
    for (let i = 0; i < Math.min(50, sizeClass.count); i++) sizeClass.build(source, random);
    const values = new Array<CollectionValue>(sizeClass.count);
    const before = heapNow();
    for (let i = 0; i < values.length; i++) values[i] = sizeClass.build(source, random);
    const grownBytes = heapNow() - before;
    let estimate = 0;
    for (const value of values) estimate += value.memoryUsage();
    const ratio = estimate / grownBytes;
    expect(ratio).toBeGreaterThan(1 / ALLOWED_FACTOR);
    expect(ratio).toBeLessThan(ALLOWED_FACTOR);
  });
});

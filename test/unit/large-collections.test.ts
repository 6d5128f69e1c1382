/**
 * The pieces that keep large sets, hashes and sorted sets from pausing as they grow: SplitMap
 * (an index split into parts past SPLIT_AT entries) and ChunkedArray (dense slots in fixed
 * chunks), on their own against plain Map/array models, and inside DenseSet, DenseMap and the
 * skiplist sorted set across the sizes where they split, merge and add or drop chunks.
 */
import { describe, expect, test } from 'vitest';
import { CHUNK_SIZE, ChunkedArray } from '../../src/types/chunked-array';
import { DenseMap, DenseSet } from '../../src/types/dense-table';
import { MERGE_AT, SPLIT_AT, SplitMap } from '../../src/types/split-map';
import { SortedIds } from '../../src/types/stream-groups';
import { makeId } from '../../src/types/stream-id';
import { SortedSet } from '../../src/types/zset';
import { seededRandom } from '../helpers/seeded-random';

/** Keys of varied shapes: the empty string, binary bytes, long ones, numbers. */
function keyOf(i: number): string {
  switch (i % 5) {
    case 0:
      return `k${i}`;
    case 1:
      return `\x00\xff${String.fromCharCode(i % 256)}${i}`;
    case 2:
      return `${i}`.padStart(40, 'x');
    case 3:
      return i === 3 ? '' : `member:${i}`;
    default:
      return `${i * 7919}`;
  }
}

describe('SplitMap', () => {
  test('answers as a Map while it grows past SPLIT_AT, shrinks to MERGE_AT and grows again', () => {
    const map = new SplitMap<number>();
    const model = new Map<string, number>();
    const check = (keys: number[]) => {
      expect(map.size).toBe(model.size);
      for (const i of keys) {
        const key = keyOf(i);
        expect(map.get(key)).toBe(model.get(key));
        expect(map.has(key)).toBe(model.has(key));
      }
    };
    const top = SPLIT_AT + 500;
    for (let i = 0; i < top; i++) {
      map.set(keyOf(i), i);
      model.set(keyOf(i), i);
      if (i === SPLIT_AT - 2) expect(map.split).toBe(false);
    }
    expect(map.split).toBe(true);
    // Replacing a value neither adds an entry nor changes the split.
    map.set(keyOf(10), -10);
    model.set(keyOf(10), -10);
    check([0, 1, 2, 3, 4, 10, SPLIT_AT - 1, SPLIT_AT, top - 1, top, top + 1]);
    expect(map.delete(keyOf(top + 5))).toBe(false);
    // Down to just above MERGE_AT: still split (no merge right after a split).
    for (let i = top - 1; i > MERGE_AT; i--) {
      expect(map.delete(keyOf(i))).toBe(true);
      model.delete(keyOf(i));
    }
    expect(map.split).toBe(true);
    expect(map.delete(keyOf(MERGE_AT))).toBe(true);
    model.delete(keyOf(MERGE_AT));
    expect(map.split).toBe(false);
    check([0, 1, 2, 3, 10, MERGE_AT - 1, MERGE_AT, MERGE_AT + 1, top - 1]);
    for (let i = 0; i < MERGE_AT; i++) expect(map.get(keyOf(i))).toBe(model.get(keyOf(i)));
    for (let i = MERGE_AT; i < top; i++) {
      map.set(keyOf(i), 2 * i);
      model.set(keyOf(i), 2 * i);
    }
    expect(map.split).toBe(true);
    check([0, 3, MERGE_AT, SPLIT_AT, top - 1]);
  });

  test('random sets and deletes, growing past SPLIT_AT and shrinking past MERGE_AT twice, agree with a Map', () => {
    const random = seededRandom(81);
    const map = new SplitMap<string>();
    const model = new Map<string, string>();
    // The keys present, to delete one at random (swap-remove as the owners do).
    const present: string[] = [];
    let next = 0;
    let mismatches = 0;
    let splits = 0;
    let merges = 0;
    const step = (add: boolean) => {
      const wasSplit = map.split;
      let key: string;
      if (add) {
        // A new key, or a known one again (a replace).
        key = present.length > 0 && random() < 0.2 ? present[Math.floor(random() * present.length)] : keyOf(next++);
        if (!model.has(key)) present.push(key);
        map.set(key, `v${next}`);
        model.set(key, `v${next}`);
      } else {
        const at = Math.floor(random() * present.length);
        key = present[at];
        present[at] = present[present.length - 1];
        present.pop();
        if (map.delete(key) !== model.delete(key)) mismatches++;
      }
      if (map.split !== wasSplit) (map.split ? splits++ : merges++);
      // The key just used (the remembered one), then another.
      const other = keyOf(Math.floor(random() * next));
      if (map.get(key) !== model.get(key) || map.get(other) !== model.get(other) || map.has(other) !== model.has(other)) mismatches++;
      if (map.size !== model.size) mismatches++;
    };
    for (let round = 0; round < 2; round++) {
      while (model.size < SPLIT_AT + 100) step(random() < 0.7);
      while (model.size > MERGE_AT - 100) step(random() < 0.3);
    }
    expect(mismatches).toBe(0);
    expect([splits, merges]).toEqual([2, 2]);
    for (const [key, value] of model) if (map.get(key) !== value) mismatches++;
    expect(mismatches).toBe(0);
  });

  test('bytes() grows with the entries and counts the parts once split', () => {
    const map = new SplitMap<number>();
    const empty = map.bytes();
    for (let i = 0; i < SPLIT_AT - 1; i++) map.set(keyOf(i), i);
    const whole = map.bytes();
    map.set(keyOf(SPLIT_AT), 0);
    expect(map.split).toBe(true);
    expect(empty).toBeGreaterThan(0);
    expect(whole).toBeGreaterThan(empty + 28 * (SPLIT_AT / 2));
    // 256 parts of 128 entries: about the one table of 32768, plus the parts' headers.
    expect(map.bytes()).toBeGreaterThan(whole);
    expect(map.bytes()).toBeLessThan(whole * 1.5);
  });
});

describe('ChunkedArray', () => {
  test('push, pop, at and set across chunk boundaries agree with an array', () => {
    const array = new ChunkedArray<number>();
    const model: number[] = [];
    const random = seededRandom(5);
    expect(array.length).toBe(0);
    expect(array.toArray()).toEqual([]);
    for (let step = 0; step < 3 * CHUNK_SIZE + 100; step++) {
      array.push(step);
      model.push(step);
    }
    // Pop back over two chunk ends and push over them again.
    for (let i = 0; i < CHUNK_SIZE + 200; i++) expect(array.pop()).toBe(model.pop());
    for (let i = 0; i < 300; i++) {
      array.push(-i);
      model.push(-i);
    }
    for (let i = 0; i < 1000; i++) {
      const at = Math.floor(random() * model.length);
      array.set(at, i);
      model[at] = i;
    }
    expect(array.length).toBe(model.length);
    for (const at of [0, CHUNK_SIZE - 1, CHUNK_SIZE, 2 * CHUNK_SIZE - 1, 2 * CHUNK_SIZE, model.length - 1]) {
      if (at < model.length) expect(array.at(at)).toBe(model[at]);
    }
    expect(array.toArray()).toEqual(model);
    while (model.length > 0) expect(array.pop()).toBe(model.pop());
    expect(array.length).toBe(0);
    array.push(7);
    expect(array.toArray()).toEqual([7]);
  });

  test('an exact multiple of the chunk size, popped and pushed at the boundary', () => {
    const array = new ChunkedArray<string>();
    for (let i = 0; i < CHUNK_SIZE; i++) array.push(`s${i}`);
    const full = array.bytes();
    array.push('next');
    expect(array.bytes()).toBeGreaterThan(full);
    expect(array.pop()).toBe('next');
    expect(array.bytes()).toBe(full);
    expect(array.at(CHUNK_SIZE - 1)).toBe(`s${CHUNK_SIZE - 1}`);
    expect(array.toArray().length).toBe(CHUNK_SIZE);
  });
});

describe('large hashtable sets, hashes and sorted sets', () => {
  test('DenseSet: slots and index stay consistent through the split, merge and chunk changes', () => {
    const set = new DenseSet();
    const model = new Set<string>();
    const random = seededRandom(11);
    const universe = SPLIT_AT + CHUNK_SIZE;
    let wrongAnswers = 0;
    for (let step = 0; step < 150_000; step++) {
      const member = keyOf(Math.floor(random() * universe));
      if (step < 90_000 ? random() < 0.8 : random() < 0.2) {
        if (set.add(member) === model.has(member)) wrongAnswers++;
        model.add(member);
      } else if (set.delete(member) !== model.delete(member)) wrongAnswers++;
    }
    expect(wrongAnswers).toBe(0);
    expect(set.size).toBe(model.size);
    // Every slot holds a distinct member of the model, and the index finds each one.
    const seen = new Set(set.toArray());
    expect(seen).toEqual(model);
    for (let i = 0; i < set.size; i += 97) expect(set.has(set.at(i))).toBe(true);
    expect(set.clone().toArray()).toEqual(set.toArray());
  });

  test('DenseMap: values stay with their fields through the split and chunk changes', () => {
    const map = new DenseMap();
    const model = new Map<string, string>();
    const random = seededRandom(12);
    const universe = SPLIT_AT + CHUNK_SIZE;
    let wrongAnswers = 0;
    for (let step = 0; step < 150_000; step++) {
      const field = keyOf(Math.floor(random() * universe));
      if (step < 90_000 ? random() < 0.8 : random() < 0.2) {
        const value = `v${step}`;
        if (map.set(field, value) === model.has(field)) wrongAnswers++;
        model.set(field, value);
      } else if (map.delete(field) !== model.delete(field)) wrongAnswers++;
    }
    expect(wrongAnswers).toBe(0);
    expect(map.size).toBe(model.size);
    const slots = new Map<string, string>();
    for (let i = 0; i < map.size; i++) slots.set(map.fieldAt(i), map.valueAt(i));
    expect(slots).toEqual(model);
    for (const [field, value] of model) expect(map.get(field)).toBe(value);
  });

  test('sorted set (skiplist): score, rank and slots agree with a model past the split size', () => {
    const zset = new SortedSet();
    const limits = { maxEntries: 128, maxValue: 64 };
    const model = new Map<string, number>();
    const random = seededRandom(13);
    const universe = SPLIT_AT + 3000;
    let wrongAnswers = 0;
    for (let step = 0; step < 80_000; step++) {
      const member = keyOf(Math.floor(random() * universe));
      if (step < 60_000 ? random() < 0.85 : random() < 0.2) {
        const score = Math.floor(random() * 1000);
        zset.add(score, member, 0, limits);
        model.set(member, score);
      } else if (zset.remove(member) !== model.delete(member)) wrongAnswers++;
    }
    expect(wrongAnswers).toBe(0);
    expect(zset.size).toBe(model.size);
    const bySlot = new Map<string, number>();
    for (let i = 0; i < zset.size; i++) bySlot.set(zset.memberAt(i), zset.scoreAt(i));
    expect(bySlot).toEqual(model);
    const sorted = [...model].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
    for (let rank = 0; rank < sorted.length; rank += 211) {
      const [member, score] = sorted[rank];
      expect(zset.score(member)).toBe(score);
      expect(zset.rank(member, false)).toBe(rank);
    }
  });

  test('a pending entries list (SortedIds) past the split size: in ID order, and get/delete agree with a model', () => {
    const pel = new SortedIds<number>();
    const model = new Map<string, number>();
    const random = seededRandom(14);
    // Deliveries in ID order, then acknowledgements and redeliveries at random.
    const total = SPLIT_AT + 5000;
    for (let i = 0; i < total; i++) {
      const id = makeId(1000 + i, i % 3);
      pel.set(id, i);
      model.set(id, i);
    }
    let wrongAnswers = 0;
    for (let step = 0; step < 30_000; step++) {
      const i = Math.floor(random() * total);
      const id = makeId(1000 + i, i % 3);
      if (random() < 0.6) {
        if (pel.delete(id) !== model.delete(id)) wrongAnswers++;
      } else {
        pel.set(id, -i);
        model.set(id, -i);
      }
    }
    expect(wrongAnswers).toBe(0);
    expect(pel.size).toBe(model.size);
    const inOrder = [...model.keys()].sort();
    for (let at = 0; at < inOrder.length; at += 37) {
      expect(pel.idAt(at)).toBe(inOrder[at]);
      expect(pel.valueAt(at)).toBe(model.get(inOrder[at]));
    }
  });
});

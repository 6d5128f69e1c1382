/**
 * The skiplist against a plain sorted array, under random inserts, deletes, score updates and
 * range deletions, with its invariants (spans, backward links, tail, level) checked throughout;
 * then its storage in pages, small ones so that a few thousand nodes fill dozens of them.
 */
import { describe, expect, test } from 'vitest';
import { ARRAY_BYTES, ARRAY_SLOT_BYTES, stringBytes } from '../../src/memory/sizes';
import { CELL_BYTES, MAX_LEVEL, NIL, PAGE_BYTES, PAGE_CELLS, SKIPLIST_BYTES, SkipList } from '../../src/types/skiplist';
import { isEmptyLexRange, isEmptyScoreRange, type LexRange, type ScoreRange } from '../../src/types/zset-range';
import { seededRandom } from '../helpers/seeded-random';

type Entry = [score: number, member: string];

const compare = (a: Entry, b: Entry): number =>
  a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Walks the list and checks every structural invariant; returns its entries in order. */
function checkInvariants(list: SkipList): Entry[] {
  const entries: Entry[] = [];
  const nodes: number[] = [];
  const previous: number[] = [];
  let maxLevel = 1;
  for (let node = list.first; node !== NIL; node = list.next(node)) {
    previous.push(list.previous(node));
    entries.push([list.score(node), list.member(node)]);
    maxLevel = Math.max(maxLevel, list.levelOf(node));
    nodes.push(node);
  }
  // (Collected and compared at once: an expect per node would make large lists slow to check.)
  expect(previous).toEqual(nodes.map((_, i) => (i === 0 ? NIL : nodes[i - 1])));
  expect(list.tail).toBe(nodes.at(-1) ?? NIL);
  expect(entries.length).toBe(list.length);
  expect(list.level).toBe(maxLevel);
  // Every node is found at its rank, and its rank is its position.
  expect(nodes.map((_, i) => list.byRank(i + 1))).toEqual(nodes);
  expect(entries.map(([score, member]) => list.rankOf(score, member))).toEqual(nodes.map((_, i) => i + 1));
  expect(entries.findIndex((entry, i) => i > 0 && compare(entries[i - 1], entry) >= 0)).toBe(-1);
  return entries;
}

describe('SkipList', () => {
  test('empty list', () => {
    const list = new SkipList();
    expect(list.length).toBe(0);
    expect(list.first).toBe(NIL);
    expect(list.byRank(1)).toBe(NIL);
    expect(list.rankOf(1, 'a')).toBe(0);
    expect(list.delete(1, 'a')).toBe(false);
    const all: ScoreRange = { min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false };
    expect(list.firstRankInRange(all)).toBe(0);
    expect(list.lastRankInRange(all)).toBe(0);
    checkInvariants(list);
  });

  test('orders by score, then by member bytes (a prefix first, \\x00 and \\xff included)', () => {
    const list = new SkipList();
    const members = ['b', 'a', 'ab', '', '\xff', '\x00', 'a\x00'];
    for (const m of members) list.insert(1, m);
    list.insert(0, 'zzz');
    list.insert(-Infinity, 'low');
    list.insert(Infinity, 'high');
    expect(checkInvariants(list).map(([, m]) => m)).toEqual(['low', 'zzz', '', '\x00', 'a', 'a\x00', 'ab', 'b', '\xff', 'high']);
    expect(list.rankOf(1, 'a\x00')).toBe(6);
    expect(list.member(list.byRank(10))).toBe('high');
    expect(list.byRank(11)).toBe(NIL);
    expect(list.byRank(0)).toBe(NIL);
  });

  test('random operations match a sorted array', () => {
    const random = seededRandom(42);
    const list = new SkipList();
    let model: Entry[] = [];
    const scores = new Map<string, number>();
    for (let step = 0; step < 6000; step++) {
      const r = random();
      const member = `m${Math.floor(random() * 400)}`;
      const score = Math.floor(random() * 50) / (random() < 0.5 ? 1 : 4);
      const current = scores.get(member);
      if (r < 0.45) {
        if (current === undefined) {
          list.insert(score, member);
          scores.set(member, score);
          model.push([score, member]);
        }
      } else if (r < 0.65) {
        expect(list.delete(current ?? score, member)).toBe(current !== undefined);
        if (current !== undefined) {
          scores.delete(member);
          model = model.filter(([, m]) => m !== member);
        }
      } else if (r < 0.85) {
        if (current !== undefined) {
          const node = list.byRank(list.rankOf(current, member));
          expect(list.member(node)).toBe(member);
          list.updateScore(node, score);
          scores.set(member, score);
          model = model.map((e) => (e[1] === member ? [score, member] : e));
        }
      } else if (r < 0.88 && model.length > 0) {
        model.sort(compare);
        const start = 1 + Math.floor(random() * model.length);
        const end = Math.min(model.length, start + Math.floor(random() * 5));
        const removed: string[] = [];
        expect(list.deleteRangeByRank(start, end, (node) => removed.push(list.member(node)))).toBe(end - start + 1);
        expect(removed).toEqual(model.slice(start - 1, end).map(([, m]) => m));
        for (const m of removed) scores.delete(m);
        model.splice(start - 1, end - start + 1);
      } else {
        model.sort(compare);
        const min = Math.floor(random() * 60) - 5;
        const range: ScoreRange = { min, max: min + random() * 10, minExclusive: random() < 0.5, maxExclusive: random() < 0.5 };
        const inRange = model.filter(
          ([s]) => (range.minExclusive ? s > range.min : s >= range.min) && (range.maxExclusive ? s < range.max : s <= range.max),
        );
        const first = list.firstRankInRange(range);
        const last = list.lastRankInRange(range);
        expect(first === 0 ? 0 : model.indexOf(inRange[0]) + 1).toBe(first);
        expect(last === 0 ? 0 : model.indexOf(inRange.at(-1)!) + 1).toBe(last);
        expect(first === 0).toBe(inRange.length === 0);
      }
      if (step % 500 === 0) {
        model.sort(compare);
        expect(checkInvariants(list)).toEqual(model);
      }
    }
    model.sort(compare);
    expect(checkInvariants(list)).toEqual(model);
    for (const [i, [s, m]] of model.entries()) expect(list.rankOf(s, m)).toBe(i + 1);
  });

  test('updateScore keeps the node in place when the order allows, and moves it otherwise', () => {
    const list = new SkipList();
    const nodes = ['a', 'b', 'c', 'd'].map((m, i) => list.insert(i * 10, m));
    list.updateScore(nodes[1], 15);
    expect(checkInvariants(list).map(([s]) => s)).toEqual([0, 15, 20, 30]);
    list.updateScore(nodes[1], 25);
    expect(checkInvariants(list)).toEqual([[0, 'a'], [20, 'c'], [25, 'b'], [30, 'd']]);
    list.updateScore(nodes[3], -1);
    expect(checkInvariants(list).map(([, m]) => m)).toEqual(['d', 'a', 'c', 'b']);
    // The same handle stays valid after moving.
    expect(list.byRank(1)).toBe(nodes[3]);
    expect(list.member(nodes[3])).toBe('d');
    // Equal scores are ordered by member, even when updating to a neighbour's score.
    list.updateScore(nodes[0], 20);
    expect(checkInvariants(list).map(([, m]) => m)).toEqual(['d', 'a', 'c', 'b']);
  });

  test('lexicographic ranges over equal scores', () => {
    const list = new SkipList();
    for (const m of ['a', 'b', 'c', 'd', 'e']) list.insert(0, m);
    const bound = (value: string, exclusive: boolean, infinity: -1 | 0 | 1 = 0) => ({ value, exclusive, infinity });
    const range = (min: ReturnType<typeof bound>, max: ReturnType<typeof bound>): LexRange => ({ min, max });
    expect(list.member(list.firstInLexRange(range(bound('b', false), bound('d', true))))).toBe('b');
    expect(list.member(list.lastInLexRange(range(bound('b', false), bound('d', true))))).toBe('c');
    expect(list.member(list.firstInLexRange(range(bound('b', true), bound('', true, 1))))).toBe('c');
    expect(list.member(list.lastInLexRange(range(bound('', true, -1), bound('', true, 1))))).toBe('e');
    expect(list.firstInLexRange(range(bound('x', false), bound('', true, 1)))).toBe(NIL);
    expect(list.firstInLexRange(range(bound('c', true), bound('c', false)))).toBe(NIL);
    expect(isEmptyLexRange(range(bound('', true, 1), bound('', true, -1)))).toBe(true);
    expect(isEmptyLexRange(range(bound('', true, -1), bound('', true, -1)))).toBe(true);
    expect(isEmptyLexRange(range(bound('c', false), bound('c', false)))).toBe(false);
    expect(isEmptyScoreRange({ min: 1, max: 1, minExclusive: true, maxExclusive: false })).toBe(true);
  });

  test('freed blocks are reused, and a list emptied of most nodes reports itself sparse', () => {
    const list = new SkipList();
    for (let i = 0; i < 10000; i++) list.insert(i, `m${i}`);
    expect(list.isSparse()).toBe(false);
    list.deleteRangeByRank(1, 9500, () => undefined);
    expect(list.isSparse()).toBe(true);
    for (let i = 0; i < 9500; i++) list.insert(-i, `n${i}`);
    expect(list.isSparse()).toBe(false);
    expect(checkInvariants(list)).toHaveLength(10000);
  });

  test('levels stay logarithmic: 100k nodes use about log4(n) levels', () => {
    const list = new SkipList();
    for (let i = 0; i < 100000; i++) list.insert(i, 'm' + i);
    expect(list.level).toBeGreaterThanOrEqual(6);
    expect(list.level).toBeLessThanOrEqual(16);
    let levelOne = 0;
    for (let node = list.first; node !== NIL; node = list.next(node)) if (list.levelOf(node) === 1) levelOne++;
    // With p = 1/4, three quarters of the nodes have a single level.
    expect(levelOne / list.length).toBeGreaterThan(0.72);
    expect(levelOne / list.length).toBeLessThan(0.78);
    expect(list.member(list.byRank(54321))).toBe('m54320');
    expect(list.rankOf(99999, 'm99999')).toBe(100000);
  });
});

describe('SkipList storage in pages', () => {
  /** Small pages: a few thousand nodes fill dozens, and many blocks meet a page end. */
  const PAGE = 128;
  /** The header's block, at cell 0: the score cell and one per level. */
  const HEADER_CELLS = 1 + MAX_LEVEL;
  const blockCells = (list: SkipList, node: number) => 1 + list.levelOf(node);
  const pageSizes = (list: SkipList): number[] =>
    list['pages'].map((page: { scores: Float64Array }) => page.scores.length);

  /** memoryUsage() against a count from the pages, the live members and the free lists. */
  function checkMemory(list: SkipList): void {
    const sizes = pageSizes(list);
    let expected = SKIPLIST_BYTES + PAGE_BYTES * sizes.length;
    for (const cells of sizes) expected += CELL_BYTES * cells;
    for (let node = list.first; node !== NIL; node = list.next(node)) expected += stringBytes(list.member(node).length);
    for (const blocks of list['free'] as (number[] | undefined)[]) {
      if (blocks !== undefined) expected += ARRAY_BYTES + ARRAY_SLOT_BYTES * blocks.length;
    }
    expect(list.memoryUsage()).toBe(expected);
  }

  test('the default pages are the large ones, each made full size once the first is full', () => {
    expect(PAGE_CELLS).toBeGreaterThanOrEqual(1 << 15);
    const list = new SkipList();
    // A node takes 2.33 cells on average: this many fill two pages and start a third.
    const nodes = Math.ceil(PAGE_CELLS * 0.9);
    for (let i = 0; i < nodes; i++) list.insert(i % 1000, `m${i}`);
    expect(pageSizes(list)).toEqual([PAGE_CELLS, PAGE_CELLS, PAGE_CELLS]);
    expect(checkInvariants(list)).toHaveLength(nodes);
    checkMemory(list);
  });

  test('a small list stays small: the first page doubles up to a full page', () => {
    const list = new SkipList(64, 1024);
    const sizes = [pageSizes(list)];
    for (let i = 0; i < 600; i++) {
      list.insert(i, `m${i}`);
      if (pageSizes(list).join() !== sizes.at(-1)!.join()) sizes.push(pageSizes(list));
      checkMemory(list);
    }
    expect(sizes).toEqual([[66], [132], [264], [528], [1024], [1024, 1024]]);
    expect(checkInvariants(list)).toHaveLength(600);
    expect(() => new SkipList(64, 96)).toThrow(RangeError);
    expect(() => new SkipList(64, 32)).toThrow(RangeError);
  });

  test('blocks are laid end to end, a block that would cross a page end starting the next page', () => {
    const random = seededRandom(1);
    const list = new SkipList(64, PAGE);
    let top = HEADER_CELLS;
    let skipped = 0;
    const skippedLevels = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const node = list.insert(Math.floor(random() * 100), `m${i}`);
      const size = blockCells(list, node);
      const left = PAGE - (top % PAGE);
      if (size > left) {
        top += left;
        skipped++;
        skippedLevels.add(size - 1);
      }
      expect(node).toBe(top);
      top += size;
    }
    // Blocks of several levels met a page end, leaving different numbers of cells unused.
    expect(skipped).toBeGreaterThan(10);
    expect(skippedLevels.size).toBeGreaterThan(2);
    expect(pageSizes(list)).toEqual(new Array(Math.ceil(top / PAGE)).fill(PAGE));
    expect(checkInvariants(list)).toHaveLength(3000);
  });

  test('inserts, deletes and re-inserts over many pages match a sorted array; freed blocks are reused', () => {
    const random = seededRandom(5);
    const list = new SkipList(64, PAGE);
    /** The entries in order, and each member's node. */
    const model: Entry[] = [];
    const nodes = new Map<string, number>();
    /** Freed blocks by level: a new node of a level takes one of these while there are any. */
    const freed = new Map<number, Set<number>>();
    const freedOf = (level: number) => freed.get(level) ?? freed.set(level, new Set()).get(level)!;
    /** Where an entry belongs in the model (the first index not before it). */
    const position = (entry: Entry) => {
      let low = 0;
      let high = model.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (compare(model[middle], entry) < 0) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    let reused = 0;
    let created = 0;
    const insert = (member: string) => {
      const entry: Entry = [Math.floor(random() * 300) / 2, member];
      const node = list.insert(entry[0], member);
      const level = list.levelOf(node);
      const blocks = freedOf(level);
      if (blocks.size > 0) {
        expect(blocks.delete(node)).toBe(true);
        reused++;
      } else {
        // A fresh block: the last one handed out, within one page.
        expect(node + blockCells(list, node)).toBe(list['top']);
        created++;
      }
      expect((node % PAGE) + blockCells(list, node)).toBeLessThanOrEqual(PAGE);
      nodes.set(member, node);
      model.splice(position(entry), 0, entry);
    };
    const forget = (node: number) => {
      freedOf(list.levelOf(node)).add(node);
      const member = list.member(node);
      nodes.delete(member);
      return member;
    };
    const check = () => {
      expect(checkInvariants(list)).toEqual(model);
      const backward: Entry[] = [];
      for (let node = list.tail; node !== NIL; node = list.previous(node)) {
        backward.push([list.score(node), list.member(node)]);
      }
      expect(backward.reverse()).toEqual(model);
      checkMemory(list);
    };

    let counter = 0;
    // Grow over dozens of pages, shrink to a tenth (freeing blocks on every page), grow again.
    for (const [target, insertShare] of [[2500, 0.8], [250, 0.15], [2500, 0.8]] as const) {
      for (let step = 0; (insertShare > 0.5 ? model.length < target : model.length > target); step++) {
        const r = random();
        if (r < insertShare || model.length === 0) {
          insert(`m${counter++}`);
        } else if (r < insertShare + (1 - insertShare) * 0.7) {
          const [score, member] = model[Math.floor(random() * model.length)];
          const node = nodes.get(member)!;
          forget(node);
          expect(list.delete(score, member)).toBe(true);
          model.splice(position([score, member]), 1);
        } else if (r < insertShare + (1 - insertShare) * 0.85) {
          const start = 1 + Math.floor(random() * model.length);
          const end = Math.min(model.length, start + Math.floor(random() * 8));
          const removed: string[] = [];
          expect(list.deleteRangeByRank(start, end, (node) => removed.push(forget(node)))).toBe(end - start + 1);
          expect(removed).toEqual(model.splice(start - 1, end - start + 1).map(([, m]) => m));
        } else {
          const index = Math.floor(random() * model.length);
          const [, member] = model[index];
          const node = nodes.get(member)!;
          const score = Math.floor(random() * 300) / 2;
          list.updateScore(node, score);
          expect(list.member(node)).toBe(member);
          model.splice(index, 1);
          model.splice(position([score, member]), 0, [score, member]);
        }
        if (step % 400 === 0) check();
      }
      check();
    }
    expect(list['pages'].length).toBeGreaterThan(30);
    expect(reused).toBeGreaterThan(1000);
    expect(created).toBeGreaterThan(2500);
  });
});

/**
 * The skiplist against a plain sorted array, under random inserts, deletes, score updates and
 * range deletions, with its invariants (spans, backward links, tail, level) checked throughout.
 */
import { describe, expect, test } from 'vitest';
import { NIL, SkipList } from '../../src/types/skiplist';
import { isEmptyLexRange, isEmptyScoreRange, type LexRange, type ScoreRange } from '../../src/types/zset-range';
import { seededRandom } from '../helpers/seeded-random';

type Entry = [score: number, member: string];

const compare = (a: Entry, b: Entry): number =>
  a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** Walks the list and checks every structural invariant; returns its entries in order. */
function checkInvariants(list: SkipList): Entry[] {
  const entries: Entry[] = [];
  let prev = NIL;
  let maxLevel = 1;
  for (let node = list.first; node !== NIL; node = list.next(node)) {
    expect(list.previous(node)).toBe(prev);
    entries.push([list.score(node), list.member(node)]);
    maxLevel = Math.max(maxLevel, list.levelOf(node));
    prev = node;
  }
  expect(list.tail).toBe(prev);
  expect(entries.length).toBe(list.length);
  expect(list.level).toBe(maxLevel);
  // Every node is found at its rank, and its rank is its position.
  for (let rank = 1, node = list.first; node !== NIL; rank++, node = list.next(node)) {
    expect(list.byRank(rank)).toBe(node);
    expect(list.rankOf(list.score(node), list.member(node))).toBe(rank);
  }
  for (let i = 1; i < entries.length; i++) expect(compare(entries[i - 1], entries[i])).toBeLessThan(0);
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

/**
 * The sorted set value (both encodings) against a plain model: ZADD semantics, ranks, score and
 * lexicographic ranges, removals, pops, conversions, clones, SCAN and the listpack score text.
 */
import { describe, expect, test } from 'vitest';
import { SortedSet, ZaddIn, ZaddOut, ZsetEntries, listpackScoreText, type ListpackLimits } from '../../src/types/zset';
import type { LexBound, LexRange, ScoreRange } from '../../src/types/skiplist';
import { encodeScore, scoreAtOffset } from '../../src/types/zset-listpack';
import { seededRandom } from '../helpers/seeded-random';

const DEFAULT: ListpackLimits = { maxEntries: 128, maxValue: 64 };
const ALWAYS_SKIPLIST: ListpackLimits = { maxEntries: 0, maxValue: 64 };

type Entry = [member: string, score: number];

function sortedModel(model: Map<string, number>): Entry[] {
  return [...model.entries()].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function entriesOf(out: ZsetEntries): Entry[] {
  return out.members.map((m, i) => [m, out.scores[i]]);
}

function all(zset: SortedSet): Entry[] {
  return entriesOf(zset.entries());
}

const scoreRange = (min: number, max: number, minExclusive = false, maxExclusive = false): ScoreRange => ({
  min,
  max,
  minExclusive,
  maxExclusive,
});

const inScore = (s: number, r: ScoreRange) =>
  (r.minExclusive ? s > r.min : s >= r.min) && (r.maxExclusive ? s < r.max : s <= r.max);

const lexBound = (text: string): LexBound =>
  text === '-' ? { infinity: -1, value: '', exclusive: true }
  : text === '+' ? { infinity: 1, value: '', exclusive: true }
  : { infinity: 0, value: text.slice(1), exclusive: text[0] === '(' };

const lexRange = (min: string, max: string): LexRange => ({ min: lexBound(min), max: lexBound(max) });

describe.each([
  ['listpack', DEFAULT],
  ['skiplist', ALWAYS_SKIPLIST],
])('SortedSet (%s)', (encoding, limits) => {
  test('add with flags follows zsetAdd', () => {
    const z = new SortedSet();
    expect(z.add(1, 'a', 0, limits)).toBe(ZaddOut.Added);
    expect(z.encoding()).toBe(encoding);
    expect(z.add(1, 'a', 0, limits)).toBe(0);
    expect(z.add(2, 'a', 0, limits)).toBe(ZaddOut.Updated);
    expect(z.add(5, 'a', ZaddIn.NX, limits)).toBe(ZaddOut.Nop);
    expect(z.add(5, 'b', ZaddIn.XX, limits)).toBe(ZaddOut.Nop);
    expect(z.add(1, 'a', ZaddIn.GT, limits)).toBe(ZaddOut.Nop);
    expect(z.add(3, 'a', ZaddIn.GT, limits)).toBe(ZaddOut.Updated);
    expect(z.add(4, 'a', ZaddIn.LT, limits)).toBe(ZaddOut.Nop);
    expect(z.add(2, 'a', ZaddIn.Incr, limits)).toBe(ZaddOut.Updated);
    expect(z.lastScore).toBe(5);
    expect(z.add(Infinity, 'a', ZaddIn.Incr, limits)).toBe(ZaddOut.Updated);
    expect(z.add(-Infinity, 'a', ZaddIn.Incr, limits)).toBe(ZaddOut.NaN);
    expect(z.score('a')).toBe(Infinity);
    expect(z.add(NaN, 'c', 0, limits)).toBe(ZaddOut.NaN);
    expect(z.add(7, 'new', ZaddIn.GT, limits)).toBe(ZaddOut.Added);
    expect(all(z)).toEqual([['new', 7], ['a', Infinity]]);
  });

  test('random operations match a model', () => {
    const random = seededRandom(encoding === 'listpack' ? 7 : 8);
    const z = new SortedSet();
    const model = new Map<string, number>();
    for (let step = 0; step < 3000; step++) {
      const member = `k${Math.floor(random() * 60)}`;
      const score = Math.floor(random() * 20) - 5;
      const r = random();
      if (r < 0.5) {
        z.add(score, member, 0, limits);
        model.set(member, score);
      } else if (r < 0.7) {
        expect(z.remove(member)).toBe(model.delete(member));
      } else if (r < 0.8) {
        const sorted = sortedModel(model);
        const i = sorted.findIndex(([m]) => m === member);
        expect(z.rank(member, false)).toBe(i);
        expect(z.rank(member, true)).toBe(i < 0 ? -1 : sorted.length - 1 - i);
      } else if (r < 0.9) {
        const range = scoreRange(score, score + Math.floor(random() * 6), random() < 0.3, random() < 0.3);
        const offset = Math.floor(random() * 4) - 1;
        const limit = Math.floor(random() * 6) - 1;
        const reverse = random() < 0.5;
        let expected = sortedModel(model).filter(([, s]) => inScore(s, range));
        expect(z.countByScore(range)).toBe(expected.length);
        if (reverse) expected.reverse();
        expected = offset < 0 ? [] : expected.slice(offset, limit < 0 ? undefined : offset + limit);
        const out = new ZsetEntries();
        z.rangeByScore(range, offset, limit, reverse, out);
        expect(entriesOf(out)).toEqual(expected);
      } else if (r < 0.95 && model.size > 0) {
        const range = scoreRange(score, score + 2);
        const removed = sortedModel(model).filter(([, s]) => inScore(s, range));
        expect(z.removeRangeByScore(range)).toBe(removed.length);
        for (const [m] of removed) model.delete(m);
      } else {
        const start = Math.floor(random() * (model.size + 1));
        const end = Math.min(model.size - 1, start + Math.floor(random() * 4));
        if (start <= end) {
          const sorted = sortedModel(model);
          const out = new ZsetEntries();
          z.rangeByRank(start, end, false, out);
          expect(entriesOf(out)).toEqual(sorted.slice(start, end + 1));
          const reversed = new ZsetEntries();
          z.rangeByRank(start, end, true, reversed);
          expect(entriesOf(reversed)).toEqual(sorted.reverse().slice(start, end + 1));
        }
      }
      expect(z.size).toBe(model.size);
    }
    expect(all(z)).toEqual(sortedModel(model));
    for (const [m, s] of model) expect(z.score(m)).toBe(s);
    expect(z.encoding()).toBe(encoding);
  });

  test('lexicographic ranges, counts and removals', () => {
    const z = new SortedSet();
    for (const m of ['a', 'b', 'c', 'd', 'e', 'f']) z.add(0, m, 0, limits);
    const lex = (min: string, max: string, offset = 0, limit = -1, reverse = false) => {
      const out = new ZsetEntries();
      z.rangeByLex(lexRange(min, max), offset, limit, reverse, out);
      return out.members;
    };
    expect(lex('[b', '(e')).toEqual(['b', 'c', 'd']);
    expect(lex('-', '+', 1, 2)).toEqual(['b', 'c']);
    expect(lex('(f', '-', 0, -1, true)).toEqual([]);
    expect(lex('-', '[c', 1, 5, true)).toEqual(['b', 'a']);
    expect(lex('-', '+', -1, 5)).toEqual([]);
    expect(lex('+', '-')).toEqual([]);
    expect(z.countByLex(lexRange('(a', '[e'))).toBe(4);
    expect(z.countByLex(lexRange('[x', '+'))).toBe(0);
    expect(z.removeRangeByLex(lexRange('[b', '[d'))).toBe(3);
    expect(all(z).map(([m]) => m)).toEqual(['a', 'e', 'f']);
  });

  test('pops from either end, and removal by rank', () => {
    const z = new SortedSet();
    for (let i = 0; i < 10; i++) z.add(i, `m${i}`, 0, limits);
    const out = new ZsetEntries();
    z.pop(2, false, out);
    z.pop(3, true, out);
    expect(out.members).toEqual(['m0', 'm1', 'm9', 'm8', 'm7']);
    expect(z.removeRangeByRank(1, 2)).toBe(2);
    expect(all(z).map(([m]) => m)).toEqual(['m2', 'm5', 'm6']);
    const rest = new ZsetEntries();
    z.pop(100, false, rest);
    expect(rest.length).toBe(3);
    expect(z.size).toBe(0);
  });

  test('clone is independent', () => {
    const z = new SortedSet();
    for (let i = 0; i < 5; i++) z.add(i, `m${i}`, 0, limits);
    const copy = z.clone();
    z.add(100, 'm0', 0, limits);
    z.remove('m1');
    expect(copy.encoding()).toBe(encoding);
    expect(all(copy)).toEqual([['m0', 0], ['m1', 1], ['m2', 2], ['m3', 3], ['m4', 4]]);
  });
});

describe('SortedSet encodings', () => {
  test('a listpack becomes a skiplist past the entry or value limit, and stays one', () => {
    const limits = { maxEntries: 3, maxValue: 5 };
    const z = new SortedSet();
    for (const m of ['a', 'b', 'c']) z.add(1, m, 0, limits);
    expect(z.encoding()).toBe('listpack');
    z.add(2, 'a', 0, limits); // updating never converts
    expect(z.encoding()).toBe('listpack');
    z.add(1, 'd', ZaddIn.XX, limits); // nor does a skipped add
    expect(z.encoding()).toBe('listpack');
    z.add(1, 'd', 0, limits);
    expect(z.encoding()).toBe('skiplist');
    z.remove('d');
    z.remove('c');
    expect(z.encoding()).toBe('skiplist');
    const long = new SortedSet();
    long.add(1, 'abcde', 0, limits);
    expect(long.encoding()).toBe('listpack');
    long.add(1, 'abcdef', 0, limits);
    expect(long.encoding()).toBe('skiplist');
    expect(all(long)).toEqual([['abcde', 1], ['abcdef', 1]]);
  });

  test('fromSorted picks the encoding a *STORE result gets', () => {
    const limits = { maxEntries: 2, maxValue: 3 };
    expect(SortedSet.fromSorted(['a', 'b'], [1, 2], limits).encoding()).toBe('listpack');
    expect(SortedSet.fromSorted(['a', 'b', 'c'], [1, 2, 3], limits).encoding()).toBe('skiplist');
    expect(SortedSet.fromSorted(['abcd'], [1], limits).encoding()).toBe('skiplist');
    const stored = SortedSet.fromSorted(['x', 'y'], [-0, 1], limits);
    expect(Object.is(stored.score('x'), 0)).toBe(true);
  });

  test('a listpack stores -0 as 0 (an integer there), a skiplist keeps -0', () => {
    const compact = new SortedSet();
    compact.add(-0, 'a', 0, DEFAULT);
    expect(Object.is(compact.score('a'), 0)).toBe(true);
    const big = new SortedSet();
    big.add(-0, 'a', 0, ALWAYS_SKIPLIST);
    expect(Object.is(big.score('a'), -0)).toBe(true);
  });

  test('scan: a listpack in one call with cursor 0, a skiplist in steps covering everything', () => {
    const compact = new SortedSet();
    for (let i = 0; i < 20; i++) compact.add(i + 0.5, `m${i}`, 0, DEFAULT);
    const seen: string[] = [];
    expect(compact.scan(0, 1, (m, s) => seen.push(`${m}=${s}`))).toBe(0);
    expect(seen).toHaveLength(20);
    expect(seen[0]).toBe('m0=0.5');

    const big = new SortedSet();
    for (let i = 0; i < 1000; i++) big.add(i, `m${i}`, 0, ALWAYS_SKIPLIST);
    const found = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      cursor = big.scan(cursor, 10, (m) => found.add(m));
      // Members removed during the scan never hide the others.
      if (calls === 5) for (let i = 0; i < 50; i++) big.remove(`m${i * 7}`);
      calls++;
    } while (cursor !== 0);
    for (let i = 0; i < 1000; i++) if (i % 7 !== 0 || i >= 350) expect(found.has(`m${i}`)).toBe(true);
    expect(calls).toBeGreaterThan(50);
  });

  test('listpackScoreText: integers as integers up to 2^62, anything else as %.17g', () => {
    expect(listpackScoreText(1)).toBe('1');
    expect(listpackScoreText(-0)).toBe('0');
    expect(listpackScoreText(1e17)).toBe('100000000000000000');
    expect(listpackScoreText(2 ** 62)).toBe('4611686018427387904');
    expect(listpackScoreText(2 ** 63)).toBe('9.2233720368547758e+18');
    expect(listpackScoreText(0.1)).toBe('0.10000000000000001');
    expect(listpackScoreText(Infinity)).toBe('inf');
    expect(listpackScoreText(-Infinity)).toBe('-inf');
  });

  test('random access by position covers every member', () => {
    for (const limits of [DEFAULT, ALWAYS_SKIPLIST]) {
      const z = new SortedSet();
      for (let i = 0; i < 50; i++) z.add(i, `m${i}`, 0, limits);
      const members = new Set<string>();
      for (let i = 0; i < z.size; i++) {
        members.add(z.memberAt(i));
        expect(z.score(z.memberAt(i))).toBe(z.scoreAt(i));
      }
      expect(members.size).toBe(50);
    }
  });
});

describe('listpack packing', () => {
  const BIG: ListpackLimits = { maxEntries: 128, maxValue: 300 };
  const SPECIAL_SCORES = [
    0, 1, -1, 63, -64, 127, 128, -128, 255, 256, 1e6, -1e6, 2 ** 31, -(2 ** 31), 2 ** 52 - 1, -(2 ** 52 - 1),
    2 ** 52, -(2 ** 52), 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e300, -1e300, 0.1, -0.1, 1 / 3, 0.5, -2.5,
    Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308,
    Infinity, -Infinity, 1.7976931348623157e308, 123456789.123456789,
  ];

  /** Doubles from random bits (no NaN): every exponent, subnormals included. */
  function randomDoubles(count: number): number[] {
    const random = seededRandom(99);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const out: number[] = [];
    while (out.length < count) {
      words[0] = Math.floor(random() * 2 ** 32);
      words[1] = Math.floor(random() * 2 ** 32);
      if (!Number.isNaN(bits[0])) out.push(bits[0]);
    }
    return out;
  }

  test('scores come back bit for bit (-0 as 0), added one by one or built sorted', () => {
    const scores = [...SPECIAL_SCORES, ...randomDoubles(100)];
    const z = new SortedSet();
    scores.forEach((s, i) => z.add(s, `m${i}`, 0, { maxEntries: 1000, maxValue: 64 }));
    expect(z.encoding()).toBe('listpack');
    scores.forEach((s, i) => expect(Object.is(z.score(`m${i}`), s)).toBe(true));
    const { members, scores: sorted } = z.entries();
    const built = SortedSet.fromSorted(members, sorted, { maxEntries: 1000, maxValue: 64 });
    expect(built.encoding()).toBe('listpack');
    expect(entriesOf(built.entries())).toEqual(entriesOf(z.entries()));
    for (let i = 0; i < built.size; i++) expect(Object.is(built.scoreAt(i), sorted[i])).toBe(true);
    const minusZero = SortedSet.fromSorted(['a'], [-0], DEFAULT);
    expect(Object.is(minusZero.score('a'), 0)).toBe(true);
  });

  test('score bytes: integers below 2^52 as zigzag bytes, others as 8 IEEE-754 bytes', () => {
    const cases: [number, number][] = [
      [0, 0], [-0, 0], [1, 1], [127, 1], [-128, 1], [128, 2], [-129, 2], [32767, 2], [-32768, 2], [32768, 3],
      [2 ** 52 - 1, 7], [-(2 ** 52 - 1), 7], [2 ** 52, 8], [-(2 ** 52), 8], [0.5, 8], [Infinity, 8], [-Infinity, 8],
    ];
    for (const [score, length] of cases) {
      const bytes = encodeScore(score);
      expect(bytes.length).toBe(length);
      const read = scoreAtOffset(String.fromCharCode(bytes.length) + bytes, 0);
      expect(Object.is(read, score === 0 ? 0 : score)).toBe(true);
    }
  });

  test('integral scores pack in few bytes, others in 8', () => {
    const sizeWith = (score: number) => {
      const z = new SortedSet();
      z.add(score, 'm', 0, DEFAULT);
      return z.memoryUsage();
    };
    // The same object sizes: only the packed string differs ("m" takes 2 bytes, a score 1 + n).
    const base = sizeWith(0);
    expect(sizeWith(1)).toBe(base);
    expect(sizeWith(-64)).toBe(base);
    expect(sizeWith(0.5)).toBe(base + 8);
    expect(sizeWith(2 ** 52)).toBe(base + 8);
  });

  test('multi-byte headers and binary members in every operation', () => {
    const random = seededRandom(21);
    const pool = ['', '\x00', '\xff', '\x00\xff\x80', 'a'.repeat(127), 'b'.repeat(128), 'c\x00'.repeat(100), 'm1'];
    const scoresPool = [0, -0.5, 1, 1, 3, 2 ** 60, -Infinity, Infinity, 1e-300];
    const z = new SortedSet();
    const model = new Map<string, number>();
    for (let step = 0; step < 3000; step++) {
      const member = pool[Math.floor(random() * pool.length)];
      const score = scoresPool[Math.floor(random() * scoresPool.length)];
      const r = random();
      if (r < 0.5) {
        z.add(score, member, 0, BIG);
        model.set(member, score);
      } else if (r < 0.6) {
        expect(z.remove(member)).toBe(model.delete(member));
      } else if (r < 0.7 && model.size > 0) {
        const start = Math.floor(random() * model.size);
        const end = Math.min(model.size - 1, start + Math.floor(random() * 3));
        expect(z.removeRangeByRank(start, end)).toBe(end - start + 1);
        for (const [m] of sortedModel(model).slice(start, end + 1)) model.delete(m);
      } else if (r < 0.8) {
        const sorted = sortedModel(model);
        const i = sorted.findIndex(([m]) => m === member);
        expect(z.rank(member, false)).toBe(i);
        const range = scoreRange(score, score + 2, random() < 0.5, random() < 0.5);
        const expected = sorted.filter(([, s]) => inScore(s, range));
        const out = new ZsetEntries();
        z.rangeByScore(range, 0, -1, true, out);
        expect(entriesOf(out)).toEqual(expected.reverse());
        expect(z.countByScore(range)).toBe(expected.length);
      } else if (r < 0.9) {
        const copy = z.clone();
        copy.add(5, 'only in the copy', 0, BIG);
        expect(z.score('only in the copy')).toBeUndefined();
      } else {
        const seen: string[] = [];
        z.scan(0, 10, (m, s) => seen.push(m, s));
        expect(seen).toEqual(sortedModel(model).flatMap(([m, s]) => [m, listpackScoreText(s)]));
      }
      expect(z.encoding()).toBe('listpack');
      expect(z.size).toBe(model.size);
    }
    expect(all(z)).toEqual(sortedModel(model));
    for (let i = 0; i < z.size; i++) expect([z.memberAt(i), z.scoreAt(i)]).toEqual(sortedModel(model)[i]);
    z.ensureSkiplist();
    expect(z.encoding()).toBe('skiplist');
    expect(all(z)).toEqual(sortedModel(model));
  });

  test('lexicographic ranges over binary and long members, both directions, with offsets and limits', () => {
    const random = seededRandom(31);
    const bytes = ['\x00', '\x01', 'a', '\x7f', '\x80', '\xff'];
    const letter = () => bytes[Math.floor(random() * bytes.length)];
    const word = () => Array.from({ length: Math.floor(random() * 4) }, letter).join('');
    for (let round = 0; round < 300; round++) {
      const members = new Set<string>();
      for (let i = Math.floor(random() * 12); i > 0; i--) {
        members.add(random() < 0.1 ? 'x'.repeat(200) + word() : word());
      }
      const z = new SortedSet();
      for (const m of members) z.add(7, m, 0, BIG);
      const sorted = [...members].sort();
      const bound = () => (random() < 0.15 ? '-' : random() < 0.15 ? '+' : (random() < 0.5 ? '(' : '[') + word());
      const [min, max] = [bound(), bound()];
      const range = lexRange(min, max);
      const { min: low, max: high } = range;
      const aboveMin = (m: string) =>
        low.infinity === -1 || (low.infinity === 0 && (low.exclusive ? m > low.value : m >= low.value));
      const belowMax = (m: string) =>
        high.infinity === 1 || (high.infinity === 0 && (high.exclusive ? m < high.value : m <= high.value));
      const inLex = (m: string) => aboveMin(m) && belowMax(m);
      const expected = sorted.filter(inLex);
      expect(z.countByLex(range)).toBe(expected.length);
      const offset = Math.floor(random() * 3);
      const limit = Math.floor(random() * 4) - 1;
      for (const reverse of [false, true]) {
        const ordered = reverse ? [...expected].reverse() : expected;
        const out = new ZsetEntries();
        z.rangeByLex(range, offset, limit, reverse, out);
        expect(out.members).toEqual(ordered.slice(offset, limit < 0 ? undefined : offset + limit));
      }
      expect(z.removeRangeByLex(range)).toBe(expected.length);
      expect(all(z).map(([m]) => m)).toEqual(sorted.filter((m) => !inLex(m)));
    }
  });
});

/**
 * The stream structure against a plain array model: random appends (same and different fields,
 * binary and integer-looking values), ranges both ways with bounds inside and outside, deletes,
 * exact and approximate trims by MAXLEN and MINID, huge IDs, and the O(1) memory counter
 * against a recount. Also the ID codec's extremes.
 */
import { describe, expect, test } from 'vitest';
import { Stream, type NodeLimits } from '../../src/types/stream';
import {
  MAX_ID,
  MIN_ID,
  formatId,
  idFromBigInts,
  idHalf,
  idToBigInts,
  makeId,
  nextId,
  parseStreamId,
  previousId,
  subHalves,
} from '../../src/types/stream-id';
import { seededRandom } from '../helpers/seeded-random';

const U64_MAX = 2n ** 64n - 1n;

describe('stream IDs', () => {
  test('format and parse round-trip, including the u64 extremes', () => {
    for (const [ms, seq] of [
      [0n, 0n],
      [1n, 2n],
      [2n ** 53n - 1n, 2n ** 53n],
      [2n ** 32n, 2n ** 32n - 1n],
      [U64_MAX, U64_MAX],
      [U64_MAX - 1n, 0n],
    ]) {
      const id = idFromBigInts(ms, seq);
      expect(formatId(id)).toBe(`${ms}-${seq}`);
      expect(idToBigInts(id)).toEqual([ms, seq]);
      expect(parseStreamId(`${ms}-${seq}`, false, true)!.id).toBe(id);
    }
    expect(formatId(makeId(1700000000000, 5))).toBe('1700000000000-5');
  });

  test('the extreme IDs and the halves and differences appends use', () => {
    expect(MIN_ID).toBe('\0'.repeat(16));
    expect(MAX_ID).toBe('\xff'.repeat(16));
    const id = idFromBigInts(0x0102030405060708n, 0xf1f2f3f4f5f6f7f8n);
    expect([0, 1, 2, 3].map((i) => idHalf(id, i as 0 | 1 | 2 | 3))).toEqual([0x01020304, 0x05060708, 0xf1f2f3f4, 0xf5f6f7f8]);
    const random = seededRandom(7);
    const u64 = () => (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
    const halves = (n: bigint) => ({ hi: Number(n >> 32n), lo: Number(n & 0xffffffffn) });
    const out = { hi: -1, lo: -1 };
    for (let i = 0; i < 200; i++) {
      const [a, b] = i === 0 ? [0n, 1n] : i === 1 ? [U64_MAX, U64_MAX] : [u64(), u64()];
      const { hi, lo } = halves(a);
      expect(subHalves(hi, lo, halves(b), out)).toBe(out);
      expect(out).toEqual(halves((a - b) & U64_MAX));
    }
  });

  test('parsing follows string2ull', () => {
    const parse = (s: string) => {
      const p = parseStreamId(s, false, true);
      return p === null ? null : formatId(p.id);
    };
    expect(parse('5')).toBe('5-0');
    expect(parse('-1')).toBeNull();
    expect(parse('5--1')).toBeNull();
    expect(parse('5--01')).toBe(`5-${U64_MAX}`);
    expect(parse('+7')).toBe('7-0');
    expect(parse(' 7-0')).toBe('7-0');
    expect(parse('007-008')).toBe('7-8');
    expect(parse('18446744073709551616')).toBeNull();
    expect(parse('')).toBeNull();
    expect(parse('5-')).toBeNull();
    expect(parse('1\0junk')).toBe('1-0');
    expect(parse('1'.repeat(128))).toBeNull();
    expect(parse('-')).toBeNull();
    expect(parseStreamId('-', false, false)!.id).toBe(MIN_ID);
    expect(parseStreamId('+', false, false)!.id).toBe(MAX_ID);
    expect(formatId(parseStreamId('3', true, true)!.id)).toBe(`3-${U64_MAX}`);
    expect(parseStreamId('3-*', false, true, true)!.seqGiven).toBe(false);
  });

  test('next and previous IDs carry across the two halves', () => {
    expect(formatId(nextId(idFromBigInts(1n, U64_MAX))!)).toBe('2-0');
    expect(formatId(previousId(idFromBigInts(2n, 0n))!)).toBe(`1-${U64_MAX}`);
    expect(nextId(MAX_ID)).toBeNull();
    expect(previousId(MIN_ID)).toBeNull();
  });

  test('next and previous IDs match 128-bit arithmetic at every carry and borrow', () => {
    const random = seededRandom(7);
    const TWO_64 = 2n ** 64n;
    const edges = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, U64_MAX - 1n, U64_MAX];
    const randomU64 = (): bigint => (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32));
    const values = [...edges, ...Array.from({ length: 20 }, randomU64)];
    for (const ms of values) {
      for (const seq of values) {
        const id = idFromBigInts(ms, seq);
        const whole = ms * TWO_64 + seq;
        const next = nextId(id);
        if (whole === TWO_64 * TWO_64 - 1n) expect(next).toBeNull();
        else expect(idToBigInts(next!)).toEqual([(whole + 1n) / TWO_64, (whole + 1n) % TWO_64]);
        const previous = previousId(id);
        if (whole === 0n) expect(previous).toBeNull();
        else expect(idToBigInts(previous!)).toEqual([(whole - 1n) / TWO_64, (whole - 1n) % TWO_64]);
        // IDs order as their numbers do: a plain string comparison.
        if (next !== null) expect(id < next).toBe(true);
      }
    }
  });
});

type ModelEntry = [string, string[]];

function collect(stream: Stream, start: string, end: string, reverse: boolean): ModelEntry[] {
  const out: ModelEntry[] = [];
  stream.forEachInRange(start, end, reverse, (id, fv) => {
    out.push([id, fv]);
    return true;
  });
  return out;
}

function modelRange(model: ModelEntry[], start: string, end: string, reverse: boolean): ModelEntry[] {
  const out = model.filter(([id]) => id >= start && id <= end);
  return reverse ? out.reverse() : out;
}

describe('stream structure against a model', () => {
  test('random appends, ranges, deletes and trims agree with an array', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 30; round++) {
      const limits: NodeLimits = { maxBytes: [0, 200, 4096][round % 3], maxEntries: [0, 3, 100][(round >> 1) % 3] };
      const stream = new Stream();
      let model: ModelEntry[] = [];
      // Some rounds use huge IDs near the u64 limit.
      let ms = round % 4 === 0 ? U64_MAX - 5000n : BigInt(Math.floor(random() * 1e12));
      let seq = 0n;
      for (let op = 0; op < 400; op++) {
        const r = random();
        if (r < 0.6) {
          if (random() < 0.5) ms += BigInt(1 + Math.floor(random() * 3));
          else seq += 1n;
          if (random() < 0.3) seq = BigInt(Math.floor(random() * 4)) + (random() < 0.1 ? 2n ** 60n : 0n);
          const id = idFromBigInts(ms, seq);
          if (id <= stream.lastId) continue;
          const n = 1 + Math.floor(random() * 3);
          const argv = ['XADD', 'k', 'id'];
          for (let i = 0; i < n; i++) argv.push(random() < 0.7 ? `f${i}` : `g${i}\x00\xff`, String(Math.floor(random() * 1000) - 500));
          stream.append(id, argv, 3, limits);
          model.push([id, argv.slice(3)]);
        } else if (r < 0.75 && model.length > 0) {
          const victim = model[Math.floor(random() * model.length)][0];
          expect(stream.deleteEntry(victim)).toBe(true);
          expect(stream.deleteEntry(victim)).toBe(false);
          model = model.filter(([id]) => id !== victim);
        } else if (r < 0.8 && model.length > 0) {
          const maxLen = Math.floor(random() * model.length);
          const removed = stream.trim({ maxLen, approx: false, limit: 0 });
          expect(removed).toBe(model.length - maxLen);
          model = model.slice(model.length - maxLen);
        } else if (r < 0.85 && model.length > 0) {
          const minId = model[Math.floor(random() * model.length)][0];
          const before = model.length;
          const removed = stream.trim({ minId, approx: false, limit: 0 });
          model = model.filter(([id]) => id >= minId);
          expect(removed).toBe(before - model.length);
        } else if (r < 0.9 && model.length > 0) {
          const maxLen = Math.floor(random() * model.length);
          const removed = stream.trim({ maxLen, approx: true, limit: 0 });
          // Approximate trimming removes whole nodes only, never below maxLen.
          expect(stream.length).toBeGreaterThanOrEqual(maxLen);
          model = model.slice(removed);
        } else {
          const pick = () => (model.length > 0 && random() < 0.8 ? model[Math.floor(random() * model.length)][0] : idFromBigInts(ms - 3n, 1n));
          let [a, b] = [pick(), pick()];
          if (a > b) [a, b] = [b, a];
          const reverse = random() < 0.5;
          expect(collect(stream, a, b, reverse)).toEqual(modelRange(model, a, b, reverse));
        }
        expect(stream.length).toBe(model.length);
        expect(stream.nodeBytes).toBe(stream.recountNodeBytes());
      }
      expect(collect(stream, MIN_ID, MAX_ID, false)).toEqual(model);
      expect(collect(stream, MIN_ID, MAX_ID, true)).toEqual([...model].reverse());
      expect(stream.edgeId(false)).toBe(model[0]?.[0]);
      expect(stream.firstId).toBe(model[0]?.[0] ?? MIN_ID);
      const copy = stream.clone();
      expect(collect(copy, MIN_ID, MAX_ID, false)).toEqual(model);
    }
  });

  test('nodes split at stream-node-max-entries and deleted entries keep their place', () => {
    const stream = new Stream();
    for (let i = 1; i <= 250; i++) stream.append(makeId(1, i), ['x', 'k', 'i', 'f', 'v'], 3, { maxBytes: 4096, maxEntries: 100 });
    expect(stream.nodes.map((n) => n.total)).toEqual([100, 100, 50]);
    stream.deleteEntry(makeId(1, 150));
    expect(stream.nodes.map((n) => [n.live, n.deleted])).toEqual([[100, 0], [99, 1], [50, 0]]);
    expect(stream.trim({ maxLen: 120, approx: true, limit: 0 })).toBe(100);
    expect(stream.length).toBe(149);
    expect(stream.memoryUsage()).toBeGreaterThan(stream.nodeBytes);
  });

  test('consumer groups: pending entries move between consumers and clone deeply', () => {
    const stream = new Stream();
    stream.append(makeId(1, 1), ['x', 'k', 'i', 'f', 'v'], 3, { maxBytes: 4096, maxEntries: 100 });
    const group = stream.createGroup('g', MIN_ID, -1)!;
    expect(stream.createGroup('g', MIN_ID, -1)).toBeUndefined();
    const alice = group.createConsumer('alice', 10)!;
    const bob = group.createConsumer('bob', 10)!;
    const entry = { deliveryTime: 10, deliveryCount: 1, consumer: alice };
    group.addPending(makeId(1, 1), entry);
    group.assign(makeId(1, 1), entry, bob);
    expect([alice.pel.size, bob.pel.size, group.pel.size]).toEqual([0, 1, 1]);
    const copy = stream.clone();
    expect(group.removePending(makeId(1, 1))).toBe(true);
    expect(copy.group('g')!.consumer('bob')!.pel.size).toBe(1);
    expect(group.deleteConsumer(bob)).toBe(0);
    expect(group.sortedConsumers().map((c) => c.name)).toEqual(['alice']);
  });
});

/**
 * The quicklist against a plain array under random operations, its node accounting (listpack
 * sizes, node boundaries as Redis 7.0 makes them), the packed representation of its nodes, and
 * the iteration helpers.
 */
import { describe, expect, test } from 'vitest';
import { ListNode, Quicklist, listpackEntrySize, normalizeFill } from '../../src/types/quicklist';
import { seededRandom } from '../helpers/seeded-random';

/** What writeRange hands a sink, spans cut out of their packed strings. */
function written(list: Quicklist, start: number, stop: number): string[] {
  const out: string[] = [];
  list.writeRange(start, stop, {
    bulk: (s) => out.push(s),
    bulkSpan: (p, from, to) => out.push(p.slice(from, to)),
  });
  return out;
}

/** Checks the links, counts and byte sizes of every node. */
function checkInvariants(list: Quicklist): void {
  let count = 0;
  let nodes = 0;
  let prev: ListNode | null = null;
  for (let n = list.head; n; n = n.next) {
    expect(n.prev).toBe(prev);
    expect(n.count).toBeGreaterThan(0);
    let bytes = 7;
    for (const v of n.values()) bytes += listpackEntrySize(v);
    expect(n.bytes).toBe(bytes);
    count += n.count;
    nodes++;
    prev = n;
  }
  expect(list.tail).toBe(prev);
  expect(list.length).toBe(count);
  expect(list.nodeCount).toBe(nodes);
}

const ELEMENTS = [
  'a',
  'b',
  '',
  '0',
  '127',
  '-5',
  '100000',
  'x'.repeat(70),
  '\x00\xff',
  'y'.repeat(300),
  '9223372036854775807',
  // Bytes that look like entries: a packed "a" is \x01a\x01.
  '\x01a\x01',
  // A 3-byte length.
  'z'.repeat(17000),
];

describe('listpackEntrySize', () => {
  test('integers take their listpack integer encoding', () => {
    const cases: [string, number][] = [
      ['0', 2],
      ['127', 2],
      ['128', 3],
      ['-1', 3],
      ['4095', 3],
      ['-4096', 3],
      ['4096', 4],
      ['-32768', 4],
      ['32768', 5],
      ['8388607', 5],
      ['8388608', 6],
      ['-2147483648', 6],
      ['2147483648', 10],
      ['9223372036854775807', 10],
      ['-9223372036854775808', 10],
    ];
    for (const [s, size] of cases) expect(listpackEntrySize(s), s).toBe(size);
  });

  test('other strings take a length header, the bytes and a back-length', () => {
    const cases: [string, number][] = [
      ['', 2],
      ['a', 3],
      ['-0', 4],
      ['01', 4],
      ['+1', 4],
      ['9223372036854775808', 21],
      ['1.5', 5],
      ['x'.repeat(63), 65],
      ['x'.repeat(64), 67],
      ['x'.repeat(125), 128],
      ['x'.repeat(126), 130],
      ['x'.repeat(4095), 4099],
      ['x'.repeat(4096), 4103],
    ];
    for (const [s, size] of cases) expect(listpackEntrySize(s), JSON.stringify(s).slice(0, 20)).toBe(size);
  });
});

describe('Quicklist', () => {
  test('follows an array model under random operations, for every kind of fill', () => {
    for (const fill of [-5, -2, -1, 0, 1, 2, 3, 16, 128]) {
      const random = seededRandom(1000 + fill);
      const list = new Quicklist(fill);
      const model: string[] = [];
      const pick = () => (random() < 0.3 ? ELEMENTS[Math.floor(random() * ELEMENTS.length)] : String(Math.floor(random() * 50)));
      const index = () => Math.floor(random() * (model.length + 4)) - 2 - (random() < 0.3 ? model.length : 0);
      for (let op = 0; op < 4000; op++) {
        const r = random();
        if (r < 0.2) {
          const v = pick();
          list.pushHead(v);
          model.unshift(v);
        } else if (r < 0.45) {
          const v = pick();
          list.pushTail(v);
          model.push(v);
        } else if (r < 0.55) {
          expect(list.popHead()).toBe(model.shift());
        } else if (r < 0.65) {
          expect(list.popTail()).toBe(model.pop());
        } else if (r < 0.7) {
          const i = index();
          expect(list.get(i)).toBe(model.at(i));
        } else if (r < 0.75) {
          const i = index();
          const v = pick();
          const inRange = i >= -model.length && i < model.length;
          expect(list.set(i, v)).toBe(inRange);
          if (inRange) model[i < 0 ? model.length + i : i] = v;
        } else if (r < 0.83) {
          const pivot = pick();
          const v = pick();
          const after = random() < 0.5;
          const at = model.indexOf(pivot);
          expect(list.insert(pivot, v, after)).toBe(at >= 0);
          if (at >= 0) model.splice(after ? at + 1 : at, 0, v);
        } else if (r < 0.88) {
          const v = pick();
          const limit = Math.floor(random() * 3);
          const fromTail = random() < 0.5;
          let removed = 0;
          const order = fromTail ? [...model.keys()].reverse() : [...model.keys()];
          const drop = new Set<number>();
          for (const i of order) {
            if (model[i] === v && (limit === 0 || removed < limit)) {
              drop.add(i);
              removed++;
            }
          }
          expect(list.remove(v, limit, fromTail)).toBe(removed);
          const kept = model.filter((_, i) => !drop.has(i));
          model.length = 0;
          model.push(...kept);
        } else if (r < 0.9 && model.length > 0) {
          const start = Math.floor(random() * model.length);
          const count = Math.floor(random() * 5);
          list.deleteRange(start, count);
          model.splice(start, count);
        } else if (model.length > 0) {
          const a = Math.floor(random() * model.length);
          const b = a + Math.floor(random() * (model.length - a));
          expect(list.range(a, b)).toEqual(model.slice(a, b + 1));
          expect(written(list, a, b)).toEqual(model.slice(a, b + 1));
        }
        if (op % 97 === 0) checkInvariants(list);
      }
      checkInvariants(list);
      expect(list.toArray()).toEqual(model);
    }
  });

  test('a queue (push at one end, pop at the other) lets the bytes of popped entries go', () => {
    const list = new Quicklist(-2);
    for (let i = 0; i < 100; i++) list.pushTail(`e${i}`);
    for (let i = 0; i < 200000; i++) {
      list.pushTail(`e${i}`);
      list.popHead();
      list.pushHead(`f${i}`);
      list.popTail();
    }
    expect(list.length).toBe(100);
    // The dropped bytes of popped entries go: each packed string stays within twice its live part.
    for (let n = list.head; n; n = n.next) expect(n.packed.length).toBeLessThan(2 * 12 * n.count + 100);
    checkInvariants(list);
  });

  test('nodes split where Redis 7.0 splits them', () => {
    // Measured on redis-server 7.0.15: 2726 one-byte strings fill an 8 KB node (fill -2).
    const big = new Quicklist(-2);
    for (let i = 0; i < 2726; i++) big.pushTail('a');
    expect(big.nodeCount).toBe(1);
    big.pushTail('a');
    expect(big.nodeCount).toBe(2);
    expect(big.nodeStats()).toEqual({ nodes: 2, bytes: 14 + 3 * 2727 });

    const counted = Quicklist.from('abcdefghijkl', 5);
    expect([...counted.nodes()].map((n) => n.length)).toEqual([5, 5, 2]);

    const single = Quicklist.from(['a', 'b', 'c', 'd'], 0);
    expect(single.nodeCount).toBe(4);
  });

  test('list-max-listpack-size is clamped as quicklistSetFill does', () => {
    expect(normalizeFill(-7)).toBe(-5);
    expect(normalizeFill(100000)).toBe(32767);
    expect(normalizeFill(-2)).toBe(-2);
    expect(new Quicklist(-100).fill).toBe(-5);
  });

  test('an insert into a full node splits it and merges what fits', () => {
    const list = Quicklist.from(['1', '2', '3', '4', '5', '6'], 3);
    expect([...list.nodes()]).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
    list.insert('2', 'x', true);
    expect([...list.nodes()]).toEqual([['1', '2'], ['x', '3'], ['4', '5', '6']]);
    // At a node's tail with room in the next node: the element goes to the next node's head.
    const spill = Quicklist.from(['1', '2', '3', '4'], 3);
    spill.insert('3', 'y', true);
    expect([...spill.nodes()]).toEqual([
      ['1', '2', '3'],
      ['y', '4'],
    ]);
    // At the head of a full node whose previous node is full too: a new node between them.
    const between = Quicklist.from(['1', '2', '3', '4', '5', '6'], 3);
    between.insert('4', 'z', false);
    expect([...between.nodes()]).toEqual([['1', '2', '3'], ['z'], ['4', '5', '6']]);
    checkInvariants(list);
    checkInvariants(spill);
    checkInvariants(between);
  });

  test('iteration helpers: forEach, scan, nodes, fromNodes and clone', () => {
    const list = Quicklist.from(['a', 'b', 'c', 'd', 'e'], 2);
    const seen: string[] = [];
    list.forEach((v, i) => seen.push(`${i}:${v}`));
    expect(seen).toEqual(['0:a', '1:b', '2:c', '3:d', '4:e']);
    const backwards: string[] = [];
    list.scan(true, (v, i) => {
      backwards.push(`${i}:${v}`);
      return i > 2;
    });
    expect(backwards).toEqual(['4:e', '3:d', '2:c']);
    const nodes = [...list.nodes()];
    expect(nodes).toEqual([['a', 'b'], ['c', 'd'], ['e']]);

    const loaded = Quicklist.fromNodes([['x', 'y', 'z'], [], ['w']], 2);
    expect([...loaded.nodes()]).toEqual([['x', 'y', 'z'], ['w']]);
    expect(loaded.length).toBe(4);
    checkInvariants(loaded);

    const copy = list.clone();
    copy.pushHead('new');
    copy.set(1, 'changed');
    expect(list.toArray()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(copy.toArray()).toEqual(['new', 'changed', 'b', 'c', 'd', 'e']);
    expect(copy.fill).toBe(2);
    expect(list.encoding()).toBe('quicklist');
    checkInvariants(copy);
  });

  test('elements of every length read back from either end', () => {
    // Lengths around each varint size (1, 2 and 3 bytes), binary bytes, and a fill that lets big elements share nodes.
    const lengths = [0, 1, 12, 13, 127, 128, 4095, 4096, 16383, 16384, 70000];
    const values = lengths.map((n, i) => Buffer.alloc(n, i * 37 + 200).toString('latin1'));
    for (const fill of [-5, -2, 3]) {
      const list = new Quicklist(fill);
      const model: string[] = [];
      values.forEach((v, i) => {
        if (i % 2) list.pushHead(v);
        else list.pushTail(v);
        if (i % 2) model.unshift(v);
        else model.push(v);
      });
      checkInvariants(list);
      expect(list.toArray()).toEqual(model);
      for (let i = 0; i < model.length; i++) expect(list.get(i)).toBe(model[i]);
      const backwards: string[] = [];
      list.scan(true, (v) => backwards.push(v) > 0);
      expect(backwards).toEqual([...model].reverse());
      list.set(3, values[10]);
      model[3] = values[10];
      list.insert(values[5], 'after', true);
      model.splice(model.indexOf(values[5]) + 1, 0, 'after');
      expect(list.remove(values[0], 0, false)).toBe(1);
      model.splice(model.indexOf(values[0]), 1);
      checkInvariants(list);
      expect(list.toArray()).toEqual(model);
      while (model.length > 0) {
        expect(list.popTail()).toBe(model.pop());
        if (model.length > 0) expect(list.popHead()).toBe(model.shift());
      }
      expect(list.length).toBe(0);
    }
  });

  test('an element whose bytes hold the packed form of another does not match it', () => {
    // "ab" packs as \x02ab\x02, found at offset 1 of the first element's entry.
    const list = Quicklist.from(['\x02ab\x02', 'x', 'ab', '\x02ab\x02', 'ab']);
    expect(list.insert('ab', 'new', false)).toBe(true);
    expect(list.toArray()).toEqual(['\x02ab\x02', 'x', 'new', 'ab', '\x02ab\x02', 'ab']);
    expect(list.remove('ab', 1, true)).toBe(1);
    expect(list.remove('ab', 0, false)).toBe(1);
    expect(list.toArray()).toEqual(['\x02ab\x02', 'x', 'new', '\x02ab\x02']);
    expect(list.insert('b', 'no', true)).toBe(false);
    checkInvariants(list);
  });

  test('a small list is one packed string at rest, a long element alone stays a string', () => {
    const small = Quicklist.from(['a', 'bb', 'ccc']);
    small.pushHead('first');
    small.pushTail('last');
    const node = small.head!;
    expect([node.front, node.back]).toEqual([null, null]);
    expect(node.packed).toBe('\x05first\x05\x01a\x01\x02bb\x02\x03ccc\x03\x04last\x04');

    const long = 'w'.repeat(10000);
    const plain = Quicklist.from([long]);
    expect(plain.head!.back).toEqual([long]);
    expect(plain.get(0)).toBe(long);
    expect(plain.popHead()).toBe(long);
  });

  test('pushes wait unpacked only at the end nodes of a long list, and a clone packs them', () => {
    const list = new Quicklist(-2);
    for (let i = 0; i < 5000; i++) {
      list.pushTail(`tail:${i}`);
      list.pushHead(`head:${i}`);
    }
    checkInvariants(list);
    for (let n = list.head!.next; n !== list.tail; n = n!.next) expect([n!.front, n!.back]).toEqual([null, null]);
    expect(list.head!.front!.length).toBeGreaterThan(0);
    expect(list.tail!.back!.length).toBeGreaterThan(0);
    const copy = list.clone();
    for (let n = copy.head; n; n = n.next) expect([n.front, n.back]).toEqual([null, null]);
    // Packed strings never change: the copy shares those of the nodes without pending elements.
    expect(copy.head!.next!.packed).toBe(list.head!.next!.packed);
    expect(copy.toArray()).toEqual(list.toArray());
    expect(copy.memoryUsage()).toBeLessThan(list.memoryUsage());
    checkInvariants(copy);
  });

  test('pushAll makes the nodes successive pushes make', () => {
    const random = seededRandom(77);
    const pick = () => ELEMENTS[Math.floor(random() * ELEMENTS.length)] + String(Math.floor(random() * 10));
    for (const fill of [-5, -2, -1, 1, 3, 100]) {
      for (const atHead of [true, false]) {
        const one = new Quicklist(fill);
        const all = new Quicklist(fill);
        for (let round = 0; round < 30; round++) {
          const argv = ['RPUSH', 'key', ...Array.from({ length: Math.floor(random() * 40) }, pick)];
          for (let i = 2; i < argv.length; i++) {
            if (atHead) one.pushHead(argv[i]);
            else one.pushTail(argv[i]);
          }
          all.pushAll(argv, 2, atHead);
          expect([...all.nodes()]).toEqual([...one.nodes()]);
          checkInvariants(all);
        }
      }
    }
  });

  test('index lookups from either end', () => {
    const list = Quicklist.from(
      Array.from({ length: 10000 }, (_, i) => String(i)),
      4,
    );
    expect(list.get(0)).toBe('0');
    expect(list.get(9999)).toBe('9999');
    expect(list.get(-1)).toBe('9999');
    expect(list.get(-10000)).toBe('0');
    expect(list.get(10000)).toBeUndefined();
    expect(list.get(-10001)).toBeUndefined();
    expect(list.get(5001)).toBe('5001');
    expect(list.range(9997, 9999)).toEqual(['9997', '9998', '9999']);
  });
});

/**
 * What Nodis refuses when loading a stream, beyond what redis-server 7.0 checks without
 * sanitize-dump-payload (test/compat/stream-dump.test.ts compares the common cases): entry IDs
 * out of order, node keys that are not their first entry's ID, counts that disagree with the
 * entries, a last ID below the last entry, pending entries without a consumer. A payload with
 * random damage never crashes the server: it is refused, or it loads into a usable stream.
 * A corrupt stream in an RDB file stops start-up with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import { ListpackBuilder } from '../../src/persistence/rdb/listpack';
import { makeId } from '../../src/types/stream-id';
import { failedStart, tempDir, useCleanup } from './aof-helpers';
import { GROUPS, len, payload, sampleStream, str, v19Payload } from './stream-payloads';

useCleanup();
const nodis = useNodis();
const BAD_FORMAT = '-ERR Bad data format\r\n';

/** A listpack of integers and strings, as given. */
function listpack(items: (number | string)[]): Buffer {
  const lp = new ListpackBuilder();
  for (const item of items) {
    if (typeof item === 'number') lp.appendInteger(item);
    else lp.appendString(item);
  }
  return Buffer.from(lp.finish());
}

/**
 * A type-19 body of the given nodes (key seq, listpack items), length, last ID (1-lastSeq),
 * and no groups.
 */
function streamBody(nodes: [number, (number | string)[]][], length: number, lastSeq: number): Buffer[] {
  const parts = [len(nodes.length)];
  for (const [seq, items] of nodes) parts.push(str(makeId(1, seq)), str(listpack(items)));
  parts.push(len(length), len(1), len(lastSeq), len(1), len(nodes.length ? nodes[0][0] : 0), len(0), len(0), len(length), len(0));
  return parts;
}

/** Master entry (1 field "f") and entries with SAMEFIELDS (flag 2): [flags, ms delta, seq delta, value, lp-count]. */
const MASTER = (live: number, deleted: number): (number | string)[] => [live, deleted, 1, 'f', 0];
const entry = (seqDelta: number, flags = 2, lpCount = 4): (number | string)[] => [flags, 0, seqDelta, 'v', lpCount];

async function restore(p: string): Promise<string> {
  const raw = await nodis.raw();
  await raw.call('DEL', 'k');
  return raw.call('RESTORE', 'k', '0', p);
}

test('a well-formed hand-built payload loads (the builder is right)', async () => {
  expect(await restore(payload(19, streamBody([[1, [...MASTER(2, 0), ...entry(0), ...entry(1)]]], 2, 2)))).toBe('+OK\r\n');
  const raw = await nodis.raw();
  expect(await raw.call('XRANGE', 'k', '-', '+')).toBe(
    '*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n',
  );
});

test.each([
  ['a node key that is not its first entry ID', [[1, [...MASTER(1, 0), ...entry(1)]]], 1, 2],
  ['IDs not increasing inside a node', [[1, [...MASTER(2, 0), ...entry(0), ...entry(0)]]], 2, 1],
  ['IDs not increasing across nodes', [[1, [...MASTER(2, 0), ...entry(0), ...entry(1)]], [2, [...MASTER(1, 0), ...entry(0)]]], 3, 2],
  ['a wrong lp-count', [[1, [...MASTER(1, 0), ...entry(0, 2, 5)]]], 1, 1],
  ['a deleted count without deleted entries', [[1, [...MASTER(1, 1), ...entry(0), ...entry(1)]]], 1, 2],
  ['unknown entry flags', [[1, [...MASTER(1, 0), ...entry(0, 6)]]], 1, 1],
  ['a master entry without its zero terminator', [[1, [1, 0, 1, 'f', 9, ...entry(0)]]], 1, 1],
  ['entries past the counted ones', [[1, [...MASTER(1, 0), ...entry(0), ...entry(1)]]], 1, 2],
  ['a length that is not the live entries', [[1, [...MASTER(2, 0), ...entry(0), ...entry(1)]]], 3, 2],
  ['a last ID below the last entry', [[1, [...MASTER(2, 0), ...entry(0), ...entry(1)]]], 2, 1],
  ['a node without entries', [[1, MASTER(0, 0)]], 0, 1],
] as [string, [number, (number | string)[]][], number, number][])('refuses %s', async (_label, nodes, length, lastSeq) => {
  expect(await restore(payload(19, streamBody(nodes, length, lastSeq)))).toBe(BAD_FORMAT);
});

test('refuses a group pending entry that no consumer owns', async () => {
  const stream = sampleStream(6, []);
  const orphan = { name: 'g', lastSeq: 6, pel: [{ seq: 2, time: 1, count: 1 }], consumers: [{ name: 'c', seen: 1, owns: [] }] };
  expect(await restore(v19Payload(stream, [orphan]))).toBe(BAD_FORMAT);
  const owned = { ...orphan, consumers: [{ name: 'c', seen: 1, owns: [2] }] };
  expect(await restore(v19Payload(stream, [owned]))).toBe('+OK\r\n');
});

test('random damage to a payload is refused or loads a usable stream, never a crash', async () => {
  const good = Buffer.from(v19Payload(sampleStream(30, [1, 7, 30]), GROUPS), 'latin1');
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const raw = await nodis.raw();
  let loaded = 0;
  for (let round = 0; round < 400; round++) {
    const body = Buffer.from(good.subarray(0, good.length - 10));
    const flips = 1 + Math.floor(random() * 3);
    for (let i = 0; i < flips; i++) body[1 + Math.floor(random() * (body.length - 1))] = Math.floor(random() * 256);
    const damaged = payload(19, [body.subarray(1)]);
    await raw.call('DEL', 'k');
    const reply = await raw.call('RESTORE', 'k', '0', damaged);
    expect([BAD_FORMAT, '+OK\r\n']).toContain(reply);
    if (reply === '+OK\r\n') {
      loaded++;
      for (const argv of [['XINFO', 'STREAM', 'k', 'FULL'], ['XRANGE', 'k', '-', '+'], ['XREVRANGE', 'k', '+', '-'], ['XINFO', 'GROUPS', 'k'], ['DUMP', 'k']]) {
        expect(await raw.call(...argv)).not.toMatch(/^-/);
      }
    }
  }
  expect(await raw.call('PING')).toBe('+PONG\r\n');
  // Damage to values and times leaves a valid stream: some rounds load.
  expect(loaded).toBeGreaterThan(0);
});

test('a corrupt stream in an RDB file stops start-up with the reason', async () => {
  const dir = tempDir('nodis-stream-corrupt-');
  const value = payload(19, streamBody([[1, [...MASTER(2, 0), ...entry(0), ...entry(0)]]], 2, 1));
  const body = Buffer.from(value, 'latin1').subarray(0, value.length - 10);
  const file = Buffer.concat([
    Buffer.from('REDIS0010', 'latin1'),
    Buffer.from([0xfe, 0x00]),
    Buffer.from([body[0]]),
    str('k'),
    body.subarray(1),
    Buffer.from([0xff]),
    Buffer.alloc(8),
  ]);
  fs.writeFileSync(path.join(dir, 'dump.rdb'), file);
  const log = await failedStart(dir, { appendonly: 'no' });
  expect(log.join('')).toMatch(/corrupt at offset \d+: Stream listpack integrity check failed: entry IDs not increasing/);
});

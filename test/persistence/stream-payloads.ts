/**
 * Stream DUMP payloads built by hand for the tests: plain RDB encodings (no integer or LZF
 * strings), node listpacks from Nodis's own writer, groups described as data, and the 6.x
 * layout (RDB_TYPE_STREAM_LISTPACKS) that Nodis never writes.
 */
import { Crc64 } from '../../src/persistence/rdb/crc64';
import { ListpackBuilder } from '../../src/persistence/rdb/listpack';
import { buildNodeListpack } from '../../src/persistence/rdb/stream-writer';
import { Stream } from '../../src/types/stream';
import { idToBigInts, makeId } from '../../src/types/stream-id';

export function len(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = 0x80;
  b.writeUInt32BE(n, 1);
  return b;
}

export function str(s: string | Buffer): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  return Buffer.concat([len(bytes.length), bytes]);
}

export function int64LE(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}

/** A DUMP payload: type, body, RDB version, CRC-64. */
export function payload(type: number, parts: Buffer[], version = 10): string {
  const body = Buffer.concat([Buffer.from([type]), ...parts, Buffer.from([version, 0])]);
  return Buffer.concat([body, new Crc64().update(body).toBuffer()]).toString('latin1');
}

/** A stream of `count` entries (1-1, 1-2, ...) in nodes of 4, some deleted. */
export function sampleStream(count: number, deleted: number[]): Stream {
  const stream = new Stream();
  for (let i = 1; i <= count; i++) {
    const argv = i % 4 === 0 ? ['x', String(i)] : ['f', String(i), 'g', `v${i}`];
    stream.append(makeId(1, i), argv, 0, { maxBytes: 0, maxEntries: 4 });
  }
  for (const i of deleted) stream.deleteEntry(makeId(1, i));
  return stream;
}

export function nodesPart(stream: Stream): Buffer[] {
  const lp = new ListpackBuilder();
  const parts = [len(stream.nodes.length)];
  for (const node of stream.nodes) parts.push(str(node.masterId), str(Buffer.from(buildNodeListpack(node, lp))));
  return parts;
}

export interface GroupSpec {
  name: string;
  lastSeq: number;
  pel: { seq: number; time: number; count: number }[];
  consumers: { name: string; seen: number; owns: number[] }[];
}

export function groupsPart(groups: GroupSpec[], withEntriesRead: boolean): Buffer[] {
  const parts = [len(groups.length)];
  for (const g of groups) {
    parts.push(str(g.name), len(1), len(g.lastSeq));
    if (withEntriesRead) parts.push(Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    parts.push(len(g.pel.length));
    for (const p of g.pel) parts.push(Buffer.from(makeId(1, p.seq), 'latin1'), int64LE(p.time), len(p.count));
    parts.push(len(g.consumers.length));
    for (const c of g.consumers) {
      parts.push(str(c.name), int64LE(c.seen), len(c.owns.length));
      for (const seq of c.owns) parts.push(Buffer.from(makeId(1, seq), 'latin1'));
    }
  }
  return parts;
}

/** An RDB_TYPE_STREAM_LISTPACKS (15) payload, as Redis 5 and 6 wrote them. */
export function v15Payload(stream: Stream, lastSeq: number, groups: GroupSpec[]): string {
  return payload(15, [...nodesPart(stream), len(stream.length), len(1), len(lastSeq), ...groupsPart(groups, false)], 9);
}

/** An RDB_TYPE_STREAM_LISTPACKS_2 (19) payload. */
export function v19Payload(stream: Stream, groups: GroupSpec[]): string {
  const meta = [len(stream.length), ...idPart(stream.lastId), ...idPart(stream.firstId), ...idPart(stream.maxDeletedId), len(stream.entriesAdded)];
  return payload(19, [...nodesPart(stream), ...meta, ...groupsPart(groups, true)]);
}

/** An ID's two lengths (IDs of the sample streams stay below 2^32). */
function idPart(id: string): Buffer[] {
  return idToBigInts(id).map((n) => len(Number(n)));
}

export const GROUPS: GroupSpec[] = [
  {
    name: 'g',
    lastSeq: 6,
    pel: [
      { seq: 2, time: 1700000000000, count: 1 },
      { seq: 5, time: 1700000001000, count: 3 },
      { seq: 6, time: 1700000002000, count: 2 },
    ],
    consumers: [
      { name: 'alice', seen: 1700000003000, owns: [2, 6] },
      { name: 'bob', seen: 1700000004000, owns: [5] },
      { name: 'idle', seen: 1700000005000, owns: [] },
    ],
  },
  { name: 'other', lastSeq: 0, pel: [], consumers: [] },
];

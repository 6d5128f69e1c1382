/**
 * Streams in RDB files as Redis 7.0 writes them (rdbSaveObject, RDB_TYPE_STREAM_LISTPACKS_2):
 *
 *   node count, per node: master ID (16-byte raw string) + listpack (raw string)
 *   length, last ID (ms, seq), first ID (ms, seq), max deleted ID (ms, seq), entries added
 *   group count, per group: name, last ID (ms, seq), entries read (-1 as 2^64 - 1),
 *     PEL: count, per entry 16-byte ID (no length), delivery time (int64 LE ms), delivery count
 *     consumers: count, per consumer: name, seen time (int64 LE ms), PEL count + 16-byte IDs
 *
 * Each node's listpack is laid out as t_stream.c streamAppendItem builds it: the master entry
 * (live count, deleted count, master field count, fields..., 0), then per entry its flags,
 * ms delta, seq delta, [field count, field, value ... | value ... with SAMEFIELDS], lp-count.
 * Deleted entries are written in place with their flag, as Redis keeps them.
 */
import type { Stream } from '../../types/stream';
import { FLAG_SAMEFIELDS, type StreamNode } from '../../types/stream-node';
import { idPart, subU64, type StreamId, type U64 } from '../../types/stream-id';
import type { ConsumerGroup } from '../../types/stream-groups';
import type { Int64 } from '../../types/intset';
import { ListpackBuilder } from './listpack';

/** The RDB primitives the stream codec writes through (RdbWriter provides them). */
export interface RdbValueOutput {
  /** rdbSaveLen of a length below 2^53. */
  len(n: number): void;
  /** rdbSaveRawString of a latin1 string. */
  string(s: string): void;
  /** rdbSaveRawString of bytes. */
  byteString(src: Buffer, start: number, end: number): void;
  /** Bytes as they are (rdbWriteRaw). */
  raw(src: Uint8Array, start: number, end: number): void;
  /** rdbSaveMillisecondTime: int64 little endian. */
  int64LE(v: number): void;
}

const TWO_32 = 0x100000000;
const scratch = Buffer.alloc(9);

/** rdbSaveLen of a u64 given as halves (the 64-bit form when it does not fit 32 bits). */
export function writeLenU64(out: RdbValueOutput, value: U64): void {
  if (value.hi === 0) return out.len(value.lo);
  scratch[0] = 0x81;
  scratch.writeUInt32BE(value.hi, 1);
  scratch.writeUInt32BE(value.lo, 5);
  out.raw(scratch, 0, 9);
}

/** A u64 read as C's int64 (the deltas Redis stores with lpAppendInteger). */
export function u64AsInt64(value: U64): Int64 {
  const { hi, lo } = value;
  if (hi < 0x200000) return hi * TWO_32 + lo;
  if (hi >= 0xffe00000) return (hi - TWO_32) * TWO_32 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

function writeId(out: RdbValueOutput, id: StreamId): void {
  writeLenU64(out, idPart(id, 0));
  writeLenU64(out, idPart(id, 1));
}

/** A number that may be -1 (entries read unknown) saved as rdbSaveLen of its uint64 cast. */
function writeSignedLen(out: RdbValueOutput, n: number): void {
  if (n >= 0) out.len(n);
  else writeLenU64(out, { hi: 0xffffffff, lo: (n + TWO_32) >>> 0 });
}

function rawId(out: RdbValueOutput, id: StreamId): void {
  // Two halves through the 9-byte scratch buffer.
  for (let half = 0; half < 2; half++) {
    for (let i = 0; i < 8; i++) scratch[i] = id.charCodeAt(half * 8 + i);
    out.raw(scratch, 0, 8);
  }
}

/** The node's listpack, as Redis holds it. */
export function buildNodeListpack(node: StreamNode, lp: ListpackBuilder): Buffer {
  lp.reset();
  lp.appendInteger(node.live);
  lp.appendInteger(node.deleted);
  lp.appendInteger(node.fields.length);
  for (const field of node.fields) lp.appendString(field);
  lp.appendInteger(0);
  const masterMs = idPart(node.masterId, 0);
  const masterSeq = idPart(node.masterId, 1);
  for (let at = 0; at < node.data.length; ) {
    const entry = node.headerAt(at);
    at = entry.next;
    const same = (entry.flags & FLAG_SAMEFIELDS) !== 0;
    lp.appendInteger(entry.flags);
    lp.appendInteger(u64AsInt64(subU64(idPart(entry.id, 0), masterMs)));
    lp.appendInteger(u64AsInt64(subU64(idPart(entry.id, 1), masterSeq)));
    const fieldValues = node.fieldValues(entry);
    if (same) {
      for (let i = 1; i < fieldValues.length; i += 2) lp.appendString(fieldValues[i]);
    } else {
      lp.appendInteger(entry.fieldCount);
      for (const item of fieldValues) lp.appendString(item);
    }
    lp.appendInteger(3 + entry.fieldCount + (same ? 0 : entry.fieldCount + 1));
  }
  return lp.finish();
}

function writeGroup(out: RdbValueOutput, group: ConsumerGroup): void {
  out.string(group.name);
  writeId(out, group.lastId);
  writeSignedLen(out, group.entriesRead);
  const pel = group.pel;
  out.len(pel.size);
  for (let i = 0; i < pel.size; i++) {
    const pending = pel.valueAt(i);
    rawId(out, pel.idAt(i));
    out.int64LE(pending.deliveryTime);
    out.len(pending.deliveryCount);
  }
  const consumers = group.sortedConsumers();
  out.len(consumers.length);
  for (const consumer of consumers) {
    out.string(consumer.name);
    out.int64LE(consumer.seenTime);
    out.len(consumer.pel.size);
    for (let i = 0; i < consumer.pel.size; i++) rawId(out, consumer.pel.idAt(i));
  }
}

/** The stream's value (after its type byte and key). */
export function writeStreamValue(out: RdbValueOutput, stream: Stream, lp: ListpackBuilder): void {
  out.len(stream.nodes.length);
  for (const node of stream.nodes) {
    out.string(node.masterId);
    const listpack = buildNodeListpack(node, lp);
    out.byteString(listpack, 0, listpack.length);
  }
  out.len(stream.length);
  writeId(out, stream.lastId);
  writeId(out, stream.firstId);
  writeId(out, stream.maxDeletedId);
  out.len(stream.entriesAdded);
  const groups = stream.sortedGroups();
  out.len(groups.length);
  for (const group of groups) writeGroup(out, group);
}

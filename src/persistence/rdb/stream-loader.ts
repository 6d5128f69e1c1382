/**
 * Loads streams from RDB files (rdbLoadObject for RDB_TYPE_STREAM_LISTPACKS, written by Redis
 * 5 and 6, and RDB_TYPE_STREAM_LISTPACKS_2, written by 7.0; see stream-writer.ts for the layout).
 *
 * Nodes keep the boundaries the file gives them, as Redis keeps the loaded listpacks. Loading
 * checks what Redis's deep sanitization checks (each listpack's master entry, entry layout and
 * lp-count, the live and deleted counts) plus what the structure relies on: entry IDs strictly
 * increasing across the stream, each node's key being its first entry's ID, the length and last
 * ID agreeing with the entries, no duplicate groups, consumers or PEL entries, every consumer
 * PEL entry present in its group's PEL, and every group PEL entry owned by a consumer.
 */
import { Stream, type NodeLimits } from '../../types/stream';
import { FLAG_DELETED, FLAG_SAMEFIELDS } from '../../types/stream-node';
import { addU64, idFromHalves, idPart, MAX_ID, MIN_ID, type StreamId, type U64 } from '../../types/stream-id';
import type { PendingEntry } from '../../types/stream-groups';
import { RdbType } from './rdb-constants';
import { decodeListpack } from './listpack';
import type { RdbInput } from './rdb-input';

const TWO_32 = 0x100000000;
/** stream.append limits that start a new node, and that keep adding to the last one. */
const NEW_NODE: NodeLimits = { maxBytes: 0, maxEntries: 1 };
const SAME_NODE: NodeLimits = { maxBytes: 0, maxEntries: 0 };

/** rdbLoadLen of a full u64 (lengths, IDs, counters), as halves. */
export function readLenU64(input: RdbInput): U64 {
  const at = input.pos;
  const first = input.byte();
  switch (first >> 6) {
    case 0:
      return { hi: 0, lo: first & 0x3f };
    case 1:
      return { hi: 0, lo: ((first & 0x3f) << 8) | input.byte() };
    case 3:
      throw input.corrupt('unexpected string encoding where a length was expected', at);
  }
  if (first === 0x80) return { hi: 0, lo: halfOf(input.text(4), 0) };
  if (first === 0x81) {
    const bytes = input.text(8);
    return { hi: halfOf(bytes, 0), lo: halfOf(bytes, 4) };
  }
  throw input.corrupt(`Unknown length encoding ${first} in rdbLoadLen()`, at);
}

function halfOf(bytes: string, offset: number): number {
  return (
    bytes.charCodeAt(offset) * 0x1000000 +
    ((bytes.charCodeAt(offset + 1) << 16) | (bytes.charCodeAt(offset + 2) << 8) | bytes.charCodeAt(offset + 3))
  );
}

/** A u64 length that must be a safe integer (counts, entries added). */
function readSafeLen(input: RdbInput, what: string): number {
  const at = input.pos;
  const { hi, lo } = readLenU64(input);
  if (hi >= 0x200000) throw input.corrupt(`Stream ${what} too large`, at);
  return hi * TWO_32 + lo;
}

function readId(input: RdbInput): StreamId {
  const ms = readLenU64(input);
  const seq = readLenU64(input);
  return idFromHalves(ms.hi, ms.lo, seq.hi, seq.lo);
}

/** A count of items of at least `minBytes` each that must still fit in the input. */
function readCount(input: RdbInput, minBytes: number): number {
  return input.count(minBytes);
}

const INTEGER_TEXT = /^-?[0-9]+$/;

/** A listpack element that must be an integer, as the u64 of its int64 value; null if it is not. */
function int64AsU64(text: string): U64 | null {
  if (text.length === 0 || text.length > 20 || !INTEGER_TEXT.test(text)) return null;
  if (text.length <= 15) {
    const n = Number(text);
    if (n >= 0) return { hi: Math.floor(n / TWO_32), lo: n >>> 0 };
  }
  const big = BigInt(text);
  if (big < -(2n ** 63n) || big >= 2n ** 63n) return null;
  const u = BigInt.asUintN(64, big);
  return { hi: Number(u >> 32n), lo: Number(u & 0xffffffffn) };
}

/** Reading a node's listpack elements in order; a malformed layout throws. */
class ListpackCursor {
  at = 0;
  constructor(private readonly items: string[]) {}

  get done(): boolean {
    return this.at >= this.items.length;
  }

  next(): string {
    if (this.at >= this.items.length) throw new Error('entry runs past the end of the listpack');
    return this.items[this.at++];
  }

  /** An element that must be an integer in [0, max]. */
  count(max = Number.MAX_SAFE_INTEGER): number {
    const value = int64AsU64(this.next());
    if (value === null || value.hi >= 0x200000) throw new Error('expected a count');
    const n = value.hi * TWO_32 + value.lo;
    if (n > max) throw new Error('count out of range');
    return n;
  }

  int64(): U64 {
    const value = int64AsU64(this.next());
    if (value === null) throw new Error('expected an integer');
    return value;
  }
}

/**
 * Adds one node from its listpack elements; returns the ID of its last entry. `previousId` is
 * the last entry ID before this node (null for the first node).
 */
function loadNode(stream: Stream, key: StreamId, items: string[], previousId: StreamId | null): StreamId {
  const lp = new ListpackCursor(items);
  const live = lp.count();
  const deleted = lp.count();
  const fieldCount = lp.count(items.length);
  const fields: string[] = [];
  for (let i = 0; i < fieldCount; i++) fields.push(lp.next());
  if (lp.count() !== 0) throw new Error('master entry without its zero terminator');
  const total = live + deleted;
  if (total === 0) throw new Error('node without entries');
  const masterMs = idPart(key, 0);
  const masterSeq = idPart(key, 1);
  let lastId = previousId;
  const deletedAt: number[] = [];
  for (let n = 0; n < total; n++) {
    const flags = lp.count(FLAG_DELETED | FLAG_SAMEFIELDS);
    const ms = addU64(masterMs, lp.int64());
    const seq = addU64(masterSeq, lp.int64());
    const id = idFromHalves(ms.hi, ms.lo, seq.hi, seq.lo);
    if (n === 0 && id !== key) throw new Error("the node key is not its first entry's ID");
    if (lastId !== null && id <= lastId) throw new Error('entry IDs not increasing');
    lastId = id;
    const argv: string[] = [];
    let entryFields = fieldCount;
    if (flags & FLAG_SAMEFIELDS) {
      for (let i = 0; i < fieldCount; i++) argv.push(fields[i], lp.next());
    } else {
      entryFields = lp.count(items.length);
      for (let i = 0; i < 2 * entryFields; i++) argv.push(lp.next());
    }
    if (entryFields === 0) throw new Error('entry without fields');
    const extra = flags & FLAG_SAMEFIELDS ? 3 : 4 + entryFields;
    if (lp.count() !== entryFields + extra) throw new Error('lp-count does not match the entry');
    stream.append(id, argv, 0, n === 0 ? NEW_NODE : SAME_NODE);
    if (flags & FLAG_DELETED) deletedAt.push(n);
  }
  if (!lp.done) throw new Error('listpack longer than its entries');
  if (deletedAt.length !== deleted) throw new Error('deleted count does not match the entries');
  if (deleted > 0) {
    // Entries went in live; flag the deleted ones as the file has them.
    const headers = stream.nodes[stream.nodes.length - 1].headers();
    stream.nodes[stream.nodes.length - 1].markDeleted(deletedAt.map((n) => headers[n]));
    stream.length -= deleted;
  }
  return lastId!;
}

function loadNodes(input: RdbInput, stream: Stream): void {
  const nodeCount = readCount(input, 2);
  let previousId: StreamId | null = null;
  for (let i = 0; i < nodeCount; i++) {
    const keyAt = input.pos;
    const key = input.string();
    if (key.length !== 16) throw input.corrupt('Stream node key entry is not the size of a stream ID', keyAt);
    const lpAt = input.pos;
    const blob = input.stringBlob();
    let items: string[];
    try {
      items = decodeListpack(blob.buf, blob.start, blob.end);
    } catch (e) {
      throw input.corrupt(`Stream listpack integrity check failed: ${(e as Error).message}`, lpAt);
    }
    if (items.length === 0) throw input.corrupt('Empty listpack inside stream', lpAt);
    try {
      previousId = loadNode(stream, key, items, previousId);
    } catch (e) {
      throw input.corrupt(`Stream listpack integrity check failed: ${(e as Error).message}`, lpAt);
    }
  }
}

function loadGroups(input: RdbInput, stream: Stream, type: number): void {
  const groupCount = readCount(input, 4);
  for (let g = 0; g < groupCount; g++) {
    const groupAt = input.pos;
    const name = input.string();
    const lastId = readId(input);
    let entriesRead: number;
    if (type === RdbType.StreamListpacks2) {
      const at = input.pos;
      const read = readLenU64(input);
      if (read.hi === 0xffffffff && read.lo === 0xffffffff) entriesRead = -1;
      else if (read.hi >= 0x200000) throw input.corrupt('Stream group entries read too large', at);
      else entriesRead = read.hi * TWO_32 + read.lo;
    } else {
      entriesRead = stream.estimateDistanceFromFirstEverEntry(lastId);
    }
    const group = stream.createGroup(name, lastId, entriesRead);
    if (group === undefined) throw input.corrupt(`Duplicated consumer group name ${name}`, groupAt);

    const pelSize = readCount(input, 25);
    for (let i = 0; i < pelSize; i++) {
      const at = input.pos;
      const id = input.text(16);
      const deliveryTime = input.int64();
      const deliveryCount = readSafeLen(input, 'delivery count');
      if (group.pel.has(id)) throw input.corrupt('Duplicated global PEL entry loading stream consumer group', at);
      group.pel.set(id, { deliveryTime, deliveryCount, consumer: null });
    }

    const consumerCount = readCount(input, 10);
    for (let c = 0; c < consumerCount; c++) {
      const at = input.pos;
      const consumer = group.createConsumer(input.string(), 0);
      if (consumer === undefined) throw input.corrupt('Duplicate stream consumer detected.', at);
      consumer.seenTime = input.int64();
      const owned = readCount(input, 16);
      for (let i = 0; i < owned; i++) {
        const idAt = input.pos;
        const id = input.text(16);
        const pending: PendingEntry | undefined = group.pel.get(id);
        if (pending === undefined) throw input.corrupt('Consumer entry not found in group global PEL', idAt);
        if (pending.consumer !== null) {
          throw input.corrupt('Duplicated consumer PEL entry loading a stream consumer group', idAt);
        }
        pending.consumer = consumer;
        consumer.pel.set(id, pending);
      }
    }
    for (let i = 0; i < group.pel.size; i++) {
      if (group.pel.valueAt(i).consumer === null) throw input.corrupt('Stream CG PEL entry without consumer', groupAt);
    }
  }
}

/** A stream value of type 15 or 19 (after its key). Empty streams are kept, as Redis keeps them. */
export function readStream(input: RdbInput, type: number): Stream {
  const stream = new Stream();
  loadNodes(input, stream);
  const metaAt = input.pos;
  const liveEntries = stream.length;
  const lastEntryId = stream.nodes.length > 0 ? stream.nodes[stream.nodes.length - 1].lastId : MIN_ID;
  stream.length = readSafeLen(input, 'length');
  stream.lastId = readId(input);
  if (type === RdbType.StreamListpacks2) {
    stream.firstId = readId(input);
    stream.maxDeletedId = readId(input);
    stream.entriesAdded = readSafeLen(input, 'entries added');
  } else {
    // 6.x files: what 7.0 derives (streamGetEdgeID skipping tombstones; max ID when empty).
    stream.maxDeletedId = MIN_ID;
    stream.entriesAdded = stream.length;
    stream.firstId = stream.edgeId(false) ?? MAX_ID;
  }
  if (stream.length !== liveEntries) throw input.corrupt('Stream length inconsistent with rax entries', metaAt);
  if (stream.lastId < lastEntryId) throw input.corrupt('Stream last ID smaller than its last entry', metaAt);
  loadGroups(input, stream, type);
  return stream;
}

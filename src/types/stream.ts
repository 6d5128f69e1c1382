/**
 * The stream type, shaped like Redis 7.0's (t_stream.c): entries with IDs in increasing order,
 * kept in nodes (src/types/stream-node.ts) of up to stream-node-max-entries entries /
 * stream-node-max-bytes bytes, split exactly where Redis splits its listpacks; and consumer
 * groups (src/types/stream-groups.ts).
 *
 * The API, for commands and for persistence (RDB, AOF rewrite, DUMP):
 * - IDs are 16-char latin1 strings (src/types/stream-id.ts): formatId / parseStreamId /
 *   idToBigInts / idFromBigInts convert them.
 * - Entries: `forEachInRange(start, end, reverse, visit)` calls visit(id, [field, value, ...])
 *   for every live entry in ID order (or reversed) until visit returns false; `append(id, argv,
 *   from, limits)` adds one; `deleteEntry(id)`, `trim(...)`. Persistence can also walk `nodes`
 *   (each: masterId, master fields, live/deleted counts, entries via headers() / fieldValues()).
 * - Metadata: `length`, `lastId` (last generated ID), `firstId` (recorded first entry ID),
 *   `maxDeletedId`, `entriesAdded`.
 * - Groups: `groups` (name -> ConsumerGroup, listed by `sortedGroups()`), each with `lastId`,
 *   `entriesRead`, its PEL (`pel`: ID -> { deliveryTime, deliveryCount, consumer }) and its
 *   consumers (`sortedConsumers()`: name, seenTime, own `pel`).
 */
import type { CollectionValue } from '../keyspace/value';
import { arrayBytes, mapBytes, objectBytes, stringBytes, HEAP_NUMBER_BYTES } from '../memory/sizes';
import { packedBytes } from './packed-entries';
import { MAX_ID, MIN_ID, type StreamId } from './stream-id';
import { FLAG_DELETED, StreamNode, type EntryHeader } from './stream-node';
import { ConsumerGroup } from './stream-groups';

/** Largest listpack Redis lets a node reach whatever the configuration (STREAM_LISTPACK_MAX_SIZE). */
const LISTPACK_MAX_SIZE = 1 << 30;

export interface NodeLimits {
  /** stream-node-max-bytes (0: no limit but LISTPACK_MAX_SIZE). */
  maxBytes: number;
  /** stream-node-max-entries (0: no limit). */
  maxEntries: number;
}

export interface TrimArgs {
  /** Keep at most this many entries (MAXLEN), or ... */
  maxLen?: number;
  /** ... drop entries below this ID (MINID). */
  minId?: StreamId;
  /** Only remove whole nodes (`~`). */
  approx: boolean;
  /** Most entries to remove (0: no limit). */
  limit: number;
}

export type EntryVisitor = (id: StreamId, fieldValues: string[]) => boolean;

function nodeBytes(node: StreamNode): number {
  // The node's 11 fields, its two ID halves, packed data and the master fields array (the field
  // name strings are the first entry's argv strings).
  let total = objectBytes(11) + 2 * (objectBytes(2) + HEAP_NUMBER_BYTES) + packedBytes(node.data.length);
  total += arrayBytes(node.fields.length);
  for (const field of node.fields) total += stringBytes(field.length);
  return total;
}

export class Stream implements CollectionValue {
  get type(): 'stream' {
    return 'stream';
  }
  /** Nodes in ID order. */
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = MIN_ID;
  firstId: StreamId = MIN_ID;
  maxDeletedId: StreamId = MIN_ID;
  entriesAdded = 0;
  groups: Map<string, ConsumerGroup> | null = null;
  /** Heap bytes of the nodes, kept current. */
  private nodeBytesTotal = 0;

  encoding(): string {
    return 'stream';
  }

  memoryUsage(): number {
    // 8 fields (`type` lives on the prototype) and the four ID strings.
    let total = objectBytes(8) + 4 * stringBytes(16) + arrayBytes(this.nodes.length) + this.nodeBytesTotal;
    if (this.groups) {
      total += mapBytes(this.groups.size);
      for (const group of this.groups.values()) total += group.bytes();
    }
    return total;
  }

  clone(): Stream {
    const copy = new Stream();
    copy.nodes = this.nodes.map((node) => node.clone());
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.nodeBytesTotal = this.nodeBytesTotal;
    if (this.groups) {
      copy.groups = new Map();
      for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    }
    return copy;
  }

  /** Recounts the heap bytes of the nodes from scratch (tests check the running count). */
  recountNodeBytes(): number {
    let total = 0;
    for (const node of this.nodes) total += nodeBytes(node);
    return total;
  }

  get nodeBytes(): number {
    return this.nodeBytesTotal;
  }

  // ---- entries ----

  /**
   * Appends an entry (streamAppendItem) whose ID the caller checked is above lastId; fields and
   * values are argv[from..]. Starts a new node where Redis starts a new listpack.
   */
  append(id: StreamId, argv: string[], from: number, limits: NodeLimits): void {
    let node = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : undefined;
    if (node !== undefined) {
      let elementBytes = 0;
      for (let i = from; i < argv.length; i++) elementBytes += argv[i].length;
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : limits.maxBytes;
      if (node.lpBytes + elementBytes >= maxBytes || (limits.maxEntries > 0 && node.total >= limits.maxEntries)) {
        node = undefined;
      }
    }
    if (node === undefined) {
      if (this.nodes.length > 0) this.nodes[this.nodes.length - 1].seal();
      const fields = new Array<string>((argv.length - from) / 2);
      for (let i = 0; i < fields.length; i++) fields[i] = argv[from + 2 * i];
      node = new StreamNode(id, fields);
      this.nodes.push(node);
      this.nodeBytesTotal += nodeBytes(node);
    }
    const before = packedBytes(node.data.length);
    node.append(id, argv, from);
    this.nodeBytesTotal += packedBytes(node.data.length) - before;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** Index of the node that would hold `id`: the last one whose master ID is <= id (or 0). */
  private nodeIndexFor(id: StreamId): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid].masterId <= id) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Visits the live entries with start <= ID <= end, ascending (or descending when reverse),
   * until visit returns false.
   */
  forEachInRange(start: StreamId, end: StreamId, reverse: boolean, visit: EntryVisitor): void {
    if (this.nodes.length === 0 || start > end) return;
    if (!reverse) {
      for (let n = this.nodeIndexFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n];
        if (node.masterId > end) return;
        if (node.lastId < start || node.live === 0) continue;
        for (let at = 0; at < node.data.length; ) {
          const entry = node.headerAt(at);
          at = entry.next;
          if (entry.id < start || entry.flags & FLAG_DELETED) continue;
          if (entry.id > end) return;
          if (!visit(entry.id, node.fieldValues(entry))) return;
        }
      }
    } else {
      for (let n = this.nodeIndexFor(end); n >= 0; n--) {
        const node = this.nodes[n];
        if (node.lastId < start) return;
        if (node.masterId > end || node.live === 0) continue;
        const headers = node.headers();
        for (let i = headers.length - 1; i >= 0; i--) {
          const entry = headers[i];
          if (entry.id > end || entry.flags & FLAG_DELETED) continue;
          if (entry.id < start) return;
          if (!visit(entry.id, node.fieldValues(entry))) return;
        }
      }
    }
  }

  /** The live entry with this ID as [field, value, ...], or undefined. */
  get(id: StreamId): string[] | undefined {
    let found: string[] | undefined;
    this.forEachInRange(id, id, false, (_id, fieldValues) => {
      found = fieldValues;
      return false;
    });
    return found;
  }

  /** Whether a live entry has this ID (streamEntryExists). */
  has(id: StreamId): boolean {
    return this.findLive(id) !== undefined;
  }

  private findLive(id: StreamId): [number, EntryHeader] | undefined {
    if (this.nodes.length === 0) return undefined;
    const n = this.nodeIndexFor(id);
    const node = this.nodes[n];
    if (node.lastId < id || node.masterId > id) return undefined;
    for (let at = 0; at < node.data.length; ) {
      const entry = node.headerAt(at);
      if (entry.id === id) return entry.flags & FLAG_DELETED ? undefined : [n, entry];
      if (entry.id > id) return undefined;
      at = entry.next;
    }
    return undefined;
  }

  /** The first (or last) live entry's ID, or undefined when empty. */
  edgeId(last: boolean): StreamId | undefined {
    let found: StreamId | undefined;
    this.forEachInRange(MIN_ID, MAX_ID, last, (id) => {
      found = id;
      return false;
    });
    return found;
  }

  /**
   * Deletes a live entry (streamDeleteItem): marks it deleted, or drops its node when it was
   * the node's last live entry. Updates firstId and maxDeletedId as XDEL does.
   */
  deleteEntry(id: StreamId): boolean {
    const found = this.findLive(id);
    if (found === undefined) return false;
    const [n, entry] = found;
    const node = this.nodes[n];
    if (node.live === 1) {
      this.removeNodeAt(n);
    } else {
      const before = packedBytes(node.data.length);
      node.markDeleted([entry]);
      this.nodeBytesTotal += packedBytes(node.data.length) - before;
    }
    this.length--;
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    if (this.length === 0) this.firstId = MIN_ID;
    else if (id === this.firstId) this.firstId = this.edgeId(false)!;
    return true;
  }

  private removeNodeAt(index: number): void {
    this.nodeBytesTotal -= nodeBytes(this.nodes[index]);
    this.nodes.splice(index, 1);
  }

  /** streamTrim: removes entries from the head by MAXLEN or MINID; returns how many. */
  trim(args: TrimArgs): number {
    const byLength = args.maxLen !== undefined;
    const maxLen = args.maxLen ?? 0;
    const minId = args.minId ?? MIN_ID;
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (byLength && this.length <= maxLen) break;
      const node = this.nodes[0];
      const entries = node.live;
      if (args.limit && deleted + entries > args.limit) break;
      const removeNode = byLength ? this.length - entries >= maxLen : node.lastId < minId;
      if (removeNode) {
        this.removeNodeAt(0);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      // Mark entries deleted from the head of this node, then stop: it had enough to delete.
      const marked: EntryHeader[] = [];
      for (let at = 0; at < node.data.length; ) {
        const entry = node.headerAt(at);
        at = entry.next;
        const stop = byLength ? this.length <= maxLen : entry.id >= minId;
        if (stop) break;
        if (!(entry.flags & FLAG_DELETED)) {
          marked.push(entry);
          this.length--;
        }
      }
      const before = packedBytes(node.data.length);
      node.markDeleted(marked);
      this.nodeBytesTotal += packedBytes(node.data.length) - before;
      deleted += marked.length;
      break;
    }
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted > 0) this.firstId = this.edgeId(false)!;
    return deleted;
  }

  /** The ID of the first entry, deleted or not (streamGetEdgeID without skipping tombstones). */
  firstIdIncludingDeleted(): StreamId {
    if (this.nodes.length === 0) return MAX_ID;
    return this.nodes[0].headerAt(0).id;
  }

  // ---- consumer groups ----

  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** Creates a group; undefined if one with that name exists. */
  createGroup(name: string, lastId: StreamId, entriesRead: number): ConsumerGroup | undefined {
    this.groups ??= new Map();
    if (this.groups.has(name)) return undefined;
    const group = new ConsumerGroup(name, lastId, entriesRead);
    this.groups.set(name, group);
    return group;
  }

  destroyGroup(name: string): boolean {
    return this.groups?.delete(name) ?? false;
  }

  /** Groups in byte order of their names. */
  sortedGroups(): ConsumerGroup[] {
    if (!this.groups) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- lag and entries-read (7.0's consumer group lag tracking) ----

  /** streamRangeHasTombstones from `start` to the end. */
  hasTombstonesFrom(start: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === MIN_ID) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or -1. */
  estimateDistanceFromFirstEverEntry(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return -1;
    if (this.maxDeletedId === MIN_ID || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }

  /** A group's lag (streamReplyWithCGLag), or null when it cannot be known. */
  groupLag(group: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== -1 && !this.hasTombstonesFrom(group.lastId)) return this.entriesAdded - group.entriesRead;
    const read = this.estimateDistanceFromFirstEverEntry(group.lastId);
    return read === -1 ? null : this.entriesAdded - read;
  }

  // ---- XINFO's radix tree figures ----

  /** Number of rax nodes Redis's radix tree of the node keys has (XINFO radix-tree-nodes). */
  radixTreeNodes(): number {
    const keys = this.nodes.map((node) => node.masterId);
    return keys.length === 0 ? 1 : countRaxNodes(keys, 0, keys.length, 0);
  }
}

/**
 * Nodes of a compressed radix tree (Redis's rax) over keys[lo..hi) (sorted, all 16 bytes,
 * sharing their first `depth` bytes): a run of bytes shared by all is one compressed node, a
 * point where they differ one node with a child per distinct byte, and each key ends in a leaf.
 */
function countRaxNodes(keys: string[], lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  const first = keys[lo];
  const last = keys[hi - 1];
  let common = depth;
  while (common < 16 && first.charCodeAt(common) === last.charCodeAt(common)) common++;
  if (common > depth) return 1 + countRaxNodes(keys, lo, hi, common);
  let total = 1;
  for (let i = lo; i < hi; ) {
    const byte = keys[i].charCodeAt(depth);
    let j = i + 1;
    while (j < hi && keys[j].charCodeAt(depth) === byte) j++;
    total += countRaxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return total;
}

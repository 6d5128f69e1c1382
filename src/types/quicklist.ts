/**
 * The value of a list: a quicklist as Redis 7.0 builds it, a doubly linked list of nodes that
 * each hold a bounded run of elements packed into one string (quicklist-node.ts). Each node also
 * tracks its size as a listpack exactly, so that nodes fill, split and merge where Redis's do
 * (list-max-listpack-size: a positive fill is a number of entries per node, -1..-5 a node size
 * of 4/8/16/32/64 KB). DEBUG OBJECT's ql_nodes and the RDB layout of a list depend on those
 * boundaries.
 *
 * Push and pop at both ends are O(1) amortized; index lookups walk nodes from the nearer end, then
 * entries inside the node; inserts, removals and replacements rebuild one node.
 *
 * Memory: a node knows its estimated heap bytes in O(1); the list keeps the sum over its nodes,
 * adding each node's change as it happens.
 */
import type { CollectionValue } from '../keyspace/value';
import { objectBytes } from '../memory/sizes';
import { EMPTY_LISTPACK_BYTES, ListNode, type ElementSink } from './quicklist-node';
import { listpackEntrySize } from './quicklist-entries';

export { ListNode } from './quicklist-node';
export { listpackEntrySize } from './quicklist-entries';

/** Heap bytes of a Quicklist object (7 fields; `type` lives on the prototype). */
const LIST_BYTES = objectBytes(7);

/** Node size limits for fill -1..-5 (Redis's optimization_level). */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** A node limited by entry count never grows past this many bytes (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/** Redis's upper estimate of an entry's header and back-length bytes (SIZE_ESTIMATE_OVERHEAD). */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Redis subtracts this from two nodes' sizes when judging a merge (one header and trailer). */
const MERGE_HEADER_ESTIMATE = 11;
/** Most elements waiting unpacked at each end (see quicklist-node.ts). */
const MAX_PENDING = 256;
/**
 * A list of n elements lets n / 2^PENDING_SHIFT elements wait unpacked at each end: a small list
 * packs every push, and what waits stays a small share of a large one (about 1 B per element).
 */
const PENDING_SHIFT = 6;
/** Largest positive fill (FILL_MAX) and smallest negative one. */
const FILL_MAX = 32767;
const FILL_MIN = -5;

/** Clamps a list-max-listpack-size value as quicklistSetFill does. */
export function normalizeFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < FILL_MIN ? FILL_MIN : fill;
}

export class Quicklist implements CollectionValue {
  get type(): 'list' {
    return 'list';
  }
  head: ListNode | null = null;
  tail: ListNode | null = null;
  /** Number of elements. */
  length = 0;
  /** Number of nodes. */
  nodeCount = 0;
  /** list-max-listpack-size when the list was created (Redis keeps it per list). */
  readonly fill: number;
  /** Sum of the nodes' heapBytes. */
  private nodeHeapBytes = 0;

  constructor(fill = -2) {
    this.fill = normalizeFill(fill);
  }

  /** A list holding `values` in order, in the nodes successive tail pushes would make. */
  static from(values: Iterable<string>, fill = -2): Quicklist {
    const list = new Quicklist(fill);
    let run: string[] = [];
    let bytes = EMPTY_LISTPACK_BYTES;
    for (const v of values) {
      if (run.length > 0 && !list.allowInsert(bytes, run.length, v.length)) {
        list.appendNode(run);
        run = [];
        bytes = EMPTY_LISTPACK_BYTES;
      }
      run.push(v);
      bytes += listpackEntrySize(v);
    }
    if (run.length > 0) list.appendNode(run);
    return list;
  }

  /** A list made of ready nodes, kept as they are (loading an RDB quicklist). */
  static fromNodes(nodes: Iterable<string[]>, fill = -2): Quicklist {
    const list = new Quicklist(fill);
    for (const values of nodes) if (values.length > 0) list.appendNode(values);
    return list;
  }

  private appendNode(values: string[]): void {
    this.linkNode(ListNode.of(values), this.tail, true);
    this.length += values.length;
  }

  encoding(): string {
    return 'quicklist';
  }

  memoryUsage(): number {
    return LIST_BYTES + this.nodeHeapBytes;
  }

  clone(): Quicklist {
    const copy = new Quicklist(this.fill);
    for (let n = this.head; n; n = n.next) copy.linkNode(n.copy(), copy.tail, true);
    copy.length = this.length;
    return copy;
  }

  // ---- node accounting (Redis's quicklist.c rules) ----

  private sizeMeetsLimit(bytes: number): boolean {
    return this.fill < 0 && bytes <= SIZE_LIMITS[-this.fill - 1];
  }

  /**
   * _quicklistNodeAllowInsert: whether a node of `bytes` listpack bytes and `count` elements may
   * take one more element of `length` bytes.
   */
  private allowInsert(bytes: number, count: number, length: number): boolean {
    const estimated = bytes + length + SIZE_ESTIMATE_OVERHEAD;
    if (this.sizeMeetsLimit(estimated)) return true;
    return estimated <= SIZE_SAFETY_LIMIT && count < this.fill;
  }

  private nodeAllowsInsert(node: ListNode | null, length: number): boolean {
    return node !== null && this.allowInsert(node.bytes, node.count, length);
  }

  /** _quicklistNodeAllowMerge. */
  private allowMerge(a: ListNode | null, b: ListNode | null): boolean {
    if (a === null || b === null) return false;
    const merged = a.bytes + b.bytes - MERGE_HEADER_ESTIMATE;
    if (this.sizeMeetsLimit(merged)) return true;
    return merged <= SIZE_SAFETY_LIMIT && a.count + b.count <= this.fill;
  }

  /** Links `node` after (or before) `at`; at null it becomes the only node. Callers keep `length`. */
  private linkNode(node: ListNode, at: ListNode | null, after: boolean): void {
    if (at === null) {
      this.head = this.tail = node;
    } else if (after) {
      node.prev = at;
      node.next = at.next;
      if (at.next) at.next.prev = node;
      else this.tail = node;
      at.next = node;
    } else {
      node.next = at;
      node.prev = at.prev;
      if (at.prev) at.prev.next = node;
      else this.head = node;
      at.prev = node;
    }
    this.nodeCount++;
    this.nodeHeapBytes += node.heapBytes;
  }

  /** Unlinks a node; callers keep `length`. */
  private unlinkNode(node: ListNode): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.nodeCount--;
    this.nodeHeapBytes -= node.heapBytes;
  }

  /** Merges b (right after a) into a; returns a. */
  private mergeInto(a: ListNode, b: ListNode): ListNode {
    this.unlinkNode(b);
    const before = a.heapBytes;
    a.absorb(b);
    this.nodeHeapBytes += a.heapBytes - before;
    return a;
  }

  /** _quicklistMergeNodes: after a split, tries to merge the nodes around `center`. */
  private mergeAround(center: ListNode): void {
    const prev = center.prev;
    const prevPrev = prev?.prev ?? null;
    const next = center.next;
    const nextNext = next?.next ?? null;
    if (this.allowMerge(prev, prevPrev)) this.mergeInto(prevPrev!, prev!);
    if (this.allowMerge(next, nextNext)) this.mergeInto(next!, nextNext!);
    let target = center;
    if (this.allowMerge(center, center.prev)) target = this.mergeInto(center.prev!, center);
    if (this.allowMerge(target, target.next)) this.mergeInto(target, target.next!);
  }

  /** _quicklistSplitNode (see ListNode.splitOff); the new node is returned unlinked. */
  private splitNode(node: ListNode, offset: number, after: boolean): ListNode {
    const before = node.heapBytes;
    const created = node.splitOff(offset, after);
    this.nodeHeapBytes += node.heapBytes - before;
    return created;
  }

  /** How many elements may wait unpacked at each end. */
  private get pendingRoom(): number {
    const room = this.length >> PENDING_SHIFT;
    return room < MAX_PENDING ? room : MAX_PENDING;
  }

  /** Packs a node's pending elements (one that stops being at an end of the list). */
  private packNode(node: ListNode): void {
    const before = node.heapBytes;
    node.pack();
    this.nodeHeapBytes += node.heapBytes - before;
  }

  // ---- ends ----

  pushHead(s: string): void {
    const head = this.head;
    if (this.nodeAllowsInsert(head, s.length)) {
      this.nodeHeapBytes += head!.push(s, true, this.pendingRoom);
    } else {
      if (head !== null) this.packNode(head);
      this.linkNode(ListNode.of([s]), head, false);
    }
    this.length++;
  }

  pushTail(s: string): void {
    const tail = this.tail;
    if (this.nodeAllowsInsert(tail, s.length)) {
      this.nodeHeapBytes += tail!.push(s, false, this.pendingRoom);
    } else {
      if (tail !== null) this.packNode(tail);
      this.linkNode(ListNode.of([s]), tail, true);
    }
    this.length++;
  }

  /**
   * Pushes values[from...] one by one at the head (each before the one before it) or at the
   * tail, as successive pushHead() / pushTail() calls would, packing each node's share at once.
   */
  pushAll(values: readonly string[], from: number, atHead: boolean): void {
    if (values.length - from === 1) {
      if (atHead) this.pushHead(values[from]);
      else this.pushTail(values[from]);
      return;
    }
    for (let i = from; i < values.length; ) {
      const node = atHead ? this.head : this.tail;
      // The values that fit in the end node, or else in a new one, as the pushes would judge.
      const fits = this.nodeAllowsInsert(node, values[i].length);
      let bytes = fits ? node!.bytes : EMPTY_LISTPACK_BYTES + listpackEntrySize(values[i]);
      let to = fits ? i : i + 1;
      while (to < values.length && this.allowInsert(bytes, (fits ? node!.count : 0) + to - i, values[to].length)) {
        bytes += listpackEntrySize(values[to++]);
      }
      this.length += to - i;
      if (fits) {
        this.nodeHeapBytes += node!.pushMany(values, i, to, atHead, this.pendingRoom);
      } else {
        const run = values.slice(i, to);
        if (atHead) run.reverse();
        if (node !== null) this.packNode(node);
        this.linkNode(ListNode.of(run), node, !atHead);
      }
      i = to;
    }
  }

  popHead(): string | undefined {
    const node = this.head;
    if (node === null) return undefined;
    const s = node.first();
    this.nodeHeapBytes += node.shift(s);
    this.length--;
    if (node.count === 0) this.unlinkNode(node);
    return s;
  }

  popTail(): string | undefined {
    const node = this.tail;
    if (node === null) return undefined;
    const s = node.last();
    this.nodeHeapBytes += node.pop(s);
    this.length--;
    if (node.count === 0) this.unlinkNode(node);
    return s;
  }

  // ---- positions ----

  /** Result offset of seek(). */
  private seekOffset = 0;

  /** The node holding element `index` (0 <= index < length), walking from the nearer end. */
  private seek(index: number): ListNode {
    if (index <= (this.length - 1) / 2) {
      let node = this.head!;
      while (index >= node.count) {
        index -= node.count;
        node = node.next!;
      }
      this.seekOffset = index;
      return node;
    }
    let fromTail = this.length - 1 - index;
    let node = this.tail!;
    while (fromTail >= node.count) {
      fromTail -= node.count;
      node = node.prev!;
    }
    this.seekOffset = node.count - 1 - fromTail;
    return node;
  }

  /** A non-negative index for `index` (negative counts from the tail), or -1 if out of range. */
  private normalizeIndex(index: number): number {
    const i = index < 0 ? this.length + index : index;
    return i >= 0 && i < this.length ? i : -1;
  }

  /** The element at `index` (negative counts from the tail), or undefined. */
  get(index: number): string | undefined {
    const i = this.normalizeIndex(index);
    if (i < 0) return undefined;
    const node = this.seek(i);
    return node.at(this.seekOffset);
  }

  /** Replaces the element at `index`; false when out of range. Done in place, as Redis 7.0. */
  set(index: number, s: string): boolean {
    const i = this.normalizeIndex(index);
    if (i < 0) return false;
    const node = this.seek(i);
    const before = node.heapBytes;
    node.replaceAt(this.seekOffset, s);
    this.nodeHeapBytes += node.heapBytes - before;
    return true;
  }

  /** Elements start..stop inclusive (both already within 0..length-1, start <= stop). */
  range(start: number, stop: number): string[] {
    const n = stop - start + 1;
    const out: string[] = new Array(n);
    let node = this.seek(start);
    let k = node.collect(this.seekOffset, n, out, 0);
    while (k < n) {
      node = node.next!;
      k = node.collect(0, n - k, out, k);
    }
    return out;
  }

  /** Hands elements start..stop inclusive (as for range()) to `sink`, copying nothing. */
  writeRange(start: number, stop: number, sink: ElementSink): void {
    const n = stop - start + 1;
    let node = this.seek(start);
    let k = node.emit(this.seekOffset, n, sink);
    while (k < n) {
      node = node.next!;
      k += node.emit(0, n - k, sink);
    }
  }

  /**
   * Visits elements from the head (or from the tail when `fromTail`), with their index, until
   * `visit` returns false.
   */
  scan(fromTail: boolean, visit: (value: string, index: number) => boolean): void {
    if (!fromTail) {
      let index = 0;
      const forward = (value: string) => visit(value, index++);
      for (let n = this.head; n; n = n.next) if (!n.forEachForward(forward)) return;
      return;
    }
    let index = this.length - 1;
    const backward = (value: string) => visit(value, index--);
    for (let n = this.tail; n; n = n.prev) if (!n.forEachBackward(backward)) return;
  }

  /** Every element in order. */
  forEach(visit: (value: string, index: number) => void): void {
    this.scan(false, (value, index) => {
      visit(value, index);
      return true;
    });
  }

  toArray(): string[] {
    const out: string[] = new Array(this.length);
    let k = 0;
    for (let n = this.head; n; n = n.next) k = n.collect(0, n.count, out, k);
    return out;
  }

  /** Each node's elements, head to tail (node boundaries as Redis would write them in an RDB). */
  *nodes(): IterableIterator<string[]> {
    for (let n = this.head; n; n = n.next) yield n.values();
  }

  /** Node statistics as DEBUG OBJECT shows them (ql_nodes, ql_uncompressed_size). */
  nodeStats(): { nodes: number; bytes: number } {
    let bytes = 0;
    for (let n = this.head; n; n = n.next) bytes += n.bytes;
    return { nodes: this.nodeCount, bytes };
  }

  // ---- changes inside ----

  /**
   * LINSERT: inserts `value` before or after the first element equal to `pivot` (from the head).
   * Returns false when there is no such element.
   */
  insert(pivot: string, value: string, after: boolean): boolean {
    for (let node = this.head; node; node = node.next) {
      const offset = node.indexOf(pivot);
      if (offset >= 0) {
        this.insertNear(node, offset, value, after);
        return true;
      }
    }
    return false;
  }

  /** _quicklistInsert: where the new element goes depends on how full the nodes around are. */
  private insertNear(node: ListNode, offset: number, value: string, after: boolean): void {
    const size = value.length;
    const full = !this.nodeAllowsInsert(node, size);
    const atTail = after && offset === node.count - 1;
    const atHead = !after && offset === 0;
    if (!full) {
      const before = node.heapBytes;
      node.insertAt(after ? offset + 1 : offset, value);
      this.nodeHeapBytes += node.heapBytes - before;
    } else if (atTail && this.nodeAllowsInsert(node.next, size)) {
      this.nodeHeapBytes += node.next!.push(value, true, this.pendingRoom);
    } else if (atHead && this.nodeAllowsInsert(node.prev, size)) {
      this.nodeHeapBytes += node.prev!.push(value, false, this.pendingRoom);
    } else if (atTail || atHead) {
      this.linkNode(ListNode.of([value]), node, after);
    } else {
      const created = this.splitNode(node, offset, after);
      // Not linked yet: linkNode counts it whole.
      created.push(value, after, 0);
      this.linkNode(created, node, after);
      this.mergeAround(node);
    }
    this.length++;
  }

  /**
   * LREM: removes elements equal to `value`, at most `limit` of them (0: all), scanning from the
   * tail when `fromTail`. Emptied nodes go away; nodes are not merged. Returns the number removed.
   */
  remove(value: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    let node = fromTail ? this.tail : this.head;
    while (node !== null && (limit === 0 || removed < limit)) {
      const following = fromTail ? node.prev : node.next;
      const before = node.heapBytes;
      const taken = node.removeMatching(value, limit === 0 ? 0 : limit - removed, fromTail);
      if (taken > 0) {
        this.nodeHeapBytes += node.heapBytes - before;
        removed += taken;
        this.length -= taken;
        if (node.count === 0) this.unlinkNode(node);
      }
      node = following;
    }
    return removed;
  }

  /**
   * quicklistDelRange: deletes `count` elements from index `start` (0 <= start < length), node by
   * node, dropping emptied nodes (no merging).
   */
  deleteRange(start: number, count: number): void {
    if (count <= 0 || start < 0 || start >= this.length) return;
    let extent = Math.min(count, this.length - start);
    let node: ListNode | null = this.seek(start);
    let offset = this.seekOffset;
    while (extent > 0 && node !== null) {
      const following: ListNode | null = node.next;
      const take = Math.min(extent, node.count - offset);
      if (offset === 0 && take === node.count) {
        this.unlinkNode(node);
      } else {
        const before = node.heapBytes;
        node.removeRange(offset, take);
        this.nodeHeapBytes += node.heapBytes - before;
      }
      this.length -= take;
      extent -= take;
      offset = 0;
      node = following;
    }
  }
}

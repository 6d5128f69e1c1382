/**
 * The list value: a quicklist as Redis 7.0 builds it, a doubly linked list of nodes that each
 * hold a bounded run of elements. Redis stores each node as a listpack; here a node is a plain
 * array of latin1 strings, but its listpack size in bytes is tracked exactly, so that nodes fill,
 * split and merge where Redis's do (list-max-listpack-size: a positive fill is a number of
 * entries per node, -1..-5 a node size of 4/8/16/32/64 KB). DEBUG OBJECT's ql_nodes and the RDB
 * layout of a list depend on those boundaries.
 *
 * Push and pop at both ends are O(1) amortized; index lookups walk nodes from the nearer end;
 * inserts, removals and replacements touch one node's array.
 *
 * Memory: a node knows its estimated heap bytes in O(1) (its strings are counted as they come and
 * go, its array is priced from its length); the list keeps the sum over its nodes, adding each
 * node's change as it happens.
 */
import type { CollectionValue } from '../keyspace/value';
import { isCanonicalInt64 } from '../keyspace/value';
import {
  ARRAY_SLOT_BYTES,
  POINTER_BYTES,
  arrayBytes,
  exactArrayBytes,
  objectBytes,
  stringBytes,
} from '../memory/sizes';

/** Size of an empty listpack: 6 bytes of header and the end marker. */
const EMPTY_LISTPACK_BYTES = 7;
/** Heap bytes of a ListNode object (7 fields), without its array. */
const NODE_BYTES = objectBytes(7);
/** Heap bytes of a Quicklist object (8 fields). */
const LIST_BYTES = objectBytes(8);

/** Node size limits for fill -1..-5 (Redis's optimization_level). */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** A node limited by entry count never grows past this many bytes (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/** Redis's upper estimate of an entry's header and back-length bytes (SIZE_ESTIMATE_OVERHEAD). */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Redis subtracts this from two nodes' sizes when judging a merge (one header and trailer). */
const MERGE_HEADER_ESTIMATE = 11;
/** Largest positive fill (FILL_MAX) and smallest negative one. */
const FILL_MAX = 32767;
const FILL_MIN = -5;

/** Clamps a list-max-listpack-size value as quicklistSetFill does. */
export function normalizeFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < FILL_MIN ? FILL_MIN : fill;
}

/** Bytes of a listpack integer encoding (with its one back-length byte). */
function integerEntrySize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/**
 * The value of a canonical integer text of under 16 characters (what lpStringToInt64 accepts:
 * no sign but '-', no leading zeros, not "-0"), or NaN. Parsed by hand: this runs on every push.
 */
function shortIntegerValue(s: string): number {
  const negative = s.charCodeAt(0) === 45;
  const first = negative ? 1 : 0;
  if (first === s.length) return NaN;
  if (s.charCodeAt(first) === 48) return s.length === 1 ? 0 : NaN;
  let v = 0;
  for (let i = first; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** Bytes one element takes in a listpack: encoding, data and back-length. */
export function listpackEntrySize(s: string): number {
  const n = s.length;
  if (n > 0 && n <= 20) {
    const c = s.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45) {
      // Canonical integers are stored as integers.
      if (n < 16) {
        const v = shortIntegerValue(s);
        if (v === v) return integerEntrySize(v);
      } else if (isCanonicalInt64(s)) {
        return 10;
      }
    }
  }
  const encoded = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  const backlen = encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2097151 ? 3 : encoded < 268435455 ? 4 : 5;
  return encoded + backlen;
}

/**
 * One node: its elements are items[start .. items.length). Free slots are kept in front only, so
 * a push at the head is O(1) amortized as well as at the tail.
 */
export class ListNode {
  prev: ListNode | null = null;
  next: ListNode | null = null;

  constructor(
    public items: (string | undefined)[],
    public start: number,
    /** Listpack size in bytes (Redis's node->sz). */
    public bytes: number,
    /** Heap bytes of the element strings. */
    public textBytes: number,
    /** Whether `items` has had no room to spare since it was made (sliced, spread, a literal). */
    public exact = true,
  ) {}

  static of(values: string[]): ListNode {
    let bytes = EMPTY_LISTPACK_BYTES;
    let textBytes = 0;
    for (const v of values) {
      bytes += listpackEntrySize(v);
      textBytes += stringBytes(v.length);
    }
    return new ListNode(values, 0, bytes, textBytes);
  }

  /** Estimated heap bytes: the node, its array (free slots in front included) and its strings. */
  get heapBytes(): number {
    const slots = this.items.length;
    return NODE_BYTES + (this.exact ? exactArrayBytes(slots) : arrayBytes(slots)) + this.textBytes;
  }

  get count(): number {
    return this.items.length - this.start;
  }

  at(offset: number): string {
    return this.items[this.start + offset]!;
  }

  /** The node's elements as a new array. */
  values(): string[] {
    return this.items.slice(this.start) as string[];
  }

  // The changes below return the change in heapBytes, computed without the getter on the common paths.

  append(s: string): number {
    const grown = this.grow();
    this.items.push(s);
    this.bytes += listpackEntrySize(s);
    const text = stringBytes(s.length);
    this.textBytes += text;
    return grown + ARRAY_SLOT_BYTES + text;
  }

  prepend(s: string): number {
    let grown = 0;
    if (this.start === 0) {
      const before = this.heapBytes;
      this.makeRoomInFront();
      grown = this.heapBytes - before;
    }
    this.items[--this.start] = s;
    this.bytes += listpackEntrySize(s);
    const text = stringBytes(s.length);
    this.textBytes += text;
    return grown + text;
  }

  /** Re-centers the elements with free slots in front, as many as there are elements. */
  private makeRoomInFront(): void {
    const count = this.items.length;
    const room = count < 4 ? 4 : count;
    const items: (string | undefined)[] = new Array(room).fill(undefined);
    for (let i = 0; i < count; i++) items.push(this.items[i]);
    this.items = items;
    this.exact = false;
    this.start = room;
  }

  /** Removes the first element (read it with at(0) first). */
  shift(): number {
    const s = this.items[this.start]!;
    this.items[this.start++] = undefined;
    this.bytes -= listpackEntrySize(s);
    const text = stringBytes(s.length);
    this.textBytes -= text;
    // Drop the free slots once they outnumber the elements (a queue would grow them forever).
    if (this.start > 32 && this.start > this.items.length - this.start) {
      const dropped = this.start * this.slotBytes;
      this.items.copyWithin(0, this.start);
      this.items.length -= this.start;
      this.start = 0;
      return -text - dropped;
    }
    return -text;
  }

  /** Removes the last element (read it with at(count - 1) first). */
  pop(): number {
    const s = this.items.pop()!;
    this.bytes -= listpackEntrySize(s);
    const text = stringBytes(s.length);
    this.textBytes -= text;
    return -text - this.slotBytes;
  }

  insertAt(offset: number, s: string): number {
    const grown = this.grow();
    this.items.splice(this.start + offset, 0, s);
    this.bytes += listpackEntrySize(s);
    const text = stringBytes(s.length);
    this.textBytes += text;
    return grown + ARRAY_SLOT_BYTES + text;
  }

  replaceAt(offset: number, s: string): number {
    const i = this.start + offset;
    const old = this.items[i]!;
    this.bytes += listpackEntrySize(s) - listpackEntrySize(old);
    const change = stringBytes(s.length) - stringBytes(old.length);
    this.textBytes += change;
    this.items[i] = s;
    return change;
  }

  /** Removes `count` elements from `offset` on. */
  removeRange(offset: number, count: number): number {
    const i = this.start + offset;
    let text = 0;
    for (let j = i; j < i + count; j++) {
      const s = this.items[j]!;
      this.bytes -= listpackEntrySize(s);
      text += stringBytes(s.length);
    }
    this.textBytes -= text;
    this.items.splice(i, count);
    return -text - count * this.slotBytes;
  }

  /** What one array slot costs in the model: a pointer while the array is exact. */
  private get slotBytes(): number {
    return this.exact ? POINTER_BYTES : ARRAY_SLOT_BYTES;
  }

  /** Before the array grows: from now on it has spare room. Returns what that adds. */
  private grow(): number {
    if (!this.exact) return 0;
    this.exact = false;
    const slots = this.items.length;
    return arrayBytes(slots) - exactArrayBytes(slots);
  }
}

export class Quicklist implements CollectionValue {
  readonly type = 'list' as const;
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

  /** A list holding `values` in order, filled as successive tail pushes would. */
  static from(values: Iterable<string>, fill = -2): Quicklist {
    const list = new Quicklist(fill);
    for (const v of values) list.pushTail(v);
    return list;
  }

  /** A list made of ready nodes, kept as they are (loading an RDB quicklist). */
  static fromNodes(nodes: Iterable<string[]>, fill = -2): Quicklist {
    const list = new Quicklist(fill);
    for (const values of nodes) {
      if (values.length === 0) continue;
      list.linkNode(ListNode.of([...values]), list.tail, true);
      list.length += values.length;
    }
    return list;
  }

  encoding(): string {
    return 'quicklist';
  }

  memoryUsage(): number {
    return LIST_BYTES + this.nodeHeapBytes;
  }

  clone(): Quicklist {
    const copy = new Quicklist(this.fill);
    for (let n = this.head; n; n = n.next) {
      copy.linkNode(new ListNode(n.values(), 0, n.bytes, n.textBytes), copy.tail, true);
    }
    copy.length = this.length;
    return copy;
  }

  // ---- node accounting (Redis's quicklist.c rules) ----

  private sizeMeetsLimit(bytes: number): boolean {
    return this.fill < 0 && bytes <= SIZE_LIMITS[-this.fill - 1];
  }

  /** _quicklistNodeAllowInsert: whether `node` may take one more element of `length` bytes. */
  private allowInsert(node: ListNode | null, length: number): boolean {
    if (node === null) return false;
    const estimated = node.bytes + length + SIZE_ESTIMATE_OVERHEAD;
    if (this.sizeMeetsLimit(estimated)) return true;
    return estimated <= SIZE_SAFETY_LIMIT && node.count < this.fill;
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
    for (let i = b.start; i < b.items.length; i++) a.items.push(b.items[i]);
    a.exact = false;
    a.bytes += b.bytes - EMPTY_LISTPACK_BYTES;
    a.textBytes += b.textBytes;
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

  /**
   * _quicklistSplitNode: moves part of `node` into a new node, which it returns (not linked).
   * after: node keeps [0, offset], the new node gets the rest; otherwise the new node gets
   * [0, offset) and node keeps [offset, end].
   */
  private splitNode(node: ListNode, offset: number, after: boolean): ListNode {
    const cut = node.start + (after ? offset + 1 : offset);
    const before = node.heapBytes;
    let moved: string[];
    if (after) {
      moved = node.items.slice(cut) as string[];
      node.items.length = cut;
    } else {
      moved = node.items.slice(node.start, cut) as string[];
      node.items = node.items.slice(cut);
      node.exact = true;
      node.start = 0;
    }
    const created = ListNode.of(moved);
    node.bytes -= created.bytes - EMPTY_LISTPACK_BYTES;
    node.textBytes -= created.textBytes;
    this.nodeHeapBytes += node.heapBytes - before;
    return created;
  }

  // ---- ends ----

  pushHead(s: string): void {
    const head = this.head;
    if (this.allowInsert(head, s.length)) this.nodeHeapBytes += head!.prepend(s);
    else this.linkNode(ListNode.of([s]), head, false);
    this.length++;
  }

  pushTail(s: string): void {
    const tail = this.tail;
    if (this.allowInsert(tail, s.length)) this.nodeHeapBytes += tail!.append(s);
    else this.linkNode(ListNode.of([s]), tail, true);
    this.length++;
  }

  popHead(): string | undefined {
    const node = this.head;
    if (node === null) return undefined;
    const s = node.at(0);
    this.nodeHeapBytes += node.shift();
    this.length--;
    if (node.count === 0) this.unlinkNode(node);
    return s;
  }

  popTail(): string | undefined {
    const node = this.tail;
    if (node === null) return undefined;
    const s = node.at(node.count - 1);
    this.nodeHeapBytes += node.pop();
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
    this.nodeHeapBytes += node.replaceAt(this.seekOffset, s);
    return true;
  }

  /** Elements start..stop inclusive (both already within 0..length-1, start <= stop). */
  range(start: number, stop: number): string[] {
    const out: string[] = new Array(stop - start + 1);
    let node: ListNode | null = this.seek(start);
    let i = node.start + this.seekOffset;
    for (let k = 0; k < out.length; k++) {
      if (i >= node!.items.length) {
        node = node!.next;
        i = node!.start;
      }
      out[k] = node!.items[i++]!;
    }
    return out;
  }

  /**
   * Visits elements from the head (or from the tail when `fromTail`), with their index, until
   * `visit` returns false.
   */
  scan(fromTail: boolean, visit: (value: string, index: number) => boolean): void {
    if (!fromTail) {
      let index = 0;
      for (let n = this.head; n; n = n.next) {
        for (let i = n.start; i < n.items.length; i++) if (!visit(n.items[i]!, index++)) return;
      }
      return;
    }
    let index = this.length - 1;
    for (let n = this.tail; n; n = n.prev) {
      for (let i = n.items.length - 1; i >= n.start; i--) if (!visit(n.items[i]!, index--)) return;
    }
  }

  /** Every element in order. */
  forEach(visit: (value: string, index: number) => void): void {
    let index = 0;
    for (let n = this.head; n; n = n.next) {
      for (let i = n.start; i < n.items.length; i++) visit(n.items[i]!, index++);
    }
  }

  toArray(): string[] {
    const out: string[] = [];
    for (let n = this.head; n; n = n.next) for (let i = n.start; i < n.items.length; i++) out.push(n.items[i]!);
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
      const i = node.items.indexOf(pivot, node.start);
      if (i >= 0) {
        this.insertNear(node, i - node.start, value, after);
        return true;
      }
    }
    return false;
  }

  /** _quicklistInsert: where the new element goes depends on how full the nodes around are. */
  private insertNear(node: ListNode, offset: number, value: string, after: boolean): void {
    const size = value.length;
    const full = !this.allowInsert(node, size);
    const atTail = after && offset === node.count - 1;
    const atHead = !after && offset === 0;
    const nextHasRoom = atTail && this.allowInsert(node.next, size);
    const prevHasRoom = atHead && this.allowInsert(node.prev, size);
    if (!full) {
      this.nodeHeapBytes += node.insertAt(after ? offset + 1 : offset, value);
    } else if (atTail && nextHasRoom) {
      this.nodeHeapBytes += node.next!.prepend(value);
    } else if (atHead && prevHasRoom) {
      this.nodeHeapBytes += node.prev!.append(value);
    } else if (atTail || atHead) {
      this.linkNode(ListNode.of([value]), node, after);
    } else {
      const created = this.splitNode(node, offset, after);
      // Not linked yet: linkNode counts it whole.
      if (after) created.prepend(value);
      else created.append(value);
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
      const items = node.items;
      const kept: string[] = [];
      let taken = 0;
      if (!fromTail) {
        for (let i = node.start; i < items.length; i++) {
          const s = items[i]!;
          if (s === value && (limit === 0 || removed + taken < limit)) taken++;
          else kept.push(s);
        }
      } else {
        for (let i = items.length - 1; i >= node.start; i--) {
          const s = items[i]!;
          if (s === value && (limit === 0 || removed + taken < limit)) taken++;
          else kept.push(s);
        }
        kept.reverse();
      }
      if (taken > 0) {
        removed += taken;
        this.length -= taken;
        if (kept.length === 0) {
          this.unlinkNode(node);
        } else {
          const before = node.heapBytes;
          node.bytes -= taken * listpackEntrySize(value);
          node.textBytes -= taken * stringBytes(value.length);
          node.items = kept;
          node.exact = false;
          node.start = 0;
          this.nodeHeapBytes += node.heapBytes - before;
        }
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
        this.nodeHeapBytes += node.removeRange(offset, take);
      }
      this.length -= take;
      extent -= take;
      offset = 0;
      node = following;
    }
  }
}

/**
 * One quicklist node: a run of list elements packed into one latin1 string (the entry format is
 * in quicklist-entries.ts), as Redis packs a node into a listpack. A 10-byte element takes 12
 * bytes, where a string of its own took 32 and an array slot 8-10 more.
 *
 * A string cannot change, so a change builds a new one (a copy of the node, as Redis's memmove
 * inside a listpack). Two things keep the ends cheap:
 * - pops only move `lo` / `hi`, the bounds of the node's entries in `packed`; the dropped bytes go
 *   once they outweigh the live ones;
 * - pushes at the ends of a list that is not small wait unpacked in `front` / `back` (the list
 *   says how many may) and are packed many at a time, or when the node stops being an end.
 * A small list is packed on every push: one string at rest.
 *
 * Reads return substrings of `packed` (V8 makes a substring of 13+ chars a view of its parent:
 * a read copies nothing). The node also tracks its size as a listpack (`bytes`), which decides
 * where Redis 7.0 fills, splits and merges nodes.
 */
import { ARRAY_SLOT_BYTES, arrayBytes, objectBytes, stringBytes } from '../memory/sizes';
import {
  copyRange,
  elementAt,
  entryLength,
  findEntry,
  foundAt,
  entryListpackSize,
  entryOf,
  flatten,
  listpackEntrySize,
  nextEntry,
  packedEntrySize,
  previousEntry,
  scratchWith,
  varintSize,
  finishScratch,
  writeEntry,
} from './quicklist-entries';

/** Size of an empty listpack: 6 bytes of header and the end marker. */
export const EMPTY_LISTPACK_BYTES = 7;
/** Heap bytes of a ListNode object (10 fields), without its strings and arrays. */
export const NODE_BYTES = objectBytes(10);
/** Dropped bytes at the ends of `packed` stay until they are more than this and the live bytes. */
const DEAD_BYTES_KEPT = 64;
/** An element this long alone in a new node stays a string of its own (as Redis's plain nodes). */
const PLAIN_LENGTH = 4096;
const NO_VALUES: readonly string[] = [];

/** Takes list elements in order: strings of their own, or spans of a node's packed string. */
export interface ElementSink {
  bulk(s: string): void;
  bulkSpan(p: string, start: number, end: number): void;
}

/** The sink collect() fills an array with (one, reused: collect does not nest). */
class ArrayCollector implements ElementSink {
  out: string[] = [];
  k = 0;

  bulk(s: string): void {
    this.out[this.k++] = s;
  }

  bulkSpan(p: string, start: number, end: number): void {
    this.out[this.k++] = p.substring(start, end);
  }
}
const collector = new ArrayCollector();

export class ListNode {
  prev: ListNode | null = null;
  next: ListNode | null = null;
  /** Packed entries; the node's are packed[lo, hi). */
  packed = '';
  lo = 0;
  hi = 0;
  /** Elements not packed yet before the packed ones, last first (front[front.length - 1] is the first). */
  front: string[] | null = null;
  /** Elements not packed yet after the packed ones, in order. */
  back: string[] | null = null;
  /** Number of elements. */
  count = 0;
  /** Listpack size in bytes (Redis's node->sz). */
  bytes = EMPTY_LISTPACK_BYTES;
  /** Heap bytes of the strings in front and back. */
  pendingText = 0;

  /** A node holding `values`, packed (one long element alone stays a string of its own). */
  static of(values: readonly string[]): ListNode {
    const node = new ListNode();
    let bytes = EMPTY_LISTPACK_BYTES;
    for (let i = 0; i < values.length; i++) bytes += listpackEntrySize(values[i]);
    node.bytes = bytes;
    node.count = values.length;
    if (values.length === 1 && values[0].length >= PLAIN_LENGTH) {
      node.back = [values[0]];
      node.pendingText = stringBytes(values[0].length);
      return node;
    }
    let rope = '';
    for (let i = 0; i < values.length; i++) rope += entryOf(values[i]);
    node.setPacked(flatten(rope));
    return node;
  }

  /** Estimated heap bytes: the node, its packed string, its pending arrays and their strings. */
  get heapBytes(): number {
    let total = NODE_BYTES + this.pendingText;
    if (this.packed.length > 0) total += stringBytes(this.packed.length);
    if (this.front !== null) total += arrayBytes(this.front.length);
    if (this.back !== null) total += arrayBytes(this.back.length);
    return total;
  }

  private get packedCount(): number {
    return this.count - (this.front === null ? 0 : this.front.length) - (this.back === null ? 0 : this.back.length);
  }

  // ---- packing ----

  private setPacked(packed: string): void {
    this.packed = packed;
    this.lo = 0;
    this.hi = packed.length;
    this.front = this.back = null;
    this.pendingText = 0;
  }

  /** The packed entries: `packed` itself or a view into it, only to be concatenated with more. */
  private region(): string {
    return this.lo === 0 && this.hi === this.packed.length ? this.packed : this.packed.substring(this.lo, this.hi);
  }

  /**
   * Every element packed as one new string, with values[from, to) pushed at the front (each
   * before the one before it) or at the back.
   */
  private packAll(values: readonly string[], from: number, to: number, atFront: boolean): string {
    const front = this.front;
    const back = this.back;
    let added = 0;
    for (let i = from; i < to; i++) added += packedEntrySize(values[i].length);
    let frontSize = atFront ? added : 0;
    if (front !== null) for (let i = 0; i < front.length; i++) frontSize += packedEntrySize(front[i].length);
    let size = frontSize + this.hi - this.lo + (atFront ? 0 : added);
    if (back !== null) for (let i = 0; i < back.length; i++) size += packedEntrySize(back[i].length);
    const b = scratchWith(size, this.packed, this.lo, this.hi, frontSize);
    let pos = 0;
    if (atFront) for (let i = to - 1; i >= from; i--) pos = writeEntry(b, pos, values[i]);
    if (front !== null) for (let i = front.length - 1; i >= 0; i--) pos = writeEntry(b, pos, front[i]);
    pos = frontSize + this.hi - this.lo;
    if (back !== null) for (let i = 0; i < back.length; i++) pos = writeEntry(b, pos, back[i]);
    if (!atFront) for (let i = from; i < to; i++) pos = writeEntry(b, pos, values[i]);
    return finishScratch(pos);
  }

  /** Packs the pending elements and lets the dropped bytes go. */
  pack(): void {
    if (this.front !== null || this.back !== null) this.setPacked(this.packAll(NO_VALUES, 0, 0, false));
    else if (this.lo > 0 || this.hi < this.packed.length) this.setPacked(copyRange(this.packed, this.lo, this.hi));
  }

  packPending(): void {
    if (this.front !== null || this.back !== null) this.pack();
  }

  /**
   * After a pop from the packed entries: lets the dropped bytes go once they outweigh the live
   * ones. Returns the change in heapBytes.
   */
  private trimDeadBytes(): number {
    const live = this.hi - this.lo;
    const length = this.packed.length;
    if (live === 0) {
      this.packed = '';
      this.lo = this.hi = 0;
      return -stringBytes(length);
    }
    if (length - live <= Math.max(live, DEAD_BYTES_KEPT)) return 0;
    const before = this.heapBytes;
    this.pack();
    return this.heapBytes - before;
  }

  // ---- reads ----

  /** Position in `packed` of packed entry k (0 <= k <= packed count), walked from the nearer end. */
  private packedPosition(k: number): number {
    const p = this.packed;
    const packedCount = this.packedCount;
    if (k <= packedCount >> 1) {
      let pos = this.lo;
      for (let i = 0; i < k; i++) {
        const c = p.charCodeAt(pos);
        pos = c < 0x80 ? pos + c + 2 : nextEntry(p, pos);
      }
      return pos;
    }
    let pos = this.hi;
    for (let i = packedCount; i > k; i--) {
      const c = p.charCodeAt(pos - 1);
      pos = c < 0x80 ? pos - c - 2 : previousEntry(p, pos);
    }
    return pos;
  }

  at(offset: number): string {
    const front = this.front;
    if (front !== null) {
      if (offset < front.length) return front[front.length - 1 - offset];
      offset -= front.length;
    }
    const packedCount = this.packedCount;
    if (offset < packedCount) return elementAt(this.packed, this.packedPosition(offset));
    return this.back![offset - packedCount];
  }

  first(): string {
    const front = this.front;
    if (front !== null) return front[front.length - 1];
    return this.hi > this.lo ? elementAt(this.packed, this.lo) : this.back![0];
  }

  last(): string {
    const back = this.back;
    if (back !== null) return back[back.length - 1];
    return this.hi > this.lo ? elementAt(this.packed, previousEntry(this.packed, this.hi)) : this.front![0];
  }

  /** Copies up to `n` elements from `offset` on into out[k...]; returns the index after the last. */
  collect(offset: number, n: number, out: string[], k: number): number {
    collector.out = out;
    collector.k = k;
    this.emit(offset, n, collector);
    k = collector.k;
    collector.out = [];
    return k;
  }

  /**
   * Hands up to `n` elements from `offset` on to `sink`, in order; returns how many. Packed
   * elements go as spans of `packed`, so a reply can copy their bytes without a substring each.
   */
  emit(offset: number, n: number, sink: ElementSink): number {
    const wanted = n;
    const front = this.front;
    if (front !== null) {
      for (let i = front.length - 1 - offset; i >= 0 && n > 0; i--, n--) sink.bulk(front[i]);
      offset = offset > front.length ? offset - front.length : 0;
    }
    const packedCount = this.packedCount;
    if (offset < packedCount) {
      const p = this.packed;
      const end = this.hi;
      for (let pos = this.packedPosition(offset); pos < end && n > 0; n--) {
        const c = p.charCodeAt(pos);
        if (c < 0x80) {
          sink.bulkSpan(p, pos + 1, pos + 1 + c);
          pos += c + 2;
        } else {
          const length = entryLength(p, pos);
          const start = pos + varintSize(length);
          sink.bulkSpan(p, start, start + length);
          pos = nextEntry(p, pos);
        }
      }
      offset = 0;
    } else {
      offset -= packedCount;
    }
    const back = this.back;
    if (back !== null) for (let i = offset; i < back.length && n > 0; i++, n--) sink.bulk(back[i]);
    return wanted - n;
  }

  /** The node's elements as a new array. */
  values(): string[] {
    const out: string[] = new Array(this.count);
    this.collect(0, this.count, out, 0);
    return out;
  }

  /** Visits the elements first to last until `visit` returns false; false if it did. */
  forEachForward(visit: (value: string) => boolean): boolean {
    const front = this.front;
    if (front !== null) for (let i = front.length - 1; i >= 0; i--) if (!visit(front[i])) return false;
    const p = this.packed;
    for (let pos = this.lo; pos < this.hi; pos = nextEntry(p, pos)) if (!visit(elementAt(p, pos))) return false;
    const back = this.back;
    if (back !== null) for (let i = 0; i < back.length; i++) if (!visit(back[i])) return false;
    return true;
  }

  /** Visits the elements last to first until `visit` returns false; false if it did. */
  forEachBackward(visit: (value: string) => boolean): boolean {
    const back = this.back;
    if (back !== null) for (let i = back.length - 1; i >= 0; i--) if (!visit(back[i])) return false;
    const p = this.packed;
    for (let end = this.hi; end > this.lo; ) {
      end = previousEntry(p, end);
      if (!visit(elementAt(p, end))) return false;
    }
    const front = this.front;
    if (front !== null) for (let i = 0; i < front.length; i++) if (!visit(front[i])) return false;
    return true;
  }

  /** Offset of the first element equal to `value`, or -1. */
  indexOf(value: string): number {
    let offset = 0;
    const front = this.front;
    if (front !== null) {
      for (let i = front.length - 1; i >= 0; i--, offset++) if (front[i] === value) return offset;
    }
    const found = findEntry(this.packed, this.lo, this.hi, entryOf(value));
    if (found >= 0) return offset + found;
    offset += this.packedCount;
    const back = this.back;
    if (back !== null) for (let i = 0; i < back.length; i++, offset++) if (back[i] === value) return offset;
    return -1;
  }

  /** Number of elements equal to `value` (`needle` is its entry). */
  private countOf(value: string, needle: string): number {
    let matches = 0;
    for (const pending of [this.front, this.back]) {
      if (pending !== null) for (let i = 0; i < pending.length; i++) if (pending[i] === value) matches++;
    }
    for (let pos = this.lo; findEntry(this.packed, pos, this.hi, needle) >= 0; pos = foundAt() + needle.length) matches++;
    return matches;
  }

  // ---- pushes and pops ----

  /**
   * Adds s before the first element or after the last, where up to `room` elements may wait
   * unpacked; returns the change in heapBytes.
   */
  push(s: string, atFront: boolean, room: number): number {
    this.count++;
    this.bytes += listpackEntrySize(s);
    const pending = atFront ? this.front : this.back;
    if (pending !== null ? pending.length < room : room > 0) {
      const text = stringBytes(s.length);
      this.pendingText += text;
      if (pending !== null) {
        pending.push(s);
        return text + ARRAY_SLOT_BYTES;
      }
      if (atFront) this.front = [s];
      else this.back = [s];
      return text + arrayBytes(1);
    }
    const before = this.heapBytes;
    if (this.front !== null || this.back !== null) this.setPacked(this.packAll([s], 0, 1, atFront));
    else if (atFront) this.setPacked(flatten(entryOf(s) + this.region()));
    else this.setPacked(flatten(this.region() + entryOf(s)));
    return this.heapBytes - before;
  }

  /**
   * push() of values[from, to) one after the other, packed at once when they do not all fit in
   * the room left; returns the change in heapBytes.
   */
  pushMany(values: readonly string[], from: number, to: number, atFront: boolean, room: number): number {
    if (to - from === 1) return this.push(values[from], atFront, room);
    for (let i = from; i < to; i++) this.bytes += listpackEntrySize(values[i]);
    this.count += to - from;
    let pending = atFront ? this.front : this.back;
    if ((pending === null ? 0 : pending.length) + to - from > room) {
      const before = this.heapBytes;
      this.setPacked(this.packAll(values, from, to, atFront));
      return this.heapBytes - before;
    }
    let change = pending === null ? arrayBytes(to - from) : ARRAY_SLOT_BYTES * (to - from);
    if (pending === null) {
      pending = [];
      if (atFront) this.front = pending;
      else this.back = pending;
    }
    for (let i = from; i < to; i++) {
      const text = stringBytes(values[i].length);
      pending.push(values[i]);
      this.pendingText += text;
      change += text;
    }
    return change;
  }

  /** Removes the first element (read it with first() before); returns the change in heapBytes. */
  shift(first: string): number {
    this.count--;
    this.bytes -= listpackEntrySize(first);
    const front = this.front;
    if (front !== null) {
      front.pop();
      if (front.length === 0) this.front = null;
      return this.pendingRemoved(first, front.length);
    }
    if (this.hi > this.lo) {
      this.lo = nextEntry(this.packed, this.lo);
      return this.trimDeadBytes();
    }
    const back = this.back!;
    back.shift();
    if (back.length === 0) this.back = null;
    return this.pendingRemoved(first, back.length);
  }

  /** Removes the last element (read it with last() before); returns the change in heapBytes. */
  pop(last: string): number {
    this.count--;
    this.bytes -= listpackEntrySize(last);
    const back = this.back;
    if (back !== null) {
      back.pop();
      if (back.length === 0) this.back = null;
      return this.pendingRemoved(last, back.length);
    }
    if (this.hi > this.lo) {
      this.hi = previousEntry(this.packed, this.hi);
      return this.trimDeadBytes();
    }
    const front = this.front!;
    front.shift();
    if (front.length === 0) this.front = null;
    return this.pendingRemoved(last, front.length);
  }

  /** Heap change of a pending element removed from an array now of `left` elements (dropped at 0). */
  private pendingRemoved(s: string, left: number): number {
    const text = stringBytes(s.length);
    this.pendingText -= text;
    return -text - (left === 0 ? arrayBytes(1) : ARRAY_SLOT_BYTES);
  }

  // ---- changes inside (each builds a new packed string) ----

  insertAt(offset: number, s: string): void {
    if (offset === 0 || offset === this.count) {
      this.push(s, offset === 0, 0);
      return;
    }
    this.packPending();
    const p = this.packed;
    const pos = this.packedPosition(offset);
    this.count++;
    this.bytes += listpackEntrySize(s);
    this.setPacked(flatten(p.substring(this.lo, pos) + entryOf(s) + p.substring(pos, this.hi)));
  }

  replaceAt(offset: number, s: string): void {
    const front = this.front;
    const back = this.back;
    const fromBack = back === null ? -1 : offset - (this.count - back.length);
    if ((front !== null && offset < front.length) || fromBack >= 0) {
      const pending = fromBack >= 0 ? back! : front!;
      const i = fromBack >= 0 ? fromBack : front!.length - 1 - offset;
      const old = pending[i];
      pending[i] = s;
      this.bytes += listpackEntrySize(s) - listpackEntrySize(old);
      this.pendingText += stringBytes(s.length) - stringBytes(old.length);
      return;
    }
    this.packPending();
    const p = this.packed;
    const pos = this.packedPosition(offset);
    this.bytes += listpackEntrySize(s) - entryListpackSize(p, pos);
    const end = nextEntry(p, pos);
    this.setPacked(flatten(p.substring(this.lo, pos) + entryOf(s) + p.substring(end, this.hi)));
  }

  /** Removes `count` elements from `offset` on (not all of them: callers drop emptied nodes). */
  removeRange(offset: number, count: number): void {
    this.packPending();
    const p = this.packed;
    const from = this.packedPosition(offset);
    let to = from;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      bytes += entryListpackSize(p, to);
      to = nextEntry(p, to);
    }
    this.count -= count;
    this.bytes -= bytes;
    if (from === this.lo || to === this.hi) {
      // At an end: the bounds move, as for pops.
      if (from === this.lo) this.lo = to;
      else this.hi = from;
      this.trimDeadBytes();
    } else {
      this.setPacked(flatten(p.substring(this.lo, from) + p.substring(to, this.hi)));
    }
  }

  /**
   * LREM inside the node: removes elements equal to `value`, at most `limit` (0: all) of them,
   * the last ones when `fromTail`. Returns the number removed.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const needle = entryOf(value);
    const matches = this.countOf(value, needle);
    const take = limit === 0 || limit > matches ? matches : limit;
    if (take === 0) return 0;
    this.count -= take;
    this.bytes -= take * listpackEntrySize(value);
    if (this.count === 0) {
      this.setPacked('');
      return take;
    }
    this.packPending();
    const p = this.packed;
    // From the tail, the first (matches - take) matches stay.
    let keep = fromTail ? matches - take : 0;
    let removed = 0;
    // The runs of kept entries, concatenated; a single run is copied instead (a view would keep `p`).
    let rope = '';
    let runs = 0;
    let firstStart = 0;
    let firstEnd = 0;
    let runStart = this.lo;
    const addRun = (end: number) => {
      if (runStart === end) return;
      if (runs++ === 0) {
        firstStart = runStart;
        firstEnd = end;
      }
      rope += p.substring(runStart, end);
    };
    for (let pos = this.lo; removed < take && findEntry(p, pos, this.hi, needle) >= 0; ) {
      const at = foundAt();
      pos = at + needle.length;
      if (keep > 0) {
        keep--;
      } else {
        addRun(at);
        runStart = pos;
        removed++;
      }
    }
    addRun(this.hi);
    this.setPacked(runs === 1 ? copyRange(p, firstStart, firstEnd) : flatten(rope));
    return take;
  }

  // ---- splits and merges ----

  /**
   * _quicklistSplitNode: moves part of the node into a new node, which it returns (not linked).
   * after: this node keeps [0, offset], the new node gets the rest; otherwise the new node gets
   * [0, offset) and this node keeps [offset, end].
   */
  splitOff(offset: number, after: boolean): ListNode {
    const cut = after ? offset + 1 : offset;
    this.packPending();
    const p = this.packed;
    const cutAt = this.packedPosition(cut);
    let headBytes = EMPTY_LISTPACK_BYTES;
    for (let pos = this.lo; pos < cutAt; pos = nextEntry(p, pos)) {
      headBytes += entryListpackSize(p, pos);
    }
    const tailBytes = this.bytes - headBytes + EMPTY_LISTPACK_BYTES;
    const headPart = copyRange(p, this.lo, cutAt);
    const tailPart = copyRange(p, cutAt, this.hi);
    const created = new ListNode();
    created.setPacked(after ? tailPart : headPart);
    created.count = after ? this.count - cut : cut;
    created.bytes = after ? tailBytes : headBytes;
    this.setPacked(after ? headPart : tailPart);
    this.count -= created.count;
    this.bytes = after ? headBytes : tailBytes;
    return created;
  }

  /** Appends the elements of `other` (which the caller unlinks) after this node's. */
  absorb(other: ListNode): void {
    this.packPending();
    other.packPending();
    this.setPacked(flatten(this.region() + other.region()));
    this.count += other.count;
    this.bytes += other.bytes - EMPTY_LISTPACK_BYTES;
  }

  /** A copy, unlinked. It shares the packed string (strings never change); pending elements get packed. */
  copy(): ListNode {
    const node = new ListNode();
    if (this.front === null && this.back === null) {
      node.packed = this.packed;
      node.lo = this.lo;
      node.hi = this.hi;
    } else {
      node.setPacked(this.packAll(NO_VALUES, 0, 0, false));
    }
    node.count = this.count;
    node.bytes = this.bytes;
    return node;
  }
}

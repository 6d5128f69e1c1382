/**
 * Entries packed into one latin1 string, as Redis packs a listpack into one allocation: each
 * entry is its length as a varint (7 bits a byte, low bits first, high bit set on every byte but
 * the last) followed by its bytes, one char per byte. Entries are binary-safe latin1 strings.
 *
 * One string instead of an array of strings saves the array and a 16-byte header (plus padding)
 * per entry: a 10-field hash shrinks from about 1 KB to about 200 B of heap.
 *
 * Packed strings are immutable: every change returns a new one, and a copy (a clone) can share
 * the string. The functions here address an entry by the offset of its header ("offset"), and
 * its bytes by [start, end).
 *
 * V8 detail: `a + b` makes a ConsString (a node pointing at both parts), and slice() of 13 chars
 * or more makes a SlicedString that keeps its whole parent alive. Left as they are, a hash built
 * by 20 appends holds a tree of 20 pieces (measured: 1,760 B instead of 216 B). Flattening a
 * cons (reading a char of it) copies it but leaves the 32-byte cons node in front of the copy
 * until a young-generation GC drops it; a full GC keeps it (measured: 248 B instead of 216 B).
 * So every string returned here is written in one piece by Array.prototype.join, which makes a
 * sequential string of exactly stringBytes(length) (measured: 213-216 B for 190 bytes).
 */
import { stringBytes } from '../memory/sizes';

/** Heap bytes of a packed string of `length` bytes (the empty string is a shared constant). */
export function packedBytes(length: number): number {
  return length === 0 ? 0 : stringBytes(length);
}

/** Bytes of the varint header in front of an entry of `length` bytes. */
export function headerSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x4000) return 2;
  if (length < 0x200000) return 3;
  if (length < 0x10000000) return 4;
  return 5;
}

/** The varint header of an entry of `length` bytes. */
export function encodeHeader(length: number): string {
  // One char: V8 returns its shared single-character strings, no allocation.
  if (length < 0x80) return String.fromCharCode(length);
  let header = '';
  while (length >= 0x80) {
    header += String.fromCharCode((length % 0x80) | 0x80);
    length = Math.floor(length / 0x80);
  }
  return header + String.fromCharCode(length);
}

/** The length in the header at `offset`. */
export function lengthAt(packed: string, offset: number): number {
  let byte = packed.charCodeAt(offset);
  if (byte < 0x80) return byte;
  let length = byte & 0x7f;
  let scale = 0x80;
  // Written so that reading past the end (NaN) stops instead of looping.
  while (byte >= 0x80) {
    byte = packed.charCodeAt(++offset);
    length += (byte & 0x7f) * scale;
    scale *= 0x80;
  }
  return length;
}

/** Where the bytes of the entry whose header is at `offset` start. */
export function startAt(packed: string, offset: number): number {
  const first = packed.charCodeAt(offset);
  return first < 0x80 ? offset + 1 : offset + headerSize(lengthAt(packed, offset));
}

/** The offset of the entry after the one at `offset`. */
export function skipEntry(packed: string, offset: number): number {
  const first = packed.charCodeAt(offset);
  if (first < 0x80) return offset + 1 + first;
  const length = lengthAt(packed, offset);
  return offset + headerSize(length) + length;
}

/** The entry at `offset`, as its own string. */
export function readEntry(packed: string, offset: number): string {
  const first = packed.charCodeAt(offset);
  if (first < 0x80) return packed.slice(offset + 1, offset + 1 + first);
  const length = lengthAt(packed, offset);
  const start = offset + headerSize(length);
  return packed.slice(start, start + length);
}

/** Shortest string V8 makes a SlicedString or a ConsString of (shorter ones are copies). */
const SHARED_MIN_LENGTH = 13;

/**
 * A string of its own with the bytes of s: never a slice or cons pinning other strings. join()
 * writes a new sequential string, but hands back a lone piece as it is, hence the two halves.
 */
function copyOf(s: string): string {
  if (s.length < SHARED_MIN_LENGTH) return s;
  const middle = s.length >>> 1;
  return [s.slice(0, middle), s.slice(middle)].join('');
}

/** packed with [from, to) replaced by `insert` (already packed entries), as a new flat string. */
export function spliceBytes(packed: string, from: number, to: number, insert: string): string {
  const head = packed.slice(0, from);
  const tail = packed.slice(to);
  const pieces = (head.length > 0 ? 1 : 0) + (insert.length > 0 ? 1 : 0) + (tail.length > 0 ? 1 : 0);
  if (pieces > 1) return [head, insert, tail].join('');
  return copyOf(head.length > 0 ? head : insert.length > 0 ? insert : tail);
}

/** One entry, header and bytes, ready to be spliced in. */
export function encodeEntry(value: string): string {
  return encodeHeader(value.length) + value;
}

/** Entries packed in order. */
export function packEntries(values: readonly string[]): string {
  const parts: string[] = new Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    parts[2 * i] = encodeHeader(values[i].length);
    parts[2 * i + 1] = values[i];
  }
  // join() writes one sequential string (see the top of the file).
  return parts.join('');
}

/** Every entry, in order. */
export function unpackEntries(packed: string): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < packed.length; offset = skipEntry(packed, offset)) out.push(readEntry(packed, offset));
  return out;
}

/** How many entries there are. */
export function countEntries(packed: string): number {
  let count = 0;
  for (let offset = 0; offset < packed.length; offset = skipEntry(packed, offset)) count++;
  return count;
}

/**
 * The entry offsets of the last string looked up by index, so that reading entries by index
 * (HGETALL's fieldAt/valueAt, random picks, RDB and AOF writes) costs one walk per string, then
 * O(1) per entry. Strings are immutable: the offsets stay right as long as they are asked about
 * the same string (or one equal to it). Only grown, never shrunk: offsetCount says how many hold.
 */
let indexedPacked = '';
const entryOffsets: number[] = [0];
let offsetCount = 1;

function indexEntries(packed: string): void {
  let count = 0;
  for (let offset = 0; offset < packed.length; offset = skipEntry(packed, offset)) entryOffsets[count++] = offset;
  entryOffsets[count++] = packed.length;
  offsetCount = count;
  indexedPacked = packed;
}

/** The offset of the index-th entry (0-based); packed.length when index is the entry count. */
export function offsetOf(packed: string, index: number): number {
  if (packed !== indexedPacked) indexEntries(packed);
  return index < offsetCount ? entryOffsets[index] : packed.length;
}

/** The index-th entry (0 <= index < count). */
export function entryAt(packed: string, index: number): string {
  return readEntry(packed, offsetOf(packed, index));
}

/** Whether packed[start, end) holds exactly the bytes of value. */
export function equalsAt(packed: string, start: number, end: number, value: string): boolean {
  const length = value.length;
  if (end - start !== length) return false;
  for (let i = 0; i < length; i++) if (packed.charCodeAt(start + i) !== value.charCodeAt(i)) return false;
  return true;
}

/** packed[start, end) against value by bytes (memcmp, then length): negative, 0 or positive. */
export function compareAt(packed: string, start: number, end: number, value: string): number {
  const length = end - start;
  const common = Math.min(length, value.length);
  for (let i = 0; i < common; i++) {
    const diff = packed.charCodeAt(start + i) - value.charCodeAt(i);
    if (diff !== 0) return diff;
  }
  return length - value.length;
}

/**
 * The offset of the first entry equal to value among entries 0, stride, 2 * stride..., or -1.
 * Compares in place: the length first, then the last byte (keys often differ only at the end,
 * "field:1" and "field:2"), then the rest. Measured against String.indexOf to find candidates
 * first: indexOf is fast on a miss whose first byte is rare, but slower than this loop on hits
 * and on keys sharing a prefix.
 */
export function findEntry(packed: string, value: string, stride = 1): number {
  return find(packed, value, stride);
}

/** Like findEntry, the index of the entry found (a multiple of stride), or -1. */
export function findEntryIndex(packed: string, value: string, stride = 1): number {
  return find(packed, value, stride) < 0 ? -1 : foundIndex;
}

/** The index of the entry the last find() found. */
let foundIndex = 0;

function find(packed: string, value: string, stride: number): number {
  const length = value.length;
  const last = length - 1;
  const lastByte = value.charCodeAt(last);
  const total = packed.length;
  let offset = 0;
  let index = 0;
  while (offset < total) {
    let entryLength = packed.charCodeAt(offset);
    let start = offset + 1;
    if (entryLength >= 0x80) {
      entryLength = lengthAt(packed, offset);
      start = offset + headerSize(entryLength);
    }
    const candidate = entryLength === length && index % stride === 0;
    if (candidate && (length === 0 || packed.charCodeAt(start + last) === lastByte)) {
      let i = 0;
      while (i < last && packed.charCodeAt(start + i) === value.charCodeAt(i)) i++;
      if (i >= last) {
        foundIndex = index;
        return offset;
      }
    }
    offset = start + entryLength;
    index++;
  }
  return -1;
}

/** first (and second after it) inserted as entries at `offset` (packed.length appends). */
export function insertEntries(packed: string, offset: number, first: string, second?: string): string {
  // One join of every piece: the headers make at least two, so the result is a new string.
  const head = packed.slice(0, offset);
  const tail = packed.slice(offset);
  if (second === undefined) return [head, encodeHeader(first.length), first, tail].join('');
  return [head, encodeHeader(first.length), first, encodeHeader(second.length), second, tail].join('');
}

/** The entry at `offset` replaced by value. */
export function replaceEntry(packed: string, offset: number, value: string): string {
  return spliceBytes(packed, offset, skipEntry(packed, offset), encodeEntry(value));
}

/** `count` entries from `offset` on removed. */
export function removeEntries(packed: string, offset: number, count: number): string {
  let end = offset;
  for (let i = 0; i < count; i++) end = skipEntry(packed, end);
  return spliceBytes(packed, offset, end, '');
}

/**
 * Walks the entries without allocating: after each successful next(), the current entry's bytes
 * are packed[start, end) and its header is at `offset`.
 */
export class EntryCursor {
  offset = 0;
  start = 0;
  end = 0;
  /** The header offset of the entry next() moves to. */
  private following: number;

  constructor(
    readonly packed: string,
    from = 0,
  ) {
    this.following = from;
  }

  /** Moves to the next entry; false past the last one. */
  next(): boolean {
    const packed = this.packed;
    const offset = this.following;
    if (offset >= packed.length) return false;
    let length = packed.charCodeAt(offset);
    let start = offset + 1;
    if (length >= 0x80) {
      length = lengthAt(packed, offset);
      start = offset + headerSize(length);
    }
    this.offset = offset;
    this.start = start;
    this.end = start + length;
    this.following = this.end;
    return true;
  }

  /** The current entry as its own string. */
  value(): string {
    return this.packed.slice(this.start, this.end);
  }

  equals(value: string): boolean {
    return equalsAt(this.packed, this.start, this.end, value);
  }

  compare(value: string): number {
    return compareAt(this.packed, this.start, this.end, value);
  }
}

/**
 * The entries of a quicklist node, packed into one latin1 string (quicklist-node.ts), and the
 * listpack sizes Redis gives the same elements.
 *
 * An entry is the element's length as a varint of 7-bit groups (low group first, high bit set on
 * all but the last byte), the element's bytes, then the same varint bytes in reverse order, so
 * that entries can be walked from either end: a 10-byte element takes 12 bytes.
 *
 * Packed strings are built in two ways: a small change by concatenation, which V8 keeps as a rope
 * (a tree of the pieces) until it is flattened, at once, into one sequential string (the next
 * garbage collection drops the rope's top object, leaving exactly the string stringBytes()
 * prices); many new entries at once by writing them into a scratch buffer, sliced out as a string.
 */
import { isCanonicalInt64 } from '../keyspace/value';
import { latin1Slice, latin1Write } from '../persistence/rdb/latin1';

// ---- listpack sizes (the node fill rules count these) ----

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
 * The value of s[start, start + n) when it is a canonical integer text of under 16 characters
 * (what lpStringToInt64 accepts: no sign but '-', no leading zeros, not "-0"), or NaN. Parsed by
 * hand: this runs on every push and pop.
 */
function shortIntegerValue(s: string, start: number, n: number): number {
  const end = start + n;
  const negative = s.charCodeAt(start) === 45;
  const first = negative ? start + 1 : start;
  if (first === end) return NaN;
  if (s.charCodeAt(first) === 48) return n === 1 ? 0 : NaN;
  let v = 0;
  for (let i = first; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** Bytes the element s[start, start + n) takes in a listpack: encoding, data and back-length. */
export function lpEntrySize(s: string, start: number, n: number): number {
  if (n > 0 && n <= 20) {
    const c = s.charCodeAt(start);
    if ((c >= 48 && c <= 57) || c === 45) {
      // Canonical integers are stored as integers.
      if (n < 16) {
        const v = shortIntegerValue(s, start, n);
        if (v === v) return integerEntrySize(v);
      } else if (isCanonicalInt64(n === s.length ? s : s.substring(start, start + n))) {
        return 10;
      }
    }
  }
  const encoded = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  const backlen = encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2097151 ? 3 : encoded < 268435455 ? 4 : 5;
  return encoded + backlen;
}

/** Bytes one element takes in a listpack: encoding, data and back-length. */
export function listpackEntrySize(s: string): number {
  return lpEntrySize(s, 0, s.length);
}

// ---- packed entries ----

/** Bytes of a length written as a varint of 7-bit groups. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Bytes of the packed entry of an element of `length` bytes. */
export function packedEntrySize(length: number): number {
  return length + 2 * varintSize(length);
}

/** The one-byte varints, as strings (V8 shares one-char strings: no allocation). */
const SHORT_LENGTHS = Array.from({ length: 0x80 }, (_, n) => String.fromCharCode(n));

/** A length's varint bytes as a string, low group first, or in reverse order for the back-length. */
function varint(n: number, reversed: boolean): string {
  if (n < 0x80) return SHORT_LENGTHS[n];
  const size = varintSize(n);
  const bytes: number[] = new Array(size);
  for (let i = 0, rest = n; i < size; i++, rest >>>= 7) {
    bytes[reversed ? size - 1 - i : i] = (rest & 0x7f) | (i < size - 1 ? 0x80 : 0);
  }
  return String.fromCharCode(...bytes);
}

/** The packed entry of s, as a rope (a piece to concatenate). */
export function entryOf(s: string): string {
  const n = s.length;
  if (n < 0x80) {
    const length = SHORT_LENGTHS[n];
    return length + s + length;
  }
  return varint(n, false) + s + varint(n, true);
}

/** The element length of the entry starting at p[pos]; its data starts varintSize(length) later. */
export function entryLength(p: string, pos: number): number {
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const c = p.charCodeAt(pos++);
    n += (c & 0x7f) * scale;
    if (c < 0x80) return n;
  }
}

/** The element length of the entry ending at p[end] (exclusive), read from its back-length. */
export function lengthBefore(p: string, end: number): number {
  let n = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const c = p.charCodeAt(--end);
    n += (c & 0x7f) * scale;
    if (c < 0x80) return n;
  }
}

/** Position after the entry starting at p[pos]. */
export function nextEntry(p: string, pos: number): number {
  const c = p.charCodeAt(pos);
  if (c < 0x80) return pos + c + 2;
  const n = entryLength(p, pos);
  return pos + n + 2 * varintSize(n);
}

/** Position of the entry ending at p[end] (exclusive). */
export function previousEntry(p: string, end: number): number {
  const c = p.charCodeAt(end - 1);
  if (c < 0x80) return end - c - 2;
  const n = lengthBefore(p, end);
  return end - n - 2 * varintSize(n);
}

/** The element of the entry starting at p[pos]. */
export function elementAt(p: string, pos: number): string {
  const c = p.charCodeAt(pos);
  if (c < 0x80) return p.substring(pos + 1, pos + 1 + c);
  const n = entryLength(p, pos);
  const data = pos + varintSize(n);
  return p.substring(data, data + n);
}

/** The listpack size of the element of the entry starting at p[pos]. */
export function entryListpackSize(p: string, pos: number): number {
  const n = entryLength(p, pos);
  return lpEntrySize(p, pos + varintSize(n), n);
}

/** Where findEntry() found its entry. */
let foundPosition = 0;

/** The position of the entry findEntry() found last. */
export function foundAt(): number {
  return foundPosition;
}

/**
 * Finds the first entry equal to `needle` (an entry, as entryOf() makes it) among the entries of
 * p[pos, end), pos being an entry start: returns how many entries come before it, or -1; its
 * position is then foundAt(). The search is the native string search; a hit is the entry only
 * at an entry boundary, which a walk over the entries tells.
 */
export function findEntry(p: string, pos: number, end: number, needle: string): number {
  let index = 0;
  for (let hit = p.indexOf(needle, pos); hit >= 0 && hit + needle.length <= end; hit = p.indexOf(needle, pos)) {
    while (pos < hit) {
      pos = nextEntry(p, pos);
      index++;
    }
    if (pos === hit) {
      foundPosition = hit;
      return index;
    }
  }
  return -1;
}

// ---- fresh strings ----

/** Where flatten() puts the char it reads: a read whose result went nowhere could be optimized away. */
let flattenedChar = 0;

/**
 * Flattens a rope made by concatenation into one sequential string (V8 does so in place when a
 * char is read from it) and returns it. Only for a rope of at least two non-empty pieces: a
 * single piece may be a view into another string (see copyRange).
 */
export function flatten(rope: string): string {
  flattenedChar = rope.charCodeAt(0);
  return rope;
}

/** V8 copies a substring shorter than this; a longer one is a view that keeps its parent alive. */
const SLICE_MIN_LENGTH = 13;

/** p[from, to) as a string of its own (not a view into p). */
export function copyRange(p: string, from: number, to: number): string {
  if (to - from < SLICE_MIN_LENGTH) return p.substring(from, to);
  return flatten(p.substring(from, from + 1) + p.substring(from + 1, to));
}

// ---- the scratch buffer where many entries are packed at once ----

const SCRATCH_BYTES = 16 * 1024;
/** A scratch buffer grown past this (for a huge node) is let go after use. */
const SCRATCH_KEPT_BYTES = 256 * 1024;
let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/** The string whose bytes scratch[0, holds.length) still are ('' for none): it needs no copying in. */
let holds = '';

/**
 * Starts packing: returns the scratch buffer with room for `size` bytes and `region` (a packed
 * string, or p[from, to) of one) copied in at `at`.
 */
export function scratchWith(size: number, p: string, from: number, to: number, at: number): Buffer {
  const length = to - from;
  if (length > 0 && holds === p) {
    // Already there, at `from`: moved in place.
    if (size > scratch.length) grow(size, p.length);
    if (from !== at) scratch.copyWithin(at, from, to);
  } else {
    if (size > scratch.length) grow(size, 0);
    if (length > 0) latin1Write(scratch, length === p.length ? p : p.substring(from, to), at, length);
  }
  holds = '';
  return scratch;
}

function grow(size: number, keep: number): void {
  const grown = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
  scratch.copy(grown, 0, 0, keep);
  scratch = grown;
}

/** Writes s as an entry at b[pos]; returns the position after it. */
export function writeEntry(b: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n < 0x80) {
    b[pos] = n;
    latin1Write(b, s, pos + 1, n);
    b[pos + 1 + n] = n;
    return pos + n + 2;
  }
  const size = varintSize(n);
  const end = pos + n + 2 * size;
  for (let i = 0, rest = n; i < size; i++, rest >>>= 7) {
    const byte = (rest & 0x7f) | (i < size - 1 ? 0x80 : 0);
    b[pos + i] = byte;
    b[end - 1 - i] = byte;
  }
  latin1Write(b, s, pos + size, n);
  return end;
}

/** Ends packing: scratch[0, n) as a new string. */
export function finishScratch(n: number): string {
  const packed = n > 0 ? latin1Slice(scratch, 0, n) : '';
  if (scratch.length > SCRATCH_KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  else holds = packed;
  return packed;
}
